"""Figures copied with their context: a summary that repeats the article's own words on both sides of
a figure states what the article states at that spot, whatever the alignment rules would make of it.

Extractive summaries copy whole sentences, yet a copied figure's alignment can go astray when its
clause words point at another fact. A figure whose window, CONTEXT words each side within its sentence,
appears verbatim in the article is supported. Both sides count: a figure moved to another noun keeps
the words before it but not the noun after it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache

from harness.facts.numbers import Token, tokenize

CONTEXT = 3  # words on each side of the figure
MIN_WINDOW = 5  # the figure's words plus context: shorter windows ("in 2011 ,") prove too little


def normalized(text: str) -> str:
    """Lower-cased word and number tokens, space separated and padded, for verbatim search."""
    return normalized_tokens(tokenize(text))


def normalized_tokens(tokens: list[Token]) -> str:
    """`normalized` of already tokenized text."""
    return " " + " ".join(t.lower for t in tokens if t.kind != "punct") + " "


def window(sentence: str, start: int, end: int) -> str | None:
    """The figure at [start, end) of one sentence with CONTEXT words each side, normalized; None if too short.

    The window stays inside the sentence (summary sentences side by side need not be in the article);
    a figure at a sentence edge takes the missing context from its other side.
    """
    tokens, starts, ends = _words_of(sentence)
    # the words overlapping [start, end): from the first that ends after start to the last that starts before end
    inside = range(bisect_right(ends, start), bisect_left(starts, end))
    if not inside:
        return None
    after_room, before_room = len(tokens) - 1 - inside[-1], inside[0]
    before = CONTEXT + max(0, CONTEXT - after_room)
    after = CONTEXT + max(0, CONTEXT - before_room)
    first, last = max(0, inside[0] - before), min(len(tokens), inside[-1] + 1 + after)
    words = [t.text.lower() for t in tokens[first:last]]
    return " " + " ".join(words) + " " if len(words) >= MIN_WINDOW else None


@lru_cache(maxsize=16)
def _words_of(sentence: str) -> tuple[list[Token], list[int], list[int]]:
    """The sentence's word and number tokens with their start and end offsets, read once for all its
    figures: reading the sentence again per figure made a long summary sentence quadratic."""
    tokens = [t for t in tokenize(sentence) if t.kind != "punct"]
    return tokens, [t.start for t in tokens], [t.end for t in tokens]


def copied_window(sentence: str, start: int, end: int, article: str) -> str | None:
    """The figure's window if the article (given normalized) contains it verbatim, else None."""
    found = window(sentence, start, end)
    return found if found and found in article else None
