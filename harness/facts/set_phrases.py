"""Figures that are no claim, and figures whose absence from the article says nothing.

A number word inside a name the article writes capitalised ("Six Nations", "League Two") is part of the
name, even where a lower-cased summary writes it "six nations". A rank title ("world number one",
"England number eight") is background the article need not repeat, as is a figure of one said in words
("a one-year deal"): their absence is no evidence against them, though another value the article gives
for the same subject still contradicts them (`other_title`).
"""

from __future__ import annotations

import re

from harness.facts.extract import Mention
from harness.facts.fact import Fact
from harness.facts.lexicon import stem
from harness.facts.numbers import written_numbers
from harness.facts.quantities import Quantity
from harness.facts.table import FactTable


def absence_says_nothing(q: Quantity) -> bool:
    """Whether an article's silence on this figure is no evidence against it: a rank title ("world number
    one", "England number eight", background the article need not repeat) or a figure of one said in words
    ("a one-year deal": English marks the singular with "one" as readily as with "a"). Either is still
    contradicted where the article gives another value."""
    if q.kind == "rank":
        return True
    return q.hedge is None and not any(c.isdigit() for c in q.text) and written_numbers(q.text) == {1.0}


def inside_article_name(mention: Mention, table: FactTable) -> bool:
    """Whether a number word is part of a name the article writes capitalised ("Six Nations", "League Two"),
    here written lower-case ("saturday's six nations game": XSum lower-cases its summaries), so no figure."""
    q, index = mention.quantity, table.entities
    if index is None or any(c.isdigit() for c in q.text):
        return False
    sentence = mention.sentence
    words = q.text.lower().split()
    before = _WORDS.findall(sentence.text[: q.span[0] - sentence.start].lower())[-1:]
    after = _WORDS.findall(sentence.text[q.span[1] - sentence.start :].lower())[:1]
    pairs = [(before[0], words[0])] if before else []
    pairs += [(words[-1], after[0])] if after else []
    return any(a in index.names and b in index.names and f" {a} {b} " in table.words for a, b in pairs)


def other_title(mention: Mention, table: FactTable) -> Fact | None:
    """The article's rank title for what a claimed rank describes ("Selby, world number two" against "world
    number three Mark Selby"): a rank fact sharing a word of the claim's clause."""
    if mention.quantity.kind != "rank":
        return None
    own = set(mention.context) - _TITLE_WORDS  # "world number" is every title's: the subject must be shared
    scored = [(len(own & {stem(w) for w in _WORDS.findall(f.evidence.sentence.lower())}), f)
              for f in table.of_kinds(("rank",))]  # fmt: skip
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] >= 1 else None


_TITLE_WORDS = {"number", "world", "ranked", "rank", "seed", "no"}
_WORDS = re.compile(r"[a-z]+")
