"""Evaluation configs: a YAML file validated into plain pydantic models.

Relative paths in a config (dataset, output, cache) are resolved against the folder that holds the config
file, so a run means the same thing from any working directory. Every validation error is reported on one
line as `FILE:LINE: field.path: message`.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictFloat, ValidationError, ValidationInfo, field_validator, model_validator

from harness.configmodel import ConfigModel, fold_scorer_options, plain_message, plain_problems
from harness.errors import HarnessError
from harness.runlock import is_run_folder, not_a_folder_above
from harness.textio import NoHome, check_value, existing_path, not_a_file, path_kind, path_not_utf8, printable_path, read_text, resolve_path, within
from harness.yamlsource import check_finite, format_loc, located, read_yaml

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"  # safe as a folder name and in a Markdown table
# A name is a folder name (ASCII by NAME_PATTERN, so characters are bytes). Filesystems allow 255 bytes; beside the
# run folder go .NAME.tmp-PID, .NAME.old-PID and .NAME.lock, up to 13 bytes more, and a name far past 100 is no
# longer readable in a results table anyway.
MAX_NAME_CHARS = 100
MAX_SEED = 2**64 - 1  # the largest seed torch.manual_seed takes; numpy and random take any seed from 0 up
LEGACY_STATISTICS = ("bootstrap", "confidence")  # once options of each scorer; now statistics.*
MAX_WORKERS = 4096  # more gains no speed on any machine or cluster, and past 2**31 a process pool cannot even be sized
_YAML_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}  # as YAML reads them unquoted
WORKERS_LIMIT = (f"is more than a run can use: each worker is a process (local) or a Ray actor of its own, and no machine or cluster runs "
                 f"more than {MAX_WORKERS:,} at once; use at most {MAX_WORKERS:,}")


_Strict = ConfigModel  # unknown fields, inf/nan and true/false for a number refused (harness.configmodel)


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
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="seed of the sample; default: the config's seed")
    limit: int | None = Field(None, gt=0, description="evaluate only the first N documents (after sampling)")
    max_article_chars: int | None = Field(
        200_000, gt=0, description="a longer article is cut at a paragraph or sentence boundary and marked truncated "
        "(or refused, with on_long_article: error); null for no limit",
    )  # fmt: skip
    on_long_article: Literal["truncate", "error"] = Field("truncate", description="what max_article_chars does")

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
            return self.model_copy(update={"path": resolve_path(base, self.path, ("dataset", "path"))})
        assert self.hf is not None
        hf_path = self.hf.path
        # A hub id looks like a relative path: take it as local only when written as a path or when it exists.
        if hf_path.startswith((".", "/", "~")) or (base / hf_path).is_dir():
            hf_path = str(resolve_path(base, Path(hf_path), ("dataset", "hf", "path")))
        files = self.hf.data_files
        if files is not None:
            resolved = tuple(f if "://" in f else str(resolve_path(base, Path(f), ("dataset", "hf", "data_files"))) for f in ((files,) if isinstance(files, str) else files))
            files = resolved[0] if isinstance(self.hf.data_files, str) else resolved
        return self.model_copy(update={"hf": self.hf.model_copy(update={"path": hf_path, "data_files": files})})


class ModelSpec(ConfigModel):
    """One summarizer: a unique name, a backend from the registry, and that backend's options."""

    model_config = ConfigDict(extra="allow")

    name: str
    backend: str

    _check_name = field_validator("name")(lambda cls, value: _safe_name(value))

    @property
    def params(self) -> dict[str, Any]:
        """The backend options: every key of the entry except name and backend."""
        return dict(self.model_extra or {})


class StatisticsConfig(_Strict):
    """The one place for bootstrap settings: every scorer's intervals and every paired comparison use them."""

    bootstrap: int = Field(1000, ge=0, le=1_000_000, description="bootstrap resamples for confidence intervals and paired tests; 0 turns them off")
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")


class GatesConfig(ConfigModel):
    """Regression gates. `baseline`, `min` and `max` are generic; every other key names a gate that a scorer
    offers (`max_contradicted`, `min_key_fact_recall`, ...) and is validated against the scorers by harness.gates."""

    model_config = ConfigDict(extra="allow")  # the named gates are checked by harness.gates

    baseline: Path | None = Field(None, description="baseline file (from `harness baseline`) that `harness run` checks against")
    # strict: '0.5' (text) is refused, as the named gates refuse it, rather than read as a number
    min: dict[str, StrictFloat] = Field(default_factory=dict, description="metric (scorer.path, e.g. rouge.rougeL.fmeasure) -> lowest mean allowed")
    max: dict[str, StrictFloat] = Field(default_factory=dict, description="metric or count (e.g. facts.contradicted) -> highest value allowed")

    @property
    def named(self) -> dict[str, Any]:
        """The scorer-offered gates given (every key but baseline, min and max)."""
        return dict(self.model_extra or {})


