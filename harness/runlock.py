"""The lock on a run folder and recovery from an interrupted folder swap.

A run writes OUTPUT/NAME by staging it in OUTPUT/.NAME.tmp-PID and swapping it in with two renames
(NAME -> .NAME.old-PID, then .NAME.tmp-PID -> NAME). While it works it holds an exclusive flock on
OUTPUT/.NAME.lock, so a second run of the same config stops at once with an error naming the holder.
The kernel drops a flock when its process dies, so a lock left by a killed run is simply taken over.

Whoever takes the lock first repairs what a killed run left: when NAME is missing but .NAME.old-PID
exists (killed between the two renames) the old folder is renamed back; leftover staging and old
folders are deleted. A staging folder is never promoted, because only the rename proves it complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import itertools
import json
import logging
import os
import re
import shutil
import signal
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

log = logging.getLogger(__name__)

PAUSE_ENV = "HARNESS_TEST_PAUSE_AT"  # test-only: see test_pause
RUN_MARKER = "run.json"  # harness.store.RUN_FILE (the store imports this module, not the other way round)
BASELINE_FORMAT_PREFIX = "summarization-harness-baseline"  # every format harness.gates has written ("/1", "/2")
# How a report the harness wrote begins (every version: harness.report.sections titles it), by file suffix.
REPORT_MARKS = {".md": b"# Summarization report", ".html": b"<title>Summarization report"}


class RunLock:
    """An exclusive lock on one run folder, held from before generation until the folder is swapped in."""

    def __init__(self, run_dir: Path, handle: int, path: Path) -> None:
        self.run_dir, self._handle, self.path = run_dir, handle, path
        self.made: list[Path] = []  # output folders this run created, deepest first: a refused run leaves none

    def release(self) -> None:
        """Remove the lock file and drop the lock (in that order, so no one locks a file that is going away)."""
        # Marked closed before it is closed: a Ctrl-C between the two would otherwise leave __del__ closing the
        # number again, by then perhaps another file's (the cache's database). At worst the descriptor leaks until exit.
        handle, self._handle = self._handle, -1
        if handle < 0:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # an undeletable lock file is harmless: the next run re-locks it
        os.close(handle)  # closing drops the flock
        for folder in self.made:  # still empty only when nothing was written (rmdir refuses a folder with files)
            with contextlib.suppress(OSError):
                folder.rmdir()

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def lock_path(run_dir: Path) -> Path:
    """Where the lock of a run folder lives: OUTPUT/.NAME.lock, beside the folder."""
    return run_dir.with_name(f".{run_dir.name}.lock")


def lock_run_dir(run_dir: Path) -> RunLock:
    """Check that the run folder can be written, lock it (or fail naming the holder), and repair leftovers.

    Called before any model runs, so an output path that is a file or a folder that cannot be written
    is found before the work, not after it.
    """
    run_dir = Path(run_dir)
    made = list(itertools.takewhile(lambda folder: not folder.exists(), (run_dir.parent, *run_dir.parent.parents)))
    prepare_output(run_dir)
    lock = try_lock(run_dir)
    if lock is None:
        raise HarnessError(
            f"{run_dir}: another run is writing this folder ({describe_holder(run_dir)}); "
            "wait for it to finish or give this run another --output"
        )
    lock.made = made
    try:
        recover(run_dir)
    except BaseException:
        lock.release()
        raise
    return lock


def prepare_output(run_dir: Path) -> None:
    """Create the output folder, or say in one line why the run folder cannot be written there.

    A run replaces OUTPUT/NAME whole, so whatever is there must be a run folder of this harness (or empty):
    a dataset or a folder of baselines that happens to sit at that path would be deleted with no way back.
    """
    ensure_folder(run_dir.parent, "output: ")
    if run_dir.is_symlink():
        raise HarnessError(f"output: {run_dir} is a symlink, not a run folder (remove the link or choose another output)")
    if run_dir.exists() and not run_dir.is_dir():
        raise HarnessError(f"output: {run_dir} is a file, not a run folder (move it away or choose another output)")
    if run_dir.is_dir() and not is_run_folder(run_dir):
        raise HarnessError(
            f"output: {run_dir} already exists and is not a run folder (no {RUN_MARKER} in it): a run replaces OUTPUT/NAME whole "
            "and would delete what is there; give the config another name or output (or run with --output), or move the folder away yourself"
        )


def is_run_folder(folder: Path) -> bool:
    """Whether folder is empty or was written by a run (it holds run.json), so a run may replace it."""
    # Only run.json is checked: a run folder is staged whole and renamed into place (harness.store), so every
    # run folder, of this version or an earlier one, has it; a killed swap leaves hidden siblings, never a
    # partial OUTPUT/NAME (recover() repairs those after this check).
    try:
        return (folder / RUN_MARKER).is_file() or next(folder.iterdir(), None) is None
    except OSError as error:
        raise HarnessError(f"output: cannot read the folder {folder} ({error.strerror or error})") from None


def baseline_out(path: Path) -> Path:
    """path, once it is clear that writing a baseline there loses nothing; else a one-line HarnessError."""
    path = Path(path)
    inside = run_folder_of(Path(os.path.realpath(path)).parents)  # realpath: a link into a run folder counts, a link loop is no error
    if inside is not None:  # the next run of that folder replaces it whole: the baseline would go with it, or overwrite the run's files
        raise HarnessError(
            f"{path}: is inside the run folder {inside} (it holds {RUN_MARKER}), which its next run replaces whole; "
            "write the baseline outside run folders, e.g. results/baselines/NAME.json"
        )
    keep_foreign(path, "a baseline", f'"format": "{BASELINE_FORMAT_PREFIX}/..."', _is_baseline, "give --out a new file name (or an existing baseline's)")
    return path


def report_out(folder: Path, runs: Iterable[Path], names: Iterable[str]) -> Path:
    """folder, once it is clear that writing a report of `runs` there (files `names`) loses nothing and misleads no one."""
    folder = Path(folder)
    real = Path(os.path.realpath(folder))
    inside = run_folder_of((real, *real.parents))
    if inside is not None and inside not in {Path(os.path.realpath(run)) for run in runs}:
        # Another run's folder: its report.md would describe runs it is not, until that run's next run replaces it whole.
        where = "is the run folder" if inside == real else "is inside the run folder"
        raise HarnessError(
            f"{folder}: {where} {inside} (it holds {RUN_MARKER}) of a run this report does not cover, where it would pass for "
            "that run's own report; give --out a folder outside run folders (e.g. reports/NAME), or a reported run's folder"
        )
    for name in names:
        keep_foreign(folder / name, "a report of the harness", "\"Summarization report\" title", _is_report, "give --out another folder")
    return folder


def run_folder_of(folders: Iterable[Path]) -> Path | None:
    """The first of folders that is a run folder (it holds run.json): whatever is written there, its next run replaces."""
    return next((folder for folder in folders if _is_file(folder / RUN_MARKER)), None)


def keep_foreign(path: Path, kind: str, mark: str, ours: Callable[[Path], bool], instead: str) -> None:
    """Refuse to overwrite a file at path that is not `kind` (which has `mark`): the harness wrote none of it, someone else did."""
    if _is_file(path) and not ours(path):
        raise HarnessError(f"{path}: already exists and is not {kind} (no {mark} in it), so it is not overwritten; {instead}, or move the file away yourself")


def _is_file(path: Path) -> bool:
    """Whether path is a file; False where it cannot be looked at (writing there then fails with its own message)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _is_report(path: Path) -> bool:
    """Whether path begins as a report the harness wrote (its title within the first few KB)."""
    try:
        with open(path, "rb") as file:
            return REPORT_MARKS.get(path.suffix, b"\0") in file.read(4096)
    except OSError:
        return False


