"""Scoring a run's summaries: shardable scorers in shards on the executor (every model's summary of a
document in one shard, so its article is worked on once), the others on the driver; and the per-model
summary of the scores."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness import store
from harness.config import Config
from harness.documents import Document
from harness.executors import Executor
from harness.executors.local import LocalExecutor
from harness.scoring import Scorer, Statistics, aggregate, score_rows, scorers_from, statistics_of
from harness.store import Generation
from harness.text import count_words


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
