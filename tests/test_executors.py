"""The executor seam and the local executor's process pool: same rows and values as one worker, failures kept."""

import contextlib
import importlib.util
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED_DIR
from helpers import run_cli

from harness import store
from harness.config import load_config
from harness.errors import HarnessError
from harness.executors import EXECUTORS, build_executor, local
from harness.runner import check_config, run
from harness.summarizers import BACKENDS
from harness.summarizers.extractive import ExtractiveOptions, Lead
from harness.summarizers.replicas import SET_ASIDE, ReplicaPool

DOCUMENTS = 24  # above MIN_SHARDED_ITEMS (16): the pool is used
MODELS = "  - {name: lead-2, backend: lead, sentences: 2}\n  - {name: tr, backend: textrank, words: 40}\n  - {name: lr, backend: lexrank}\n"


class PidOptions(ExtractiveOptions):
    crash_on: str | None = None  # an option (not a class attribute), so a worker process sees it too
    exit_on: str | None = None


class PidLead(Lead):
    """Lead-k that says which process made each summary, and can crash or kill its process on demand."""

    backend = "pid-lead"
    Options = PidOptions

    def summarize(self, articles):
        for index, output in super().summarize(articles):
            if self.options.crash_on and self.options.crash_on in articles[index]:
                raise RuntimeError("crashed in a worker\nsecond line")
            if self.options.exit_on and self.options.exit_on in articles[index]:
                os._exit(3)  # a worker killed mid-shard (out of memory, a segfault)
            yield index, type(output)(output.summary, output.seconds, meta={"pid": os.getpid()})


