"""The openai backend against a real HTTP server (harness.fake_server in a subprocess)."""

import json
import logging
import socket
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli
from pydantic import ValidationError

from harness import store
from harness.config import ModelSpec, load_config
from harness.errors import HarnessError
from harness.runner import run
from harness.summarizers import create_summarizer
from harness.summarizers.openai_compat import OpenAICompatible
from harness.text import split_sentences

KEY = "sk-test-0123456789abcdef-secret"


def config_text(dataset: Path, models: str, report: bool = False) -> str:
    metrics = "{rouge: {bootstrap: 0}, facts: {bootstrap: 0}}"
    return f"name: t\ndataset: {{path: {dataset}}}\nmodels:\n{models}metrics: {metrics}\nreport: {str(report).lower()}\n"


def remote(url: str, name: str = "remote", **options) -> str:
    """A model entry for the openai backend, fast to give up (small backoff, few retries)."""
    fields = {"name": name, "backend": "openai", "base_url": url, "model": "fake-model", "backoff": 0.01, "max_retries": 3, **options}
    return "  - " + json.dumps(fields) + "\n"


LEAD = "  - {name: lead, backend: lead, sentences: 3}\n"


def rows(result, model: str) -> list:
    return [g for g in result.generations if g.model == model]


def test_run_scores_summaries_and_a_second_run_sends_no_request(fake_server, write_config, jsonl_dataset):
    server = fake_server()
    path = write_config(config_text(jsonl_dataset(4), remote(server.url) + LEAD, report=True))
    first = run(load_config(path))
    assert first.run["status"] == "ok" and first.generated == 8
    assert server.stats()["chat_requests"] == 4
    # The fake server replies with lead-3 of the article in the prompt: the same summaries and scores as the lead backend.
    assert [g.summary for g in rows(first, "remote")] == [g.summary for g in rows(first, "lead")]
    remote_summary = first.summary["models"]["remote"]
    assert remote_summary["rouge"]["rouge1"]["fmeasure"]["mean"] > 0.2
    assert remote_summary["rouge"] == first.summary["models"]["lead"]["rouge"]
    assert remote_summary["facts"]["claims"] > 0 and remote_summary["facts"]["contradicted"] == 0
    assert remote_summary["facts"] == first.summary["models"]["lead"]["facts"]
    assert "remote" in (first.run_dir / "report.md").read_text()
    written = store.read_run(first.run_dir).generations
    generation = next(g for g in written if g["model"] == "remote")
    assert generation["tokens_in"] > 50 and 0 < generation["tokens_out"] < 200 and generation["truncated"] is False
    assert generation["meta"] == {"finish_reason": "stop", "attempts": 1, "served_model": "fake-model"}

    second = run(load_config(path))
    assert second.cached == 8 and second.generated == 0
    assert server.stats()["chat_requests"] == 4  # the cache answered: not one request
    assert [g.summary for g in rows(second, "remote")] == [g.summary for g in rows(first, "remote")]


@pytest.mark.parametrize("status", [503, 429])
def test_a_server_that_recovers_loses_no_document(fake_server, write_config, jsonl_dataset, status, caplog):
    server = fake_server("--fail-first", "3", "--fail-status", str(status))
    path = write_config(config_text(jsonl_dataset(4), remote(server.url, concurrency=2)))
    with caplog.at_level(logging.WARNING, logger="harness.summarizers.openai_compat"):
        result = run(load_config(path))
    assert result.run["status"] == "ok" and all(g.error is None for g in result.generations)
    assert server.stats()["chat_requests"] == 4 + 3
    attempts = [g.meta["attempts"] for g in result.generations]
    assert sum(attempts) == 7 and max(attempts) > 1
    assert f"HTTP {status}" in caplog.text and "retrying" in caplog.text


def test_a_dead_server_fails_its_model_and_the_run_goes_on(fake_server, write_config, jsonl_dataset):
    server = fake_server("--fail-first", "1000")
    path = write_config(config_text(jsonl_dataset(5), remote(server.url, max_retries=1, concurrency=1) + LEAD))
    result = run(load_config(path))
    assert result.run["status"] == "failed"
    assert all(g.error and "HTTP 503" in g.error for g in rows(result, "remote"))
    assert all(g.error is None and g.summary for g in rows(result, "lead"))
    failure = next(f for f in result.failures if f["model"] == "remote")
    assert "server at http://127.0.0.1:" in failure["error"] and "kept failing" in failure["error"]
    assert "traceback" not in failure and failure["documents"] == 5
    # It stopped after three articles in a row gave up (two attempts each), not after trying all five
    # (the fourth may have sent one request before the stop).
    assert server.stats()["chat_requests"] in (6, 7)
    assert json.loads((result.run_dir / "run.json").read_text())["status"] == "failed"


