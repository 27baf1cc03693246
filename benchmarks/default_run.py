"""Wall time of `harness run configs/default.yaml`, cold (empty cache) and warm (everything cached).

Each run is a fresh process, as a user types it, so import time counts.

    .venv/bin/python benchmarks/default_run.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed_run(output: Path) -> tuple[float, str]:
    """Seconds for one CLI run, and its summary line."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "harness", "run", "configs/default.yaml", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=True,
    )
    seconds = time.perf_counter() - started
    return seconds, next(line for line in result.stdout.splitlines() if " summaries: " in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {_machine.describe()}")
    cold, warm = [], []
    for _ in range(args.repeats):
        output = Path(tempfile.mkdtemp(prefix="default-run-"))
        seconds, line = timed_run(output)
        cold.append(seconds)
        print(f"cold: {seconds:.2f} s   {line}")
        seconds, line = timed_run(output)
        warm.append(seconds)
        print(f"warm: {seconds:.2f} s   {line}")
        shutil.rmtree(output)
    print(f"median cold {sorted(cold)[len(cold) // 2]:.2f} s, median warm {sorted(warm)[len(warm) // 2]:.2f} s")


if __name__ == "__main__":
    main()
