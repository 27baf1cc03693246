"""Regression gates: what a run achieved, recorded as a baseline, and the checks that fail CI when a
later run loses a fact, adds a contradiction, drops in ROUGE or misses a threshold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config import GatesConfig
from harness.errors import HarnessError
from harness.store import RunData
from harness.textio import read_json

BASELINE_FORMAT = "summarization-harness-baseline/1"
FLAGGED = ("contradicted", "not_in_article")


@dataclass(frozen=True)
class Finding:
    """One reason a gate fails, as one readable line."""

    kind: str  # lost | contradiction | rouge | threshold | missing | failed
    model: str
    message: str


@dataclass
class GateReport:
    """The outcome of checking a run: passed when there is no finding."""

    checked: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every gate holds."""
        return not self.findings

    def lines(self) -> list[str]:
        """The diff to print: one line per finding, then the verdict."""
        verdict = f"{'PASS' if self.passed else 'FAIL'}: {self.checked}"
        return [f.message for f in self.findings] + [verdict if self.passed else f"{verdict}: {len(self.findings)} problem(s)"]


def make_baseline(run: RunData) -> dict[str, Any]:
    """What a run achieved, per model and document: key facts preserved, claim verdicts, ROUGE."""
    models: dict[str, Any] = {}
    for name, summary in run.summary.get("models", {}).items():
        documents = {}
        for row in (r for r in run.scores if r["model"] == name):
            if "error" in row:
                documents[row["doc_id"]] = {"error": row["error"]}
                continue
            facts = row.get("facts") or {}
            documents[row["doc_id"]] = {
                "rouge": {t: s["fmeasure"] for t, s in (row.get("rouge") or {}).items()},
                "key_facts": {k["fact"]: {"status": k["status"], "label": k.get("label") or k["text"]} for k in facts.get("key_facts", [])},
                "claims": [{"claim": c["claim"], "verdict": c["verdict"], "fact": c["fact"], "reason": c["reason"]} for c in facts.get("claims", [])],
            }
        rouge = {t: stats["fmeasure"]["mean"] for t, stats in (summary.get("rouge") or {}).items() if t != "n"}
        models[name] = {"rouge": rouge, "documents": documents}
    return {
        "format": BASELINE_FORMAT,
        "run": run.run.get("name"),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "signatures": run.run.get("signatures", {}),
        "models": models,
    }


def load_baseline(path: str | Path) -> dict[str, Any]:
    """Read a baseline file written by `harness baseline`, checking every field the gates read."""
    path = Path(path)
    if not path.exists():
        raise HarnessError(f"{path}: baseline not found (record one with `harness baseline RUN_DIR --out {path}`)")
    baseline = read_json(path)
    if not isinstance(baseline, dict) or baseline.get("format") != BASELINE_FORMAT:
        raise HarnessError(f"{path}: not a baseline of format {BASELINE_FORMAT}")
    models = _field(baseline, "models", dict, path)
    if not models:
        raise HarnessError(f"{path}: field 'models' is empty: a baseline with no model checks nothing (record it from a run)")
    _field(baseline, "signatures", dict, path, required=False)
    for name, model in models.items():
        where = f"models.{name}"
        _check(model, dict, path, where)
        for rouge_type, score in _field(model, "rouge", dict, path, where, required=False).items():
            _check(score, (int, float, type(None)), path, f"{where}.rouge.{rouge_type}")
        for doc_id, doc in _field(model, "documents", dict, path, where).items():
            _check_baseline_document(doc, path, f"{where}.documents.{doc_id}")
    if not any(model["documents"] for model in models.values()):
        raise HarnessError(f"{path}: field 'models' holds no documents: a baseline with no document checks nothing (record it from a run)")
    return baseline


def _check_baseline_document(doc: Any, path: Path, where: str) -> None:
    _check(doc, dict, path, where)
    if "error" in doc:
        _field(doc, "error", str, path, where)
        return
    for rouge_type, score in _field(doc, "rouge", dict, path, where, required=False).items():
        _check(score, (int, float, type(None)), path, f"{where}.rouge.{rouge_type}")
    for fact_id, fact in _field(doc, "key_facts", dict, path, where, required=False).items():
        _check(fact, dict, path, f"{where}.key_facts.{fact_id}")
        for name in ("status", "label"):
            _field(fact, name, str, path, f"{where}.key_facts.{fact_id}")
    for index, claim in enumerate(_field(doc, "claims", list, path, where, required=False)):
        _check(claim, dict, path, f"{where}.claims[{index}]")
        for name, kind in (("claim", str), ("verdict", str), ("fact", (str, type(None))), ("reason", str)):
            _field(claim, name, kind, path, f"{where}.claims[{index}]")


def _field(record: dict[str, Any], name: str, kind: Any, path: Path, where: str = "", required: bool = True) -> Any:
    """record[name], checked to be of `kind`; a missing optional container is empty."""
    full = f"{where}.{name}" if where else name
    if name not in record:
        if required:
            raise HarnessError(f"{path}: field '{full}' is missing")
        return kind() if kind in (dict, list) else None
    _check(record[name], kind, path, full)
    return record[name]


