"""Documents (article, reference summaries, curated facts) and their loaders.

Two sources are read:
- a references directory: one folder per document holding `article.txt`, optional `meta.yaml`,
  `summaries/*.txt` (one reference summary per file, its name the reference id) and `facts.yaml`;
  the path may also name one such document folder directly;
- a JSONL file: one `{"id", "article", "references"}` object per line, `references` being a list of
  strings or of `{"id", "text"}` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.configmodel import shown
from harness.errors import HarnessError
from harness.text import CleanedArticle, strip_page_furniture  # noqa: F401 - named harness.documents.strip_page_furniture in meta.yaml and the README
from harness.textio import check_value, iter_json_records, kind_in_words, list_folder, not_a_file, path_kind, printable_path, read_text
from harness.yamlsource import check_finite, line_of, read_yaml, where_of

ARTICLE_FILE = "article.txt"
META_FILE = "meta.yaml"
SUMMARIES_DIR = "summaries"
FACTS_FILE = "facts.yaml"
JSONL_SUFFIXES = (".jsonl", ".json")
NO_DOCUMENTS = (f"holds no documents (no */{ARTICLE_FILE} and not a JSONL file); a document is a folder holding "
                f"{ARTICLE_FILE} and optional {SUMMARIES_DIR}/*.txt")  # fmt: skip
NOT_JSONL = "expected a .jsonl file (one document per line), a references directory or a document folder"


@dataclass(frozen=True)
class Reference:
    """One human-written reference summary."""

    id: str
    text: str


@dataclass(frozen=True)
class Document:
    """An article to summarize, its reference summaries and (optionally) its curated fact table."""

    doc_id: str
    article: str
    references: tuple[Reference, ...] = ()
    title: str | None = None
    facts: Any = None  # the curated fact table as loaded from facts.yaml; harness.facts parses it
    source: str | None = None  # file the document was read from, for error messages
    meta: dict[str, Any] = field(default_factory=dict)
    # the article's fact table, built once per run (by the facts scorer) and written with the document, so
    # reports and checks read the table the run used instead of re-extracting it: a FactTable, or once scored
    # in a run its JSON text (store.RawJSON; FactTable.from_dict(json.loads(text)) rebuilds it)
    fact_table: Any = field(default=None, compare=False)

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready form, as written to a results directory's documents.jsonl."""
        record: dict[str, Any] = {
            "doc_id": self.doc_id,
            "article": self.article,
            "references": [{"id": ref.id, "text": ref.text} for ref in self.references],
        }
        if self.title:
            record["title"] = self.title
        if self.facts is not None:
            record["facts"] = self.facts
        if self.fact_table is not None:  # a FactTable, or its JSON text once a run's scoring made it
            record["fact_table"] = self.fact_table if isinstance(self.fact_table, str) else self.fact_table.to_dict()
        if self.meta.get("truncated"):  # the article was cut to dataset.max_article_chars
            record["truncated"] = self.meta["truncated"]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], source: str, columns: dict[str, str] | None = None) -> Document:
        """Build a document from a JSON object (`id` or `doc_id`, `article`, `references`); `columns` (dataset.fields) names
        the file's column that each field was read from, for messages."""
        key = id_field(record, source, "say which holds it (dataset: fields: {id: doc_id}, or {id: id})") or "id"
        doc_id = id_text(record.get(key), f"{source}: {_named(key if key == 'doc_id' else 'id', columns)}")
        article = record.get("article")
        if not isinstance(article, str):
            raise HarnessError(f"{source}: document '{doc_id}': {_named('article', columns)} must be a string, got {_kind(article)}")
        return _checked(
            Document(
                doc_id=doc_id,
                article=article.strip(),
                references=_references(record.get("references", []), f"{source}: document '{doc_id}'"),
                title=_title(record.get("title"), f"{source}: document '{doc_id}': {_named('title', columns)}"),
                facts=record.get("facts"),
                source=source,
                meta={"truncated": record["truncated"]} if record.get("truncated") else {},
            )
        )


