"""What every scorer shares: the Scorer contract, its declarations, and the sacrebleu-style Signature.

A scorer is one module plus one registry line (harness/scoring/__init__.py). It declares, as plain data,
what the rest of the harness does with its numbers, so that the runner, the statistics, the terminal
table, the report, the gates and the pytest plugin loop over scorers instead of naming them:

- `metrics()`: per-document numbers (a path into the scorer's result). Each gets a mean with a bootstrap
  interval per model, paired comparisons between models, a chart series, and `min`/`max` gates.
- `counts()`: per-document counts summed per model (contradicted claims, ...), gated with `max`.
- `gates()`: named gates it offers in a config's `gates:` block (`max_contradicted: 0`).

Statistics (bootstrap, confidence, seed) are computed once for every metric by harness.scoring.aggregate,
not by each scorer (the sacrebleu way: a metric provides per-segment statistics, significance is shared).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict

from harness.configmodel import ConfigModel
from harness.documents import Document


@dataclass(frozen=True)
class Signature:
    """Everything needed to reproduce a score, printed as `name|key:value|...` (after sacrebleu)."""

    name: str
    fields: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "|".join([self.name, *(f"{key}:{value}" for key, value in self.fields)])

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Inverse of str(): `name|key:value|...` back into a Signature."""
        name, *fields = text.split("|")
        return cls(name, tuple((key, value) for key, _, value in (field.partition(":") for field in fields)))

    def extended(self, *fields: tuple[str, str]) -> Signature:
        """The same signature with more fields."""
        return Signature(self.name, (*self.fields, *fields))


@dataclass(frozen=True)
class Metric:
    """A per-document number of a scorer: averaged with an interval, compared in pairs, charted, gated.

    `path` is where the number sits inside the scorer's result (and, as a mean with its interval, inside the
    model's aggregate in summary.json): ("rouge1", "fmeasure") or ("key_fact_recall",).
    """

    path: tuple[str, ...]
    label: str  # "R-1 F1": the column and comparison label
    scale: float = 100.0  # display multiplier (F1 0-1 is shown x100)
    unit: str = ""  # "%" for shares shown as percentages
    higher_is_better: bool = True
    column: bool = True  # shown in the terminal table and the leaderboard
    compare: bool = True  # tested in the paired comparisons
    chart: str | None = None  # name of the chart the series goes into ("ROUGE F1"); None: no chart
    interval: bool = True  # False: the model's figure is the plain mean (descriptive statistics, not quality scores)

    @property
    def key(self) -> str:
        """Dotted name within the scorer: "rouge1.fmeasure"."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Count:
    """A per-document count summed over a model's documents (a claim count, a number of flags)."""

    name: str  # key in the model's aggregate (and in the scorer's result, unless `source` names another)
    label: str
    higher_is_better: bool = False
    column: bool = True
    source: str | None = None  # the result's key to sum, when it differs from name (a bool counts 1)


@dataclass(frozen=True)
class Gate:
    """A named gate a scorer offers in a config's `gates:` block, checked against a model's aggregate."""

    name: str  # the config key: "max_contradicted"
    target: str  # a metric key ("key_fact_recall"), a count name ("contradicted"), or a pattern ("*.fmeasure")
    # min/max: the model's mean (or total count) against the value; drop: how far a mean may fall below the baseline's
    bound: Literal["min", "max", "drop"]
    description: str
    kind: Literal["number", "count"] = "number"


class ScorerOptions(ConfigModel):
    """Options of one scorer, validated from its entry under `metrics:` in a config."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())


@dataclass(frozen=True)
class ScoreResult:
    """A scorer's typed result for one summary; `to_fields()` is what goes into the score row."""

    def to_fields(self, name: str) -> dict[str, Any]:
        """Fields to add to the document's score row: {scorer name: the result as plain data}."""
        return {name: asdict(self)}


@dataclass(frozen=True)
class Statistics:
    """The one place for bootstrap settings: every scorer's intervals and every comparison use them."""

    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int = 0

    def signature_fields(self) -> tuple[tuple[str, str], ...]:
        """boot, seed and ci: what every scorer's signature says about its intervals."""
        return (("boot", str(self.bootstrap)), ("seed", str(self.seed)), ("ci", f"{self.confidence * 100:g}"))


