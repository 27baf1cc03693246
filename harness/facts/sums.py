"""Counts an article states in parts: "At least 12 MSF staff members and seven patients were killed" states
19 people killed, and a summary that writes the total keeps the article's figure. Only people add up across
kinds (staff and patients are people killed; goals and games are not one count), and only two counts of one
sentence, so a total is never read out of figures the article keeps apart.
"""

from __future__ import annotations

from harness.facts.extract import Mention
from harness.facts.fact import Fact
from harness.facts.lexicon import NOUN_GROUPS, PERSON_GROUPS, noun_group, noun_relation
from harness.facts.quantities import Quantity, agree
from harness.facts.table import FactTable


def summed_counts(mention: Mention, table: FactTable) -> list[Fact]:
    """Two counts of people in one article sentence whose sum is the claim ("12 staff and seven patients were
    killed" for "19 people killed"), the claim's noun fitting both; none if no pair adds up."""
    q = mention.quantity
    person = noun_group(mention.noun) == "person" or noun_group(mention.noun) in PERSON_GROUPS
    if q.kind != "count" or q.hedge == "vague" or not person:  # people add up across kinds; goals and games do not
        return []
    by_sentence: dict[int, list[Fact]] = {}
    for fact in table.of_kinds(("count",)):
        if fact.quantity.hedge != "vague" and fact.qualifiers.get("stated_as") != "list":
            by_sentence.setdefault(fact.evidence.start, []).append(fact)
    for facts in by_sentence.values():
        for k, first in enumerate(facts):
            for second in facts[k + 1 :]:
                total = first.quantity.value + second.quantity.value
                whole = Quantity(total, first.quantity.low + second.quantity.low, first.quantity.high + second.quantity.high,
                                 "count", "", "", (0, 0), None, True)  # fmt: skip
                fits = [noun_relation(mention.noun, f.noun) in ("same", "compatible") for f in (first, second)]
                # a noun of no known kind ("12 MSF staff" read as 12 "msf") neither fits nor conflicts
                unknown = [noun_group(f.noun) not in NOUN_GROUPS and noun_group(f.noun) != "person" for f in (first, second)]
                if agree(q, whole) and any(fits) and all(f or u for f, u in zip(fits, unknown, strict=True)):
                    return [first, second]
    return []
