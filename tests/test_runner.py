import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import backends
import pytest

from harness import store
from harness.config import load_config
from harness.errors import HarnessError
from harness.runner import run
from harness.summarizers import BACKENDS


@pytest.fixture(autouse=True)
def counting_backend(monkeypatch):
    monkeypatch.setitem(BACKENDS, backends.CountingLead.backend, backends.CountingLead)
    monkeypatch.setitem(BACKENDS, backends.FixedSummary.backend, backends.FixedSummary)
    monkeypatch.setattr(backends.CountingLead, "calls", [])
    monkeypatch.setattr(backends.CountingLead, "crash_on", None)
    return backends.CountingLead


def config_text(dataset: Path, models: str) -> str:
    return f"name: t\ndataset: {{path: {dataset}}}\nmodels:\n{models}metrics: {{rouge: {{bootstrap: 200}}}}\n"


def test_results_directory_has_the_documented_schema(write_config, jsonl_dataset):
    path = write_config(config_text(jsonl_dataset(3), "  - {name: a, backend: counting-lead}\n  - {name: b, backend: textrank, words: 40}\n"))
    result = run(load_config(path))
    data = store.read_run(result.run_dir)
    assert sorted(p.name for p in result.run_dir.iterdir()) == sorted(
        ["run.json", "documents.jsonl", "generations.jsonl", "scores.jsonl", "summary.json", "summary.md",
         "report.md", "report.html", "report_files"]
    )
    assert data.run["name"] == "t" and data.run["status"] == "ok"
    assert data.run["config"]["models"][1] == {"name": "b", "backend": "textrank", "words": 40}
    assert data.run["signatures"]["rouge"].startswith("rouge|v:rouge-score-")
    assert data.run["versions"]["rouge-score"] == "0.1.2" and data.run["timings"]["total_seconds"] >= 0
    assert [d["doc_id"] for d in data.documents] == ["doc-0", "doc-1", "doc-2"]
    assert data.documents[0]["references"][1] == {"id": "second", "text": data.documents[0]["references"][1]["text"]}
    assert len(data.generations) == 6 and {"seconds", "tokens_in", "tokens_out", "truncated", "error"} <= set(data.generations[0])
    row = data.scores[0]
    assert {row["model"], row["doc_id"]} == {"a", "doc-0"} and row["summary"]
    assert set(row["rouge"]) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert set(row["rouge"]["rouge1"]) == {"precision", "recall", "fmeasure"}
    assert set(row["rouge_per_reference"]) == {"ref0", "second"}
    stat = data.summary["models"]["b"]["rouge"]["rougeL"]["fmeasure"]
    assert stat["low"] <= stat["mean"] <= stat["high"]
    assert "| a |" in (result.run_dir / "summary.md").read_text()
    assert not [p for p in result.run_dir.parent.iterdir() if p.name.startswith(".t.")]  # no staging left


def test_second_run_makes_no_model_call(write_config, jsonl_dataset, counting_backend, monkeypatch):
    path = write_config(config_text(jsonl_dataset(4), "  - {name: a, backend: counting-lead}\n  - {name: b, backend: lexrank}\n"))
    first = run(load_config(path))
    assert first.generated == 8 and first.cached == 0 and len(counting_backend.calls) == 4

    def forbidden(*args, **kwargs):
        raise AssertionError("a model was called on a warm run")

    for backend in ("counting-lead", "lexrank"):
        monkeypatch.setattr(BACKENDS[backend], "summarize", forbidden)
    second = run(load_config(path))
    assert second.generated == 0 and second.cached == 8
    assert [r["summary"] for r in second.scores] == [r["summary"] for r in first.scores]
    assert all(g["cached"] for g in store.read_run(second.run_dir).generations)


def test_cache_key_follows_options_and_article(write_config, jsonl_dataset, counting_backend):
    dataset = jsonl_dataset(2)
    run(load_config(write_config(config_text(dataset, "  - {name: a, backend: counting-lead, sentences: 2}\n"))))
    assert len(counting_backend.calls) == 2
    run(load_config(write_config(config_text(dataset, "  - {name: renamed, backend: counting-lead, sentences: 2}\n"))))
    assert len(counting_backend.calls) == 2  # the name is not part of what the model produces
    run(load_config(write_config(config_text(dataset, "  - {name: a, backend: counting-lead, sentences: 1}\n"))))
    assert len(counting_backend.calls) == 4


def test_no_cache_writes_nothing(write_config, jsonl_dataset, tmp_path):
    path = write_config(config_text(jsonl_dataset(2), "  - {name: a, backend: counting-lead}\n") + "cache: false\n")
    run(load_config(path))
    assert not (tmp_path / "results" / ".cache").exists()