def _named(field: str, columns: dict[str, str] | None) -> str:
    """A record's field as a message names it: the file's own column when dataset.fields maps one to it."""
    column = (columns or {}).get(field)
    return f"field '{field}'" if column is None else f"field '{column}' (the {field}, by dataset.fields)"


def load_documents(path: str | Path) -> list[Document]:
    """Load documents from a references directory, one document folder, or a JSONL file."""
    path = Path(path)
    documents = read_documents(path)
    if not documents:
        raise HarnessError(f"{path}: {NO_DOCUMENTS}")
    check_unique_ids(documents, path)
    return documents


def read_documents(path: Path) -> list[Document]:
    """The documents of a references directory, one document folder, or a JSONL file: none where a folder holds none.

    Every other fault is a one-line HarnessError naming the file or folder; callers say what no documents means.
    """
    kind = path_kind(path)
    if kind == "missing":
        raise HarnessError(f"{path}: no such file or directory")
    if kind not in ("folder", "file"):
        raise not_a_file(path, kind, "give a references directory, a document folder or a JSONL file")
    if kind == "file":
        if path.suffix not in JSONL_SUFFIXES:
            raise HarnessError(f"{path}: {NOT_JSONL}")
        return list(_load_jsonl(path))
    if path_kind(path / ARTICLE_FILE) != "missing":  # a document folder (its article.txt is checked as it is read)
        return [load_document_dir(path)]
    # Folders without an article.txt are not documents (precomputed/, notes); one with an article.txt that is
    # not a readable file is a document that cannot be read, and is said so rather than skipped.
    return [load_document_dir(folder) for folder in list_folder(path) if path_kind(folder) == "folder" and path_kind(folder / ARTICLE_FILE) != "missing"]


def find_document(target: str | Path, search: str | Path = "references") -> Document:
    """One document named by a folder, an article text file, or a document id found under `search`."""
    path = Path(target)
    kind = path_kind(path)
    if kind == "folder":
        documents = load_documents(path)
        if len(documents) != 1:
            ids = ", ".join(d.doc_id for d in documents[:10])
            raise HarnessError(f"{path}: holds {len(documents)} documents ({ids}); name one folder or id")
        return documents[0]
    if kind == "file":
        if path.name == ARTICLE_FILE:
            return load_document_dir(path.parent)
        if path.suffix in JSONL_SUFFIXES:
            raise HarnessError(f"{path}: a JSONL file holds many documents; name one by id with --dataset {path}")
        return _checked(Document(path.stem, read_text(path).strip(), source=str(path)))
    if kind in ("special", "broken link"):  # there, but nothing to read an article from
        raise HarnessError(f"{path}: {kind_in_words(kind)}, not an article; give an article's text file, a document folder or a document id")
    search = Path(search)
    if not search.exists():
        raise HarnessError(f"{target}: no such file, folder, or document id (no {search} to look in)")
    documents = {d.doc_id: d for d in load_documents(search)}
    if str(target) not in documents:
        known = ", ".join(list(documents)[:10])
        raise HarnessError(f"{target}: no such file, folder, or document id in {search} (ids: {known})")
    return documents[str(target)]


def load_document_dir(folder: Path) -> Document:
    """Load one document folder (article.txt, meta.yaml, summaries/*.txt, facts.yaml)."""
    node, meta = _read_yaml_node(folder / META_FILE) if _present(folder / META_FILE) else (None, {})
    if meta is None:
        meta = {}  # an empty meta.yaml
    if not isinstance(meta, dict):
        raise HarnessError(f"{folder / META_FILE}: expected a mapping at the top level (id, title, ...)")
    article = folder / ARTICLE_FILE
    kind = path_kind(article)
    if kind != "file":
        raise not_a_file(article, kind, f"each document folder holds its article as the text file {ARTICLE_FILE}")
    if "id" in meta:
        doc_id = id_text(meta["id"], where_of(folder / META_FILE, node, ("id",)))
    else:  # the folder's name, checked as an id is: it is shown in one-line messages and in the report
        doc_id = id_text(folder.name, f"{printable_path(folder)}: the folder's name (the document id; rename it, or give an id in {META_FILE})")
    summaries = folder / SUMMARIES_DIR
    references = tuple(Reference(ref_id, _read_reference(file)) for ref_id, file in text_files(summaries, "reference").items()) if (
        _present(summaries, folder=True)) else ()  # fmt: skip
    return _checked(
        Document(
            doc_id=doc_id,
            article=read_text(article).strip(),
            references=references,
            title=_title(meta.get("title"), where_of(folder / META_FILE, node, ("title",))),
            facts=_read_yaml(folder / FACTS_FILE) if _present(folder / FACTS_FILE) else None,
            source=str(folder),
            meta=meta,
        )
    )


