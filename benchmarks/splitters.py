"""Sentence splitters judged on gold boundaries, and their speed on news articles, side by side in one run.

Candidates: pysbd, sentencex, blingfire, nupunkt, and the harness's own splitter (harness.text). Every
candidate is called the way the harness calls its splitter: paragraphs (blank lines) first, line breaks
inside a paragraph read as spaces, offsets mapped back to the original text.

Gold sets:
- frank: FRANK summaries in ../shared/evaldata/judged_summaries.jsonl with two or more `summary_sentences`,
  joined with one space; the gold boundaries are the source's own sentence list.
- hand: tests/data/sentences_gold.jsonl, hand-written and hand-checked article sentences (abbreviations,
  decimals, quotes, initials, URLs, datelines, XSum-style glued sentences, lists, lower-case starts).

Metrics per gold set: exact (share of documents whose sentence list equals the gold list), and precision,
recall and F1 of the sentence boundaries (start offsets of every sentence after the first) pooled over
documents. Speed: milliseconds per article of ../shared/evaldata/articles.jsonl (the same evenly spaced
sample for every candidate, whole articles through the paragraph-aware wrapper), CPU time, best of --repeat passes.

    .venv/bin/python benchmarks/splitters.py [--articles 200] [--repeat 3] [--show NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

from harness import text as harness_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EVALDATA = ROOT.parent / "shared" / "evaldata"
if not EVALDATA.is_dir():
    EVALDATA = Path("/work/shared/evaldata")
HAND_GOLD = ROOT / "tests" / "data" / "sentences_gold.jsonl"

Splitter = Callable[[str], list[tuple[int, int]]]  # paragraph text (no line breaks) -> (start, end) pieces


@dataclass(frozen=True)
class Doc:
    """A gold document: its text and its sentences, in order."""

    id: str
    text: str
    sentences: list[str]


@dataclass(frozen=True)
class Score:
    """Accuracy of one candidate on one gold set."""

    documents: int
    exact: float
    precision: float
    recall: float
    f1: float


def _locate(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Offsets of each piece's stripped text, found in order (for libraries that return strings)."""
    spans, position = [], 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        start = text.find(stripped, position)
        if start < 0:
            raise ValueError(f"splitter changed the text: {stripped[:60]!r} not found after offset {position}")
        spans.append((start, start + len(stripped)))
        position = start + len(stripped)
    return spans


def _pysbd() -> tuple[str, Splitter]:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return f"pysbd-{metadata.version('pysbd')}", lambda text: _locate(text, [p.sent for p in segmenter.segment(text)])


def _sentencex() -> tuple[str, Splitter]:
    import sentencex

    return f"sentencex-{metadata.version('sentencex')}", lambda text: _locate(text, list(sentencex.segment("en", text)))


def _blingfire() -> tuple[str, Splitter]:
    import blingfire

    def split(text: str) -> list[tuple[int, int]]:
        # Offsets, not text_to_sentences: that one rewrites whitespace. Slice and re-locate to stay exact.
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return _locate(text, [text[start:end] for start, end in offsets])

    return f"blingfire-{metadata.version('blingfire')}", split


def _nupunkt() -> tuple[str, Splitter]:
    import nupunkt

    return f"nupunkt-{metadata.version('nupunkt')}", lambda text: _locate(text, nupunkt.sent_tokenize(text))


LIBRARIES = (_pysbd, _sentencex, _blingfire, _nupunkt)


def paragraph_aware(split: Splitter) -> Callable[[str], list[str]]:
    """Sentences of a text as the harness would split it with `split`: paragraphs first, newlines as spaces."""

    def sentences(text: str) -> list[str]:
        out = []
        for paragraph in harness_text.paragraphs(text):
            flat = paragraph.text.replace("\n", " ")
            out.extend(paragraph.text[start:end] for start, end in split(flat))
        return out

    return sentences


def candidates() -> dict[str, Callable[[str], list[str]]]:
    """Every candidate by name (with its version), the harness's own last."""
    found = {}
    for factory in LIBRARIES:
        try:
            name, split = factory()
        except ImportError as error:
            print(f"skipped: {error}")
            continue
        found[name] = paragraph_aware(split)
    found[f"harness: {harness_text.SPLITTER_NAME}"] = harness_text.split_sentences
    return found


