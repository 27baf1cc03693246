"""Summaries produced elsewhere, read from a file, so they are scored and fact-checked like any model's.

Two layouts: a JSONL file of `{"doc_id": ..., "summary": ...}` objects (field names configurable, and
rows filterable, so one file may hold several systems' outputs), or a folder of `<doc_id>.txt` files.
Nothing is generated, so nothing is cached: the file is the cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.configmodel import shown
from harness.documents import Document, read_jsonl_records, where_matches
from harness.errors import HarnessError
from harness.summarizers.base import BackendOptions, OptionError, Summarizer, SummaryError, SummaryOutput
from harness.textio import read_text

log = logging.getLogger(__name__)

_Scalar = str | int | float | bool | None


class PrecomputedOptions(BackendOptions):
    """Where the summaries are, and how to read them."""

    path: Path = Field(description="a JSONL file or a folder of <doc_id>.txt files (relative to the config)")
    id_field: str | None = Field(None, description="JSONL field holding the document id; default: doc_id, else id")
    summary_field: str = Field("summary", description="JSONL field holding the summary")
    where: dict[str, _Scalar | list[_Scalar]] = Field(
        default_factory=dict, description="keep only rows whose fields equal these values (or one of a list), e.g. {system: bart}"
    )
    each: str | None = Field(None, description="one model per value of this JSONL field (e.g. system), each named after its value")


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

    @classmethod
    def expand(cls, spec: Any, base_dir: Path) -> list[Any]:
        """`each: FIELD`: one entry per value of that field in the file, named after the value, reading its rows (where FIELD: value)."""
        params = spec.params
        field = params.get("each")
        if field is None:
            return [spec]
        options = cls.Options.model_validate(params)  # a bad option is reported on the entry, as for any model
        path = options.path.expanduser()
        path = path if path.is_absolute() else base_dir / path
        if not path.is_file():
            raise OptionError(f"model '{spec.name}': each: needs a JSONL file with a '{field}' field, but {path} is not a file", "each")
        values, rows, lacking = _each_values(spec.name, options, path, field)
        if not values:
            raise OptionError(f"model '{spec.name}': each: no row of {path} ({rows} row(s)) has a '{field}' value to make a model of", "each")
        if lacking:  # such rows belong to no model: said, so that a system left unnamed is not lost without a word
            log.warning("model '%s': each: %d of %d row(s) of %s have no '%s' value (absent or null) and belong to no model; "
                        "they are left out", spec.name, lacking, rows, path, field)  # fmt: skip
        expanded = []
        for name, value in values.items():
            where = {**options.where, field: value}
            entry = {k: v for k, v in params.items() if k != "each"} | {"where": where}
            expanded.append(type(spec).model_validate({"name": name, "backend": spec.backend, **entry}))
        return expanded

    def fingerprint(self) -> dict[str, Any]:
        """Options and a digest of the summaries' files (a moved file with the same content is the same model)."""
        fingerprint = super().fingerprint()
        fingerprint["options"].pop("path")
        fingerprint["content"] = self._digest()
        return fingerprint

    def check(self) -> None:
        """Read the summaries now (`harness validate` too), so a missing file, a bad line or a `where` that
        keeps nothing stops the run before any model runs."""
        super().check()
        self.summaries()

    def summaries(self) -> dict[str, tuple[str, str]]:
        """Every summary by document id, with the file (and line) it came from."""
        if self._summaries is None:
            if self.path.is_dir():
                if self.options.where:
                    raise OptionError(f"model '{self.name}': where: filters the rows of a JSONL file, but {self.path} is a folder of .txt files", "where")
                files = sorted(self.path.glob("*.txt"))
                if not files:
                    raise OptionError(f"model '{self.name}': path: {self.path} holds no <doc_id>.txt files", "path")
                self._summaries = {file.stem: (read_text(file).strip(), str(file)) for file in files}
            elif self.path.is_file():
                self._summaries = self._read_jsonl()
            else:
                raise OptionError(f"model '{self.name}': path: {self.path} does not exist (a JSONL file or a folder of <doc_id>.txt files)", "path")
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
        seen: dict[str, set[str]] = {field: set() for field in self.options.where}  # values met, for the error
        rows = 0
        for number, record in read_jsonl_records(self.path):
            rows += 1
            where = f"{self.path}:{number}"
            if not self._kept(record, seen):
                continue
            doc_id, summary = self._id(record, where), record.get(self.options.summary_field)
            if not isinstance(summary, str):
                raise HarnessError(f"{where}: field '{self.options.summary_field}' must be a string (model '{self.name}')")
            if doc_id in found:
                raise HarnessError(
                    f"{where}: document '{doc_id}' already has a summary at {found[doc_id][1]} (model '{self.name}'; narrow the rows with where:)"
                )
            found[doc_id] = (summary.strip(), where)
        if not found:
            raise self._nothing_kept(rows, seen)
        return found

    def _kept(self, record: dict[str, Any], seen: dict[str, set[str]]) -> bool:
        for field, wanted in self.options.where.items():
            if len(seen[field]) <= _SHOWN_VALUES:
                seen[field].add(repr(record[field]) if field in record else "(absent)")
            if not where_matches(record.get(field), wanted):  # as dataset.where
                return False
        return True

    def _nothing_kept(self, rows: int, seen: dict[str, set[str]]) -> OptionError:
        if rows == 0:
            return OptionError(f"model '{self.name}': path: {self.path} holds no rows", "path")
        values = "; ".join(
            f"{field}: {', '.join(sorted(shown)[:_SHOWN_VALUES])}{', ...' if len(shown) > _SHOWN_VALUES else ''}" for field, shown in seen.items()
        )
        wanted = ", ".join(f"{field}: {wanted!r}" for field, wanted in self.options.where.items())
        return OptionError(
            f"model '{self.name}': where ({wanted}) matched 0 of {rows} row(s) of {self.path} (values seen: {values})", "where"
        )

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


_SHOWN_VALUES = 8  # values listed per field when a where keeps nothing


def _each_values(model: str, options: PrecomputedOptions, path: Path, field: str) -> tuple[dict[str, Any], int, int]:
    """`each: field`'s values in the rows `where` keeps, by the model name each makes; the rows read; the rows kept but
    lacking the field. Two values making one name would merge two systems' rows (or drop one): that is an error."""
    values: dict[str, Any] = {}
    rows = lacking = 0
    for number, record in read_jsonl_records(path):
        rows += 1
        if options.where and not all(where_matches(record.get(k), v) for k, v in options.where.items()):
            continue
        value = record.get(field)
        if value is None:
            lacking += 1
            continue
        if isinstance(value, (dict, list)):
            raise OptionError(f"model '{model}': each: {path}:{number}: field '{field}' is {shown(value)}; it names a model, so give text or a number", "each")
        name = _model_name(value)
        if name in values and not where_matches(values[name], value):
            raise OptionError(f"model '{model}': each: {field} values {values[name]!r} and {value!r} ({path}:{number}) would both be named "
                              f"'{name}' (a model name keeps letters, digits and . _ + - only), and one's summaries would be lost; rename "
                              f"one of them in the file, or give each its own models entry with where: {{{field}: ...}}", "each")  # fmt: skip
        values.setdefault(name, value)
    return values, rows, lacking


def _model_name(value: Any) -> str:
    """A model name made from a field value: letters, digits and . _ + - kept, anything else a hyphen."""
    text = re.sub(r"[^A-Za-z0-9._+-]+", "-", str(value)).strip("-.") or "model"
    return text if text[0].isalnum() else f"m{text}"