class Scorer(ABC):
    """Scores summaries of documents; declares its metrics, counts, gates and signature."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type[ScorerOptions]] = ScorerOptions
    # Scorers that load a model (bertscore, nli) are not run by default: a config must name them.
    default_on: ClassVar[bool] = False
    # True: the executor may split documents into shards scored in other processes or on a cluster (each
    # rebuilds the scorer from its options). False for scorers that need every summary at once (idf over the
    # run) or hold a model on a device: they get one score_batch on the driver.
    shardable: ClassVar[bool] = True
    # Where a result lists judged spans of the summary (items with span, verdict, score, evidence, reason), and
    # their label: the report marks them in the summary as it marks fact claims. None: no such list.
    evidence: ClassVar[tuple[tuple[str, ...], str] | None] = None

    def __init__(self, options: ScorerOptions | None = None, statistics: Statistics | None = None) -> None:
        self.options = options if options is not None else self.Options()
        self.statistics = statistics or Statistics()

    @abstractmethod
    def signature(self) -> Signature:
        """How the scores were computed."""

    def prepare(self) -> None:
        """Check what the scorer needs (weights, extras) is there, before any model runs; raise HarnessError if not."""

    def check_documents(self, documents: Sequence[Document]) -> None:
        """Check what the scorer reads from the documents (curated data), before any model runs; raise
        HarnessError naming the file and field of the first problem."""

    def prepare_documents(self, documents: Sequence[Document]) -> list[Document]:
        """Work on the articles done once per run (the facts scorer attaches each article's fact table)."""
        return list(documents)

    @abstractmethod
    def score(self, summary: str, document: Document) -> ScoreResult | None:
        """The typed result for one summary of one document (None when it cannot be scored, e.g. no references)."""

    def score_batch(self, summaries: Sequence[str], documents: Sequence[Document]) -> list[ScoreResult | None]:
        """Results for many summaries at once; model-based scorers override this to batch on a device."""
        return [self.score(summary, document) for summary, document in zip(summaries, documents)]

    def row(self, summary: str, document: Document) -> dict[str, Any]:
        """The score-row fields for one summary of one document (score, then fields)."""
        return self.fields(self.score(summary, document))

    def fields(self, result: ScoreResult | None) -> dict[str, Any]:
        """The score-row fields of a result ({name: None} when there is none)."""
        return result.to_fields(self.name) if result is not None else {self.name: None}

    def metrics(self) -> list[Metric]:
        """Per-document numbers to average, compare, chart and gate."""
        return []

    def counts(self) -> list[Count]:
        """Per-document counts to sum per model."""
        return []

    def gates(self) -> list[Gate]:
        """Named gates this scorer offers."""
        return []

    def extra_aggregate(self, results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Corpus figures beyond the declared metrics and counts (micro averages, totals)."""
        return {}

    def baseline_entry(self, result: Mapping[str, Any]) -> dict[str, Any] | None:
        """What `harness baseline` records of one document's result beyond the metric values (None: nothing)."""
        return None

    def regressions(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        """(kind, what, why) for each way a document's baseline entry got worse (lost facts, new flags)."""
        return []

    def close(self) -> None:
        """Free whatever the scorer holds (weights, devices)."""

    def describe(self) -> dict[str, Any]:
        """The declarations as plain data, recorded in run.json so reports need not import the scorer."""
        described: dict[str, Any] = {
            "signature": str(self.signature()),
            "description": self.description,
            "metrics": [{**asdict(metric), "key": metric.key} for metric in self.metrics()],
            "counts": [asdict(count) for count in self.counts()],
            "gates": [asdict(gate) for gate in self.gates()],
        }
        if self.evidence is not None:
            described["evidence"] = {"path": list(self.evidence[0]), "label": self.evidence[1]}
        return described


def value_at(data: Mapping[str, Any] | None, path: Sequence[str]) -> Any:
    """The value at a key path in nested mappings, or None where any step is missing."""
    current: Any = data
    for part in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def set_at(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set a value at a key path, creating the mappings on the way."""
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


@dataclass
class Declarations:
    """A scorer's declarations read back from run.json (for reports and gates over results folders)."""

    name: str
    signature: str = ""
    metrics: list[Metric] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)

    @classmethod
    def from_record(cls, name: str, record: Mapping[str, Any]) -> Declarations:
        """Rebuild from the plain form written by Scorer.describe()."""
        metrics = [Metric(**{**{k: v for k, v in m.items() if k != "key"}, "path": tuple(m["path"])}) for m in record.get("metrics", [])]
        return cls(
            name,
            str(record.get("signature", "")),
            metrics,
            [Count(**c) for c in record.get("counts", [])],
            [Gate(**g) for g in record.get("gates", [])],
        )
