"""Regression gates: what a run achieved, recorded as a baseline, and the checks that fail CI when a
later run loses a fact, adds a contradiction, drops in a metric or misses a threshold.

Gates come from the scorers: each declares its metrics, counts and named gates (harness.scoring.base), and
this module checks them all the same way. A run folder carries its scorers' declarations in run.json, so
a run can be checked without the options it was scored with.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config import Config, GatesConfig
from harness.errors import HarnessError
from harness.scoring import SCORERS, Declarations, Gate, Metric, Scorer, value_at
from harness.store import RunData, require_scored
from harness.textio import read_json

BASELINE_FORMAT = "summarization-harness-baseline/2"
OLD_BASELINE_FORMAT = "summarization-harness-baseline/1"  # ROUGE and facts only; read and converted


@dataclass(frozen=True)
class Finding:
    """One reason a gate fails, as one readable line."""

    kind: str  # lost | contradiction | drop | threshold | missing | failed
    model: str
    message: str


@dataclass
class GateReport:
    """The outcome of checking a run: passed when there is no finding."""

    checked: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be compared, and why (a metric with no value)

    @property
    def passed(self) -> bool:
        """True when every gate holds."""
        return not self.findings

    def lines(self) -> list[str]:
        """The diff to print: one line per finding, then the verdict."""
        verdict = f"{'PASS' if self.passed else 'FAIL'}: {self.checked}"
        return self.notes + [f.message for f in self.findings] + [verdict if self.passed else f"{verdict}: {len(self.findings)} problem(s)"]


def declarations(run: RunData) -> list[Declarations]:
    """The run's scorers as declared in its run.json (older runs: the registry's defaults)."""
    recorded = run.run.get("scorers")
    if isinstance(recorded, Mapping) and recorded:
        return [Declarations.from_record(name, record) for name, record in recorded.items()]
    present = {name for summary in run.summary.get("models", {}).values() for name in summary if name in SCORERS}
    return [Declarations.from_record(name, SCORERS[name]().describe()) for name in SCORERS if name in present]


def offered_gates() -> dict[str, tuple[str, Gate]]:
    """Every named gate of every registered scorer: gate name -> (scorer name, gate)."""
    return {gate.name: (name, gate) for name, cls in SCORERS.items() for gate in cls().gates()}


def validate_gates(config: Config, scorers: list[Scorer]) -> None:
    """Check a config's gates against its scorers: known names, sensible values, metrics that exist."""
    if config.gates is None:
        return
    offered = offered_gates()
    active = {scorer.name for scorer in scorers}
    for name, value in config.gates.named.items():
        if name not in offered:
            hint = difflib.get_close_matches(name, [*offered, "baseline", "min", "max"], n=1)
            known = f"did you mean '{hint[0]}'?" if hint else f"known: baseline, min, max, {', '.join(sorted(offered))}"
            raise config.error(("gates", name), f"unknown gate; {known}")
        scorer, gate = offered[name]
        if scorer not in active:
            raise config.error(("gates", name), f"gate of scorer '{scorer}', which this config switches off")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (gate.kind == "count" and value != int(value)):
            wanted = "a whole number >= 0" if gate.kind == "count" else "a number >= 0"
            raise config.error(("gates", name), f"expected {wanted} ({gate.description}), got {value!r}")
        if gate.target.endswith("recall") and gate.bound == "min" and value > 1:
            raise config.error(("gates", name), f"a share from 0 to 1, got {value!r}")
    known = {f"{s.name}.{m.key}" for s in scorers for m in s.metrics()} | {f"{s.name}.{c.name}" for s in scorers for c in s.counts()}
    for bound in ("min", "max"):
        for key in getattr(config.gates, bound):
            if key not in known:
                hint = difflib.get_close_matches(key, sorted(known), n=1)
                raise config.error(("gates", bound, key), "no such metric" + (f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(sorted(known))})"))
    if config.gates.baseline is not None and not _missing(config.gates.baseline):
        # A baseline is read only after every model has run: a corrupt one would waste the run, so it is read
        # now. A missing one is still reported after the run, which is written: a first baseline is recorded from it.
        try:
            load_baseline(config.gates.baseline)
        except HarnessError as error:
            raise config.error(("gates", "baseline"), str(error)) from None


def _hooks(scorers: list[Declarations]) -> dict[str, Scorer]:
    """The registered scorers of a run, for their baseline entries and regressions (options do not matter to those)."""
    return {d.name: SCORERS[d.name]() for d in scorers if d.name in SCORERS}


