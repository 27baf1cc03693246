"""The runner: models x documents -> generations (cached, resumable) -> scores -> a results directory."""

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
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

import harness
from harness import store
from harness.cache import GenerationCache, cache_key
from harness.config import Config, ModelSpec
from harness.dataset import load_dataset
from harness.documents import Document
from harness.errors import HarnessError, OptionError
from harness.gates import GateReport, check_run, load_baseline, validate_gates
from harness.report import write_report
from harness.report.tables import summary_markdown
from harness.scoring import Scorer, aggregate, build_scorers, score_rows
from harness.store import Generation
from harness.summarizers import BACKENDS, Summarizer, SummaryError, SummaryOutput, create_summarizer
from harness.text import count_words

log = logging.getLogger(__name__)

_VERSIONED = ("summarization-harness", "rouge-score", "sumy", "nltk", "numpy", "torch", "transformers", "tokenizers", "pydantic")


class RunObserver(Protocol):
    """Receives progress while a run works (the CLI draws a progress bar from it)."""

    def model_started(self, model: str, total: int, cached: int) -> None:
        """A model begins: `total` documents, `cached` of them already done."""

    def generated(self, model: str, count: int) -> None:
        """`count` more documents done for model."""

    def model_failed(self, model: str, error: str) -> None:
        """A model stopped with an error; its remaining documents are marked failed."""


class _Silent:
    def model_started(self, model: str, total: int, cached: int) -> None:
        pass

    def generated(self, model: str, count: int) -> None:
        pass

    def model_failed(self, model: str, error: str) -> None:
        pass


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
    return summarizers, scorers, load_dataset(config)


def run(config: Config, observer: RunObserver | None = None) -> RunResult:
    """Evaluate every model of the config on every document and write the results directory."""
    # Before any model runs: the output must be writable, and no other run may be writing this folder.
    with store.lock_run_dir(config.run_dir):
        return _run(config, observer)


def _run(config: Config, observer: RunObserver | None) -> RunResult:
    config = expand_models(config)  # the run's models: a precomputed `each:` entry is one model per value
    observer = observer or _Silent()
    started_at, started = _now(), time.perf_counter()
    stages: dict[str, float] = {}  # wall seconds per stage, recorded in run.json
    with _stage(stages, "load"):
        summarizers, scorers, documents = check_config(config, available=False)
    cache = GenerationCache(config.cache_dir)
    try:
        plans = [_plan(summarizer, documents, cache) for summarizer in summarizers]
        for plan in plans:  # fail on a missing model before any model runs
            if plan.todo:
                plan.summarizer.prepare()
        missing = []  # and on the scorers' missing weights, one line for each scorer that misses them
        for scorer in scorers:
            try:
                scorer.prepare()
            except HarnessError as error:
                missing.append(str(config.error(("metrics", scorer.name), str(error))))
        if missing:
            raise HarnessError("\n".join(missing))
        with _stage(stages, "prepare documents"):
            for scorer in scorers:  # work on each article once per run: it travels with the document from here on
                documents = scorer.prepare_documents(documents)
        generations: list[Generation] = []
        timings: dict[str, dict[str, Any]] = {}
        failures: list[dict[str, Any]] = []
        for plan in plans:
            model_started = time.perf_counter()
            made = _generate(plan, documents, cache, observer, failures)
            generations += made
            timings[plan.summarizer.name] = {
                "seconds": round(time.perf_counter() - model_started, 3),
                # a precomputed model reads its summaries rather than generating them
                ("generated" if plan.summarizer.cacheable else "read"): sum(1 for g in made if not g.cached and g.error is None),
                "cached": len(documents) - len(plan.todo),
            }
        stages["generate"] = round(sum(t["seconds"] for t in timings.values()), 3)
    finally:
        cache.close()
    try:
        with _stage(stages, "score"):
            scores = score_generations(generations, documents, scorers)
    finally:
        for scorer in scorers:
            scorer.close()
    with _stage(stages, "summarize"):
        summary = summarize_scores(scores, generations, scorers, config)
    run_record = _run_record(config, scorers, documents, timings, failures, started_at, time.perf_counter() - started)
    run_record["timings"]["stages"] = dict(stages)  # the stages before writing; RunResult.stages has them all
    files = {
        store.RUN_FILE: json.dumps(run_record, indent=2, ensure_ascii=False) + "\n",
        store.DOCUMENTS_FILE: store.dumps_jsonl(d.to_record() for d in documents),
        store.GENERATIONS_FILE: store.dumps_jsonl(g.to_record() for g in generations),
        store.SCORES_FILE: store.dumps_jsonl(scores),
        store.SUMMARY_FILE: json.dumps(summary, indent=2) + "\n",
        store.SUMMARY_TABLE_FILE: summary_markdown(summary, run_record),
    }
    written: list[store.RunData] = []

    def finish(staged: Path) -> None:  # the report is written into the staged folder: the run appears with it or not at all
        written.append(store.read_run(staged))  # read once: the report and the gates see exactly what was written
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


