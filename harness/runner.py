"""The runner: models x documents -> plan -> executor -> record -> scores -> a results directory.

Planning (cache look-ups) and recording (cache writes, rows, failures, progress) happen on the driver
(harness/record.py); an executor (harness/executors/) computes: summaries, and scoring shards. The runner
holds no backend- or scorer-specific knowledge.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import harness
from harness import store
from harness.cache import GenerationCache
from harness.config import Config, ModelSpec
from harness.dataset import load_dataset
from harness.documents import Document
from harness.errors import HarnessError, OptionError
from harness.executors import Executor, build_executor
from harness.executors.local import LocalExecutor
from harness.gates import GateReport, check_run, load_baseline, validate_gates
from harness.record import Recorder, RunObserver, Silent, plan
from harness.report import write_report
from harness.report.tables import summary_markdown
from harness.runtime import collector_paused
from harness.scoring import Scorer, Statistics, aggregate, build_scorers, score_rows, scorers_from, statistics_of
from harness.store import Generation
from harness.summarizers import BACKENDS, Summarizer, create_summarizer
from harness.text import count_words

log = logging.getLogger(__name__)

_VERSIONED = ("summarization-harness", "rouge-score", "rapidfuzz", "sumy", "nltk", "numpy", "torch", "transformers", "tokenizers", "pydantic", "ray")


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
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds per stage: load ... write, report

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


def expand_models(config: Config) -> Config:
    """The config with each entry a backend expands (precomputed `each:`) replaced by the models it stands for."""
    if config._origins is not None:
        return config  # already expanded
    base_dir = config.source.parent if config.source else Path.cwd()
    models: list[ModelSpec] = []
    origins: list[int] = []
    for index, spec in enumerate(config.models):
        cls = BACKENDS.get(spec.backend)
        try:
            expanded = cls.expand(spec, base_dir) if cls is not None else [spec]  # an unknown backend is named later
        except ValidationError as error:
            raise config.invalid(error, ("models", index), cls.Options) from None
        except OptionError as error:
            raise config.error(("models", index, error.field), str(error)) from None
        models += expanded
        origins += [index] * len(expanded)
    seen: dict[str, int] = {}
    for spec, origin in zip(models, origins):
        if spec.name in seen:
            raise config.error(("models", origin, "name"), f"model name '{spec.name}' is used twice (entries {seen[spec.name]} and {origin}); names must be unique")
        seen[spec.name] = origin
    expanded_config = config.updated(models=tuple(models))
    expanded_config._origins = tuple(origins)
    return expanded_config


def build_summarizers(config: Config) -> list[Summarizer]:
    """One summarizer per model of the config (entries expanded), options validated; errors point at the config's line."""
    config = expand_models(config)
    summarizers = []
    base_dir = config.source.parent if config.source else Path.cwd()
    for index, spec in enumerate(config.models):
        if spec.backend not in BACKENDS:
            known = ", ".join(sorted(BACKENDS))
            raise config.error(("models", config.model_entry(index), "backend"), f"unknown backend '{spec.backend}' (known: {known})")
        try:
            summarizers.append(create_summarizer(spec, seed=config.seed, base_dir=base_dir))
        except ValidationError as error:
            raise config.invalid(error, ("models", config.model_entry(index)), BACKENDS[spec.backend].Options) from None
    return summarizers


def check_config(config: Config, available: bool = True) -> tuple[list[Summarizer], list[Scorer], list[Document]]:
    """Everything a run would build, built and checked, without generating anything; `available` also
    checks each model can be had (run() does that only for the models with work left)."""
    config = expand_models(config)
    scorers = build_scorers(config)
    validate_gates(config, scorers)
    summarizers = build_summarizers(config)
    for index, summarizer in enumerate(summarizers):
        try:
            summarizer.prepare() if available else summarizer.check()
        except OptionError as error:  # point at the option's line in the config
            raise config.error(("models", config.model_entry(index), error.field), str(error)) from None
    build_executor(config)  # checks the executor's options (and that Ray is installed); starts nothing
    return summarizers, scorers, load_dataset(config)


def run(config: Config, observer: RunObserver | None = None) -> RunResult:
    """Evaluate every model of the config on every document and write the results directory."""
    # Before any model runs: the output must be writable, and no other run may be writing this folder.
    with store.lock_run_dir(config.run_dir), collector_paused():
        return _run(config, observer)


