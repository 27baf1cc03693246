"""Numeric fact checking: the fact table of an article, and the verdict on each figure of a summary.

    from harness.facts import extract_facts, check_summary
    table = extract_facts(article)                  # FactTable: every figure, its noun, predicate, evidence
    result = check_summary(summary, table)          # CheckResult: claims with verdicts, key facts, scores

A library with no knowledge of runs: it imports only harness.text, harness.errors and harness.documents.
"""

from harness.facts.check import (
    CONTRADICTED,
    NOT_IN_ARTICLE,
    OMITTED,
    PRESERVED,
    SUPPORTED,
    VERDICTS,
    CheckResult,
    Claim,
    KeyFact,
    check_summary,
)
from harness.facts.keys import table_for_document
from harness.facts.quantities import Quantity, agree, find_quantities
from harness.facts.selftest import SelftestReport, run_selftest
from harness.facts.signature import SIGNATURE, signature
from harness.facts.table import Evidence, Fact, FactTable, extract_facts

__all__ = [
    "CONTRADICTED", "NOT_IN_ARTICLE", "OMITTED", "PRESERVED", "SUPPORTED", "VERDICTS", "CheckResult", "Claim",
    "Evidence", "Fact", "FactTable", "KeyFact", "Quantity", "SIGNATURE", "agree", "check_summary", "extract_facts",
    "find_quantities", "run_selftest", "SelftestReport", "signature", "table_for_document",
]  # fmt: skip
