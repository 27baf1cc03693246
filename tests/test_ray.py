"""The Ray executor on a real local cluster: same results as the local executor, a killed worker and a
killed driver lose nothing.

Needs Ray (the `ray` extra, part of `dev`). Without it the tests are skipped, except in CI (CI=1), where
a missing Ray is a failure. One cluster (2 CPUs) serves the whole module.
"""

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
from conftest import ROOT, SEED_DIR

from harness import store
from harness.config import ModelSpec, load_config
from harness.documents import load_documents
from harness.executors.ray import RayExecutor, RayOptions
from harness.runner import run
from harness.summarizers import BACKENDS, SummaryError, SummaryOutput

try:
    import ray
except ImportError:  # pragma: no cover - CI installs [dev], which includes ray
    ray = None

pytestmark = pytest.mark.skipif(ray is None and not os.environ.get("CI"), reason='needs Ray (pip install "summarization-harness[ray]")')
TESTS = Path(__file__).parent


@pytest.fixture(scope="module")
def cluster():
    """A local Ray of 2 CPUs whose workers import this checkout's harness and the test backends; its GCS address."""
    if ray.is_initialized():
        ray.shutdown()
    previous = os.environ.get("PYTHONPATH")
    # Ray's worker processes inherit this environment: they must import the same harness and tests/backends.py.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT), *([previous] if previous else [])])
    try:
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


@pytest.fixture(autouse=True)
def test_backends(monkeypatch):
    monkeypatch.setitem(BACKENDS, backends.CountingLead.backend, backends.CountingLead)


def write(tmp_path: Path, dataset: Path, models: str, extra: str = "", name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"name: t\ndataset: {{path: {dataset}}}\nmodels:\n{models}metrics: {{rouge: {{bootstrap: 100}}, facts: {{bootstrap: 100}}}}\nreport: false\n{extra}")
    return path


def ray_executor(address: str, **options) -> str:
    return "executor: " + json.dumps({"type": "ray", "address": address, **options}) + "\n"


def timeless(rows):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_ray_gives_the_same_summaries_and_scores_as_the_local_executor(cluster, tiny_model, jsonl_dataset, tmp_path):
    models = (
        f"  - {{name: tiny, backend: hf-seq2seq, model: {tiny_model}, max_new_tokens: 8, min_new_tokens: 8, device: cpu}}\n"
        "  - {name: lead-3, backend: lead, sentences: 3}\n"
    )
    dataset = jsonl_dataset(5)
    local = run(load_config(write(tmp_path, dataset, models, "workers: 1\ncache: false\n")))
    on_ray = run(load_config(write(tmp_path, dataset, models, ray_executor(cluster, workers=2, batch_size=2) + "cache: false\n", "ray.yaml")).with_output(tmp_path / "ray"))
    assert on_ray.run["executor"]["type"] == "ray" and on_ray.run["executor"]["workers"] == 2
    assert on_ray.failures == [] and len(on_ray.generations) == 10
    assert timeless(store.read_run(local.run_dir).generations) == timeless(store.read_run(on_ray.run_dir).generations)
    assert local.scores == on_ray.scores


def test_a_worker_killed_mid_run_loses_only_its_batch(cluster, jsonl_dataset, tmp_path):
    models = "  - {name: slow, backend: counting-lead, sleep: 0.3}\n"
    dataset = jsonl_dataset(10)

    class KillOne:
        def __init__(self):
            self.killed = []

        def model_started(self, model, total, cached):
            pass

        def generated(self, model, count):
            if not self.killed:  # both workers hold a batch now: the driver hands out the next before recording
                actors = [a for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith("harness-")]
                victim = ray.get_actor(actors[0]["name"], namespace=actors[0]["namespace"])
                ray.kill(victim)
                self.killed.append(actors[0]["name"])

        def model_failed(self, model, error):
            pass

    config = load_config(write(tmp_path, dataset, models, ray_executor(cluster, workers=2, batch_size=1) + "cache: false\n"))
    observer = KillOne()
    result = run(config, observer=observer)
    assert observer.killed and result.failures == []
    assert result.run["executor"]["retried_batches"] >= 1  # the dead worker's batch was done again
    expected = run(load_config(write(tmp_path, dataset, "  - {name: slow, backend: lead}\n", "workers: 1\ncache: false\n", "lead.yaml")).with_output(tmp_path / "lead"))
    assert [g.summary for g in result.generations] == [g.summary for g in expected.generations]


