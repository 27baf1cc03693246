"""Match results read as figures: "won 2-0", "lost 4-1", and the live-text line "Match ends, Gateshead 1,
Guiseley 1." A result is stored as home*1000+away (`harness.facts.values.agree` reads "won 2-1" and "lost
1-2" as one result).
"""

from __future__ import annotations

from harness.facts.lexicon import GENERIC_PERSON, NOUN_GROUP, stem
from harness.facts.numbers import Token
from harness.facts.units import DAYS_PER
from harness.facts.values import word


def score_at(tokens: list[Token], i: int, end: int, value: float) -> tuple[float, int] | None:
    """A result, stored as home*1000+away, and the index of its last token: "2-0", "4-1", or the live-text
    line "Match ends, Gateshead 1, Guiseley 1."."""
    if tokens[i].kind != "num" or end != i + 1 or tokens[i].suffix or value >= 200 or not _plain(tokens[i]):
        return None
    if word(tokens, end) in ("-", "–") and end + 1 < len(tokens):
        other = tokens[end + 1]
        if _range_of(tokens, end + 2):
            return None  # "5-10 people died", "rose 10-15%": a range of a count, not a result
        return (value * 1000 + other.number, end + 1) if _goals(other) else None
    last = _commentary_score_end(tokens, i)
    return (value * 1000 + (tokens[last].number or 0), last) if last is not None else None


def _range_of(tokens: list[Token], k: int) -> bool:
    """Whether the word after a hyphenated pair of numbers makes it a range, not a result: a percent sign, or
    a counted noun of people or of time ("5-10 people", "10-15%", "3-4 years"); "a 2-1 win" stays a result."""
    after = word(tokens, k)
    if after in ("%", "per"):
        return True
    noun = stem(after) if k < len(tokens) and tokens[k].kind == "word" else ""
    return noun in NOUN_GROUP or noun in GENERIC_PERSON or noun == "person" or noun in DAYS_PER


def _plain(tok: Token) -> bool:
    return "," not in tok.text and "." not in tok.text


def _goals(tok: Token) -> bool:
    return tok.kind == "num" and not tok.suffix and tok.number is not None and tok.number < 200 and _plain(tok)


_COMMENTARY_CUES = {"ends", "begins", "!"}  # "Match ends,", "Second Half begins", "Goal!"
_NAME_JOINERS = {"&", "-", "'", ".", "and", "of", "the"}


def _commentary_score_end(tokens: list[Token], i: int) -> int | None:
    """Index of the away goals of a live-text score line whose home goals are tokens[i]
    ("Match ends, Germany 1, Denmark Women 2."), or None."""

    def name_end(k: int, step: int) -> int:  # past a team name: capitalised words and their joiners
        while 0 <= k < len(tokens) and (tokens[k].text[:1].isupper() or tokens[k].lower in _NAME_JOINERS):
            if tokens[k].kind not in ("word", "punct", "name"):
                break
            k += step
        return k

    before = name_end(i - 1, -1)
    cue = before - (word(tokens, before) == ",")
    if before == i - 1 or word(tokens, cue) not in _COMMENTARY_CUES or word(tokens, i + 1) != ",":
        return None
    last = name_end(i + 2, 1)
    if last == i + 2 or last >= len(tokens) or not _goals(tokens[last]):
        return None
    return last if word(tokens, last + 1) in ("", ".", ";") else None
