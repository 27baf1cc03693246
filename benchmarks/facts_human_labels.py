"""How well the numeric fact checker agrees with people.

Runs `harness.facts.check_summary` over the human-judged model summaries of ../shared/evaldata
(CNN/DailyMail and XSum; see its README) and reports the precision and recall of the summaries it
flags (any contradicted or not-in-article claim) against two human labels:
- has_numeric_error: annotators marked an error involving a number, quantity or date (null records skipped);
- label: the summary is inconsistent with the article at all (null records skipped). The checker only
  sees figures, so its recall here is bounded by the share of errors that involve one.

    .venv/bin/python benchmarks/facts_human_labels.py [EVALDATA_DIR] [--show N] [--source NAME] [--selftest]

--show N prints N missed and N false alarms per label for error analysis; --selftest also runs the
self-test (perturbations and faithful rewrites) on the human reference summaries of the data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from harness.documents import Document, Reference
from harness.facts import check_summary, extract_facts, signature
from harness.facts.selftest import run_selftest

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "evaldata"  # ../shared beside the checkout


def load(directory: Path) -> list[dict]:
    """Judged summaries joined with the article text each judgment refers to."""
    articles = {}
    with (directory / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            articles[record["id"]] = record
    records = []
    with (directory / "judged_summaries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            article = articles[record["article_id"]]
            record["article"] = _article_version(article, record["article_version"])
            records.append(record)
    return records


def _article_version(article: dict, version: str) -> str:
    if version in article.get("article_sources", []):
        return article["article"]
    for other in article.get("other_versions", []):
        if version in other["sources"]:
            return other["article"]
    return article["article"]


# The README's rule for a "number token" in human-marked spans: has_numeric_error can only be true for
# errors on such tokens, so "one-year deal", "the past year" or "world number one" can never count.
_LABEL_NUMBER_WORDS = set(
    """zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million
    millions billion billions trillion half dozen dozens second third fourth fifth sixth seventh eighth ninth tenth
    eleventh twelfth twice double triple quarter january february march april june july august september october
    november december monday tuesday wednesday thursday friday saturday sunday""".split()
)


def has_label_number_token(text: str) -> bool:
    """Whether text holds a number token by the evaldata README's rule (digits, number/month/day words)."""
    return bool(re.search(r"\d", text)) or any(w in _LABEL_NUMBER_WORDS for w in re.findall(r"[a-z]+", text.lower()))


def flagged_label_aligned(result) -> bool:
    """Flagged on claims that the label's number-token rule can see."""
    return any(c.verdict != "supported" and has_label_number_token(c.quantity.text) for c in result.claims)


