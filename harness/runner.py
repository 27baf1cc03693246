"""The runner: models x documents -> generations (cached, resumable) -> scores -> a results directory."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import harness
from harness import store
from harness.cache import GenerationCache
from harness.config import Config, MetricsConfig
from harness.dataset import load_dataset
from harness.documents import Document
from harness.executors import Executor, build_executor
from harness.executors.local import LocalExecutor
from harness.gates import GateReport, check_run, load_baseline
from harness.record import Recorder, RunObserver, Silent, plan
from harness.report import write_report
from harness.report.tables import summary_markdown
from harness.scoring import Scorer, build_scorers
from harness.store import Generation
from harness.summarizers import BACKENDS, Summarizer, create_summarizer
from harness.text import count_words

log = logging.getLogger(__name__)

_VERSIONED = ("summarization-harness", "rouge-score", "pysbd", "sumy", "nltk", "numpy", "torch", "transformers", "tokenizers", "pydantic")


@dataclass
class RunResult:
    """Everything a run produced, as written to its results directory."""

    run_dir: Path
    run: dict[str, Any]
    documents: list[Document]
    generations: list[Generation]
    scores: list[dict[str, Any]]
    summary: dict[str, Any]
    failures: list[dict[str, Any]] = field(default_factory=list)
    gates: GateReport | None = None  # set when the config has gates

    @property
    def generated(self) -> int:
        """Summaries made by a model in this run (not read from the cache)."""
        return sum(1 for g in self.generations if not g.cached and g.error is None)

    @property
    def read(self) -> int:
        """Summaries read from precomputed files (counted in `generated` too)."""
        return sum(timing.get("read", 0) for timing in self.run["timings"]["models"].values())

    @property
    def cached(self) -> int:
        """Summaries read from the generation cache."""
        return sum(1 for g in self.generations if g.cached)


def build_summarizers(config: Config) -> list[Summarizer]:
    """One summarizer per config entry, options validated; errors point at the config's line."""
    summarizers = []
    base_dir = config.source.parent if config.source else Path.cwd()
    for index, spec in enumerate(config.models):
        if spec.backend not in BACKENDS:
            known = ", ".join(sorted(BACKENDS))
            raise config.error(("models", index, "backend"), f"unknown backend '{spec.backend}' (known: {known})")
        try:
            summarizers.append(create_summarizer(spec, seed=config.seed, base_dir=base_dir))
        except ValidationError as error:
            raise config.invalid(error, ("models", index), BACKENDS[spec.backend].Options) from None
    return summarizers


def check_config(config: Config) -> tuple[list[Summarizer], list[Scorer], list[Document]]:
    """Everything a run would build, built and checked, without generating anything."""
    summarizers = build_summarizers(config)
    build_executor(config)  # checks the executor's options (and that Ray is installed); starts nothing
    return summarizers, build_scorers(config.metrics, seed=config.seed), load_dataset(config)


def run(config: Config, observer: RunObserver | None = None) -> RunResult:
    """Evaluate every model of the config on every document and write the results directory."""
    observer = observer or Silent()
    started_at, started = _now(), time.perf_counter()
    summarizers, scorers, documents = check_config(config)
    executor = build_executor(config)
    try:
        generations, timings, failures = generate(config, summarizers, documents, executor, observer)
        scores = score_generations(generations, documents, scorers, executor=executor, metrics=config.metrics, seed=config.seed)
    finally:
        executor.close()
    summary = summarize_scores(scores, generations, scorers, config)
    run_record = _run_record(config, scorers, documents, timings, failures, started_at, time.perf_counter() - started)
    run_record["executor"] = executor.describe()  # how the run was executed: type, workers, options
    files = {
        store.RUN_FILE: json.dumps(run_record, indent=2, ensure_ascii=False) + "\n",
        store.DOCUMENTS_FILE: store.dumps_jsonl(d.to_record() for d in documents),
        store.GENERATIONS_FILE: store.dumps_jsonl(g.to_record() for g in generations),
        store.SCORES_FILE: store.dumps_jsonl(scores),
        store.SUMMARY_FILE: json.dumps(summary, indent=2) + "\n",
        store.SUMMARY_TABLE_FILE: summary_markdown(summary, run_record),
    }
    run_dir = store.write_run_dir(config.run_dir, files)
    result = RunResult(run_dir, run_record, documents, generations, scores, summary, failures)
    if config.report or config.gates is not None:
        written = store.read_run(run_dir)  # read once: the report and the gates see exactly what was written
        if config.report:
            write_report([written])
        if config.gates is not None:
            baseline = load_baseline(config.gates.baseline) if config.gates.baseline else None
            result.gates = check_run(written, config.gates, baseline)
    return result


