"""Encoder-decoder models from Hugging Face (BART, PEGASUS, T5, ...) through AutoModelForSeq2SeqLM.generate.

transformers 5 removed pipeline("summarization"); this backend does what it did, and records what it
hid: input truncation, token counts, and the exact generation settings.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from pydantic import Field, field_validator

from harness.errors import HarnessError
from harness.summarizers import huggingface as hf
from harness.summarizers.base import BackendOptions, Summarizer, SummaryOutput

log = logging.getLogger(__name__)

_GENERATION_FIELDS = ("num_beams", "max_new_tokens", "min_new_tokens", "length_penalty", "no_repeat_ngram_size", "early_stopping", "do_sample")
# Positional limits above this are "no limit" sentinels (tokenizers report 1e30 when unset).
_NO_LIMIT = 1_000_000


class Seq2SeqOptions(BackendOptions):
    """Options of the hf-seq2seq backend; unset generation options take the model's own defaults."""

    model: str = Field(description="hub id (e.g. facebook/bart-large-cnn) or local folder (relative to the config)")
    revision: str | None = Field(None, description="hub branch, tag or commit")
    prefix: str | None = Field(None, description="text put before each article; default: the model's summarization prefix (T5: 'summarize: ')")
    num_beams: int | None = Field(None, gt=0)
    max_new_tokens: int | None = Field(None, gt=0)
    min_new_tokens: int | None = Field(None, ge=0)
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = Field(None, ge=0)
    early_stopping: bool | None = None
    do_sample: bool | None = None
    generate_kwargs: dict[str, Any] = Field(default_factory=dict, description="any other generate() arguments")
    max_input_tokens: int | None = Field(None, gt=0, description="truncate longer inputs; default: the model's limit")
    device: str = Field("auto", description="auto, cpu, cuda, cuda:N or mps")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    batch_size: int = Field(1, gt=0, description="articles per generate() call; batches are sorted by length")

    @field_validator("device")
    @classmethod
    def _known_device(cls, device: str) -> str:
        if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
            raise ValueError("use auto, cpu, cuda, cuda:N or mps")
        return device


class HFSeq2Seq(Summarizer):
    """A Hugging Face encoder-decoder model run with generate()."""

    backend = "hf-seq2seq"
    description = "Hugging Face encoder-decoder model (BART, PEGASUS, T5...) via AutoModelForSeq2SeqLM.generate"
    Options = Seq2SeqOptions
    options: Seq2SeqOptions
    execution_options = frozenset({"batch_size", "device"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local = hf.resolve_local(self.options.model, self.base_dir)
        self._model: Any = None
        self._tokenizer: Any = None
        self._warned_truncation = False

    def fingerprint(self) -> dict[str, Any]:
        """Options, checkpoint identity, resolved dtype and the transformers version."""
        import transformers

        fingerprint = super().fingerprint()
        fingerprint["options"].pop("model")  # a local folder may move; its files identify it
        fingerprint["checkpoint"] = hf.checkpoint_fingerprint(self.options.model, self.local, self.options.revision)
        fingerprint["dtype"] = hf.resolve_dtype(self.options.dtype, hf.resolve_device(self.options.device))
        fingerprint["transformers"] = transformers.__version__
        return fingerprint

    def prepare(self) -> None:
        """Fail early, with one line, if the model's files cannot be had."""
        hf.check_available(self.name, self.options.model, self.local, self.options.revision)

    def load(self) -> None:
        """Load tokenizer and weights onto the device (once)."""
        if self._model is not None:
            return
        import torch
        import transformers
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        source = str(self.local) if self.local is not None else self.options.model
        kwargs = hf.load_kwargs(self.options.model, self.local, self.options.revision)
        device = hf.resolve_device(self.options.device)
        dtype = getattr(torch, hf.resolve_dtype(self.options.dtype, device))
        transformers.utils.logging.disable_progress_bar()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
            model = AutoModelForSeq2SeqLM.from_pretrained(source, dtype=dtype, **kwargs)
        except (OSError, ValueError) as error:
            if self.local is None:
                raise hf.unavailable(self.name, self.options.model, self.options.revision, _first_line(error)) from None
            raise HarnessError(f"model '{self.name}': cannot load {self.local}: {_first_line(error)}") from None
        self._model = model.to(device).eval()
        self.device = device

    def close(self) -> None:
        """Drop the weights so the next model of a run has the memory."""
        self._model = self._tokenizer = None

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
        if self.options.max_input_tokens:
            return self.options.max_input_tokens
        limits = [self._tokenizer.model_max_length, getattr(self._model.config, "max_position_embeddings", None)]
        known = [limit for limit in limits if isinstance(limit, int) and 0 < limit < _NO_LIMIT]
        return min(known) if known else _NO_LIMIT

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


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
