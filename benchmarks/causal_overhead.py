"""How much the hf-causal backend costs over raw transformers, what its left-padded batching buys, and
whether batching changes the summaries.

On 8 chat prompts of ~400-500 tokens and a randomly initialised Llama of ~110M parameters (12 layers of
768, grouped-query attention, ChatML template; min_new_tokens = max_new_tokens so random weights do not
stop early), time:
  (a) a per-example loop of generate(),
  (b) one left-padded batched generate() of all 8,
  (c) the hf-causal backend through the runner (batch_size 8, no cache),
each including templating, tokenization and decoding; print c/b and a/c, and how many of the 8 batched
summaries equal the per-example ones token for token.

    .venv/bin/python benchmarks/causal_overhead.py [--new-tokens 64] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tiny_models: test-built models

import _machine  # noqa: E402
from seq2seq_overhead import corpus, timed  # noqa: E402

PROMPT = "Summarize the following news article in 3 sentences.\n\nArticle:\n{article}"


def make_articles(tokenizer, texts: list[str], n: int = 8, target: int = 480) -> list[str]:
    """n articles of roughly `target` tokens, a little spread so that batches need padding."""
    ids = tokenizer(" ".join(texts), add_special_tokens=False, verbose=False)["input_ids"]
    articles, position = [], 0
    for i in range(n):
        length = target - 12 * i
        articles.append(tokenizer.decode(ids[position : position + length]).strip())  # the loaders strip articles too
        position += length
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import torch
    import transformers
    from tiny_models import build_causal
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.config import load_config
    from harness.runner import run

    transformers.utils.logging.disable_progress_bar()
    work = Path(tempfile.mkdtemp(prefix="causal-bench-"))
    model_dir = build_causal(work / "llama-small-random", corpus(), size="small", vocab_size=8000, max_positions=1024)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    articles = make_articles(tokenizer, corpus())
    prompts = [
        tokenizer.apply_chat_template([{"role": "user", "content": PROMPT.format(article=a)}], tokenize=False, add_generation_prompt=True)
        for a in articles
    ]
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    generation = {"min_new_tokens": args.new_tokens, "max_new_tokens": args.new_tokens, "do_sample": False, "pad_token_id": tokenizer.pad_token_id}
    per_example_out: list[str] = []
    batched_out: list[str] = []

    def per_example() -> None:
        per_example_out.clear()
        for prompt in prompts:
            encoded = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
            with torch.inference_mode():
                output = model.generate(**encoded, **generation)
            per_example_out.append(tokenizer.decode(output[0, encoded["input_ids"].shape[1] :], skip_special_tokens=True))

    def batched() -> None:
        encoded = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            output = model.generate(**encoded, **generation)
        batched_out[:] = tokenizer.batch_decode(output[:, encoded["input_ids"].shape[1] :], skip_special_tokens=True)

    dataset = work / "inputs.jsonl"
    dataset.write_text("".join(json.dumps({"id": f"in-{i}", "article": a, "references": []}) + "\n" for i, a in enumerate(articles)))
    config_path = work / "bench.yaml"
    config_path.write_text(
        f"name: bench\ndataset: {{path: {dataset}}}\ncache: false\nreport: false\n"
        "metrics: {rouge: null, facts: null, extractive: null}\nmodels:\n"
        f"  - name: llama-small-random\n    backend: hf-causal\n    model: {model_dir}\n    prompt: {json.dumps(PROMPT)}\n"
        f"    batch_size: 8\n    device: cpu\n    dtype: float32\n    max_new_tokens: {args.new_tokens}\n"
        f"    generate_kwargs: {{min_new_tokens: {args.new_tokens}}}\n    strip_preamble: false\n"
    )
    config = load_config(config_path)
    runner_out: list[str] = []

    def through_runner() -> None:
        result = run(config)
        assert all(g.error is None for g in result.generations), [g.error for g in result.generations]
        runner_out[:] = [g.summary for g in result.generations]

    a = b = c = float("inf")
    for _ in range(args.repeats):  # interleaved rounds, best of each: a slow spell hits all three alike
        a, b, c = min(a, timed(per_example)), min(b, timed(batched)), min(c, timed(through_runner))
    same_batched = sum(x == y for x, y in zip(per_example_out, batched_out))
    same_runner = sum(x.strip() == y for x, y in zip(per_example_out, runner_out))
    print(f"machine: {_machine.describe()}")
    print(f"model: random Llama, {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters; prompts: 8 of "
          f"{min(lengths)}-{max(lengths)} tokens; {args.new_tokens} new tokens (min = max), greedy; best of {args.repeats}")
    print(f"(a) per-example generate loop : {a:7.2f} s")
    print(f"(b) one left-padded generate  : {b:7.2f} s")
    print(f"(c) hf-causal via the runner  : {c:7.2f} s  (whole run: model load, batches, results written)")
    print(f"c/b = {c / b:.3f}; a/c = {a / c:.2f}")
    print(f"summaries equal to the per-example ones: batched {same_batched}/8, runner {same_runner}/8")


if __name__ == "__main__":
    main()
