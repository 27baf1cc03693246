"""Results directories read back for reporting: one list of models across runs, joined by document id, and
the runs grouped into datasets (runs that share documents: the same id with the same article), since models are
only compared on the same documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
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
    dataset: str = ""  # key of the Dataset the model's run belongs to


@dataclass
class Dataset:
    """Runs over one set of documents: their models are ranked, charted and compared together."""

    key: str  # anchor-safe: "d1", "d2", ...
    label: str  # what the runs' configs call their data ("cnndm-docs.jsonl"), or the run names
    runs: list[str]
    models: list[ModelResult]
    doc_ids: list[str]  # in first-seen order
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> document record of these runs


@dataclass
class ReportData:
    """Everything a report shows: the runs, their models, and the documents they share."""

    runs: list[RunData]
    models: list[ModelResult]
    documents: dict[str, dict[str, Any]]  # doc_id -> the first run's record; ids can collide across datasets: see Dataset.documents
    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int = 0
    gold: bool = True  # whether the runs' fact scorer laid curated facts over the automatic tables
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)  # run name -> scorer -> signature
    scorers: list[Declarations] = field(default_factory=list)  # every scorer of the runs, in first-seen order
    datasets: list[Dataset] = field(default_factory=list)
    scorer_records: dict[str, dict[str, Any]] = field(default_factory=dict)  # scorer -> its run.json record


def run_name(run: RunData) -> str:
    """The run's name as its run.json gives it (else the folder's)."""
    return str(run.run.get("name") or run.path.name)


def _distinct(runs: list[RunData]) -> list[RunData]:
    """The runs, refused if one folder is given twice; runs that share a name (one config run before and after a
    change) are told apart by their folder's parent ("default (results-old)") so their models stay apart."""
    seen: dict[Path, Path] = {}
    for run in runs:
        resolved = run.path.resolve()
        if resolved in seen:
            raise HarnessError(f"{run.path}: this results folder is given twice; a report compares different runs")
        seen[resolved] = run.path
    names = [run_name(run) for run in runs]
    labelled = []
    for run, name in zip(runs, names, strict=True):
        if names.count(name) > 1:
            where = run.path.resolve().parent
            others = [r.path.resolve().parent for r, n in zip(runs, names, strict=True) if n == name and r is not run]
            label = f"{name} ({where.name})" if where.name not in {o.name for o in others} else f"{name} ({where})"
            run = replace(run, run={**run.run, "name": label})
        labelled.append(run)
    return labelled


def load_report_data(run_dirs: Sequence[str | Path | RunData]) -> ReportData:
    """Read results directories (or take runs already read) and line their models up for comparison."""
    runs = _distinct([path if isinstance(path, RunData) else read_run(path) for path in run_dirs])
    names = [model for run in runs for model in run.summary.get("models", {})]
    models = []
    for run in runs:
        name = run_name(run)
        scores: dict[str, dict[str, dict[str, Any]]] = {}
        for row in run.scores:
            scores.setdefault(row["model"], {})[row["doc_id"]] = row
        generations: dict[str, dict[str, dict[str, Any]]] = {}
        for row in run.generations:
            generations.setdefault(row["model"], {})[row["doc_id"]] = row
        for model, summary in run.summary.get("models", {}).items():
            key = model if names.count(model) == 1 else f"{name}/{model}"
            models.append(ModelResult(key, name, model, summary, scores.get(model, {}), generations.get(model, {})))
    documents: dict[str, dict[str, Any]] = {}
    for run in runs:
        for document in run.documents:
            documents.setdefault(document["doc_id"], document)
    config = runs[0].run.get("config", {}) or {}
    metrics = config.get("metrics", {}) or {}
    # statistics: the one block of today's configs, or (older runs) the ROUGE options that held them
    statistics = config.get("statistics") or metrics.get("rouge") or {}
    scorers: dict[str, Declarations] = {}
    records: dict[str, dict[str, Any]] = {}
    for run in runs:
        for declared in scorer_declarations(run.run, run.summary):
            scorers.setdefault(declared.name, declared)
        for name, record in (run.run.get("scorers") or {}).items():
            records.setdefault(name, record)
    return ReportData(
        runs=runs,
        models=models,
        documents=documents,
        bootstrap=int(statistics.get("bootstrap", 1000)),
        confidence=float(statistics.get("confidence", 0.95)),
        seed=int(config.get("seed", 0)),
        gold=bool((metrics.get("facts") or {}).get("gold", True)),
        signatures={run_name(run): run.run.get("signatures", {}) for run in runs},
        scorers=list(scorers.values()),
        datasets=group_datasets(runs, models),
        scorer_records=records,
    )


def group_datasets(runs: Sequence[RunData], models: Sequence[ModelResult]) -> list[Dataset]:
    """Runs that share a document (same id, same article) and give no id two articles are one dataset; the rest stand
    apart. Ids alone do not say it: JSONL exports of CNN/DM and XSum both number their documents 0, 1, 2 ..."""
    groups: list[tuple[list[int], dict[str, str]]] = []  # (runs, doc_id -> article), in first-seen order
    for index, run in enumerate(runs):
        members, articles = [index], {d["doc_id"]: d["article"] for d in run.documents}
        apart = []
        for group in groups:
            shares = any(articles.get(doc_id) == article for doc_id, article in group[1].items())
            if shares and not any(articles.get(doc_id, article) != article for doc_id, article in group[1].items()):
                members, articles = sorted(group[0] + members), {**group[1], **articles}
            else:
                apart.append(group)
        groups = sorted([*apart, (members, articles)], key=lambda group: group[0][0])
    datasets = []
    for number, (members, _) in enumerate(groups, start=1):
        names = [run_name(runs[i]) for i in members]
        key = f"d{number}"
        labels = list(dict.fromkeys(_dataset_label(runs[i]) for i in members))
        documents: dict[str, dict[str, Any]] = {}
        for i in members:
            for document in runs[i].documents:
                documents.setdefault(document["doc_id"], document)
        chosen = [m for m in models if m.run in names]
        for model in chosen:
            model.dataset = key
        datasets.append(Dataset(key, " + ".join(label for label in labels if label) or " + ".join(names), names, chosen, list(documents), documents))
    labels = Counter(dataset.label for dataset in datasets)
    for dataset in datasets:  # two datasets of one file name (test.jsonl of two corpora) are told apart by their runs
        if labels[dataset.label] > 1:
            dataset.label = f"{dataset.label} ({', '.join(dataset.runs)})"
    return datasets


def colliding_ids(datasets: Sequence[Dataset]) -> list[tuple[Dataset, Dataset, list[str]]]:
    """Pairs of datasets with document ids in common whose articles differ (the ids collide), with those ids."""
    found = []
    for index, first in enumerate(datasets):
        for second in datasets[index + 1 :]:
            ids = [d for d in first.doc_ids if d in second.documents and second.documents[d]["article"] != first.documents[d]["article"]]
            if ids:
                found.append((first, second, ids))
    return found


def _dataset_label(run: RunData) -> str:
    """The name a run's config gives its documents: the file or folder name, or the hub dataset's name."""
    dataset = (run.run.get("config") or {}).get("dataset") or {}
    if dataset.get("hf"):
        hf = dataset["hf"]
        if isinstance(hf, dict):
            return " ".join(str(part) for part in (hf.get("path"), hf.get("name"), hf.get("split")) if part)
        return str(hf)
    path = dataset.get("path")
    return Path(str(path)).name if path else ""