def _check(value: Any, kind: Any, path: Path, where: str) -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        expected = " or ".join(_KINDS.get(k, k.__name__) for k in kinds)
        raise HarnessError(f"{path}: field '{where}' must be {expected} (found {_KINDS.get(type(value), type(value).__name__)})")


_KINDS = {dict: "an object", list: "a list", str: "a string", int: "an integer", float: "a number", type(None): "null", bool: "true or false"}


def check_run(run: RunData, gates: GatesConfig | None = None, baseline: dict[str, Any] | None = None) -> GateReport:
    """Every gate on a run: thresholds from `gates`, differences from `baseline` (either may be absent)."""
    gates = gates or GatesConfig()
    # Nothing checked is not a pass: without a baseline, at least one threshold must be set.
    thresholds = {name: value for name, value in gates.model_dump().items() if name not in ("baseline", "max_rouge_drop")}
    if baseline is None and all(value is None or value in ({}, []) for value in thresholds.values()):
        raise HarnessError(
            f"{run.path}: nothing to check: no baseline and no gate threshold "
            "(give --baseline or a --min-/--max- flag, or set gates: in the config)"
        )
    current = make_baseline(run)
    documents = {row["doc_id"] for row in run.scores}
    what = f"{len(current['models'])} model(s) x {len(documents)} document(s)"
    report = GateReport(f"{what} checked" + (f" against baseline of run '{baseline.get('run')}'" if baseline else ""))
    for name, model in current["models"].items():
        for doc_id, doc in model["documents"].items():
            if "error" in doc:
                report.findings.append(Finding("failed", name, f"failed: model {name}, doc {doc_id}: {doc['error']}"))
        report.findings += _thresholds(name, run.summary["models"][name], gates)
    if baseline is not None:
        for name, before in baseline.get("models", {}).items():
            after = current["models"].get(name)
            if after is None:
                report.findings.append(Finding("missing", name, f"missing: model {name} is in the baseline but not in this run"))
                continue
            report.findings += _diff(name, before, after, gates)
    return report


def _thresholds(name: str, summary: dict[str, Any], gates: GatesConfig) -> list[Finding]:
    facts = summary.get("facts") or {}
    findings = []
    recall = (facts.get("key_fact_recall") or {}).get("mean")
    if gates.min_key_fact_recall is not None and recall is not None and recall < gates.min_key_fact_recall:
        findings.append(Finding("threshold", name, f"below gate: key-fact recall of {name} is {recall:.0%}, the gate asks for {gates.min_key_fact_recall:.0%}"))
    for field_name, gate, label in (("contradicted", gates.max_contradicted, "contradicted"), ("not_in_article", gates.max_not_in_article, "not-in-article")):
        count = facts.get(field_name)
        if gate is not None and count is not None and count > gate:
            findings.append(Finding("threshold", name, f"above gate: {name} makes {count} {label} claim(s), the gate allows {gate}"))
    return findings


def _diff(name: str, before: dict[str, Any], after: dict[str, Any], gates: GatesConfig) -> list[Finding]:
    findings = []
    for doc_id, old in before.get("documents", {}).items():
        new = after["documents"].get(doc_id)
        if new is None:
            findings.append(Finding("missing", name, f"missing: doc {doc_id} of model {name} is in the baseline but not in this run"))
            continue
        if "error" in old or "error" in new:
            continue  # a failure is reported on its own
        for fact_id, fact in old.get("key_facts", {}).items():
            status = new.get("key_facts", {}).get(fact_id, {}).get("status", "omitted")
            if fact["status"] == "preserved" and status != "preserved":
                findings.append(Finding("lost", name, f"lost: {fact['label']} ({fact_id}) — model {name}, doc {doc_id}"))
        known = {(c["claim"], c["fact"], c["verdict"]) for c in old.get("claims", [])}
        for claim in new.get("claims", []):
            if claim["verdict"] in FLAGGED and (claim["claim"], claim["fact"], claim["verdict"]) not in known:
                label = "new contradiction" if claim["verdict"] == "contradicted" else "new figure not in the article"
                findings.append(Finding("contradiction", name, f"{label}: '{claim['claim']}' — model {name}, doc {doc_id}: {claim['reason']}"))
    if gates.max_rouge_drop is not None:
        for rouge_type, old_score in before.get("rouge", {}).items():
            new_score = after.get("rouge", {}).get(rouge_type)
            if old_score is not None and new_score is not None and old_score - new_score > gates.max_rouge_drop + 1e-12:
                findings.append(Finding("rouge", name, f"ROUGE drop: {rouge_type} F1 of {name} fell {old_score - new_score:.4f} "
                                        f"({old_score:.4f} -> {new_score:.4f}), tolerance {gates.max_rouge_drop}"))  # fmt: skip
    return findings
