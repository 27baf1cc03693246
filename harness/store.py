"""Reading and atomically writing results directories (the contract other tools read).

A run folder holds run.json, documents.jsonl, generations.jsonl, scores.jsonl, summary.json and
summary.md. It is written whole into a temporary sibling folder and then renamed into place, so a
reader never sees a half-written run, and an interrupted write leaves the previous run intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

RUN_FILE = "run.json"
DOCUMENTS_FILE = "documents.jsonl"
GENERATIONS_FILE = "generations.jsonl"
SCORES_FILE = "scores.jsonl"
SUMMARY_FILE = "summary.json"
SUMMARY_TABLE_FILE = "summary.md"


@dataclass
class Generation:
    """One model's summary of one document, with what it cost; `error` is set when generation failed."""

    model: str
    doc_id: str
    summary: str | None
    seconds: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    truncated: bool = False
    error: str | None = None
    cached: bool = False
    meta: dict[str, Any] | None = None  # backend details: finish reason, retries, served model, what was stripped

    def to_record(self) -> dict[str, Any]:
        """JSON-ready form, as in generations.jsonl."""
        return asdict(self)


@dataclass
class RunData:
    """A results directory read back into plain data."""

    path: Path
    run: dict[str, Any]
    documents: list[dict[str, Any]]
    generations: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)


def dumps_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as JSON Lines text (UTF-8 kept readable)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file so that readers see the old content or the new, never a part."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_run_dir(run_dir: Path, files: dict[str, str]) -> Path:
    """Write a whole run folder (file name -> text) and swap it into place in one step."""
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=run_dir.parent, prefix=f".{run_dir.name}.", suffix=".tmp"))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a results folder is not
        for name, text in files.items():
            with open(staging / name, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
        previous = None
        if run_dir.exists():
            previous = run_dir.with_name(f".{run_dir.name}.old-{os.getpid()}")
            os.replace(run_dir, previous)
        os.replace(staging, run_dir)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return run_dir


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_run(run_dir: str | Path) -> RunData:
    """Read a results directory written by a run."""
    run_dir = Path(run_dir)
    if not (run_dir / RUN_FILE).is_file():
        raise HarnessError(f"{run_dir}: not a results directory (no {RUN_FILE})")
    summary_path = run_dir / SUMMARY_FILE
    return RunData(
        path=run_dir,
        run=_read_json(run_dir / RUN_FILE),
        documents=_read_jsonl(run_dir / DOCUMENTS_FILE),
        generations=_read_jsonl(run_dir / GENERATIONS_FILE),
        scores=_read_jsonl(run_dir / SCORES_FILE),
        summary=_read_json(summary_path) if summary_path.is_file() else {},
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise HarnessError(f"{path}: cannot read JSON ({error})") from None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise HarnessError(f"{path}: missing from the results directory")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise HarnessError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    return rows
