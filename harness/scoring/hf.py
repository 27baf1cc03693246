"""What the model-based scorers (bertscore, nli-consistency) share: a transformers checkpoint to find, check
and load lazily, a device, a batch size, and the one-line errors when weights or the `hf` extra are missing.

Nothing here imports torch or transformers at module import time (`import harness.scoring` stays light);
finding a checkpoint reuses the summarizers' Hugging Face helpers, so a scorer's missing model reads
exactly like a summarizer's: "model '...' (...) is not available: ... To make it available, run ...".
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from harness.errors import HarnessError
from harness.hub import check_device
from harness.runtime import installed
from harness.scoring.base import Scorer, ScorerOptions, Statistics
from harness.textio import unexpandable

EXTRA = "hf"  # pip install "summarization-harness[hf]" brings what these scorers import
EXTRA_MODULES = ("torch", "transformers")


def package_version(name: str) -> str:
    """An installed distribution's version, or "none" (read without importing it)."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


class ModelScorerOptions(ScorerOptions):
    """Options every model-based scorer has: which checkpoint, where it runs, how many inputs per forward pass."""

    model: str = Field(description="hub id or local folder (relative to the config) saved with save_pretrained")
    revision: str | None = Field(None, description="hub branch, tag or commit")
    batch_size: int = Field(32, gt=0, description="inputs per forward pass (texts for bertscore, sentence pairs for nli)")
    device: str = Field("auto", description="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N or mps")

    @field_validator("model")
    @classmethod
    def _located(cls, model: str, info: ValidationInfo) -> str:
        # A local folder is relative to the config's folder, as a summarizer's is (build_scorers passes base_dir).
        from harness.hub import looks_like_path

        base_dir = (info.context or {}).get("base_dir")
        if not model.strip():
            raise ValueError("name a hub id or a local folder")
        if problem := unexpandable(model):  # "~nouser/m": one line naming the field, not a traceback
            raise ValueError(problem)
        if looks_like_path(model) and base_dir is not None:
            path = Path(model).expanduser()
            return str(path if path.is_absolute() else (Path(base_dir) / path).resolve())
        if base_dir is not None and (Path(base_dir) / model / "config.json").is_file():
            return str((Path(base_dir) / model).resolve())
        return model

    @field_validator("device")
    @classmethod
    def _known_device(cls, device: str) -> str:
        return check_device(device)


class ModelScorer(Scorer):
    """A scorer that runs a transformers checkpoint: checked in prepare(), loaded on first use, freed in close()."""

    options: ModelScorerOptions
    default_on = False  # loads a model: runs only when a config names it

    def __init__(self, options: ModelScorerOptions | None = None, statistics: Statistics | None = None) -> None:
        super().__init__(options, statistics)
        self._loaded: Any = None

    @property
    def local(self) -> Path | None:
        """The local folder the model option names, or None for a hub id."""
        from harness.hub import resolve_local

        return resolve_local(self.options.model, Path.cwd())

    def prepare(self) -> None:
        """Fail early, with one line, if the `hf` extra or the model's files are missing."""
        missing = [module for module in EXTRA_MODULES if not installed(module)]
        if missing:
            raise HarnessError(
                f"scorer '{self.name}' needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                f'not installed: pip install "summarization-harness[{EXTRA}]"'
            )
        from harness.hub import check_available

        check_available(self.name, self.options.model, self.local, self.options.revision)

    def checkpoint(self) -> str:
        """The checkpoint as a signature shows it: hub id@snapshot, or local:digest of a folder's defining files."""
        from harness.hub import checkpoint_fingerprint

        if not installed("huggingface_hub"):  # without the extra there is no cache to look in
            return self.options.model
        found = checkpoint_fingerprint(self.options.model, self.local, self.options.revision)
        if self.local is not None:
            return f"local:{found.get('files')}"
        snapshot = found.get("snapshot") or self.options.revision
        return f"{self.options.model}@{snapshot[:12]}" if snapshot else self.options.model

    def load(self, auto_class_name: str, **tokenizer_kwargs: Any) -> tuple[Any, Any, str]:
        """(tokenizer, model in eval mode on its device, device), loaded once; failures are one HarnessError line."""
        if self._loaded is None:
            self.prepare()
            import transformers
            from transformers import AutoTokenizer

            from harness.errors import first_line
            from harness.hub import load_kwargs, resolve_device, unavailable

            local = self.local
            source = str(local) if local is not None else self.options.model
            kwargs = load_kwargs(self.options.model, local, self.options.revision)
            device = resolve_device(self.options.device)
            transformers.utils.logging.disable_progress_bar()
            try:
                tokenizer = AutoTokenizer.from_pretrained(source, **tokenizer_kwargs, **kwargs)
                model = getattr(transformers, auto_class_name).from_pretrained(source, **kwargs)
            except (OSError, ValueError) as error:
                if local is None:
                    raise unavailable(self.name, self.options.model, self.options.revision, first_line(error)) from None
                raise HarnessError(f"scorer '{self.name}': cannot load {local}: {first_line(error)}") from None
            self._loaded = (tokenizer, model.float().to(device).eval(), device)
        return self._loaded

    def close(self) -> None:
        """Drop the weights (and the device's cached memory) so the next model of a run has the room."""
        if self._loaded is not None:
            device = self._loaded[2]
            self._loaded = None
            if str(device).startswith("cuda"):
                import torch

                torch.cuda.empty_cache()
