"""The results table: one row per model, shared by the terminal output and summary.md."""

from __future__ import annotations

from typing import Any

ROUGE_LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}


def format_ci(stat: dict[str, float | None] | None, scale: float = 100.0) -> str:
    """"41.2 [38.0–44.1]" for a mean with its interval; just the mean when the interval is empty or degenerate."""
    if not stat or stat.get("mean") is None:
        return "–"
    mean, low, high = stat["mean"], stat.get("low"), stat.get("high")
    text = f"{mean * scale:.1f}"
    if low is not None and high is not None and high > low:
        text += f" [{low * scale:.1f}–{high * scale:.1f}]"
    return text


def summary_table(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: per model ROUGE F1 (x100, with CIs), fact checks, words, seconds per summary, failures."""
    models = summary.get("models", {})
    rouge_types = next((list(m["rouge"].keys() - {"n"}) for m in models.values() if m.get("rouge")), [])
    rouge_types = sorted(rouge_types, key=lambda t: list(ROUGE_LABELS).index(t) if t in ROUGE_LABELS else 99)
    with_facts = any(m.get("facts") for m in models.values())
    fact_headers = ["key facts", "num. prec.", "contra.", "not in art."] if with_facts else []
    headers = ["model", *(f"{ROUGE_LABELS.get(t, t)} F1" for t in rouge_types), *fact_headers, "words", "seconds", "failed"]
    rows = []
    for name, stats in models.items():
        rouge = stats.get("rouge") or {}
        rows.append(
            [
                name,
                *(format_ci(rouge.get(t, {}).get("fmeasure")) for t in rouge_types),
                *(fact_cells(stats.get("facts")) if with_facts else []),
                f"{stats['words']:.0f}" if stats.get("words") is not None else "–",
                f"{stats['seconds_per_summary']:.2f}" if stats.get("seconds_per_summary") is not None else "–",
                str(stats.get("failed", 0)),
            ]
        )
    return headers, rows


def fact_cells(facts: dict[str, Any] | None) -> list[str]:
    """Key facts kept ("2/3"), numeric precision (%), contradicted and not-in-article claim counts."""
    if not facts:
        return ["–"] * 4
    kept = f"{facts['key_facts_preserved']}/{facts['key_facts_total']}" if facts["key_facts_total"] else "–"
    return [
        kept,
        precision_cell(facts, missing="no claims"),
        str(facts["contradicted"]),
        str(facts["not_in_article"]),
    ]


def precision_cell(facts: dict[str, Any], missing: str = "–") -> str:
    """Numeric precision over all claims with its counts: "100% (3/3)"; `missing` when there was no claim."""
    precision = facts.get("numeric_precision_micro")
    return f"{precision * 100:.0f}% ({facts['supported']}/{facts['claims']})" if precision is not None else missing


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    align = ["---"] + ["---:"] * (len(headers) - 1)
    return "\n".join([line(headers), "| " + " | ".join(align) + " |", *(line(row) for row in rows)]) + "\n"


def summary_markdown(summary: dict[str, Any], run: dict[str, Any]) -> str:
    """summary.md: the table, the document count, and the signatures that make it reproducible."""
    headers, rows = summary_table(summary)
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


def leaderboard(models: list[Any]) -> tuple[list[str], list[list[str]]]:
    """The report's wide table: ROUGE with CIs, fact scores, length, extractiveness and time per model."""
    headers = ["model", *(f"{label} F1" for label in ROUGE_LABELS.values()), "key-fact recall", "num. precision",
               "contra.", "not in art.", "words", "coverage", "density", "compression", "s/summary", "failed"]  # fmt: skip
    rows = []
    for model in models:
        stats = model.summary
        rouge = stats.get("rouge") or {}
        facts = stats.get("facts") or {}
        extractive = stats.get("extractive") or {}
        rows.append(
            [
                model.key,
                *(format_ci((rouge.get(t) or {}).get("fmeasure")) for t in ROUGE_LABELS),
                percent(facts.get("key_fact_recall")),
                precision_cell(facts),
                str(facts.get("contradicted", "–")),
                str(facts.get("not_in_article", "–")),
                _number(stats.get("words"), "{:.0f}"),
                _number(extractive.get("coverage"), "{:.2f}"),
                _number(extractive.get("density"), "{:.1f}"),
                _number(extractive.get("compression"), "{:.1f}"),
                _number(stats.get("seconds_per_summary"), "{:.2f}"),
                str(stats.get("failed", 0)),
            ]
        )
    return headers, rows


def _number(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)
