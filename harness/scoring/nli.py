"""NLI consistency, SummaC-style zero-shot (Laban et al., 2022): is each summary sentence entailed by the article?

The article is cut into units (sentences, windows of k sentences, or paragraphs) and the summary into
sentences, with the harness's one sentence splitter. An NLI classifier reads every (article unit, summary
sentence) pair as (premise, hypothesis); a sentence's score is the best over the units of
P(entailment) - P(contradiction), and the summary's score is the mean over its sentences (SummaC-ZS's
max-then-mean), from -1 (every sentence contradicted) to 1 (every sentence entailed). Each sentence keeps
its best unit, with the unit's text and character span in the article, as evidence the report can show.

All pairs of a batch of summaries (across documents and models) go to the device together, each distinct
pair once (several models often extract the same sentence), in length-sorted batches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

import harness
from harness.documents import Document
from harness.errors import HarnessError
from harness.scoring.base import Count, Gate, Metric, ScoreResult, Signature
from harness.scoring.hf import ModelScorer, ModelScorerOptions, package_version
from harness.text import SPLITTER_NAME, Span, paragraphs, sentence_spans

GRANULARITY = re.compile(r"sentence|paragraph|window-[2-9]")
ROLES = {"entailment": "entail", "contradiction": "contradict"}  # label names start so (ENTAILMENT, contradiction, ...)


class NLILabels(BaseModel):
    """Which of the classifier's outputs mean entailment and contradiction: a label name or an index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entailment: str | int
    contradiction: str | int


class NLIOptions(ModelScorerOptions):
    """Options of the SummaC-style NLI consistency scorer."""

    model: str = Field("microsoft/deberta-large-mnli", description="NLI classifier: hub id or local folder (an MNLI model)")
    granularity: str = Field("sentence", description="article units: sentence, window-K (K consecutive sentences, K 2-9) or paragraph")
    labels: NLILabels | None = Field(None, description="{entailment: NAME or index, contradiction: ...}; default: read from the model's id2label")
    batch_size: int = Field(32, gt=0, description="(article unit, summary sentence) pairs per forward pass")

    @field_validator("granularity")
    @classmethod
    def _known_granularity(cls, granularity: str) -> str:
        if not GRANULARITY.fullmatch(granularity):
            raise ValueError("use sentence, paragraph or window-K (K from 2 to 9)")
        return granularity


@dataclass(frozen=True)
class SentenceVerdict:
    """One summary sentence, its best article unit (the evidence) and the NLI probabilities against it."""

    sentence: str
    start: int  # span of the sentence in the summary
    end: int
    score: float  # P(entailment) - P(contradiction) against the evidence
    entailment: float
    contradiction: float
    evidence: str  # the article unit; article[evidence_start:evidence_end] == evidence
    evidence_start: int
    evidence_end: int

    def to_dict(self) -> dict[str, Any]:
        """Plain form, with the span and verdict the report marks in the summary (contradicted: score below 0)."""
        return {**asdict(self), "span": [self.start, self.end], "verdict": "contradicted" if self.score < 0 else "supported"}


@dataclass(frozen=True)
class NLIResult(ScoreResult):
    """NLI consistency of one summary: the mean of its sentences' scores, and each sentence's verdict."""

    score: float | None  # None: nothing to check (an empty summary or article)
    inconsistent: int  # sentences whose best unit is more contradiction than entailment (score < 0)
    sentences: tuple[SentenceVerdict, ...]

    def to_fields(self, name: str) -> dict[str, Any]:
        """{name: {score, inconsistent, sentences: [each verdict with its span in the summary]}}."""
        return {name: {"score": self.score, "inconsistent": self.inconsistent, "sentences": [v.to_dict() for v in self.sentences]}}


def article_units(article: str, granularity: str) -> list[Span]:
    """The article's units with their spans: sentences, windows of k sentences (stride 1), or paragraphs."""
    if granularity == "paragraph":
        return paragraphs(article)
    sentences = sentence_spans(article)
    if granularity == "sentence" or not sentences:
        return sentences
    k = min(int(granularity.removeprefix("window-")), len(sentences))
    windows = (sentences[i : i + k] for i in range(len(sentences) - k + 1))
    return [Span(article[w[0].start : w[-1].end], w[0].start, w[-1].end) for w in windows]


def label_index(role: str, id2label: Mapping[int, str], given: str | int | None, model: str) -> int:
    """The output index of an NLI role (entailment, contradiction): the given name or index, else read from id2label."""
    names = ", ".join(f"{i}: {name}" for i, name in sorted(id2label.items()))
    if isinstance(given, int):
        if given not in id2label:
            raise HarnessError(f"scorer 'nli-consistency': labels.{role}: {given} is not an output of model '{model}' ({names})")
        return given
    if given is not None:
        found = [i for i, name in id2label.items() if name.lower() == given.lower()]
        wanted = f"named '{given}' (labels.{role})"
    else:
        found = [i for i, name in id2label.items() if name.lower().startswith(ROLES[role])]
        wanted = f"reads as {role}"
    if len(found) != 1:
        raise HarnessError(
            f"scorer 'nli-consistency': {'no' if not found else 'more than one'} label of model '{model}' {wanted} ({names}); "
            "say which outputs mean what with labels: {entailment: NAME_OR_INDEX, contradiction: NAME_OR_INDEX}"
        )
    return found[0]