def _is_baseline(path: Path) -> bool:
    """Whether path holds a baseline of any format (a JSON object whose "format" names one)."""
    try:
        with open(path, "rb") as file:
            if file.read(64).lstrip()[:1] != b"{":  # a large file of another kind is not read whole
                return False
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8, not JSON: not a baseline either way
        return False
    return isinstance(value, dict) and str(value.get("format", "")).startswith(BASELINE_FORMAT_PREFIX)


def interrupted_message(command: str, no_cache: bool = False) -> str:
    """What a command stopped by Ctrl-C leaves behind, in one line (only `run` has a cache to resume from)."""
    # A run folder and each report or baseline file is swapped in whole (harness.store), so none is half-written.
    if command == "run" and not no_cache:
        return ("interrupted: no run folder was left half-written; finished generations are cached (unless the config "
                "sets cache: false): run the same command again to resume")  # fmt: skip
    if command == "run":
        return "interrupted: no run folder was left half-written; the cache was off (--no-cache), so a new run starts from the beginning"
    if command in ("report", "baseline"):
        return "interrupted: each file written is either its previous version or complete; run the same command again"
    return "interrupted; nothing was written"


@contextlib.contextmanager
def interrupted_once(restore: bool = True) -> Iterator[None]:
    """Ctrl-C stops a command once: from the first on, SIGINT is ignored, so a second one, pressed while the first
    unwinds, cannot cut that clean-up short (workers ended, staging folder removed, lock released) or print a
    traceback from inside it. `restore`: the previous handler is put back afterwards (a caller in this process);
    the `harness` command, which exits next, keeps ignoring it through its exit handlers."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # a handler of the caller's own, or Ctrl-C already ignored (a job started with `&`): left alone
        return
    stopped: list[int] = []

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stopped.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        if restore or not stopped:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def ensure_folder(folder: Path, what: str = "") -> None:
    """Create folder (and its parents), or say in one line why not: a file in the way, no permission."""
    blocked = not_a_folder_above(folder)
    if blocked is not None:
        raise HarnessError(f"{what}{blocked[0]} is {blocked[1]}, not a folder (choose another folder)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HarnessError(f"{what}cannot create the folder {folder} ({error.strerror or error})") from None


def not_a_folder_above(folder: Path) -> tuple[Path, str] | None:
    """The nearest existing path at or above folder, with what it is ("a file", "a device, pipe or socket"), where
    that is not a folder: no folder can be made there. None where it is a folder, or cannot be looked at (making
    the folder then says why)."""
    for ancestor in (folder, *folder.parents):
        try:
            if ancestor.is_dir():
                return None
            if ancestor.exists():
                return ancestor, "a file" if ancestor.is_file() else "a device, pipe or socket"
        except OSError:
            return None
    return None


def try_lock(run_dir: Path) -> RunLock | None:
    """The run folder's lock, or None when another process holds it; unwritable folders are HarnessErrors."""
    path = lock_path(run_dir)
    while True:
        handle = _open_lock_file(path, run_dir)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(handle)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise HarnessError(f"output: cannot lock {path} ({error.strerror or error})") from None
        try:
            current = os.lstat(path)  # the name itself: a link put there meanwhile is not the file locked
        except FileNotFoundError:
            current = None
        held = os.fstat(handle)
        if current is None or (current.st_dev, current.st_ino) != (held.st_dev, held.st_ino):
            os.close(handle)  # the previous holder removed this file while we waited for it: lock the new one
            continue
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now(), "command": " ".join(sys.argv)[:200]}
        os.ftruncate(handle, 0)
        os.write(handle, (json.dumps(holder) + "\n").encode("utf-8"))
        return RunLock(run_dir, handle, path)