def make_baseline(run: RunData) -> dict[str, Any]:
    """What a run achieved, per model and document: every metric's value, and each scorer's baseline entry."""
    scorers = declarations(run)
    return _baseline(run, scorers, _hooks(scorers))


def _baseline(run: RunData, scorers: list[Declarations], hooks: dict[str, Scorer]) -> dict[str, Any]:
    require_scored(run)  # a run with no model or no score row: a baseline `check` refuses, and a check of nothing
    models: dict[str, Any] = {}
    for name, summary in run.summary.get("models", {}).items():
        documents: dict[str, Any] = {}
        for row in (r for r in run.scores if r.get("model") == name):
            if "error" in row:
                documents[row["doc_id"]] = {"error": row["error"]}
                continue
            entry: dict[str, Any] = {"metrics": _values(scorers, row, per_document=True)}
            for scorer_name, hook in hooks.items():
                kept = hook.baseline_entry(row.get(scorer_name) or {})
                if kept is not None:
                    entry[scorer_name] = kept
            documents[row["doc_id"]] = entry
        models[name] = {"metrics": _values(scorers, summary, per_document=False), "documents": documents}
    return {
        "format": BASELINE_FORMAT,
        "run": run.run.get("name"),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "signatures": run.run.get("signatures", {}),
        "models": models,
    }


def _values(scorers: list[Declarations], data: Mapping[str, Any], per_document: bool) -> dict[str, float]:
    """scorer.metric -> value (a document's number, or a model's mean)."""
    values = {}
    for scorer in scorers:
        for metric in scorer.metrics:
            value = value_at(data.get(scorer.name), metric.path)
            if isinstance(value, Mapping) and not per_document:
                value = value.get("mean")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[f"{scorer.name}.{metric.key}"] = value
    return values


def load_baseline(path: str | Path) -> dict[str, Any]:
    """Read a baseline file written by `harness baseline`, checking every field the gates read (format 1 is converted)."""
    path = Path(path)
    if _missing(path):
        raise HarnessError(f"{path}: baseline not found (record one with `harness baseline RUN_DIR --out {path}`)")
    if _special(path):  # reading a pipe would wait for a writer
        raise HarnessError(f"{path}: is a device, pipe or socket, not a baseline file")
    baseline = read_json(path)  # a folder or an unreadable file is a one-line error naming the path
    if isinstance(baseline, dict) and baseline.get("format") == OLD_BASELINE_FORMAT:
        baseline = _converted(baseline)
    if not isinstance(baseline, dict) or baseline.get("format") != BASELINE_FORMAT:
        raise HarnessError(f"{path}: not a baseline of format {BASELINE_FORMAT}")
    models = _field(baseline, "models", dict, path)
    if not models:
        raise HarnessError(f"{path}: field 'models' is empty: a baseline with no model checks nothing (record it from a run)")
    _field(baseline, "signatures", dict, path, required=False)
    for name, model in models.items():
        where = f"models.{name}"
        _check(model, dict, path, where)
        for key, value in _field(model, "metrics", dict, path, where, required=False).items():
            _check(value, (int, float, type(None)), path, f"{where}.metrics.{key}")
        for doc_id, doc in _field(model, "documents", dict, path, where).items():
            _check_baseline_document(doc, path, f"{where}.documents.{doc_id}")
    if not any(model["documents"] for model in models.values()):
        raise HarnessError(f"{path}: field 'models' holds no documents: a baseline with no document checks nothing (record it from a run)")
    return baseline


def _missing(path: Path) -> bool:
    """True when nothing is at the path (a folder or a file that cannot be read is there, and is an error)."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _special(path: Path) -> bool:
    """True when the path is a device, pipe or socket (a folder or a file is read, and named if it fails)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode))


def _converted(old: dict[str, Any]) -> dict[str, Any]:
    """A format-1 baseline (rouge type -> F1, key_facts and claims per document) in today's shape."""
    models = {}
    for name, model in (old.get("models") if isinstance(old.get("models"), dict) else {}).items():
        if not isinstance(model, dict) or not isinstance(model.get("documents"), dict):
            models[name] = model  # left for the format check to name
            continue
        documents = {}
        for doc_id, doc in model["documents"].items():
            if not isinstance(doc, dict) or "error" in doc:
                documents[doc_id] = doc
                continue
            documents[doc_id] = {
                "metrics": {f"rouge.{t}.fmeasure": v for t, v in (doc.get("rouge") or {}).items()},
                "facts": {"key_facts": doc.get("key_facts", {}), "claims": doc.get("claims", [])},
            }
        models[name] = {"metrics": {f"rouge.{t}.fmeasure": v for t, v in (model.get("rouge") or {}).items()}, "documents": documents}
    return {**old, "format": BASELINE_FORMAT, **({"models": models} if isinstance(old.get("models"), dict) else {})}


