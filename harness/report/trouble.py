"""What went wrong, document by document: each summary's trouble (its flags, the key facts it lost, whether
it failed), documents ordered by it, and which documents a report shows in detail.

Flags are the counts scorers declare as bad (`Count.higher_is_better` False and shown as a column:
contradicted, then not-in-article claims, in declaration order), so a new scorer's flags order documents
without an edit here; lost key facts come from the facts scorer's rows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from harness.report.data import Dataset, ModelResult
from harness.scoring import Count, Declarations


@dataclass(frozen=True)
class Flag:
    """A declared bad count: which scorer, which count."""

    scorer: str
    count: Count

    @property
    def label(self) -> str:
        """The count's label ("contra.")."""
        return self.count.label


@dataclass(frozen=True)
class SummaryTrouble:
    """One model's summary of one document: its flag counts, lost key facts, failure."""

    model: str
    doc_id: str
    flags: tuple[int, ...]
    lost: int
    failed: bool

    @property
    def flagged(self) -> bool:
        """Whether a scorer flagged the summary or it failed."""
        return self.failed or any(self.flags)

    @property
    def order(self) -> tuple[int, ...]:
        """Worse first when sorted in reverse: flags in declared order, then lost key facts, then failure."""
        return (*self.flags, self.lost, int(self.failed))


@dataclass(frozen=True)
class DocumentTrouble:
    """A document's trouble over every model that summarized it."""

    doc_id: str
    summaries: tuple[SummaryTrouble, ...]

    @property
    def flags(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(s.flags for s in self.summaries))) if self.summaries else ()

    @property
    def lost(self) -> int:
        return sum(s.lost for s in self.summaries)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.summaries)

    @property
    def flagged(self) -> bool:
        return any(s.flagged for s in self.summaries)

    @property
    def order(self) -> tuple[int, ...]:
        return (*self.flags, self.lost, self.failed)


def flags_of(scorers: Sequence[Declarations]) -> list[Flag]:
    """The declared bad counts shown as columns, in scorer then declaration order."""
    return [Flag(s.name, c) for s in scorers for c in s.counts if not c.higher_is_better and c.column]


def summary_trouble(model: ModelResult, doc_id: str, flags: Sequence[Flag]) -> SummaryTrouble | None:
    """The trouble of a model's summary of a document (None when the model did not see the document)."""
    row = model.scores.get(doc_id)
    if row is None:
        return None
    if row.get("error"):
        return SummaryTrouble(model.key, doc_id, tuple(0 for _ in flags), 0, True)
    counts = tuple(int((row.get(f.scorer) or {}).get(f.count.source or f.count.name) or 0) for f in flags)
    key_facts = (row.get("facts") or {}).get("key_facts") or ()
    return SummaryTrouble(model.key, doc_id, counts, sum(1 for k in key_facts if k.get("status") != "preserved"), False)


def document_troubles(dataset: Dataset, flags: Sequence[Flag]) -> list[DocumentTrouble]:
    """Every document of the dataset with its trouble, worst first (ties in document order)."""
    troubles = []
    for doc_id in dataset.doc_ids:
        found = (summary_trouble(model, doc_id, flags) for model in dataset.models)
        troubles.append(DocumentTrouble(doc_id, tuple(t for t in found if t is not None)))
    return sorted(troubles, key=lambda t: t.order, reverse=True)


def flagged_by_model(troubles: Sequence[DocumentTrouble]) -> dict[str, list[SummaryTrouble]]:
    """Each model's flagged summaries, worst first."""
    found: dict[str, list[SummaryTrouble]] = {}
    for document in troubles:
        for summary in document.summaries:
            if summary.flagged:
                found.setdefault(summary.model, []).append(summary)
    return {model: sorted(items, key=lambda s: s.order, reverse=True) for model, items in found.items()}


def detail_documents(troubles: Sequence[DocumentTrouble], models: Sequence[str], limit: int, seed: int) -> list[str]:
    """The documents shown one by one: each model's worst flagged summaries (so every model's list links
    somewhere), then the worst documents overall, then a fixed-seed sample of the untroubled; worst first."""
    if limit <= 0:
        return []
    untroubled = [t.doc_id for t in troubles if not t.flagged]
    sample_size = min(len(untroubled), max(1, limit // 10)) if len(troubles) > limit else len(untroubled)
    budget = max(0, limit - sample_size)
    chosen: dict[str, None] = {}
    by_model = flagged_by_model(troubles)
    # no model has more flagged summaries than the dataset has documents: --max-documents 10**9 means "all", at once
    per_model = min(max(1, budget // max(1, 2 * len(models))), max(map(len, by_model.values()), default=0))
    for rank in range(per_model):
        for model in models:
            items = by_model.get(model, [])
            if rank < len(items) and len(chosen) < budget:
                chosen.setdefault(items[rank].doc_id)
    for document in troubles:
        if len(chosen) >= budget:
            break
        if document.flagged or document.lost:
            chosen.setdefault(document.doc_id)
    pool = [d for d in untroubled if d not in chosen]
    for doc_id in sorted(random.Random(seed).sample(pool, min(len(pool), max(0, limit - len(chosen))))):
        chosen.setdefault(doc_id)
    rank = {t.doc_id: index for index, t in enumerate(troubles)}
    return sorted(chosen, key=rank.__getitem__)
