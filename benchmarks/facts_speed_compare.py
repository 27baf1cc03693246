"""Fact checker speed of this checkout against another commit, side by side in one run: a ratio, not a rate.

A shared 2-core VM's speed drifts by a third from one minute to the next, so a rate measured today says
little against one measured yesterday. This script checks out BASE (a commit) in a temporary git
worktree and times both sides alternately, each in a fresh process on the same summaries
(../shared/evaldata's judged summaries, or the seed's self-test variants without it). Each side builds
its own fact tables, then times best-of-LOOPS passes of `check_summary` over every summary; rounds
alternate so drift hits both alike. Printed: each round's checks/s and table ms for both, then the
median ratio (this checkout / BASE).

    .venv/bin/python benchmarks/facts_speed_compare.py --base d435e9f [--rounds 3] [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in each side's own process, with that side's harness first on sys.path.
_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/benchmarks")
from itertools import cycle, islice
from pathlib import Path
import facts_speed
from harness.facts import check_summary, extract_facts
n, loops, evaldata = int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
if (evaldata / "judged_summaries.jsonl").is_file():
    raw = list(islice(cycle(facts_speed.evaldata_pairs(evaldata)), n))
    articles = list(dict.fromkeys(article for article, _ in raw))
    started = time.process_time()
    tables = {article: extract_facts(article) for article in articles}
    table_ms = 1000 * (time.process_time() - started) / len(articles)
    pairs = [(tables[article], summary) for article, summary in raw]
else:
    pairs = list(islice(cycle(facts_speed.seed_pairs(Path(sys.argv[1]) / "references")), n))
    table_ms = float("nan")
check_summary("warm-up: word lists load once per process.", pairs[0][0])
best = float("inf")
for _ in range(loops):
    started = time.process_time()
    for table, summary in pairs:
        check_summary(summary, table)
    best = min(best, time.process_time() - started)
print(json.dumps({"checks_per_s": len(pairs) / best, "table_ms": table_ms, "harness": __import__("harness").__file__}))
"""


def measure(tree: Path, n: int, loops: int, evaldata: Path) -> dict:
    """One side's rates, from a fresh process importing the harness of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(tree), str(n), str(loops), str(evaldata)],
                          capture_output=True, text=True, env=env, cwd=tree, check=True)  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["harness"].startswith(str(tree)):
        raise SystemExit(f"error: {tree} imported the harness at {result['harness']}, not its own")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (a hash, tag or HEAD~3)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loops", type=int, default=5, help="passes per side per round; the best counts")
    parser.add_argument("--n", type=int, default=1000, help="summaries per pass")
    parser.add_argument("--evaldata", type=Path, default=ROOT.parent / "shared" / "evaldata")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="facts-speed-base-") as folder:
        base = Path(folder) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base], check=True)
        try:
            ratios = []
            for round_number in range(1, args.rounds + 1):
                before = measure(base, args.n, args.loops, args.evaldata)
                after = measure(ROOT, args.n, args.loops, args.evaldata)
                ratios.append(after["checks_per_s"] / before["checks_per_s"])
                print(f"round {round_number}: {args.base} {before['checks_per_s']:7.0f} checks/s, {before['table_ms']:5.2f} ms/table;"
                      f"  this checkout {after['checks_per_s']:7.0f} checks/s, {after['table_ms']:5.2f} ms/table;"
                      f"  ratio {ratios[-1]:.2f}")  # fmt: skip
            print(f"median ratio of checks/s (this checkout / {args.base}): {statistics.median(ratios):.2f}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