class NLIScorer(ModelScorer):
    """SummaC-style zero-shot consistency of each summary with its article, with per-sentence evidence."""

    shardable = False  # a model on a device, fed every summary of the run at once

    name = "nli-consistency"
    description = "NLI consistency with the article (SummaC zero-shot, Laban et al., 2022): mean over summary sentences of max P(entail) - P(contradict), x100"
    Options = NLIOptions
    evidence = (("sentences",), "NLI")

    def __init__(self, options: NLIOptions | None = None, statistics: Any = None) -> None:
        super().__init__(options, statistics)
        self.options: NLIOptions

    def signature(self) -> Signature:
        """nli-consistency|model:...|labels:...|gran:...|agg:max-e-c,mean|split:...|transformers:...|boot|seed|ci|harness."""
        labels = self.options.labels
        return Signature(
            "nli-consistency",
            (
                ("model", self.checkpoint()),
                ("labels", f"e={labels.entailment},c={labels.contradiction}" if labels else "id2label"),
                ("gran", self.options.granularity),
                ("agg", "max-e-c,mean"),
                ("split", SPLITTER_NAME),
                ("transformers", package_version("transformers")),
                *self.statistics.signature_fields(),
                ("harness", harness.__version__),
            ),
        )

    def metrics(self) -> list[Metric]:
        """The consistency score per summary (-1 to 1, shown x100)."""
        return [Metric(("score",), "NLI consistency", chart="NLI consistency")]

    def counts(self) -> list[Count]:
        """Summary sentences no article unit supports more than it contradicts."""
        return [Count("inconsistent", "NLI incons.", column=False)]

    def gates(self) -> list[Gate]:
        """A floor on the mean score, how far it may fall below the baseline's, and a ceiling on inconsistent sentences."""
        return [
            Gate("min_nli_consistency", "score", "min", "each model's mean NLI consistency (-1 to 1) at least this"),
            Gate("max_nli_consistency_drop", "score", "drop", "each model's mean NLI consistency may fall at most this below the baseline"),
            Gate(
                "max_inconsistent_sentences", "inconsistent", "max", "each model's summary sentences scored below 0, over all documents, at most this", "count"
            ),
        ]

    def prepare(self) -> None:
        """The extra and the model's files are there, and its labels say which output is entailment and which contradiction."""
        super().prepare()
        from transformers import AutoConfig

        from harness.hub import load_kwargs

        local = self.local
        try:
            config = AutoConfig.from_pretrained(str(local) if local else self.options.model, **load_kwargs(self.options.model, local, self.options.revision))
        except (OSError, ValueError):
            return  # the model itself says why when it is loaded
        self.label_indices(config)

    def label_indices(self, config: Any) -> tuple[int, int]:
        """(entailment index, contradiction index) of a classifier config."""
        id2label = {int(i): str(name) for i, name in (config.id2label or {}).items()}
        given = self.options.labels
        return (
            label_index("entailment", id2label, given.entailment if given else None, self.options.model),
            label_index("contradiction", id2label, given.contradiction if given else None, self.options.model),
        )

    def score(self, summary: str, document: Document) -> NLIResult:
        """NLI consistency of one summary with its article."""
        return self.score_batch([summary], [document])[0]

    def score_batch(self, summaries: Sequence[str], documents: Sequence[Document]) -> list[NLIResult]:
        """Every summary's sentences against its article's units, all distinct pairs classified together."""
        units: dict[str, list[Span]] = {}
        rows = []
        pairs: dict[tuple[str, str], int] = {}  # (premise, hypothesis) -> position in the classified list
        for summary, document in zip(summaries, documents):
            if document.article not in units:
                units[document.article] = article_units(document.article, self.options.granularity)
            sentences = sentence_spans(summary)
            for sentence in sentences:
                for unit in units[document.article]:
                    pairs.setdefault((unit.text, sentence.text), len(pairs))
            rows.append((sentences, units[document.article]))
        _, model, _ = self.load("AutoModelForSequenceClassification") if pairs else (None, None, None)
        entail, contra = self.label_indices(model.config) if pairs else (0, 0)
        probabilities = self.probabilities(list(pairs)) if pairs else []
        return [self.verdicts(sentences, article, pairs, probabilities, entail, contra) for sentences, article in rows]

    @staticmethod
    def verdicts(
        sentences: list[Span], article: list[Span], pairs: Mapping[tuple[str, str], int], probabilities: Sequence[Sequence[float]], entail: int, contra: int
    ) -> NLIResult:
        """One summary's result: each sentence's best unit (the first, on ties), and the mean of their scores."""
        if not sentences or not article:
            return NLIResult(None, 0, ())
        verdicts = []
        for sentence in sentences:
            scored = [(probabilities[pairs[(unit.text, sentence.text)]], unit) for unit in article]
            best, unit = max(scored, key=lambda item: item[0][entail] - item[0][contra])
            verdicts.append(
                SentenceVerdict(
                    sentence.text, sentence.start, sentence.end, best[entail] - best[contra], best[entail], best[contra], unit.text, unit.start, unit.end
                )
            )
        scores = [v.score for v in verdicts]
        return NLIResult(sum(scores) / len(scores), sum(score < 0 for score in scores), tuple(verdicts))

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """The classifier's softmax over its labels for each (premise, hypothesis), batched by length on the device."""
        import torch

        from harness.hub import model_input_limit

        tokenizer, model, device = self.load("AutoModelForSequenceClassification")
        limit = model_input_limit(tokenizer, model)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]), reverse=True)
        found: list[list[float]] = [[] for _ in pairs]
        with torch.inference_mode():
            for start in range(0, len(order), self.options.batch_size):
                batch = order[start : start + self.options.batch_size]
                inputs = tokenizer(
                    [pairs[i][0] for i in batch], [pairs[i][1] for i in batch],
                    padding=True, truncation=True, max_length=limit, return_tensors="pt",
                )  # fmt: skip
                logits = model(**{key: value.to(device) for key, value in inputs.items()}).logits
                for i, row in zip(batch, torch.softmax(logits.float(), dim=-1).tolist()):
                    found[i] = row
        return found
