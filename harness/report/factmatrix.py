"""The fact matrix: rows are facts of an article, columns the models, and each cell says whether the model's
summary preserved, omitted or contradicted that fact, with the words it used.

At scale it is aggregated: per kind of fact (count, money, date, entity ...) across a dataset's documents,
each model's share of key facts kept and its contradicted and not-in-article claims, with the worst
documents named. A document shown in detail gets its own matrix of the facts that matter (key facts and
the facts some summary states); the facts no summary mentions are counted, not listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.documents import Document
from harness.facts import FactTable, table_for_document
from harness.facts.lowercase_names import names_unread
from harness.report.data import ModelResult
from harness.store import json_value

PRESERVED, OMITTED, CONTRADICTED = "preserved", "omitted", "contradicted"
WORST = 3  # documents named per kind of fact


@dataclass(frozen=True)
class Cell:
    """One model's treatment of one fact."""

    status: str  # preserved | omitted | contradicted
    claim: str | None = None  # the summary's figure
    sentence: str | None = None  # the summary sentence that states it
    reason: str | None = None


@dataclass(frozen=True)
class FactRow:
    """One fact of the article and every model's cell for it."""

    fact_id: str
    text: str
    value: str
    noun: str | None
    predicate: str | None
    key: bool
    evidence: str
    cells: dict[str, Cell]


def fact_table(document: dict[str, Any], gold: bool = True) -> FactTable:
    """The document's fact table as the run built it (documents.jsonl); runs written before tables were kept
    get theirs rebuilt the way their fact scorer built it (curated facts laid over unless gold is False)."""
    if document.get("fact_table") is not None:
        return FactTable.from_dict(json_value(document["fact_table"]))
    return table_for_document(Document.from_record(document, source=f"document {document['doc_id']}"), gold=gold)


def fact_matrix(document: dict[str, Any], models: Sequence[ModelResult], gold: bool = True) -> list[FactRow]:
    """Key facts first, then the other facts in article order; a cell per model that scored the document."""
    table = fact_table(document, gold)
    rows = []
    for fact in sorted(table.facts, key=lambda f: not f.key):
        cells = {}
        for model in models:
            row = model.scores.get(document["doc_id"])
            if row is None or row.get("error") or not row.get("facts"):
                continue
            cells[model.key] = _cell(fact.id, row["facts"]["claims"])
        rows.append(
            FactRow(fact.id, fact.quantity.text, fact.quantity.describe(), fact.noun, fact.predicate, fact.key, fact.evidence.sentence, cells)
        )
    return rows


def rows_that_matter(rows: Sequence[FactRow]) -> tuple[list[FactRow], int]:
    """Key facts and the facts some summary states; and how many other facts no summary mentions."""
    kept = [row for row in rows if row.key or any(cell.status != OMITTED for cell in row.cells.values())]
    return kept, len(rows) - len(kept)


def _cell(fact_id: str, claims: list[dict[str, Any]]) -> Cell:
    aligned = [c for c in claims if c.get("fact") == fact_id]
    # A contradiction outweighs a supporting mention of the same fact elsewhere in the summary.
    for verdict, status in (("contradicted", CONTRADICTED), ("supported", PRESERVED)):
        claim = next((c for c in aligned if c["verdict"] == verdict), None)
        if claim is not None:
            return Cell(status, claim["claim"], claim["sentence"], claim["reason"])
    return Cell(OMITTED)


@dataclass
class KindFigures:
    """One model's figures for one kind of fact across a dataset."""

    key_total: int = 0
    key_kept: int = 0
    contradicted: int = 0
    not_in_article: int = 0


@dataclass
class KindRow:
    """One kind of fact across a dataset: each model's figures, and the documents where it went worst."""

    kind: str
    figures: dict[str, KindFigures] = field(default_factory=dict)
    badness: Counter = field(default_factory=Counter)  # doc_id -> flagged claims and lost key facts of this kind

    def worst(self, limit: int = WORST) -> list[str]:
        """The documents with the most trouble of this kind."""
        return [doc for doc, bad in self.badness.most_common(limit) if bad > 0]


def key_rules(documents: dict[str, dict[str, Any]], doc_ids: Sequence[str]) -> Counter:
    """How many of the documents had their key facts made by each rule (gold, references, lead), as the
    run's stored tables say; runs written before tables were kept are not counted."""
    rules: Counter = Counter()
    for doc_id in doc_ids:
        table = json_value((documents.get(doc_id) or {}).get("fact_table"))
        if isinstance(table, dict):
            rules[str(table.get("key_rule") or ("gold" if table.get("has_gold") else "lead"))] += 1
    return rules


def lower_cased(models: Sequence[ModelResult], doc_ids: Sequence[str], share: float = 0.9) -> list[str]:
    """The models that write (nearly) every summary in lower case (XSum's systems do): names are read from
    capital letters, so their summaries get figure claims only, and the report says so."""
    found = []
    for model in models:
        texts = [str((model.scores.get(d) or {}).get("summary") or "") for d in doc_ids]
        texts = [t for t in texts if any(c.isalpha() for c in t)]
        if texts and sum(names_unread(t) for t in texts) >= share * len(texts):
            found.append(model.key)
    return found


def kinds_of(document: dict[str, Any], gold: bool) -> dict[str, str]:
    """fact id -> kind of the fact's quantity, read from the stored table without rebuilding it."""
    table = json_value(document.get("fact_table"))
    if table is not None:
        return {f["id"]: (f.get("quantity") or {}).get("kind", "fact") for f in table.get("facts", [])}
    return {f.id: f.quantity.kind for f in fact_table(document, gold).facts}


def kind_rows(models: Sequence[ModelResult], documents: dict[str, dict[str, Any]], doc_ids: Sequence[str], gold: bool = True) -> list[KindRow]:
    """The fact matrix aggregated per kind of fact over a dataset's documents, most troubled kinds first."""
    rows: dict[str, KindRow] = {}

    def figures(kind: str, model: str) -> KindFigures:
        return rows.setdefault(kind, KindRow(kind)).figures.setdefault(model, KindFigures())

    for doc_id in doc_ids:
        kinds: dict[str, str] | None = None
        for model in models:
            facts = (model.scores.get(doc_id) or {}).get("facts")
            if not facts:
                continue
            if facts.get("key_facts") and kinds is None:
                kinds = kinds_of(documents[doc_id], gold)
            for key in facts.get("key_facts") or []:
                kind = (kinds or {}).get(key["fact"], "fact")
                entry = figures(kind, model.key)
                entry.key_total += 1
                if key["status"] == PRESERVED:
                    entry.key_kept += 1
                else:
                    rows[kind].badness[doc_id] += 1
            for claim in facts.get("claims") or []:
                if claim["verdict"] in ("contradicted", "not_in_article"):
                    kind = claim.get("kind") or "fact"
                    entry = figures(kind, model.key)
                    if claim["verdict"] == "contradicted":
                        entry.contradicted += 1
                    else:
                        entry.not_in_article += 1
                    rows[kind].badness[doc_id] += 3  # a wrong claim weighs more than a fact left out
    order = sorted(rows.values(), key=lambda r: -sum(f.contradicted * 3 + f.not_in_article * 2 + f.key_total - f.key_kept for f in r.figures.values()))
    return order
