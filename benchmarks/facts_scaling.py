"""Does fact extraction and checking stay linear on degenerate text?

Each input family is measured at n and 4n copies of its unit, side by side in one run: a linear reader
takes about 4x as long, a quadratic one about 16x. The README promises linear time; this is where that is
measured (unit tests only guard against hangs). A ratio above 8 is marked SUPERLINEAR.

    .venv/bin/python benchmarks/facts_scaling.py [--n 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from harness.facts import check_summary, extract_facts

ARTICLE = "Roughly 275,000 civilians are trapped in Aleppo, including an estimated 100,000 children. "

# unit -> text of n units; each family is a shape real data or a broken model produces
FAMILIES: dict[str, Callable[[int], str]] = {
    "capitalised run": lambda n: " ".join(["Aleppo"] * n) + ".",
    "title-case names": lambda n: " ".join(["Foreign Minister Sergey Lavrov"] * n) + ".",
    "one long word": lambda n: "a" * (10 * n),
    "lower-case prose": lambda n: "the talks were suspended after the strikes in the city " * n,
    "lower-case names": lambda n: "kerry and lavrov met in geneva on monday said kirby " * n,
    "figures": lambda n: "300 officers a year, £5m a week and 12% more than 2015; " * n,
    "number words": lambda n: "two hundred and fifty thousand " * n,
    "dates": lambda n: "on Friday, March 13, 2015 and on 12 March " * n,
    "sentences": lambda n: "Mr. Kerry said 40 people died. The U.N. said 50 did. " * n,
    "hyphen chain": lambda n: "-".join(["well"] * n),
    "upper case": lambda n: "THE UNITED STATES SAID 275,000 WERE TRAPPED. " * n,
}


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of `repeat` timings of work(), in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="units in the small input (the large has 4x)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    table = extract_facts(ARTICLE)
    print(f"{'family':<18} {'chars':>9} {'extract':>9} {'x4':>6} {'check':>9} {'x4':>6}")
    worst = 0.0
    for name, make in FAMILIES.items():
        small, large = make(args.n), make(4 * args.n)
        extract = [best_of(args.repeat, lambda t=t: extract_facts(ARTICLE + t)) for t in (small, large)]
        check = [best_of(args.repeat, lambda t=t: check_summary(t, table)) for t in (small, large)]
        ratios = [big / max(little, 1e-6) for little, big in (extract, check)]
        worst = max(worst, *ratios)
        mark = "  SUPERLINEAR" if max(ratios) > 8 else ""
        print(f"{name:<18} {len(large):>9,} {extract[1]:>8.3f}s {ratios[0]:>6.1f} {check[1]:>8.3f}s {ratios[1]:>6.1f}{mark}")
    print(f"worst ratio {worst:.1f} (linear ~4, quadratic ~16)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
