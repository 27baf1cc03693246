"""A fact of an article: one quantity with the noun it counts, its predicate and qualifiers, the sentence
that states it (its evidence) and whether a good summary should keep it (key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.facts.lexicon import noun_relation, predicate_class, stem
from harness.facts.numbers import tokenize
from harness.facts.quantities import Quantity

LABEL_REACH = 4  # words after a figure searched for its counted noun ("100,000 of them children")


@dataclass(frozen=True)
class Evidence:
    """The article sentence that states a fact, with its character offsets in the article."""

    sentence: str
    start: int
    end: int


@dataclass(frozen=True)
class Fact:
    """One quantity of the article: value, counted noun, predicate, qualifiers, evidence, key flag."""

    id: str
    quantity: Quantity
    noun: str | None
    predicate: str | None
    qualifiers: dict = field(default_factory=dict)
    evidence: Evidence = Evidence("", 0, 0)
    key: bool = False
    context: tuple[str, ...] = ()  # stemmed clause words, used to align claims to facts
    source: str = "auto"  # auto | gold

    @property
    def label(self) -> str:
        """The fact in the article's words: figure, counted noun as written, predicate ("an estimated 100,000 children trapped")."""
        offset = self.quantity.span[1] - self.evidence.start
        following = [t.text for t in tokenize(self.evidence.sentence[offset:]) if t.kind == "word"][:LABEL_REACH] if 0 <= offset else []
        words = [self.quantity.text]
        if self.noun:
            target = stem(self.noun)
            hit = next((i for i, word in enumerate(following) if stem(word.lower()) == target or noun_relation(word.lower(), self.noun) == "same"), None)
            words += following[: hit + 1] if hit is not None else [self.noun]
        if self.predicate and stem(self.predicate) not in {stem(w.lower()) for w in words}:
            words.append(self.predicate)
        return " ".join(words)

    @property
    def predicate_class(self) -> str | None:
        """'death' for killed/dead/died, else the predicate's stem."""
        return predicate_class(self.predicate)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "id": self.id,
            "quantity": self.quantity.to_dict(),
            "noun": self.noun,
            "predicate": self.predicate,
            "qualifiers": dict(self.qualifiers),
            "evidence": {"sentence": self.evidence.sentence, "start": self.evidence.start, "end": self.evidence.end},
            "key": self.key,
            "context": list(self.context),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        """Inverse of to_dict."""
        evidence = data.get("evidence") or {}
        return cls(
            id=str(data["id"]),
            quantity=Quantity.from_dict(data["quantity"]),
            noun=data.get("noun"),
            predicate=data.get("predicate"),
            qualifiers=dict(data.get("qualifiers") or {}),
            evidence=Evidence(evidence.get("sentence", ""), int(evidence.get("start", 0)), int(evidence.get("end", 0))),
            key=bool(data.get("key", False)),
            context=tuple(data.get("context") or ()),
            source=data.get("source", "auto"),
        )
