"""The Hugging Face hub and its checkpoints: whether the hub can be reached (models and datasets go offline at
once when it cannot), and finding a checkpoint (a hub id in the local cache, or a local folder): whether it
can be had, what identifies it, and where it runs. Shared by the transformers summarizers and the model-based
scorers. A model that cannot be had becomes one line naming it and how to get it (an OptionError: the caller
puts the config's file, line and field in front); a checkpoint that brings code of its own is refused.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import os
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from harness.errors import OptionError, first_line

_TRUE = {"1", "ON", "YES", "TRUE"}


def hub_offline() -> bool:
    """Whether offline mode is on (`--offline` or HF_HUB_OFFLINE=1), read now: the CLI may set it after
    huggingface_hub read it at import."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in _TRUE:
        return True
    try:
        from huggingface_hub import constants
    except ImportError:  # without the hf or datasets extra nothing talks to the hub
        return True
    return bool(constants.HF_HUB_OFFLINE)


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the hub's host name resolves, in at most `timeout` seconds; False in offline mode.

    Without a network, transformers and datasets retry the hub for ~25 s before they fall back to their
    caches; a failed lookup here lets them go to the cache at once.
    """
    return not hub_offline() and _resolves(timeout)


@functools.lru_cache(maxsize=1)
def _resolves(timeout: float) -> bool:
    """Whether the hub's host name resolves: cheap proof of being online (asked once per process)."""
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 (any failure to resolve means offline)
        return False
    finally:
        pool.shutdown(wait=False)


# Files whose content defines a checkpoint besides its weights (weights are fingerprinted by size/mtime).
_DEFINING_FILES = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "spiece.model", "vocab.json",
    "merges.txt", "chat_template.jinja", "chat_template.json",
)
# Positional limits above this are "no limit" sentinels (tokenizers report 1e30 when unset).
NO_LIMIT = 1_000_000
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")


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


def check_device(device: str) -> str:
    """A device option as written in a config (auto, cpu, cuda, cuda:N, mps), or ValueError saying what is allowed."""
    if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
        raise ValueError("use auto, cpu, cuda, cuda:N or mps")
    return device


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


def model_input_limit(tokenizer: Any, model: Any) -> int:
    """Longest input the model takes: the smaller of the tokenizer's and the position embeddings' limits."""
    limits = [tokenizer.model_max_length, getattr(model.config, "max_position_embeddings", None)]
    known = [limit for limit in limits if isinstance(limit, int) and 0 < limit < NO_LIMIT]
    return min(known) if known else NO_LIMIT
