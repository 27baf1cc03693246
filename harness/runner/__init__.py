"""The runner: models x documents -> plan -> executor -> record -> scores -> a results directory.

Planning (cache look-ups) and recording (cache writes, rows, failures, progress) happen on the driver
(harness/record.py); an executor (harness/executors/) computes: summaries, and scoring shards. The runner
holds no backend- or scorer-specific knowledge. Scoring is in harness/runner/scoring.py, the run.json
record in harness/runner/provenance.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness import store
from harness.cache import GenerationCache
from harness.config import Config, ModelSpec
from harness.dataset import load_dataset
from harness.documents import Document
from harness.errors import HarnessError, OptionError
from harness.executors import Executor, ExecutorUnavailable, build_executor
from harness.gates import GateReport, check_run, load_baseline, validate_gates
from harness.record import Recorder, RunObserver, Silent, plan
from harness.report import write_report
from harness.report.tables import summary_markdown
from harness.runner import provenance
from harness.runner.scoring import score_generations, summarize_scores
from harness.runtime import collector_paused
from harness.scoring import Scorer, build_scorers
from harness.store import Generation
from harness.summarizers import BACKENDS, Summarizer, create_summarizer

log = logging.getLogger(__name__)

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
    documents = load_dataset(config)
    for index, summarizer in enumerate(summarizers):
        try:
            summarizer.check_documents(documents)  # a precomputed file whose ids meet no document
        except OptionError as error:
            raise config.error(("models", config.model_entry(index), error.field), str(error)) from None
    for scorer in scorers:
        scorer.check_documents(documents)  # curated facts that do not fit their article
    return summarizers, scorers, documents


def availability_problems(config: Config, summarizers: list[Summarizer], scorers: list[Scorer]) -> list[HarnessError]:
    """Why each model a config names (a summarizer's or a model scorer's) cannot be had on this machine, if it
    cannot: missing weights, extras or API keys, each located at its config line."""
    parts: list[tuple[tuple[str | int, ...], Summarizer | Scorer]] = [
        (("models", config.model_entry(index)), summarizer) for index, summarizer in enumerate(summarizers)]
    parts += [(("metrics", scorer.name), scorer) for scorer in scorers]
    problems = []
    for loc, part in parts:
        try:
            part.prepare()
        except HarnessError as error:
            problems.append(config.error((*loc, getattr(error, "field", "model")), str(error)))
    return problems


def run(config: Config, observer: RunObserver | None = None) -> RunResult:
    """Evaluate every model of the config on every document and write the results directory."""
    # Before any model runs: the output must be writable, and no other run may be writing this folder.
    with store.lock_run_dir(config.run_dir), collector_paused():
        return _run(config, observer)


def _run(config: Config, observer: RunObserver | None) -> RunResult:
    config = expand_models(config)  # the run's models: a precomputed `each:` entry is one model per value
    observer = observer or Silent()
    started_at, started = provenance.now(), time.perf_counter()
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
    except ExecutorUnavailable as error:  # what was generated is cached: the same command resumes once it is fixed
        raise config.error(("executor", error.field), str(error)) from None
    except KeyboardInterrupt:
        executor.stop()  # Ctrl-C: shards in flight end now, not when they finish (a model's can take minutes)
        raise
    finally:
        executor.close()
        for scorer in scorers:
            scorer.close()
    with _stage(stages, "summarize"):
        summary = summarize_scores(scores, generations, scorers, config)
    run_record = provenance.run_record(config, scorers, documents, timings, failures, started_at, time.perf_counter() - started)
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
                except ExecutorUnavailable:
                    raise  # no model could run on it: the run stops, not this model
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
