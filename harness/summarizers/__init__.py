"""Summarizer backends and their registry: a backend is one module plus one line here."""

from __future__ import annotations

from pathlib import Path

from harness.config import ModelSpec
from harness.summarizers.base import BackendOptions, Summarizer, SummaryError, SummaryOutput
from harness.summarizers.extractive import Lead, LexRank, TextRank
from harness.summarizers.hf_causal import HFCausal
from harness.summarizers.hf_seq2seq import HFSeq2Seq
from harness.summarizers.openai_compat import OpenAICompatible
from harness.summarizers.precomputed import Precomputed

BACKENDS: dict[str, type[Summarizer]] = {
    cls.backend: cls for cls in (Lead, TextRank, LexRank, HFSeq2Seq, HFCausal, OpenAICompatible, Precomputed)
}

__all__ = ["BACKENDS", "BackendOptions", "Summarizer", "SummaryError", "SummaryOutput", "create_summarizer"]


def create_summarizer(spec: ModelSpec, *, seed: int = 0, base_dir: Path | None = None) -> Summarizer:
    """Build the summarizer a config entry names (validating its options; loads no weights)."""
    cls = BACKENDS[spec.backend]
    return cls(spec.name, cls.Options.model_validate(spec.params), seed=seed, base_dir=base_dir)