def _open_lock_file(path: Path, run_dir: Path) -> int:
    """The lock file opened for writing, or a one-line HarnessError where it is a link or not a plain file of its own.

    The holder is written into it (truncated first): through a symlink or a hard link that would overwrite the
    file linked to (a thesis, /etc/passwd as root), the classic attack on a shared or group-writable output folder.
    """
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW: the last part of the path is a symlink
            raise HarnessError(f"{path}: is a symlink, not the run's lock file; a run writes its lock there and would overwrite "
                               "the file it points to: remove the link (or choose another output)") from None  # fmt: skip
        if error.errno == errno.EISDIR:
            raise _not_a_lock_file(path, "a folder") from None
        raise HarnessError(f"output: the folder {run_dir.parent} is not writable ({error.strerror or error})") from None
    held = os.fstat(handle)
    if stat.S_ISREG(held.st_mode) and held.st_nlink <= 1:  # 0: the previous holder removed it meanwhile (try_lock retries)
        return handle
    os.close(handle)
    raise _not_a_lock_file(path, "a file with another name too (a hard link)" if stat.S_ISREG(held.st_mode) else "a device, pipe or socket")


def _not_a_lock_file(path: Path, what: str) -> HarnessError:
    return HarnessError(f"{path}: is {what}, not the run's lock file; a run writes its lock there and would overwrite it: "
                        "move it away (or choose another output)")  # fmt: skip


