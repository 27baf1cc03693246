"""The shape of each results file (run.json, summary.json, documents.jsonl, generations.jsonl, scores.jsonl),
checked once, when a run folder is read, so that a damaged or hand-edited file is a one-line error naming the
file, line and field (`scores.jsonl:3: field 'facts.claims[0].span' must be a list (found null)`) and every
reader after it (reports, gates, baselines) can trust the types it reads.

A shape is a tuple of allowed types, or an Obj, ListOf or MapOf of shapes; ANY lets a value through.
The fields a scorer's numbers sit at are checked from the declarations that run.json records
(`declared_fields`); the facts scorer's claims and the articles' fact tables, which the report draws, have
their shapes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError

ANY: Any = object()  # any value at all


@dataclass(frozen=True)
class Obj:
    """A JSON object: known fields and their shapes; `extra` for any other field (None: other fields refused);
    `also`: other types taken in its place (null, or a string for a reference)."""

    fields: Mapping[str, Any]
    required: tuple[str, ...] = ()
    extra: Any = ANY
    also: tuple[type, ...] = ()


@dataclass(frozen=True)
class ListOf:
    """A JSON list of items of one shape (of exactly `length` items when given)."""

    item: Any
    length: int | None = None
    also: tuple[type, ...] = ()


@dataclass(frozen=True)
class MapOf:
    """A JSON object whose keys are names (models, scorers, ids) and whose values share one shape."""

    value: Any
    also: tuple[type, ...] = ()


_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object", list: "a list", type(None): "null"}
STR, INT, NUM, BOOL, NONE = (str,), (int,), (int, float), (bool,), (type(None),)


def kind(value: Any) -> str:
    """What a JSON value is, in words ("a string", "null")."""
    return next((label for cls, label in _KINDS.items() if type(value) is cls), type(value).__name__)


def _is(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int to Python, never to a reader of this contract
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _wrong(value: Any, types: tuple[type, ...], where: str, path: str) -> HarnessError:
    words = list(dict.fromkeys("a number" if t in (int, float) and float in types else _KINDS.get(t, t.__name__) for t in types))
    expected = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return HarnessError(f"{where}: field '{path}' must be {expected} (found {kind(value)})")


def check_shape(value: Any, shape: Any, where: str, path: str = "") -> None:
    """Raise a one-line HarnessError naming `where` and the field's path unless value has the shape."""
    if shape is ANY:
        return
    if isinstance(shape, tuple):
        if not _is(value, shape):
            raise _wrong(value, shape, where, path)
        return
    if _is(value, shape.also):
        return
    container = list if isinstance(shape, ListOf) else dict
    if not isinstance(value, container):
        raise _wrong(value, (container, *shape.also), where, path)
    if isinstance(shape, ListOf):
        if shape.length is not None and len(value) != shape.length:
            raise HarnessError(f"{where}: field '{path}' must be a list of {shape.length} items (found {len(value)})")
        for index, item in enumerate(value):
            check_shape(item, shape.item, where, f"{path}[{index}]")
        return
    for name in getattr(shape, "required", ()):
        if name not in value:
            raise HarnessError(f"{where}: field '{_join(path, name)}' is missing")
    for name, item in value.items():
        inner = shape.value if isinstance(shape, MapOf) else shape.fields.get(name, shape.extra)
        if inner is None:
            known = ", ".join(shape.fields)
            raise HarnessError(f"{where}: field '{_join(path, name)}' is not a field here (known: {known})")
        check_shape(item, inner, where, _join(path, name))


def _join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


# --- run.json: the scorers' declarations (harness.scoring.base.Scorer.describe) and the config parts readers use
_METRIC = Obj({"path": ListOf(STR), "label": STR, "scale": NUM, "unit": STR, "higher_is_better": BOOL, "column": BOOL, "compare": BOOL,
               "chart": STR + NONE, "interval": BOOL, "key": STR}, required=("path", "label"), extra=None)  # fmt: skip
