"""How much the hf-seq2seq backend costs over raw transformers, and what its batching buys.

On the same 8 inputs of ~1,000 tokens and a randomly initialised model of bart-base's shape
(6+6 layers, d_model 768, 50,265-entry output layer; min_new_tokens = max_new_tokens so random weights
do not stop early), time:
  (a) a per-example loop of generate(),
  (b) one batched generate() of all 8,
  (c) the hf-seq2seq backend through the runner (batch_size 8, no cache),
each including tokenization and decoding, and print c/b (target <= 1.03) and a/c (target >= 1.8).

    .venv/bin/python benchmarks/seq2seq_overhead.py [--new-tokens 64] [--beams 1 4] [--repeats 2]

On a CPU, batching pays where decoding is bound by reading the weights (greedy search: one sequence per
example); beam search already decodes num_beams sequences per example, so there is little left to gain.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tiny_models: test-built models

import _machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EVALDATA = ROOT.parent / "shared" / "evaldata" / "articles.jsonl"


def corpus() -> list[str]:
    """News text to train the tokenizer and cut the inputs from: evaldata's articles, else the seed."""
    if EVALDATA.is_file():
        rows = [json.loads(line) for line in EVALDATA.read_text(encoding="utf-8").splitlines()]
        return [row["article"] for row in rows if row["dataset"] == "cnndm"][:300]
    seed = (ROOT / "references" / "syria-talks" / "article.txt").read_text(encoding="utf-8")
    return [seed] * 8


def make_inputs(tokenizer, texts: list[str], n: int = 8, target: int = 1000) -> list[str]:
    """n inputs of roughly `target` tokens (a little spread, as real articles are)."""
    joined = " ".join(texts)
    ids = tokenizer(joined, add_special_tokens=False, verbose=False)["input_ids"]
    inputs, position = [], 0
    for i in range(n):
        length = target - 10 * i  # 1000, 990, ..., 930 tokens
        inputs.append(tokenizer.decode(ids[position : position + length]))
        position += length
    return inputs


def timed(function) -> float:
    """Wall time of one call."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4], help="beam widths to measure (default: 1 4)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import transformers
    from tiny_models import build_seq2seq
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    transformers.utils.logging.disable_progress_bar()
    work = Path(tempfile.mkdtemp(prefix="seq2seq-bench-"))
    model_dir = build_seq2seq(work / "bart-base-random", corpus(), size="bart-base", vocab_size=8000)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
    inputs = make_inputs(tokenizer, corpus())
    lengths = [len(tokenizer(text, verbose=False)["input_ids"]) for text in inputs]
    print(f"machine: {_machine.describe()}")
    print(f"model: random bart-base shape, {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters; "
          f"inputs: 8 of {min(lengths)}-{max(lengths)} tokens; {args.new_tokens} new tokens (min = max); best of {args.repeats}")
    for beams in args.beams:
        a, b, c, c_backend = measure(model, tokenizer, model_dir, inputs, work, beams, args.new_tokens, args.repeats)
        print(f"\nnum_beams={beams}")
        print(f"(a) per-example generate loop : {a:7.2f} s")
        print(f"(b) one batched generate      : {b:7.2f} s")
        print(f"(c) hf-seq2seq via the runner : {c:7.2f} s  (whole run: model load, batches, results written)")
        print(f"    of which the backend's batches: {c_backend:7.2f} s  (tokenize, generate, decode)")
        print(f"c/b = {c / b:.3f} (target <= 1.03); backend-only c/b = {c_backend / b:.3f}")
        print(f"a/c = {a / c:.2f} (target >= 1.8)")


def measure(model, tokenizer, model_dir: Path, inputs: list[str], work: Path, beams: int, new_tokens: int, repeats: int):
    """Best times of (a), (b), (c) and of the backend's own batches, for one beam width."""
    import torch

    from harness.config import load_config
    from harness.runner import run

    generation = dict(num_beams=beams, min_new_tokens=new_tokens, max_new_tokens=new_tokens)

    def per_example() -> None:
        for text in inputs:
            encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=1024)
            with torch.inference_mode():
                tokenizer.batch_decode(model.generate(**encoded, **generation), skip_special_tokens=True)

    def batched() -> None:
        encoded = tokenizer(inputs, return_tensors="pt", padding=True, truncation=True, max_length=1024)
        with torch.inference_mode():
            tokenizer.batch_decode(model.generate(**encoded, **generation), skip_special_tokens=True)

    dataset = work / "inputs.jsonl"
    dataset.write_text("".join(json.dumps({"id": f"in-{i}", "article": t, "references": []}) + "\n" for i, t in enumerate(inputs)))
    config_path = work / f"bench-{beams}.yaml"
    config_path.write_text(
        # No scorers: (a) and (b) only generate, so (c) is the generation path (load, batches, cache, write).
        f"name: bench\ndataset: {{path: {dataset}}}\ncache: false\nmetrics: {{rouge: null, facts: null}}\nmodels:\n"
        f"  - {{name: bart-base-random, backend: hf-seq2seq, model: {model_dir}, batch_size: 8, device: cpu, dtype: float32,"
        f" num_beams: {beams}, min_new_tokens: {new_tokens}, max_new_tokens: {new_tokens}}}\n"
    )
    config = load_config(config_path)
    backend_seconds: list[float] = []

    def through_runner() -> None:
        result = run(config)
        assert all(g.error is None for g in result.generations)
        backend_seconds.append(sum(g.seconds for g in result.generations))

    # Rounds of a, b, c interleaved, best of each: a slow spell of the machine hits all three alike.
    a = b = c = float("inf")
    for _ in range(repeats):
        a, b, c = min(a, timed(per_example)), min(b, timed(batched)), min(c, timed(through_runner))
    return a, b, c, min(backend_seconds)


if __name__ == "__main__":
    main()
