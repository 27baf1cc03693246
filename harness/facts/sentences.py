"""The sentences facts are read in: the harness splitter's, bounded in length.

A fact's evidence is its sentence, and every rule that reads a figure looks at most a clause around it,
so a "sentence" of a hundred thousand characters (a page without full stops, a broken export) is no
sentence at all. Paragraphs longer than LONG_PARAGRAPH are cut at whitespace into windows before they
reach the splitter, which keeps splitting linear in the length of the text whatever the splitter does
with one long run of words; ordinary articles never reach the limit and are split exactly as
`harness.text.sentence_spans` splits them.
"""

from __future__ import annotations

import re

from harness.text import Span, paragraphs, sentence_spans

LONG_PARAGRAPH = 20_000  # characters; the longest paragraph of a news article is a few thousand
WINDOW = 5_000  # characters per window of an over-long paragraph
_INNER_MARK = re.compile(r"[.!?…;:]")


def fact_sentences(text: str) -> list[Span]:
    """Sentence spans of text (offsets into text): over-long paragraphs split in bounded windows, and
    sentences glued without a space ("Harbour.Bidders", an artefact of the XSum copies) apart."""
    single = _one_sentence(text)
    if single is not None:
        return [single]
    if len(text) <= LONG_PARAGRAPH:
        return _unglued(sentence_spans(text))
    return _unglued(_windowed(text))


# A full stop between a lower-case word and a capitalised one, with no space: two sentences run together.
# Abbreviations are not caught: "Mr.Smith", "U.S.Army" and "St.Andrews" have a capital before the stop.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[a-z]{2}[.!?][\"”’'])(?=[A-Z][a-z])")


def _unglued(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        cuts = [m.start() for m in _GLUED.finditer(span.text)]
        if not cuts:
            out.append(span)
            continue
        for a, b in zip([0, *cuts], [*cuts, len(span.text)], strict=True):
            piece = span.text[a:b].strip()
            if piece:
                start = span.start + a + span.text[a:b].index(piece)
                out.append(Span(piece, start, start + len(piece)))
    return out


def _windowed(text: str) -> list[Span]:
    spans: list[Span] = []
    for paragraph in paragraphs(text):
        if len(paragraph.text) <= LONG_PARAGRAPH:
            spans += _shifted(sentence_spans(paragraph.text), paragraph.start, text)
            continue
        for start, end in _windows(paragraph.text):
            spans += _shifted(sentence_spans(paragraph.text[start:end]), paragraph.start + start, text)
    return spans


def _one_sentence(text: str) -> Span | None:
    """The whole text as one sentence when no splitter could find two in it (one line, no sentence mark
    before its last character): most one-line summaries, which then skip the splitter."""
    stripped = text.strip()
    if not stripped or len(stripped) > WINDOW or "\n" in stripped or _INNER_MARK.search(stripped, 0, len(stripped) - 1):
        return None
    start = text.index(stripped)
    return Span(stripped, start, start + len(stripped))


def _windows(text: str) -> list[tuple[int, int]]:
    """(start, end) pieces of at most about WINDOW characters, cut at the last whitespace before the limit."""
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + WINDOW)
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end  # no whitespace at all: a hard cut
        pieces.append((start, end))
        start = end
    return pieces


def _shifted(spans: list[Span], offset: int, text: str) -> list[Span]:
    return [Span(text[s.start + offset : s.end + offset], s.start + offset, s.end + offset) for s in spans]
