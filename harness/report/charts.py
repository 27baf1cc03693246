"""Charts for reports: ROUGE with confidence bars per model, and fact scores per model.

matplotlib's object API (no pyplot, so no global state or GUI backend); SVG for the self-contained
HTML, PNG beside the Markdown. SVG ids are salted with a fixed string and the date left out, so the
same results give the same bytes.
"""

from __future__ import annotations

import functools
import io
import logging
from typing import Any

from harness.report.data import ModelResult
from harness.report.tables import ROUGE_LABELS

log = logging.getLogger(__name__)
WIDTH, HEIGHT = 7.5, 3.4
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


def _figure() -> Any:
    """A new figure, or None (charts left out, said once) when matplotlib, an optional extra, is missing."""
    try:
        import matplotlib
    except ImportError:
        _say_no_charts()
        return None

    matplotlib.rcParams["svg.hashsalt"] = "summarization-harness"
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, HEIGHT), dpi=100, layout="constrained")


def _bars(ax: Any, labels: list[str], series: list[tuple[str, list[float | None], list[tuple[float, float] | None]]]) -> None:
    """Grouped bars: one group per label, one bar per series, with error bars where given."""
    width = 0.8 / max(len(series), 1)
    for index, (name, values, intervals) in enumerate(series):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        heights = [v if v is not None else 0.0 for v in values]
        errors = [[max(0.0, h - iv[0]) if iv else 0.0 for h, iv in zip(heights, intervals)],
                  [max(0.0, iv[1] - h) if iv else 0.0 for h, iv in zip(heights, intervals)]]  # fmt: skip
        ax.bar(xs, heights, width, label=name, color=COLOURS[index % len(COLOURS)], yerr=errors, capsize=3, ecolor="#333333")
    ax.set_xticks(range(len(labels)), labels, rotation=20 if max(map(len, labels), default=0) > 12 else 0, ha="right" if max(map(len, labels), default=0) > 12 else "center")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _interval(stat: dict[str, Any]) -> tuple[float, float] | None:
    """The bootstrap interval x100, or None when there is none (one document gives a point)."""
    low, high = stat.get("low"), stat.get("high")
    return (low * 100, high * 100) if low is not None and high is not None and high > low else None


def rouge_chart(models: list[ModelResult]) -> Any | None:
    """ROUGE F1 x100 per model and type, with the bootstrap interval as error bars."""
    types = [t for t in ROUGE_LABELS if any((m.summary.get("rouge") or {}).get(t) for m in models)]
    if not types:
        return None
    figure = _figure()
    if figure is None:
        return None
    ax = figure.add_subplot()
    series = []
    for rouge_type in types:
        values, intervals = [], []
        for model in models:
            stat = ((model.summary.get("rouge") or {}).get(rouge_type) or {}).get("fmeasure") or {}
            values.append(stat["mean"] * 100 if stat.get("mean") is not None else None)
            intervals.append(_interval(stat))
        series.append((ROUGE_LABELS[rouge_type], values, intervals))
    _bars(ax, [m.key for m in models], series)
    ax.set_ylabel("F1 x 100")
    ax.set_ylim(0, max([v for _, values, _ in series for v in values if v is not None] + [1]) * 1.25)
    ax.set_title("ROUGE per model (bars: bootstrap confidence interval)")
    ax.legend(ncols=len(types), fontsize="small", loc="upper right")
    return figure


def facts_chart(models: list[ModelResult]) -> Any | None:
    """Key-fact recall (with its interval) and numeric precision per model, in %."""
    if not any(m.summary.get("facts") for m in models):
        return None
    figure = _figure()
    if figure is None:
        return None
    ax = figure.add_subplot()
    recall, recall_ci, precision = [], [], []
    for model in models:
        facts = model.summary.get("facts") or {}
        stat = facts.get("key_fact_recall") or {}
        recall.append(stat["mean"] * 100 if stat.get("mean") is not None else None)
        recall_ci.append(_interval(stat))
        micro = facts.get("numeric_precision_micro")
        precision.append(micro * 100 if micro is not None else None)
    _bars(ax, [m.key for m in models], [("key-fact recall", recall, recall_ci), ("numeric precision", precision, [None] * len(models))])
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("%")
    ax.set_title("Facts per model: key facts kept, figures supported by the article")
    ax.legend(ncols=2, fontsize="small", loc="upper right")
    return figure


@functools.lru_cache(maxsize=1)
def _say_no_charts() -> None:
    log.warning('reports have no charts: matplotlib is not installed (pip install "summarization-harness[charts]")')


def to_svg(figure: Any) -> str:
    """The figure as an inline <svg> element (no XML prolog)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def to_png(figure: Any) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
