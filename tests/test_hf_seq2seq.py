"""The hf-seq2seq backend end to end on a tiny random BART built and saved by the tests themselves."""

import json
import logging
import shutil

import pytest
from helpers import run_cli

from harness import store
from harness.config import load_config
from harness.errors import HarnessError
from harness.runner import run
from harness.summarizers.hf_seq2seq import HFSeq2Seq


def make(model_dir, **options):
    return HFSeq2Seq("tiny", HFSeq2Seq.Options(model=str(model_dir), max_new_tokens=8, min_new_tokens=8, **options))


def test_end_to_end_through_config_runner_and_cache(tiny_model, write_config, jsonl_dataset, monkeypatch):
    config = write_config(
        f"name: hf\ndataset: {{path: {jsonl_dataset(3)}}}\nmodels:\n"
        f"  - {{name: tiny, backend: hf-seq2seq, model: {tiny_model}, num_beams: 2, max_new_tokens: 8, min_new_tokens: 8,"
        " batch_size: 2, device: cpu, max_input_tokens: 48}\n"
    )
    result = run(load_config(config))
    generations = store.read_run(result.run_dir).generations
    assert len(generations) == 3 and all(g["error"] is None for g in generations)
    assert all(isinstance(g["summary"], str) and g["tokens_out"] == 8 for g in generations)  # random weights may emit only special tokens
    assert all(g["tokens_in"] == 48 and g["truncated"] for g in generations)
    assert all(row["rouge"] is not None for row in result.scores)

    def no_loading(self):
        raise AssertionError("the model was loaded on a warm run")

    monkeypatch.setattr(HFSeq2Seq, "load", no_loading)
    again = run(load_config(config))
    assert again.generated == 0 and again.cached == 3


def test_batches_sorted_by_length_map_back_to_their_articles(tiny_model):
    articles = ["A short one.", "A much longer article " * 12, "Middle sized article text here, " * 3]
    batched = dict(make(tiny_model, batch_size=3).summarize(articles))
    single = dict(make(tiny_model, batch_size=1).summarize(articles))
    tokenizer = __import__("transformers").AutoTokenizer.from_pretrained(tiny_model)
    for index, article in enumerate(articles):
        assert batched[index].tokens_in == len(tokenizer(article)["input_ids"])
        assert batched[index].summary == single[index].summary  # padding does not change greedy output


def test_truncation_is_recorded_and_warned_once(tiny_model, caplog):
    summarizer = make(tiny_model, max_input_tokens=16)
    with caplog.at_level(logging.WARNING):
        outputs = dict(summarizer.summarize(["word " * 40, "short text.", "more words " * 30]))
    assert [outputs[i].truncated for i in range(3)] == [True, False, True]
    assert outputs[0].tokens_in == 16
    warnings = [r.getMessage() for r in caplog.records if "truncated" in r.getMessage()]
    assert warnings == ["tiny: 2 of 3 articles are longer than the model's 16-token input and were truncated (recorded as truncated: true)"]


def test_default_input_limit_comes_from_the_model(tiny_model):
    summarizer = make(tiny_model)
    summarizer.load()
    assert summarizer.max_input_tokens() == 256  # the tiny model's positions and tokenizer limit