_COUNT = Obj({"name": STR, "label": STR, "higher_is_better": BOOL, "column": BOOL, "source": STR + NONE}, required=("name", "label"), extra=None)
_GATE = Obj({"name": STR, "target": STR, "bound": STR, "description": STR, "kind": STR}, required=("name", "target", "bound", "description"), extra=None)
SCORER_RECORD = Obj({
    "signature": STR, "description": STR + NONE, "metrics": ListOf(_METRIC), "counts": ListOf(_COUNT), "gates": ListOf(_GATE),
    "evidence": Obj({"path": ListOf(STR), "label": STR + NONE}, required=("path",), also=NONE),
})  # fmt: skip
_STATISTICS = Obj({"bootstrap": INT, "confidence": NUM}, also=NONE)
_CONFIG = Obj({
    "metrics": MapOf(Obj({"bootstrap": INT, "confidence": NUM}, also=NONE), also=NONE), "statistics": _STATISTICS, "seed": INT,
    "dataset": Obj({"hf": STR + (dict,) + NONE, "path": STR + NONE}, also=NONE), "gates": (dict,) + NONE,
})  # fmt: skip
RUN = Obj({
    "name": STR, "created": STR, "status": STR, "config": _CONFIG, "config_path": STR + NONE, "signatures": MapOf(STR),
    "models": (list,), "documents": INT, "timings": (dict,), "failures": (list,), "versions": (dict,), "git": (dict,) + NONE,
    "host": (dict,), "scorers": MapOf(SCORER_RECORD),
})  # fmt: skip

# --- summary.json: a model's own figures; its scorers' figures are checked from their declarations
_MODEL_SUMMARY = Obj({
    "backend": STR + NONE, "documents": INT, "failed": INT, "words": NUM + NONE, "seconds_per_summary": NUM + NONE,
    "truncated": INT, "tokens_in": NUM + NONE, "tokens_out": NUM + NONE, "cut_off": INT,
})  # fmt: skip
SUMMARY = Obj({"documents": INT, "models": MapOf(_MODEL_SUMMARY), "confidence": NUM + NONE})
_INTERVAL = Obj({"mean": NUM + NONE, "low": NUM + NONE, "high": NUM + NONE}, also=NUM + NONE)  # a mean with its interval, or a plain mean

# --- documents.jsonl: the article's fact table (harness.facts.FactTable.to_dict)
_EVIDENCE = Obj({"sentence": STR, "start": INT, "end": INT}, also=NONE)
_QUANTITY = Obj({"value": NUM, "low": NUM, "high": NUM, "kind": STR, "unit": STR, "text": STR, "span": ListOf(INT, 2),
                 "hedge": STR + NONE, "claimable": BOOL}, required=("value", "low", "high", "kind", "text", "span"))  # fmt: skip
_FACT = Obj({"id": STR, "quantity": _QUANTITY, "noun": STR + NONE, "predicate": STR + NONE, "qualifiers": (dict,) + NONE,
             "evidence": _EVIDENCE, "key": BOOL, "context": ListOf(STR, also=NONE), "source": STR}, required=("id", "quantity"))  # fmt: skip
_ENTITY = Obj({"id": STR, "name": STR, "kind": STR, "keys": ListOf(STR, also=NONE), "tokens": ListOf(STR, also=NONE),
               "mentions": ListOf(ListOf(INT, 2), also=NONE), "evidence": _EVIDENCE, "key": BOOL, "source": STR}, required=("id", "name"))  # fmt: skip
_FRAME = Obj({"agent": STR, "verb": STR, "content": ListOf(STR, also=NONE), "entities": ListOf(STR, also=NONE), "evidence": _EVIDENCE},
             required=("agent", "verb"))  # fmt: skip
_WORDS = ListOf(STR, also=NONE)
FACT_TABLE = Obj({
    "facts": ListOf(_FACT), "numbers": ListOf(NUM), "words": STR, "has_gold": BOOL, "key_rule": STR + NONE,
    "entities": Obj({"entities": ListOf(_ENTITY, also=NONE), "frames": ListOf(_FRAME, also=NONE), "names": _WORDS, "vocabulary": _WORDS,
                     "lower_case": _WORDS}, also=NONE),
}, required=("facts",), also=NONE)  # fmt: skip
_REFERENCE = Obj({"id": STR, "text": STR}, required=("id", "text"))
DOCUMENT = Obj({"doc_id": STR, "article": STR, "references": ListOf(_REFERENCE), "title": STR + NONE, "fact_table": FACT_TABLE},
               required=("doc_id", "article"))  # fmt: skip

