"""ROUGE of the extractive baselines on the public evaluation data, and our lead-3 against published figures.

Runs configs/evaldata-cnndm.yaml and configs/evaldata-xsum.yaml through the library (facts and extractive
statistics switched off: only ROUGE is reported here), reads each run's summary.json back, and prints a
Markdown table of ROUGE F1 x100 with 95% bootstrap CIs, then lead-3 on CNN/DM next to the published lead-3.
The data, ../shared/evaldata/articles.jsonl beside the checkout, is not part of a user's clone.

    .venv/bin/python benchmarks/evaldata_rouge.py [--output DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _machine  # noqa: E402

from harness.config import load_config  # noqa: E402
from harness.runner import run  # noqa: E402
from harness.store import read_run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"CNN/DM": ROOT / "configs" / "evaldata-cnndm.yaml", "XSum": ROOT / "configs" / "evaldata-xsum.yaml"}
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
HEADERS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L", "rougeLsum": "R-Lsum"}

# Lead-3 on the CNN/DM test set (11,490 articles, non-anonymized), ROUGE F1 x100, R-L.
PUBLISHED_LEAD3 = {
    "Lewis et al. 2020 (BART), Table 3": (40.42, 17.62, 36.67),
    "See et al. 2017": (40.34, 17.70, 36.57),
}


def evaluate(config_path: Path, output: Path) -> tuple[dict[str, Any], dict[str, Any], float]:
    """Run one config into output; its summary.json, run.json and wall seconds."""
    config = load_config(config_path).with_output(output)
    metrics = config.metrics.model_copy(update={"facts": None, "extractive": None})
    started = time.perf_counter()
    result = run(config.updated(metrics=metrics, report=False))
    seconds = time.perf_counter() - started
    written = read_run(result.run_dir)  # the numbers as written, not recomputed
    return written.summary, written.run, seconds


def cell(stat: dict[str, float]) -> str:
    """`42.44 [39.97, 45.04]`: F1 x100 and its CI."""
    if stat.get("low") is None:
        return f"{100 * stat['mean']:.2f}"
    return f"{100 * stat['mean']:.2f} [{100 * stat['low']:.2f}, {100 * stat['high']:.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help="folder for the run folders (default: a temporary folder)")
    args = parser.parse_args()
    output = args.output or Path(tempfile.mkdtemp(prefix="evaldata-rouge-"))
    print(f"machine: {_machine.describe()}")
    results = {name: evaluate(path, output) for name, path in CONFIGS.items()}
    first_run = next(iter(results.values()))[1]
    print(f"data: {first_run['config']['dataset']['path']} (dev portion; articles with a reference summary)")
    print(f"signature: {first_run['signatures']['rouge']}")
    print(f"runs: {output}")
    print()
    print("ROUGE F1 x100, mean over documents [95% bootstrap CI]; best reference per document when there are several.")
    print()
    print("| dataset | model | documents | " + " | ".join(f"{HEADERS[t]} F1" for t in TYPES) + " | generation s |")
    print("|---|---|---:|" + "---:|" * len(TYPES) + "---:|")
    for name, (summary, run_record, _seconds) in results.items():
        for model, entry in summary["models"].items():
            rouge = entry["rouge"]
            cells = " | ".join(cell(rouge[t]["fmeasure"]) for t in TYPES)
            print(f"| {name} | {model} | {rouge['n']} | {cells} | {run_record['timings']['models'][model]['seconds']:.1f} |")
    print()
    compare(results["CNN/DM"][0]["models"]["lead-3"]["rouge"])


def compare(rouge: dict[str, Any]) -> None:
    """Our CNN/DM lead-3 next to the published lead-3 figures."""
    print(f"Lead-3 on CNN/DM: ours ({rouge['n']} documents of the dev portion) against the published figures (full test set).")
    print("Published R-L is summary-level (ROUGE-1.5.5 on newline-split sentences), the counterpart of rougeLsum;")
    print("it is set against both our rougeL and rougeLsum. 'in CI': the published value lies inside our 95% CI.")
    print()
    print("| published | metric | published | ours [95% CI] | ours - published | in CI |")
    print("|---|---|---:|---:|---:|:---:|")
    for source, (r1, r2, rl) in PUBLISHED_LEAD3.items():
        for ours, label, published in (("rouge1", "R-1", r1), ("rouge2", "R-2", r2), ("rougeL", "R-L vs rougeL", rl), ("rougeLsum", "R-L vs rougeLsum", rl)):
            stat = rouge[ours]["fmeasure"]
            inside = "yes" if 100 * stat["low"] <= published <= 100 * stat["high"] else "no"
            print(f"| {source} | {label} | {published:.2f} | {cell(stat)} | {100 * stat['mean'] - published:+.2f} | {inside} |")


if __name__ == "__main__":
    main()
