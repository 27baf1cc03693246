"""Reading and atomically writing results directories (the contract other tools read).

A run folder holds run.json, documents.jsonl, generations.jsonl, scores.jsonl, summary.json,
summary.md and the reports. It is written whole into a temporary sibling folder and then renamed into
place under the folder's lock (harness.runlock), so a reader never sees a half-written run, and an
interrupted write leaves the previous run intact. A report, which shares its folder with other files, is staged
inside it and its entries swapped in together the same way (staged). Reading checks the contract's fields, so a damaged
or hand-edited folder is a one-line error naming the file, line and field.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import resultcheck as shapes
from harness.errors import HarnessError
from harness.runlock import RunLock, ensure_folder, lock_run_dir, pause_for_tests, recover_for_reading
from harness.textio import iter_jsonl, not_a_file, path_kind, read_json

__all__ = ["RunLock", "lock_run_dir"]  # re-exported: the runner locks a run folder through the store

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


class RawJSON(str):
    """JSON text written into a results file as it is: a large value serialized once, where it was made (a
    document's fact table comes back from a worker this way: a tenth of the memory of the objects it encodes)."""

    def loads(self) -> Any:
        """The value the text encodes."""
        return json.loads(self)


def json_value(value: Any) -> Any:
    """A results-file value as plain data: RawJSON text parsed, anything else as it is."""
    return value.loads() if isinstance(value, RawJSON) else value


def dumps_row(row: dict[str, Any]) -> str:
    """One JSON Lines row; RawJSON values are spliced in as they are."""
    raw = {key: value for key, value in row.items() if isinstance(value, RawJSON)}
    if not raw:
        return json.dumps(row, ensure_ascii=False)
    text = json.dumps({key: value for key, value in row.items() if key not in raw}, ensure_ascii=False)
    spliced = "".join(f", {json.dumps(key)}: {value}" for key, value in raw.items())
    return text[:-1] + spliced + "}" if text != "{}" else "{" + spliced[2:] + "}"


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
    """Write a file so that readers see the old content or the new, never a part.

    A path that is a folder or a device, pipe or socket, a parent that is a file, or a folder that cannot be written is a
    one-line HarnessError (exit 2 in the CLI): the output cannot be used, nothing is half-written.
    """
    path = Path(path)
    if path.is_dir():
        raise HarnessError(f"{path}: is a folder; give the name of a file to write")
    if path.exists() and not path.is_file():  # the rename below would replace a device (/dev/null), pipe or socket
        raise HarnessError(f"{path}: is a device, pipe or socket, not a file; give the name of a file to write")
    ensure_folder(path.parent)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise HarnessError(f"{path}: cannot write in {path.parent} ({error.strerror or error})") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise HarnessError(f"{path}: cannot write ({error.strerror or error})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_run_dir(run_dir: Path, files: dict[str, str | list[dict[str, Any]]], finish: Callable[[Path], None] | None = None) -> Path:
    """Write a whole run folder (file name -> text, or rows written as JSON Lines) and swap it into place in one step.

    `finish(staging)` runs after the files are written and before the swap: it may read the staged
    folder and write more files into it (the report), so the run folder appears complete or not at all.
    The caller holds the folder's lock (lock_run_dir); a kill at any point leaves either the previous
    run folder or the new one, plus leftovers that the next lock_run_dir cleans up.
    """
    parent = run_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{run_dir.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o777)  # the umask applies: a results folder is not private
    try:
        for name, content in files.items():
            _write_synced(staging / name, content)
        if finish is not None:
            pause_for_tests("report")
            finish(staging)
        _fsync_dir(staging)
        previous = parent / f".{run_dir.name}.old-{os.getpid()}"
        shutil.rmtree(previous, ignore_errors=True)
        # "swap": between the two renames, the moment the next lock_run_dir must recover from
        replaced = swap_in(staging, run_dir, previous, pause="swap")
        _fsync_dir(parent)
        if replaced:
            shutil.rmtree(previous, ignore_errors=True)
    except OSError as error:  # a full disk, a folder made read-only meanwhile: the inputs were fine, the output is not
        shutil.rmtree(staging, ignore_errors=True)
        raise HarnessError(
            f"{run_dir}: cannot write the run folder ({error.strerror or error}); "
            "finished generations are in the cache (unless it is off): run again once the output can be written"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return run_dir


def swap_in(new: Path, target: Path, aside: Path, pause: str = "") -> bool:
    """Rename new (a file or folder) to target; a target already there is renamed to aside first, and back if new
    cannot follow. True when there was one: the caller deletes aside once the swap is final, or renames it back."""
    replaced = os.path.lexists(target)
    if replaced:
        os.replace(target, aside)
    if pause:
        pause_for_tests(pause)
    try:
        os.replace(new, target)
    except BaseException:
        if replaced:
            os.replace(aside, target)  # put the previous one back rather than leave none
        raise
    return replaced


@contextlib.contextmanager
def staged(folder: Path, names: Sequence[str], what: str) -> Iterator[Path]:
    """A staging folder inside folder to write the entries `names` (files or folders) into; when the block ends they
    replace folder's own together (one that was not staged is removed), and if anything fails, none does: folder
    keeps its previous set (`what`, for messages) or gets the new one whole. An OSError is a one-line HarnessError
    naming the entry as it would have been called in folder."""
    ensure_folder(folder)
    staging = folder / f".{what}.tmp-{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        yield staging
        _fsync_dir(staging)
        _swap_all_in(staging, folder, names)
        _fsync_dir(folder)
    except OSError as error:
        named = Path(error.filename) if isinstance(error.filename, str) else folder
        shown = folder / named.relative_to(staging) if named.is_relative_to(staging) else named
        raise HarnessError(f"{shown}: cannot write ({error.strerror or error}); no part of the new {what} was kept, "
                          f"and the previous one (if any) is as it was") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # with the entries replaced, moved aside into it


def _swap_all_in(staging: Path, folder: Path, names: Sequence[str]) -> None:
    """Each staged entry swapped into folder, the replaced ones kept aside in staging until all are in (undone if one fails)."""
    aside = staging / ".previous"
    aside.mkdir()
    done: list[tuple[str, bool, bool]] = []  # name, staged, replaced
    try:
        for name in names:
            new, target = staging / name, folder / name
            if os.path.lexists(new):
                done.append((name, True, swap_in(new, target, aside / name)))
            elif os.path.lexists(target):  # the new set has none: the previous one goes too, or it would pass for new
                os.replace(target, aside / name)
                done.append((name, False, True))
    except BaseException:
        for name, was_staged, replaced in reversed(done):
            if was_staged:
                os.replace(folder / name, staging / name)
            if replaced:
                os.replace(aside / name, folder / name)
        raise


def write_staged(path: Path, content: str | bytes) -> None:
    """Write a file into a staging folder (see staged), its folder made as needed; no temporary name, as the staging
    folder itself is one."""
    try:
        path.parent.mkdir(exist_ok=True)
        _write_synced(path, content)
    except OSError as error:  # a failed write() names no file: staged() says which one it was
        raise OSError(error.errno, error.strerror, str(path)) from None


def _write_synced(path: Path, content: str | bytes | list[dict[str, Any]]) -> None:
    """Text or bytes as they are, rows as JSON Lines written a chunk at a time (a large run's rows never become one string)."""
    binary = isinstance(content, bytes)  # a chart
    with open(path, "wb" if binary else "w", encoding=None if binary else "utf-8") as file:
        if isinstance(content, (str, bytes)):
            file.write(content)
        else:
            for start in range(0, len(content), 1000):
                file.write("".join(dumps_row(row) + "\n" for row in content[start : start + 1000]))
        file.flush()
        os.fsync(file.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make renames and new entries in folder durable (a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some filesystems refuse fsync on a folder; the rename is still atomic
    finally:
        os.close(handle)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_run(run_dir: str | Path) -> RunData:
    """Read a results directory written by a run, checking the shape of every field that readers rely on
    (harness.resultcheck), and that rows name only the run's models and documents, once each: a damaged file is
    a one-line HarnessError naming the file, line and field."""
    run_dir = Path(run_dir)
    recover_for_reading(run_dir)
    if path_kind(run_dir / RUN_FILE) == "missing":
        raise HarnessError(f"{run_dir}: not a results directory (no {RUN_FILE})")
    summary_path = run_dir / SUMMARY_FILE
    run = _read_object(run_dir / RUN_FILE, shapes.RUN)
    declared = shapes.declared_fields(run)
    summary = _read_object(summary_path, shapes.SUMMARY)
    models = run.get("models", list(summary["models"]))
    known: dict[str, Any] = {"model": (set(models), f"{run_dir / RUN_FILE} names {', '.join(models[:10]) or 'none'}")}
    for model, entry in summary["models"].items():
        shapes.check_known(model, "model", known, str(summary_path), f"models.{model}")
        shapes.check_declared(entry, declared, str(summary_path), f"models.{model}", aggregate=True)
    documents = _read_rows(run_dir / DOCUMENTS_FILE, shapes.DOCUMENT, shapes.Rows(("doc_id",)))
    known["doc_id"] = ({document["doc_id"] for document in documents}, f"not in {run_dir / DOCUMENTS_FILE}")
    return RunData(
        path=run_dir,
        run=run,
        documents=documents,
        generations=_read_rows(run_dir / GENERATIONS_FILE, shapes.GENERATION, shapes.Rows(("model", "doc_id"), known)),
        scores=_read_rows(run_dir / SCORES_FILE, shapes.SCORE, shapes.Rows(("model", "doc_id"), known), declared),
        summary=summary,
    )


def recorded_baseline(run: RunData) -> tuple[Path | None, str | None]:
    """The baseline file the run's config named (None: none), the same from any folder, and a note when it could only
    be guessed: run.json records it absolute, but an older harness recorded it relative to the folder `harness run`
    ran in, which is found again from the run folder's place (OUTPUT/NAME, OUTPUT relative to that folder too)."""
    config = run.run.get("config") or {}
    text, output = (config.get("gates") or {}).get("baseline"), config.get("output")
    if not isinstance(text, str) or not text:
        return None, None
    if Path(text).is_absolute():
        return Path(text), None
    origin = _run_origin(run.path, output) if isinstance(output, str) else None
    up = origin[1] if origin else 0  # the origin is known only this many folders up: the baseline must climb as many
    if origin is not None and Path(text).parts[:up] == ("..",) * up:
        return Path(os.path.normpath(origin[0].joinpath(*Path(text).parts[up:]))), None
    return Path(os.path.abspath(text)), (
        f"baseline: run.json records '{text}' relative to the folder `harness run` ran in (an older harness did), and the run folder's "
        f"place does not tell that folder, so it was taken from the current folder {Path.cwd()}; give --baseline to choose the file")


def _run_origin(run_dir: Path, output: str) -> tuple[Path, int] | None:
    """(a folder, n): the folder `harness run` ran in is n folders below it, as told by OUTPUT (relative to that folder,
    normalised) and where the run folder lies; None when OUTPUT is absolute or the run folder has been moved."""
    parts = Path(output).parts
    up = parts.count("..")
    rest, here = parts[up:], Path(os.path.abspath(run_dir)).parent
    if Path(output).is_absolute() or ".." in rest or here.parts[len(here.parts) - len(rest):] != rest:
        return None
    return Path(*here.parts[: len(here.parts) - len(rest)]), up


def require_scored(run: RunData) -> None:
    """Refuse a run with nothing to check or record: no model in summary.json, or no row in scores.jsonl. Its gates
    would check nothing (and nothing checked is not a pass), a baseline of it would be one `harness check` refuses."""
    if not run.summary.get("models"):
        raise HarnessError(f"{run.path / SUMMARY_FILE}: field 'models' is empty: the run has no model to check or record; run the config again")
    if not any(row["model"] in run.summary["models"] for row in run.scores):  # a baseline records summary.json's models' rows
        of = f" of a model in {SUMMARY_FILE}" if run.scores else ""
        raise HarnessError(f"{run.path / SCORES_FILE}: holds no score row{of}, so nothing would be checked or recorded; restore the file, "
                           "or run the config again")  # fmt: skip


def _require_file(path: Path) -> None:
    """Refuse a results file that is missing or is not a plain file: a folder, a broken link, or a device, pipe or socket,
    which is never opened (/dev/zero would be read without end, a pipe waited on for a writer)."""
    kind = path_kind(path)
    if kind == "missing":
        raise HarnessError(f"{path}: missing from the results directory")
    if kind != "file":
        raise not_a_file(path, kind, "a results folder holds plain files: restore it, or run the config again")


def _read_object(path: Path, shape: shapes.Obj) -> dict[str, Any]:
    _require_file(path)
    value = read_json(path)
    if not isinstance(value, dict):
        raise HarnessError(f"{path}: expected a JSON object (found {shapes.kind(value)})")
    shapes.check_shape(value, shape, str(path))
    return value


def _read_rows(path: Path, shape: shapes.Obj, rows: shapes.Rows, declared: shapes.Declared | None = None) -> list[dict[str, Any]]:
    _require_file(path)
    found = []
    for number, row in iter_jsonl(path):
        where = f"{path}:{number}"
        if not isinstance(row, dict):
            raise HarnessError(f"{where}: expected a JSON object (found {shapes.kind(row)})")
        shapes.check_shape(row, shape, where)
        if declared is not None:
            shapes.check_declared(row, declared, where, "", aggregate=False)
        rows.check(row, where, number)
        found.append(row)
    return found
