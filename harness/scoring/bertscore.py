"""BERTScore (Zhang et al., 2020): greedy cosine matching of contextual token embeddings, summary vs references.

Computed with transformers directly, the bert-score package's algorithm step for step, so its numbers are
the package's (tests/test_bertscore.py checks them against `bert_score.BERTScorer` on the same model):
texts tokenized as its `sent_encode` does (stripped; RoBERTa/GPT-2 tokenizers asked for a leading space;
truncated to the tokenizer's limit), the encoder cut after `layer` layers as its `get_model` does, each
token matched to its most similar token on the other side, weighted by idf or 1 (0 for [CLS]/[SEP]), and,
with several references, each of P, R and F1 the best over the references (bert-score's rule).

Why not call the package: `import bert_score` imports matplotlib.pyplot and pandas, it loads weights
without the harness's offline and missing-model handling, `bert_score.score` reloads the model per call,
and its idf pass forks a process pool. Two differences are deliberate: a token's best match is taken over
the other text's real tokens only (bert-score's padded batch adds zeros, so a token whose best cosine is
negative scores 0 there, depending on which texts share a batch; pretrained encoders' cosines are positive,
so the two agree), and idf comes from the references of the documents scored together (a run: all its
documents, each reference once), where bert_score.score counts a reference once per candidate.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

import harness
from harness.documents import Document
from harness.errors import HarnessError
from harness.scoring.base import Gate, Metric, ScoreResult, Signature
from harness.scoring.hf import ModelScorer, ModelScorerOptions, package_version

PARTS = ("precision", "recall", "f1")

# The layer bert-score uses by default (its model2layers, tuned on WMT16 correlations), for common encoders.
DEFAULT_LAYERS = {
    "roberta-large": 17, "roberta-base": 10, "roberta-large-mnli": 19, "distilroberta-base": 5,
    "bert-base-uncased": 9, "bert-large-uncased": 18, "bert-base-multilingual-cased": 9, "distilbert-base-uncased": 5,
    "xlm-roberta-base": 9, "xlm-roberta-large": 17, "albert-base-v2": 9, "albert-large-v2": 14,
    "microsoft/deberta-base": 9, "microsoft/deberta-base-mnli": 9, "microsoft/deberta-large": 16,
    "microsoft/deberta-large-mnli": 18, "microsoft/deberta-xlarge": 18, "microsoft/deberta-xlarge-mnli": 40,
    "microsoft/deberta-v3-base": 9, "microsoft/deberta-v3-large": 12, "facebook/bart-base": 6, "facebook/bart-large": 10,
    "google/electra-base-discriminator": 9, "google/electra-large-discriminator": 14, "t5-base": 11, "t5-large": 23,
    "allenai/scibert_scivocab_uncased": 8,
}  # fmt: skip
# The hub moved the original checkpoints under organisations ("FacebookAI/roberta-large" is "roberta-large").
HUB_ORGANISATIONS = ("FacebookAI/", "google-bert/", "distilbert/", "albert/", "google-t5/")


def canonical(model: str) -> str:
    """A hub id without the organisation the hub later gave the original checkpoints."""
    for organisation in HUB_ORGANISATIONS:
        if model.startswith(organisation):
            return model.removeprefix(organisation)
    return model


def packaged_baseline(model: str, layer: int, lang: str = "en") -> tuple[float, float, float] | None:
    """The rescaling baseline (P, R, F) the bert-score package ships for a hub model and layer, if installed."""
    spec = importlib.util.find_spec("bert_score")  # found, not imported (it imports matplotlib)
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "rescale_baseline" / lang / f"{canonical(model)}.tsv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as file:
        rows = list(csv.reader(file))[1:]  # LAYER,P,R,F; bert-score reads the row at position `layer`
    if layer >= len(rows):
        return None
    return (float(rows[layer][1]), float(rows[layer][2]), float(rows[layer][3]))


class BertScoreOptions(ModelScorerOptions):
    """Options of BERTScore (Zhang et al., 2020)."""

    model: str = Field("roberta-large", description="encoder: hub id or local folder (bert-score's English default is roberta-large)")
    layer: int | None = Field(None, ge=0, description="use the output of this many layers; default: bert-score's tuned layer for known hub models")
    idf: bool = Field(False, description="weight tokens by idf over the references of the documents scored together")
    rescale_with_baseline: bool = Field(False, description="(x - b) / (1 - b) with the baseline b: given, or bert-score's file")
    baseline: tuple[float, float, float] | None = Field(None, description="rescaling baseline [P, R, F] (each below 1)")
    batch_size: int = Field(64, gt=0, description="texts per encoder forward pass (bert-score's default 64)")

    @model_validator(mode="after")
    def _layer_and_baseline(self) -> BertScoreOptions:
        if self.layer is None and canonical(self.model) not in DEFAULT_LAYERS:
            known = ", ".join(list(DEFAULT_LAYERS)[:4])
            raise ValueError(
                f"layer: no tuned default for model '{self.model}' (bert-score has them for {known}, ...): set layer: N, the encoder layer whose output is matched"
            )
        if self.baseline is not None:
            if not self.rescale_with_baseline:
                raise ValueError("baseline: only used with rescale_with_baseline: true")
            if any(not math.isfinite(b) or b >= 1 for b in self.baseline):
                raise ValueError("baseline: each of P, R, F must be a number below 1")
        elif self.rescale_with_baseline and packaged_baseline(self.model, self.resolved_layer) is None:
            raise ValueError(
                f"rescale_with_baseline: no baseline for model '{self.model}' at layer {self.resolved_layer} "
                "(the bert-score package ships English ones for hub models such as roberta-large): give baseline: [P, R, F]"
            )
        return self

    @property
    def resolved_layer(self) -> int:
        """The layer used: the option, else bert-score's default for the model."""
        return self.layer if self.layer is not None else DEFAULT_LAYERS[canonical(self.model)]