def _check_baseline_document(doc: Any, path: Path, where: str) -> None:
    _check(doc, dict, path, where)
    if "error" in doc:
        _field(doc, "error", str, path, where)
        return
    for key, value in _field(doc, "metrics", dict, path, where, required=False).items():
        _check(value, (int, float, type(None)), path, f"{where}.metrics.{key}")
    facts = _field(doc, "facts", dict, path, where, required=False)
    where = f"{where}.facts"
    for fact_id, fact in _field(facts, "key_facts", dict, path, where, required=False).items():
        _check(fact, dict, path, f"{where}.key_facts.{fact_id}")
        for name in ("status", "label"):
            _field(fact, name, str, path, f"{where}.key_facts.{fact_id}")
    for index, claim in enumerate(_field(facts, "claims", list, path, where, required=False)):
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
    scorers = declarations(run)
    # Nothing checked is not a pass: without a baseline, at least one threshold must be set.
    offered = offered_gates()
    thresholds = [name for name, value in gates.named.items() if value is not None and name in offered and offered[name][1].bound != "drop"]
    if baseline is None and not (gates.min or gates.max or thresholds):  # a drop tolerance needs a baseline
        raise HarnessError(
            f"{run.path}: nothing to check: no baseline and no gate threshold "
            "(give --baseline or a --min-/--max- flag, or set gates: in the config)"
        )
    _check_gates_apply(run, gates, scorers)
    hooks = _hooks(scorers)
    current = _baseline(run, scorers, hooks)
    what = f"{len(current['models'])} model(s) x {len({row['doc_id'] for row in run.scores})} document(s)"
    report = GateReport(f"{what} checked" + (f" against baseline of run '{baseline.get('run')}'" if baseline else ""))
    for name, model in current["models"].items():
        for doc_id, doc in model["documents"].items():
            if "error" in doc:
                report.findings.append(Finding("failed", name, f"failed: model {name}, doc {doc_id}: {doc['error']}"))
        report.findings += _thresholds(name, run.summary["models"][name], gates, scorers, report.notes)
    if baseline is not None:
        report.notes += _signature_notes(baseline.get("signatures") or {}, run.run.get("signatures") or {})
        for name, before in baseline.get("models", {}).items():
            after = current["models"].get(name)
            if after is None:
                report.findings.append(Finding("missing", name, f"missing: model {name} is in the baseline but not in this run"))
                continue
            report.findings += _diff(name, before, after, gates, scorers, hooks, report.notes)
    return report


def _signature_notes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """A line per scorer whose signature is not the baseline's: its scores may move for that alone."""
    return [f"signature changed: {name} was '{before.get(name)}' in the baseline, is '{signature}' now; its scores may "
            "differ for that reason alone (record a new baseline once the change is intended)"
            for name, signature in sorted(after.items()) if before.get(name) != signature]  # fmt: skip


def _check_gates_apply(run: RunData, gates: GatesConfig, scorers: list[Declarations]) -> None:
    """Refuse a gate that would check nothing on this run: a metric it does not have, a scorer it did not run."""
    ran = ", ".join(s.name for s in scorers) or "none"
    offered = offered_gates()
    for gate_name, value in gates.named.items():
        if value is not None and gate_name in offered and offered[gate_name][0] not in {s.name for s in scorers}:
            raise HarnessError(f"--{gate_name.replace('_', '-')}: a gate of scorer '{offered[gate_name][0]}', which run {run.path} did not "
                               f"run (its scorers: {ran}); nothing would be checked")  # fmt: skip
    known = sorted({f"{s.name}.{m.key}" for s in scorers for m in s.metrics} | {f"{s.name}.{c.name}" for s in scorers for c in s.counts})
    for bound in ("min", "max"):
        for key in getattr(gates, bound):
            scorer = key.partition(".")[0]
            if key in known:
                continue
            if scorer not in {s.name for s in scorers}:
                raise HarnessError(f"--{bound} {key}: run {run.path} has no scorer '{scorer}' (its scorers: {ran}); nothing would be checked")
            hint = difflib.get_close_matches(key, known, n=1)
            raise HarnessError(f"--{bound} {key}: no such metric or count in run {run.path}; "
                               + (f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known)}"))  # fmt: skip


