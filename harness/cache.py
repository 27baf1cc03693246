"""The generation cache: every summary a model produced, keyed by (model fingerprint, article text).

SQLite commits each generation as it is made, so a run that is killed keeps what it finished and the
next run resumes from there; a second run of the same config makes no model call at all. Errors are
never cached.

A cache file that is not a database of this schema (damaged, or a foreign file of the same name) is
moved aside to `generations.sqlite.corrupt-<time>` and a fresh cache is started, with a one-line
warning: a cache only saves time, so a run is never stopped by one, and nothing is deleted. A cache
that cannot be opened or written (permissions, a full disk) leaves the run without a cache, and a row
that is not what `put` writes (damaged, or edited by hand) is a miss: made again and stored over; each
with one warning line per run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, first_line
from harness.runlock import ensure_folder, pause_for_tests
from harness.textio import parse_json

log = logging.getLogger(__name__)

CACHE_FILE = "generations.sqlite"
_COLUMNS = ("key", "model", "output", "fingerprint", "created")
_SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions of the database file
# What put() stores: the fields of summarizers.SummaryOutput (a test keeps the two the same)
OUTPUT_FIELDS = ("summary", "seconds", "tokens_in", "tokens_out", "truncated", "meta")


def cache_key(fingerprint: dict[str, Any], article: str) -> str:
    """Stable key of one generation: the model's fingerprint and the exact article text."""
    payload = json.dumps({"model": fingerprint, "article": hashlib.sha256(article.encode("utf-8")).hexdigest()}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class GenerationCache:
    """A folder-backed store of generations; `GenerationCache(None)` stores nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._puts = 0
        self._damaged: set[str] = set()  # keys of rows that were not what put() writes
        self.path = None if folder is None else folder / CACHE_FILE
        if self.path is not None:
            ensure_folder(self.path.parent, "cache: ")
            try:
                if self.path.is_dir():
                    raise HarnessError(f"cache: {self.path} is a folder, not a cache file (move it away or set cache: to another folder)")
                self._db = _open_or_replace(self.path)
            except (OSError, sqlite3.Error) as error:  # permissions, a full disk, a lock held too long: no reason to stop a run
                self._give_up("cannot be opened", error)

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached outputs among keys (key -> output record); a damaged row is left out, so it is made again."""
        if self._db is None or not keys:
            return {}
        found: dict[str, dict[str, Any]] = {}
        try:
            for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, output in self._db.execute(f"SELECT key, output FROM generations WHERE key IN ({marks})", chunk):
                    record = _output(output)
                    if record is None:
                        self._damaged.add(key)
                    else:
                        found[key] = record
        except sqlite3.Error as error:  # a page damaged inside a database that opened fine
            self._give_up("cannot be read", error)
            return {}
        return found

    def put(self, key: str, model: str, output: dict[str, Any], fingerprint: dict[str, Any]) -> None:
        """Store one finished generation and commit at once (replacing a damaged row of the same key)."""
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?)",
                (key, model, json.dumps(output, ensure_ascii=False), json.dumps(fingerprint, sort_keys=True), time.time()),
            )
            self._db.commit()
        except sqlite3.Error as error:  # a full disk, a file made read-only mid-run: the summaries are still recorded
            self._give_up("cannot be written", error)
            return
        self._puts += 1
        if self._puts == 1:
            pause_for_tests("generate")

    def __len__(self) -> int:
        return 0 if self._db is None else self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]

    def close(self) -> None:
        """Close the database, and say (once per run) how many damaged rows were ignored."""
        if self._damaged:
            log.warning("cache: ignored %d damaged row(s) of %s (not a summary record as the harness writes it); "
                        "those summaries were made again and stored over them", len(self._damaged), self.path)  # fmt: skip
            self._damaged = set()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _give_up(self, what: str, error: OSError | sqlite3.Error) -> None:
        """Go on without the cache (one warning line): it only saves time, and a run is never stopped by one."""
        reason = error.strerror if isinstance(error, OSError) and error.strerror else first_line(error)
        log.warning("cache: %s %s (%s); this run goes on without a cache (check the permissions of the file and its folder, "
                    "and the free disk space)", self.path, what, reason)  # fmt: skip
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _output(text: Any) -> dict[str, Any] | None:
    """A row's output as put() wrote it, or None when the row has another shape or value types (damaged or edited)."""
    if not isinstance(text, str):  # NULL, or a number or blob: SQLite columns take any type
        return None
    try:
        value = parse_json(text, "cache row")  # also refuses NaN, Infinity and lone surrogates
    except HarnessError:
        return None
    if not isinstance(value, dict) or sorted(value) != sorted(OUTPUT_FIELDS):
        return None
    valid = (
        isinstance(value["summary"], str)
        and _count(value["seconds"], whole=False)
        and _count(value["tokens_in"], whole=True)
        and _count(value["tokens_out"], whole=True)
        and isinstance(value["truncated"], bool)
        and (value["meta"] is None or isinstance(value["meta"], dict))
    )
    return value if valid else None


def _count(value: Any, whole: bool) -> bool:
    """None, or a non-negative number (a whole one if `whole`); parse_json has refused NaN and Infinity already."""
    if value is None:
        return True
    kinds = int if whole else (int, float)
    return isinstance(value, kinds) and not isinstance(value, bool) and value >= 0


def _open_or_replace(path: Path) -> sqlite3.Connection:
    """The cache database at path; a file that is not one is moved aside (with a warning) and a fresh one started."""
    try:
        return _open(path)
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and not _is_corrupt(error):
            raise  # cannot be opened (permissions, locked): the file itself may be fine, so it stays where it is
        aside = path.with_name(f"{CACHE_FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        while aside.exists():  # never overwrite an earlier one
            aside = aside.with_name(aside.name + "x")
        os.replace(path, aside)
        for suffix in _SIDE_FILES:  # they belong to the file moved aside, and would confuse a fresh one
            side = path.with_name(CACHE_FILE + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        log.warning("cache: %s is not a generation cache (%s); moved it to %s and started a fresh cache", path, error, aside.name)
        return _open(path)


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) the cache database; a file that is not one of ours raises sqlite3.DatabaseError."""
    db = sqlite3.connect(path, timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "generations" not in tables:
            raise sqlite3.DatabaseError(f"foreign schema: tables {', '.join(sorted(tables))}")
        db.execute("CREATE TABLE IF NOT EXISTS generations (key TEXT PRIMARY KEY, model TEXT, output TEXT, fingerprint TEXT, created REAL)")
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(generations)"))
        if columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"foreign schema: generations({', '.join(columns)})")
        db.commit()
    except BaseException:
        db.close()
        raise
    return db


def _is_corrupt(error: sqlite3.Error) -> bool:
    # OperationalError is also "unable to open", "readonly database", "locked": the file itself may be fine
    text = str(error).lower()
    return "malformed" in text or "not a database" in text