def text_files(folder: Path, what: str) -> dict[str, Path]:
    """The *.txt files of a folder (.TXT and .Txt too: a file copied from another system keeps its case) by the id each
    file name gives (`what`: a reference or document id), checked as any id; two files giving one id are an error."""
    files: dict[str, Path] = {}
    for file in list_folder(folder):
        if file.suffix.lower() != ".txt":
            continue
        name = id_text(file.stem, f"{printable_path(file)}: the file's name (the {what} id; rename the file)")
        if name in files:
            raise HarnessError(f"{printable_path(file)}: gives the {what} id '{name}', as {printable_path(files[name].name)} does; "
                               "keep one of the two files")  # fmt: skip
        files[name] = file
    return files


def _read_reference(file: Path) -> str:
    kind = path_kind(file)
    if kind != "file":
        raise not_a_file(file, kind, f"each file of {SUMMARIES_DIR}/ named *.txt is one reference summary")
    text = read_text(file).strip()
    if not text:  # the same rule as a JSONL reference (see _references)
        raise HarnessError(f"{file}: the reference summary {EMPTY_REFERENCE}; write the summary into it or delete the file")
    return text


def read_jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file (or of a file holding one JSON array) with their 1-based line numbers.

    Invalid UTF-8, invalid JSON, a lone surrogate or nesting too deep is a one-line error naming the line.
    """
    for number, record in iter_json_records(path):
        if not isinstance(record, dict):
            raise HarnessError(f"{path}:{number}: expected a JSON object")
        yield number, record


def _load_jsonl(path: Path) -> Iterable[Document]:
    for number, record in read_jsonl_records(path):
        yield Document.from_record(record, source=f"{path}:{number}")


# An empty reference is refused, in a JSONL file as in a folder, rather than dropped: it is a data fault (a
# summary that was never written, or lost on export), ROUGE and the other scores against it would be
# meaningless, and dropping it would quietly change which references a document is scored against.
EMPTY_REFERENCE = "is empty (no text, or only spaces), which makes every score against it meaningless"


def _references(value: Any, where: str) -> tuple[Reference, ...]:
    if value is None:  # a JSONL file leaves the field out, or writes [], for a document without references
        raise HarnessError(f"{where}: field 'references' is null; give a list of reference summaries, [] for none, or leave the field out")
    single = isinstance(value, str)
    if single:  # one reference written as a plain string
        value = [value]
    if not isinstance(value, list):
        raise HarnessError(f"{where}: field 'references' must be a list of reference summaries (strings or {{id, text}} objects), "
                           f"got {_kind(value)}")  # fmt: skip
    references: list[Reference] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        if isinstance(item, str):
            reference = Reference(f"ref{index}", item.strip())
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            ref_id = id_text(item["id"], f"{where}: references[{index}].id") if "id" in item else f"ref{index}"
            reference = Reference(ref_id, item["text"].strip())
        else:
            raise HarnessError(f"{where}: references[{index}] must be a string or an {{id, text}} object")
        if not reference.text:
            field = "field 'references'" if single else f"references[{index}]"
            raise HarnessError(f"{where}: {field} {EMPTY_REFERENCE}; give its text or remove it ([] for no references)")
        if reference.id in seen:  # scores are kept per reference id: a second one would replace the first
            raise HarnessError(f"{where}: references[{index}]: id '{reference.id}' is also the id of references[{seen[reference.id]}]; "
                               "give each reference its own id")  # fmt: skip
        seen[reference.id] = index
        references.append(reference)
    return tuple(references)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def id_text(value: Any, where: str) -> str:
    """An id (of a document or a reference) as text: a non-empty string or a whole number, on one line."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise HarnessError(f"{where} is missing or empty")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 7.0 is the whole number 7 (pandas and other JSON writers turn ints into floats), 7.5 no id
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise HarnessError(f"{where}: expected an id (text or a whole number), got {_kind(value)}")
    text = str(value)
    control = _CONTROL.search(text)
    if control:  # an id is shown in one-line messages, tables and file names
        raise HarnessError(f"{where}: holds control character U+{ord(control.group()):04X} at character {control.start()}; "
                           "an id is one line of printable text")  # fmt: skip
    return text