def test_generation_options_reach_generate(tiny_model, monkeypatch):
    summarizer = make(tiny_model, num_beams=3, length_penalty=2.0, no_repeat_ngram_size=1, generate_kwargs={"repetition_penalty": 1.5})
    summarizer.load()
    seen = {}
    original = summarizer._model.generate

    def spy(**kwargs):
        seen.update(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(summarizer._model, "generate", spy)
    list(summarizer.summarize(["The talks were suspended."]))
    assert {k: seen[k] for k in ("num_beams", "length_penalty", "no_repeat_ngram_size", "repetition_penalty", "max_new_tokens", "min_new_tokens")} == {
        "num_beams": 3, "length_penalty": 2.0, "no_repeat_ngram_size": 1, "repetition_penalty": 1.5, "max_new_tokens": 8, "min_new_tokens": 8,
    }


def test_no_repeat_ngram_size_changes_the_output(tiny_model):
    article = ["The United States suspended talks with Russia on Syria."]
    plain = dict(make(tiny_model).summarize(article))[0].summary
    no_repeat = dict(make(tiny_model, no_repeat_ngram_size=1).summarize(article))[0].summary
    assert plain != no_repeat


def test_t5_style_prefix_from_the_model_config_or_the_option(tiny_model, tmp_path):
    folder = shutil.copytree(tiny_model, tmp_path / "prefixed")
    config = json.loads((folder / "config.json").read_text())
    config["task_specific_params"] = {"summarization": {"prefix": "summarize: "}}
    (folder / "config.json").write_text(json.dumps(config))
    with_prefix = make(folder)
    with_prefix.load()
    assert with_prefix.prefix() == "summarize: "
    assert make(folder, prefix="").prefix() == ""
    text = "Talks were suspended."
    assert dict(with_prefix.summarize([text]))[0].tokens_in > dict(make(folder, prefix="").summarize([text]))[0].tokens_in


def test_cache_key_changes_with_the_checkpoint_and_output_options(tiny_model, tmp_path):
    base = make(tiny_model).fingerprint()
    assert make(tiny_model, batch_size=4, device="cpu").fingerprint() == base  # how fast, not what
    assert make(tiny_model, num_beams=2).fingerprint() != base
    copy = shutil.copytree(tiny_model, tmp_path / "copy")
    assert make(copy).fingerprint() == base  # the same files, moved
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.5
    (copy / "config.json").write_text(json.dumps(config))
    assert make(copy).fingerprint() != base


def test_missing_local_folder_and_non_model_folder(tmp_path):
    with pytest.raises(HarnessError, match=r"^model 'tiny': folder .*absent does not exist"):
        make(tmp_path / "absent").prepare()
    (tmp_path / "empty").mkdir()
    with pytest.raises(HarnessError, match=r"empty holds no config.json"):
        make(tmp_path / "empty").prepare()


def test_missing_hub_model_is_one_line_naming_the_model_and_how_to_get_it():
    with pytest.raises(HarnessError) as caught:
        HFSeq2Seq("bart-cnn", HFSeq2Seq.Options(model="facebook/bart-large-cnn")).prepare()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("model 'bart-cnn' (facebook/bart-large-cnn) is not available")
    assert "hf download facebook/bart-large-cnn" in message


def test_cli_on_a_model_that_is_not_here_prints_one_line_and_exits_2(tmp_path):
    result = run_cli("run", "configs/bart-cnn.yaml", "--output", str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "model 'bart-cnn' (facebook/bart-large-cnn) is not available" in lines[0]
    assert "hf download facebook/bart-large-cnn" in lines[0]
    assert not (tmp_path / "bart-cnn").exists()


def test_hub_id_loads_from_the_hugging_face_cache(tiny_model, tmp_path, write_config, jsonl_dataset):
    """A hub id resolves through the HF cache layout (models--org--name/snapshots/COMMIT), offline."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--tiny-org--tiny-bart"
    shutil.copytree(tiny_model, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    config = write_config(
        f"name: cached\ndataset: {{path: {jsonl_dataset(2)}}}\nmodels:\n"
        "  - {name: tiny, backend: hf-seq2seq, model: tiny-org/tiny-bart, max_new_tokens: 4, min_new_tokens: 4}\n"
    )
    result = run_cli("run", str(config), env={"HF_HUB_CACHE": str(tmp_path / "hub")})
    assert result.returncode == 0, result.stderr
    data = store.read_run(tmp_path / "results" / "cached")
    assert [g["tokens_out"] for g in data.generations] == [4, 4]
    import sqlite3

    (fingerprint,) = sqlite3.connect(tmp_path / "results" / ".cache" / "generations.sqlite").execute("SELECT fingerprint FROM generations LIMIT 1").fetchone()
    assert json.loads(fingerprint)["checkpoint"]["snapshot"] == commit