def generate(
    config: Config, summarizers: Sequence[Summarizer], documents: Sequence[Document], executor: Executor, observer: RunObserver
) -> tuple[list[Generation], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Plan (cache look-ups), execute (the executor) and record (driver only): generations, timings, failures."""
    cache = GenerationCache(config.cache_dir)
    generations: list[Generation] = []
    timings: dict[str, dict[str, Any]] = {}
    failures: list[dict[str, Any]] = []
    try:
        plans = [plan(summarizer, spec, documents, cache) for summarizer, spec in zip(summarizers, config.models, strict=True)]
        for todo in plans:  # fail on a missing model before any model runs
            if todo.todo:
                todo.summarizer.prepare()
        for todo in plans:
            model_started = time.perf_counter()
            recorder = Recorder(todo, documents, cache, observer)
            if todo.todo:
                try:
                    # closing(): workers, threads and connections end even when this loop stops early.
                    with contextlib.closing(executor.generate(todo.summarizer, todo.spec, [documents[i] for i in todo.todo])) as outputs:
                        for position, output in outputs:
                            recorder.record(todo.todo[position], output)
                except Exception as error:  # a model that fails mid-run: keep what it made, mark the rest failed, go on
                    recorder.stop(error)
                finally:
                    todo.summarizer.close()
            generations += recorder.finish()
            failures += recorder.failures
            timings[todo.summarizer.name] = {
                "seconds": round(time.perf_counter() - model_started, 3),
                # a precomputed model reads its summaries rather than generating them
                ("generated" if todo.summarizer.cacheable else "read"): recorder.made,
                "cached": len(documents) - len(todo.todo),
            }
    finally:
        cache.close()
    return generations, timings, failures


def score_generations(
    generations: Sequence[Generation],
    documents: Sequence[Document],
    scorers: Sequence[Scorer],
    *,
    executor: Executor | None = None,
    metrics: MetricsConfig | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One score row per generation (model, doc_id, summary, words, each scorer's fields), in generation order.

    With an executor, the documents are split into shards (every model's summary of a document in the
    same shard, so its fact table is built once) that the executor scores where it runs work; the
    shards rebuild the scorers from `metrics` once per process.
    """
    position = {document.doc_id: i for i, document in enumerate(documents)}
    rows: list[dict[str, Any]] = []
    pairs: dict[int, list[tuple[int, str]]] = {}  # document index -> (row index, summary)
    for generation in generations:
        row: dict[str, Any] = {"model": generation.model, "doc_id": generation.doc_id, "summary": generation.summary}
        if generation.error is not None or generation.summary is None:
            row["error"] = generation.error
        else:
            row["words"] = count_words(generation.summary)
            pairs.setdefault(position[generation.doc_id], []).append((len(rows), generation.summary))
        rows.append(row)
    if not scorers:
        return rows
    if executor is None:  # no run around this call: score here, with the scorers given
        executor = LocalExecutor(LocalExecutor.Options(), workers=1)
    elif metrics is None and executor.workers > 1:
        raise ValueError("score_generations: pass the metrics config the scorers were built from, so workers can rebuild them")
    token = uuid.uuid4().hex  # which run: workers keep one run's scorers (and their per-document caches)
    indices = sorted(pairs)
    size = executor.shard_size(len(indices))
    shards = [
        _ScoreShard(metrics or MetricsConfig(), seed, token, tuple(documents[i] for i in chunk), tuple((k, pairs[i]) for k, i in enumerate(chunk)))
        for chunk in (indices[start : start + size] for start in range(0, len(indices), size))
    ]
    global _scorers
    _scorers = (token, list(scorers))  # shards run in this process use the driver's scorers
    try:
        for scored in executor.map(score_shard, shards):
            for row_index, fields in scored:
                rows[row_index].update(fields)
    finally:
        _scorers = None
    return rows


@dataclass(frozen=True)
class _ScoreShard:
    metrics: MetricsConfig
    seed: int
    token: str  # which run: a worker keeps one run's scorers
    documents: tuple[Document, ...]
    pairs: tuple[tuple[int, list[tuple[int, str]]], ...]  # (index into documents, [(row index, summary)])


_scorers: tuple[str, list[Scorer]] | None = None  # this process's scorers, for the run named by the token


def score_shard(shard: _ScoreShard) -> list[tuple[int, dict[str, Any]]]:
    """Score one shard's summaries, wherever it runs: (row index, fields) for each summary."""
    global _scorers
    if _scorers is None or _scorers[0] != shard.token:
        _scorers = (shard.token, build_scorers(shard.metrics, seed=shard.seed))
    scorers = _scorers[1]
    scored = []
    for document_index, summaries in shard.pairs:
        document = shard.documents[document_index]
        for row_index, summary in summaries:
            fields: dict[str, Any] = {}
            for scorer in scorers:
                fields.update(scorer.score(summary, document))
            scored.append((row_index, fields))
    return scored


def summarize_scores(
    scores: Sequence[dict[str, Any]], generations: Sequence[Generation], scorers: Sequence[Scorer], config: Config
) -> dict[str, Any]:
    """Per model: documents, failures, mean words and seconds, and each scorer's aggregate."""
    models: dict[str, Any] = {}
    for spec in config.models:
        rows = [row for row in scores if row["model"] == spec.name and "error" not in row]
        timed = [g.seconds for g in generations if g.model == spec.name and g.seconds is not None]
        entry: dict[str, Any] = {
            "backend": spec.backend,
            "documents": sum(1 for row in scores if row["model"] == spec.name),
            "failed": sum(1 for row in scores if row["model"] == spec.name and "error" in row),
            "words": sum(row["words"] for row in rows) / len(rows) if rows else None,
            "seconds_per_summary": sum(timed) / len(timed) if timed else None,
            "truncated": sum(1 for g in generations if g.model == spec.name and g.truncated),
            # token totals (an API's bill), over the summaries that report them
            "tokens_in": _total(g.tokens_in for g in generations if g.model == spec.name),
            "tokens_out": _total(g.tokens_out for g in generations if g.model == spec.name),
            # replies that hit the token limit (max_new_tokens / max_tokens) and may end mid-sentence
            "cut_off": sum(1 for g in generations if g.model == spec.name and (g.meta or {}).get("finish_reason") == "length"),
        }
        for scorer in scorers:
            entry[scorer.name] = scorer.aggregate(rows) if rows else None
        models[spec.name] = entry
    documents = len({row["doc_id"] for row in scores})
    return {"documents": documents, "confidence": config.metrics.rouge.confidence if config.metrics.rouge else None, "models": models}


def _total(counts: Iterable[int | None]) -> int | None:
    known = [count for count in counts if count is not None]
    return sum(known) if known else None


def _run_record(
    config: Config,
    scorers: Sequence[Scorer],
    documents: Sequence[Document],
    timings: dict[str, Any],
    failures: list[dict[str, Any]],
    started_at: str,
    seconds: float,
) -> dict[str, Any]:
    return {
        "name": config.name,
        "status": "failed" if failures else "ok",
        "harness_version": harness.__version__,
        "created": started_at,
        "config_path": str(config.source) if config.source else None,
        "config": config.model_dump(mode="json"),
        "signatures": {scorer.name: str(scorer.signature()) for scorer in scorers},
        "documents": len(documents),
        "models": [spec.name for spec in config.models],
        "timings": {"total_seconds": round(seconds, 3), "models": timings},
        "failures": failures,
        "versions": _versions(),
        "git": _git_state(config.source.parent if config.source else Path.cwd()),
        "host": {"python": sys.version.split()[0], "platform": platform.platform(), "machine": platform.machine()},
    }


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in _VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _git_state(folder: Path) -> dict[str, Any] | None:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5)
        if commit.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