def describe_holder(run_dir: Path) -> str:
    """"pid 123 on host since 2024-..." from the lock file, as far as it says."""
    try:
        holder: Any = json.loads(lock_path(run_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        holder = None
    if not isinstance(holder, dict):
        return "held by another process"
    return f"held by pid {holder.get('pid')} on {holder.get('host')} since {holder.get('since')}"


def leftovers(run_dir: Path) -> tuple[list[Path], list[Path]]:
    """(old folders, staging folders) a killed swap left beside run_dir, oldest first."""
    parent, name = run_dir.parent, run_dir.name
    old, staging = [], []
    prefix = f".{name}."
    try:
        entries = list(parent.iterdir())
    except OSError:
        return [], []
    for entry in entries:
        rest = entry.name[len(prefix):] if entry.name.startswith(prefix) else None
        if rest is None or not entry.is_dir() or entry.is_symlink():
            continue
        if re.fullmatch(r"old-\d+", rest):
            old.append(entry)
        # tmp-PID, and the random-suffixed name of earlier versions (tempfile.mkdtemp: 8 characters)
        elif re.fullmatch(r"tmp-\d+|[a-z0-9_]{8}\.tmp", rest):
            staging.append(entry)
    return sorted(old, key=_mtime), sorted(staging, key=_mtime)


def recover(run_dir: Path) -> None:
    """Repair what a killed swap left (the caller holds the lock): restore the old folder, delete the rest."""
    old, staging = leftovers(run_dir)
    if old and not run_dir.exists():
        restored = old.pop()
        os.replace(restored, run_dir)
        log.warning("%s: restored the previous run folder from %s (a run was killed while swapping its results in)", run_dir, restored.name)
    for folder in old + staging:
        shutil.rmtree(folder, ignore_errors=True)


def recover_for_reading(run_dir: Path) -> None:
    """Before reading a run folder that is missing: repair a killed swap, unless a run is writing it now."""
    old, _ = leftovers(run_dir)
    if run_dir.exists() or not old:
        return
    lock = try_lock(run_dir)
    if lock is None:
        raise HarnessError(f"{run_dir}: a run is writing this folder now ({describe_holder(run_dir)}); read it when that run ends")
    with lock:
        recover(run_dir)


def pause_for_tests(point: str) -> None:
    """Test-only hook: when HARNESS_TEST_PAUSE_AT names this point, say so on stderr and sleep.

    Points: `generate` (after the first generation is cached), `report` (the staged run is written, its
    report not yet), `swap` (between the two renames). The crash tests SIGKILL the process while it
    sleeps here. Unset (always, outside tests), this does nothing.
    """
    if point in os.environ.get(PAUSE_ENV, "").split(","):
        os.write(2, f"harness: paused at {point} (pid {os.getpid()})\n".encode())
        while True:
            time.sleep(60)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
