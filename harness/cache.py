"""The generation cache: every summary a model produced, keyed by (model fingerprint, article text).

SQLite commits each generation as it is made, so a run that is killed keeps what it finished and the
next run resumes from there; a second run of the same config makes no model call at all. Errors are
never cached.

A cache file that is not a database of this schema (damaged, or a foreign file of the same name) is
moved aside to `generations.sqlite.corrupt-<time>` and a fresh cache is started, with a one-line
warning: a cache only saves time, so a run is never stopped by one, and nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.runlock import ensure_folder, pause_for_tests

log = logging.getLogger(__name__)

CACHE_FILE = "generations.sqlite"
_COLUMNS = ("key", "model", "output", "fingerprint", "created")
_SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions of the database file


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
        if folder is not None:
            ensure_folder(folder, "cache: ")
            path = folder / CACHE_FILE
            if path.is_dir():
                raise HarnessError(f"cache: {path} is a folder, not a cache file (move it away or set cache: to another folder)")
            try:
                self._db = _open(path)
            except sqlite3.DatabaseError as error:
                if isinstance(error, sqlite3.OperationalError) and not _is_corrupt(error):
                    raise HarnessError(f"cache: {path} cannot be opened ({error}); check the folder's permissions") from None
                aside = path.with_name(f"{CACHE_FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
                while aside.exists():  # never overwrite an earlier one
                    aside = aside.with_name(aside.name + "x")
                os.replace(path, aside)
                for suffix in _SIDE_FILES:  # they belong to the file moved aside, and would confuse a fresh one
                    side = path.with_name(CACHE_FILE + suffix)
                    if side.exists():
                        os.replace(side, aside.with_name(aside.name + suffix))
                log.warning("cache: %s is not a generation cache (%s); moved it to %s and started a fresh cache", path, error, aside.name)
                self._db = _open(path)

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The cached outputs among keys (key -> output record)."""
        if self._db is None or not keys:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, output in self._db.execute(f"SELECT key, output FROM generations WHERE key IN ({marks})", chunk):
                found[key] = json.loads(output)
        return found

    def put(self, key: str, model: str, output: dict[str, Any], fingerprint: dict[str, Any]) -> None:
        """Store one finished generation and commit at once."""
        if self._db is None:
            return
        self._db.execute(
            "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?)",
            (key, model, json.dumps(output, ensure_ascii=False), json.dumps(fingerprint, sort_keys=True), time.time()),
        )
        self._db.commit()
        self._puts += 1
        if self._puts == 1:
            pause_for_tests("generate")

    def __len__(self) -> int:
        return 0 if self._db is None else self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


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
