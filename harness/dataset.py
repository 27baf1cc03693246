"""The documents a config evaluates: read, mapped, filtered, sampled and limited as its `dataset:` says.

Sources are a references directory or document folder (harness.documents), a JSONL file, or a Hugging Face
`datasets` source (a hub id, a builder such as json/parquet with data files, or a local folder). Records of
JSONL and HF sources go through the same steps, in this order: `where` on the source's columns, `fields`
mapping columns to harness fields, documents built (empty articles and duplicate ids are errors),
`require_references`, `sample`, `limit`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.config import HARNESS_FIELDS, Config, HFDatasetConfig
from harness.documents import JSONL_SUFFIXES, NO_DOCUMENTS, NOT_JSONL, Document, check_unique_ids, read_documents, read_jsonl_records, where_matches
from harness.errors import HarnessError, first_line
from harness.hub import hub_reachable
from harness.textio import expand_home, kind_in_words, path_kind

log = logging.getLogger(__name__)

_SAVED_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")  # what Dataset.save_to_disk writes
_SHOWN_VALUES = 10


def load_dataset(config: Config) -> list[Document]:
    """The config's documents: read, mapped, filtered, sampled and limited as its dataset section says."""
    dataset = config.dataset
    kind = path_kind(dataset.path) if dataset.path is not None else None
    if kind is not None and kind not in ("file", "folder"):
        raise config.error(("dataset", "path"), f"{dataset.path} {kind_in_words(kind)}; give a references directory, a document folder or a JSONL file")
    if kind == "file" and dataset.path is not None and dataset.path.suffix not in JSONL_SUFFIXES:
        raise config.error(("dataset", "path"), f"{dataset.path}: {NOT_JSONL}")
    if dataset.hf is not None:
        documents = _build(config, *_hf_records(config))
    elif kind == "file" and dataset.path is not None:
        records = ((f"{dataset.path}:{number}", row) for number, row in read_jsonl_records(dataset.path))
        documents = _build(config, str(dataset.path), records, columns=None)
    else:
        if kind == "folder":
            for key in ("fields", "where"):
                if getattr(dataset, key):
                    raise config.error(("dataset", key), "applies to JSONL files and Hugging Face datasets, not to document folders")
        assert dataset.path is not None  # the config requires path or hf
        documents = read_documents(dataset.path)
        if not documents:
            raise config.error(("dataset", "path"), f"{dataset.path}: {NO_DOCUMENTS}")
        check_unique_ids(documents, dataset.path)
    if dataset.max_article_chars is not None:
        documents = [_within_length(config, document) for document in documents]
    if dataset.require_references:
        kept = [document for document in documents if document.references]
        log.info("dataset: %d of %d document(s) have reference summaries; dropped %d", len(kept), len(documents), len(documents) - len(kept))
        if not kept:
            raise config.error(("dataset", "require_references"), f"{dataset.describe()}: no document has a reference summary")
        documents = kept
    if dataset.sample is not None:
        documents = sample(documents, dataset.sample, config.seed if dataset.seed is None else dataset.seed)
    return documents[: dataset.limit] if dataset.limit else documents


def _within_length(config: Config, document: Document) -> Document:
    """The document with its article cut to max_article_chars at a boundary (warned and marked), or an error."""
    limit, length = config.dataset.max_article_chars, len(document.article)
    if limit is None or length <= limit:
        return document
    where = f"{document.source or config.dataset.describe()}: document {document.doc_id!r}"
    if config.dataset.on_long_article == "error":
        raise config.error(("dataset", "max_article_chars"), f"{where}: article of {length:,} characters is longer "
                           f"than max_article_chars {limit:,} (on_long_article: error; raise the limit or set truncate)")  # fmt: skip
    kept, boundary = cut_article(document.article, limit)
    log.warning("dataset: %s: article of %s characters cut to %s at a %s boundary (max_article_chars %s)",
                where, f"{length:,}", f"{len(kept):,}", boundary, f"{limit:,}")  # fmt: skip
    truncated = {"chars": length, "kept": len(kept), "boundary": boundary, "max_article_chars": limit}
    return dataclasses.replace(document, article=kept, meta={**document.meta, "truncated": truncated})


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")


def cut_article(article: str, limit: int) -> tuple[str, str]:
    """The article cut to at most `limit` characters, and where: at the last paragraph break, else the last
    sentence end, else the last space that keeps at least half of it ('paragraph' | 'sentence' | 'word' | 'character')."""
    head = article[: limit + 1]  # a boundary right after the limit still keeps `limit` characters
    paragraph = head.rfind("\n\n")
    if paragraph >= limit // 2:
        return article[:paragraph].rstrip(), "paragraph"
    sentence = None
    for match in _SENTENCE_END.finditer(head):
        sentence = match
    if sentence is not None and sentence.start() >= limit // 2:
        return article[: sentence.start() + 1].rstrip(), "sentence"
    space = head.rfind(" ", 0, limit)
    if space >= limit // 2:
        return article[:space].rstrip(), "word"
    return article[:limit], "character"


