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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.config import Config, GatesConfig
from harness.errors import HarnessError
from harness.resultcheck import COUNT, NUM, Bounded, check_baseline, metric_range
from harness.scoring import SCORERS, Declarations, Gate, Metric, Scorer, value_at
from harness.store import RunData, require_scored
from harness.textio import path_kind, read_json

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
        if problem := limit_problem(f"{scorer}.{gate.target}", gate.bound, value, gate.kind == "count"):
            raise config.error(("gates", name), problem)
    metrics = {f"{s.name}.{m.key}" for s in scorers for m in s.metrics()}
    known = metrics | {f"{s.name}.{c.name}" for s in scorers for c in s.counts()}
    for bound in ("min", "max"):
        for key, value in getattr(config.gates, bound).items():
            if key not in known:
                hint = difflib.get_close_matches(key, sorted(known), n=1)
                raise config.error(("gates", bound, key), "no such metric" + (f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(sorted(known))})"))
            if problem := limit_problem(key, bound, value, key not in metrics):
                raise config.error(("gates", bound, key), problem)
    if config.gates.baseline is not None:
        # A baseline is read only after every model has run: a corrupt one would waste the run, so it is read
        # now. A missing one is still reported after the run, which is written: a first baseline is recorded from it.
        try:
            if path_kind(config.gates.baseline) not in ("missing", "broken link"):
                load_baseline(config.gates.baseline)
        except HarnessError as error:
            raise config.error(("gates", "baseline"), str(error)) from None


def gate_flag(name: str) -> str:
    """The command-line flag of a named gate: "max_rouge_drop" -> "--max-rouge-drop"."""
    return "--" + name.replace("_", "-")


def limit_problem(key: str, bound: str, value: float, count: bool) -> str | None:
    """Why a gate on metric or count `key` (scorer.path) at `value` could never pass, or never fail (None when it can
    do either): a count is a whole number 0 or more; a metric's limit lies in the metric's range (resultcheck's table),
    a drop within its width."""
    if count:
        return None if COUNT.holds(value) else f"expected a whole number >= 0 (a count), got {value!r}"
    scorer, _, path = key.partition(".")
    ends = metric_range(scorer, tuple(path.split(".")))
    allowed = Bounded(NUM, 0.0, ends.high - ends.low) if bound == "drop" else ends
    if allowed.holds(value):
        return None
    if (allowed.low, allowed.high) != (0.0, 1.0):
        return f"must be {allowed.words()}, got {value!r}"
    # a results table shows a share x100 (R-L F1 47.4, recall 80%): 30 is most likely 0.30
    hint = f" (tables show shares x100): did you mean {value / 100:.2f}?" if 1 < value <= 100 and value == int(value) else ""
    return f"a share from 0 to 1, got {value!r}{hint}"


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
    kind = path_kind(path)
    if kind in ("missing", "broken link"):
        raise HarnessError(f"{path}: baseline not found (record one with `harness baseline RUN_DIR --out {path}`)")
    if kind == "special":  # reading a pipe would wait for a writer
        raise HarnessError(f"{path}: is a device, pipe or socket, not a baseline file")
    baseline = read_json(path)  # a folder or an unreadable file is a one-line error naming the path
    if isinstance(baseline, dict) and baseline.get("format") == OLD_BASELINE_FORMAT:
        baseline = _converted(baseline)
    if not isinstance(baseline, dict) or baseline.get("format") != BASELINE_FORMAT:
        raise HarnessError(f"{path}: not a baseline of format {BASELINE_FORMAT}")
    check_baseline(baseline, str(path))
    return baseline


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
        notes, lacking = _lacking(run, gates, scorers, baseline)
        report.notes += notes
        compared = 0
        for name, before in baseline.get("models", {}).items():
            after = current["models"].get(name)
            if after is None:
                report.findings.append(Finding("missing", name, f"missing: model {name} is in the baseline but not in this run"))
                continue
            findings, count = _diff(name, before, after, gates, scorers, hooks, report.notes)
            report.findings, compared = report.findings + findings, compared + count
        if not compared and not report.findings:  # nothing checked is not a pass
            drops = [gate_flag(g.name) for s in scorers for g in s.gates if g.bound == "drop"]
            lacks = f" (it lacks the baseline's scorer {', '.join(lacking)})" if lacking else ""
            raise HarnessError(f"{run.path}: nothing compared with the baseline of run '{baseline.get('run')}': this run shares no per-document "
                               f"check with it{lacks} and no drop gate compared a figure ({', '.join(drops) or 'none offered'}); run the scorers the baseline has, "
                               "give a drop gate, or record a new baseline from this run")  # fmt: skip
    return report


