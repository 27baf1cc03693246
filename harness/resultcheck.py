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

import fnmatch
import math
from collections.abc import Collection, Mapping
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


@dataclass(frozen=True)
class Bounded:
    """A number of `types` from `low` to `high` (a whole number with `whole`): a count below 0 or a share above 1 is a
    damaged file, not a result. Null, true and false pass where `types` allow them."""

    types: tuple[type, ...]
    low: float = 0.0
    high: float = math.inf
    whole: bool = False

    def holds(self, number: float) -> bool:
        """Whether number is in range (floating-point rounding at the ends allowed: a mean of ones may be 1.0000000000000002)."""
        slack = 1e-9 * max(1.0, abs(number))
        return self.low - slack <= number <= self.high + slack and (not self.whole or number == int(number))

    def words(self) -> str:
        """What the number must be, in words ("a whole number, 0 or more")."""
        what = "a whole number" if self.whole else "a number"
        if math.isinf(self.high):
            return f"{what}, {self.low:g} or more"
        return f"{what} from {self.low:g} to {self.high:g}" if not math.isinf(self.low) else f"{what}, {self.high:g} or less"


@dataclass(frozen=True)
class OneOf:
    """A string from a fixed set (a verdict, a status): any other word is a damaged or hand-edited file, which readers
    would count as none of the kinds they know."""

    values: tuple[str, ...]


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
    if isinstance(shape, Bounded):
        check_shape(value, shape.types, where, path)
        _check_bound(value, shape, where, path)
        return
    if isinstance(shape, OneOf):
        check_shape(value, STR, where, path)
        if value not in shape.values:
            raise HarnessError(f"{where}: field '{path}' must be one of {', '.join(shape.values)} (found {value!r})")
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


def _check_bound(value: Any, bound: Bounded, where: str, path: str) -> None:
    if _is(value, NUM) and not bound.holds(value):
        raise HarnessError(f"{where}: field '{path}' must be {bound.words()} (found {value!r})")


def _join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


COUNT, COUNT_OR_NULL = Bounded(INT, whole=True), Bounded(INT + NONE, whole=True)  # documents, failures, words, tokens
# The words the harness writes (harness.runner.provenance, harness.facts.check): readers count by them.
STATUS, VERDICT, KEPT = OneOf(("ok", "failed")), OneOf(("supported", "contradicted", "not_in_article")), OneOf(("preserved", "omitted"))


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
    "name": STR, "created": STR, "status": STATUS, "config": _CONFIG, "config_path": STR + NONE, "signatures": MapOf(STR),
    "models": ListOf(STR), "documents": COUNT, "timings": (dict,), "failures": (list,), "versions": (dict,), "git": (dict,) + NONE,
    "host": (dict,), "scorers": MapOf(SCORER_RECORD),
})  # fmt: skip

# --- summary.json: a model's own figures; its scorers' figures are checked from their declarations
_MODEL_SUMMARY = Obj({
    "backend": STR + NONE, "documents": COUNT, "failed": COUNT, "words": NUM + NONE, "seconds_per_summary": NUM + NONE,
    "truncated": COUNT, "tokens_in": NUM + NONE, "tokens_out": NUM + NONE, "cut_off": COUNT,
})  # fmt: skip
SUMMARY = Obj({"documents": COUNT, "models": MapOf(_MODEL_SUMMARY), "confidence": NUM + NONE}, required=("models", "documents"))
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
    "model": STR, "doc_id": STR, "summary": STR + NONE, "error": STR + NONE, "seconds": NUM + NONE, "tokens_in": COUNT_OR_NULL,
    "tokens_out": COUNT_OR_NULL, "truncated": BOOL, "cached": BOOL, "meta": (dict,) + NONE,
}, required=("model", "doc_id"))  # fmt: skip

# --- scores.jsonl: the contract's fields, each scorer's column an object (or null); the facts scorer's claims and
# key facts, which the report marks in the summary and the gates keep in a baseline (harness.facts.CheckResult.to_dict)
_SPAN = ListOf(INT, 2)
_CLAIM = Obj({"claim": STR, "span": _SPAN, "verdict": VERDICT, "fact": STR + NONE, "reason": STR + NONE, "sentence": STR + NONE,
              "kind": STR + NONE, "claim_kind": STR + NONE, "evidence": STR + NONE, "evidence_span": ListOf(INT, 2, also=NONE)},
             required=("claim", "span", "verdict", "fact", "reason", "sentence"))  # fmt: skip
