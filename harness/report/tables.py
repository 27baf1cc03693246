"""The results table: one row per model, shared by the terminal output and summary.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.scoring import SCORERS, Declarations, Metric, value_at


def format_ci(stat: dict[str, float | None] | None, scale: float = 100.0) -> str:
    """"41.2 [38.0–44.1]" for a mean with its interval; just the mean when the interval is empty or degenerate."""
    if not stat or stat.get("mean") is None:
        return "–"
    mean, low, high = stat["mean"], stat.get("low"), stat.get("high")
    text = f"{mean * scale:.1f}"
    if low is not None and high is not None and high > low:
        text += f" [{low * scale:.1f}–{high * scale:.1f}]"
    return text


def scorer_declarations(run: dict[str, Any], summary: dict[str, Any]) -> list[Declarations]:
    """The scorers of a run as its run.json declares them (older runs: the registry's defaults)."""
    recorded = run.get("scorers")
    if isinstance(recorded, dict) and recorded:
        return [Declarations.from_record(name, record) for name, record in recorded.items()]
    present = {name for stats in summary.get("models", {}).values() for name in stats or {}}
    return [Declarations.from_record(name, cls().describe()) for name, cls in SCORERS.items() if name in present]


def metric_cell(stat: Any, metric: Metric) -> str:
    """A model's figure for a metric: "41.2 [38.0–44.1]", "67% [33–100]", or a plain mean."""
    if isinstance(stat, (int, float)) and not isinstance(stat, bool):
        return f"{stat * metric.scale:.1f}" if metric.scale != 1 else f"{stat:.2f}"
    if metric.unit == "%":
        return percent(stat)
    return format_ci(stat, scale=metric.scale)


def scorer_columns(scorers: list[Declarations], column_only: bool = True) -> list[tuple[str, Any]]:
    """(header, cell function of a model's summary entry) for every declared metric and count."""
    columns: list[tuple[str, Any]] = []
    for scorer in scorers:
        for metric in scorer.metrics:
            if metric.column or not column_only:
                columns.append((metric.label, lambda stats, s=scorer.name, m=metric: metric_cell(value_at(stats.get(s), m.path), m)))
        for count in scorer.counts:
            if count.column or not column_only:
                columns.append((count.label, lambda stats, s=scorer.name, c=count: _count_cell(stats.get(s), c.name)))
    return columns


def _count_cell(figures: dict[str, Any] | None, name: str) -> str:
    return "–" if not figures or figures.get(name) is None else str(figures[name])


def summary_table(summary: dict[str, Any], run: dict[str, Any] | None = None) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: per model each scorer's declared columns, then words, seconds per summary, failures."""
    models = summary.get("models", {})
    columns = scorer_columns(scorer_declarations(run or {}, summary))
    headers = ["model", *(header for header, _ in columns), "words", "seconds", "failed"]
    rows = []
    for name, stats in models.items():
        rows.append(
            [
                name,
                *(cell(stats) for _, cell in columns),
                f"{stats['words']:.0f}" if stats.get("words") is not None else "–",
                f"{stats['seconds_per_summary']:.2f}" if stats.get("seconds_per_summary") is not None else "–",
                str(stats.get("failed", 0)),
            ]
        )
    return headers, rows


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    align = ["---"] + ["---:"] * (len(headers) - 1)
    return "\n".join([line(headers), "| " + " | ".join(align) + " |", *(line(row) for row in rows)]) + "\n"


def summary_markdown(summary: dict[str, Any], run: dict[str, Any]) -> str:
    """summary.md: the table, the document count, and the signatures that make it reproducible."""
    headers, rows = summary_table(summary, run)
    n = summary.get("documents", 0)
    lines = [f"# {run.get('name', 'run')}", "", markdown_table(headers, rows).rstrip(), ""]
    level = f"{(summary.get('confidence') or 0.95) * 100:g}%"
    lines.append(f"ROUGE F1 x100, mean over {n} document{'s' if n != 1 else ''}" + (f" with {level} bootstrap intervals." if n > 1 else " (one document: no interval)."))
    if any(m.get("facts") for m in summary.get("models", {}).values()):
        lines.append("key facts: key facts of the fact table the summaries keep, over all documents; num. prec.: numeric claims"
                     " supported by the article; contra. / not in art.: claims the article contradicts / does not contain.")
    lines += ["", "Signatures:", ""]
    lines += [f"- `{signature}`" for signature in run.get("signatures", {}).values()]
    return "\n".join(lines) + "\n"


def percent(stat: dict[str, float | None] | None) -> str:
    """A 0-1 mean with its interval as percentages: "67% [33–100]"."""
    if not stat or stat.get("mean") is None:
        return "–"
    text = f"{stat['mean'] * 100:.0f}%"
    if stat.get("low") is not None and stat.get("high") is not None and stat["high"] > stat["low"]:
        text += f" [{stat['low'] * 100:.0f}–{stat['high'] * 100:.0f}]"
    return text


@dataclass(frozen=True)
class Column:
    """A leaderboard column: its header, a model's cell, and the number the cell sorts by."""

    header: str
    cell: Callable[[dict[str, Any]], str]
    sort: Callable[[dict[str, Any]], float | None]
    title: str = ""


def _mean(stat: Any) -> float | None:
    value = stat.get("mean") if isinstance(stat, dict) else stat
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def leaderboard_columns(scorers: list[Declarations], details: bool = False) -> list[Column]:
    """The report's columns. The short table: each scorer's declared column metrics and counts, then failures.
    The details table (details=True): every metric and count, length, time, tokens and documents."""
    columns = []
    for scorer in scorers:
        for metric in scorer.metrics:
            if metric.column or details:
                get = lambda stats, s=scorer.name, m=metric: value_at(stats.get(s), m.path)  # noqa: E731
                columns.append(
                    Column(
                        metric.label,
                        lambda stats, g=get, m=metric: metric_cell(g(stats), m),
                        lambda stats, g=get, k=metric.scale: None if _mean(g(stats)) is None else _mean(g(stats)) * k,
                        f"{scorer.name}: {metric.key}, mean over documents" + (" with its bootstrap interval" if metric.interval else ""),
                    )
                )
        for count in scorer.counts:
            if count.column or details:
                get = lambda stats, s=scorer.name, c=count: (stats.get(s) or {}).get(c.name)  # noqa: E731
                columns.append(Column(count.label, lambda stats, g=get: "–" if g(stats) is None else str(g(stats)), get, f"{scorer.name}: {count.name}, summed over documents"))
    if details:
        columns += [
            Column("docs", lambda st: _number(st.get("documents"), "{:.0f}"), lambda st: st.get("documents"), "documents the model summarized"),
            Column("words", lambda st: _number(st.get("words"), "{:.0f}"), lambda st: st.get("words"), "mean words per summary"),
            Column("s/summary", lambda st: _number(st.get("seconds_per_summary"), "{:.2f}"), lambda st: st.get("seconds_per_summary"), "seconds per generated summary"),
            Column("tokens in", lambda st: _number(st.get("tokens_in"), "{:,.0f}"), lambda st: st.get("tokens_in"), "prompt tokens, over the summaries that report them"),
            Column("tokens out", lambda st: _number(st.get("tokens_out"), "{:,.0f}"), lambda st: st.get("tokens_out"), "generated tokens"),
        ]
    columns.append(Column("failed", lambda st: str(st.get("failed", 0)), lambda st: st.get("failed", 0), "documents the model failed to summarize"))
    return columns


def leaderboard(models: list[Any], scorers: list[Declarations], details: bool = False) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the report's leaderboard (short, or with every figure)."""
    columns = leaderboard_columns(scorers, details)
    return ["model", *(c.header for c in columns)], [[model.key, *(c.cell(model.summary) for c in columns)] for model in models]


def _number(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)
