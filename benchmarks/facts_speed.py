"""Speed of the numeric fact checker: fact tables per second, and summaries checked per second against them.

Summaries and articles come from ../shared/evaldata (the judged model summaries, cycled to reach
the count); without it, from the self-test variants of the seed references. Fact tables are built
first and timed apart: a run extracts each article's table once and checks every model's summary
against it. Times are CPU seconds of this one process (one core), so a busy machine slows them less
than wall time. Each rate is given twice: with the harness's sentence splitter, and with the sentences
given (as a run that splits each article once passes them), which is the checker's own cost.
Targets (issue 14): a table in under 5 ms, 2,000 checks/s or more.

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
from harness.facts.keys import table_for_document
from harness.facts.selftest import perturbations, rewrites
from harness.facts.sentences import fact_sentences


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


def _default_evaldata() -> Path:
    """../shared/evaldata beside the checkout (or beside a folder of worktrees above it)."""
    here = Path(__file__).resolve().parents[1]
    found = [folder / "shared" / "evaldata" for folder in here.parents if (folder / "shared" / "evaldata").is_dir()]
    return found[0] if found else here.parent / "shared" / "evaldata"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="summaries to check (default 1000)")
    parser.add_argument("--evaldata", type=Path, default=_default_evaldata())
    parser.add_argument("--references", type=Path, default=Path("references"))
    args = parser.parse_args(argv)

    lines = []
    if (args.evaldata / "judged_summaries.jsonl").is_file():
        source = f"{args.evaldata} (judged summaries)"
        raw = list(islice(cycle(evaldata_pairs(args.evaldata)), args.n))
        articles = list(dict.fromkeys(article for article, _ in raw))
        started = time.process_time()
        split = {article: fact_sentences(article) for article in articles}
        split_seconds = time.process_time() - started
        started = time.process_time()
        tables = {article: extract_facts(article, sentences=split[article]) for article in articles}
        table_seconds = time.process_time() - started
        pairs = [(tables[article], summary) for article, summary in raw]
        lines.append(_rate("fact tables, sentences given", len(tables), table_seconds, "tables"))
        lines.append(_rate("fact tables, with the splitter", len(tables), table_seconds + split_seconds, "tables"))
    else:
        source = f"{args.references} (self-test variants of the reference summaries)"
        pairs = list(islice(cycle(seed_pairs(args.references)), args.n))
        lines.append("fact tables: from the seed documents (not timed)")

    check_summary("warm-up: the word lists of lower-cased names load once per process.", pairs[0][0])
    started = time.process_time()
    claims = sum(len(check_summary(summary, table).claims) for table, summary in pairs)
    seconds = time.process_time() - started
    split = {summary: fact_sentences(summary) for _, summary in pairs}
    started = time.process_time()
    for table, summary in pairs:
        check_summary(summary, table, sentences=split[summary])
    given_seconds = time.process_time() - started
    lines.append(_rate("checks, sentences given", len(pairs), given_seconds, "summaries"))
    lines.append(_rate("checks, with the splitter", len(pairs), seconds, "summaries"))

    print(f"checker: {signature()}")
    print(f"machine: {machine()}")
    print(f"data: {source}; {len(pairs)} summaries, {claims} numeric claims")
    print("\n".join(lines))
    return 0


def _rate(what: str, count: int, seconds: float, unit: str) -> str:
    """One line: '<what>: N in S s CPU = R <unit>/s, M ms each'."""
    return (f"  {what:<32} {count:>6} in {seconds:6.2f} s CPU = {count / seconds:8.0f} {unit}/s, "
            f"{1000 * seconds / count:6.2f} ms each")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
