"""Evaluation configs: a YAML file validated into plain pydantic models.

Relative paths in a config (dataset, output, cache) are resolved against the folder that holds the config
file, so a run means the same thing from any working directory. Every validation error is reported on one
line as `FILE:LINE: field.path: message`.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from harness.errors import HarnessError

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"  # safe as a folder name and in a Markdown table
ROUGE_TYPE_PATTERN = r"^rouge(?:[1-9]|L|Lsum)$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


HARNESS_FIELDS = ("id", "article", "references", "title", "facts")
_Scalar = str | int | float | bool | None


class HFDatasetConfig(_Strict):
    """A Hugging Face `datasets` source: a hub id, a builder with data files, or a local folder."""

    path: str = Field(
        description="hub id (abisee/cnn_dailymail), builder name (json, parquet, csv) or a local folder "
        "(one saved with Dataset.save_to_disk, or of data files)"
    )
    name: str | None = Field(None, description="config name, e.g. 3.0.0 for cnn_dailymail")
    split: str | None = Field(None, description="split to read; default test, or the only split there is")
    data_files: str | tuple[str, ...] | None = Field(None, description="data files of a builder such as json or parquet")
    revision: str | None = Field(None, description="hub branch, tag or commit")

    @field_validator("name", "revision", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # YAML reads `name: 3.0` as a float; a config name is text.
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    def describe(self) -> str:
        """Short label such as `abisee/cnn_dailymail (3.0.0, test)`."""
        # Without data files the split defaults to test; data files usually make one split, named train.
        split = self.split or ("test" if self.data_files is None else None)
        parts = [part for part in (self.name, split, self.revision and f"revision {self.revision}") if part]
        return f"{self.path} ({', '.join(parts)})"


class DatasetConfig(_Strict):
    """Where the documents come from, and which of them are evaluated."""

    path: Path | None = Field(None, description="a references directory, one document folder, or a JSONL file")
    hf: HFDatasetConfig | None = Field(None, description="a Hugging Face datasets source instead of path")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="harness field (id, article, references, title, facts) -> source column; JSONL and hf only",
    )
    where: dict[str, _Scalar | list[_Scalar]] = Field(
        default_factory=dict, description="column -> value or list of values: keep only the records that match"
    )
    require_references: bool = Field(False, description="drop documents without reference summaries")
    sample: int | None = Field(None, gt=0, description="a fixed-seed random sample of N documents, kept in source order")
    seed: int | None = Field(None, description="seed of the sample; default: the config's seed")
    limit: int | None = Field(None, gt=0, description="evaluate only the first N documents (after sampling)")

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, str]) -> dict[str, str]:
        for name in fields:
            if name not in HARNESS_FIELDS:
                hint = difflib.get_close_matches(name, HARNESS_FIELDS, n=1)
                also = f"did you mean '{hint[0]}'? " if hint else ""
                raise ValueError(f"unknown field '{name}' ({also}map harness fields {', '.join(HARNESS_FIELDS)} to source columns)")
        return fields

    @model_validator(mode="after")
    def _one_source(self) -> DatasetConfig:
        if (self.path is None) == (self.hf is None):
            given = "both" if self.path is not None else "neither"
            raise ValueError(
                f"give exactly one of path (a references directory, document folder or JSONL file) "
                f"and hf (a Hugging Face dataset); {given} given"
            )
        return self

    def describe(self) -> str:
        """Where the documents come from, for messages."""
        return f"hf:{self.hf.describe()}" if self.hf is not None else str(self.path)

    def resolved(self, base: Path) -> DatasetConfig:
        """A copy whose relative paths (path, local hf.path, hf.data_files) are taken from folder base."""
        if self.path is not None:
            return self.model_copy(update={"path": _resolve(base, self.path)})
        assert self.hf is not None
        hf_path = self.hf.path
        # A hub id looks like a relative path: take it as local only when written as a path or when it exists.
        if hf_path.startswith((".", "/", "~")) or (base / hf_path).is_dir():
            hf_path = str(_resolve(base, Path(hf_path)))
        files = self.hf.data_files
        if files is not None:
            resolved = tuple(f if "://" in f else str(_resolve(base, Path(f))) for f in ((files,) if isinstance(files, str) else files))
            files = resolved[0] if isinstance(self.hf.data_files, str) else resolved
        return self.model_copy(update={"hf": self.hf.model_copy(update={"path": hf_path, "data_files": files})})


class ModelSpec(BaseModel):
    """One summarizer: a unique name, a backend from the registry, and that backend's options."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    backend: str

    _check_name = field_validator("name")(lambda cls, value: _safe_name(value))

    @property
    def params(self) -> dict[str, Any]:
        """The backend options: every key of the entry except name and backend."""
        return dict(self.model_extra or {})


