"""Encoder-decoder models from Hugging Face (BART, PEGASUS, T5, ...) through AutoModelForSeq2SeqLM.generate.

transformers 5 removed pipeline("summarization"); this backend does what it did, and records what it
hid: input truncation, token counts, and the exact generation settings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import Field

from harness import hub
from harness.summarizers import huggingface as hf
from harness.summarizers.base import SummaryOutput

log = logging.getLogger(__name__)

_GENERATION_FIELDS = ("num_beams", "max_new_tokens", "min_new_tokens", "length_penalty", "no_repeat_ngram_size", "early_stopping", "do_sample")


class Seq2SeqOptions(hf.HFModelOptions):
    """Options of the hf-seq2seq backend; unset generation options take the model's own defaults."""

    model: str = Field(description="hub id (e.g. facebook/bart-large-cnn) or local folder (relative to the config)")
    prefix: str | None = Field(None, description="text put before each article; default: the model's summarization prefix (T5: 'summarize: ')")
    num_beams: int | None = Field(None, gt=0)
    min_new_tokens: int | None = Field(None, ge=0)
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = Field(None, ge=0)
    early_stopping: bool | None = None


class HFSeq2Seq(hf.HFSummarizer):
    """A Hugging Face encoder-decoder model run with generate()."""

    backend = "hf-seq2seq"
    description = "Hugging Face encoder-decoder model (BART, PEGASUS, T5...) via AutoModelForSeq2SeqLM.generate"
    Options = Seq2SeqOptions
    options: Seq2SeqOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._warned_truncation = False

    def load(self) -> None:
        """Load tokenizer and weights onto the device (once)."""
        if self._model is None:
            from transformers import AutoModelForSeq2SeqLM

            self._tokenizer, self._model, self.device = hf.load_pretrained(self.name, self.options, self.local, AutoModelForSeq2SeqLM)

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput]]:
        """Generate in batches of similar length (longest first, so memory trouble shows at once)."""
        import torch

        self.load()
        tokenizer, model = self._tokenizer, self._model
        limit = self.max_input_tokens()
        texts = [self.prefix() + article for article in articles]
        # Untruncated lengths tell which inputs the model will not see whole (verbose=False: we warn ourselves).
        lengths = [len(ids) for ids in tokenizer(texts, truncation=False, verbose=False)["input_ids"]]
        self._warn_truncation(lengths, limit)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        generate_kwargs = self.generate_kwargs()
        size = self.options.batch_size
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            started = time.perf_counter()
            encoded = tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True, truncation=True, max_length=limit)
            encoded = encoded.to(self.device)
            if generate_kwargs.get("do_sample"):
                torch.manual_seed(self.seed)
            with torch.inference_mode():
                output = model.generate(**encoded, **generate_kwargs)
            summaries = tokenizer.batch_decode(output, skip_special_tokens=True)
            tokens_out = self._count_generated(output)
            seconds = (time.perf_counter() - started) / len(batch)
            for row, index in enumerate(batch):
                yield index, SummaryOutput(
                    summary=summaries[row].strip(),
                    seconds=seconds,
                    tokens_in=min(lengths[index], limit),
                    tokens_out=tokens_out[row],
                    truncated=lengths[index] > limit,
                )

    def prefix(self) -> str:
        """The task prefix: the option if set, else the model's own summarization prefix."""
        if self.options.prefix is not None:
            return self.options.prefix
        task = (getattr(self._model.config, "task_specific_params", None) or {}).get("summarization", {})
        return task.get("prefix", "") or ""

    def max_input_tokens(self) -> int:
        """Longest input the model takes: the option, else the tokenizer's and the positions' limit."""
        return self.options.max_input_tokens or hub.model_input_limit(self._tokenizer, self._model)

    def generate_kwargs(self) -> dict[str, Any]:
        """generate() arguments: named options that are set, then generate_kwargs."""
        kwargs = {field: getattr(self.options, field) for field in _GENERATION_FIELDS if getattr(self.options, field) is not None}
        return {**kwargs, **self.options.generate_kwargs}

    def _count_generated(self, output: Any) -> list[int]:
        # The first position is the decoder start token; padding fills the shorter rows.
        pad = self._tokenizer.pad_token_id
        generated = output[:, 1:]
        return [int(count) for count in ((generated != pad).sum(dim=1) if pad is not None else [generated.shape[1]] * len(generated))]

    def _warn_truncation(self, lengths: list[int], limit: int) -> None:
        truncated = sum(length > limit for length in lengths)
        if truncated and not self._warned_truncation:
            self._warned_truncation = True
            log.warning(
                "%s: %d of %d articles are longer than the model's %d-token input and were truncated (recorded as truncated: true)",
                self.name, truncated, len(lengths), limit,
            )

