"""Charts for reports: one bar chart per chart group the scorers declare, per dataset, with bootstrap
intervals as error bars. A bar far above the rest (a reference scored against itself: 100) would flatten
every other bar, so the axis stops at the largest bar whose interval is not degenerate and taller bars are
cut at the top and labelled with their value.

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
from harness.report.output import CHART_MARK
from harness.scoring import Declarations, Metric, value_at

log = logging.getLogger(__name__)
WIDTH, HEIGHT = 6.6, 3.2
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


def _figure() -> Any:
    """A new figure, or None (charts left out, said once) when matplotlib, an optional extra, is missing."""
    try:
        import matplotlib
    except ImportError:
        _say_no_charts()
        return None

    matplotlib.rcParams["svg.hashsalt"] = "summarization-harness"
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a tenth of the size of glyph paths
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, HEIGHT), dpi=100, layout="constrained")


def _bars(ax: Any, labels: list[str], series: list[tuple[str, list[float | None], list[tuple[float, float] | None]]], top: float) -> None:
    """Grouped bars: one group per label, one bar per series, with error bars; bars above `top` are cut there."""
    width = 0.8 / max(len(series), 1)
    for index, (name, values, intervals) in enumerate(series):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        heights = [v if v is not None else 0.0 for v in values]
        shown = [min(h, top) for h in heights]
        errors = [[max(0.0, min(h, top) - iv[0]) if iv and h <= top else 0.0 for h, iv in zip(heights, intervals)],
                  [max(0.0, min(iv[1], top) - h) if iv and h <= top else 0.0 for h, iv in zip(heights, intervals)]]  # fmt: skip
        ax.bar(xs, shown, width, label=name, color=COLOURS[index % len(COLOURS)], yerr=errors, capsize=3, ecolor="#333333")
        for x, h in zip(xs, heights):
            if h > top:  # cut at the top: say how tall it really is
                ax.text(x, top * 0.97, f"{h:.0f}↑", ha="center", va="top", fontsize=7, color="white", fontweight="bold", rotation=90)
    long = max(map(len, labels), default=0) > 9
    ax.set_xticks(range(len(labels)), labels, rotation=25 if long else 0, ha="right" if long else "center")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def axis_top(series: list[tuple[str, list[float | None], list[tuple[float, float] | None]]]) -> float:
    """Where the value axis stops: above the tallest bar with a real interval (or the tallest bar, when no
    bar is far taller than the others), so one degenerate bar does not flatten the rest."""
    values = [(v, iv) for _, vs, ivs in series for v, iv in zip(vs, ivs) if v is not None]
    tallest = max([max(v, iv[1] if iv else v) for v, iv in values] + [1e-9])
    varied = [iv[1] for v, iv in values if iv is not None]
    if varied and tallest > 1.4 * max(varied):
        return max(varied) * 1.1
    return tallest * 1.15


def _interval(stat: dict[str, Any]) -> tuple[float, float] | None:
    """The bootstrap interval x100, or None when there is none (one document gives a point)."""
    low, high = stat.get("low"), stat.get("high")
    return (low * 100, high * 100) if low is not None and high is not None and high > low else None


def metric_charts(models: list[ModelResult], scorers: list[Declarations]) -> list[tuple[str, str, Any]]:
    """(file stem, title, figure): one chart per chart group the scorers declare (ROUGE F1, facts, ...)."""
    groups: dict[str, list[tuple[str, Metric]]] = {}
    for scorer in scorers:
        for metric in scorer.metrics:
            if metric.chart:
                groups.setdefault(metric.chart, []).append((scorer.name, metric))
    charts = []
    for title, metrics in groups.items():
        figure = metric_chart(models, title, metrics)
        if figure is not None:
            charts.append((re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"), title, figure))
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
    top = axis_top(series)
    _bars(ax, [m.key for m in models], series, top)
    units = {metric.unit for _, metric in metrics}
    ax.set_ylabel("%" if units == {"%"} else ("x 100" if all(m.scale == 100 for _, m in metrics) else ""))
    ax.set_ylim(0, top)
    ax.set_title(f"{title} (error bars: bootstrap interval)", fontsize=10)
    figure.legend(loc="outside lower center", ncols=min(len(series), 4), fontsize="small", frameon=False)
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
    """The figure as PNG bytes, marked as the harness's (a later report may replace it, and nothing else in report_files/)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": CHART_MARK})
    return buffer.getvalue()
