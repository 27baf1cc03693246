"""Extractive fragments (Grusky et al., 2018): the harness's suffix-automaton walk against the direct algorithm.

The direct algorithm is the harness's former `fragments` (copied below): at each summary position it extends
a match from every article position holding the same word and keeps the longest. It is quick on news text
but roughly cubic on repetitive text: `harness run` on an article of "word " * 40000 ran for minutes.

Inputs, all as lower-cased word tokens (harness.scoring.extractive.tokens), tokenized once before timing:
- evaldata: every judged summary of ../shared/evaldata/judged_summaries.jsonl against its article (model
  summaries, mostly abstractive), and the lead-3 of every article against it (the extractive baseline's
  summaries: long copies); skipped when the folder is absent.
- repetitive: one word repeated N times as article and summary (a lead-3 of a text with no sentence
  breaks is the whole text), and a sentence repeated to N words with a summary of two copies of it joined
  by a novel word, for N up to --max-words (the direct algorithm's time grows with N^2 to N^3).

Every pair is scored by both, and the fragment lists are compared exactly. The two take turns every 50 pairs
(each repetitive pair is its own turn), and times are CPU seconds of this process (time.process_time), so a
machine shared with other work slows both alike. Prints pairs/s of each and the ratio (direct CPU time /
harness CPU time: above 1 means the harness is faster), then the harness alone on 40,000 repeated words.

    .venv/bin/python benchmarks/extractive_fragments.py [--evaldata DIR] [--limit N] [--max-words N]

Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

from harness.scoring.extractive import fragments, tokens  # noqa: E402
from harness.text import split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
Pair = tuple[list[str], list[str]]  # (summary tokens, article tokens)


def direct_fragments(summary: Sequence[str], article: Sequence[str]) -> list[int]:
    """The harness's former implementation (until this benchmark's commit), kept as the baseline."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, token in enumerate(article):
        positions[token].append(index)
    found = []
    i = 0
    while i < len(summary):
        best = 0
        for j in positions.get(summary[i], ()):
            length = 0
            while i + length < len(summary) and j + length < len(article) and summary[i + length] == article[j + length]:
                length += 1
            best = max(best, length)
        if best:
            found.append(best)
        i += max(best, 1)
    return found


def evaldata_pairs(evaldata: Path) -> tuple[list[Pair], list[Pair]]:
    """Each judged summary's tokens with its article's tokens; each article's lead-3 tokens with its tokens."""
    with (evaldata / "articles.jsonl").open(encoding="utf-8") as handle:
        articles = {record["id"]: record["article"] for record in map(json.loads, handle) if record}
    judged_pairs = []
    with (evaldata / "judged_summaries.jsonl").open(encoding="utf-8") as handle:
        for judged in map(json.loads, handle):
            if judged["article_id"] in articles:
                judged_pairs.append((tokens(judged["summary"]), tokens(articles[judged["article_id"]])))
    lead_pairs = [(tokens(" ".join(split_sentences(article)[:3])), tokens(article)) for article in articles.values()]
    return judged_pairs, lead_pairs


def repetitive_pairs(max_words: int) -> list[tuple[str, Pair]]:
    """Named repetitive pairs, doubling the length from 250 words up to max_words."""
    sentence = tokens("The committee met again on Monday and the committee said the talks went on.")
    pairs = []
    n = 250
    while n <= max_words:
        pairs.append((f"one word x{n}", (["word"] * n, ["word"] * n)))
        article = (sentence * (n // len(sentence) + 1))[:n]
        pairs.append((f"one sentence to {n} words", (article + ["novel"] + article, article)))
        n *= 2
    return pairs


def side_by_side(pairs: list[Pair], chunk: int) -> dict[str, tuple[list[list[int]], float]]:
    """Each implementation's fragment lists and CPU seconds, taking turns chunk by chunk."""
    candidates: dict[str, Callable[[Sequence[str], Sequence[str]], list[int]]] = {
        "direct": direct_fragments,
        "harness": fragments,
    }
    results: dict[str, tuple[list[list[int]], float]] = {name: ([], 0.0) for name in candidates}
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        for name, function in candidates.items():
            cpu = time.process_time()
            found = [function(summary, article) for summary, article in part]
            cpu = time.process_time() - cpu
            done, total = results[name]
            results[name] = (done + found, total + cpu)
    return results


def report(label: str, pairs: list[Pair], chunk: int) -> int:
    """Print one comparison line; the number of pairs whose fragments differ."""
    results = side_by_side(pairs, chunk)
    (direct, direct_cpu), (harness_found, harness_cpu) = results["direct"], results["harness"]
    mismatches = sum(want != got for want, got in zip(direct, harness_found))
    words = sum(len(article) for _, article in pairs)
    print(f"{label:<28}{len(pairs):6d} pairs {words:9d} article words  direct {direct_cpu:8.3f} s  "
          f"harness {harness_cpu:7.3f} s  ratio {direct_cpu / max(harness_cpu, 1e-9):8.2f}x  mismatches {mismatches}")
    return mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaldata", type=Path, default=ROOT.parent / "shared" / "evaldata")
    parser.add_argument("--limit", type=int, help="only the first N pairs of each evaldata set")
    parser.add_argument("--max-words", type=int, default=2000, help="longest repetitive text (default 2000)")
    args = parser.parse_args()

    print(f"machine: {_machine.describe()}")
    print("ratio = direct CPU s / harness CPU s (above 1: the harness is faster)")
    mismatches = 0
    if (args.evaldata / "judged_summaries.jsonl").is_file():
        judged, leads = evaldata_pairs(args.evaldata)
        mismatches += report("evaldata judged summaries", judged[: args.limit], chunk=50)
        mismatches += report("evaldata lead-3", leads[: args.limit], chunk=50)
    else:
        print(f"evaldata: skipped, no judged_summaries.jsonl in {args.evaldata} (pass --evaldata DIR)")
    for label, pair in repetitive_pairs(args.max_words):
        mismatches += report(label, [pair], chunk=1)

    long_text = ["word"] * 40000
    cpu = time.process_time()
    found = fragments(long_text, long_text)
    print(f"harness alone, one word x40000 as article and summary: {time.process_time() - cpu:.3f} s CPU, "
          f"fragments {found}")
    mismatches += found != [40000]
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