def load_frank() -> list[Doc]:
    """FRANK summaries with two or more sentences, joined with one space."""
    docs = []
    with open(EVALDATA / "judged_summaries.jsonl", encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            gold = row.get("summary_sentences") or []
            if row["source"]["name"] == "FRANK" and len(gold) >= 2:
                gold = [s.strip() for s in gold if s.strip()]
                docs.append(Doc(row["id"], " ".join(gold), gold))
    return docs


def load_hand() -> list[Doc]:
    """The hand-checked gold sentences committed with the tests."""
    with open(HAND_GOLD, encoding="utf-8") as rows:
        return [Doc(row["id"], row["text"], row["sentences"]) for row in map(json.loads, rows)]


def _starts(text: str, sentences: list[str]) -> set[int]:
    """Boundary offsets: where every sentence after the first starts."""
    return {start for start, _ in _locate(text, sentences)[1:]}


def score(split: Callable[[str], list[str]], docs: list[Doc]) -> tuple[Score, list[tuple[Doc, list[str]]]]:
    """Exact-match rate and pooled boundary precision/recall/F1; the documents it got wrong."""
    exact = true_positive = predicted = relevant = 0
    wrong = []
    for doc in docs:
        got = [s.strip() for s in split(doc.text) if s.strip()]
        if got == doc.sentences:
            exact += 1
        else:
            wrong.append((doc, got))
        gold_starts, got_starts = _starts(doc.text, doc.sentences), _starts(doc.text, got)
        true_positive += len(gold_starts & got_starts)
        predicted += len(got_starts)
        relevant += len(gold_starts)
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / relevant if relevant else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(len(docs), exact / len(docs), precision, recall, f1), wrong


def sample_articles(count: int) -> list[str]:
    """An evenly spaced sample of the evaldata articles (all of them when count is 0 or larger)."""
    with open(EVALDATA / "articles.jsonl", encoding="utf-8") as rows:
        articles = [json.loads(line)["article"] for line in rows]
    if 0 < count < len(articles):
        step = len(articles) / count
        articles = [articles[int(i * step)] for i in range(count)]
    return articles


def speed(split: Callable[[str], list[str]], articles: list[str], repeat: int) -> float:
    """CPU milliseconds per article, best of `repeat` passes (the first call warms caches and lazy loads).

    CPU time of this process, not wall time: on a shared machine other processes would otherwise be billed
    to whichever candidate happened to run while they did.
    """
    split(articles[0])
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for article in articles:
            split(article)
        best = min(best, time.process_time() - started)
    return 1000 * best / len(articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200, help="articles timed per candidate (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes per candidate; the best counts")
    parser.add_argument("--show", metavar="NAME", help="print the documents this candidate (name prefix) gets wrong")
    args = parser.parse_args()

    gold = {"frank": load_frank(), "hand": load_hand()}
    articles = sample_articles(args.articles)
    print(f"machine: {_machine.describe()}")
    print(f"gold: frank {len(gold['frank'])} summaries, hand {len(gold['hand'])} documents; "
          f"speed: {len(articles)} articles, {sum(map(len, articles)) / len(articles):.0f} characters on average")
    print()
    print("| splitter | frank exact | frank P / R / F1 | hand exact | hand P / R / F1 | CPU ms / article |")
    print("|---|---:|---:|---:|---:|---:|")
    failures = {}
    for name, split in candidates().items():
        cells = []
        for set_name, docs in gold.items():
            result, wrong = score(split, docs)
            failures[(name, set_name)] = wrong
            cells += [f"{100 * result.exact:.1f}%",
                      f"{100 * result.precision:.1f} / {100 * result.recall:.1f} / {100 * result.f1:.1f}"]
        print(f"| {name} | {' | '.join(cells)} | {speed(split, articles, args.repeat):.3f} |")
    if args.show:
        for (name, set_name), wrong in failures.items():
            if name.startswith((args.show, f"harness: {args.show}")):
                print(f"\n{name} on {set_name}: {len(wrong)} documents wrong")
                for doc, got in wrong:
                    print(f"- {doc.id}\n  gold: {doc.sentences}\n  got:  {got}")


if __name__ == "__main__":
    main()
