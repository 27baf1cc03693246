"""Summaries produced elsewhere, read from a file, so they are scored and fact-checked like any model's.

Two layouts: a JSONL file of `{"doc_id": ..., "summary": ...}` objects (field names configurable, and
rows filterable, so one file may hold several systems' outputs), or a folder of `<doc_id>.txt` files.
Nothing is generated, so nothing is cached: the file is the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.documents import Document, read_jsonl_records
from harness.errors import HarnessError
from harness.summarizers.base import BackendOptions, Summarizer, SummaryError, SummaryOutput
from harness.textio import read_text


class PrecomputedOptions(BackendOptions):
    """Where the summaries are, and how to read them."""

    path: Path = Field(description="a JSONL file or a folder of <doc_id>.txt files (relative to the config)")
    id_field: str | None = Field(None, description="JSONL field holding the document id; default: doc_id, else id")
    summary_field: str = Field("summary", description="JSONL field holding the summary")
    where: dict[str, Any] = Field(default_factory=dict, description="keep only rows whose fields equal these values (or one of a list), e.g. {system: bart}")


class Precomputed(Summarizer):
    """Summaries read from a JSONL file or a folder of text files, matched to documents by id."""

    backend = "precomputed"
    description = "summaries produced elsewhere: a JSONL file ({doc_id, summary}) or a folder of <doc_id>.txt files"
    Options = PrecomputedOptions
    options: PrecomputedOptions
    cacheable = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = self.options.path.expanduser()
        self.path = path if path.is_absolute() else self.base_dir / path
        self._summaries: dict[str, tuple[str, str]] | None = None  # doc id -> (summary, where it was read)

    def fingerprint(self) -> dict[str, Any]:
        """Options and a digest of the summaries' files (a moved file with the same content is the same model)."""
        fingerprint = super().fingerprint()
        fingerprint["options"].pop("path")
        fingerprint["content"] = self._digest()
        return fingerprint

    def prepare(self) -> None:
        """Read the file now, so a missing file or a bad line stops the run before any model runs."""
        self.summaries()

    def summaries(self) -> dict[str, tuple[str, str]]:
        """Every summary by document id, with the file (and line) it came from."""
        if self._summaries is None:
            if self.path.is_dir():
                self._summaries = {
                    file.stem: (read_text(file).strip(), str(file)) for file in sorted(self.path.glob("*.txt"))
                }
            elif self.path.is_file():
                self._summaries = self._read_jsonl()
            else:
                raise HarnessError(f"model '{self.name}': path: {self.path} does not exist (a JSONL file or a folder of <doc_id>.txt files)")
        return self._summaries

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Not possible from article text alone: precomputed summaries are found by document id."""
        raise TypeError("precomputed summaries are looked up by document id: call summarize_documents()")

    def summarize_documents(self, documents: Sequence[Document]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Each document's summary from the file; a document the file lacks fails alone."""
        summaries = self.summaries()
        for index, document in enumerate(documents):
            found = summaries.get(document.doc_id)
            if found is None:
                yield index, SummaryError(f"{self.path} has no summary for document '{document.doc_id}'")
            else:
                yield index, SummaryOutput(summary=found[0], seconds=None, meta={"source": found[1]})

    def _read_jsonl(self) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for number, record in read_jsonl_records(self.path):
            where = f"{self.path}:{number}"
            if not all(_matches(record.get(field), wanted) for field, wanted in self.options.where.items()):
                continue
            doc_id, summary = self._id(record, where), record.get(self.options.summary_field)
            if not isinstance(summary, str):
                raise HarnessError(f"{where}: field '{self.options.summary_field}' must be a string (model '{self.name}')")
            if doc_id in found:
                raise HarnessError(f"{where}: document '{doc_id}' already has a summary at {found[doc_id][1]} (narrow the rows with where:)")
            found[doc_id] = (summary.strip(), where)
        return found

    def _id(self, record: dict[str, Any], where: str) -> str:
        fields = [self.options.id_field] if self.options.id_field else ["doc_id", "id"]
        value = next((record[field] for field in fields if field in record), None)
        if not isinstance(value, (str, int)) or str(value).strip() == "":
            raise HarnessError(f"{where}: field '{fields[0]}' (the document id) is missing or empty (model '{self.name}')")
        return str(value)

    def _digest(self) -> str | None:
        files = sorted(self.path.glob("*.txt")) if self.path.is_dir() else [self.path] if self.path.is_file() else []
        if not files:
            return None
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()[:16]


def _matches(value: Any, wanted: Any) -> bool:
    # As dataset.where: a list allows any of its values.
    return value in wanted if isinstance(wanted, list) else value == wanted
