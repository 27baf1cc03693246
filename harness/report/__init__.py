"""Reports: one or more results directories side by side, as report.md (charts as PNG beside it) and a
self-contained report.html, both rendered from one data model (harness.report.view) by Jinja templates.

The top of the report is short: per dataset, the verdicts that matter, the leaderboard and the charts.
Then paired comparisons (only between models of one dataset), what went wrong (documents ordered by
trouble, each model's flagged summaries), the fact matrix aggregated by kind of fact, the worst documents
and a sample in detail, and the signatures and configs that reproduce every number. Sized for
CNN/DM-scale runs: detail is shown for at most `max_documents` documents per dataset; the rest stays in
the runs' JSONL.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import harness
from harness.report.data import ReportData, load_report_data
from harness.report.output import keep_others
from harness.report.sections import build_page
from harness.report.view import Chart, Page
from harness.runlock import report_out
from harness.runtime import collector_paused
from harness.store import RunData, staged, write_staged

MAX_DOCUMENTS = 50  # documents shown in detail per dataset; every other section uses every document
REPORT_MD, REPORT_HTML, CHARTS_DIR = "report.md", "report.html", "report_files"

__all__ = ["MAX_DOCUMENTS", "build_page", "load_report_data", "write_report"]


def write_report(
    run_dirs: Sequence[str | Path | RunData], out_dir: str | Path | None = None, max_documents: int = MAX_DOCUMENTS
) -> list[Path]:
    """Write report.md, report.html and the chart PNGs for the runs (folders, or runs already read) into
    out_dir (default: the first run's folder)."""
    from harness.report.render import render_html, render_markdown

    with collector_paused():
        data = load_report_data(run_dirs)
        # before any chart is drawn: nobody's report.md or chart is overwritten, no report lands in another run's folder
        out = report_out(Path(out_dir) if out_dir else data.runs[0].path, [run.path for run in data.runs], (REPORT_MD, REPORT_HTML))
        keep_others(out, (REPORT_MD, REPORT_HTML), CHARTS_DIR)  # nor a chart, nor anything through a report_files link
        # staged and swapped in together: a failed write (a full disk) keeps the previous report whole, never a new
        # report.md beside an old report.html, nor half a report in a new folder
        with staged(out, (REPORT_MD, REPORT_HTML, CHARTS_DIR), "report") as staging:
            charts = draw_charts(data, staging)
            page = build_page(data, max_documents, charts)
            for name, text in ((REPORT_MD, render_markdown(page, harness.__version__)), (REPORT_HTML, render_html(page, harness.__version__))):
                write_staged(staging / name, text)
    return [out / chart.png for listed in charts.values() for chart in listed] + [out / REPORT_MD, out / REPORT_HTML]


def draw_charts(data: ReportData, out: Path) -> dict[str, list[Chart]]:
    """Each dataset's charts: SVG kept for the page, PNG written into out's report_files/ (beside report.md)."""
    from harness.report.charts import metric_charts, to_png, to_svg

    charts: dict[str, list[Chart]] = {}
    many = len(data.datasets) > 1
    for dataset in data.datasets:
        for stem, title, figure in metric_charts(dataset.models, data.scorers):
            name = f"{dataset.key}-{stem}" if many else stem
            write_staged(out / CHARTS_DIR / f"{name}.png", to_png(figure))
            label = f"{title}, {dataset.label}" if many else title
            charts.setdefault(dataset.key, []).append(Chart(name, label, to_svg(figure), f"{CHARTS_DIR}/{name}.png"))
    return charts


def page_of(run_dirs: Sequence[str | Path | RunData], max_documents: int = MAX_DOCUMENTS) -> Page:
    """The report's data model without charts (for tests and tools)."""
    return build_page(load_report_data(run_dirs), max_documents)