def test_a_batch_whose_worker_dies_past_its_retries_fails_for_that_model_alone(cluster, jsonl_dataset, tmp_path):
    documents = load_documents(jsonl_dataset(4))
    slow = backends.CountingLead("slow", backends.CountingLead.Options(sleep=0.5), base_dir=tmp_path)
    executor = RayExecutor(RayOptions(address=cluster, workers=1, batch_size=2, max_retries=0))
    try:
        outputs = executor.generate(slow, ModelSpec(name="slow", backend="counting-lead", sleep=0.5), documents)
        first = [next(outputs), next(outputs)]  # batch one is back, and batch two is already out (sent before recording)
        ray.kill(executor._actors[0])
        rest = dict(outputs)
        lead = BACKENDS["lead"]("lead", BACKENDS["lead"].Options(), base_dir=tmp_path)
        after = dict(executor.generate(lead, ModelSpec(name="lead", backend="lead"), documents))
    finally:
        executor.close()
    assert sorted(index for index, _ in first) == [0, 1] and all(isinstance(output, SummaryOutput) for _, output in first)
    assert sorted(rest) == [2, 3] and all(isinstance(output, SummaryError) for output in rest.values())
    assert rest[2].message.startswith("the Ray worker died 1 time(s) on this batch")
    assert sorted(after) == [0, 1, 2, 3] and all(isinstance(output, SummaryOutput) for output in after.values())  # the next model runs


def test_the_driver_killed_and_the_rerun_takes_every_finished_summary_from_the_cache(cluster, jsonl_dataset, tmp_path):
    models = "  - {name: slow, backend: counting-lead, sleep: 0.3}\n"
    path = write(tmp_path, jsonl_dataset(12), models, ray_executor(cluster, workers=2, batch_size=1))
    command = [sys.executable, str(TESTS / "backends.py"), "run", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": os.environ["PYTHONPATH"]})
    database = tmp_path / "results" / ".cache" / "generations.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if database.exists() and _count(database, missing_table=0) >= 3:  # the file exists before its table
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    process.stderr.close()
    assert not (tmp_path / "results" / "t").exists()  # nothing half-written
    cached = _count(database)
    assert 3 <= cached < 12
    result = run(load_config(path))
    assert result.cached == cached and result.generated == 12 - cached and result.failures == []


def test_the_shipped_ray_config_gives_the_default_configs_results(cluster, root, tmp_path):
    default = run(load_config(root / "configs" / "default.yaml").updated(gates=None, cache=False, report=False).with_output(tmp_path / "local"))
    on_ray = run(load_config(root / "configs" / "ray-local.yaml").updated(cache=False, report=False).with_output(tmp_path / "ray"))
    assert on_ray.run["executor"]["type"] == "ray" and on_ray.failures == []
    assert default.scores == on_ray.scores
    assert SEED_DIR.name in {row["doc_id"] for row in on_ray.scores}


def _count(database: Path, missing_table: int | None = None) -> int:
    """Rows in the cache; `missing_table` is returned while the run has created the file but not yet its table."""
    with sqlite3.connect(database, timeout=30) as connection:
        try:
            return connection.execute("SELECT COUNT(*) FROM generations").fetchone()[0]
        except sqlite3.OperationalError as error:
            if missing_table is None or "no such table" not in str(error):
                raise
            return missing_table


def test_workers_asking_for_gpus_the_cluster_lacks_fail_at_once_with_one_line(cluster, jsonl_dataset, tmp_path):
    config = load_config(write(tmp_path, jsonl_dataset(2), "  - {name: lead-3, backend: lead}\n", ray_executor(cluster, num_gpus=1) + "cache: false\n"))
    started = time.perf_counter()
    result = run(config)
    assert time.perf_counter() - started < 60  # no waiting for room that never comes
    assert result.failures[0]["error"] == (
        "executor.num_gpus: each worker asks for 1 GPU(s) but the Ray cluster has 0 in all (start the nodes with GPUs, or lower num_gpus)"
    )
