"""Ranks: an ordinal that names what it orders ("the home side's third try") states no rank in a standing.

"Warrington moved up to third in Super League" gives a place in a table; the article's "third try" is
the same number but another thing, and its "fifth in the Super League table" is the rank that shows
the claim wrong. An ordinal whose noun is left out after a possessive ("went over for his second")
still means the article's noun: it is elliptical, not a rank.
"""

from __future__ import annotations

import re

RANK_NOUNS = {"place", "position", "spot", "seed", "rank", "ranking"}  # a rank in a standing, however worded
_POSSESSIVES = {"his", "her", "their", "its", "our", "my", "your"}
_LAST_WORD = re.compile(r"([a-z]+)\W*$")


def word_before(text: str, offset: int) -> str | None:
    """The lower-cased word right before offset in text, if any."""
    found = _LAST_WORD.search(text[max(0, offset - 40) : max(0, offset)].lower())
    return found.group(1) if found else None


def may_state_rank(claim_noun: str | None, fact_noun: str | None, claim_word_before: str | None) -> bool:
    """Whether an article ordinal counting `fact_noun` may state a claim ordinal counting `claim_noun`."""
    if claim_noun is not None or fact_noun is None or fact_noun in RANK_NOUNS:
        return True
    return claim_word_before in _POSSESSIVES
