"""hf-causal on a tiny random Llama with a ChatML template, built and saved by the tests (no download)."""

import json
import shutil

import pytest
from helpers import run_cli
from tiny_models import build_causal

from harness.config import ModelSpec, load_config
from harness.errors import HarnessError
from harness.runner import run
from harness.summarizers import SummaryError, SummaryOutput
from harness.summarizers.hf_causal import CausalOptions, HFCausal


def causal(model, **options) -> HFCausal:
    return HFCausal("tiny", CausalOptions(model=str(model), **{"max_new_tokens": 12, **options}))


def test_prompt_goes_through_the_chat_template_with_the_article_and_target_length(tiny_causal):
    summarizer = causal(tiny_causal, system_prompt="You are a news editor.", prompt="In {words} words: {article}", words=40)
    summarizer.load()
    prompt = summarizer.render("Talks were suspended.")
    assert prompt == (
        "<|im_start|>system\nYou are a news editor.<|im_end|>\n"
        "<|im_start|>user\nIn 40 words: Talks were suspended.<|im_end|>\n<|im_start|>assistant\n"
    )


def test_summaries_come_back_without_the_prompt_with_token_counts(tiny_causal, seed_article):
    summarizer = causal(tiny_causal)
    [(index, output)] = list(summarizer.summarize([seed_article[:600]]))
    assert index == 0 and isinstance(output, SummaryOutput)
    assert output.summary and "Article:" not in output.summary and "<|im_start|>" not in output.summary
    assert 0 < output.tokens_out <= 12
    assert output.meta["finish_reason"] == ("length" if output.tokens_out == 12 else "stop")
    assert output.tokens_in == summarizer.fit_prompt(seed_article[:600])[1] and not output.truncated


def test_left_padded_batches_give_the_same_summaries_as_one_at_a_time(tiny_causal, seed_article):
    articles = [seed_article[:200], seed_article[:900], seed_article[300:700]]
    one_by_one = dict(causal(tiny_causal, batch_size=1).summarize(articles))
    batched = dict(causal(tiny_causal, batch_size=3).summarize(articles))
    assert [batched[i].summary for i in range(3)] == [one_by_one[i].summary for i in range(3)]
    assert [batched[i].tokens_out for i in range(3)] == [one_by_one[i].tokens_out for i in range(3)]


def test_long_articles_are_cut_but_the_instructions_and_reply_room_are_kept(tiny_causal, seed_article):
    summarizer = causal(tiny_causal)  # the tiny model has 512 positions: 500 for the prompt, 12 for the reply
    summarizer.load()
    prompt, length, truncated = summarizer.fit_prompt(seed_article)
    assert truncated and length <= 512 - 12
    assert prompt.startswith("<|im_start|>user\nSummarize the following") and prompt.endswith("<|im_end|>\n<|im_start|>assistant\n")
    assert seed_article[:200] in prompt and seed_article[-200:] not in prompt
    [(_, output)] = list(summarizer.summarize([seed_article]))
    assert output.truncated and output.tokens_in == length


def test_reasoning_and_preamble_are_stripped_and_reasoning_alone_is_an_error(tiny_causal, monkeypatch):
    summarizer = causal(tiny_causal)
    summarizer.load()
    replies = iter(["<think>The user wants 3 sentences.</think>\n\nHere is a summary of the article:\n\nTalks ended.",
                    "<think>Let me count the civilians first"])
    monkeypatch.setattr(summarizer._tokenizer, "decode", lambda ids, **kwargs: next(replies))
    outputs = dict(summarizer.summarize(["Talks ended on Monday.", "Talks ended on Tuesday."]))
    finished = next(o for o in outputs.values() if isinstance(o, SummaryOutput))
    unfinished = next(o for o in outputs.values() if isinstance(o, SummaryError))
    assert finished.summary == "Talks ended."
    assert finished.meta == {"finish_reason": "length", "stripped_thinking": True, "stripped_preamble": "Here is a summary of the article:"}
    assert "still reasoning after" in unfinished.message and "raise max_new_tokens" in unfinished.message


def test_plain_prompt_without_chat_template(tmp_path, seed_article):
    model = build_causal(tmp_path / "base-model", [seed_article], chat=False)
    summarizer = causal(model, chat=None, prompt="{article}\n\nTL;DR:")
    summarizer.load()
    assert not summarizer.uses_chat() and summarizer.render("Talks ended.") == "Talks ended.\n\nTL;DR:\n\n"
    with pytest.raises(HarnessError, match=r"model 'tiny': .* has no chat template; set chat: false"):
        causal(model, chat=True).load()


