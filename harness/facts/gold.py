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

import difflib
import math
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
TOP_LEVEL = ("facts", "entities")
# Fields read as text: a list or mapping there would be shown as "['a', 'b']" or silently matched as such.
TEXT_FIELDS = ("text", "evidence", "kind", "noun", "predicate", "name")


def check_fields(item: dict, required: tuple[str, ...], allowed: set[str], source: str, loc: tuple[str | int, ...],
                 label: str) -> None:  # fmt: skip
    """CuratedError naming the first required field an entry lacks (or leaves empty), else its first unknown field,
    else the first field of the wrong type (an id or a text field holding a list, a mapping or true/false)."""
    missing = [name for name in required if item.get(name) is None]
    blank = [name for name in required if isinstance(item.get(name), str) and not item[name].strip()]
    unknown = sorted(set(item) - allowed, key=str)
    if missing:
        raise CuratedError(source, loc, label, f"missing field '{missing[0]}'")
    if blank:  # whitespace alone would match the first sentence of any article
        raise CuratedError(source, (*loc, blank[0]), label, f"field '{blank[0]}' is empty")
    if unknown:
        raise CuratedError(source, (*loc, unknown[0]), label, unknown_field(unknown[0], allowed))
    problem = _type_problem(item)
    if problem:
        raise CuratedError(source, (*loc, problem[0]), label, problem[1])


def check_top_level(raw: dict, source: str) -> None:
    """CuratedError naming a top-level key of facts.yaml other than facts and entities (a misspelt `entites:` would
    otherwise drop every curated entity without a word)."""
    unknown = sorted((key for key in raw if key not in TOP_LEVEL), key=str)
    if unknown:
        raise CuratedError(source, (unknown[0],), "", unknown_field(unknown[0], set(TOP_LEVEL)))


def unknown_field(name: Any, allowed: set[str]) -> str:
    """The problem of an unknown field, with the nearest allowed field when one is close ("did you mean 'value'?")."""
    known = sorted(allowed)
    hint = difflib.get_close_matches(str(name), known, n=1)
    return f"unknown field '{name}'; " + (f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known)}")


def _type_problem(item: dict) -> tuple[str, str] | None:
    """(field, problem) for an id that is not text or a whole number, or a text field that is not text."""
    entry_id = item.get("id")
    if isinstance(entry_id, bool) or not isinstance(entry_id, (str, int)):
        return "id", f"field 'id' must be text or a whole number, not {_kind_of(entry_id)}"
    for name in TEXT_FIELDS:
        value = item.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            return name, f"field '{name}' must be text, not {_kind_of(value)}"
    return None


def _kind_of(value: Any) -> str:
    """What a YAML value is, in a message's words ("a list", "true")."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (quote it if it is text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "null" if value is None else repr(value)


def parse_gold(raw: Any, article: str, source: str = "facts.yaml") -> list[Fact]:
    """Validate a loaded facts.yaml against its article and return its facts (source 'gold')."""
    if isinstance(raw, dict):
        check_top_level(raw, source)
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
    value = _value(item["value"])
    if abs(quantity.value - value) > 1e-6 * max(1.0, abs(value)):
        raise _FieldProblem("value", f"is {value:g} but {text!r} reads as {quantity.value:g}")
    if item.get("kind") and item["kind"] != quantity.kind:
        raise _FieldProblem("kind", f"is {item['kind']!r} but {text!r} reads as {quantity.kind!r}")
    qualifiers = _qualifiers(item.get("qualifiers"))
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


def _value(raw: Any) -> float:
    """The curated value as a finite number: inf or nan (also "inf", "Infinity" and 1e400, which YAML reads as text)
    would pass the comparison with any figure, since no difference exceeds a tolerance of inf."""
    if isinstance(raw, bool):
        raise _FieldProblem("value", "must be a number")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise _FieldProblem("value", "must be a number") from None
    if not math.isfinite(value):
        raise _FieldProblem("value", "must be a finite number")
    return value


def _qualifiers(raw: Any) -> dict:
    """A copy of the curated qualifiers, checked to be a mapping of names to text before anything reads it."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _FieldProblem("qualifiers", "must be a mapping")
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _FieldProblem("qualifiers", f"must map names to text ({name!r} is {_kind_of(value)})")
    return dict(raw)


def _quantity(sentence: str, start: int, end: int, offset: int) -> Quantity | None:
    for q in find_quantities(sentence):
        if q.span[0] < end and start < q.span[1]:
            span = (q.span[0] + offset, q.span[1] + offset)
            return Quantity(q.value, q.low, q.high, q.kind, q.unit, q.text, span, q.hedge, q.claimable)
    return None