class RougeConfig(_Strict):
    """Options of the ROUGE scorer (Lin, 2004; Google's rouge-score implementation)."""

    types: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    stemmer: bool = True
    multi_reference: Literal["max", "mean"] = "max"
    bootstrap: int = Field(1000, ge=0, description="bootstrap resamples for confidence intervals; 0 turns CIs off")
    confidence: float = Field(0.95, gt=0, lt=1)

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        for rouge_type in types:
            if not re.match(ROUGE_TYPE_PATTERN, rouge_type):
                raise ValueError(f"unknown ROUGE type '{rouge_type}' (use rouge1..rouge9, rougeL, rougeLsum)")
        if not types:
            raise ValueError("name at least one ROUGE type")
        return types


class FactsConfig(_Strict):
    """Options of the fact checker (harness.facts): numeric claims checked against the article."""

    gold: bool = Field(True, description="lay a document's curated facts.yaml over its automatic fact table")
    bootstrap: int = Field(1000, ge=0, description="bootstrap resamples for confidence intervals; 0 turns CIs off")
    confidence: float = Field(0.95, gt=0, lt=1)


class ExtractiveConfig(_Strict):
    """Extractive fragment statistics (coverage, density, compression); no options yet."""


class MetricsConfig(_Strict):
    """Which scorers run, with their options; a scorer set to null is switched off."""

    rouge: RougeConfig | None = RougeConfig()
    facts: FactsConfig | None = FactsConfig()
    extractive: ExtractiveConfig | None = ExtractiveConfig()


class GatesConfig(_Strict):
    """Regression gates: thresholds every model must meet, and tolerances against a baseline."""

    min_key_fact_recall: float | None = Field(None, ge=0, le=1, description="each model's mean key-fact recall at least this")
    max_contradicted: int | None = Field(None, ge=0, description="each model's contradicted claims, over all documents, at most this")
    max_not_in_article: int | None = Field(None, ge=0, description="each model's not-in-article claims at most this")
    max_rouge_drop: float | None = Field(None, ge=0, description="each model's mean ROUGE F1 (0-1) may fall at most this below the baseline")
    baseline: Path | None = Field(None, description="baseline file (from `harness baseline`) that `harness run` checks against")


