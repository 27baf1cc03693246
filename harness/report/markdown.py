"""report.md: the same report as Markdown, charts as PNG files beside it.

Every value the report shows (model text, and the names, dates, options and signatures read from
run.json, which anyone can edit) is escaped for Markdown: angle brackets and ampersands become entities
(so no viewer renders a summary's or a run name's `<img onerror=...>` as HTML), Markdown's own marks are
backslash-escaped, and code spans and fences are made longer than any backtick run they hold.
"""

from __future__ import annotations

import re
from typing import Any

from harness.report.tables import markdown_table

_MARKS = {"supported": "✓", "contradicted": "✗", "not_in_article": "?"}


def escape(text: str, marks: str = "\\`*_[]#|") -> str:
    """Text safe to put into Markdown prose: no HTML, no accidental emphasis or links."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in marks:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _cell(text: str) -> str:
    """escape() for a table cell: markdown_table escapes the pipes itself."""
    return escape(text, marks="\\`*_[]#")


def _code(text: str) -> str:
    """An inline code span that shows text literally: its fence is longer than any backtick run in it."""
    text = str(text).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(context: dict[str, Any], chart_files: dict[str, str]) -> str:
    """The report as Markdown; chart_files maps a chart name to its PNG path relative to report.md."""
    lines = [f"# {escape(context['title'])}", ""]
    runs = ", ".join(f"{_code(run['name'])} ({escape(str(run['created']))})" for run in context["runs"])
    lines += [f"{len(context['documents'])} document(s); runs: {runs}.", "", "## Leaderboard", ""]
    board = context["leaderboard"]
    lines += [markdown_table([_cell(h) for h in board["headers"]], [[_cell(cell) for cell in row] for row in board["rows"]]).rstrip(), ""]
    lines += [f"ROUGE F1 x100 ({escape(context['rouge_rule'])}); brackets: {escape(context['confidence'])}% bootstrap interval over documents.", ""]
    if chart_files:
        lines += ["## Charts", ""] + [f"![{name}]({path})" for name, path in chart_files.items()] + [""]
    lines += ["## Paired comparisons", ""]
    if not context["comparisons"]:
        lines.append("One model: nothing to compare.")
    else:
        if len(context["documents"]) < 2:
            lines += ["**One document cannot support significance:** the differences are shown without a test.", ""]
        labels = context["comparison_labels"]
        rows = []
        for c in context["comparisons"]:
            by_label = {d.label: d for d in c.differences}
            rows.append([f"{_cell(c.a)} − {_cell(c.b)}", str(c.documents), *(_difference(by_label.get(label)) for label in labels), _cell(c.verdict)])
        lines += [markdown_table(["A − B", "docs", *map(_cell, labels), "verdict"], rows).rstrip(), ""]
        lines.append(f"Mean difference x100 over shared documents; **bold**: p < 0.05, paired bootstrap ({escape(str(context['bootstrap']))} resamples).")
    lines += ["", "## Fact matrix", "", "★ key fact; cells: preserved / omitted / contradicted (the summary's figure in quotes).", ""]
    models = context["models"]
    for doc in context["document_views"]:
        if not doc["matrix"]:
            continue
        lines += [f"### {escape(doc['doc_id'])}", ""]
        rows = []
        for row in doc["matrix"]:
            cells = [_matrix_cell(row.cells.get(model)) for model in models]
            noun = f" ({row.noun})" if row.noun else ""
            rows.append([("★ " if row.key else "") + _cell(row.fact_id), _cell(row.text + noun), *cells])
        lines += [markdown_table(["fact", "article says", *(_cell(m) for m in models)], rows).rstrip(), ""]
    lines += ["## Documents", "", "Figures are marked ✓ supported, ✗ contradicted, ? not in the article.", ""]
    for doc in context["document_views"]:
        lines += [f"### {escape(doc['doc_id'])}", ""]
        for summary in doc["summaries"]:
            if summary["error"]:
                lines += [f"**{escape(summary['model'])}**: failed: {escape(summary['error'])}", ""]
                continue
            text = "".join(escape(t) + (f" [{_MARKS[c['verdict']]}]" if c else "") for t, c in summary["segments"])
            lines += [f"**{escape(summary['model'])}**: {text}", "", f"<sub>{escape(summary['stats'])}</sub>", ""]
        for ref in doc["references"]:
            lines += [f"*reference {escape(ref['id'])}*: {escape(ref['text'])}", ""]
    lines += ["## Reproducibility", ""]
    for run in context["runs"]:
        lines += [f"### {escape(run['name'])}", ""] + [f"- {_code(signature)}" for signature in run["signatures"].values()]
        fence = _fence(run["config"])
        lines += ["", f"{fence}json", run["config"], fence, ""]
    return "\n".join(lines) + "\n"


def _difference(d: Any) -> str:
    if d is None:
        return "–"
    text = f"{d.mean * d.scale:+.1f}" + (f" (p={d.p:.3f})" if d.p is not None else "")
    return f"**{text}**" if d.significant else text


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _matrix_cell(cell: Any) -> str:
    if cell is None:
        return "–"
    return f"{_cell(cell.status)}: “{_cell(cell.claim)}”" if cell.claim else _cell(cell.status)
