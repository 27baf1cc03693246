"""ROUGE (Lin, 2004) through Google's rouge-score, with multiple references.

rougeLsum needs one sentence per line: the summary and references are split with the harness's own
splitter and joined with newlines before scoring (a plain summary string makes rougeLsum equal rougeL,
the mistake of scoring whole paragraphs as one sentence).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Literal

from pydantic import Field, field_validator

import harness
from harness.documents import Document
from harness.scoring.base import Gate, Metric, Scorer, ScoreResult, ScorerOptions, Signature
from harness.scoring.rouge_engine import RougeEngine
from harness.text import SPLITTER_NAME, split_sentences

PARTS = ("precision", "recall", "fmeasure")
LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}
TYPE_PATTERN = re.compile(r"^rouge(?:[1-9]|L|Lsum)$")


class RougeOptions(ScorerOptions):
    """Options of the ROUGE scorer (Lin, 2004; Google's rouge-score implementation)."""

    types: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    stemmer: bool = Field(True, description="Porter stemming (rouge-score's use_stemmer)")
    multi_reference: Literal["max", "mean"] = Field("max", description="several references: the best by F1 per type, or the mean")

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        for rouge_type in types:
            if not TYPE_PATTERN.match(rouge_type):
                raise ValueError(f"unknown ROUGE type '{rouge_type}' (use rouge1..rouge9, rougeL, rougeLsum)")
        if not types:
            raise ValueError("name at least one ROUGE type")
        twice = sorted({t for t in types if types.count(t) > 1})
        if twice:  # one column per type: a type named twice would be scored twice and shown once
            raise ValueError(f"'{twice[0]}' is listed twice; name each ROUGE type once")
        return types


Scores = dict[str, dict[str, float]]  # type -> {precision, recall, fmeasure}


@dataclass(frozen=True)
class RougeResult(ScoreResult):
    """ROUGE of one summary: combined over the references, and against each reference."""

    scores: Scores
    per_reference: dict[str, Scores]

    def to_fields(self, name: str) -> dict[str, Any]:
        """{"rouge": combined scores, "rouge_per_reference": {reference id: scores}} (the shape scores.jsonl always had)."""
        return {name: self.scores, f"{name}_per_reference": self.per_reference}


@functools.lru_cache(maxsize=4096)
def sentence_lines(text: str) -> str:
    """Text with one sentence per line, as rougeLsum expects."""
    return "\n".join(split_sentences(text))


class RougeScorer(Scorer):
    """ROUGE-N/L/Lsum precision, recall and F1 against each reference, combined by max or mean."""

    name = "rouge"
    description = "ROUGE F1 x100 against the reference summaries (rouge-score, Porter stemming)"
    Options = RougeOptions
    default_on = True

    def __init__(self, options: RougeOptions | None = None, statistics: Any = None) -> None:
        super().__init__(options, statistics)
        self.options: RougeOptions
        # rouge-score's scores bit for bit, ~10x faster (tests/test_rouge_engine.py, benchmarks/rouge_exact.py)
        self._scorer = RougeEngine(self.options.types, use_stemmer=self.options.stemmer)

    def signature(self) -> Signature:
        """rouge|v:...|types:...|stem:...|split:...|refs:...|boot:...|seed:...|ci:...|harness:..."""
        return Signature(
            "rouge",
            (
                ("v", f"rouge-score-{version('rouge-score')}"),
                ("types", ",".join(t.removeprefix("rouge") for t in self.options.types)),
                ("stem", "porter" if self.options.stemmer else "no"),
                ("tok", "rouge-score-default"),
                ("split", SPLITTER_NAME),
                ("refs", self.options.multi_reference),
                *self.statistics.signature_fields(),
                ("harness", harness.__version__),
            ),
        )

    def metrics(self) -> list[Metric]:
        """Precision, recall and F1 per type; F1 is shown, compared and charted."""
        return [
            Metric((t, part), f"{LABELS.get(t, t)} {'F1' if part == 'fmeasure' else part[0].upper()}",
                   column=part == "fmeasure", compare=part == "fmeasure", chart="ROUGE F1" if part == "fmeasure" else None)  # fmt: skip
            for t in self.options.types
            for part in PARTS
        ]

    def gates(self) -> list[Gate]:
        """max_rouge_drop: how far each F1 may fall below the baseline's (0-1)."""
        return [Gate("max_rouge_drop", "*.fmeasure", "drop", "each model's mean ROUGE F1 (0-1) may fall at most this below the baseline")]

    def score_pair(self, summary: str, reference: str) -> Scores:
        """ROUGE of one summary against one reference: type -> {precision, recall, fmeasure}."""
        scores = self._scorer.score(sentence_lines(reference), sentence_lines(summary))
        return {name: dict(zip(PARTS, (s.precision, s.recall, s.fmeasure))) for name, s in scores.items()}

    def score(self, summary: str, document: Document) -> RougeResult | None:
        """Scores against every reference and combined; None for a document without references."""
        if not document.references:
            return None
        per_reference = {ref.id: self.score_pair(summary, ref.text) for ref in document.references}
        return RougeResult(self.combine(list(per_reference.values())), per_reference)

    def fields(self, result: ScoreResult | None) -> dict[str, Any]:
        """Score-row fields; a document without references keeps `rouge: null` and no per-reference scores."""
        return result.to_fields(self.name) if result is not None else {self.name: None, f"{self.name}_per_reference": {}}

    def combine(self, per_reference: Sequence[Scores]) -> Scores:
        """Several references -> one score per type: the best reference by F1 (as rouge-score's score_multi), or the mean."""
        combined = {}
        for rouge_type in self.options.types:
            candidates = [scores[rouge_type] for scores in per_reference]
            if self.options.multi_reference == "max":
                combined[rouge_type] = max(candidates, key=lambda s: s["fmeasure"])
            else:
                combined[rouge_type] = {part: sum(s[part] for s in candidates) / len(candidates) for part in PARTS}
        return combined
