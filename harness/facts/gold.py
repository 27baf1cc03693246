"""Curated gold fact tables (`facts.yaml` in a document folder): parsing and validation.

A gold entry names a figure as the article writes it and the sentence that states it; the figure is
read with the same parser as everything else and must come out at the curated value, so a gold table
cannot silently drift from its article. Format:

    facts:
      - id: war-dead                  # unique, stable: results refer to it
        text: roughly half a million  # the figure as written, hedge included
        value: 500000                 # normalised value (see harness.facts.quantities.Quantity)
        kind: count                   # optional check of the parsed kind
        noun: people                  # what is counted (null for dates)
        predicate: dead               # what happened to it, or the event of a date
        evidence: "...the Syria war, which has left roughly half a million people dead since 2011."
        key: true                     # a good summary should keep this fact
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.facts.fact import Evidence, Fact
from harness.facts.lexicon import stem
from harness.facts.quantities import Quantity, find_quantities
from harness.text import sentence_spans


class CuratedError(HarnessError):
    """A curated entry that does not fit its article. `loc` is the field's path in the file (("facts", 0,
    "value")), so a caller holding the file's YAML nodes can name its line (`at_line`)."""

    def __init__(self, source: str, loc: tuple[str | int, ...], label: str, problem: str) -> None:
        self.source, self.loc, self.label, self.problem = source, loc, label, problem
        super().__init__(f"{source}: {label}: {problem}" if label else f"{source}: {problem}")

    def at_line(self, line: int) -> HarnessError:
        """The same message with the file's line number after its name."""
        return HarnessError(f"{self.source}:{line}: {self.label}: {self.problem}" if self.label else f"{self.source}:{line}: {self.problem}")


REQUIRED = ("id", "text", "value", "evidence")
ALLOWED = {*REQUIRED, "kind", "noun", "predicate", "qualifiers", "key", "note"}


def check_fields(item: dict, required: tuple[str, ...], allowed: set[str], source: str, loc: tuple[str | int, ...],
                 label: str) -> None:  # fmt: skip
    """CuratedError naming the first required field an entry lacks (or leaves empty), else its first unknown field."""
    missing = [name for name in required if item.get(name) in (None, "")]
    unknown = sorted(set(item) - allowed)
    if missing:
        raise CuratedError(source, loc, label, f"missing field '{missing[0]}'")
    if unknown:
        raise CuratedError(source, (*loc, unknown[0]), label, f"unknown field '{unknown[0]}'")


def parse_gold(raw: Any, article: str, source: str = "facts.yaml") -> list[Fact]:
    """Validate a loaded facts.yaml against its article and return its facts (source 'gold')."""
    items = raw.get("facts") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise CuratedError(source, ("facts",) if isinstance(raw, dict) else (), "", "expected a 'facts' list")
    sentences = sentence_spans(article)
    facts: list[Fact] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        loc = ("facts", index) if isinstance(raw, dict) else (index,)
        if not isinstance(item, dict):
            raise CuratedError(source, loc, f"facts[{index}]", "expected a mapping")
        check_fields(item, REQUIRED, ALLOWED, source, loc, f"facts[{index}]")
        fact_id = str(item["id"])
        label = f"facts[{index}] ('{fact_id}')"
        if fact_id in seen:
            raise CuratedError(source, (*loc, "id"), label, "id appears twice")
        seen.add(fact_id)
        try:
            facts.append(_gold_fact(item, fact_id, article, sentences))
        except _FieldProblem as problem:
            raise CuratedError(source, (*loc, problem.field), label, str(problem)) from None
    return facts


class _FieldProblem(Exception):
    """What is wrong with one field of an entry (parse_gold adds the file, entry and line)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"field '{field}' {problem}")


def _gold_fact(item: dict, fact_id: str, article: str, sentences: list) -> Fact:
    evidence = " ".join(str(item["evidence"]).split())
    sentence = next((s for s in sentences if evidence in " ".join(s.text.split())), None)
    if sentence is None:
        raise _FieldProblem("evidence", "is not found in one sentence of the article")
    text = str(item["text"])
    offset = sentence.text.find(text)
    if offset < 0:
        raise _FieldProblem("text", f"({text!r}) is not in its evidence sentence")
    quantity = _quantity(sentence.text, offset, offset + len(text), sentence.start)
    if quantity is None:
        raise _FieldProblem("text", f"({text!r}) is not read as a quantity")
    try:
        value = float(item["value"])
    except (TypeError, ValueError):
        raise _FieldProblem("value", "must be a number") from None
    if abs(quantity.value - value) > 1e-6 * max(1.0, abs(value)):
        raise _FieldProblem("value", f"is {value:g} but {text!r} reads as {quantity.value:g}")
    if item.get("kind") and item["kind"] != quantity.kind:
        raise _FieldProblem("kind", f"is {item['kind']!r} but {text!r} reads as {quantity.kind!r}")
    qualifiers = dict(item.get("qualifiers") or {})
    if not isinstance(item.get("qualifiers") or {}, dict):
        raise _FieldProblem("qualifiers", "must be a mapping")
    if quantity.hedge:
        qualifiers.setdefault("hedge", quantity.hedge)
    if not isinstance(item.get("key", False), bool):
        raise _FieldProblem("key", "must be true or false")
    noun = item.get("noun")
    return Fact(
        id=fact_id,
        quantity=quantity,
        noun=stem(str(noun)) if noun else None,
        predicate=str(item["predicate"]) if item.get("predicate") else None,
        qualifiers=qualifiers,
        evidence=Evidence(sentence.text, sentence.start, sentence.end),
        key=bool(item.get("key", False)),
        source="gold",
    )


def _quantity(sentence: str, start: int, end: int, offset: int) -> Quantity | None:
    for q in find_quantities(sentence):
        if q.span[0] < end and start < q.span[1]:
            span = (q.span[0] + offset, q.span[1] + offset)
            return Quantity(q.value, q.low, q.high, q.kind, q.unit, q.text, span, q.hedge, q.claimable)
    return None
