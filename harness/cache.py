"""The generation cache: every summary a model produced, keyed by (model fingerprint, article text).

SQLite commits each generation as it is made, so a run that is killed keeps what it finished and the
next run resumes from there; a second run of the same config makes no model call at all. Errors are
never cached.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

CACHE_FILE = "generations.sqlite"


def cache_key(fingerprint: dict[str, Any], article: str) -> str:
    """Stable key of one generation: the model's fingerprint and the exact article text."""
    payload = json.dumps({"model": fingerprint, "article": hashlib.sha256(article.encode("utf-8")).hexdigest()}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class GenerationCache:
    """A folder-backed store of generations; `GenerationCache(None)` stores nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(folder / CACHE_FILE, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS generations (key TEXT PRIMARY KEY, model TEXT, output TEXT, fingerprint TEXT, created REAL)"
            )
            self._db.commit()

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

    def __len__(self) -> int:
        return 0 if self._db is None else self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None
