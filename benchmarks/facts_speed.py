"""Speed of the numeric fact checker: checking 1,000 summaries against their prepared fact tables.

Summaries and articles come from ../shared/evaldata (the judged model summaries, cycled to reach
the count); without it, from the self-test variants of the seed references. Fact tables are built
first and timed apart: a run extracts each article's table once and checks every model's summary
against it. One process, one core.

    .venv/bin/python benchmarks/facts_speed.py [--n 1000] [--evaldata DIR] [--references DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from itertools import cycle, islice
from pathlib import Path

from harness.documents import load_documents
from harness.facts import check_summary, extract_facts, signature
from harness.facts.extract import extract_mentions
from harness.facts.selftest import perturbations, rewrites
from harness.facts.table import table_for_document


def machine() -> str:
    """CPU model, logical cores and Python version, in one line."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, Python {platform.python_version()} on {platform.system()}"


def evaldata_pairs(directory: Path) -> list[tuple[str, str]]:
    """(article, summary) pairs of the judged summaries."""
    articles = {}
    with (directory / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            articles[record["id"]] = record["article"]
    with (directory / "judged_summaries.jsonl").open(encoding="utf-8") as lines:
        return [(articles[r["article_id"]], r["summary"]) for r in map(json.loads, lines)]


def seed_pairs(references: Path) -> list[tuple[str, object]]:
    """(table, summary) pairs from the self-test variants of the seed references."""
    pairs = []
    for document in load_documents(references):
        table = table_for_document(document)
        for reference in document.references:
            claims = [m for m in extract_mentions(reference.text) if m.quantity.claimable]
            variants = [reference.text] + [text for _, _, text in perturbations(reference.text, claims, table)]
            variants += [text for _, _, text in rewrites(reference.text, claims)]
            pairs += [(table, text) for text in variants]
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="summaries to check (default 1000)")
    parser.add_argument("--evaldata", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "evaldata")
    parser.add_argument("--references", type=Path, default=Path("references"))
    args = parser.parse_args(argv)

    if (args.evaldata / "judged_summaries.jsonl").is_file():
        source = f"{args.evaldata} (judged summaries)"
        raw = list(islice(cycle(evaldata_pairs(args.evaldata)), args.n))
        started = time.perf_counter()
        tables = {}
        for article, _ in raw:
            if article not in tables:
                tables[article] = extract_facts(article)
        table_seconds = time.perf_counter() - started
        pairs = [(tables[article], summary) for article, summary in raw]
        rate = len(tables) / table_seconds
        table_note = f"{len(tables)} fact tables extracted in {table_seconds:.2f} s ({rate:.0f}/s)"
    else:
        source = f"{args.references} (self-test variants of the reference summaries)"
        pairs = list(islice(cycle(seed_pairs(args.references)), args.n))
        table_note = "fact tables: from the seed documents (not timed)"

    started = time.perf_counter()
    claims = 0
    for table, summary in pairs:
        claims += len(check_summary(summary, table).claims)
    seconds = time.perf_counter() - started

    print(f"checker: {signature()}")
    print(f"machine: {machine()}")
    print(f"data: {source}")
    print(table_note)
    print(f"checked {len(pairs)} summaries ({claims} numeric claims) in {seconds:.2f} s: "
          f"{len(pairs) / seconds:.0f} summaries/s, {1000 * seconds / len(pairs):.2f} ms per summary")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