_KEY = Obj({"fact": STR, "status": KEPT, "text": STR, "label": STR + NONE, "kind": STR + NONE}, required=("fact", "status", "text"))
_FACTS_ROW = Obj({"claims": ListOf(_CLAIM), "key_facts": ListOf(_KEY), "key_entities": ListOf(_KEY)}, also=NONE)
SCORE = Obj({"model": STR, "doc_id": STR, "summary": STR + NONE, "error": STR + NONE, "words": COUNT, "facts": _FACTS_ROW},
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


# The values a metric can take, where its scorer is known (scorer.metric pattern -> lowest, highest): a ROUGE F1 of -5
# or 1e308 is a damaged file, not a score. Other scorers' metrics (BERTScore, plugins') are checked for their type only.
METRIC_RANGES: dict[str, tuple[float, float]] = {
    "rouge.*": (0.0, 1.0),  # precision, recall and F1 of shared n-grams
    "facts.*_recall": (0.0, 1.0), "facts.*_precision": (0.0, 1.0),  # shares of key facts, claims and entities
    "extractive.coverage": (0.0, 1.0), "extractive.density": (0.0, math.inf), "extractive.compression": (0.0, math.inf),
    "nli.score": (-1.0, 1.0),  # P(entailment) - P(contradiction)
}  # fmt: skip
_ANY_NUMBER, _WHOLE = Bounded(NUM, -math.inf, math.inf), Bounded(NUM, whole=True)  # a metric of unknown range; a count


def metric_range(scorer: str, path: tuple[str, ...]) -> Bounded:
    """The range of a scorer's metric (any number where it is not known)."""
    key = f"{scorer}.{'.'.join(path)}"
    return next((Bounded(NUM, *ends) for pattern, ends in METRIC_RANGES.items() if fnmatch.fnmatchcase(key, pattern)), _ANY_NUMBER)


def check_declared(record: Mapping[str, Any], declared: Declared, where: str, path: str, aggregate: bool) -> None:
    """A score row's (or, with `aggregate`, a model summary's) declared numbers: a number or null each (a model's
    metric may be a mean with its interval), in the metric's range, and a count a whole number 0 or more; the
    objects on the way to them objects."""
    scorers = {name for name, _ in declared.metrics} | {name for name, _ in declared.counts}
    for name in scorers:
        check_shape(record.get(name), (dict, type(None)), where, _join(path, name))
    for name, steps in declared.metrics:
        _check_at(record.get(name), steps, _INTERVAL if aggregate else NUM + NONE, where, _join(path, name), metric_range(name, steps))
    for name, key in declared.totals if aggregate else declared.counts:
        _check_at(record.get(name), (key,), NUM + NONE if aggregate else NUM + BOOL + NONE, where, _join(path, name), _WHOLE)


def _check_at(data: Any, steps: tuple[str, ...], shape: Any, where: str, path: str, bound: Bounded) -> None:
    for step in steps[:-1]:
        if not isinstance(data, dict) or step not in data:
            return  # absent: no value
        path, data = _join(path, step), data[step]
        check_shape(data, (dict, type(None)), where, path)
    if isinstance(data, dict) and steps and steps[-1] in data:
        value, path = data[steps[-1]], _join(path, steps[-1])
        check_shape(value, shape, where, path)
        # a mean with its interval: the mean (an interval's ends may fall outside, as a normal approximation's can)
        _check_bound(value.get("mean") if isinstance(value, dict) else value, bound, where, _join(path, "mean") if isinstance(value, dict) else path)


# --- the rows of a run, against one another: one row per key, and only models and documents the run has
NOUNS = {"model": "model", "doc_id": "document"}
Known = Mapping[str, tuple[Collection[Any], str]]  # field -> (the values the run has, where they are listed)


@dataclass
class Rows:
    """The rows of one results file as they are read: no two share their `key` fields, and every field of `known`
    names something the run has (a model of run.json, a document of documents.jsonl)."""

    key: tuple[str, ...]
    known: Known = field(default_factory=dict)
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def check(self, row: Mapping[str, Any], where: str, line: int) -> None:
        """Refuse a row naming what the run does not have, or repeating an earlier row's key, in one line."""
        for name in self.known:
            check_known(row[name], name, self.known, where, name)
        key = tuple(row[name] for name in self.key)
        first = self.seen.setdefault(key, line)
        if first != line:
            what = " and ".join(f"{NOUNS[name]} {value!r}" for name, value in zip(self.key, key, strict=True))
            raise HarnessError(f"{where}: field '{self.key[-1]}': a second row for {what} (the first is line {first}); a run writes one "
                               f"per {' and '.join(NOUNS[name] for name in self.key)}: remove the copy, or run the config again")  # fmt: skip


def check_known(value: Any, name: str, known: Known, where: str, path: str) -> None:
    """Refuse a model or document (the field `name`) that the run does not have, naming where the run lists its own."""
    values, listed = known[name]
    if value not in values:
        raise HarnessError(f"{where}: field '{path}': no {NOUNS[name]} {value!r} in this run ({listed}); the file was edited or "
                           "mixed with another run's: restore it, or run the config again")  # fmt: skip


# --- a baseline file (harness.gates.make_baseline): every field the gates read, in messages the baseline's own words
def check_baseline(baseline: Mapping[str, Any], where: str) -> None:
    """Refuse, in one line naming the file and field, a baseline whose models, metrics or facts the gates could not read."""
    models = _field(baseline, "models", dict, where)
    if not models:
        raise HarnessError(f"{where}: field 'models' is empty: a baseline with no model checks nothing (record it from a run)")
    _field(baseline, "signatures", dict, where, required=False)
    for name, model in models.items():
        at = f"models.{name}"
        _of_kind(model, dict, where, at)
        for key, value in _field(model, "metrics", dict, where, at, required=False).items():
            _of_kind(value, NUM + NONE, where, f"{at}.metrics.{key}")
        for doc_id, doc in _field(model, "documents", dict, where, at).items():
            _baseline_document(doc, where, f"{at}.documents.{doc_id}")
    if not any(model["documents"] for model in models.values()):
        raise HarnessError(f"{where}: field 'models' holds no documents: a baseline with no document checks nothing (record it from a run)")


def _baseline_document(doc: Any, where: str, at: str) -> None:
    _of_kind(doc, dict, where, at)
    if "error" in doc:
        _field(doc, "error", str, where, at)
        return
    for key, value in _field(doc, "metrics", dict, where, at, required=False).items():
        _of_kind(value, NUM + NONE, where, f"{at}.metrics.{key}")
    facts = _field(doc, "facts", dict, where, at, required=False)
    at = f"{at}.facts"
    for fact_id, fact in _field(facts, "key_facts", dict, where, at, required=False).items():
        _of_kind(fact, dict, where, f"{at}.key_facts.{fact_id}")
        for name in ("status", "label"):
            _field(fact, name, str, where, f"{at}.key_facts.{fact_id}")
    for index, claim in enumerate(_field(facts, "claims", list, where, at, required=False)):
        _of_kind(claim, dict, where, f"{at}.claims[{index}]")
        for name, types in (("claim", str), ("verdict", str), ("fact", STR + NONE), ("reason", str)):
            _field(claim, name, types, where, f"{at}.claims[{index}]")


def _field(record: Mapping[str, Any], name: str, types: Any, where: str, at: str = "", required: bool = True) -> Any:
    """record[name], checked to be of `types`; a missing optional container is empty."""
    full = _join(at, name)
    if name not in record:
        if required:
            raise HarnessError(f"{where}: field '{full}' is missing")
        return types() if types in (dict, list) else None
    _of_kind(record[name], types, where, full)
    return record[name]


def _of_kind(value: Any, types: Any, where: str, at: str) -> None:
    """Refuse a value not of `types`, naming each allowed type ("an integer or a number or null")."""
    types = types if isinstance(types, tuple) else (types,)
    if not _is(value, types):
        raise HarnessError(f"{where}: field '{at}' must be {' or '.join(_KINDS.get(t, t.__name__) for t in types)} (found {kind(value)})")
