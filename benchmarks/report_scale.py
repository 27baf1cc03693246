"""The report of a CNN/DM-sized comparison: 11,490 documents x 5 systems (plus, optionally, a second
dataset), fabricated as results folders (tests/fabricated_runs.py: real fact tables and fact checks, random
ROUGE), then `write_report` timed: reading the runs, and writing report.html, report.md and the charts.
Prints the sizes, the seconds per step and, when Chromium is installed, how long the page takes to load
and render (headless, 1440x900: wall time of `chromium --screenshot`, which waits for the load event,
minus the same for an empty page, both measured here side by side).

    .venv/bin/python benchmarks/report_scale.py [--documents 11490] [--systems 5] [--second 0] [--keep DIR]

Targets (issue 12): report.html a few MB at most, written in under 10 s, opened in Chromium in under 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

import _machine  # noqa: E402
from fabricated_runs import fabricate_run  # noqa: E402

from harness.report import write_report  # noqa: E402
from harness.store import read_run  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_seconds(page: Path, profile: Path) -> float | None:
    """Wall seconds for headless Chromium to load the page and take a 1440x900 screenshot."""
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if browser is None:
        return None
    started = time.perf_counter()
    subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={profile / 'shot.png'}", "--window-size=1440,900", page.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    """Fabricate the runs, write the report, print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=11490)
    parser.add_argument("--systems", type=int, default=5)
    parser.add_argument("--second", type=int, default=0, help="documents of a second dataset with other systems (0: none)")
    parser.add_argument("--keep", type=Path, help="write the runs and the report here (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="report-scale-"))
    print(_machine.describe())
    started = time.perf_counter()
    runs = [fabricate_run(folder, "cnndm-scale", args.documents, [f"system-{i}" for i in range(args.systems)], dataset="cnndm.jsonl", titles=False, failures=1)]
    if args.second:
        runs.append(fabricate_run(folder, "xsum-scale", args.second, [f"xsum-{i}" for i in range(args.systems)], seed=1, dataset="xsum.jsonl", doc_prefix="x"))
    print(f"fabricated {args.documents}{f' + {args.second}' if args.second else ''} documents x {args.systems} systems in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    read = [read_run(run) for run in runs]
    reading = time.perf_counter() - started
    started = time.perf_counter()
    written = write_report(read, folder / "report")
    writing = time.perf_counter() - started
    started = time.perf_counter()
    write_report(runs, folder / "report-cli")
    from_folders = time.perf_counter() - started
    html, markdown = folder / "report" / "report.html", folder / "report" / "report.md"
    print(f"read the runs: {reading:.2f} s; write_report (runs already read, as the runner calls it): {writing:.2f} s; "
          f"from the folders (as `harness report` does): {from_folders:.2f} s; target < 10 s")  # fmt: skip
    print(f"report.html {html.stat().st_size / 1e6:.2f} MB (target: a few MB), report.md {markdown.stat().st_size / 1e6:.2f} MB, "
          f"{len(written) - 2} chart PNGs")  # fmt: skip
    empty = folder / "empty.html"
    empty.write_text("<!DOCTYPE html><title>empty</title>")
    profile = Path(tempfile.mkdtemp(prefix="chromium-"))
    baseline = chromium_seconds(empty, profile)
    if baseline is None:
        print("Chromium not installed: load time not measured")
    else:
        seconds = chromium_seconds(html, profile)
        print(f"Chromium load + first screenshot at 1440x900: {seconds:.2f} s; an empty page: {baseline:.2f} s; "
              f"the report costs {seconds - baseline:.2f} s more (target: opens in < 3 s)")  # fmt: skip
    shutil.rmtree(profile, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