def test_a_model_crashing_mid_run_loses_nothing(write_config, jsonl_dataset, counting_backend):
    dataset = jsonl_dataset(4)
    counting_backend.crash_on = json.loads(dataset.read_text().splitlines()[2])["article"][:30]
    models = "  - {name: flaky, backend: counting-lead}\n  - {name: steady, backend: lead}\n"
    path = write_config(config_text(dataset, models))
    result = run(load_config(path))
    flaky = [g for g in result.generations if g.model == "flaky"]
    assert [g.error is None for g in flaky] == [True, True, False, False]
    assert flaky[2].error == "RuntimeError: model crashed on this article"
    assert all(g.error is None for g in result.generations if g.model == "steady")
    assert result.run["status"] == "failed" and result.failures[0]["documents"] == 2
    assert "Traceback" in result.failures[0]["traceback"]
    assert result.summary["models"]["flaky"]["failed"] == 2 and result.summary["models"]["flaky"]["rouge"]["n"] == 2
    failed_row = next(r for r in result.scores if r["model"] == "flaky" and r["doc_id"] == "doc-2")
    assert failed_row["summary"] is None and "rouge" not in failed_row
    # errors are not cached: a fixed model resumes with only the two documents it did not finish
    counting_backend.calls.clear()
    counting_backend.crash_on = None
    resumed = run(load_config(path))
    assert len(counting_backend.calls) == 2 and resumed.run["status"] == "ok"


def test_one_failed_article_fails_alone_and_is_not_cached(write_config, jsonl_dataset, tmp_path):
    dataset = jsonl_dataset(4)
    refused = json.loads(dataset.read_text().splitlines()[3])["article"][-40:]  # only doc-3 has its last paragraph
    models = f"  - {{name: picky, backend: fixed, text: Talks were suspended., refuse: {json.dumps(refused)}}}\n  - {{name: steady, backend: lead}}\n"
    path = write_config(config_text(dataset, models))
    result = run(load_config(path))
    picky = {g.doc_id: g for g in result.generations if g.model == "picky"}
    assert picky["doc-3"].error == "refused: too long for this model" and picky["doc-3"].summary is None
    assert all(picky[doc].summary == "Talks were suspended." for doc in ("doc-0", "doc-1", "doc-2"))
    assert result.run["status"] == "failed"
    assert result.failures == [{"model": "picky", "error": "1 document(s) failed; first: doc-3: refused: too long for this model", "documents": 1}]
    assert result.summary["models"]["picky"]["failed"] == 1 and result.summary["models"]["steady"]["failed"] == 0
    again = run(load_config(path))  # the three good summaries come from the cache; the failed one is tried again
    assert [g.cached for g in again.generations if g.model == "picky"] == [True, True, True, False]


def test_a_model_giving_up_mid_run_does_not_stop_the_others(write_config, jsonl_dataset, counting_backend):
    models = "  - {name: gone, backend: fixed, text: x, give_up_after: 1}\n  - {name: after, backend: counting-lead}\n"
    result = run(load_config(write_config(config_text(jsonl_dataset(3), models))))
    assert [g.error for g in result.generations if g.model == "gone"] == [None] + ["the server went away"] * 2  # the row names the model already
    assert len(counting_backend.calls) == 3 and all(g.error is None for g in result.generations if g.model == "after")
    assert result.failures[0]["model"] == "gone" and "traceback" not in result.failures[0]  # a HarnessError is the whole story


def test_missing_model_stops_the_run_before_any_model_runs(write_config, jsonl_dataset, counting_backend, tmp_path):
    models = "  - {name: a, backend: counting-lead}\n  - {name: gone, backend: hf-seq2seq, model: ./no-such-model}\n"
    with pytest.raises(HarnessError, match=r"model 'gone': folder .*no-such-model does not exist"):
        run(load_config(write_config(config_text(jsonl_dataset(2), models))))
    assert counting_backend.calls == []
    assert not (tmp_path / "results" / "t").exists()


def test_rewriting_a_run_replaces_it_whole(write_config, jsonl_dataset):
    path = write_config(config_text(jsonl_dataset(3), "  - {name: a, backend: lead}\n"))
    run(load_config(path))
    path.write_text(config_text(jsonl_dataset(1, "one.jsonl"), "  - {name: a, backend: lead}\n"))
    result = run(load_config(path))
    assert len(store.read_run(result.run_dir).scores) == 1


def test_killed_run_resumes_without_redoing_finished_work(write_config, jsonl_dataset, tmp_path):
    """Kill -9 a real CLI process midway, rerun: finished generations come from the cache."""
    log = tmp_path / "calls.log"
    models = f"  - {{name: slow, backend: counting-lead, sleep: 0.4, log: {json.dumps(str(log))}}}\n"
    path = write_config(config_text(jsonl_dataset(8), models))
    command = [sys.executable, str(Path(backends.__file__)), "run", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    # The 4th article is logged once the 3rd generation is cached (the log line comes before the yield).
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 4):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "results" / "t").exists()  # nothing half-written
    cached = sqlite3.connect(tmp_path / "results" / ".cache" / "generations.sqlite").execute("SELECT COUNT(*) FROM generations").fetchone()[0]
    assert 3 <= cached < 8
    log.unlink()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert len(log.read_text().splitlines()) == 8 - cached  # only the unfinished documents ran again
    data = store.read_run(tmp_path / "results" / "t")
    assert len(data.scores) == 8 and sum(g["cached"] for g in data.generations) == cached
