"""Crash tests: a run killed with SIGKILL at several moments, then the next run (or a reader) recovers.

The process is stopped at named points through the test-only hook HARNESS_TEST_PAUSE_AT
(harness.runlock.pause_for_tests): `generate` (the first generation is cached), `report` (the staged
run folder is written, its report not yet), `swap` (between the two renames of the folder swap).
After the kill, the next run must leave a complete, valid run folder (with its report) and no
leftovers beside it; a run killed in the swap loses nothing: the previous folder comes back.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from harness import store
from harness.runlock import PAUSE_ENV

ARTICLES = [
    "The council approved 12 new parks on Monday. The plan costs $4 million. Work starts in May. The mayor was pleased.",
    "A storm cut power to 30,000 homes overnight. Crews restored most lines by noon. 2,000 homes were still dark.",
    "The museum drew 1.2 million visitors last year. That is 15% more than in 2022. A new wing opens in June.",
]


def project(folder: Path) -> Path:
    rows = [{"id": f"d{i}", "article": text, "references": [text.split(". ")[0] + "."]} for i, text in enumerate(ARTICLES)]
    (folder / "docs.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    config = folder / "crash.yaml"
    config.write_text("name: crash\ndataset: {path: docs.jsonl}\nmodels:\n  - {name: lead-1, backend: lead, sentences: 1}\n"
                      "  - {name: lead-2, backend: lead, sentences: 2}\noutput: out\n")  # fmt: skip
    return config


def start_paused(config: Path, point: str, *args: str) -> subprocess.Popen:
    """Start `harness run` and return once it sleeps at `point` (it holds the run folder's lock)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "run", str(config), *args],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, PAUSE_ENV: point},
    )
    seen = b""
    deadline = time.monotonic() + 120
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while f"paused at {point}".encode() not in seen:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(f"the run did not reach {point}: {seen.decode(errors='replace')}")
            if selector.select(timeout=1):
                seen += os.read(process.stderr.fileno(), 4096)
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def assert_complete(run_dir: Path) -> store.RunData:
    """A valid run folder with every document x model scored and its reports; nothing else beside it."""
    data = store.read_run(run_dir)
    assert sorted((row["model"], row["doc_id"]) for row in data.scores) == [(m, f"d{i}") for m in ("lead-1", "lead-2") for i in range(3)]
    assert data.summary["documents"] == 3
    for report in ("report.md", "report.html"):
        assert (run_dir / report).stat().st_size > 0, report
    assert sorted(p.name for p in run_dir.parent.iterdir()) == [".cache", run_dir.name], "leftovers beside the run folder"
    return data


@pytest.mark.parametrize(("point", "previous"), [("generate", False), ("generate", True), ("report", False), ("report", True), ("swap", True)])
def test_a_killed_run_is_recovered_by_the_next(tmp_path, point, previous):
    config = project(tmp_path)
    run_dir = tmp_path / "out" / "crash"
    before = None
    if previous:
        first = run_cli("run", str(config), "--no-cache")  # no cache: the killed run still has to generate
        assert first.returncode == 0, first.stderr
        before = (run_dir / store.RUN_FILE).read_text(encoding="utf-8")

    kill(start_paused(config, point))

    if point == "swap":  # killed between the renames: the folder is gone, its previous version set aside
        assert not run_dir.exists() and any(p.name.startswith(".crash.old-") for p in run_dir.parent.iterdir())
    elif previous:  # killed before the swap: the previous run folder is untouched, report included
        assert (run_dir / store.RUN_FILE).read_text(encoding="utf-8") == before
        assert (run_dir / "report.md").is_file()
    else:
        assert not run_dir.exists()
    if previous:  # a reader restores the previous folder without waiting for a run
        assert store.read_run(run_dir).run["created"] == json.loads(before)["created"]

    again = run_cli("run", str(config))
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert_complete(run_dir)
    if point == "generate":  # what the killed run finished is not made again
        assert "6 summaries: 5 generated, 1 from cache" in again.stdout, again.stdout


def test_a_second_run_of_the_same_config_exits_2_naming_the_first(tmp_path):
    config = project(tmp_path)
    first = start_paused(config, "generate")
    try:
        second = run_cli("run", str(config))
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "another run is writing this folder" in lines[0], second.stderr
        assert f"held by pid {first.pid} on " in lines[0]
        assert not (tmp_path / "out" / "crash").exists()  # the second run wrote nothing
    finally:
        kill(first)
    third = run_cli("run", str(config))  # the dead holder's lock is taken over
    assert third.returncode == 0, third.stderr
    assert_complete(tmp_path / "out" / "crash")
