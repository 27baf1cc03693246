"""A CNN/DM-sized test set end to end: 11,490 documents, three systems, scored and reported.

Builds a JSONL dataset from ../shared/evaldata (the articles that have a human reference, cycled under
distinct ids until there are 11,490, the size of the CNN/DailyMail test set) and a precomputed system (each
article's first judged summary), then runs lead-3, textrank-3 and the precomputed system through the
library with ROUGE, the fact checker, the extractive statistics and the report, cache off. Prints the seconds
per stage as the run recorded them, the wall time, peak memory (this process and its worker processes), and
the ratio of the harness's whole run to rouge-score alone on the same summary/reference pairs (rouge-score
timed on a sample of the pairs and scaled to all of them: scoring every pair with it takes minutes).

    .venv/bin/python benchmarks/scale.py [--documents 11490] [--workers N] [--output DIR]

Targets (issue 14, on a 2-core machine): the whole run under 120 s, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

from harness.config import parse_config  # noqa: E402
from harness.runner import run  # noqa: E402

EVALDATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata"
CNNDM_TEST = 11_490
ROUGE_SAMPLE = 1_000


def build_dataset(folder: Path, documents: int) -> tuple[Path, Path, list[tuple[str, str]]]:
    """The JSONL dataset, the precomputed system's JSONL, and every (summary, reference) pair the run scores."""
    articles = [json.loads(line) for line in (EVALDATA / "articles.jsonl").open(encoding="utf-8")]
    articles = [a for a in articles if a["references"]]
    judged: dict[str, str] = {}
    for line in (EVALDATA / "judged_summaries.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        judged.setdefault(row["article_id"], row["summary"])
    dataset, system = folder / "documents.jsonl", folder / "system.jsonl"
    pairs: list[tuple[str, str]] = []
    with dataset.open("w", encoding="utf-8") as docs, system.open("w", encoding="utf-8") as summaries:
        for index in range(documents):
            article = articles[index % len(articles)]
            doc_id = f"{article['id']}-{index // len(articles)}"
            references = [{"id": f"ref{i}", "text": ref["text"]} for i, ref in enumerate(article["references"])]
            docs.write(json.dumps({"id": doc_id, "article": article["article"], "references": references}) + "\n")
            summary = judged.get(article["id"]) or article["references"][0]["text"]
            summaries.write(json.dumps({"doc_id": doc_id, "summary": summary}) + "\n")
            pairs += [(summary, ref["text"]) for ref in references]
    return dataset, system, pairs


def rouge_score_seconds(pairs: list[tuple[str, str]]) -> float:
    """rouge-score's time for all pairs, from a timed random sample (one sentence per line, as the harness scores)."""
    from rouge_score import rouge_scorer

    from harness.scoring.rouge import sentence_lines

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    sample = random.Random(0).sample(pairs, min(ROUGE_SAMPLE, len(pairs)))
    started = time.perf_counter()
    for summary, reference in sample:
        scorer.score(sentence_lines(reference), sentence_lines(summary))
    return (time.perf_counter() - started) * len(pairs) / len(sample)


class WorkerMemory(threading.Thread):
    """Samples the resident memory of this process's Python descendants (the pool workers) every 0.2 s.

    getrusage(RUSAGE_CHILDREN) would report a forked child's copy-on-write pages as its own (a `git` run forked
    from a 2 GB driver "peaks" at 2 GB), so the workers are measured where they live, in /proc.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stopped.wait(0.2):
            for pid in _descendants(os.getpid()):
                try:
                    if b"python" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
                self.peak_mb = max(self.peak_mb, rss / 1024)


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def peak_memory_mb() -> float:
    """Peak resident memory of this process (the driver), in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Build the dataset, run the three systems, print the stage table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=CNNDM_TEST)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: the config's default, all cores)")
    parser.add_argument("--output", type=Path, default=None, help="keep the run here (default: a temporary folder)")
    args = parser.parse_args()
    if not EVALDATA.is_dir():
        sys.exit(f"needs {EVALDATA} (the shared evaluation data beside the checkout)")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.output or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        dataset, system, pairs = build_dataset(folder, args.documents)
        built = time.perf_counter() - started
        config = {
            "name": "scale",
            "dataset": {"path": str(dataset)},
            "models": [
                {"name": "lead-3", "backend": "lead", "sentences": 3},
                {"name": "textrank-3", "backend": "textrank", "sentences": 3},
                {"name": "published", "backend": "precomputed", "path": str(system)},
            ],
            "output": str(folder / "results"),
            "cache": False,
            "report": True,
        }
        if args.workers is not None:
            config["workers"] = args.workers
        workers = WorkerMemory()
        workers.start()
        started = time.perf_counter()
        result = run(parse_config(config))
        wall = time.perf_counter() - started
        workers.stopped.set()
        own, children = peak_memory_mb(), workers.peak_mb
        reference_seconds = rouge_score_seconds(pairs)
    print(f"machine: {_machine.describe()}")
    print(f"{args.documents} documents x 3 systems = {len(result.scores)} summaries, {len(pairs)} summary/reference pairs per system")
    print(f"dataset built in {built:.1f} s (not counted)")
    print("| stage | seconds |")
    print("|---|---:|")
    for stage, seconds in result.stages.items():
        print(f"| {stage} | {seconds:.1f} |")
    print(f"| **whole run (wall)** | **{wall:.1f}** |")
    print(f"peak memory: {own:.0f} MB (driver), {children:.0f} MB (largest worker process, sampled every 0.2 s)")
    scored_pairs = 3 * len(pairs)
    print(f"rouge-score alone on the same {scored_pairs} pairs: {reference_seconds * 3:.1f} s (timed on {min(ROUGE_SAMPLE, len(pairs))} pairs)"
          f"; whole harness run / rouge-score alone = {wall / (reference_seconds * 3):.2f}")  # fmt: skip
    print(f"target: whole run under 120 s -> {'met' if wall < 120 else 'NOT met'}; peak memory under 2 GB -> {'met' if max(own, children) < 2048 else 'NOT met'}")


if __name__ == "__main__":
    main()
