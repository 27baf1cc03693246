"""Finding, fingerprinting and placing Hugging Face models: what every transformers backend shares
(HFModelOptions, the HFSummarizer base class, load_pretrained).

A model is a hub id (resolved through the local HF cache, downloading only when the hub is reachable)
or a local folder. A model that cannot be had becomes one HarnessError line naming the model and how to
get it, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from harness.errors import HarnessError, first_line
from harness.hub import (
    check_available,
    check_device,
    check_local,
    checkpoint_fingerprint,
    load_kwargs,
    resolve_device,
    resolve_dtype,
    resolve_local,
    unavailable,
)  # fmt: skip
from harness.summarizers.base import BackendOptions, Summarizer
from harness.summarizers.plain import GenerateKwargs
from harness.textio import unexpandable


class HFModelOptions(BackendOptions):
    """Options every transformers backend has: which checkpoint, where it runs, and how much it reads and writes."""

    model: str = Field(description="hub id or local folder (relative to the config)")
    revision: str | None = Field(None, description="hub branch, tag or commit")
    max_new_tokens: int | None = Field(None, gt=0)
    do_sample: bool | None = None
    generate_kwargs: GenerateKwargs = Field(
        default_factory=dict, description="other plain generate() options (numbers, bools, lists of numbers), e.g. {top_k: 50}"
    )
    max_input_tokens: int | None = Field(None, gt=0, description="truncate longer inputs; default: the model's limit")
    device: str = Field("auto", description="auto, cpu, cuda, cuda:N or mps")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    batch_size: int = Field(1, gt=0, description="articles per generate() call; batches are sorted by length")

    @field_validator("device")
    @classmethod
    def _known_device(cls, device: str) -> str:
        return check_device(device)

    @field_validator("model")
    @classmethod
    def _named(cls, model: str) -> str:
        if not model.strip():  # a blank left by a template: "hf download " would be the advice
            raise ValueError("is empty; give a hub id (facebook/bart-large-cnn) or a local folder")
        if problem := unexpandable(model):  # "~nouser/m": one line naming the field, not a traceback when the model is built
            raise ValueError(problem)
        return model


class HFSummarizer(Summarizer):
    """What the transformers backends share: finding the checkpoint, fingerprinting it, freeing it."""

    options: HFModelOptions
    execution_options = frozenset({"batch_size", "device"})
    extra = "hf"
    extra_modules = ("torch", "transformers")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local = resolve_local(self.options.model, self.base_dir)
        self._model: Any = None
        self._tokenizer: Any = None

    def fingerprint(self) -> dict[str, Any]:
        """Options, checkpoint identity (tokenizer and chat template included), resolved dtype and transformers version."""
        import transformers

        fingerprint = super().fingerprint()
        fingerprint["options"].pop("model")  # a local folder may move; its files identify it
        fingerprint["checkpoint"] = checkpoint_fingerprint(self.options.model, self.local, self.options.revision)
        fingerprint["dtype"] = resolve_dtype(self.options.dtype, resolve_device(self.options.device))
        fingerprint["transformers"] = transformers.__version__
        return fingerprint

    def check(self) -> None:
        """The extra is installed, and a local model folder exists, is a model and brings no code of its own."""
        super().check()
        if self.local is not None:
            check_local(self.name, self.local)

    def prepare(self) -> None:
        """Fail early, with one line, if the model's files cannot be had."""
        self.check()
        check_available(self.name, self.options.model, self.local, self.options.revision)

    def close(self) -> None:
        """Drop the weights so the next model of a run has the memory."""
        self._model = self._tokenizer = None


def load_pretrained(name: str, options: HFModelOptions, local: Path | None, auto_class: Any) -> tuple[Any, Any, str]:
    """(tokenizer, model on its device in eval mode, device) for a config entry; failures are one HarnessError line."""
    import torch
    import transformers
    from transformers import AutoTokenizer

    source = str(local) if local is not None else options.model
    check_available(name, options.model, local, options.revision)  # never load a folder that brings code
    kwargs = load_kwargs(options.model, local, options.revision)
    device = resolve_device(options.device)
    dtype = getattr(torch, resolve_dtype(options.dtype, device))
    transformers.utils.logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        model = auto_class.from_pretrained(source, dtype=dtype, **kwargs)
    except (OSError, ValueError) as error:
        if local is None:
            raise unavailable(name, options.model, options.revision, first_line(error)) from None
        raise HarnessError(f"model '{name}': cannot load {local}: {first_line(error)}") from None
    return tokenizer, model.to(device).eval(), device