def id_field(record: dict[str, Any], where: str, choose: str) -> str | None:
    """Which of a row's `doc_id` and `id` holds its id: `doc_id` when given, None when neither is; both, with values that
    differ, is an error (one would be dropped without a word) that ends with `choose`, how to name the one that holds it."""
    if "doc_id" in record and "id" in record and _plain(record["doc_id"]) != _plain(record["id"]):
        raise HarnessError(f"{where}: fields 'doc_id' ({shown(record['doc_id'])}) and 'id' ({shown(record['id'])}) differ, "
                           f"and only one can be the document id; {choose}")  # fmt: skip
    return "doc_id" if "doc_id" in record else "id" if "id" in record else None


def _plain(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)  # 7.0 is the id 7


def _title(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise HarnessError(f"{where}: expected text, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    # as a config's values are shown (a number as itself: "got 7.5" says why an id is refused), true/false as the pair
    return "true/false" if isinstance(value, bool) else shown(value)


def where_matches(value: Any, wanted: Any) -> bool:
    """Whether a record's value is wanted (or one of a list wanted): as ==, except that true/false match only true/false
    (Python's 1 == True would let `flag: true` keep rows of flag 1 and 1.0, and `n: true` rows of n 1)."""
    if isinstance(wanted, list):
        return any(where_matches(value, one) for one in wanted)
    return isinstance(value, bool) == isinstance(wanted, bool) and value == wanted


def _present(path: Path, folder: bool = False) -> bool:
    """Whether an optional part of a document folder is there; one of the wrong kind (a folder named facts.yaml, a broken
    link) is an error, not skipped."""
    kind = path_kind(path)
    if kind == "missing":
        return False
    if kind not in ("file", "folder"):
        raise not_a_file(path, kind, f"expected {'a folder of .txt files' if folder else 'a YAML file'}")
    if (kind == "folder") != folder:
        raise HarnessError(f"{path}: is {'a file' if folder else 'a folder'}, expected {'a folder of .txt files' if folder else 'a YAML file'}")
    return True


def _checked(document: Document) -> Document:
    if not document.article:
        raise HarnessError(f"{document.source}: document '{document.doc_id}' has an empty article")
    return document


def check_unique_ids(documents: list[Document], where: str | Path) -> None:
    """Raise a HarnessError naming both sources when two documents share an id."""
    seen: dict[str, str | None] = {}
    for document in documents:
        if document.doc_id in seen:
            raise HarnessError(
                f"{where}: document id '{document.doc_id}' appears twice ({seen[document.doc_id]} and {document.source})"
            )
        seen[document.doc_id] = document.source


def _read_yaml(path: Path) -> Any:
    """A document's YAML file read as a config is (harness.yamlsource): one-line errors, no duplicate keys or alias bombs."""
    return _read_yaml_node(path)[1]


def yaml_line(path: Path, loc: tuple[str | int, ...]) -> int | None:
    """The line of the field at loc (("facts", 0, "value")) in a document's YAML file; None if it cannot be read."""
    try:
        node, _ = _read_yaml_node(path)
    except HarnessError:
        return None
    return line_of(node, loc)


def _read_yaml_node(path: Path) -> tuple[Any, Any]:
    """(node tree, value) of a document's YAML file, the nodes giving each field's line for messages."""
    node, value = read_yaml(path, read_text(path))
    check_finite(value, path, node, path.name)  # named with its line, as in a config
    check_value(value, str(path))  # a "\ud800" escape in YAML decodes to a lone surrogate too
    return node, value
