"""Fact preservation and numeric precision: every figure of a summary checked against its article.

The engine is harness.facts; this scorer builds each document's fact table once (the article's own,
with the curated facts.yaml laid over it when the document has one), checks every model's summary
against it, and aggregates per model: key-fact recall, numeric precision, and the counts of
contradicted and not-in-article claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.config import FactsConfig
from harness.documents import Document
from harness.facts import FactTable, check_summary, signature, table_for_document
from harness.scoring.base import Scorer, Signature
from harness.stats import mean_ci


class FactScorer(Scorer):
    """Numeric claims of a summary aligned to the article's fact table, with verdicts and evidence."""

    name = "facts"

    def __init__(self, options: FactsConfig | None = None, seed: int = 0) -> None:
        self.options = options or FactsConfig()
        self.seed = seed
        self._tables: dict[tuple[str, str], FactTable] = {}

    def signature(self) -> Signature:
        """The checker's own signature plus whether curated tables were used."""
        return Signature.parse(signature()).extended(
            ("gold", "yes" if self.options.gold else "no"), ("boot", str(self.options.bootstrap)), ("seed", str(self.seed))
        )

    def table(self, document: Document) -> FactTable:
        """The document's fact table, built once per run however many models are scored."""
        key = (document.doc_id, document.article)
        if key not in self._tables:
            self._tables[key] = table_for_document(document, gold=self.options.gold)
        return self._tables[key]

    def score(self, summary: str, document: Document) -> dict[str, Any]:
        """{"facts": scores, claims with verdicts and evidence, key facts preserved or omitted}."""
        return {"facts": check_summary(summary, self.table(document)).to_dict()}

    def aggregate(self, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Per model: mean key-fact recall (with CI), numeric precision (macro and micro), claim counts."""
        results = [row["facts"] for row in rows if row.get("facts") is not None]
        recalls = [r["key_fact_recall"] for r in results if r["key_fact_recall"] is not None]
        precisions = [r["numeric_precision"] for r in results if r["numeric_precision"] is not None]
        boot = (self.options.bootstrap, self.options.confidence, self.seed)
        claims = sum(r["claims_total"] for r in results)
        supported = sum(r["supported"] for r in results)
        return {
            "n": len(results),
            "key_fact_recall": mean_ci(recalls, *boot),
            "key_facts_preserved": sum(k["status"] == "preserved" for r in results for k in r["key_facts"]),
            "key_facts_total": sum(len(r["key_facts"]) for r in results),
            "numeric_precision": mean_ci(precisions, *boot),
            "numeric_precision_micro": supported / claims if claims else None,
            "claims": claims,
            "supported": supported,
            "contradicted": sum(r["contradicted"] for r in results),
            "not_in_article": sum(r["not_in_article"] for r in results),
            "flagged_summaries": sum(bool(r["flagged"]) for r in results),
        }