def _metric(scorers: list[Declarations], key: str) -> tuple[Declarations, Metric] | None:
    for scorer in scorers:
        for metric in scorer.metrics:
            if f"{scorer.name}.{metric.key}" == key:
                return scorer, metric
    return None


def _shown(value: float, metric: Metric | None) -> str:
    """A gate's number as its metric is read: shares as percentages, anything else as given (0-1 F1 stays 0-1)."""
    return f"{value:.0%}" if metric is not None and metric.unit == "%" else f"{value:.4g}"


def _thresholds(name: str, summary: dict[str, Any], gates: GatesConfig, scorers: list[Declarations], notes: list[str]) -> list[Finding]:
    limits: list[tuple[str, str, float]] = [(key, "min", value) for key, value in gates.min.items()]
    limits += [(key, "max", value) for key, value in gates.max.items()]
    for gate_name, value in gates.named.items():
        for scorer in scorers:
            gate = next((g for g in scorer.gates if g.name == gate_name), None)
            if gate is not None and gate.bound in ("min", "max") and value is not None:
                limits.append((f"{scorer.name}.{gate.target}", gate.bound, float(value)))
    findings = []
    for key, bound, limit in limits:
        scorer_name, _, target = key.partition(".")
        found = _metric(scorers, key)
        if found is not None:
            raw = value_at(summary.get(scorer_name), found[1].path)
            value, label, metric = (raw or {}).get("mean") if isinstance(raw, Mapping) else raw, found[1].label, found[1]
        else:
            value = value_at(summary.get(scorer_name), (target,))
            count = next((c for s in scorers if s.name == scorer_name for c in s.counts if c.name == target), None)
            label, metric = (count.label if count else target).removesuffix("."), None
        if not isinstance(value, (int, float)):
            notes.append(f"not checked: {key} of model {name} has no value in this run (the {bound} gate of {_shown(limit, metric)} is not applied)")
            continue
        if bound == "min" and value < limit:
            findings.append(Finding("threshold", name, f"below gate: {label} of {name} is {_shown(value, metric)}, the gate asks for {_shown(limit, metric)}"))
        elif bound == "max" and value > limit:
            if metric is None:
                noun = target.replace("_", "-")
                findings.append(Finding("threshold", name, f"above gate: {name} makes {value:g} {noun} claim(s), the gate allows {limit:g}"))
            else:
                findings.append(Finding("threshold", name, f"above gate: {label} of {name} is {_shown(value, metric)}, the gate allows {_shown(limit, metric)}"))
    return findings


def _diff(
    name: str, before: dict[str, Any], after: dict[str, Any], gates: GatesConfig, scorers: list[Declarations], hooks: dict[str, Scorer],
    notes: list[str],
) -> list[Finding]:
    findings = []
    for doc_id, old in before.get("documents", {}).items():
        new = after["documents"].get(doc_id)
        if new is None:
            findings.append(Finding("missing", name, f"missing: doc {doc_id} of model {name} is in the baseline but not in this run"))
            continue
        if "error" in old or "error" in new:
            continue  # a failure is reported on its own
        for scorer_name, hook in hooks.items():
            for kind, what, why in hook.regressions(old.get(scorer_name) or {}, new.get(scorer_name) or {}):
                findings.append(Finding(kind, name, f"{what} — model {name}, doc {doc_id}" + (f": {why}" if why else "")))
    for gate_name, tolerance in gates.named.items():
        for scorer in scorers:
            gate = next((g for g in scorer.gates if g.name == gate_name and g.bound == "drop"), None)
            if gate is None or tolerance is None:
                continue
            for key, old_score in before.get("metrics", {}).items():
                found = _metric(scorers, key)
                if found is None or found[0].name != scorer.name or not fnmatch.fnmatch(found[1].key, gate.target):
                    continue
                new_score = after.get("metrics", {}).get(key)
                if old_score is None or new_score is None:  # null in a baseline: no value was recorded
                    notes.append(f"not compared: {key} of model {name} has no value in the {'baseline (null)' if old_score is None else 'run'}")
                    continue
                if old_score - new_score > tolerance + 1e-12:
                    label = found[1].label if scorer.name != "rouge" else f"{found[1].path[0]} F1"
                    what = "ROUGE drop" if scorer.name == "rouge" else f"{scorer.name} drop"
                    findings.append(Finding("drop", name, f"{what}: {label} of {name} fell {old_score - new_score:.4f} "
                                            f"({old_score:.4f} -> {new_score:.4f}), tolerance {tolerance}"))  # fmt: skip
    return findings
