"""Rates: "£600m a year" states a figure per period, which "has so far saved £600m" does not.

A rate is part of what a figure measures, like its unit. A summary may drop one ("£600m" of the
article's "£600m a year" is less precise, not wrong) but may not add one the article does not give:
"recruit 300 officers a year" of an article whose 300 is a one-off and whose yearly need is 500 moves
the figure. The article's figure still states the rate when its own clause names that period ("made
£5m last year", "in 2015, 300 deaths"): a year's total is a rate a year.
"""

from __future__ import annotations

import re
from dataclasses import replace

from harness.facts.numbers import Token
from harness.facts.values import Quantity, agree

# The period each rate or period word names.
_PERIOD_OF = {"year": "year", "years": "year", "annum": "year", "month": "month", "months": "month",
              "week": "week", "weeks": "week", "day": "day", "days": "day", "night": "day", "season": "season",
              "seasons": "season"}  # fmt: skip
_SAME_AS = {"season": "year"}  # a sports season is a year: "£50,000 a season" is "£50,000 a year"
_ADVERBS = {"annually": "year", "yearly": "year", "monthly": "month", "weekly": "week", "daily": "day",
            "nightly": "day"}  # fmt: skip
_ADJECTIVES = {"annual": "year", **_ADVERBS}  # "an annual £5m", "annual profits of £5m"
_RATE_LEADS = {"a", "an", "per", "each", "every"}
# "£5m a year ago", "killed a day after": the period dates the figure, it does not divide it.
_NOT_A_RATE_AFTER = {"ago", "later", "earlier", "after", "before", "old", "on", "or", "and", "from",
                     "early", "late"}  # fmt: skip
_CLAUSE_OPENERS = {"and", "or", "but", "while", "who", "which", "that", "when", "where", "because", "as"}
_PREPOSITIONS = {"after", "before", "for", "in", "within", "over", "during", "by", "on", "of", "from", "than",
                 "about", "under", "until", "since", "to", "into", "at"}  # fmt: skip
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that"}
_FRAME_LEADS = {"last", "this", "next", "each", "every", "per", "a", "the", "that", "financial", "calendar",
                "fiscal", "previous", "past", "same", "tax", "academic"}  # fmt: skip
_YEAR = re.compile(r"(?:19|20)\d\d")
_IN_A_YEAR = {"in", "during", "for", "throughout"}
_STOPS = {".", "!", "?", ";", ":"}
RATE_REACH = 5  # tokens after a figure within which "a year" still divides it ("300 new officers a year")
FRAME_REACH = 10  # tokens either side of a figure that may name its period ("last year, £5m was spent")
NO_RATE_KINDS = ("date", "month", "weekday", "year", "time", "duration", "age", "ordinal", "score", "rank")


def rate_after(tokens: list[Token], first: int, last: int) -> str | None:
    """The period a figure is given per ("a year", "per month", "annually"), from the words around it."""
    for k in range(max(0, first - 4), first):
        between = [t.lower for t in tokens[k + 1 : first] if t.kind == "word"]
        # "an annual £5m", "annual profits of £5m"; not "the annual report said 300 died"
        if tokens[k].lower in _ADJECTIVES and (not between or (between[-1] == "of" and len(between) <= 3)):
            return _ADJECTIVES[tokens[k].lower]
    words = [t for t in tokens[last + 1 : last + 1 + 2 * RATE_REACH] if t.text != "-"]  # "£100,000-a-week"
    for k, tok in enumerate(words[:RATE_REACH]):
        if tok.lower in _STOPS or tok.lower in _CLAUSE_OPENERS or tok.text == "," or tok.kind == "num":
            return None  # the clause, or the next figure's words, begins: "£10,000 and is a season ticket holder"
        if tok.lower in _ADVERBS and tok.text.islower() and (k == 0 or words[k - 1].lower not in _DETERMINERS):
            return _ADVERBS[tok.lower]  # not "the Daily Telegraph", "a weekly column"
        if tok.lower in _RATE_LEADS and k + 1 < len(words) and words[k + 1].lower in _PERIOD_OF \
                and (k == 0 or words[k - 1].lower not in _PREPOSITIONS):  # "after a night out", "for a year"
            after = words[k + 2].lower if k + 2 < len(words) else ""
            return None if after in _NOT_A_RATE_AFTER else _PERIOD_OF[words[k + 1].lower]
    return None


def periods_near(tokens: list[Token], first: int, last: int) -> str:
    """The periods the figure's sentence names near it ("last year", "in 2015", "annual"), space-joined."""
    found: set[str] = set()
    for direction, start in ((-1, first - 1), (1, last + 1)):
        k = start
        while 0 <= k < len(tokens) and abs(k - start) < FRAME_REACH and tokens[k].lower not in _STOPS:
            low = tokens[k].lower
            if low in _ADJECTIVES:
                found.add(_ADJECTIVES[low])
            elif low in _PERIOD_OF and k > 0 and tokens[k - 1].lower in _FRAME_LEADS:
                found.add(_PERIOD_OF[low])
            elif tokens[k].kind == "num" and _YEAR.fullmatch(tokens[k].text) and k > 0 and tokens[k - 1].lower in _IN_A_YEAR:
                found.add("year")  # "in 2015, 300 people died": that year's total; "since 2011" is many years'
            k += direction
    return " ".join(sorted(found))


def rate_fits(claim: dict, fact: dict) -> bool:
    """Whether a fact's figure may state a claim's rate: the same rate, or a total over that period."""
    rate = claim.get("rate")
    if rate is None:
        return True
    given = fact.get("rate") or fact.get("periods", "")
    return _SAME_AS.get(rate, rate) in {_SAME_AS.get(p, p) for p in given.split()}


PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "year": 1.0, "season": 1.0}


def converted_to_claim(claim: Quantity, claim_rate: str | None, fact: Quantity, fact_rate: str | None) -> Quantity | None:
    """The fact's figure given per the claim's period instead of its own, where it then agrees with the claim
    ("£100,000 a week" as £5.2m a year); None where either has no rate, both have one, or it disagrees."""
    if fact_rate is None or claim_rate is None or _SAME_AS.get(fact_rate, fact_rate) == _SAME_AS.get(claim_rate, claim_rate):
        return None
    factor = PER_YEAR[fact_rate] / PER_YEAR[claim_rate]
    converted = replace(fact, value=fact.value * factor, low=fact.low * factor, high=fact.high * factor)
    return converted if agree(claim, converted) else None


def rate_problem(claim: dict, fact: dict, fact_text: str) -> str:
    """Why the article's figure `fact_text` does not state the claim's rate, in words."""
    rate, given = claim["rate"], fact.get("rate")
    if given:
        return f"the article states {fact_text!r} per {given}, not per {rate}"
    return f"the article states {fact_text!r}, but not per {rate}"