def _lacking(run: RunData, gates: GatesConfig, scorers: list[Declarations], baseline: dict[str, Any]) -> tuple[list[str], list[str]]:
    """A note per scorer of the baseline that the run lacks (and those scorers), and per baseline metric a drop gate skips;
    refuse a drop gate that shares no metric with the baseline, since it would compare nothing."""
    models = baseline.get("models", {}).values()
    recorded = set(baseline.get("signatures") or {}) | {key.partition(".")[0] for model in models for key in model.get("metrics", {})}
    recorded |= {key for model in models for doc in model["documents"].values() for key in doc if key not in ("metrics", "error")}
    ran = {s.name for s in scorers}
    lacking = sorted(recorded - ran)
    notes = [f"not compared: scorer '{name}' is in the baseline but not in this run (switched off in its config?), so none of its figures "
             "or regressions was checked; run it, or record a new baseline without it" for name in lacking]  # fmt: skip
    for scorer in scorers:
        for gate in (g for g in scorer.gates if g.bound == "drop" and gates.named.get(g.name) is not None):
            mine = {f"{scorer.name}.{m.key}" for m in scorer.metrics if fnmatch.fnmatch(m.key, gate.target)}
            theirs = {key for model in models for key in model.get("metrics", {})
                      if key.partition(".")[0] == scorer.name and fnmatch.fnmatch(key.partition(".")[2], gate.target)}  # fmt: skip
            flag = gate_flag(gate.name)
            if not mine & theirs:
                raise HarnessError(f"{flag}: run {run.path} and the baseline share no metric it applies to (baseline: "
                                   f"{', '.join(sorted(theirs)) or 'none'}; this run: {', '.join(sorted(mine)) or 'none'}), so nothing would be "
                                   "compared; record a new baseline with this run's options, or leave the gate out")  # fmt: skip
            notes += [f"not compared: {key} is in the baseline but not in this run ({flag} skips it)" for key in sorted(theirs - mine)]
    return notes, lacking


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
            raise HarnessError(f"{gate_flag(gate_name)}: a gate of scorer '{offered[gate_name][0]}', which run {run.path} did not "
                               f"run (its scorers: {ran}); nothing would be checked")  # fmt: skip
    known = sorted({f"{s.name}.{m.key}" for s in scorers for m in s.metrics} | {f"{s.name}.{c.name}" for s in scorers for c in s.counts})
    metrics = {f"{s.name}.{m.key}" for s in scorers for m in s.metrics}
    for bound in ("min", "max"):
        for key, value in getattr(gates, bound).items():
            scorer = key.partition(".")[0]
            if key in known:
                if problem := limit_problem(key, bound, value, key not in metrics):
                    raise HarnessError(f"--{bound} {key}={value:g}: {problem}")
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
) -> tuple[list[Finding], int]:
    """The findings of one model against its baseline, and how many entries and figures were compared."""
    findings, compared = [], 0
    for doc_id, old in before.get("documents", {}).items():
        new = after["documents"].get(doc_id)
        if new is None:
            findings.append(Finding("missing", name, f"missing: doc {doc_id} of model {name} is in the baseline but not in this run"))
            continue
        if "error" in old or "error" in new:
            continue  # a failure is reported on its own
        for scorer_name, hook in hooks.items():
            compared += scorer_name in old
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
                compared += 1
                if old_score - new_score > tolerance + 1e-12:
                    label = found[1].label if scorer.name != "rouge" else f"{found[1].path[0]} F1"
                    what = "ROUGE drop" if scorer.name == "rouge" else f"{scorer.name} drop"
                    findings.append(Finding("drop", name, f"{what}: {label} of {name} fell {old_score - new_score:.4f} "
                                            f"({old_score:.4f} -> {new_score:.4f}), tolerance {tolerance}"))  # fmt: skip
    return findings, compared
