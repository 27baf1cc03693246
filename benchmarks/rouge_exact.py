"""The harness's ROUGE engine against Google's rouge-score on every evaldata pair: equal scores, and how much faster.

Pairs (reference, summary) from ../shared/evaldata: each judged summary against each reference of its article,
and each article's lead-1, lead-2 and lead-3 sentences against each of its references. Both sides go through
`sentence_lines` first, as harness/scoring/rouge.py does for rougeLsum (the splitting is done once, before
timing: it is the same input for both). Then, in one run, rouge-score and the engine score the same pairs, and
every Score of every type is compared exactly (repr of the namedtuples: same floats, same int zeros).

    .venv/bin/python benchmarks/rouge_exact.py [--evaldata DIR] [--limit N] [--stemmer porter|none|both]

Prints, per stemmer setting, pairs compared, mismatches (must be 0), pairs/s of each and the ratio. "text cache
off" is the engine re-tokenizing every text of every pair (tokens are still stemmed once), the case where no
text repeats. Each engine starts empty: its first-time stemming is in its time. The scorers take turns every 50
pairs, and rates are per CPU second of this process (time.process_time): both make the ratio steady on a
machine shared with other work. Wall seconds are shown too. Exit status 1 on any mismatch.
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


def side_by_side(pairs: list[tuple[str, str]], stem: bool, chunk: int = 50) -> dict[str, tuple[list, float, float]]:
    """Each scorer's scores, CPU seconds and wall seconds, taking turns chunk by chunk.

    Turns, not one scorer after the other: on a machine shared with other work the load changes by the
    second, and taking turns every few dozen pairs gives every scorer the same share of it. Each engine
    starts empty and keeps its caches from chunk to chunk, as over one pass.
    """
    scorers = {
        "rouge-score": rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem),
        "engine": RougeEngine(TYPES, use_stemmer=stem),
        "engine, text cache off": RougeEngine(TYPES, use_stemmer=stem, max_cached_texts=0),
    }
    results: dict[str, tuple[list, float, float]] = {name: ([], 0.0, 0.0) for name in scorers}
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        for name, scorer in scorers.items():
            cpu, wall = time.process_time(), time.perf_counter()
            scores = [scorer.score(reference, summary) for reference, summary in part]
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            done, cpu_total, wall_total = results[name]
            results[name] = (done + scores, cpu_total + cpu, wall_total + wall)
    return results


def compare(pairs: list[tuple[str, str]], stem: bool) -> int:
    """Print the comparison for one stemmer setting; the number of mismatching scores."""
    print(f"\n## types {','.join(TYPES)}, stemmer: {'porter' if stem else 'none'}")
    results = side_by_side(pairs, stem)
    expected, baseline, _ = results["rouge-score"]
    engine_scores = results["engine"][0]
    mismatches = [
        (index, rouge_type)
        for index, (want, got) in enumerate(zip(expected, engine_scores))
        for rouge_type in TYPES
        if repr(want[rouge_type]) != repr(got[rouge_type])
    ]
    mismatches += [
        (index, rouge_type)
        for index, (want, got) in enumerate(zip(expected, results["engine, text cache off"][0]))
        for rouge_type in TYPES
        if repr(want[rouge_type]) != repr(got[rouge_type])
    ]
    print(f"pairs compared: {len(pairs)} ({len(pairs) * len(TYPES)} scores, each engine)")
    print(f"mismatches: {len(mismatches)}")
    for index, rouge_type in mismatches[:5]:
        print(f"  pair {index} {rouge_type}: rouge-score {expected[index][rouge_type]}")
    for name, (_, cpu, wall) in results.items():
        ratio = f"  {baseline / cpu:5.1f}x" if name != "rouge-score" else ""
        print(f"{name:<24}{len(pairs) / cpu:8.0f} pairs/s  ({cpu:6.2f} s CPU, {wall:6.2f} s wall){ratio}")
    print(f"ratio (engine / rouge-score throughput, CPU time): {baseline / results['engine'][1]:.1f}x")
    return len(mismatches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaldata", type=Path, default=ROOT.parent / "shared" / "evaldata")
    parser.add_argument("--limit", type=int, help="score only the first N pairs")
    parser.add_argument("--stemmer", choices=("porter", "none", "both"), default="both",
                        help="compare with the Porter stemmer (the harness's default), without, or both")
    args = parser.parse_args()
    if not (args.evaldata / "articles.jsonl").is_file():
        sys.exit(f"rouge_exact: no articles.jsonl in {args.evaldata} (pass --evaldata DIR)")

    pairs = build_pairs(args.evaldata)[: args.limit]
    print(f"machine: {_machine.describe()}")
    print(f"pairs: {len(pairs)} ({len({r for r, _ in pairs})} distinct references, "
          f"{len({s for _, s in pairs})} distinct summaries)")
    settings = {"porter": [True], "none": [False], "both": [True, False]}[args.stemmer]
    mismatches = sum(compare(pairs, stem) for stem in settings)
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
