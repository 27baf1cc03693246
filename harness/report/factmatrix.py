"""The fact matrix of one document: rows are the facts of its table, columns the models, and each cell
says whether the model's summary preserved, omitted or contradicted that fact, with the words it used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.documents import Document
from harness.facts import FactTable, table_for_document
from harness.report.data import ModelResult

PRESERVED, OMITTED, CONTRADICTED = "preserved", "omitted", "contradicted"


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
        return FactTable.from_dict(document["fact_table"])
    return table_for_document(Document.from_record(document, source=f"document {document['doc_id']}"), gold=gold)


def fact_matrix(document: dict[str, Any], models: list[ModelResult], gold: bool = True) -> list[FactRow]:
    """Key facts first, then the other facts in article order; a cell per model that scored the document."""
    table = fact_table(document, gold)
    rows = []
    for fact in sorted(table.facts, key=lambda f: not f.key):
        cells = {}
        for model in models:
            row = model.scores.get(document["doc_id"])
            if row is None or "error" in row or not row.get("facts"):
                continue
            cells[model.key] = _cell(fact.id, row["facts"]["claims"])
        rows.append(
            FactRow(fact.id, fact.quantity.text, fact.quantity.describe(), fact.noun, fact.predicate, fact.key, fact.evidence.sentence, cells)
        )
    return rows


def _cell(fact_id: str, claims: list[dict[str, Any]]) -> Cell:
    aligned = [c for c in claims if c.get("fact") == fact_id]
    # A contradiction outweighs a supporting mention of the same fact elsewhere in the summary.
    for verdict, status in (("contradicted", CONTRADICTED), ("supported", PRESERVED)):
        claim = next((c for c in aligned if c["verdict"] == verdict), None)
        if claim is not None:
            return Cell(status, claim["claim"], claim["sentence"], claim["reason"])
    return Cell(OMITTED)


def segments(summary: str, claims: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """The summary cut into plain text and claimed figures: [(text, claim or None)], in order."""
    pieces: list[tuple[str, dict[str, Any] | None]] = []
    position = 0
    for claim in sorted(claims, key=lambda c: c["span"][0]):
        start, end = claim["span"]
        if start < position or end > len(summary) or summary[start:end] != claim["claim"]:
            continue  # a span that does not point at its figure is left unmarked rather than misplaced
        pieces.append((summary[position:start], None))
        pieces.append((summary[start:end], claim))
        position = end
    pieces.append((summary[position:], None))
    return [(text, claim) for text, claim in pieces if text]
