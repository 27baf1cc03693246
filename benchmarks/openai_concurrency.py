"""Wall time of the openai backend against a server that takes a fixed time per reply, by concurrency.

The server is harness.fake_server with --delay, so the ideal time is documents x delay / concurrency;
what is left over is the backend's own cost (HTTP, JSON, reply cleaning, the runner's cache writes).

    .venv/bin/python benchmarks/openai_concurrency.py [--documents 40] [--delay 0.2] [--concurrency 1 4 8 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

from harness.config import parse_config  # noqa: E402
from harness.runner import run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    """The fake server on a free port, and its API root."""
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.fake_server", "--port", "0", "--delay", str(delay)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        raise SystemExit(f"the fake server did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def dataset(folder: Path, documents: int) -> Path:
    """A JSONL file of distinct documents cut from the seed article (distinct texts: no cache sharing)."""
    article = (ROOT / "references" / "syria-talks" / "article.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    path = folder / "docs.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            body = f"Report {i}.\n\n" + "\n\n".join(paragraphs[i % len(paragraphs) :][:4])
            out.write(json.dumps({"id": f"doc-{i}", "article": body, "references": [paragraphs[0]]}) + "\n")
    return path


def timed(url: str, docs: Path, concurrency: int, output: Path) -> float:
    """Seconds to summarize every document with the openai backend (cache off, scorers off)."""
    config = parse_config({
        "name": f"c{concurrency}", "dataset": {"path": str(docs)}, "output": str(output), "cache": False, "report": False,
        "metrics": {"rouge": None, "facts": None, "extractive": None},
        "models": [{"name": "served", "backend": "openai", "base_url": url, "model": "fake", "concurrency": concurrency}],
    })
    started = time.perf_counter()
    result = run(config)
    seconds = time.perf_counter() - started
    if result.failures:
        raise SystemExit(f"run failed: {result.failures}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server takes per reply")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8, 16])
    args = parser.parse_args()
    print(f"machine: {_machine.describe()}")
    print(f"{args.documents} documents, server delay {args.delay:g} s per reply\n")
    print("| concurrency | seconds | ideal (documents x delay / concurrency) | overhead per document |")
    print("|---:|---:|---:|---:|")
    process, url = start_server(args.delay)
    try:
        with tempfile.TemporaryDirectory() as folder:
            docs = dataset(Path(folder), args.documents)
            for concurrency in args.concurrency:
                seconds = timed(url, docs, concurrency, Path(folder) / "out")
                ideal = args.documents * args.delay / concurrency
                print(f"| {concurrency} | {seconds:.2f} | {ideal:.2f} | {(seconds - ideal) / args.documents * 1000:.1f} ms |")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
