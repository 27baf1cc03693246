"""Helpers for tests that run the CLI in a fresh process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run `python -m harness ARGS` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )
