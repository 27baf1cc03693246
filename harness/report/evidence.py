"""Marks on a summary: the spans of it that scorers judged, shown with their verdicts.

Built in: the facts scorer's claims (`facts.claims` of a score row): figures, and entities where a claim
has `claim_kind: "entity"`. The same hook serves any scorer that judges spans of a summary, such as a
sentence-level consistency scorer: a scorer whose run.json record (`Scorer.describe()`) holds

    "evidence": {"path": ["sentences"], "label": "NLI"}

gets each item at that path of its result drawn as a mark. An item is a mapping with `span` ([start, end]
into the summary), `verdict` (supported, contradicted, not_in_article, or any other word), and optionally
`score` (a number), `evidence` (the article text that decides it) and `reason`. Marks nest: a figure inside
a judged sentence is marked inside the sentence's mark; a span that crosses another is left unmarked
rather than misplaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.report.view import Inline, Mark
from harness.scoring import value_at

SYMBOLS = {"supported": "✓", "contradicted": "✗", "not_in_article": "?"}
FLAGGED = ("contradicted", "not_in_article")


@dataclass(frozen=True)
class Judged:
    """One judged span of a summary."""

    start: int
    end: int
    verdict: str
    source: str  # "figure", "entity", or the declaring scorer's label ("NLI")
    note: str  # hover text: what decided it


def evidence_views(records: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, tuple[str, ...], str]]:
    """(scorer, path, label) for every scorer whose record declares an evidence view."""
    views = []
    for name, record in records.items():
        view = record.get("evidence") if isinstance(record, Mapping) else None
        if isinstance(view, Mapping) and isinstance(view.get("path"), (list, tuple)):
            views.append((name, tuple(str(p) for p in view["path"]), str(view.get("label") or name)))
    return views


def judged_spans(row: Mapping[str, Any], views: Sequence[tuple[str, tuple[str, ...], str]]) -> list[Judged]:
    """Every judged span of a score row's summary: the fact claims and each declared evidence view's items."""
    summary = row.get("summary") or ""
    found = []
    for claim in (row.get("facts") or {}).get("claims") or []:
        start, end = claim["span"]
        if 0 <= start < end <= len(summary) and summary[start:end] == claim["claim"]:  # else it would be misplaced
            source = "entity" if (claim.get("claim_kind") or claim.get("kind")) == "entity" else "figure"
            note = f"{source} {claim['verdict'].replace('_', ' ')}: {claim.get('reason') or ''}"
            if claim.get("evidence"):
                note += f" — article: {claim['evidence']}"
            found.append(Judged(start, end, claim["verdict"], source, note))
    for scorer, path, label in views:
        for item in value_at(row.get(scorer), path) or []:
            span = item.get("span") if isinstance(item, Mapping) else None
            if not (isinstance(span, (list, tuple)) and len(span) == 2 and 0 <= span[0] < span[1] <= len(summary)):
                continue
            score = item.get("score")
            note = f"{label} {str(item.get('verdict', '')).replace('_', ' ')}"
            note += f" ({score:.2f})" if isinstance(score, (int, float)) else ""
            note += f": {item['reason']}" if item.get("reason") else ""
            note += f" — article: {item['evidence']}" if item.get("evidence") else ""
            found.append(Judged(int(span[0]), int(span[1]), str(item.get("verdict", "")), label, note))
    return found


def marked(summary: str, spans: Sequence[Judged]) -> list[Inline]:
    """The summary as text and nested marks, in order."""
    return _build(summary, 0, len(summary), sorted(spans, key=lambda j: (j.start, -j.end)))


def _build(text: str, low: int, high: int, spans: list[Judged]) -> list[Inline]:
    out: list[Inline] = []
    position, index = low, 0
    while index < len(spans):
        outer = spans[index]
        inner, index = [], index + 1
        while index < len(spans) and spans[index].start < outer.end:
            if spans[index].end <= outer.end:
                inner.append(spans[index])  # crossing spans are dropped
            index += 1
        if outer.start < position:
            continue
        if outer.start > position:
            out.append(text[position : outer.start])
        symbol = SYMBOLS.get(outer.verdict, outer.verdict)
        marker = f"{symbol} {outer.source}" if outer.source != "figure" else symbol
        cls = f"{outer.verdict} {'sentence' if outer.source not in ('figure', 'entity') else outer.source}"
        out.append(Mark(tuple(_build(text, outer.start, outer.end, inner)), cls, marker, outer.note))
        position = outer.end
    if position < high:
        out.append(text[position:high])
    return out
