"""Sentence splitting, word counting and other text helpers shared by every stage.

One sentence splitter serves the whole harness (extractive summarizers, ROUGE-Lsum, fact evidence), so
that a sentence means the same thing everywhere. It is pysbd (Sadvilkar & Popovic, 2020): rule-based,
offline, and it keeps "Sept. 9", "Mr. Kirby" and "U.S." inside their sentences, which a regex on
periods does not.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pysbd

SPLITTER_NAME = f"pysbd-{getattr(pysbd, '__version__', 'unknown')}"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w+(?:[’'.,\-]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """A sentence with its character offsets in the text it came from (`text[start:end] == sentence`)."""

    text: str
    start: int
    end: int


_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    # A pysbd Segmenter keeps state between calls: one per thread, or threads get each other's sentences.
    if not hasattr(_local, "segmenter"):
        _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return _local.segmenter


def paragraphs(text: str) -> list[Span]:
    """Split text on blank lines into stripped paragraphs with offsets."""
    spans = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + chunk.index(stripped)
            spans.append(Span(stripped, start, start + len(stripped)))
        position = match.end() if match else len(text)
    return spans


def sentence_spans(text: str) -> list[Span]:
    """Split text into sentences with character offsets; paragraphs never share a sentence."""
    spans = []
    for paragraph in paragraphs(text):
        # pysbd reads a single newline as a sentence break only sometimes; inside a paragraph
        # a line break is layout, not punctuation.
        flat = paragraph.text.replace("\n", " ")
        for piece in _segmenter().segment(flat):
            stripped = piece.sent.strip()
            if not stripped:
                continue
            start = paragraph.start + piece.start + piece.sent.index(stripped)
            spans.append(Span(text[start : start + len(stripped)], start, start + len(stripped)))
    return spans


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (pysbd, paragraph-aware)."""
    return [span.text for span in sentence_spans(text)]


def words(text: str) -> list[str]:
    """Word tokens of text: runs of letters and digits, keeping "275,000"-style groups and "don't" whole."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    """Number of word tokens in text."""
    return len(words(text))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs, trim lines, and keep at most one blank line between paragraphs."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