def scores(pairs: list[tuple[bool, bool]]) -> dict:
    """Precision, recall, F1 and confusion counts of (predicted, actual) pairs."""
    tp = sum(p and a for p, a in pairs)
    fp = sum(p and not a for p, a in pairs)
    fn = sum(a and not p for p, a in pairs)
    tn = len(pairs) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evaldata", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false alarms per label")
    parser.add_argument("--source", default=None, help="only records whose source name starts with this")
    parser.add_argument("--selftest", action="store_true", help="also run the self-test on the human references")
    args = parser.parse_args(argv)

    records = load(args.evaldata)
    if args.source:
        records = [r for r in records if r["source"]["name"].startswith(args.source)]
    tables: dict[str, object] = {}
    started = time.perf_counter()
    results = []
    for record in records:
        article = record["article"]  # corpus artefacts ("#" for "£") are the checker's to repair (facts.normalize)
        if article not in tables:
            tables[article] = extract_facts(article)
        results.append(check_summary(record["summary"], tables[article]))
    seconds = time.perf_counter() - started

    print(f"checker: {signature()}")
    print(f"data: {args.evaldata} ({len(records)} judged summaries, {len(tables)} article texts, {seconds:.1f} s)")
    labels = (
        ("has_numeric_error", lambda r: r["has_numeric_error"]),
        ("label=inconsistent", lambda r: None if r["label"] is None else r["label"] == "inconsistent"),
    )
    for label, positive in labels:
        print(f"\nflagged vs {label}")
        print(f"  {'subset':<8} {'n':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'tn':>5} {'prec':>6} {'recall':>6} {'f1':>6}")
        groups = defaultdict(list)
        for record, result in zip(records, results, strict=True):
            actual = positive(record)
            if actual is None:
                continue
            for name in (record["dataset"], "overall", f"half {half(record['article_id'])}", _source(record)):
                groups[name].append((result.figures_flagged, actual))
                groups[f"{name}*"].append((flagged_label_aligned(result), actual))
        sources = sorted(n for n in groups if n.startswith("source:") and not n.endswith("*"))
        for name in ("cnndm", "xsum", "overall", "half A", "half B", "cnndm*", "xsum*", "overall*", *sources):
            if groups[name]:
                s = scores(groups[name])
                print(f"  {name.removeprefix('source:'):<8} {s['n']:>5} {s['tp']:>5} {s['fp']:>5} {s['fn']:>5} {s['tn']:>5} "
                      f"{s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f}")  # fmt: skip
        print("  (half A/B = the two halves of dev by article; * = flagged on claims holding a number token by the "
              "README's rule behind has_numeric_error)")
        if args.show:
            _show(records, results, positive, args.show)
    verdicts = defaultdict(int)
    for result in results:
        for claim in result.claims:
            verdicts[claim.verdict] += 1
    print("\nclaims by verdict: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    outcome = entity_tables(records, results, args.show)
    shared_labels(records, results)
    figures = scores([(result.figures_flagged, record["has_numeric_error"]) for record, result in zip(records, results, strict=True)
                      if record["has_numeric_error"] is not None])  # fmt: skip
    targets(figures, outcome)
    if args.selftest:
        _selftest(args.evaldata, args.show)
    return 0


def _source(record: dict) -> str:
    """'source:<name>/<dataset>' for the per-source rows ("source:XSumFaith/xsum")."""
    return f"source:{record['source']['name'].split(' ')[0]}/{record['dataset']}"


def _selftest(directory: Path, show: int) -> None:
    """The self-test on the human reference summaries of evaldata (perturbations vs faithful rewrites)."""
    documents = {"cnndm": [], "xsum": []}
    with (directory / "articles.jsonl").open(encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            references = tuple(Reference(f"ref{k}", r["text"]) for k, r in enumerate(record["references"]))
            if references:
                documents[record["dataset"]].append(Document(record["id"], record["article"], references))
    print("\nself-test on the human reference summaries (references flagged as they are are skipped)")
    for name, group in documents.items():
        report = run_selftest(group)
        references = sum(len(d.references) for d in group)
        print(f"  {name:<6} references {references}, skipped {len(report.skipped_references)}; "
              f"perturbations {report.perturbations}, detected {report.detected} ({report.detection_rate:.3f}); "
              f"rewrites {report.rewrites}, false alarms {report.false_alarms} ({report.false_alarm_rate:.3f})")
        for variant in report.misses[:show] + report.alarms[:show]:
            print(f"      {variant.kind}: {variant.changed}")


def _show(records, results, positive, limit: int) -> None:
    for title, want_flag, want_actual in (("missed", False, True), ("false alarms", True, False)):
        shown = 0
        print(f"  -- {title}")
        for record, result in zip(records, results, strict=True):
            if positive(record) is want_actual and result.figures_flagged is want_flag and shown < limit:
                shown += 1
                marked = [e if isinstance(e, str) else e.get("ent") for e in record.get("numeric_error_evidence", [])]
                print(f"  [{record['id'][:60]}] {record['summary'][:220]}")
                print(f"      humans: {marked[:4]}")
                for claim in result.claims:
                    figure = f"{claim.quantity.text!r} ({claim.quantity.kind})"
                    print(f"      {claim.verdict}: {figure} - {claim.reason[:150]}")


# --- Figures and entities together against the overall label, and entity-level scores -------------

_NAME_TYPES = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"}
_HALLUCINATED = {"Factual Hallucination", "Non-factual Hallucination", "Intrinsic Hallucination"}


def half(article_id: str) -> str:
    """'A' or 'B': two halves of dev by a hash of the article id (not the hash digit that made the dev split)."""
    return "AB"[int(hashlib.sha256(article_id.encode("utf-8")).hexdigest()[-1], 16) % 2]


def balanced(pairs: list[tuple[bool, bool]]) -> dict:
    """Recall, specificity, balanced accuracy and false-alarm rate of (flagged, inconsistent) pairs."""
    pos = [p for p, a in pairs if a]
    neg = [p for p, a in pairs if not a]
    recall = sum(pos) / len(pos) if pos else None
    specificity = 1 - sum(neg) / len(neg) if neg else None
    ba = (recall + specificity) / 2 if recall is not None and specificity is not None else None
    return {"n": len(pairs), "pos": len(pos), "neg": len(neg), "recall": recall, "specificity": specificity,
            "ba": ba, "false_alarms": None if specificity is None else 1 - specificity}


def _fmt(value: float | None) -> str:
    return "     –" if value is None else f"{value:>6.3f}"


def entity_tables(records: list[dict], results: list, show: int = 0) -> dict:
    """The summary flag (figures + entities) against the overall label per source x dataset, by dev half;
    entity-level precision and recall where the labels are spans or entity labels. Returns the figures+entities
    flag's mean balanced accuracy ("mean_ba") and false-alarm rate per group ("false_alarms")."""
    outcome: dict = {}
    flags = {"figures": lambda r: r.figures_flagged, "figures+entities": lambda r: r.flagged}
    for flag_name, flag in flags.items():
        print(f"\n{flag_name} flag vs overall label (inconsistent = positive), per source x dataset and dev half")
        print(f"  {'group':<34} {'half':<4} {'n':>5} {'pos':>5} {'neg':>5} {'recall':>6} {'spec':>6} {'BA':>6} {'FA':>6}")
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for record, result in zip(records, results, strict=True):
            if record["label"] is None:
                continue
            group = f"{record['source']['name'].split(' (')[0]} {record['dataset']}"
            pair = (flag(result), record["label"] == "inconsistent")
            for part in (half(record["article_id"]), "all"):
                groups[(group, part)].append(pair)
        means = defaultdict(list)
        for (group, part), pairs in sorted(groups.items()):
            s = balanced(pairs)
            if s["ba"] is not None:
                means[part].append(s["ba"])
            if part == "all" or s["ba"] is not None:
                print(f"  {group:<34} {part:<4} {s['n']:>5} {s['pos']:>5} {s['neg']:>5} {_fmt(s['recall'])} "
                      f"{_fmt(s['specificity'])} {_fmt(s['ba'])} {_fmt(s['false_alarms'])}")  # fmt: skip
        for part in ("A", "B", "all"):
            values = means[part]
            if values:
                print(f"  mean balanced accuracy over {len(values)} groups with both labels, half {part}: "
                      f"{sum(values) / len(values):.3f}")  # fmt: skip
        if flag_name == "figures+entities":
            outcome["mean_ba"] = sum(means["all"]) / len(means["all"]) if means["all"] else None
            rates = {group: balanced(pairs)["false_alarms"] for (group, part), pairs in groups.items() if part == "all"}
            outcome["false_alarms"] = {group: rate for group, rate in rates.items() if rate is not None}
    _entity_level(records, results, show)
    return outcome


def shared_labels(records: list[dict], results: list) -> None:
    """Where two sources judged the same summary (FRANK re-judged XSumFaith's), how often their overall labels
    agree, and the flag on the summaries both call consistent: a false alarm that one source's annotators
    call an error is a disagreement between label sets, not only the checker's."""
    judged: dict[tuple[str, str], dict[str, tuple[bool, bool]]] = defaultdict(dict)
    for record, result in zip(records, results, strict=True):
        if record["label"] is not None:
            key = (record["article_id"], " ".join(record["summary"].split()).lower())
            judged[key][record["source"]["name"].split(" (")[0]] = (record["label"] == "inconsistent", result.flagged)
    pairs: dict[tuple[str, str], list[tuple[bool, bool, bool]]] = defaultdict(list)
    for by_source in judged.values():
        names = sorted(by_source)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                pairs[(first, second)].append((by_source[first][0], by_source[second][0], by_source[first][1]))
    if not pairs:
        return
    print("\nsources that judged the same summaries: label agreement, and false alarms where both say consistent")
    print(f"  {'sources':<24} {'shared':>6} {'agree':>6} {'both ok':>7} {'flagged':>7} {'one ok':>6} {'flagged':>7}")
    for (first, second), rows in sorted(pairs.items()):
        if len(rows) < 10:  # a handful of summaries that two sources happened to share says nothing
            continue
        agree = sum(a == b for a, b, _ in rows)
        both_ok = [flag for a, b, flag in rows if not a and not b]
        one_ok = [flag for a, b, flag in rows if a != b]
        print(f"  {first + ' / ' + second:<24} {len(rows):>6} {agree / len(rows):>6.3f} {len(both_ok):>7} {sum(both_ok):>7} "
              f"{len(one_ok):>6} {sum(one_ok):>7}")  # fmt: skip


def targets(figures: dict, outcome: dict) -> None:
    """The issue's goals beside what this run measured: met or not, in one table."""
    alarms = sorted(g for g, rate in outcome["false_alarms"].items() if rate >= 0.10)
    rows = [
        ("figures precision >= 0.85", f"{figures['precision']:.3f}", figures["precision"] >= 0.85),
        ("figures recall >= 0.85", f"{figures['recall']:.3f}", figures["recall"] >= 0.85),
        ("mean balanced accuracy >= 0.70", f"{outcome['mean_ba']:.3f}", outcome["mean_ba"] >= 0.70),
        ("false alarms < 10% in every group", ", ".join(f"{g} {outcome['false_alarms'][g]:.0%}" for g in alarms) or "none over",
         not alarms),
    ]  # fmt: skip
    print("\ntargets")
    for goal, value, met in rows:
        print(f"  {goal:<36} {value:<28} {'met' if met else 'not met'}")


def _overlaps(span: tuple[int, int], start: int, end: int) -> bool:
    return span[0] < end and start < span[1]


def _entity_level(records: list[dict], results: list, show: int) -> None:
    """Entity claims scored against XENT entity labels, XSumFaith majority spans and FRANK EntE."""
    print("\nentity claims vs entity-level labels (flagged = not_in_article or contradicted)")
    rows = defaultdict(list)  # name -> (flagged, labelled) per aligned entity claim or summary
    examples = defaultdict(list)
    for record, result in zip(records, results, strict=True):
        source = record["source"]["name"]
        detail = record.get("annotator_detail") or {}
        part = half(record["article_id"])
        if source.startswith("XENT"):
            labelled = [e for e in detail.get("entities", []) if e.get("type") in _NAME_TYPES]
            for claim in result.entity_claims:
                hits = [e for e in labelled if _overlaps(claim.span, e["start"], e["end"])]
                if hits:
                    actual = any(e["label"] in _HALLUCINATED for e in hits)
                    for key in ("XENT names, hallucinated", f"XENT names, hallucinated, half {part}"):
                        rows[key].append((claim.verdict != "supported", actual))
                    if claim.verdict != "supported" and not actual:
                        examples["XENT false alarm"].append(f"{claim.name!r}: {claim.reason[:120]}")
            for entity in labelled:  # recall over every labelled name, read by us or not
                flagged = any(c.verdict != "supported" and _overlaps(c.span, entity["start"], entity["end"])
                              for c in result.entity_claims)  # fmt: skip
                rows["XENT names (all labelled)"].append((flagged, entity["label"] in _HALLUCINATED))
        elif source.startswith("XSumFaith"):
            spans = detail.get("hallucination_spans_by_worker", {})
            summary = record["summary"].lower()
            for claim in result.entity_claims:
                votes = 0
                for worker in spans.values():
                    for mark in worker:
                        text = str(mark.get("span", "")).replace("\\'", "'").lower()
                        at = summary.find(text) if text else -1
                        if at >= 0 and _overlaps(claim.span, at, at + len(text)):
                            votes += 1
                            break
                rows["XSumFaith names, majority-marked"].append((claim.verdict != "supported", votes >= 2))
        elif source == "FRANK" and record["label"] is not None:
            flagged = any(c.verdict != "supported" for c in result.entity_claims)
            rows[f"FRANK {record['dataset']} EntE (summary level)"].append((flagged, "EntE" in record["error_types"]))
    print(f"  {'labels':<44} {'n':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'prec':>6} {'recall':>6}")
    for name, pairs in sorted(rows.items()):
        s = scores(pairs)
        print(f"  {name:<44} {s['n']:>5} {s['tp']:>5} {s['fp']:>5} {s['fn']:>5} {s['precision']:>6.3f} {s['recall']:>6.3f}")
    for name, lines in examples.items():
        for line in lines[:show]:
            print(f"    {name}: {line}")


if __name__ == "__main__":
    sys.exit(main())
