"""The harness's ROUGE engine against Google's rouge-score on every evaldata pair: equal scores, and how much faster.

Pairs (reference, summary) from ../shared/evaldata: each judged summary against each reference of its article,
and each article's lead-1, lead-2 and lead-3 sentences against each of its references. Both sides go through
`sentence_lines` first, as harness/scoring/rouge.py does for rougeLsum (the splitting is done once, before
timing: it is the same input for both). Then, in one run, rouge-score and the engine score the same pairs, and
every Score of every type is compared exactly (repr of the namedtuples: same floats, same int zeros).

    .venv/bin/python benchmarks/rouge_exact.py [--evaldata DIR] [--limit N] [--no-stemmer]

Prints pairs compared, mismatches (must be 0), pairs/s of each and the ratio; "text cache off" is the engine
re-tokenizing every text of every pair (tokens are still stemmed once), the case where no text repeats. Each
engine starts empty: its first-time stemming is in its time. Rates are per CPU second of this process
(time.process_time), which a machine shared with other work disturbs less than wall time; wall is shown too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from harness.scoring.rouge import sentence_lines  # noqa: E402
from harness.scoring.rouge_engine import RougeEngine  # noqa: E402
from harness.text import split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
LEAD_PREFIX_CHARS = 2000  # lead sentences are split from this much of the article: pysbd is slow on whole ones


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_pairs(evaldata: Path) -> list[tuple[str, str]]:
    """(reference, summary) pairs, both one sentence per line as the harness feeds rougeLsum."""
    articles = {a["id"]: a for a in read_jsonl(evaldata / "articles.jsonl") if a.get("references")}
    raw: list[tuple[str, str]] = []
    for judged in read_jsonl(evaldata / "judged_summaries.jsonl"):
        article = articles.get(judged["article_id"])
        if article:
            raw.extend((ref["text"], judged["summary"]) for ref in article["references"])
    for article in articles.values():
        sentences = split_sentences(article["article"][:LEAD_PREFIX_CHARS])
        for k in (1, 2, 3):
            raw.extend((ref["text"], " ".join(sentences[:k])) for ref in article["references"])
    return [(sentence_lines(reference), sentence_lines(summary)) for reference, summary in raw]


def timed(scorer, pairs: list[tuple[str, str]]) -> tuple[list, float, float]:
    """Scores of every pair, and the CPU and wall seconds they took."""
    cpu, wall = time.process_time(), time.perf_counter()
    scores = [scorer.score(reference, summary) for reference, summary in pairs]
    return scores, time.process_time() - cpu, time.perf_counter() - wall


def line(name: str, pairs: int, cpu: float, wall: float, baseline: float | None = None) -> str:
    """One row of the timing table; the ratio is of CPU seconds against rouge-score's."""
    ratio = f"  {baseline / cpu:5.1f}x" if baseline else ""
    return f"{name:<24}{pairs / cpu:9.0f} pairs/s  ({cpu:6.2f} s CPU, {wall:6.2f} s wall){ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaldata", type=Path, default=ROOT.parent / "shared" / "evaldata")
    parser.add_argument("--limit", type=int, help="score only the first N pairs")
    parser.add_argument("--no-stemmer", action="store_true", help="compare without the Porter stemmer")
    args = parser.parse_args()
    if not (args.evaldata / "articles.jsonl").is_file():
        sys.exit(f"rouge_exact: no articles.jsonl in {args.evaldata} (pass --evaldata DIR)")
    stem = not args.no_stemmer

    pairs = build_pairs(args.evaldata)[: args.limit]
    print(f"machine: {_machine.describe()}")
    print(f"types: {','.join(TYPES)}  stemmer: {'porter' if stem else 'no'}")
    print(f"pairs: {len(pairs)} ({len({r for r, _ in pairs})} distinct references, "
          f"{len({s for _, s in pairs})} distinct summaries)")

    reference_scores, reference_cpu, reference_wall = timed(
        rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem), pairs
    )
    engine_scores, engine_cpu, engine_wall = timed(RougeEngine(TYPES, use_stemmer=stem), pairs)
    _, uncached_cpu, uncached_wall = timed(RougeEngine(TYPES, use_stemmer=stem, max_cached_texts=0), pairs)

    mismatches = [
        (index, rouge_type)
        for index, (expected, got) in enumerate(zip(reference_scores, engine_scores))
        for rouge_type in TYPES
        if repr(expected[rouge_type]) != repr(got[rouge_type])
    ]
    print(f"pairs compared: {len(pairs)} ({len(pairs) * len(TYPES)} scores)")
    print(f"mismatches: {len(mismatches)}")
    for index, rouge_type in mismatches[:5]:
        print(f"  pair {index} {rouge_type}: rouge-score {reference_scores[index][rouge_type]} "
              f"engine {engine_scores[index][rouge_type]}")
    print(line("rouge-score", len(pairs), reference_cpu, reference_wall))
    print(line("engine", len(pairs), engine_cpu, engine_wall, reference_cpu))
    print(line("engine, text cache off", len(pairs), uncached_cpu, uncached_wall, reference_cpu))
    print(f"ratio (engine / rouge-score throughput, CPU time): {reference_cpu / engine_cpu:.1f}x")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