@dataclass
class _Plan:
    summarizer: Summarizer
    fingerprint: dict[str, Any]
    keys: list[str]
    hits: dict[str, dict[str, Any]]
    todo: list[int]


def _plan(summarizer: Summarizer, documents: Sequence[Document], cache: GenerationCache) -> _Plan:
    fingerprint = summarizer.fingerprint()
    keys = [cache_key(fingerprint, document.article) for document in documents]
    hits = cache.get_many(keys) if summarizer.cacheable else {}
    return _Plan(summarizer, fingerprint, keys, hits, [i for i, key in enumerate(keys) if key not in hits])


def _generate(
    plan: _Plan, documents: Sequence[Document], cache: GenerationCache, observer: RunObserver, failures: list[dict[str, Any]]
) -> list[Generation]:
    summarizer = plan.summarizer
    done: dict[int, Generation] = {
        i: _generation(summarizer.name, documents[i].doc_id, SummaryOutput(**plan.hits[key]), cached=True)
        for i, key in enumerate(plan.keys)
        if key in plan.hits
    }
    observer.model_started(summarizer.name, len(documents), len(done))
    failed_documents: list[str] = []
    if plan.todo:
        fingerprint, store_keys, refreshed = plan.fingerprint, plan.keys, False
        try:
            # closing(): a backend's threads and connections end even when this loop stops early.
            with contextlib.closing(summarizer.summarize_documents([documents[i] for i in plan.todo])) as outputs:
                for position, output in outputs:
                    index = plan.todo[position]
                    if isinstance(output, SummaryError):  # one article failed; errors are never cached
                        done[index] = Generation(summarizer.name, documents[index].doc_id, None, seconds=output.seconds, error=output.message)
                        failed_documents.append(f"{documents[index].doc_id}: {output.message}")
                        observer.generated(summarizer.name, 1)
                        continue
                    if not refreshed:
                        # Loading can pin down what the fingerprint could not know before (the downloaded commit).
                        refreshed, fingerprint = True, summarizer.fingerprint()
                        if fingerprint != plan.fingerprint:
                            store_keys = [cache_key(fingerprint, d.article) for d in documents]
                    if summarizer.cacheable:
                        cache.put(store_keys[index], summarizer.name, asdict(output), fingerprint)
                    done[index] = _generation(summarizer.name, documents[index].doc_id, output, cached=False)
                    observer.generated(summarizer.name, 1)
        except Exception as error:  # a model that fails mid-run: keep what it made, mark the rest failed, go on
            one_line = str(error) if isinstance(error, HarnessError) else f"{type(error).__name__}: {error}"
            message = (one_line.strip().splitlines() or [type(error).__name__])[0].removeprefix(f"model '{summarizer.name}': ")
            missing = [i for i in plan.todo if i not in done]
            for index in missing:
                done[index] = Generation(summarizer.name, documents[index].doc_id, None, error=message)
            failure = {"model": summarizer.name, "error": message, "documents": len(missing) + len(failed_documents)}
            if not isinstance(error, HarnessError):  # a HarnessError is the whole story; anything else may be a bug
                failure["traceback"] = traceback.format_exc()
            failures.append(failure)
            observer.model_failed(summarizer.name, message)
            failed_documents = []
        finally:
            summarizer.close()
    if failed_documents:
        failures.append({
            "model": summarizer.name,
            "error": f"{len(failed_documents)} document(s) failed; first: {failed_documents[0]}",
            "documents": len(failed_documents),
        })
        observer.model_failed(summarizer.name, failed_documents[0])
    return [done[i] for i in range(len(documents))]


def _generation(model: str, doc_id: str, output: SummaryOutput, cached: bool) -> Generation:
    return Generation(
        model=model,
        doc_id=doc_id,
        summary=output.summary,
        seconds=output.seconds,
        tokens_in=output.tokens_in,
        tokens_out=output.tokens_out,
        truncated=output.truncated,
        cached=cached,
        meta=output.meta,
    )


def score_generations(generations: Sequence[Generation], documents: Sequence[Document], scorers: Sequence[Scorer]) -> list[dict[str, Any]]:
    """One score row per generation: model, doc_id, summary, words, and each scorer's fields."""
    by_id = {document.doc_id: document for document in documents}
    rows: list[dict[str, Any]] = []
    scored: list[tuple[dict[str, Any], Generation]] = []
    for generation in generations:
        row: dict[str, Any] = {"model": generation.model, "doc_id": generation.doc_id, "summary": generation.summary}
        if generation.error is not None or generation.summary is None:
            row["error"] = generation.error
        else:
            row["words"] = count_words(generation.summary)
            scored.append((row, generation))
        rows.append(row)
    fields = score_rows(scorers, [g.summary or "" for _, g in scored], [by_id[g.doc_id] for _, g in scored])
    for (row, _), extra in zip(scored, fields):
        row.update(extra)
    return rows


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
