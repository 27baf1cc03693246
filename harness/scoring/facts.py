"""Fact preservation and numeric precision: every figure of a summary checked against its article.

The engine is harness.facts; this scorer checks every model's summary against the document's fact table
(built once per document and run: the article's own, with the curated facts.yaml laid over it when the
document has one) and declares what the harness does with the results: key-fact recall and numeric
precision as metrics, contradicted and not-in-article claims as counts, the gates on them, and the
baseline entries that let `harness check` say which fact a model lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import Field

from harness.documents import Document
from harness.facts import CheckResult, FactTable, check_summary, signature, table_for_document
from harness.scoring.base import Count, Gate, Metric, Scorer, ScoreResult, ScorerOptions, Signature

FLAGGED = ("contradicted", "not_in_article")


class FactsOptions(ScorerOptions):
    """Options of the fact checker (harness.facts): numeric claims checked against the article."""

    gold: bool = Field(True, description="lay a document's curated facts.yaml over its automatic fact table")


@dataclass(frozen=True)
class FactsResult(ScoreResult):
    """The fact check of one summary (claims with verdicts and evidence, key facts kept or omitted)."""

    check: CheckResult

    def to_fields(self, name: str) -> dict[str, Any]:
        """{"facts": the check as plain data}."""
        return {name: self.check.to_dict()}


class FactScorer(Scorer):
    """Numeric claims of a summary aligned to the article's fact table, with verdicts and evidence."""

    name = "facts"
    description = "figures of the summary checked against the article's fact table"
    Options = FactsOptions
    default_on = True

    def __init__(self, options: FactsOptions | None = None, statistics: Any = None) -> None:
        super().__init__(options, statistics)
        self.options: FactsOptions
        self._tables: dict[tuple[str, str], FactTable] = {}

    def signature(self) -> Signature:
        """The checker's own signature plus whether curated tables were used."""
        return Signature.parse(signature()).extended(
("gold", "yes" if self.options.gold else "no"), *self.statistics.signature_fields()
        )

    def check_documents(self, documents: Sequence[Document]) -> None:
        """Parse every curated fact table (facts.yaml, a dataset's `facts` field) against its article, so a bad
        entry stops the run before any model runs rather than after generation."""
        if self.options.gold:
            for document in documents:
                if document.facts is not None:
                    table_for_document(document, gold=True)

    def prepare_documents(self, documents: Sequence[Document]) -> list[Document]:
        """Each document with its fact table attached: built once per run, written into documents.jsonl."""
        # built, not kept here: the table travels with the document (a worker scoring shard after shard would
        # otherwise hold every table of the run)
        return [
            document if document.fact_table is not None else replace(document, fact_table=table_for_document(document, gold=self.options.gold))
            for document in documents
        ]

    def table(self, document: Document) -> FactTable:
        """The document's fact table: the one the run attached (document.fact_table), or one built here once."""
        if isinstance(document.fact_table, str):  # the table as a run wrote it (JSON text): read back once
            key = (document.doc_id, document.article)
            if key not in self._tables:
                self._tables[key] = FactTable.from_dict(json.loads(document.fact_table))
            return self._tables[key]
        if document.fact_table is not None:
            return document.fact_table
        key = (document.doc_id, document.article)
        if key not in self._tables:
            self._tables[key] = table_for_document(document, gold=self.options.gold)
        return self._tables[key]

    def score(self, summary: str, document: Document) -> FactsResult:
        """Claims with verdicts and evidence, key facts preserved or omitted, and the scores."""
        return FactsResult(check_summary(summary, self.table(document)))

    def metrics(self) -> list[Metric]:
        """Key-fact recall, numeric and entity precision per summary, as percentages (key-entity recall off the table)."""
        return [
            Metric(("key_fact_recall",), "key-fact recall", unit="%", chart="facts"),
            Metric(("numeric_precision",), "num. precision", unit="%", chart="facts"),
            Metric(("entity_precision",), "entity prec.", unit="%", chart="facts"),
            Metric(("key_entity_recall",), "key-entity recall", unit="%", column=False),
        ]

    def counts(self) -> list[Count]:
        """Claims the article contradicts or does not contain, and summaries with any such claim."""
        return [
            Count("contradicted", "contra."),
            Count("not_in_article", "not in art."),
            Count("flagged_summaries", "flagged", column=False, source="flagged"),
        ]

    def gates(self) -> list[Gate]:
        """Key-fact recall floor and ceilings on flagged claims."""
        return [
            Gate("min_key_fact_recall", "key_fact_recall", "min", "each model's mean key-fact recall at least this"),
            Gate("min_entity_precision", "entity_precision", "min", "each model's mean entity precision at least this"),
            Gate("max_contradicted", "contradicted", "max", "each model's contradicted claims, over all documents, at most this", "count"),
            Gate("max_not_in_article", "not_in_article", "max", "each model's not-in-article claims at most this", "count"),
        ]

    def extra_aggregate(self, results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Key facts kept over all documents, micro numeric precision, claim totals."""
        claims = sum(r["claims_total"] for r in results)
        supported = sum(r["supported"] for r in results)
        return {
            "key_facts_preserved": sum(k["status"] == "preserved" for r in results for k in r["key_facts"]),
            "key_facts_total": sum(len(r["key_facts"]) for r in results),
            "numeric_precision_micro": supported / claims if claims else None,
            "claims": claims,
            "supported": supported,
        }

    def baseline_entry(self, result: Mapping[str, Any]) -> dict[str, Any]:
        """What `harness baseline` keeps of one check: key facts by id, and the claims' verdicts."""
        keys = [*result.get("key_facts", []), *result.get("key_entities", [])]  # figure ids f.., entity ids e..
        return {
            "key_facts": {k["fact"]: {"status": k["status"], "label": k.get("label") or k["text"]} for k in keys},
            "claims": [{"claim": c["claim"], "verdict": c["verdict"], "fact": c["fact"], "reason": c["reason"],
                        "claim_kind": c.get("claim_kind", "figure")} for c in result.get("claims", [])],  # fmt: skip
        }

    def regressions(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """(kind, what, why) for each key fact lost and each flagged claim that is new since the baseline."""
        found = []
        for fact_id, fact in (before.get("key_facts") or {}).items():
            status = (after.get("key_facts") or {}).get(fact_id, {}).get("status", "omitted")
            if fact["status"] == "preserved" and status != "preserved":
                found.append(("lost", f"lost: {fact['label']} ({fact_id})", ""))
        known = {(c["claim"], c["fact"], c["verdict"]) for c in before.get("claims", [])}
        for claim in after.get("claims", []):
            if claim["verdict"] in FLAGGED and (claim["claim"], claim["fact"], claim["verdict"]) not in known:
                absent = "new name not in the article" if claim.get("claim_kind") == "entity" else "new figure not in the article"
                label = "new contradiction" if claim["verdict"] == "contradicted" else absent
                found.append(("contradiction", f"{label}: '{claim['claim']}'", claim["reason"]))
        return found
