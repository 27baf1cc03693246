"""A document in detail: summary cards with the judged spans marked, the fact matrix, references, article.

Also the small naming helpers the sections share: a document's heading and an anchor-safe slug.
"""

from __future__ import annotations

from typing import Any

from harness.report.data import Dataset, ModelResult, ReportData
from harness.report.evidence import judged_spans, marked
from harness.report.factmatrix import OMITTED, fact_matrix, rows_that_matter
from harness.report.trouble import DocumentTrouble, Flag
from harness.report.view import Cell, DocumentView, Inline, Row, Span, SummaryCard, Table


def slug(text: str) -> str:
    """An anchor-safe form of a name: letters and digits, the rest dashes."""
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "x"


def heading(document: dict[str, Any], width: int = 90) -> str:
    """A document's title, else its opening words (ids are often hashes)."""
    title = (document.get("title") or "").strip()
    if title:
        return title
    text = " ".join(document.get("article", "").split())
    if len(text) <= width:
        return text or document["doc_id"]
    return text[:width].rsplit(" ", 1)[0] + "…"


def document_view(anchor: str, dataset: Dataset, data: ReportData, document: dict[str, Any], trouble: DocumentTrouble,
                  views: list[Any], flags: list[Flag]) -> DocumentView:  # fmt: skip
    """One document in detail: its summary cards with judged spans marked, its fact matrix, references and article."""
    cards = []
    flagged = {x.model for x in trouble.summaries if x.flagged}
    for model in dataset.models:
        row = model.scores.get(document["doc_id"])
        if row is None:
            continue
        if row.get("error"):
            cards.append(SummaryCard(f"{anchor}-{slug(model.key)}", model.key, "", "", True, str(row["error"])))
            continue
        summary = row.get("summary") or ""
        facts = row.get("facts") or {}
        stats = [f"{row.get('words', len(summary.split()))} words"]
        if facts:
            stats.append(f"{facts.get('supported', 0)}/{facts.get('claims_total', 0)} claims supported")
            if facts.get("key_facts"):
                kept = sum(k["status"] == "preserved" for k in facts["key_facts"])
                stats.append(f"key facts kept {kept}/{len(facts['key_facts'])}")
        cards.append(SummaryCard(f"{anchor}-{slug(model.key)}", model.key, marked(summary, judged_spans(row, views)), "; ".join(stats), model.key in flagged))
    has_facts = any((m.scores.get(document["doc_id"]) or {}).get("facts") for m in dataset.models)
    matrix = fact_matrix_table(f"{anchor}-facts", document, dataset.models, data.gold) if has_facts else None
    meta: list[Inline] = [Span(document["doc_id"], code=True), f" · {dataset.label}"]
    problems = [f"{v} {f.count.name.replace('_', ' ')}" for v, f in zip(trouble.flags, flags) if v]
    if trouble.lost:
        problems.append(f"{trouble.lost} key facts lost")
    if trouble.failed:
        problems.append(f"{trouble.failed} failed")
    if problems:
        meta.append(Span(" · " + ", ".join(problems), cls="trouble-note"))
    references = [(str(r.get("id", "")), str(r.get("text", ""))) for r in document.get("references", [])]
    paragraphs = [p for p in document.get("article", "").split("\n\n") if p.strip()]
    return DocumentView(anchor, heading(document), meta, trouble.flagged, cards, references, paragraphs, matrix)


def fact_matrix_table(table_id: str, document: dict[str, Any], models: list[ModelResult], gold: bool) -> Table:
    """The document's facts that matter (key facts and those some summary states), a column per model."""
    rows, hidden = rows_that_matter(fact_matrix(document, models, gold))
    keys = [m.key for m in models]
    table_rows = []
    for row in rows:
        noun = f" ({row.noun})" if row.noun else ""
        cells = [Cell(Span(("★ " if row.key else "") + row.fact_id, title=row.evidence), header=True), Cell(row.text + noun)]
        for key in keys:
            cell = row.cells.get(key)
            if cell is None:
                cells.append(Cell("–"))
                continue
            text = f"{cell.status}: “{cell.claim}”" if cell.claim else cell.status
            minor = " minor" if cell.status == OMITTED and not row.key else ""
            cells.append(Cell(Span(text, title=f"{cell.sentence} ({cell.reason})" if cell.sentence else ""), cls=cell.status + minor))
        table_rows.append(Row(cells))
    if hidden:
        table_rows.append(Row([Cell(Span(f"{hidden} other facts of the article: no summary states them", cls="muted"))] + [Cell("") for _ in range(len(keys) + 1)]))
    return Table(table_id, ["fact", "article says", *keys], table_rows, numeric=[False] * (len(keys) + 2), sortable=False, cls="fact-matrix")
