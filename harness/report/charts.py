"""Charts for reports: ROUGE with confidence bars per model, and fact scores per model.

matplotlib's object API (no pyplot, so no global state or GUI backend); SVG for the self-contained
HTML, PNG beside the Markdown. SVG ids are salted with a fixed string and the date left out, so the
same results give the same bytes.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from typing import Any

from harness.report.data import ModelResult
from harness.scoring import Declarations, Metric, value_at

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


def metric_charts(models: list[ModelResult], scorers: list[Declarations]) -> list[tuple[str, Any]]:
    """One chart per chart group the scorers declare (ROUGE F1, facts, ...): a bar per metric and model."""
    groups: dict[str, list[tuple[str, Metric]]] = {}
    for scorer in scorers:
        for metric in scorer.metrics:
            if metric.chart:
                groups.setdefault(metric.chart, []).append((scorer.name, metric))
    charts = []
    for title, metrics in groups.items():
        figure = metric_chart(models, title, metrics)
        if figure is not None:
            charts.append((re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"), figure))
    return charts


def metric_chart(models: list[ModelResult], title: str, metrics: list[tuple[str, Metric]]) -> Any | None:
    """Bars of each model's mean per metric (shown at the metric's scale), with bootstrap intervals as error bars."""
    series = []
    for scorer, metric in metrics:
        values, intervals = [], []
        for model in models:
            stat = value_at(model.summary.get(scorer), metric.path)
            if not isinstance(stat, dict):
                stat = {"mean": stat}
            values.append(stat["mean"] * metric.scale if stat.get("mean") is not None else None)
            interval = _interval(stat)
            intervals.append((interval[0] * metric.scale / 100, interval[1] * metric.scale / 100) if interval else None)
        if any(v is not None for v in values):
            series.append((metric.label, values, intervals))
    if not series:
        return None
    figure = _figure()
    if figure is None:
        return None
    ax = figure.add_subplot()
    _bars(ax, [m.key for m in models], series)
    units = {metric.unit for _, metric in metrics}
    ax.set_ylabel("%" if units == {"%"} else ("x 100" if all(m.scale == 100 for _, m in metrics) else ""))
    ax.set_ylim(0, max([v for _, values, _ in series for v in values if v is not None] + [1]) * 1.25)
    ax.set_title(f"{title} per model (bars: bootstrap confidence interval)")
    ax.legend(ncols=min(len(series), 4), fontsize="small", loc="upper right")
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