def _run(config: Config, observer: RunObserver | None) -> RunResult:
    config = expand_models(config)  # the run's models: a precomputed `each:` entry is one model per value
    observer = observer or Silent()
    started_at, started = _now(), time.perf_counter()
    stages: dict[str, float] = {}  # wall seconds per stage, recorded in run.json
    with _stage(stages, "load"):
        summarizers, scorers, documents = check_config(config, available=False)
    executor = build_executor(config)
    try:
        generations, timings, failures = generate(config, summarizers, scorers, documents, executor, observer)
        stages["generate"] = round(sum(t["seconds"] for t in timings.values()), 3)
        scorer_seconds: dict[str, float] = {}
        with _stage(stages, "score"):
            scores, documents = score_generations(
                generations, documents, scorers, executor=executor, config=config, seconds=scorer_seconds
            )
    finally:
        executor.close()
        for scorer in scorers:
            scorer.close()
    with _stage(stages, "summarize"):
        summary = summarize_scores(scores, generations, scorers, config)
    run_record = _run_record(config, scorers, documents, timings, failures, started_at, time.perf_counter() - started)
    run_record["executor"] = executor.describe()  # how the run was executed: type, workers, options
    # the stages before writing (RunResult.stages has them all), and CPU seconds of each scorer over all workers
    run_record["timings"]["stages"] = dict(stages)
    run_record["timings"]["scorers_cpu"] = {name: round(seconds, 3) for name, seconds in scorer_seconds.items()}
    records = store.RunData(
        config.run_dir,
        run_record,
        [d.to_record() for d in documents],
        [g.to_record() for g in generations],
        list(scores),
        summary,
    )
    files: dict[str, str | list[dict[str, Any]]] = {
        store.RUN_FILE: json.dumps(run_record, indent=2, ensure_ascii=False) + "\n",
        store.DOCUMENTS_FILE: records.documents,
        store.GENERATIONS_FILE: records.generations,
        store.SCORES_FILE: records.scores,
        store.SUMMARY_FILE: json.dumps(summary, indent=2) + "\n",
        store.SUMMARY_TABLE_FILE: summary_markdown(summary, run_record),
    }
    written: list[store.RunData] = []

    def finish(staged: Path) -> None:  # the report is written into the staged folder: the run appears with it or not at all
        # the report and the gates see the records just written, as plain JSON data (no second parse of a large run)
        written.append(dataclasses.replace(records, path=staged, run=json.loads(files[store.RUN_FILE]), summary=json.loads(files[store.SUMMARY_FILE])))
        if config.report:
            with _stage(stages, "report"):
                write_report(written)

    needs_read = config.report or config.gates is not None
    with _stage(stages, "write"):
        run_dir = store.write_run_dir(config.run_dir, files, finish if needs_read else None)
    stages["write"] = round(stages["write"] - stages.get("report", 0.0), 3)  # the report has its own line
    result = RunResult(run_dir, run_record, documents, generations, scores, summary, failures, stages=stages)
    if config.gates is not None:
        baseline = load_baseline(config.gates.baseline) if config.gates.baseline else None
        result.gates = check_run(dataclasses.replace(written[0], path=run_dir), config.gates, baseline)
    return result