def test_a_wrong_key_fails_the_model_and_no_key_is_written(fake_server, write_config, jsonl_dataset, tmp_path, monkeypatch):
    server = fake_server("--api-key", KEY)
    monkeypatch.setenv("FAKE_API_KEY", "sk-wrong-key-42")
    path = write_config(config_text(jsonl_dataset(3), remote(server.url, api_key_env="FAKE_API_KEY") + LEAD))
    result = run(load_config(path))
    failure = next(f for f in result.failures if f["model"] == "remote")
    assert "401" in failure["error"] and server.url in failure["error"] and "Incorrect API key" in failure["error"]
    assert "\n" not in failure["error"] and "sk-wrong-key-42" not in failure["error"]
    assert all(g.error == failure["error"] for g in rows(result, "remote"))

    monkeypatch.setenv("FAKE_API_KEY", KEY)
    fixed = run(load_config(path))  # the key is no part of the cache key, and errors were not cached
    assert fixed.run["status"] == "ok" and fixed.generated == 3
    for file in (tmp_path / "results").rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert KEY.encode() not in data and b"sk-wrong-key-42" not in data, file


def test_a_missing_key_variable_stops_the_run_before_it_starts(write_config, jsonl_dataset, tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VARIABLE", raising=False)
    path = write_config(config_text(jsonl_dataset(2), LEAD + remote("http://127.0.0.1:9/v1", api_key_env="NO_SUCH_KEY_VARIABLE")))
    with pytest.raises(HarnessError, match=r"model 'remote': environment variable NO_SUCH_KEY_VARIABLE is not set \(it holds the API key for http://127.0.0.1:9/v1\)"):
        run(load_config(path))
    assert not (tmp_path / "results" / "t").exists()


def test_an_article_too_long_for_the_server_fails_alone(fake_server, write_config, jsonl_dataset, seed_article, tmp_path):
    short = [json.loads(line) for line in jsonl_dataset(3).read_text().splitlines()]
    docs = short + [{"id": "long", "article": seed_article, "references": ["The talks in Geneva."]}]
    dataset = tmp_path / "mixed.jsonl"
    dataset.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    limit = max(len(doc["article"]) for doc in short) + 500
    assert len(seed_article) > limit
    server = fake_server("--max-prompt-chars", str(limit))
    result = run(load_config(write_config(config_text(dataset, remote(server.url)))))
    by_id = {g.doc_id: g for g in result.generations}
    assert all(by_id[doc["id"]].error is None for doc in short)
    assert by_id["long"].error.startswith("HTTP 400: This model's maximum context length is") and by_id["long"].seconds is not None
    assert server.stats()["chat_requests"] == 4  # a rejected article is not retried
    assert result.failures[0]["documents"] == 1 and "long: HTTP 400" in result.failures[0]["error"]


def test_reasoning_and_preamble_are_cleaned_from_replies(fake_server, write_config, jsonl_dataset):
    server = fake_server("--think")
    dataset = jsonl_dataset(2)
    models = remote(server.url, name="think") + remote(server.url, name="cut", max_tokens=1)
    result = run(load_config(write_config(config_text(dataset, models))))
    article = json.loads(dataset.read_text().splitlines()[0])["article"]
    think = rows(result, "think")[0]
    assert think.summary.startswith(split_sentences(article)[0]) and "<think>" not in think.summary
    assert think.meta["stripped_thinking"] is True and think.meta["stripped_preamble"].startswith("Here is a summary")
    # max_tokens ran out inside the reasoning: no summary, and a hint at what to change
    assert all("ended inside its reasoning (finish_reason length); raise max_tokens" in g.error for g in rows(result, "cut"))


def test_no_more_requests_in_flight_than_concurrency(fake_server, write_config, jsonl_dataset):
    server = fake_server("--delay", "0.2")
    result = run(load_config(write_config(config_text(jsonl_dataset(6), remote(server.url, concurrency=2)))))
    assert result.run["status"] == "ok"
    assert server.stats() == {"chat_requests": 6, "max_in_flight": 2}


def test_an_unknown_model_name_stops_the_model(fake_server, write_config, jsonl_dataset):
    server = fake_server("--model", "served-model")
    result = run(load_config(write_config(config_text(jsonl_dataset(3), remote(server.url, model="other")))))
    assert "answered HTTP 404: The model `other` does not exist." in result.failures[0]["error"]
    assert server.stats()["chat_requests"] <= 3


def test_a_dropped_generator_sends_nothing_more(fake_server, seed_article):
    server = fake_server("--delay", "0.3")
    model = summarizer(base_url=server.url, concurrency=1)
    articles = [p for p in seed_article.split("\n\n") if p.strip()][:6]
    replies = model.summarize(articles)
    index, output = next(replies)
    assert index == 0 and output.summary
    replies.close()  # the consumer stops early (an error, Ctrl-C)
    time.sleep(0.5)
    assert server.stats()["chat_requests"] <= 2  # at most the one in flight when it was dropped


def summarizer(**options) -> OpenAICompatible:
    fields = {"name": "m", "backend": "openai", "base_url": "http://localhost:8000/v1/", "model": "a", **options}
    return create_summarizer(ModelSpec(**fields))


def test_fingerprint_follows_the_output_not_the_execution(monkeypatch):
    monkeypatch.setenv("FAKE_API_KEY", KEY)
    base = summarizer(api_key_env="FAKE_API_KEY").fingerprint()
    assert base["options"]["base_url"] == "http://localhost:8000/v1" and base["options"]["model"] == "a"
    for changed in ({"prompt": "Shorten: {article}"}, {"temperature": 0.7}, {"model": "b"}, {"system_prompt": "Be brief."},
                    {"base_url": "http://other:8000/v1"}, {"extra_body": {"chat_template_kwargs": {"enable_thinking": False}}}):
        assert summarizer(api_key_env="FAKE_API_KEY", **changed).fingerprint() != base, changed
    for same in ({"concurrency": 16}, {"timeout": 5}, {"max_retries": 0}, {"backoff": 3}, {"api_key_env": "OTHER"}):
        assert summarizer(**{"api_key_env": "FAKE_API_KEY", **same}).fingerprint() == base, same
    assert KEY not in json.dumps(base)


def test_request_body_and_option_checks():
    body = summarizer(stop="\n\n", seed=3, extra_body={"top_k": 20}).request_body("One. Two.")
    assert body["model"] == "a" and body["stop"] == ["\n\n"] and body["seed"] == 3 and body["top_k"] == 20
    assert body["messages"][-1]["content"].endswith("Article:\nOne. Two.") and "top_p" not in body
    with pytest.raises(ValidationError, match="http:// or https://"):
        summarizer(base_url="localhost:8000/v1")
    with pytest.raises(ValidationError, match="base_url"):
        create_summarizer(ModelSpec(name="m", backend="openai", model="a"))


@pytest.mark.parametrize(("reply", "error"), [
    (b"<html>Bad gateway</html>", "not JSON: <html>Bad gateway</html>"),
    (b'{"choices": []}', "no choices[0].message"),
    (b'{"choices": [{"message": {"content": null, "reasoning_content": "hmm"}, "finish_reason": "length"}]}', "only reasoning"),
    (b'{"choices": [{"message": {"content": ""}, "finish_reason": "stop"}]}', "no choices[0].message.content"),
])
def test_malformed_replies_fail_one_article(reply, error):
    output = summarizer().parse(reply, 0.1, 1)
    assert error in output.message and output.seconds == 0.1


def test_a_reply_without_usage_has_no_token_counts():
    output = summarizer().parse(b'{"model": "x", "choices": [{"message": {"content": "A summary."}, "finish_reason": "length"}]}', 0.1, 2)
    assert output.summary == "A summary." and output.tokens_in is None and output.tokens_out is None
    assert output.meta == {"finish_reason": "length", "attempts": 2, "served_model": "x"} and output.truncated is False


def free_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_exits_1_when_the_server_is_down(write_config, jsonl_dataset):
    port = free_port()
    path = write_config(config_text(jsonl_dataset(3), LEAD + remote(f"http://127.0.0.1:{port}/v1", max_retries=1)))
    result = run_cli("run", str(path), timeout=120)
    assert result.returncode == 1, result.stderr
    stderr = " ".join(result.stderr.split())
    assert f"failed: model 'remote' (3 document(s)): cannot connect to http://127.0.0.1:{port}/v1 (ConnectError: " in stderr
    assert f"is the server running? To try this config without one, start the fake server: python -m harness.fake_server --port {port}" in stderr
    assert "Traceback" not in result.stderr


def test_a_refused_connection_fails_fast_whatever_max_retries_and_backoff_say(write_config, jsonl_dataset):
    # The shipped defaults (5 retries, backoff 1 s doubling) spent 31 s on a server that is not running.
    url = f"http://127.0.0.1:{free_port()}/v1"
    path = write_config(config_text(jsonl_dataset(3), LEAD + remote(url, max_retries=5, backoff=1.0)))
    started = time.perf_counter()
    result = run(load_config(path))
    assert time.perf_counter() - started < 5  # two short retries (at most 0.5 s each), then the model stops
    failure = next(f for f in result.failures if f["model"] == "remote")
    assert failure["error"].startswith(f"cannot connect to {url} (ConnectError: ") and failure["documents"] == 3
    assert all(g.error is None for g in rows(result, "lead"))


def test_the_example_config_runs_against_the_fake_server(fake_server, tmp_path):
    server = fake_server()
    config = load_config(ROOT / "configs" / "openai.yaml")
    models = tuple(ModelSpec(**{**spec.model_dump(), "base_url": server.url}) if spec.backend == "openai" else spec for spec in config.models)
    result = run(config.updated(models=models, output=tmp_path, report=False))
    assert result.run["status"] == "ok" and server.stats()["chat_requests"] == 1
    assert [g.summary for g in rows(result, "chat")] == [g.summary for g in rows(result, "lead-3")]


def test_timeout_is_a_deadline_for_the_whole_reply_then_the_request_is_retried(fake_server, write_config, jsonl_dataset):
    # The first reply trickles one byte every 0.5 s: each read is quick, the whole reply would take minutes.
    server = fake_server("--fault", "trickle", "--fault-first", "1", "--trickle-interval", "0.5")
    path = write_config(config_text(jsonl_dataset(1), remote(server.url, timeout=2, max_retries=2, backoff=0.2, concurrency=1)))
    started = time.perf_counter()
    result = run(load_config(path))
    elapsed = time.perf_counter() - started
    assert result.run["status"] == "ok" and result.generations[0].meta["attempts"] == 2
    assert server.stats()["chat_requests"] == 2
    assert 2.0 <= result.generations[0].seconds < 4.5 and elapsed < 8, (result.generations[0].seconds, elapsed)


def test_trickled_headers_are_bounded_too(fake_server, write_config, jsonl_dataset):
    server = fake_server("--fault", "trickle-headers", "--trickle-interval", "0.3")
    path = write_config(config_text(jsonl_dataset(1), remote(server.url, timeout=1.5, max_retries=0, concurrency=1)))
    started = time.perf_counter()
    result = run(load_config(path))
    assert time.perf_counter() - started < 6
    assert result.generations[0].error == "gave up after 1 attempt(s): no complete reply within 1.5 s"


LEAKY = "sk-leak-7f3a9c1e5b2d4086-canary"  # recognisable: it must appear in no file, no stdout and no stderr


@pytest.mark.parametrize(("server_args", "options", "key", "exit_code"), [
    ((), {}, LEAKY, 0),
    (("--api-key", "sk-the-right-one"), {}, LEAKY, 1),  # 401: wrong key
    (("--fault", "echo-401"), {}, LEAKY, 1),  # 401 quoting the key back
    (("--fault", "echo-html"), {}, LEAKY, 1),  # a proxy's 200 HTML page listing the request headers
    (("--fault", "echo-error"), {}, LEAKY, 1),  # a 500 whose message quotes the headers (retried, then given up)
    (("--fault", "echo-reply"), {}, LEAKY, 0),  # a well-formed reply quoting the headers in content, model, finish_reason
    (("--fault", "reset"), {}, LEAKY, 1),
    (("--fault", "garbage"), {}, LEAKY, 1),
    (("--fault", "trickle", "--trickle-interval", "0.2"), {"timeout": 1}, LEAKY, 1),
    (("--fault", "stall"), {"timeout": 1}, LEAKY, 1),
    ((), {}, LEAKY + "\nX-Injected: 1", 2),  # a key with a newline would split the header (h11 quoted it whole)
    ((), {}, LEAKY + "é", 2),  # a non-ASCII key: UnicodeEncodeError, position 29, naming nothing
    ((), {}, LEAKY + "\x1b[0m", 2),  # a terminal escape
])
def test_the_api_key_appears_in_no_file_and_no_output(server_args, options, key, exit_code, fake_server, write_config,
                                                      jsonl_dataset, tmp_path, monkeypatch, capsys):
    from harness.cli import main

    server = fake_server(*server_args)
    monkeypatch.setenv("LEAKY_KEY", key)
    entry = remote(server.url, api_key_env="LEAKY_KEY", max_retries=1, **options)
    path = write_config(config_text(jsonl_dataset(2), LEAD + entry, report=True))
    code = main(["run", str(path)])
    out, err = capsys.readouterr()
    assert code == exit_code, err
    written = [file for file in tmp_path.rglob("*") if file.is_file() and not file.name.startswith("server-")]
    assert any(file.name == "run.json" for file in written) == (exit_code != 2)
    for file in written:
        assert LEAKY.encode() not in file.read_bytes(), file
    assert LEAKY not in out and LEAKY not in err and "Traceback" not in err
    if exit_code == 2:  # refused before any request, in one line naming the variable
        assert len(err.strip().splitlines()) == 1 and "models[1].api_key_env: model 'remote': environment variable LEAKY_KEY holds" in err
