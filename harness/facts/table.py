"""The fact table of an article: every quantity with what it counts, what happened, and the evidence.

A table is built automatically by `extract_facts`, optionally overlaid with a curated gold table
(`facts.yaml`, see `harness.facts.gold`) whose entries take over the matching automatic facts and say
which facts are key. It serialises to plain dicts (JSON/YAML) and renders as a plain-text table.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from harness.errors import HarnessError
from harness.facts.copied import normalized, normalized_tokens
from harness.facts.entities import EntityIndex
from harness.facts.entity_index import build_index
from harness.facts.enumerations import enumerated_counts
from harness.facts.extract import Mention, extract_mentions
from harness.facts.fact import Evidence, Fact
from harness.facts.gold import parse_gold
from harness.facts.gold_entities import parse_gold_entities
from harness.facts.normalize import normalize
from harness.facts.numbers import tokenize, written_numbers, written_numbers_in
from harness.facts.sentences import fact_sentences
from harness.text import Span

# Automatic key facts, used where no gold table says which facts matter: the counted figures
# (people, money, shares) of the article's lead, where news puts what a summary must keep.
AUTO_KEY_KINDS = ("count", "money", "percent")
AUTO_KEY_LEAD_SENTENCES = 5
AUTO_KEY_MAX = 5


@dataclass(frozen=True)
class FactTable:
    """All facts of one article, in order of appearance."""

    facts: tuple[Fact, ...]
    has_gold: bool = False
    numbers: tuple[float, ...] = ()  # every number written in the article, for the "in any form" test
    words: str = ""  # the article's words, normalized (harness.facts.copied), to spot figures copied verbatim
    entities: EntityIndex | None = None  # the article's named entities and frames (harness.facts.entities)
    key_rule: str = "lead"  # what made the key facts: gold (facts.yaml) | references | lead (counted figures of the lead)

    def of_kinds(self, kinds: tuple[str, ...]) -> list[Fact]:
        """The facts of these kinds (all facts for none), in table order (an index built on first use: checking a summary then
        looks only at the facts its claims can be compared with)."""
        index = self._kind_index
        if not kinds:  # all of them
            return list(self.facts)
        if len(kinds) == 1:
            return index.get(kinds[0], [])
        position = self._positions
        return sorted((f for kind in kinds for f in index.get(kind, ())), key=lambda f: position[id(f)])

    def distinct_of_kinds(self, kinds: tuple[str, ...]) -> list[Fact]:
        """`of_kinds` without repeats: of facts that read alike (same figure as written, noun, predicate and
        clause words) only the first, which is the one alignment would pick of them anyway. A page that
        repeats one line ten thousand times then costs a claim one comparison, not ten thousand."""
        key = kinds
        if key not in self._distinct:
            seen: set[tuple] = set()
            distinct = []
            for fact in self.of_kinds(kinds):
                q = fact.quantity
                reading = (q.text, q.value, q.low, q.high, q.kind, q.unit, q.hedge, fact.noun, fact.predicate, fact.context)
                if reading not in seen:
                    seen.add(reading)
                    distinct.append(fact)
            self._distinct[key] = distinct
        return self._distinct[key]

    def written(self, fact: Fact) -> frozenset[float]:
        """The numbers written in a fact's text ("25" in "25-year-old"), computed once per table."""
        cache = self._written
        if id(fact) not in cache:
            cache[id(fact)] = frozenset(written_numbers(fact.quantity.text))
        return cache[id(fact)]

    def evidence_words(self, fact: Fact) -> str:
        """A fact's evidence sentence normalized for verbatim search (harness.facts.copied), computed once."""
        cache = self._evidence_words
        if id(fact) not in cache:
            cache[id(fact)] = normalized(fact.evidence.sentence)
        return cache[id(fact)]

    @functools.cached_property
    def number_set(self) -> frozenset[float]:
        """`numbers` as a set."""
        return frozenset(self.numbers)

    @functools.cached_property
    def _kind_index(self) -> dict[str, list[Fact]]:
        index: dict[str, list[Fact]] = {}
        for fact in self.facts:
            index.setdefault(fact.quantity.kind, []).append(fact)
        return index

    @functools.cached_property
    def _positions(self) -> dict[int, int]:
        return {id(fact): k for k, fact in enumerate(self.facts)}

    @functools.cached_property
    def _distinct(self) -> dict[tuple[str, ...], list[Fact]]:
        return {}

    @functools.cached_property
    def _written(self) -> dict[int, frozenset[float]]:
        return {}

    @functools.cached_property
    def _evidence_words(self) -> dict[int, str]:
        return {}

    def key_facts(self) -> list[Fact]:
        """The facts a good summary should keep: the gold keys, or the automatic ones without gold."""
        return [fact for fact in self.facts if fact.key]

    def get(self, fact_id: str) -> Fact | None:
        """The fact with this id, or None."""
        return next((fact for fact in self.facts if fact.id == fact_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/YAML-ready form."""
        facts = [fact.to_dict() for fact in self.facts]
        entities = self.entities.to_dict() if self.entities is not None else None
        return {"has_gold": self.has_gold, "facts": facts, "numbers": list(self.numbers), "words": self.words,
                "entities": entities, "key_rule": self.key_rule}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FactTable:
        """Inverse of to_dict; raises HarnessError on a malformed table."""
        if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
            raise HarnessError("fact table: expected a mapping with a 'facts' list")
        try:
            facts = tuple(Fact.from_dict(item) for item in data["facts"])
            numbers = tuple(float(n) for n in data.get("numbers", ()))
            entities = EntityIndex.from_dict(data["entities"]) if data.get("entities") else None
            return cls(facts, bool(data.get("has_gold", False)), numbers, str(data.get("words", "")), entities,
                       str(data.get("key_rule", "lead")))  # fmt: skip
        except (KeyError, TypeError, ValueError) as error:
            raise HarnessError(f"fact table: malformed fact ({error})") from None

    def render(self, width: int = 60) -> str:
        """The table as aligned plain text, one fact a line, evidence cut to `width` characters."""
        header = ("id", "value", "kind", "noun", "predicate", "qualifiers", "key", "evidence")
        rows = [header]
        for fact in self.facts:
            qualifiers = _cut(", ".join(f"{k}={v}" for k, v in fact.qualifiers.items() if k != "hedge"), width // 2)
            value = f"{fact.quantity.hedge + ' ' if fact.quantity.hedge and fact.quantity.hedge != 'vague' else ''}"
            value += fact.quantity.describe()
            evidence = _cut(fact.evidence.sentence, width)
            rows.append((fact.id, value, fact.quantity.kind, fact.noun or "-", fact.predicate or "-", qualifiers or "-",
                         "yes" if fact.key else "", evidence))  # fmt: skip
        widths = [max(len(row[col]) for row in rows) for col in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def fact_from_mention(mention: Mention, fact_id: str, key: bool = False) -> Fact:
    """A fact built from an article mention."""
    sentence = mention.sentence
    return Fact(fact_id, mention.quantity, mention.noun, mention.predicate, dict(mention.qualifiers),
                Evidence(sentence.text, sentence.start, sentence.end), key, mention.context)  # fmt: skip


def extract_facts(article: str, gold: Any = None, source: str = "facts.yaml",
                  sentences: Sequence[Span] | None = None) -> FactTable:  # fmt: skip
    """Extract the fact table of an article; `gold` (a loaded facts.yaml) overrides and flags key facts.

    `sentences` are the article's sentence spans when the caller has split it already. Known corpus
    artefacts ("#" for "£") are repaired first (`harness.facts.normalize`, offsets unchanged).
    """
    article = normalize(article)
    if sentences is not None:
        sentences = [Span(article[s.start : s.end], s.start, s.end) for s in sentences]
    tokens = tokenize(article)
    sentences = fact_sentences(article) if sentences is None else sentences
    mentions = extract_mentions(article, sentences, tokens)
    listed = enumerated_counts(article, sentences, tokens)
    if listed:  # counts stated by listing names ("HMS Cumberland, HMS Chatham and HMS Cornwall"), in text order
        mentions = sorted(mentions + listed, key=lambda m: m.quantity.span)
    numbers = tuple(sorted(written_numbers_in(tokens)))
    words = normalized_tokens(tokens)
    entities = build_index(article)
    if gold is None:
        keys = _auto_keys(mentions)
        facts = tuple(fact_from_mention(m, f"f{n:02d}", n in keys) for n, m in enumerate(mentions, start=1))
        return FactTable(facts, numbers=numbers, words=words, entities=entities)
    facts = [fact_from_mention(m, f"f{n:02d}") for n, m in enumerate(mentions, start=1)]
    for gold_fact in parse_gold(gold, article, source):
        overlapping = [k for k, f in enumerate(facts) if _overlaps(f.quantity.span, gold_fact.quantity.span)]
        if overlapping:
            auto = facts[overlapping[0]]
            facts[overlapping[0]] = replace(gold_fact, context=auto.context or gold_fact.context)
            for k in reversed(overlapping[1:]):
                del facts[k]
        else:
            facts.append(gold_fact)
    facts.sort(key=lambda f: f.quantity.span)
    entities = parse_gold_entities(gold, entities, source)
    return FactTable(tuple(facts), has_gold=True, numbers=numbers, words=words, entities=entities, key_rule="gold")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _auto_keys(mentions: list[Mention]) -> set[int]:
    """Numbers (1-based) of the automatic key facts: counted figures with a noun in the lead."""
    keys: set[int] = set()
    for number, mention in enumerate(mentions, start=1):
        q = mention.quantity
        if (len(keys) < AUTO_KEY_MAX and mention.sentence_index < AUTO_KEY_LEAD_SENTENCES and q.kind in AUTO_KEY_KINDS
                and q.claimable and q.hedge != "vague" and mention.noun is not None):  # fmt: skip
            keys.add(number)
    return keys
