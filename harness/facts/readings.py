"""Readings: when one figure read as two kinds ("Bueno, 27," a count; "27-year-old" an age) is one figure.

The kind of a figure comes from surface cues on both sides, and some cues are weak: ages, years and bare
counts are told apart by little more than a capitalised name before them, so a claim read as one kind
may be the article's figure read as another. "two-year" and "second" may not stand for each other.
"""

from __future__ import annotations

import math

from harness.facts.lexicon import noun_relation
from harness.facts.units import DAYS_PER
from harness.facts.values import Quantity


def may_be_one_figure(claim: Quantity, claim_noun: str | None, fact: Quantity, fact_noun: str | None) -> bool:
    """Whether a figure read as one kind may be the article's figure read as another."""
    kinds = {claim.kind, fact.kind}
    if kinds <= {"age", "count"}:
        return noun_relation(claim_noun if claim.kind == "count" else fact_noun, "person") != "conflict"
    if kinds <= {"year", "count"}:  # "in 2005" read as a count; "2,000" is never a year
        return "," not in claim.text + fact.text
    if kinds == {"duration", "count"}:
        return (fact_noun if fact.kind == "count" else claim_noun) in DAYS_PER
    if kinds == {"duration", "ordinal"}:  # "in the 30th minute" of a match is "after 30 minutes"
        ordinal, noun, duration = (claim, claim_noun, fact) if claim.kind == "ordinal" else (fact, fact_noun, claim)
        unit = DAYS_PER.get(noun or "")
        return unit is not None and math.isclose(ordinal.value * unit, duration.value)
    return False