def sample(documents: list[Document], size: int, seed: int) -> list[Document]:
    """`size` documents drawn with random.Random(seed), in their original order; all when there are fewer."""
    if size >= len(documents):
        return list(documents)
    chosen = sorted(random.Random(seed).sample(range(len(documents)), size))
    return [documents[index] for index in chosen]


def _build(config: Config, label: str, records: Iterable[tuple[str, dict[str, Any]]], columns: list[str] | None) -> list[Document]:
    """Documents from (source, row) records: where, fields, then checks. `columns` is known up front for HF sources."""
    dataset = config.dataset
    if columns is not None:
        for key, wanted in [("where", column) for column in dataset.where] + [("fields", c) for c in dataset.fields.values()]:
            if wanted not in columns:
                loc = ("dataset", key, wanted) if key == "where" else ("dataset", key, _field_of(dataset.fields, wanted))
                raise config.error(loc, f"column '{wanted}' is not in dataset {label} (its columns: {', '.join(columns)})")
    seen_values: dict[str, set[str]] = {column: set() for column in dataset.where}
    documents: list[Document] = []
    total = 0
    for source, row in records:
        total += 1
        if dataset.where and not _matches(row, dataset.where, seen_values):
            continue
        documents.append(Document.from_record(_mapped(config, row, source), source=source, columns=dataset.fields))
    if dataset.where:
        log.info("dataset: %d of %d record(s) match where %s", len(documents), total, dataset.where)
    if not documents:
        raise _no_documents(config, label, total, seen_values)
    check_unique_ids(documents, label)
    return documents


def _matches(row: dict[str, Any], where: dict[str, Any], seen_values: dict[str, set[str]]) -> bool:
    for column, wanted in where.items():
        if column not in row:
            return False
        value = row[column]
        if len(seen_values[column]) <= _SHOWN_VALUES:
            seen_values[column].add(repr(value))
        if not where_matches(value, wanted):
            return False
    return True


def _mapped(config: Config, row: dict[str, Any], source: str) -> dict[str, Any]:
    """The row with harness field names (Document.from_record's input); unmapped fields keep their own names."""
    fields = config.dataset.fields
    record: dict[str, Any] = {}
    for name in HARNESS_FIELDS:
        column = fields.get(name)
        if column is None:
            if name == "id":  # both kept, so that Document.from_record names the one given, and refuses two that differ
                record.update({key: row[key] for key in ("doc_id", "id") if key in row})
            elif name in row:
                record[name] = row[name]
            continue
        if column not in row:
            raise config.error(
                ("dataset", "fields", name), f"column '{column}' is not in {source} (its columns: {', '.join(map(str, row))})"
            )
        record[name] = row[column]
    # A table column (any column of an HF source, or one that fields maps) holds one value per row: a single summary is a
    # string, and a row without one has null or "" (Arrow fills a key a JSON row leaves out with null). The harness's
    # own JSONL `references` field follows the JSONL rule instead (Document.from_record): a list, or left out.
    if config.dataset.hf is not None or "references" in fields:
        references = record.get("references")
        if references is None or (isinstance(references, str) and not references.strip()):
            record.pop("references", None)
    return record  # a float id that pandas wrote for a whole number (7.0) is read as 7 by documents.id_text


def _field_of(fields: dict[str, str], column: str) -> str:
    return next(name for name, mapped in fields.items() if mapped == column)


def _no_documents(config: Config, label: str, total: int, seen_values: dict[str, set[str]]) -> HarnessError:
    if total == 0:
        return HarnessError(f"{label}: holds no records")
    for column, values in seen_values.items():
        if not values:
            return config.error(("dataset", "where", column), f"no record of {label} has a column '{column}'")
    shown = "; ".join(
        f"{column}: {', '.join(sorted(values)[:_SHOWN_VALUES])}{', ...' if len(values) > _SHOWN_VALUES else ''}"
        for column, values in seen_values.items()
    )
    return config.error(("dataset", "where"), f"no record of {label} matches (values seen: {shown})")


# --- Hugging Face datasets ------------------------------------------------------------------------