GENERATION = Obj({
    "model": STR, "doc_id": STR, "summary": STR + NONE, "error": STR + NONE, "seconds": NUM + NONE, "tokens_in": INT + NONE,
    "tokens_out": INT + NONE, "truncated": BOOL, "cached": BOOL, "meta": (dict,) + NONE,
}, required=("model", "doc_id"))  # fmt: skip

# --- scores.jsonl: the contract's fields, each scorer's column an object (or null); the facts scorer's claims and
# key facts, which the report marks in the summary and the gates keep in a baseline (harness.facts.CheckResult.to_dict)
_SPAN = ListOf(INT, 2)
_CLAIM = Obj({"claim": STR, "span": _SPAN, "verdict": STR, "fact": STR + NONE, "reason": STR + NONE, "sentence": STR + NONE,
              "kind": STR + NONE, "claim_kind": STR + NONE, "evidence": STR + NONE, "evidence_span": ListOf(INT, 2, also=NONE)},
             required=("claim", "span", "verdict", "fact", "reason", "sentence"))  # fmt: skip
_KEY = Obj({"fact": STR, "status": STR, "text": STR, "label": STR + NONE, "kind": STR + NONE}, required=("fact", "status", "text"))
_FACTS_ROW = Obj({"claims": ListOf(_CLAIM), "key_facts": ListOf(_KEY), "key_entities": ListOf(_KEY)}, also=NONE)
SCORE = Obj({"model": STR, "doc_id": STR, "summary": STR + NONE, "error": STR + NONE, "words": INT, "facts": _FACTS_ROW},
            required=("model", "doc_id"), extra=(dict,) + NONE)  # fmt: skip


@dataclass
class Declared:
    """Where a run's scorers keep their numbers: (scorer, metric path) and (scorer, count field)."""

    metrics: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)  # (scorer, count name) in summary.json


def declared_fields(run: Mapping[str, Any]) -> Declared:
    """The metric and count fields that run.json's scorer declarations (already shape-checked) name."""
    declared = Declared()
    for name, record in (run.get("scorers") or {}).items():
        declared.metrics += [(name, tuple(metric["path"])) for metric in record.get("metrics", [])]
        declared.counts += [(name, count.get("source") or count["name"]) for count in record.get("counts", [])]
        declared.totals += [(name, count["name"]) for count in record.get("counts", [])]
    return declared


def check_declared(record: Mapping[str, Any], declared: Declared, where: str, path: str, aggregate: bool) -> None:
    """A score row's (or, with `aggregate`, a model summary's) declared numbers: a number or null each (a model's
    metric may be a mean with its interval); the objects on the way to them objects."""
    scorers = {name for name, _ in declared.metrics} | {name for name, _ in declared.counts}
    for name in scorers:
        check_shape(record.get(name), (dict, type(None)), where, _join(path, name))
    for name, steps in declared.metrics:
        _check_at(record.get(name), steps, _INTERVAL if aggregate else NUM + NONE, where, _join(path, name))
    for name, key in declared.totals if aggregate else declared.counts:
        _check_at(record.get(name), (key,), NUM + NONE if aggregate else NUM + BOOL + NONE, where, _join(path, name))


def _check_at(data: Any, steps: tuple[str, ...], shape: Any, where: str, path: str) -> None:
    for step in steps[:-1]:
        if not isinstance(data, dict) or step not in data:
            return  # absent: no value
        path, data = _join(path, step), data[step]
        check_shape(data, (dict, type(None)), where, path)
    if isinstance(data, dict) and steps and steps[-1] in data:
        check_shape(data[steps[-1]], shape, where, _join(path, steps[-1]))
