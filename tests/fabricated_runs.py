"""Results folders fabricated at any size, for report tests and benchmarks/report_scale.py.

Scoring 11,490 CNN/DM articles with five systems takes minutes; a report only reads results folders. So
a few template articles are written, their fact tables built and a few summaries of each checked by the
real fact checker once (supported, contradicted, not-in-article figures); documents then reuse them with
random ROUGE and extractive figures, and store.write_run_dir writes run.json, documents.jsonl,
generations.jsonl, scores.jsonl and summary.json as a run would. The numbers are random, the shapes real.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from harness.facts import check_summary, extract_facts
from harness.scoring import SCORERS
from harness.store import dumps_jsonl, write_run_dir

TEMPLATES = [
    ("The council said {a} people attended the meeting on Monday. Officials counted {b} complaints about the plan, "
     "which costs ${c} million. The vote was delayed until {y}.",
     ["{a} people attended the meeting; the plan costs ${c} million.", "{a2} people attended; the plan costs ${c} million.",
      "The plan drew {b} complaints and {z} protests.", "The vote was delayed."]),
    ("Police arrested {a} men after a raid in which {b} officers took part. The men, aged between {y2} and 40, will appear "
     "in court on Friday. About {c} homes were searched.",
     ["{a} men were arrested by {b} officers.", "{a2} men were arrested after a raid.", "Police searched {c} homes and {z} shops.",
      "Several men were arrested."]),
    ("The club signed the striker for £{c} million after he scored {a} goals last season. He is {y2} years old and joins "
     "on a {b}-year contract.",
     ["The club paid £{c} million for a striker who scored {a} goals.", "The club paid £{c2} million for the striker.",
      "The {y2}-year-old signed a {z}-year deal.", "The club signed a striker."]),
]  # fmt: skip


def _fill(text: str, values: dict[str, int]) -> str:
    return text.format(**values)


def _templates(rng: random.Random, variants: int) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(article, fact table, checked summaries) for a few filled-in templates."""
    out = []
    for index in range(variants):
        article, summaries = TEMPLATES[index % len(TEMPLATES)]
        values = {"a": rng.randint(12, 90), "b": rng.randint(3, 9), "c": rng.randint(2, 60), "y": rng.randint(2001, 2019), "y2": rng.randint(18, 30)}
        values.update(a2=values["a"] + 7, c2=values["c"] + 11, z=values["b"] + 13)
        text = _fill(article, values)
        table = extract_facts(text)
        checked = []
        for summary in summaries:
            summary = _fill(summary, values)
            checked.append({"summary": summary, "facts": check_summary(summary, table).to_dict()})
        out.append((text, table.to_dict(), checked))
    return out


