"""Results directories read back for reporting: one list of models across runs, joined by document id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.report.tables import scorer_declarations
from harness.scoring import Declarations
from harness.store import RunData, read_run


@dataclass
class ModelResult:
    """One model of one run: its corpus summary and its rows by document."""

    key: str  # unique across the report: the model name, or run/model when names collide
    run: str
    model: str
    summary: dict[str, Any]
    scores: dict[str, dict[str, Any]]  # doc_id -> score row
    generations: dict[str, dict[str, Any]]  # doc_id -> generation row


@dataclass
class ReportData:
    """Everything a report shows: the runs, their models, and the documents they share."""

    runs: list[RunData]
    models: list[ModelResult]
    documents: dict[str, dict[str, Any]]  # doc_id -> document record, in first-seen order
    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int = 0
    gold: bool = True  # whether the runs' fact scorer laid curated facts over the automatic tables
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)  # run name -> scorer -> signature
    scorers: list[Declarations] = field(default_factory=list)  # every scorer of the runs, in first-seen order


def load_report_data(run_dirs: Sequence[str | Path | RunData]) -> ReportData:
    """Read results directories (or take runs already read) and line their models up for comparison."""
    runs = [path if isinstance(path, RunData) else read_run(path) for path in run_dirs]
    names = [model for run in runs for model in run.summary.get("models", {})]
    models = []
    for run in runs:
        name = run.run.get("name", run.path.name)
        for model, summary in run.summary.get("models", {}).items():
            key = model if names.count(model) == 1 else f"{name}/{model}"
            models.append(
                ModelResult(
                    key=key,
                    run=name,
                    model=model,
                    summary=summary,
                    scores={row["doc_id"]: row for row in run.scores if row["model"] == model},
                    generations={row["doc_id"]: row for row in run.generations if row["model"] == model},
                )
            )
    documents: dict[str, dict[str, Any]] = {}
    for run in runs:
        for document in run.documents:
            documents.setdefault(document["doc_id"], document)
    config = runs[0].run.get("config", {}) or {}
    metrics = config.get("metrics", {}) or {}
    # statistics: the one block of today's configs, or (older runs) the ROUGE options that held them
    statistics = config.get("statistics") or metrics.get("rouge") or {}
    scorers: dict[str, Declarations] = {}
    for run in runs:
        for declared in scorer_declarations(run.run, run.summary):
            scorers.setdefault(declared.name, declared)
    return ReportData(
        runs=runs,
        models=models,
        documents=documents,
        bootstrap=int(statistics.get("bootstrap", 1000)),
        confidence=float(statistics.get("confidence", 0.95)),
        seed=int(config.get("seed", 0)),
        gold=bool((metrics.get("facts") or {}).get("gold", True)),
        signatures={run.run.get("name", run.path.name): run.run.get("signatures", {}) for run in runs},
        scorers=list(scorers.values()),
    )