def test_sampling_is_seeded(tiny_causal, seed_article):
    first = dict(causal(tiny_causal, do_sample=True, temperature=1.5).summarize([seed_article[:400]]))
    second = dict(causal(tiny_causal, do_sample=True, temperature=1.5).summarize([seed_article[:400]]))
    greedy = dict(causal(tiny_causal).summarize([seed_article[:400]]))
    assert first[0].summary == second[0].summary != greedy[0].summary


def test_cache_key_follows_prompt_generation_and_weights_not_batch_size(tiny_causal, tmp_path):
    base = causal(tiny_causal).fingerprint()
    assert causal(tiny_causal, batch_size=8, device="cpu").fingerprint() == base
    for changed in ({"prompt": "Briefly: {article}"}, {"sentences": 2}, {"system_prompt": "Be brief."}, {"max_new_tokens": 20},
                    {"chat_template_kwargs": {"enable_thinking": False}}, {"do_sample": True, "temperature": 0.7}):
        assert causal(tiny_causal, **changed).fingerprint() != base, changed
    copy = shutil.copytree(tiny_causal, tmp_path / "copy")
    assert causal(copy).fingerprint() == base  # the same files elsewhere are the same model
    template = copy / "chat_template.jinja"
    template.write_text(template.read_text().replace("assistant", "model"))
    assert causal(copy).fingerprint() != base


def test_prompt_errors_point_at_the_config_line(write_config, jsonl_dataset, tiny_causal):
    path = write_config(
        f"name: t\ndataset: {{path: {jsonl_dataset(1)}}}\nmodels:\n"
        f"  - name: chat\n    backend: hf-causal\n    model: {tiny_causal}\n    prompt: 'In {{words}} words: {{article}}'\n"
    )
    with pytest.raises(HarnessError) as caught:
        run(load_config(path))
    assert str(caught.value) == f"{path}:4: models[0]: prompt: uses {{words}} but words is not set"


def test_missing_hub_model_is_one_line(write_config, jsonl_dataset):
    path = write_config(f"name: t\ndataset: {{path: {jsonl_dataset(1)}}}\nmodels:\n  - {{name: qwen, backend: hf-causal, model: Qwen/not-cached-here}}\n")
    with pytest.raises(HarnessError) as caught:
        run(load_config(path))
    message = str(caught.value)
    assert "\n" not in message and message.startswith("model 'qwen' (Qwen/not-cached-here) is not available")
    assert "hf download Qwen/not-cached-here" in message


def test_run_through_the_config_records_tokens_and_caches(write_config, jsonl_dataset, tiny_causal, tmp_path):
    path = write_config(
        f"name: t\ndataset: {{path: {jsonl_dataset(3)}}}\noutput: {tmp_path / 'out'}\nmodels:\n"
        f"  - {{name: chat, backend: hf-causal, model: {tiny_causal}, max_new_tokens: 10, batch_size: 2}}\n"
        "metrics: {rouge: {bootstrap: 0}, facts: {bootstrap: 0}}\n"
    )
    first = run(load_config(path))
    assert first.run["status"] == "ok" and first.generated == 3
    rows = [json.loads(line) for line in (first.run_dir / "generations.jsonl").read_text().splitlines()]
    assert all(row["tokens_in"] > 0 and 0 < row["tokens_out"] <= 10 for row in rows)
    assert all("rouge" in row and "facts" in row for row in first.scores)
    cut_off = sum(row["meta"]["finish_reason"] == "length" for row in rows)
    assert cut_off > 0 and first.summary["models"]["chat"]["cut_off"] == cut_off
    again = run(load_config(path))
    assert again.cached == 3 and again.generated == 0


def test_shipped_config_runs_with_the_model_swapped_for_the_tiny_one(root, tiny_causal, tmp_path):
    config = load_config(root / "configs" / "hf-causal.yaml")
    models = tuple(
        ModelSpec(**{**spec.model_dump(), "model": str(tiny_causal), "max_new_tokens": 8}) if spec.backend == "hf-causal" else spec
        for spec in config.models
    )
    result = run(config.updated(models=models, output=tmp_path))
    assert result.run["status"] == "ok" and [g.model for g in result.generations] == ["lead-3", "qwen2.5-0.5b"]
    chat = result.generations[1]
    assert chat.summary and chat.tokens_in > 0 and chat.truncated  # the seed article is longer than the tiny model's context


def test_shipped_config_without_the_model_exits_2_with_one_line(tmp_path):
    process = run_cli("run", "configs/hf-causal.yaml", "--output", str(tmp_path))
    assert process.returncode == 2 and len(process.stderr.strip().splitlines()) == 1
    assert "model 'qwen2.5-0.5b' (Qwen/Qwen2.5-0.5B-Instruct) is not available" in process.stderr
    assert "hf download Qwen/Qwen2.5-0.5B-Instruct" in process.stderr
