"""Provenance of a run: the run.json record, package versions, the git state and the time it started."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import harness
from harness.config import Config
from harness.documents import Document
from harness.scoring import Scorer

_VERSIONED = ("summarization-harness", "rouge-score", "rapidfuzz", "sumy", "nltk", "numpy", "torch", "transformers", "tokenizers", "pydantic", "ray")


def run_record(
    config: Config,
    scorers: Sequence[Scorer],
    documents: Sequence[Document],
    timings: dict[str, Any],
    failures: list[dict[str, Any]],
    started_at: str,
    seconds: float,
) -> dict[str, Any]:
    """The run.json record: what ran, with which scorers and versions, how long it took and what failed."""
    return {
        "name": config.name,
        "status": "failed" if failures else "ok",
        "harness_version": harness.__version__,
        "created": started_at,
        "config_path": str(config.source) if config.source else None,
        "config": _recorded_config(config),
        "signatures": {scorer.name: str(scorer.signature()) for scorer in scorers},
        "scorers": {scorer.name: scorer.describe() for scorer in scorers},
        "documents": len(documents),
        "models": [spec.name for spec in config.models],
        "timings": {"total_seconds": round(seconds, 3), "models": timings},
        "failures": failures,
        "versions": _versions(),
        "git": _git_state(config.source.parent if config.source else Path.cwd()),
        "host": {"python": sys.version.split()[0], "platform": platform.platform(), "machine": platform.machine()},
    }


def _recorded_config(config: Config) -> dict[str, Any]:
    """The config as run.json records it, gates.baseline absolute: `harness check RUN_DIR` reads it from any folder, and
    a relative path would be taken from the checker's folder, where it may name another file or none."""
    record = config.model_dump(mode="json")
    if config.gates is not None and config.gates.baseline is not None:
        record["gates"]["baseline"] = os.path.abspath(config.gates.baseline)
    return record


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in _VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _git_state(folder: Path) -> dict[str, Any] | None:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5)
        if commit.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def now() -> str:
    """The current UTC time, to the second, in ISO 8601."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