def _hf_records(config: Config) -> tuple[str, Iterator[tuple[str, dict[str, Any]]], list[str]]:
    """Label, (source, row) records and column names of the config's HF dataset split."""
    try:
        import datasets  # about a second to import: only when a config asks for it
    except ImportError:
        raise config.error(("dataset", "hf"), 'needs the datasets library, which is not installed: pip install "summarization-harness[datasets]"') from None

    datasets.disable_progress_bars()
    hf = config.dataset.hf
    assert hf is not None
    split, table = _load_split(config, hf)
    label = f"{hf.path} ({', '.join(part for part in (hf.name, split, hf.revision and f'revision {hf.revision}') if part)})"
    columns = list(table.column_names)
    wanted = set(config.dataset.fields.values()) | set(config.dataset.where) | set(HARNESS_FIELDS) | {"doc_id"}
    table = table.select_columns([column for column in columns if column in wanted])  # skip decoding unused columns
    prefix = "hf:" + "/".join(part for part in (hf.path, hf.name, split) if part)
    numbered = not ({"id", "doc_id"} & set(columns)) and "id" not in config.dataset.fields

    def records() -> Iterator[tuple[str, dict[str, Any]]]:
        for index, row in enumerate(table):
            if numbered:
                row = {**row, "id": str(index)}  # a split without ids: its row numbers are stable ids
            yield f"{prefix}#{index}", row

    return label.removesuffix(" ()"), records(), columns


def _load_split(config: Config, hf: HFDatasetConfig) -> tuple[str | None, Any]:
    """(split name, datasets.Dataset) for the config's HF source; errors are one line."""
    import datasets

    folder = _local_folder(hf.path)
    if folder is not None and not folder.is_dir():
        raise config.error(("dataset", "hf", "path"), f"{folder}: no such folder (give a hub id, a builder such as json, or a folder)")
    saved = folder is not None and any((folder / marker).is_file() for marker in _SAVED_MARKERS)
    online = folder is None and _hub_reachable()
    try:
        if saved:
            loaded = datasets.load_from_disk(str(folder))
        else:
            with _offline_unless(online):
                loaded = datasets.load_dataset(
                    hf.path, hf.name, split=hf.split, data_files=_as_list(hf.data_files), revision=hf.revision
                )
    except Exception as error:  # noqa: BLE001 (datasets raises many types for unusable input; the user needs one line)
        first = first_line(error)
        if isinstance(error, (ConnectionError, FileNotFoundError)) and folder is None and not _is_builder(hf.path):
            why = first if online else f"it is not in the datasets cache and the hub cannot be reached ({first})"
            raise config.error(("dataset", "hf", "path"), _unavailable(hf, why)) from None
        raise config.error(("dataset", "hf"), f"dataset {hf.describe()} cannot be read: {first}") from None
    if isinstance(loaded, datasets.DatasetDict):
        split = hf.split or ("test" if "test" in loaded or len(loaded) != 1 else next(iter(loaded)))
        if split not in loaded:
            raise config.error(("dataset", "hf", "split"), f"dataset {hf.path} has no split '{split}' (splits: {', '.join(loaded)})")
        return split, loaded[split]
    return hf.split, loaded  # load_dataset with a split, or a Dataset saved on its own


def _unavailable(hf: HFDatasetConfig, why: str) -> str:
    import datasets

    arguments = ", ".join(
        [repr(hf.path)] + ([repr(hf.name)] if hf.name else []) + [f"split={hf.split or 'test'!r}"]
        + ([f"revision={hf.revision!r}"] if hf.revision else [])
    )
    return (
        f"dataset {hf.describe()} is not available: {why}. To make it available, run "
        f'python -c "import datasets; datasets.load_dataset({arguments})" where the hub is reachable and copy '
        f"{datasets.config.HF_DATASETS_CACHE} here, or point dataset.hf.path at local files "
        f"(a folder saved with Dataset.save_to_disk, or parquet/JSONL files)"
    )


def _local_folder(path: str) -> Path | None:
    """The folder an hf.path names, or None for a hub id or builder name."""
    if path.startswith((".", "/", "~")):
        return expand_home(Path(path), ("dataset", "hf", "path"))  # load_config expanded it already; a dict config did not
    return Path(path) if Path(path).is_dir() else None


def _is_builder(path: str) -> bool:
    from datasets import packaged_modules

    return path in getattr(packaged_modules, "_PACKAGED_DATASETS_MODULES", {"json", "csv", "parquet", "text", "arrow"})


def _as_list(files: str | tuple[str, ...] | None) -> str | list[str] | None:
    return list(files) if isinstance(files, tuple) else files


def _hub_reachable() -> bool:
    import datasets

    return not datasets.config.HF_HUB_OFFLINE and hub_reachable()


@contextlib.contextmanager
def _offline_unless(online: bool) -> Iterator[None]:
    """Offline mode for the duration, unless `online`.

    Without a network, datasets retries the hub for ~25 s before it falls back to its cache; offline
    mode goes to the cache at once. Both libraries read the setting at import, so it is switched on
    their modules.
    """
    if online:
        yield
        return
    import datasets
    from huggingface_hub import constants

    saved = (datasets.config.HF_HUB_OFFLINE, datasets.config.HF_DATASETS_OFFLINE, constants.HF_HUB_OFFLINE)
    datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, datasets.config.HF_DATASETS_OFFLINE, constants.HF_HUB_OFFLINE = saved