@contextlib.contextmanager
def _stage(stages: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall seconds a stage of the run takes."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = round(time.perf_counter() - started, 3)


def generate(
    config: Config,
    summarizers: Sequence[Summarizer],
    scorers: Sequence[Scorer],
    documents: Sequence[Document],
    executor: Executor,
    observer: RunObserver,
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
        missing = []  # and on the scorers' missing weights, one line for each scorer that misses them
        for scorer in scorers:
            try:
                scorer.prepare()
            except HarnessError as error:
                missing.append(str(config.error(("metrics", scorer.name), str(error))))
        if missing:
            raise HarnessError("\n".join(missing))
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
    config: Config | None = None,
    seconds: dict[str, float] | None = None,
) -> tuple[list[dict[str, Any]], list[Document]]:
    """One score row per generation (model, doc_id, summary, words, each scorer's fields), in generation order,
    and the documents as the scorers prepared them (each with its fact table).

    Shardable scorers (ROUGE, facts, extractive) run on the executor in shards of documents (every model's
    summary of a document in the same shard, so its fact table is built once), rebuilt from the config's
    plain options once per process; the others (models on a device, statistics over the whole run) get
    every summary in one score_batch on the driver. `seconds` receives each scorer's CPU seconds.
    """
    seconds = seconds if seconds is not None else {}
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
    documents = list(documents)
    sharded = [scorer for scorer in scorers if scorer.shardable]
    if sharded:
        if executor is None:  # no run around this call: score here, with the scorers given
            executor = LocalExecutor(LocalExecutor.Options(), workers=1)
        elif config is None and executor.workers > 1:
            raise ValueError("score_generations: pass the config the scorers were built from, so workers can rebuild them")
        metrics = {s.name: dict(config.metrics.get(s.name) or {}) for s in sharded} if config is not None else {}
        statistics = statistics_of(config) if config is not None else sharded[0].statistics
        token = uuid.uuid4().hex  # which run: workers keep one run's scorers (and their per-document caches)
        indices = sorted(pairs)
        size = executor.shard_size(len(indices))
        shards = [
            _ScoreShard(metrics, statistics, token, tuple(documents[i] for i in chunk), tuple(pairs[i] for i in chunk), tuple(chunk))
            for chunk in (indices[start : start + size] for start in range(0, len(indices), size))
        ]
        global _scorers
        _scorers = (token, list(sharded))  # shards run in this process use the driver's scorers
        try:
            for scored, prepared, cpu in executor.map(score_shard, shards):
                for row_index, fields in scored:
                    rows[row_index].update(fields)
                for document_index, document in prepared:
                    documents[document_index] = document
                for name, spent in cpu.items():
                    seconds[name] = seconds.get(name, 0.0) + spent
        finally:
            _scorers = None
        unscored = [i for i in range(len(documents)) if i not in pairs]  # no summary of them: prepared here, for the results
        for scorer in sharded:
            for i, document in zip(unscored, scorer.prepare_documents([documents[i] for i in unscored])):
                documents[i] = _table_as_json(document)
    for scorer in (s for s in scorers if not s.shardable):
        chosen = [(row_index, summary, documents[i]) for i, items in sorted(pairs.items()) for row_index, summary in items]
        started = time.process_time()
        fields = score_rows([scorer], [summary for _, summary, _ in chosen], [document for _, _, document in chosen])
        seconds[scorer.name] = time.process_time() - started
        for (row_index, _, _), extra in zip(chosen, fields):
            rows[row_index].update(extra)
    # keep the scorers' order in each row, whichever ran where
    order = [key for scorer in scorers for key in scorer.fields(None)]
    for row in rows:
        if "error" not in row:
            ordered = {key: row.pop(key) for key in order if key in row}
            row.update(ordered)
    return rows, documents


@dataclass(frozen=True)
class _ScoreShard:
    metrics: dict[str, dict[str, Any]]  # scorer name -> its options, as the config gives them
    statistics: Statistics
    token: str  # which run: a worker keeps one run's scorers
    documents: tuple[Document, ...]
    pairs: tuple[list[tuple[int, str]], ...]  # per document: [(row index, summary)]
    indices: tuple[int, ...]  # the documents' positions in the run


_scorers: tuple[str, list[Scorer]] | None = None  # this process's scorers, for the run named by the token


def score_shard(shard: _ScoreShard) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, Document]], dict[str, float]]:
    """Prepare and score one shard, wherever it runs: (row index, fields) per summary, the prepared documents, CPU seconds per scorer."""
    global _scorers
    if _scorers is None or _scorers[0] != shard.token:
        _scorers = (shard.token, scorers_from(shard.metrics, shard.statistics))
    scorers = _scorers[1]
    cpu: dict[str, float] = {}
    documents = list(shard.documents)
    for scorer in scorers:  # work on each article once per run (the facts scorer builds its fact table)
        started = time.process_time()
        documents = scorer.prepare_documents(documents)
        cpu[scorer.name] = cpu.get(scorer.name, 0.0) + time.process_time() - started
    chosen = [(row_index, summary, documents[k]) for k, items in enumerate(shard.pairs) for row_index, summary in items]
    fields: list[dict[str, Any]] = [{} for _ in chosen]
    for scorer in scorers:
        started = time.process_time()
        for row, extra in zip(fields, score_rows([scorer], [s for _, s, _ in chosen], [d for _, _, d in chosen])):
            row.update(extra)
        cpu[scorer.name] = cpu.get(scorer.name, 0.0) + time.process_time() - started
    # a fact table goes back as its JSON text: written as it is, and a tenth of the driver's memory of the objects
    documents = [_table_as_json(document) for document in documents]
    return [(row_index, f) for (row_index, _, _), f in zip(chosen, fields)], list(zip(shard.indices, documents)), cpu


def _table_as_json(document: Document) -> Document:
    table = document.fact_table
    if table is None or isinstance(table, str):
        return document
    return dataclasses.replace(document, fact_table=store.RawJSON(json.dumps(table.to_dict(), ensure_ascii=False)))


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
            entry[scorer.name] = aggregate(scorer, [row.get(scorer.name) for row in rows]) if rows else None
        models[spec.name] = entry
    documents = len({row["doc_id"] for row in scores})
    return {"documents": documents, "confidence": config.statistics.confidence, "models": models}


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
        "scorers": {scorer.name: scorer.describe() for scorer in scorers},
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