@pytest.fixture(autouse=True)
def pid_backend(monkeypatch):
    monkeypatch.setitem(BACKENDS, PidLead.backend, PidLead)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """DOCUMENTS distinct documents (rotations of the seed article's paragraphs), two references each: enough for the pool."""
    paragraphs = [p for p in (SEED_DIR / "article.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    path = tmp_path_factory.mktemp("docs") / "docs.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(DOCUMENTS):
            body = paragraphs[i % 22 :] + paragraphs[: i % 22]
            article = "\n\n".join(body[: 4 + i % 5])
            out.write(json.dumps({"id": f"d{i}", "article": article, "references": [body[0], body[1]]}) + "\n")
    return path


def config(tmp_path: Path, dataset: Path, models: str = MODELS, extra: str = "", name: str = "config.yaml") -> Path:
    path = tmp_path / name
    cache = "" if "cache:" in extra else "cache: false\n"  # a key given twice is a config error
    path.write_text(f"name: t\ndataset: {{path: {dataset}}}\nmodels:\n{models}statistics: {{bootstrap: 100}}\n{cache}{extra}")
    return path


def without_timing(rows):
    return [{k: v for k, v in row.items() if k not in ("seconds", "meta")} for row in rows]


def test_two_workers_give_the_same_rows_and_values_as_one(tmp_path, dataset):
    one = run(load_config(config(tmp_path, dataset, extra="workers: 1\n")))
    two = run(load_config(config(tmp_path, dataset, extra="workers: 2\n", name="two.yaml")).with_output(tmp_path / "two"))
    assert one.run["executor"] == {"type": "local", "workers": 1} and two.run["executor"] == {"type": "local", "workers": 2}
    assert len(two.scores) == 3 * DOCUMENTS and all("error" not in row for row in two.scores)
    assert without_timing(store.read_run(one.run_dir).generations) == without_timing(store.read_run(two.run_dir).generations)
    assert one.scores == two.scores  # same order, same ROUGE, fact and extractive values
    timeless = [{name: {k: v for k, v in entry.items() if k != "seconds_per_summary"} for name, entry in r.summary["models"].items()} for r in (one, two)]
    assert timeless[0] == timeless[1]  # aggregates and confidence intervals too


def test_parallel_summarizers_and_scoring_run_in_worker_processes(tmp_path, dataset):
    models = "  - {name: pids, backend: pid-lead}\n"
    result = run(load_config(config(tmp_path, dataset, models, extra="workers: 2\n")))
    pids = {g.meta["pid"] for g in result.generations}
    assert len(pids) == 2 and os.getpid() not in pids  # two processes, not this one
    assert [g.doc_id for g in result.generations] == [f"d{i}" for i in range(DOCUMENTS)]  # recorded in document order


def test_one_worker_starts_no_process(tmp_path, dataset):
    local.shutdown_pool()
    result = run(load_config(config(tmp_path, dataset, "  - {name: pids, backend: pid-lead}\n", extra="workers: 1\n")))
    assert {g.meta["pid"] for g in result.generations} == {os.getpid()}
    assert local._shared is None


def test_a_crash_in_a_worker_stops_that_model_only_and_keeps_its_traceback(tmp_path, dataset):
    models = "  - {name: flaky, backend: pid-lead, crash_on: 'd17'}\n  - {name: steady, backend: lead}\n"
    lines = dataset.read_text().splitlines()
    marked = tmp_path / "marked.jsonl"  # one article carries a marker the model crashes on
    marked.write_text("\n".join(line.replace('"article": "', '"article": "d17 ', 1) if '"d17"' in line else line for line in lines) + "\n")
    result = run(load_config(config(tmp_path, marked, models, extra="workers: 2\n")))
    flaky = {g.doc_id: g for g in result.generations if g.model == "flaky"}
    assert flaky["d17"].error == "RuntimeError: crashed in a worker"
    made = [g for g in flaky.values() if g.error is None]
    assert made and all(g.summary for g in made)  # shards finished before the crash are kept
    assert result.failures[0]["model"] == "flaky" and result.failures[0]["documents"] == DOCUMENTS - len(made)
    assert "crashed in a worker" in result.failures[0]["traceback"] and "in summarize" in result.failures[0]["traceback"]
    assert all(g.error is None for g in result.generations if g.model == "steady")


def test_a_worker_process_that_dies_fails_its_model_and_the_pool_recovers(tmp_path, dataset):
    lines = dataset.read_text().splitlines()
    marked = tmp_path / "marked.jsonl"
    marked.write_text("\n".join(line.replace('"article": "', '"article": "EXIT ', 1) if '"d5"' in line else line for line in lines) + "\n")
    models = "  - {name: dies, backend: pid-lead, exit_on: EXIT}\n  - {name: after, backend: pid-lead}\n"
    result = run(load_config(config(tmp_path, marked, models, extra="workers: 2\n")))
    assert result.failures[0]["model"] == "dies", result.failures
    assert "a worker process died" in result.failures[0]["error"], result.failures
    assert all(g.error is None for g in result.generations if g.model == "after")


def test_executor_options_are_checked_with_file_line_and_field(tmp_path, dataset):
    cases = {
        "executor: {type: nope}\n": r"config\.yaml:9: executor\.type: unknown executor 'nope' \(known: local, ray\)",
        "executor: {type: local, workers: 2}\n": r"config\.yaml:9: executor\.workers: unknown field",
        "executor:\n  type: ray\n  batch_sise: 4\n": r"config\.yaml:11: executor\.batch_sise: unknown field; did you mean 'batch_size'\?",
        "executor: {type: ray, num_gpus: -1}\n": r"config\.yaml:9: executor\.num_gpus: expected at least 0, got -1$",
        "workers: 0\n": r"config\.yaml:9: workers: expected more than 0, got 0$",
    }
    for extra, expected in cases.items():
        with pytest.raises(HarnessError, match=expected):
            check_config(load_config(config(tmp_path, dataset, extra=extra)))


def test_ray_missing_is_one_line_naming_the_extra(tmp_path, dataset, monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "ray" else __import__("importlib").machinery.PathFinder.find_spec(name))
    with pytest.raises(HarnessError) as error:
        build_executor(load_config(config(tmp_path, dataset, extra="executor: {type: ray}\n")))
    assert re.fullmatch(r".*config\.yaml:9: executor\.type: the ray executor needs Ray, which is not installed: "
                        r"pip install \"summarization-harness\[ray\]\"", str(error.value))


def test_registry_is_one_line_per_executor():
    assert set(EXECUTORS) == {"local", "ray"} and all(cls.name == name for name, cls in EXECUTORS.items())


def test_cli_workers_overrides_the_config(tmp_path, dataset):
    path = config(tmp_path, dataset, "  - {name: lead-2, backend: lead, sentences: 2}\n", extra="workers: 2\nreport: false\n")
    finished = run_cli("run", str(path), "--workers", "1", "--limit", "3")
    assert finished.returncode == 0, finished.stderr
    assert json.loads((tmp_path / "results" / "t" / "run.json").read_text())["executor"] == {"type": "local", "workers": 1}
    bad = run_cli("run", str(path), "--workers", "0")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --workers: must be a positive number of workers"


def test_replica_pool_prefers_the_least_busy_and_sets_aside_a_refusing_one():
    now = [0.0]
    pool = ReplicaPool(["http://a", "http://b", "http://c"], clock=lambda: now[0])
    with pool.lease() as first, pool.lease() as second, pool.lease() as third:
        assert {first, second, third} == {"http://a", "http://b", "http://c"}  # one each while all are busy
        with pool.lease() as fourth:
            assert fourth == first  # a tie in outstanding requests goes to the least recently used
    with pytest.raises(ConnectionRefusedError), pool.lease() as refused:
        raise ConnectionRefusedError
    assert refused not in pool.available() and len(pool.available()) == 2
    now[0] = SET_ASIDE + 0.1
    assert refused in pool.available()  # tried again after a while
    for _ in list(pool.urls):  # every replica refuses: the one due back soonest is still tried
        with pytest.raises(ConnectionRefusedError), pool.lease():
            raise ConnectionRefusedError
    assert pool.available() == [] and pool._acquire() in pool.urls


def test_two_servers_one_stopped_mid_run_lose_nothing_and_share_one_cache_key(fake_server, jsonl_dataset, tmp_path, caplog):
    servers = [fake_server("--delay", "0.05"), fake_server("--delay", "0.05")]
    urls = json.dumps([server.url for server in servers])
    model = "  - {{name: served, backend: openai, model: fake-model, concurrency: 2, max_retries: 4, backoff: 0.05, base_url: {}}}\n"
    dataset = jsonl_dataset(12)

    class StopOne:
        def __init__(self):
            self.seen, self.before = 0, None

        def model_started(self, model, total, cached):
            pass

        def generated(self, model, count):
            self.seen += count
            if self.seen == 4:  # requests are in flight on both servers now: stop the second
                self.before = servers[1].stats()["chat_requests"]
                servers[1].process.terminate()
                servers[1].process.wait(timeout=10)

        def model_failed(self, model, error):
            pass

    observer = StopOne()
    path = config(tmp_path, dataset, model.format(urls), extra="cache: true\n")
    with caplog.at_level(logging.WARNING):
        result = run(load_config(path), observer=observer)
    assert any("refuses connections; set aside" in record.getMessage() for record in caplog.records)
    assert result.failures == [] and [g.error for g in result.generations] == [None] * 12
    assert observer.before >= 1 and servers[0].stats()["chat_requests"] >= 12 - observer.before  # both served; the first took the rest
    # The cache key names the model and its settings, not the replicas: one replica finds every summary cached.
    again = run(load_config(config(tmp_path, dataset, model.format(json.dumps([servers[0].url])), extra="cache: true\n", name="one.yaml")))
    assert again.cached == 12 and again.generated == 0


def test_a_driver_killed_leaves_no_worker_behind_and_resumes_from_the_cache(tmp_path, dataset):
    path = config(tmp_path, dataset, "  - {name: tr, backend: textrank}\n  - {name: lr, backend: lexrank}\n", extra="cache: true\nworkers: 2\n")
    # The driver pauses once its first summary is cached (the test-only hook), with the pool at work: a fast
    # machine cannot finish the whole run before the kill lands.
    env = {**os.environ, "HARNESS_TEST_PAUSE_AT": "generate"}
    process = subprocess.Popen([sys.executable, "-m", "harness", "run", str(path)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = tmp_path / "results" / ".cache" / "generations.sqlite"
    deadline, workers = time.time() + 120, set()
    while time.time() < deadline and process.poll() is None:
        workers |= descendants(process.pid)
        if cached_rows(database) >= 1:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # the pool keeps working while the driver is paused
    workers |= descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(workers) >= 3  # the fork server and two workers (and multiprocessing's resource tracker)
    deadline = time.time() + 30
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "worker processes outlived their driver"
    cached = cached_rows(database)
    assert 1 <= cached < 2 * DOCUMENTS
    result = run(load_config(path))
    assert result.cached == cached and result.generated == 2 * DOCUMENTS - cached


def test_ctrl_c_ends_the_run_and_its_workers_with_one_line_and_no_traceback(tmp_path, dataset):
    path = config(tmp_path, dataset, "  - {name: tr, backend: textrank}\n  - {name: lr, backend: lexrank}\n", extra="cache: true\nworkers: 2\n")
    env = {**os.environ, "HARNESS_TEST_PAUSE_AT": "generate"}  # the driver sleeps once a summary is cached, the pool at work
    # A session of its own, so that Ctrl-C can reach the whole process group as a terminal's does; SIGINT as a
    # terminal leaves it (pytest-xdist's workers ignore it, and an ignored signal stays ignored across exec).
    process = subprocess.Popen([sys.executable, "-m", "harness", "run", str(path)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    database = tmp_path / "results" / ".cache" / "generations.sqlite"
    deadline, workers = time.time() + 120, set()
    while time.time() < deadline and process.poll() is None and cached_rows(database) < 1:
        workers |= descendants(process.pid)
        time.sleep(0.05)
    time.sleep(1.5)  # the pool finishes its shards while the driver is paused: idle workers each printed a traceback
    workers |= descendants(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # nothing of a failed test keeps running
    text = stderr.decode(errors="replace")
    assert process.returncode == 130, text
    assert "Traceback" not in text and "Exception" not in text, text
    assert text.strip().splitlines()[-1].startswith("interrupted:"), text
    assert len(workers) >= 3  # the fork server and two workers were there to interrupt
    deadline = time.time() + 30
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "worker processes outlived the interrupt"


def cached_rows(database: Path) -> int:
    """Rows in a generation cache (0 while it is being created)."""
    if not database.exists():
        return 0
    connection = sqlite3.connect(database, timeout=30)
    try:
        return connection.execute("SELECT COUNT(*) FROM generations").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not there yet
        return 0
    finally:
        connection.close()


def descendants(pid: int) -> set[int]:
    """Every process below pid (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_a_script_without_a_main_guard_runs_once_and_its_own_backend_works(tmp_path, dataset):
    """Workers do not re-run the driver's script (as multiprocessing's spawn would), so no guard is needed."""
    path = config(tmp_path, dataset, "  - {name: tr, backend: textrank}\n  - {name: mine, backend: mine}\n", extra="workers: 2\nreport: false\n")
    script = tmp_path / "evaluate.py"
    script.write_text(
        "from harness.config import load_config\nfrom harness.runner import run\nfrom harness.summarizers import BACKENDS\n"
        "from harness.summarizers.extractive import Lead\n\n"
        "class Mine(Lead):  # defined in __main__: a worker could not rebuild it, so it runs in the driver\n"
        "    backend = 'mine'\n\n"
        "BACKENDS['mine'] = Mine\nprint('script body ran', flush=True)\n"
        f"result = run(load_config({str(path)!r}))\nprint('failures', result.failures, flush=True)\n"
    )
    finished = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("script body ran") == 1 and "failures []" in finished.stdout


@pytest.mark.skipif(importlib.util.find_spec("ray") is None and not os.environ.get("CI"), reason="needs Ray")
def test_a_ray_address_nobody_listens_on_fails_at_once(tmp_path, dataset):
    bad = config(tmp_path, dataset, extra="executor: {type: ray, address: 'localhost'}\n")
    with pytest.raises(HarnessError, match=r"config\.yaml:9: executor\.address: use auto, ray://HOST:10001 or HOST:PORT"):
        check_config(load_config(bad))
    path = config(tmp_path, dataset, "  - {name: a, backend: lead}\n  - {name: b, backend: lead}\n",
                  extra="executor: {type: ray, address: '127.0.0.1:1'}\ncache: false\n")
    line = path.read_text().splitlines().index("executor: {type: ray, address: '127.0.0.1:1'}") + 1
    expected = (
        f"{path}:{line}: executor.address: cannot reach the Ray cluster at 127.0.0.1:1 (a TCP connection to 127.0.0.1 port 1: "
        "Connection refused); start one there with `ray start --head`, or drop executor.address to run on a local Ray"
    )
    started = time.perf_counter()
    with pytest.raises(HarnessError) as raised:  # not a failed model (exit 1), and not model after model
        run(load_config(path))
    assert time.perf_counter() - started < 30  # Ray's own client would retry for minutes
    assert str(raised.value) == expected
    assert not (tmp_path / "results" / "t").exists()  # no run folder with every model failed
    result = run_cli("run", str(path))
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1] == f"error: {expected}", result.stderr


def _serve_once(reply: bytes | None) -> tuple[int, threading.Thread]:
    """A one-connection TCP server on a free port that sends `reply` after reading the greeting (None: says nothing)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.recv(1024)
                if reply is not None:
                    connection.sendall(reply)
                time.sleep(1.5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


@pytest.mark.skipif(importlib.util.find_spec("ray") is None and not os.environ.get("CI"), reason="needs Ray")
def test_a_ray_address_where_something_else_answers_fails_at_once(tmp_path, dataset, monkeypatch):
    from harness.executors import ray as ray_executor

    port, _ = _serve_once(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    path = config(tmp_path, dataset, extra=f"executor: {{type: ray, address: '127.0.0.1:{port}'}}\ncache: false\n")
    line = next(k for k, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("executor:"))
    started = time.perf_counter()
    with pytest.raises(HarnessError) as raised:
        run(load_config(path))
    assert time.perf_counter() - started < 30
    assert str(raised.value) == (
        f"{path}:{line}: executor.address: 127.0.0.1:{port} answers, but not as a Ray cluster (it replied 'HTTP/1.1' to "
        "an HTTP/2 greeting); a cluster is reached at its head's GCS port (HOST:6379 by default) or its client port "
        "(ray://HOST:10001), not the dashboard's (8265)"
    )
    monkeypatch.setattr(ray_executor, "CONNECT_TIMEOUT", 0.3)
    port, _ = _serve_once(None)
    with pytest.raises(HarnessError, match=r"no reply to an HTTP/2 greeting within 0\.3 s"):
        ray_executor._check_reachable(f"127.0.0.1:{port}")
    settings = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # what Ray's gRPC servers answer: an empty SETTINGS frame
    port, thread = _serve_once(settings)
    ray_executor._check_reachable(f"ray://127.0.0.1:{port}")  # passes: this one speaks HTTP/2
    thread.join(5)


def test_a_pool_that_breaks_while_work_is_handed_out_is_a_dead_worker(monkeypatch):
    """A worker can die on an early shard while later shards are still being submitted: the pool then refuses
    work at submit time, which is the same dead worker as one found when a result is collected."""
    from concurrent.futures.process import BrokenProcessPool

    from harness.executors import local

    class BrokenPool:
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("A child process terminated abruptly")

    monkeypatch.setattr(local, "_pool", lambda workers: BrokenPool())
    with pytest.raises(HarnessError, match="^a worker process died"):
        local.LocalExecutor(local.LocalExecutor.Options(), workers=2).map(str, ["a", "b"])
