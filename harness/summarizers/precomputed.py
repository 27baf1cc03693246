"""Summaries produced elsewhere, read from a file, so they are scored and fact-checked like any model's.

Two layouts: a JSONL file of `{"doc_id": ..., "summary": ...}` objects (field names configurable, and
rows filterable, so one file may hold several systems' outputs), or a folder of `<doc_id>.txt` files.
Nothing is generated, so nothing is cached: the file is the cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from harness.configmodel import shown
from harness.documents import Document, id_field, id_text, read_jsonl_records, text_files, where_matches
from harness.errors import HarnessError
from harness.summarizers.base import BackendOptions, OptionError, Summarizer, SummaryError, SummaryOutput
from harness.textio import kind_in_words, not_a_file, path_kind, read_text, resolve_path, unexpandable

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

    @field_validator("path")
    @classmethod
    def _expandable(cls, path: Path) -> Path:
        if problem := unexpandable(path):  # "~nouser/x": one line naming the field, not a traceback
            raise ValueError(problem)
        return path


class Precomputed(Summarizer):
    """Summaries read from a JSONL file or a folder of text files, matched to documents by id."""

    backend = "precomputed"
    description = "summaries produced elsewhere: a JSONL file ({doc_id, summary}) or a folder of <doc_id>.txt files"
    Options = PrecomputedOptions
    options: PrecomputedOptions
    cacheable = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = resolve_path(self.base_dir, self.options.path)
        self._summaries: dict[str, tuple[str, str]] | None = None  # doc id -> (summary, where it was read)

    @classmethod
    def expand(cls, spec: Any, base_dir: Path) -> list[Any]:
        """`each: FIELD`: one entry per value of that field in the file, named after the value, reading its rows (where FIELD: value)."""
        params = spec.params
        field = params.get("each")
        if field is None:
            return [spec]
        options = cls.Options.model_validate(params)  # a bad option is reported on the entry, as for any model
        path = resolve_path(base_dir, options.path)
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
        """Every summary by document id (in Unicode's NFC form, see _key), with the file (and line) it came from."""
        if self._summaries is None:
            kind = path_kind(self.path)
            if kind == "folder":
                if self.options.where:
                    raise OptionError(f"model '{self.name}': where: filters the rows of a JSONL file, but {self.path} is a folder of .txt files", "where")
                self._summaries = self._read_folder()
            elif kind == "file":
                self._summaries = self._read_jsonl()
            else:  # a pipe or a device would block the run, or never end
                what = "does not exist" if kind == "missing" else f"{kind_in_words(kind)}, not a file or folder"
                raise OptionError(f"model '{self.name}': path: {self.path} {what} (a JSONL file or a folder of <doc_id>.txt files)", "path")
        return self._summaries

    def check_documents(self, documents: Sequence[Document]) -> None:
        """A file whose ids meet none of the documents is the wrong file or id_field, not a model that failed every one."""
        summaries = self.summaries()
        if documents and not any(_key(document.doc_id) in summaries for document in documents):
            check = "the file names" if path_kind(self.path) == "folder" else "id_field" if self.options.id_field is None else f"id_field ({self.options.id_field})"
            raise OptionError(f"model '{self.name}': none of {self.path}'s {len(summaries):,} ids ({_some(summaries)}) is a document id of the "
                              f"dataset ({_some(document.doc_id for document in documents)}); check {check}", "path")  # fmt: skip

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Not possible from article text alone: precomputed summaries are found by document id."""
        raise TypeError("precomputed summaries are looked up by document id: call summarize_documents()")

    def summarize_documents(self, documents: Sequence[Document]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Each document's summary from the file; a document the file lacks fails alone."""
        summaries = self.summaries()
        for index, document in enumerate(documents):
            found = summaries.get(_key(document.doc_id))
            if found is None:
                yield index, SummaryError(f"{self.path} has no summary for document '{document.doc_id}'")
            elif not found[0]:  # as an empty reply of a server: nothing to score (ROUGE 0 would count as a real summary's)
                yield index, SummaryError(f"{found[1]}: the summary of document '{document.doc_id}' is empty (no text, or only spaces): "
                                          "a summary never written, or lost on export, is not scored as one")  # fmt: skip
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
            key = _key(doc_id)
            if key in found:
                raise HarnessError(
                    f"{where}: document '{doc_id}' already has a summary at {found[key][1]} (model '{self.name}'; narrow the rows with where:)"
                )
            found[key] = (summary.strip(), where)
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

    def _read_folder(self) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for doc_id, file in text_files(self.path, "document").items():
            kind = path_kind(file)
            if kind != "file":  # a pipe would block the run, a link to /dev/zero fill the memory
                raise not_a_file(file, kind, f"each <doc_id>.txt of a precomputed folder is one summary, a text file (model '{self.name}')")
            key = _key(doc_id)
            if key in found:
                raise HarnessError(f"{file}: names document '{doc_id}', as {found[key][1]} does: the two names differ only by Unicode "
                                   f"normalisation (NFC and NFD); keep one of the two files (model '{self.name}')")  # fmt: skip
            found[key] = (read_text(file).strip(), str(file))
        if not found:
            raise OptionError(f"model '{self.name}': path: {self.path} holds no <doc_id>.txt files", "path")
        return found

    def _id(self, record: dict[str, Any], where: str) -> str:
        field = self.options.id_field or id_field(record, where, f"set id_field: to the one that holds it (model '{self.name}')") or "doc_id"
        value = record.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise HarnessError(f"{where}: field '{field}' (the document id) is missing or empty (model '{self.name}')")
        return id_text(value, f"{where}: field '{field}' (the document id of model '{self.name}')")

    def _digest(self) -> str | None:
        kind = path_kind(self.path)
        files = list(text_files(self.path, "document").values()) if kind == "folder" else [self.path] if kind == "file" else []
        if not files:
            return None
        digest = hashlib.sha256()
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()[:16]


_SHOWN_VALUES = 8  # values listed per field when a where keeps nothing


def _key(doc_id: str) -> str:
    """A document id as summaries are matched by it: in Unicode's NFC form, as most systems write text, so that a file
    named on macOS (which writes names in NFD: "e" and a combining accent for "é") still meets its document."""
    return unicodedata.normalize("NFC", doc_id)


def _some(ids: Any, shown_ids: int = 3) -> str:
    """The first few of some ids, for a message."""
    ids = list(ids)
    return ", ".join(ids[:shown_ids]) + (", ..." if len(ids) > shown_ids else "")


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