class Config(_Strict):
    """A validated evaluation config."""

    name: str = Field(description="run name: results go to OUTPUT/NAME/")
    description: str | None = None
    dataset: DatasetConfig
    models: tuple[ModelSpec, ...]
    metrics: MetricsConfig = MetricsConfig()
    output: Path = Field(Path("results"), description="folder that receives the run folder")
    cache: Path | bool = Field(True, description="generation cache: true (OUTPUT/.cache), false, or a folder")
    report: bool = Field(True, description="write report.md and report.html into the run folder")
    gates: GatesConfig | None = None
    seed: int = 0
    executor: dict[str, Any] = Field(
        default_factory=lambda: {"type": "local"},
        description="where summarizers and scorers run: {type: local} (this machine) or {type: ray, address: auto, ...}",
    )
    workers: int | None = Field(None, gt=0, description="processes (local) or Ray actors working at once; default: the number of cores")

    _source: Path | None = PrivateAttr(None)
    _node: Any = PrivateAttr(None)

    _check_name = field_validator("name")(lambda cls, value: _safe_name(value))

    @field_validator("models")
    @classmethod
    def _some_models(cls, models: tuple[ModelSpec, ...]) -> tuple[ModelSpec, ...]:
        if not models:
            raise ValueError("list at least one model")
        return models

    @property
    def source(self) -> Path | None:
        """The file this config was read from, if any."""
        return self._source

    @property
    def cache_dir(self) -> Path | None:
        """Folder of the generation cache, or None when caching is off."""
        if self.cache is True:
            return self.output / ".cache"
        return None if self.cache is False else self.cache

    @property
    def run_dir(self) -> Path:
        """The folder this run writes: OUTPUT/NAME."""
        return self.output / self.name

    def with_output(self, output: Path) -> Config:
        """A copy writing to another output folder (the CLI's --output)."""
        return self.updated(output=output)

    def updated(self, **changes: Any) -> Config:
        """A copy with some fields replaced (unvalidated, as model_copy), still pointing at its source file."""
        copy = self.model_copy(update=changes)
        copy._source, copy._node = self._source, self._node
        return copy

    def with_workers(self, workers: int) -> Config:
        """A copy run by this many workers (the CLI's --workers), overriding executor.workers too."""
        executor = {key: value for key, value in self.executor.items() if key != "workers"}
        return self.updated(workers=workers, executor=executor)

    def error(self, loc: tuple[str | int, ...], message: str) -> HarnessError:
        """A one-line error pointing at a field of this config (and its line, when read from YAML)."""
        return HarnessError(_located(self._source, self._node, loc, message))

    def invalid(self, error: ValidationError, loc: tuple[str | int, ...], model: type[BaseModel]) -> HarnessError:
        """A one-line error for a part of this config (at loc) that failed validation as `model`."""
        return validation_error(error, self._source, self._node, prefix=loc, model=model)


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML config file, resolving its relative paths against its folder."""
    path = Path(path)
    if not path.is_file():
        raise HarnessError(f"{path}: config file not found")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise HarnessError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: a config is a YAML mapping (name, dataset, models, ...)")
    config = parse_config(data, source=path, node=node)
    base = path.parent
    resolved = {
        "dataset": config.dataset.resolved(base),
        "output": _resolve(base, config.output),
    }
    if isinstance(config.cache, Path):
        resolved["cache"] = _resolve(base, config.cache)
    if config.gates is not None and config.gates.baseline is not None:
        resolved["gates"] = config.gates.model_copy(update={"baseline": _resolve(base, config.gates.baseline)})
    return config.updated(**resolved)


def parse_config(data: dict[str, Any], source: Path | None = None, node: Any = None) -> Config:
    """Validate a config given as a mapping; errors name the source file, line and field."""
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise validation_error(error, source, node) from None
    config._source, config._node = source, node
    seen: set[str] = set()
    for index, spec in enumerate(config.models):
        if spec.name in seen:
            raise config.error(("models", index, "name"), f"model name '{spec.name}' is used twice; names must be unique")
        seen.add(spec.name)
    return config


def _safe_name(value: str) -> str:
    if not re.match(NAME_PATTERN, value):
        raise ValueError("use letters, digits and . _ + - only, starting with a letter or digit (it names a folder)")
    return value


def validation_error(
    error: ValidationError,
    source: Path | None,
    node: Any = None,
    prefix: tuple[str | int, ...] = (),
    model: type[BaseModel] = Config,
) -> HarnessError:
    """Turn a pydantic ValidationError into a one-line HarnessError naming file, line and field.

    `model` is the class that was validated and `prefix` where its data sits in the file.
    """
    problems = error.errors()
    first = problems[0]
    loc = tuple(first["loc"])
    message = _message(first, model)
    # A missing field has no line of its own: point at the mapping that lacks it.
    line_loc = prefix + (loc[:-1] if first["type"] == "missing" else loc)
    text = _located(source, node, line_loc, message, shown_loc=prefix + loc)
    if len(problems) > 1:
        others = ", ".join(format_loc(prefix + tuple(problem["loc"])) for problem in problems[1:])
        text += f" (and {len(problems) - 1} more: {others})"
    return HarnessError(text)


def _message(problem: dict[str, Any], model: type[BaseModel]) -> str:
    if problem["type"] == "extra_forbidden":
        field = str(problem["loc"][-1])
        owner = _model_at(model, tuple(problem["loc"][:-1]))
        allowed = sorted(owner.model_fields) if owner else []
        hint = difflib.get_close_matches(field, allowed, n=1)
        if hint:
            return f"unknown field; did you mean '{hint[0]}'?"
        return f"unknown field; known: {', '.join(allowed)}" if allowed else "unknown field"
    if problem["type"] == "missing":
        return "missing required field"
    message = problem["msg"].removeprefix("Value error, ")
    if "input" in problem and not isinstance(problem["input"], (dict, list)):
        message += f" (got {problem['input']!r})"
    return message


def _model_at(model: Any, loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class found at loc inside model's fields, following Optional and tuple types."""
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if isinstance(part, int):
            continue  # the element type was taken when the sequence field was entered
        field = model.model_fields.get(part)
        model = _unwrap(field.annotation) if field else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """First pydantic model class inside an annotation such as `X | None` or `tuple[X, ...]`."""
    pending = [annotation]
    while pending:
        current = pending.pop(0)
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        pending.extend(typing.get_args(current))
    return None


def _located(
    source: Path | None, node: Any, loc: tuple[str | int, ...], message: str, shown_loc: tuple | None = None
) -> str:
    line = _line_of(node, loc)
    where = str(source) if source else "config"
    if line is not None and source:
        where += f":{line}"
    field = format_loc(shown_loc if shown_loc is not None else loc)
    return f"{where}: {field}: {message}" if field else f"{where}: {message}"


def format_loc(loc: tuple[str | int, ...]) -> str:
    """models[2].num_beams style path."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(node: Any, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the YAML node at loc, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _resolve(base: Path, path: Path) -> Path:
    path = path.expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))