class Config(_Strict):
    """A validated evaluation config."""

    name: str = Field(description="run name: results go to OUTPUT/NAME/")
    description: str | None = None
    dataset: DatasetConfig
    models: tuple[ModelSpec, ...]
    # scorer name -> its options (validated by the scorer's own Options class); null switches a scorer off
    metrics: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    statistics: StatisticsConfig = StatisticsConfig()
    output: Path = Field(Path("results"), description="folder that receives the run folder")
    cache: Path | bool = Field(True, description="generation cache: true (OUTPUT/.cache), false, or a folder")
    report: bool = Field(True, description="write report.md and report.html into the run folder")
    gates: GatesConfig | None = None
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the bootstrap, of sampling models and of dataset.sample")
    executor: dict[str, Any] = Field(
        default_factory=lambda: {"type": "local"},
        description="where summarizers and scorers run: {type: local} (this machine) or {type: ray, address: auto, ...}",
    )
    workers: int | None = Field(None, gt=0, description="processes (local) or Ray actors working at once; default: the number of cores")

    _source: Path | None = PrivateAttr(None)
    _node: Any = PrivateAttr(None)
    _origins: tuple[int, ...] | None = PrivateAttr(None)  # models[i] came from entry _origins[i] of the file (each: expands)

    _check_name = field_validator("name")(lambda cls, value: _safe_name(value))

    @field_validator("workers")
    @classmethod
    def _workers_limit(cls, value: int | None) -> int | None:
        if value is not None and value > MAX_WORKERS:
            raise ValueError(WORKERS_LIMIT)
        return value

    @field_validator("output", "cache", mode="before")
    @classmethod
    def _no_empty_path(cls, value: Any, info: ValidationInfo) -> Any:
        # "" would quietly mean the config's own folder: a blank left by a template, not a choice
        if isinstance(value, str) and not value.strip():
            choices = "true, false or a folder" if info.field_name == "cache" else "a folder"
            raise ValueError(f"is empty; give {choices} (\".\" for the config's own folder)")
        return value

    @field_validator("cache", mode="before")
    @classmethod
    def _no_quoted_boolean(cls, value: Any) -> Any:
        # cache: "false" is text and would name a folder "false"; report: "false" (a bool field) reads as false
        on = _YAML_BOOLEANS.get(value.strip().lower()) if isinstance(value, str) else None
        if on is not None:
            raise ValueError(f"{value!r} in quotes is text, not true/false, and would name a folder; write {str(on).lower()} without quotes "
                             f"to turn the cache {'on' if on else 'off'}, or ./{value.strip()} for a folder of that name")  # fmt: skip
        return value

    @model_validator(mode="before")
    @classmethod
    def _statistics_from_scorers(cls, data: Any) -> Any:
        """Fold the old per-scorer `bootstrap`/`confidence` options into the one statistics block."""
        return fold_scorer_options(data, LEGACY_STATISTICS, "statistics")

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
        """A copy writing to another output folder (the CLI's --output), ~ expanded and its folders checked as load_config's."""
        try:  # '~/x' in quotes (a script's variable) means what `output: ~/x` in a config means, not a folder named ~
            copy = self.updated(output=resolve_path(Path(), output))
        except NoHome as error:
            raise HarnessError(f"--output: {error}") from None
        _check_folders(copy, flag="--output")
        return copy

    def updated(self, **changes: Any) -> Config:
        """A copy with some fields replaced (unvalidated, as model_copy), still pointing at its source file."""
        copy = self.model_copy(update=changes)
        copy._source, copy._node, copy._origins = self._source, self._node, self._origins
        return copy

    def model_entry(self, index: int) -> int:
        """The index in the file's models: list of models[index] (they differ once an entry expanded into several)."""
        return self._origins[index] if self._origins is not None else index

    def with_workers(self, workers: int) -> Config:
        """A copy run by this many workers (the CLI's --workers), overriding executor.workers too."""
        if workers > MAX_WORKERS:
            raise HarnessError(f"--workers: {WORKERS_LIMIT} (got {workers})")
        executor = {key: value for key, value in self.executor.items() if key != "workers"}
        return self.updated(workers=workers, executor=executor)

    def error(self, loc: tuple[str | int, ...], message: str) -> HarnessError:
        """A one-line error pointing at a field of this config (and its line, when read from YAML)."""
        return HarnessError(located(self._source, self._node, loc, message))

    def invalid(self, error: ValidationError, loc: tuple[str | int, ...], model: type[BaseModel]) -> HarnessError:
        """A one-line error for a part of this config (at loc) that failed validation as `model`."""
        return validation_error(error, self._source, self._node, prefix=loc, model=model)


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML config file, resolving its relative paths against its folder."""
    path = Path(path)
    if problem := path_not_utf8(path):  # every path the config names is taken from its folder, and run.json records them
        raise HarnessError(f"{printable_path(path)}: the config's path {problem}")
    kind = path_kind(path)
    if kind != "file":  # a folder, a pipe or /dev/null is there: "not found" would send the user looking for it
        raise HarnessError(f"{path}: config file not found") if kind == "missing" else not_a_file(path, kind, "give a YAML config file")
    text = read_text(path)  # invalid UTF-8 is a one-line error naming the byte
    node, data = read_yaml(path, text)
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: a config is a YAML mapping (name, dataset, models, ...)")
    check_finite(data, path, node)  # before check_value, whose message has no line
    check_value(data, str(path))  # a "\ud800" escape would fail only when run.json is written
    config = parse_config(data, source=path, node=node)
    base = path.parent
    try:  # ~user of a user this machine lacks: one line at the field that names it
        resolved = {
            "dataset": config.dataset.resolved(base),
            "output": resolve_path(base, config.output, ("output",)),
        }
        if isinstance(config.cache, Path):
            resolved["cache"] = resolve_path(base, config.cache, ("cache",))
        if config.gates is not None and config.gates.baseline is not None:
            resolved["gates"] = config.gates.model_copy(update={"baseline": resolve_path(base, config.gates.baseline, ("gates", "baseline"))})
    except NoHome as error:
        raise config.error(error.loc, str(error)) from None
    config = config.updated(**resolved)
    _check_folders(config)
    return config


def parse_config(data: dict[str, Any], source: Path | None = None, node: Any = None) -> Config:
    """Validate a config given as a mapping; errors name the source file, line and field."""
    check_finite(data, source, node)
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
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"is {len(value)} characters long; use at most {MAX_NAME_CHARS} (it names a folder, and filesystems limit those)")
    return value


def _check_folders(config: Config, flag: str | None = None) -> None:
    """Refuse, before any model runs, an output or cache that is a file or device or lies below one, a path run.json cannot
    record (not UTF-8), and an input, the cache or this config file inside OUTPUT/NAME, which every run replaces whole."""
    for field, folder in (("output", config.output), ("cache", config.cache_dir)):
        blocked = None if folder is None else not_a_folder_above(folder)
        if blocked is not None:
            raise _path_error(config, (field,), f"{blocked[0]} is {blocked[1]}, not a folder (choose another folder, or one that does not exist yet)", flag)
    change = f"give another {flag}" if flag else "change output or name"
    # A folder there that no run wrote is never replaced: the run refuses it, naming it (harness.runlock.prepare_output).
    replaced = path_kind(config.run_dir) != "folder" or is_run_folder(config.run_dir)
    for loc, path, what in _kept_paths(config):
        if problem := path_not_utf8(path):
            raise _path_error(config, loc, f"{printable_path(path)} {problem}", flag)
        if what and replaced and within(path, config.run_dir):
            raise _path_error(config, loc, f"{what} lies inside the run folder {config.run_dir} (OUTPUT/NAME), which every run deletes and writes "
                              f"anew, so it would be lost; move it out of that folder, or {change}", flag)  # fmt: skip


def _kept_paths(config: Config) -> list[tuple[tuple[str | int, ...], Path, str]]:
    """(field, path, how a message names it) for each path the config names; output is named "": it is the one replaced."""
    kept = [(("output",), config.output, "")]
    if config.source is not None:  # at output's line: output puts the run folder around the file
        kept.append((("output",), config.source, "this config file"))
    named: list[tuple[tuple[str | int, ...], Path | None]] = [(("dataset", "path"), config.dataset.path), (("cache",), config.cache_dir)]
    named.append((("gates", "baseline"), config.gates.baseline if config.gates else None))
    hf = config.dataset.hf
    if hf is not None:  # local folders and files only (resolved already); a hub id or a URL names none here
        files = (hf.data_files,) if isinstance(hf.data_files, str) else hf.data_files or ()
        named += [(("dataset", "hf", key), existing_path(value, Path())) for key, value in [("path", hf.path), *(("data_files", f) for f in files)]]
    base = config.source.parent if config.source else Path()
    for index, spec in enumerate(config.models):  # any option naming a file or folder: a precomputed file, a local model
        named += [(("models", config.model_entry(index), key), existing_path(value, base)) for key, value in spec.params.items()]
    return kept + [(loc, path, str(path)) for loc, path in named if path is not None]


def _path_error(config: Config, loc: tuple[str | int, ...], message: str, flag: str | None) -> HarnessError:
    """The error for a path at loc; output given by a command-line flag is named as that flag, not the config's line."""
    return HarnessError(f"{flag}: {message}") if flag and loc == ("output",) else config.error(loc, message)


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
    problems = plain_problems(error.errors())
    first = problems[0]
    loc = tuple(first["loc"])
    message = plain_message(first, model)
    # A missing field has no line of its own: point at the mapping that lacks it.
    line_loc = prefix + (loc[:-1] if first["type"] == "missing" else loc)
    text = located(source, node, line_loc, message, shown_loc=prefix + loc)
    # Other places, each once (a bad key and its value are two problems at one place).
    others = list(dict.fromkeys(format_loc(prefix + tuple(p["loc"])) for p in problems[1:] if tuple(p["loc"]) != loc))
    if others:
        text += f" (and {len(others)} more: {', '.join(others)})"
    return HarnessError(text)