@dataclass(frozen=True)
class BertScoreResult(ScoreResult):
    """BERTScore of one summary: each of P, R, F1 the best over the references, and per reference."""

    precision: float
    recall: float
    f1: float
    per_reference: dict[str, dict[str, float]]


def sent_encode(tokenizer: Any, text: str) -> list[int]:
    """Token ids of a text as bert-score's sent_encode makes them (stripped, special tokens, truncated)."""
    from transformers import GPT2Tokenizer, RobertaTokenizer

    text = text.strip()
    limit = min(int(tokenizer.model_max_length), 10**9)  # tokenizers without a limit report 1e30
    if isinstance(tokenizer, (GPT2Tokenizer, RobertaTokenizer)):
        return tokenizer.encode(text, add_special_tokens=True, add_prefix_space=True, max_length=limit, truncation=True)
    return tokenizer.encode(text, add_special_tokens=True, max_length=limit, truncation=True)


def idf_weights(references: Iterable[list[int]]) -> tuple[dict[int, float], float]:
    """(token id -> idf, idf of an unseen token) over references given as token ids (bert-score's get_idf_dict)."""
    counts: dict[int, int] = {}
    total = 0
    for ids in references:
        total += 1
        for token in set(ids):
            counts[token] = counts.get(token, 0) + 1
    return {token: math.log((total + 1) / (count + 1)) for token, count in counts.items()}, math.log(total + 1)


def truncate_layers(model: Any, layer: int) -> Any:
    """The encoder cut after `layer` layers, as bert-score's get_model does; an encoder-decoder keeps its encoder."""
    import torch

    if hasattr(model, "decoder") and hasattr(model, "encoder"):
        model = model.encoder
    encoder = getattr(model, "encoder", None)
    if hasattr(model, "n_layers"):  # xlm
        count = model.n_layers
    elif encoder is not None and hasattr(encoder, "albert_layer_groups"):
        count = encoder.config.num_hidden_layers
    else:
        # where bert-score finds them: xlnet, t5, bert/roberta/deberta/electra, distilbert, bart's encoder
        places = ((model, "layer"), (encoder, "block"), (encoder, "layer"), (getattr(model, "transformer", None), "layer"), (model, "layers"))
        owner, name = next(((o, n) for o, n in places if isinstance(getattr(o, n, None), torch.nn.ModuleList)), (None, ""))
        if owner is None:
            raise HarnessError(f"scorer 'bertscore': cannot find the layers of a {type(model).__name__} to cut at a layer")
        count = len(getattr(owner, name))
    if layer > count:
        raise HarnessError(f"scorer 'bertscore': layer {layer} is past the encoder's {count} layers (set layer: 0..{count})")
    if hasattr(model, "n_layers"):
        model.n_layers = layer
    elif encoder is not None and hasattr(encoder, "albert_layer_groups"):
        encoder.config.num_hidden_layers = layer
    else:
        setattr(owner, name, torch.nn.ModuleList(list(getattr(owner, name))[:layer]))
    return model