def fabricate_run(
    folder: Path, name: str, documents: int, models: list[str], seed: int = 0, dataset: str = "fabricated.jsonl",
    titles: bool = True, hostile: str | None = None, failures: int = 0, doc_prefix: str = "doc",
) -> Path:
    """Write a results folder `folder/name` with `documents` documents scored for every model."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    templates = _templates(rng, 12)
    scorers = {key: SCORERS[key]() for key in ("rouge", "facts", "extractive")}
    docs, generations, scores = [], [], []
    quality = {model: 0.25 + 0.05 * i for i, model in enumerate(models)}
    for number in range(documents):
        article, table, checked = templates[number % len(templates)]
        doc_id = f"{doc_prefix}-{number:05d}"
        record: dict[str, Any] = {"doc_id": doc_id, "article": article, "references": [{"id": "ref0", "text": checked[0]["summary"]}], "fact_table": table}
        if titles:
            record["title"] = f"Story {number}: {article.split('.')[0][:50]}"
        docs.append(record)
        for index, model in enumerate(models):
            if index < failures and number % 50 == index:
                generations.append({"model": model, "doc_id": doc_id, "summary": None, "error": "timed out after 30 s"})
                scores.append({"model": model, "doc_id": doc_id, "summary": None, "error": "timed out after 30 s"})
                continue
            # most summaries faithful; weaker models (earlier in the list) flagged more often
            weights = [0.7 - 0.05 * index, 0.04 + 0.01 * (len(models) - index), 0.04, 0.2]
            pick = checked[rng.choices(range(len(checked)), weights=weights)[0]]
            summary = pick["summary"]
            if hostile and number % 97 == 0:  # every model contradicts these articles: they head the report
                pick = checked[1]
                summary = pick["summary"]
                if index == len(models) - 1:
                    summary = hostile + " " + summary
                    pick = {"facts": {**pick["facts"], "claims": [{**c, "span": [c["span"][0] + len(hostile) + 1, c["span"][1] + len(hostile) + 1]}
                                                                  for c in pick["facts"]["claims"]]}}  # fmt: skip
            f1 = float(np.clip(np_rng.normal(quality[model], 0.08), 0, 1))
            rouge = {t: {"precision": f1, "recall": f1, "fmeasure": f1 * s} for t, s in (("rouge1", 1.0), ("rouge2", 0.45), ("rougeL", 0.7), ("rougeLsum", 0.9))}
            extractive = {"coverage": float(np_rng.uniform(0.7, 1)), "density": float(np_rng.uniform(1, 20)), "compression": float(np_rng.uniform(5, 15))}
            generations.append({"model": model, "doc_id": doc_id, "summary": summary, "seconds": 0.01, "tokens_in": None, "tokens_out": None})
            scores.append({"model": model, "doc_id": doc_id, "summary": summary, "words": len(summary.split()), "rouge": rouge, "facts": pick["facts"], "extractive": extractive})
    summary_json = {"documents": documents, "confidence": 0.95, "models": {model: _aggregate(scorers, [r for r in scores if r["model"] == model]) for model in models}}
    run = {
        "name": name, "status": "ok", "created": "2025-01-01T00:00:00+00:00", "config_path": None,
        "config": {"name": name, "dataset": {"path": dataset}, "metrics": {}, "statistics": {"bootstrap": 1000, "confidence": 0.95}, "seed": 0},
        "signatures": {key: str(scorer.signature()) for key, scorer in scorers.items()},
        "scorers": {key: scorer.describe() for key, scorer in scorers.items()},
        "documents": documents, "models": models, "versions": {}, "git": None,
    }  # fmt: skip
    files = {
        "run.json": json.dumps(run, indent=2, ensure_ascii=False) + "\n",
        "documents.jsonl": dumps_jsonl(docs),
        "generations.jsonl": dumps_jsonl(generations),
        "scores.jsonl": dumps_jsonl(scores),
        "summary.json": json.dumps(summary_json, indent=2) + "\n",
    }
    return write_run_dir(folder / name, files)


def _aggregate(scorers: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A model's summary.json entry: means with a normal-approximation interval (fast; the data is random anyway)."""
    ok = [r for r in rows if not r.get("error")]
    entry: dict[str, Any] = {"documents": len(rows), "failed": len(rows) - len(ok), "words": float(np.mean([r["words"] for r in ok])) if ok else None,
                             "seconds_per_summary": 0.01, "tokens_in": None, "tokens_out": None}  # fmt: skip
    for name, scorer in scorers.items():
        figures: dict[str, Any] = {"n": len(ok)}
        for metric in scorer.metrics():
            values = np.array([v for v in (_at(r[name], metric.path) for r in ok) if isinstance(v, (int, float))], dtype=float)
            target = figures
            for part in metric.path[:-1]:
                target = target.setdefault(part, {})
            if not values.size:
                target[metric.path[-1]] = {"mean": None, "low": None, "high": None} if metric.interval else None
                continue
            mean, half = float(values.mean()), float(1.96 * values.std() / np.sqrt(values.size))
            target[metric.path[-1]] = {"mean": mean, "low": mean - half, "high": mean + half} if metric.interval else mean
        for count in scorer.counts():
            figures[count.name] = int(sum(int(r[name].get(count.source or count.name) or 0) for r in ok))
        entry[name] = figures
    return entry


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data
