"""What every scorer shares: the Scorer contract and the sacrebleu-style Signature."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.documents import Document


@dataclass(frozen=True)
class Signature:
    """Everything needed to reproduce a score, printed as `name|key:value|...` (after sacrebleu)."""

    name: str
    fields: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "|".join([self.name, *(f"{key}:{value}" for key, value in self.fields)])

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Inverse of str(): `name|key:value|...` back into a Signature."""
        name, *fields = text.split("|")
        return cls(name, tuple((key, value) for key, _, value in (field.partition(":") for field in fields)))

    def extended(self, *fields: tuple[str, str]) -> Signature:
        """The same signature with more fields."""
        return Signature(self.name, (*self.fields, *fields))


class Scorer(ABC):
    """Scores one summary of one document; aggregates one model's scores over the corpus."""

    name: ClassVar[str]

    @abstractmethod
    def signature(self) -> Signature:
        """How the scores were computed."""

    @abstractmethod
    def score(self, summary: str, document: Document) -> dict[str, Any]:
        """Fields to add to the document's score row (for example {"rouge": {...}})."""

    @abstractmethod
    def aggregate(self, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Corpus-level figures for one model from its score rows."""
