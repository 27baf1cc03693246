"""Helpers for tests that run the CLI in a fresh process, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run `python -m harness ARGS` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )


@dataclass
class FakeServer:
    url: str  # the API root, ending in /v1
    process: subprocess.Popen

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url.removesuffix("/v1") + "/stats", timeout=5) as response:
            return json.loads(response.read())