class BertScorer(ModelScorer):
    """BERTScore precision, recall and F1 of each summary against its references."""

    shardable = False  # a model on a device, fed every summary of the run at once

    name = "bertscore"
    description = "BERTScore (Zhang et al., 2020) against the reference summaries, x100"
    Options = BertScoreOptions
    CHUNK_DOCUMENTS = 256  # documents whose texts are embedded together (bounds the embeddings held at once)

    def __init__(self, options: BertScoreOptions | None = None, statistics: Any = None) -> None:
        super().__init__(options, statistics)
        self.options: BertScoreOptions
        self.layer = self.options.resolved_layer
        self.baseline = self.options.baseline
        if self.options.rescale_with_baseline and self.baseline is None:
            self.baseline = packaged_baseline(self.options.model, self.layer)
        self._encoder: Any = None

    def signature(self) -> Signature:
        """bertscore|model:...|layer:...|idf:...|rescale:...|refs:max|tok:...|transformers:...|boot|seed|ci|harness."""
        rescale = ",".join(f"{b:g}" for b in self.baseline) if self.baseline else "no"
        return Signature(
            "bertscore",
            (
                ("model", self.checkpoint()),
                ("layer", str(self.layer)),
                ("idf", "refs" if self.options.idf else "no"),
                ("rescale", rescale),
                ("refs", "max"),
                ("tok", "bert-score-sent_encode"),
                ("transformers", package_version("transformers")),
                *self.statistics.signature_fields(),
                ("harness", harness.__version__),
            ),
        )

    def metrics(self) -> list[Metric]:
        """P, R and F1 per summary; F1 is shown, compared and charted."""
        return [
            Metric(("precision",), "BERTScore P", column=False, compare=False),
            Metric(("recall",), "BERTScore R", column=False, compare=False),
            Metric(("f1",), "BERTScore F1", chart="BERTScore F1"),
        ]

    def gates(self) -> list[Gate]:
        """A floor on mean F1, and how far it may fall below the baseline's."""
        return [
            Gate("min_bertscore_f1", "f1", "min", "each model's mean BERTScore F1 (0-1, rescaled if configured) at least this"),
            Gate("max_bertscore_drop", "f1", "drop", "each model's mean BERTScore F1 (0-1) may fall at most this below the baseline"),
        ]

    def encoder(self) -> tuple[Any, Any, str]:
        """(tokenizer, encoder cut at the layer, device), loaded once."""
        tokenizer, model, device = self.load("AutoModel", use_fast=False)  # bert-score's default tokenizer
        if self._encoder is None:
            self._encoder = truncate_layers(model, self.layer)
        return tokenizer, self._encoder, device

    def score(self, summary: str, document: Document) -> BertScoreResult | None:
        """BERTScore of one summary (idf, if on, from this document's references alone)."""
        return self.score_batch([summary], [document])[0]

    def score_batch(self, summaries: Sequence[str], documents: Sequence[Document]) -> list[BertScoreResult | None]:
        """BERTScore of every summary; texts are embedded once per chunk of documents, in length-sorted batches."""
        if not any(document.references for document in documents):
            return [None] * len(summaries)
        tokenizer, _, _ = self.encoder()
        ids = {}  # text -> token ids, each text tokenized once
        for text in {*summaries, *(ref.text for d in documents for ref in d.references)}:
            ids[text] = sent_encode(tokenizer, text)
        weights = self.token_weights(tokenizer, documents, ids)
        results: list[BertScoreResult | None] = [None] * len(summaries)
        order = list(dict.fromkeys(document.doc_id for document in documents))
        for start in range(0, len(order), self.CHUNK_DOCUMENTS):
            chunk = set(order[start : start + self.CHUNK_DOCUMENTS])
            rows = [i for i, document in enumerate(documents) if document.doc_id in chunk and document.references]
            texts = {summaries[i] for i in rows} | {ref.text for i in rows for ref in documents[i].references}
            embedded = self.embed(sorted(texts), ids, tokenizer)
            empty = len(sent_encode(tokenizer, ""))
            for i in rows:
                per_reference = {}
                for ref in documents[i].references:
                    per_reference[ref.id] = self.match(embedded[summaries[i]], embedded[ref.text], ids[summaries[i]], ids[ref.text], weights, empty)
                results[i] = self.combined(per_reference)
        return results

    def token_weights(self, tokenizer: Any, documents: Sequence[Document], ids: dict[str, list[int]]) -> tuple[dict[int, float], float]:
        """(token id -> weight, weight of other tokens): idf over the documents' references, or 1 with [CLS]/[SEP] at 0."""
        if self.options.idf:
            unique = {(d.doc_id, ref.id): ref.text for d in documents for ref in d.references}
            return idf_weights(ids[text] for text in unique.values())
        return {t: 0.0 for t in (tokenizer.sep_token_id, tokenizer.cls_token_id) if t is not None}, 1.0

    def embed(self, texts: Sequence[str], ids: dict[str, list[int]], tokenizer: Any) -> dict[str, Any]:
        """text -> its token embeddings (L2-normalised rows, on the device), in batches sorted by length."""
        import torch

        _, encoder, device = self.encoder()
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        ordered = sorted(texts, key=lambda t: len(ids[t]), reverse=True)
        embedded = {}
        with torch.inference_mode():
            for start in range(0, len(ordered), self.options.batch_size):
                batch = ordered[start : start + self.options.batch_size]
                width = max(len(ids[t]) for t in batch)
                tokens = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, text in enumerate(batch):
                    tokens[row, : len(ids[text])] = torch.tensor(ids[text])
                    mask[row, : len(ids[text])] = 1
                output = encoder(tokens.to(device), attention_mask=mask.to(device))[0]
                for row, text in enumerate(batch):
                    vectors = output[row, : len(ids[text])].float()
                    embedded[text] = vectors / vectors.norm(dim=-1, keepdim=True)
        return embedded

    def match(self, hyp: Any, ref: Any, hyp_ids: list[int], ref_ids: list[int], weights: tuple[dict[int, float], float], empty: int) -> dict[str, float]:
        """P, R, F1 of one summary against one reference: greedy cosine matching, weighted."""
        import torch

        if len(hyp_ids) <= empty or len(ref_ids) <= empty:
            return {"precision": 0.0, "recall": 0.0, "f1": 0.0}  # bert-score's rule for an empty text
        table, other = weights
        with torch.inference_mode():
            similarity = hyp @ ref.T
            hyp_weights = torch.tensor([table.get(t, other) for t in hyp_ids], device=hyp.device)
            ref_weights = torch.tensor([table.get(t, other) for t in ref_ids], device=ref.device)
            precision = (similarity.max(dim=1).values * (hyp_weights / hyp_weights.sum())).sum().item()
            recall = (similarity.max(dim=0).values * (ref_weights / ref_weights.sum())).sum().item()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else math.nan
        # bert-score turns an undefined F1 into 0; P or R undefined (every token weighted 0) are 0 here too
        return {part: value if math.isfinite(value) else 0.0 for part, value in zip(PARTS, (precision, recall, f1))}

    def combined(self, per_reference: dict[str, dict[str, float]]) -> BertScoreResult:
        """Each of P, R, F1 the best over the references (bert-score's multi-reference rule), then rescaled."""
        if self.baseline is not None:
            per_reference = {ref: {p: (s[p] - b) / (1 - b) for p, b in zip(PARTS, self.baseline)} for ref, s in per_reference.items()}
        best = {part: max(scores[part] for scores in per_reference.values()) for part in PARTS}
        return BertScoreResult(best["precision"], best["recall"], best["f1"], per_reference)

    def close(self) -> None:
        """Drop the encoder with the weights."""
        self._encoder = None
        super().close()
