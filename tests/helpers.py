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


def refused(capsys, *argv, no_pass: bool = False) -> str:
    """Run the CLI in this process; assert exit 2 and one clean error line (and, with no_pass, no PASS printed);
    return the line without 'error: '. argparse's own errors leave through sys.exit and count the same."""
    from harness import cli

    try:
        code = cli.main([str(arg) for arg in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (out, err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    assert not no_pass or "PASS" not in out, out
    return lines[0].removeprefix("error: ")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below folder (relative path -> content)."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
