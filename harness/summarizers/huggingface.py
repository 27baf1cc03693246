"""Finding, fingerprinting and placing Hugging Face models: what every transformers backend shares
(HFModelOptions, the HFSummarizer base class, load_pretrained).

A model is a hub id (resolved through the local HF cache, downloading only when the hub is reachable)
or a local folder. A model that cannot be had becomes one HarnessError line naming the model and how to
get it, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from harness.errors import HarnessError, first_line
from harness.hub import hub_offline, hub_reachable
from harness.summarizers.base import BackendOptions, OptionError, Summarizer
from harness.summarizers.plain import GenerateKwargs

# Files whose content defines a checkpoint besides its weights (weights are fingerprinted by size/mtime).
_DEFINING_FILES = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "spiece.model", "vocab.json",
    "merges.txt", "chat_template.jinja", "chat_template.json",
)
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")
# Positional limits above this are "no limit" sentinels (tokenizers report 1e30 when unset).
NO_LIMIT = 1_000_000


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
        if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
            raise ValueError("use auto, cpu, cuda, cuda:N or mps")
        return device


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


def model_input_limit(tokenizer: Any, model: Any) -> int:
    """Longest input the model takes: the smaller of the tokenizer's and the position embeddings' limits."""
    limits = [tokenizer.model_max_length, getattr(model.config, "max_position_embeddings", None)]
    known = [limit for limit in limits if isinstance(limit, int) and 0 < limit < NO_LIMIT]
    return min(known) if known else NO_LIMIT


def looks_like_path(model: str) -> bool:
    """True for model strings written as paths (./x, ../x, /x, ~/x) rather than hub ids."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1


def resolve_local(model: str, base_dir: Path) -> Path | None:
    """The local folder a model string names (relative to the config's folder), or None for a hub id."""
    if looks_like_path(model):
        path = Path(model).expanduser()
        return path if path.is_absolute() else (base_dir / path)
    candidate = base_dir / model
    return candidate if (candidate / "config.json").is_file() else None


def check_local(name: str, local: Path) -> None:
    """Raise a one-line OptionError unless local is a saved transformers model that brings no code."""
    if not local.is_dir():
        raise OptionError(f"model '{name}': folder {local} does not exist (set model: to a folder saved with save_pretrained, or to a hub id)", "model")
    if not (local / "config.json").is_file():
        raise OptionError(f"model '{name}': {local} holds no config.json, so it is not a saved transformers model", "model")
    refuse_custom_code(name, local)


def check_available(name: str, model: str, local: Path | None, revision: str | None) -> None:
    """Raise a one-line HarnessError unless the model's config can be read (locally or from the hub)."""
    if local is not None:
        check_local(name, local)
        return
    snapshot = cached_snapshot(model, revision)
    if snapshot is not None:
        refuse_custom_code(name, snapshot, model)
    elif hub_offline():
        raise unavailable(name, model, revision, "it is not in the Hugging Face cache and offline mode is on (--offline or HF_HUB_OFFLINE=1)")
    elif not hub_reachable():
        raise unavailable(name, model, revision, "it is not in the Hugging Face cache and the hub cannot be reached")


def refuse_custom_code(name: str, folder: Path, shown: str | None = None) -> None:
    """Refuse a checkpoint whose config names Python code of its own (auto_map): the harness never runs it.

    Loading passes trust_remote_code=False anyway; this says why in one line instead of transformers' prompt
    to pass trust_remote_code=True, which a config can never do. (A model downloaded later is refused by
    transformers itself, since trust_remote_code stays off.)
    """
    for file in ("config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json"):
        path = folder / file
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError) as error:
            raise OptionError(f"model '{name}': cannot read {path}: {first_line(error)}", "model") from None
        auto_map = data.get("auto_map") if isinstance(data, dict) else None
        if auto_map:
            mapped = next(iter(auto_map.values())) if isinstance(auto_map, dict) else auto_map
            code = mapped[0] if isinstance(mapped, list) and mapped else mapped
            raise OptionError(
                f"model '{name}': {shown or folder}'s {file} names Python code of its own (auto_map: {code}); the harness "
                "never runs code from model files (trust_remote_code stays off): use a model transformers supports natively",
                "model",
            )


def load_kwargs(model: str, local: Path | None, revision: str | None) -> dict[str, Any]:
    """from_pretrained keyword arguments: never remote code; offline at once when the hub is unreachable (saves ~25 s)."""
    # trust_remote_code=False said outright: a model's code never runs, whatever transformers' default becomes.
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if revision and local is None:
        kwargs["revision"] = revision
    if local is None and cached_snapshot(model, revision) is not None and not hub_reachable():
        kwargs["local_files_only"] = True
    return kwargs


def unavailable(name: str, model: str, revision: str | None, why: str) -> OptionError:
    """The one-line error for a model that cannot be loaded, saying how to make it available."""
    at = f"@{revision}" if revision else ""
    hub_cache = os.environ.get("HF_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", "~/.cache/huggingface"), "hub")
    return OptionError(
        f"model '{name}' ({model}{at}) is not available: {why}. To make it available, run "
        f"`hf download {model}{' --revision ' + revision if revision else ''}` where the hub is reachable "
        f"(it fills {hub_cache}; copy that folder here), or set model: to a local folder holding the model",
        "model",
    )


def cached_snapshot(model: str, revision: str | None) -> Path | None:
    """The HF-cache snapshot folder holding the model's config.json, if it is cached."""
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(model, "config.json", revision=revision)
    except Exception:  # an id the hub would reject (bad characters) is simply not cached
        return None
    return Path(found).parent if isinstance(found, str) else None


def checkpoint_fingerprint(model: str, local: Path | None, revision: str | None) -> dict[str, Any]:
    """What identifies the checkpoint: its hub commit, or a digest of a local folder's files."""
    folder = local if local is not None else cached_snapshot(model, revision)
    if folder is None or not folder.is_dir():
        return {"model": model, "revision": revision, "snapshot": None}
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.name in _DEFINING_FILES:
            digest.update(file.name.encode() + file.read_bytes())
        elif file.suffix in _WEIGHT_SUFFIXES:
            stat = file.stat()
            digest.update(f"{file.name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    snapshot = folder.name if local is None else None  # HF-cache snapshot folders are named by commit
    return {"model": model if local is None else "local", "revision": revision, "snapshot": snapshot, "files": digest.hexdigest()[:16]}


def resolve_device(device: str) -> str:
    """'auto' becomes cuda, mps or cpu, whichever this machine has; anything else is kept."""
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(dtype: str, device: str) -> str:
    """'auto' is float32 on CPU and MPS, bfloat16 (or float16 where unsupported) on CUDA."""
    import torch

    if dtype != "auto":
        return dtype
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float32"
