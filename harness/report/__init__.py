"""Reports: one or more results directories side by side, as report.md (charts as PNG beside it) and a
self-contained report.html: leaderboard, charts, paired comparisons, fact matrix, per-document views,
and the signatures and configs that reproduce every number."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import harness
from harness.report.compare import compare, compared_metrics
from harness.report.data import ReportData, load_report_data
from harness.report.factmatrix import fact_matrix, segments
from harness.report.tables import leaderboard
from harness.store import RunData, atomic_write_bytes, atomic_write_text

MAX_DOCUMENTS = 50  # per-document sections shown; the leaderboard and comparisons use every document
REPORT_MD, REPORT_HTML, CHARTS_DIR = "report.md", "report.html", "report_files"


def write_report(
    run_dirs: Sequence[str | Path | RunData], out_dir: str | Path | None = None, max_documents: int = MAX_DOCUMENTS
) -> list[Path]:
    """Write report.md, report.html and the chart PNGs for the runs (folders, or runs already read) into
    out_dir (default: the first run's folder)."""
    from harness.report.charts import metric_charts, to_png, to_svg
    from harness.report.html import render_html
    from harness.report.markdown import render_markdown

    data = load_report_data(run_dirs)
    out = Path(out_dir) if out_dir else data.runs[0].path
    context = build_context(data, max_documents)
    written = []
    chart_files: dict[str, str] = {}
    for name, figure in metric_charts(data.models, data.scorers):
        context["charts"].append({"name": name, "svg": to_svg(figure)})
        path = out / CHARTS_DIR / f"{name}.png"
        atomic_write_bytes(path, to_png(figure))
        chart_files[name] = f"{CHARTS_DIR}/{name}.png"
        written.append(path)
    for name, text in ((REPORT_MD, render_markdown(context, chart_files)), (REPORT_HTML, render_html(context))):
        atomic_write_text(out / name, text)
        written.append(out / name)
    return written


def build_context(data: ReportData, max_documents: int = MAX_DOCUMENTS) -> dict[str, Any]:
    """Everything the renderers show, as plain values (model text left raw: each renderer escapes it)."""
    headers, rows = leaderboard(data.models, data.scorers)
    metrics = compared_metrics(data.scorers)
    names = [run.run.get("name", run.path.name) for run in data.runs]
    rouge = (data.runs[0].run.get("config", {}).get("metrics", {}) or {}).get("rouge") or {}
    return {
        "title": "Summarization report: " + " vs ".join(names),
        "version": harness.__version__,
        "runs": [_run_view(run) for run in data.runs],
        "documents": list(data.documents),
        "models": [model.key for model in data.models],
        "leaderboard": {"headers": headers, "rows": rows},
        "rouge_rule": f"{rouge.get('multi_reference', 'max')} over references, stemming {'on' if rouge.get('stemmer', True) else 'off'}",
        "confidence": f"{data.confidence * 100:g}",
        "bootstrap": data.bootstrap,
        "seed": data.seed,
        "charts": [],
        "comparisons": [compare(a, b, metrics, data.bootstrap, data.confidence, data.seed) for a, b in itertools.combinations(data.models, 2)],
        "comparison_labels": [metric.label for _, metric in metrics],
        "document_views": [_document_view(doc, data) for doc in list(data.documents.values())[:max_documents]],
        "omitted_documents": max(0, len(data.documents) - max_documents),
    }


def _run_view(run: Any) -> dict[str, Any]:
    git = run.run.get("git") or {}
    return {
        "name": run.run.get("name", run.path.name),
        "created": run.run.get("created", ""),
        "commit": git.get("commit"),
        "config_path": run.run.get("config_path"),
        "config": json.dumps(run.run.get("config", {}), indent=2, ensure_ascii=False),
        "versions": json.dumps(run.run.get("versions", {}), indent=2),
        "signatures": run.run.get("signatures", {}),
    }


def _document_view(document: dict[str, Any], data: ReportData) -> dict[str, Any]:
    summaries = []
    for model in data.models:
        row = model.scores.get(document["doc_id"])
        if row is None:
            continue
        facts = row.get("facts") or {}
        extractive = row.get("extractive") or {}
        stats = f"{row.get('words', 0)} words"
        if facts:
            stats += f"; {facts['supported']}/{facts['claims_total']} figures supported"
            if facts.get("key_fact_recall") is not None:
                kept = sum(k["status"] == "preserved" for k in facts["key_facts"])
                stats += f"; key facts kept {kept}/{len(facts['key_facts'])}"
        if extractive.get("density") is not None:
            stats += f"; density {extractive['density']:.1f}"
        summaries.append(
            {
                "model": model.key,
                "error": row.get("error"),
                "segments": segments(row["summary"], facts.get("claims", [])) if row.get("summary") else [],
                "stats": stats,
            }
        )
    has_facts = any(model.scores.get(document["doc_id"], {}).get("facts") for model in data.models)
    return {
        "doc_id": document["doc_id"],
        "title": document.get("title"),
        "references": document.get("references", []),
        "paragraphs": [p for p in document["article"].split("\n\n") if p.strip()],
        "summaries": summaries,
        "matrix": fact_matrix(document, data.models, data.gold) if has_facts else [],
    }
