"""Shared fixtures. The suite runs offline and without ../shared: everything it reads is in the project."""

from __future__ import annotations

import os

# Before anything imports huggingface_hub: a model that is not cached must fail at once, not after
# ~25 s of network retries.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import json
import selectors
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FakeServer

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "references" / "syria-talks"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_article() -> str:
    return (SEED_DIR / "article.txt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BART and its BPE tokenizer, built and saved here, loaded through the real path."""
    from tiny_models import build_seq2seq

    return build_seq2seq(tmp_path_factory.mktemp("tiny-bart"), [(SEED_DIR / "article.txt").read_text(encoding="utf-8")])


@pytest.fixture(scope="session")
def tiny_causal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama with a ChatML chat template, built and saved here, loaded through the real path."""
    from tiny_models import build_causal

    return build_causal(tmp_path_factory.mktemp("tiny-causal"), [(SEED_DIR / "article.txt").read_text(encoding="utf-8")])


@pytest.fixture()
def jsonl_dataset(tmp_path: Path, seed_article: str):
    """Write a small JSONL dataset of n documents cut from the seed article; returns its path."""

    def make(n: int = 4, name: str = "docs.jsonl") -> Path:
        paragraphs = [p for p in seed_article.split("\n\n") if p.strip()]
        rows = []
        for i in range(n):
            body = "\n\n".join(paragraphs[i : i + 4])
            rows.append({"id": f"doc-{i}", "article": body, "references": [paragraphs[i], {"id": "second", "text": paragraphs[i + 1]}]})
        path = tmp_path / name
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        return path

    return make


@pytest.fixture()
def write_config(tmp_path: Path):
    """Write a YAML config into tmp_path and return its path."""

    def make(text: str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture()
def fake_server(tmp_path):
    """Start `python -m harness.fake_server --port 0 ARGS`; returns a FakeServer once it listens."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> FakeServer:
        with open(tmp_path / f"server-{len(started)}.log", "w") as log:  # a file, not a pipe nobody reads
            process = subprocess.Popen(
                [sys.executable, "-m", "harness.fake_server", "--port", "0", *args],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
            )
        started.append(process)
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=15):
                raise AssertionError("the fake server did not start within 15 s")
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://"), line
        return FakeServer(line.removeprefix("listening on "), process)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run folder (lead-3 on the seed article, the default scorers), copied by the tests that damage it."""
    from harness.config import load_config
    from harness.runner import run

    folder = tmp_path_factory.mktemp("good")
    config = folder / "good.yaml"
    config.write_text(f"name: good\ndataset: {{path: {SEED_DIR}}}\nmodels: [{{name: lead-3, backend: lead, sentences: 3}}]\n"
                      f"output: {folder / 'out'}\nreport: false\n")  # fmt: skip
    return run(load_config(config)).run_dir
