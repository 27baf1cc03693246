"""pytest plugin (entry point `pytest11`): fact-preservation assertions and evaluation runs for your
own regression tests.

    def test_summary_keeps_the_toll():
        assert_facts_preserved(summary, "references/syria-talks", keys=["war-dead"])

    @pytest.mark.harness_config("configs/default.yaml")
    def test_default_models(harness_result):
        assert harness_result.summary["models"]["lead-3"]["facts"]["contradicted"] == 0

`harness_run(config)` runs a config (once per session and config) and returns its RunResult; the
`harness_config` marker names the config that the `harness_result` fixture runs. Runs are written
under pytest's temporary folder unless --harness-output names a folder, each config's in a folder of its own
(OUTPUT/<file name>-<hash of its path>/NAME), so two configs of one name keep their results apart.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest


def _table(article_or_table: Any, who: str) -> Any:
    """A FactTable from a table, a Document, a document folder or article file path, or article text."""
    from harness.documents import Document, find_document
    from harness.facts import FactTable, extract_facts, table_for_document

    if isinstance(article_or_table, FactTable):
        return article_or_table
    if isinstance(article_or_table, Document):
        return table_for_document(article_or_table)
    path = _article_path(article_or_table, who)
    return table_for_document(find_document(path)) if path is not None else extract_facts(article_or_table)


def _article_path(article: Any, who: str) -> Path | None:
    """The path the argument names (a Path, or text naming an existing file or folder); None for article text.

    Empty text, anything but text or a path, and text that looks like a path but names nothing are refused:
    each would otherwise be checked as an article and pass or fail for the wrong reason."""
    if isinstance(article, Path):
        return article
    if not isinstance(article, str):
        raise pytest.UsageError(f"{who}: the article must be its text, a document folder or article.txt path, a Document or a "
                                f"FactTable (got {type(article).__name__})")  # fmt: skip
    if not article.strip():
        raise pytest.UsageError(f"{who}: the article is empty; give its text, a document folder or an article.txt path")
    if "\n" in article:
        return None
    try:
        if Path(article).exists():
            return Path(article)
    except (OSError, ValueError):  # too long for a file name, or a NUL character: text
        return None
    looks_like_a_path = article.endswith((".txt", ".md")) or ((os.sep in article or "/" in article) and " " not in article)
    if looks_like_a_path and len(article) < 4096:
        raise pytest.UsageError(f"{who}: no file or folder {article} (it looks like a path, so it is not read as the article's "
                                "text); check the path, or pass the article's text")  # fmt: skip
    return None


def _summary_text(summary: Any, who: str) -> str:
    """The summary, refused unless it is text (None from a model that returned nothing, bytes, a list)."""
    if not isinstance(summary, str):
        got = "None (did the model return nothing?)" if summary is None else f"{type(summary).__name__}"
        raise pytest.UsageError(f"{who}: the summary must be text (a str), got {got}")
    return summary


def assert_facts_preserved(summary: str, article_or_table: Any, keys: Sequence[str] | None = None, allow_flagged: bool = False) -> Any:
    """Fail unless the summary keeps the given facts (default: the table's key figures; name key entities by id,
    e.g. "aleppo") and, unless allow_flagged, states no contradicted or not-in-article figure or name.
    Returns the CheckResult."""
    __tracebackhide__ = True  # a failure shows the test's line and the message, not this helper's source
    return _facts_preserved(summary, article_or_table, keys, allow_flagged, "assert_facts_preserved")


def _facts_preserved(summary: Any, article_or_table: Any, keys: Sequence[str] | None, allow_flagged: bool, who: str) -> Any:
    __tracebackhide__ = True
    from harness.facts import check_summary

    summary = _summary_text(summary, who)
    table = _table(article_or_table, who)
    result = check_summary(summary, table)
    entities = {entity.id: entity for entity in (table.entities.entities if table.entities is not None else ())}
    wanted = _wanted_keys(keys, who) if keys is not None else [fact.id for fact in table.key_facts()]
    unknown = [key for key in wanted if table.get(key) is None and key not in entities]
    if unknown:
        known = ", ".join([f.id for f in table.facts] + list(entities))
        raise pytest.UsageError(f"{who}: no fact or entity {', '.join(unknown)} in the table (ids: {known})")
    kept = {claim.fact.id for claim in result.claims if claim.verdict == "supported" and claim.fact}
    kept |= {claim.entity.id for claim in result.entity_claims if claim.verdict == "supported" and claim.entity}
    problems = [f"lost: {table.get(key).label if key not in entities else entities[key].name} ({key})"
                for key in wanted if key not in kept]  # fmt: skip
    if not allow_flagged:
        problems += [f"{claim.verdict.replace('_', ' ')}: '{claim.quantity.text}': {claim.reason}" for claim in result.claims
                     if claim.verdict != "supported"]  # fmt: skip
        problems += [f"{claim.verdict.replace('_', ' ')}: name '{claim.name}': {claim.reason}" for claim in result.entity_claims
                     if claim.verdict != "supported"]  # fmt: skip
    if problems:
        raise AssertionError("summary does not keep its facts:\n  " + "\n  ".join(problems) + f"\nsummary: {summary}")
    return result


def _wanted_keys(keys: Any, who: str) -> list[str]:
    """The ids that keys names: one id given as text is that id, not its characters ("f01", not "f", "0", "1")."""
    if isinstance(keys, str):
        return [keys]
    if isinstance(keys, (dict, bytes)) or not isinstance(keys, Iterable):
        raise pytest.UsageError(f"{who}: keys must be a list of fact or entity ids, such as ['f01'] (got {type(keys).__name__})")
    wanted = list(keys)
    odd = next((key for key in wanted if not isinstance(key, str)), None)
    if odd is not None:
        raise pytest.UsageError(f"{who}: keys must be fact or entity ids (text); got {odd!r} ({type(odd).__name__})")
    return wanted


def assert_no_contradictions(summary: str, article_or_table: Any) -> Any:
    """Fail if any figure or name of the summary is contradicted by the article or absent from it."""
    __tracebackhide__ = True
    return _facts_preserved(summary, article_or_table, [], False, "assert_no_contradictions")


def assert_scores(
    summary: str,
    document: Any,
    min: dict[str, float] | None = None,  # named as the bounds of a config's gates
    max: dict[str, float] | None = None,
    metrics: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Score one summary with any registered scorers and fail unless every named metric is within its bounds.

    Metrics are named as in a config's gates: `scorer.path`, e.g. min={"rouge.rouge1.fmeasure": 0.3},
    max={"facts.contradicted": 0}. `document` is a Document, a document folder, or article text (no references).
    `metrics` gives scorer options as a config's metrics: block does. Returns the score fields.
    """
    __tracebackhide__ = True
    from harness.documents import Document, find_document
    from harness.scoring import SCORERS, value_at

    summary = _summary_text(summary, "assert_scores")
    if not isinstance(document, Document):
        path = _article_path(document, "assert_scores")
        document = find_document(path) if path is not None else Document("summary-under-test", document)
    bounds = _bounds(min, "min") + _bounds(max, "max")
    wanted = {key.partition(".")[0] for key, _, _ in bounds} | set(_metrics(metrics))
    unknown = sorted(wanted - set(SCORERS))
    if unknown:
        raise pytest.UsageError(f"assert_scores: no scorer {', '.join(unknown)} (known: {', '.join(sorted(SCORERS))})")
    # the scorers as configured: their metrics follow their options (rouge's types), so names are checked against them
    scorers = {name: SCORERS[name](_options(SCORERS[name].Options, name, _metrics(metrics).get(name))) for name in sorted(wanted)}
    _check_metric_names([key for key, _, _ in bounds], scorers)
    fields: dict[str, Any] = {}
    for scorer in scorers.values():
        scorer.prepare()
        fields.update(scorer.row(summary, document))
        scorer.close()
    problems = []
    for key, bound, limit in bounds:
        scorer_name, _, path = key.partition(".")
        count = next((c for c in scorers[scorer_name].counts() if c.name == path), None)  # a count sits at its source
        value = value_at(fields.get(scorer_name), tuple((count.source or count.name).split(".") if count else path.split(".")))
        if not isinstance(value, (int, float)):
            problems.append(f"{key}: no value (the scorer gave {value!r})")
        elif (bound == "min" and value < limit) or (bound == "max" and value > limit):
            problems.append(f"{key} is {value:.4g}, {'at least' if bound == 'min' else 'at most'} {limit:g} wanted")
    if problems:
        raise AssertionError("summary misses its score bounds:\n  " + "\n  ".join(problems) + f"\nsummary: {summary}")
    return fields


def _bounds(given: Any, bound: str) -> list[tuple[str, str, float]]:
    """(metric, "min" or "max", limit) for each bound of min= or max=, refused unless a mapping of names to numbers."""
    if given is None:
        return []
    if not isinstance(given, dict):
        raise pytest.UsageError(f"assert_scores: {bound} must be a mapping of metric names to bounds, such as "
                                f"{bound}={{'facts.contradicted': 0}} (got {given!r})")  # fmt: skip
    for key, limit in given.items():
        if not isinstance(key, str):
            raise pytest.UsageError(f"assert_scores: {bound} names metrics as text, such as 'facts.contradicted' (got {key!r})")
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit):
            raise pytest.UsageError(f"assert_scores: {bound}[{key!r}] is {limit!r}; a bound must be a finite number (nan would pass anything)")
    return [(key, bound, limit) for key, limit in given.items()]


def _metrics(metrics: Any) -> dict[str, Any]:
    """The metrics= argument: a mapping of scorer names to their options, as a config's metrics: block."""
    if metrics is None:
        return {}
    if not isinstance(metrics, dict) or not all(isinstance(name, str) for name in metrics):
        raise pytest.UsageError("assert_scores: metrics must be a mapping of scorer names to their options, such as "
                                f"metrics={{'rouge': {{'types': ['rouge1']}}}} (got {metrics!r})")  # fmt: skip
    return metrics


def _options(model: Any, name: str, given: Any) -> Any:
    """A scorer's options validated as a config's metrics: block is, a problem worded as `harness validate` words it."""
    from pydantic import ValidationError

    from harness.config import validation_error

    try:
        return model.model_validate(given if given is not None else {})
    except ValidationError as error:
        message = str(validation_error(error, None, prefix=("metrics", name), model=model)).removeprefix("config: ")
        raise pytest.UsageError(f"assert_scores: {message}") from None


def _check_metric_names(keys: Sequence[str], scorers: dict[str, Any]) -> None:
    """Refuse a bound on a metric or count its scorer does not declare (a typo would otherwise bound nothing)."""
    known = sorted({f"{n}.{m.key}" for n, s in scorers.items() for m in s.metrics()}
                   | {f"{n}.{c.name}" for n, s in scorers.items() for c in s.counts()})  # fmt: skip
    for key in keys:
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            scorer = key.partition(".")[0]
            own = ", ".join(k for k in known if k.startswith(f"{scorer}."))
            raise pytest.UsageError(f"assert_scores: unknown metric {key!r}; " + (f"did you mean {hint[0]!r}?" if hint else f"{scorer} has {own}"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """--harness-output DIR: where harness_run writes its runs (default: pytest's temporary folder)."""
    parser.addoption("--harness-output", default=None, help="folder for summarization-harness runs made by tests")


def pytest_configure(config: pytest.Config) -> None:
    """Register the harness_config marker, and refuse an unusable --harness-output before any test runs."""
    config.addinivalue_line("markers", "harness_config(path): the evaluation config that the harness_result fixture runs")
    _check_output(config.getoption("--harness-output"))


def _check_output(option: str | None) -> None:
    """A --harness-output no run could write into is a usage error naming that option: found only inside harness_run,
    it failed each test with a traceback blaming the runner's own --output."""
    if option is None:
        return
    from harness.runlock import not_a_folder_above
    from harness.textio import path_not_utf8, printable_path

    if not option.strip():
        raise pytest.UsageError('--harness-output: is empty; give a folder ("." for the current folder)')
    if problem := path_not_utf8(option):
        raise pytest.UsageError(f"--harness-output: {printable_path(option)} {problem}")
    if blocked := not_a_folder_above(Path(option)):
        raise pytest.UsageError(f"--harness-output: {blocked[0]} is {blocked[1]}, not a folder (give a folder, or one that does not exist yet)")


@pytest.fixture(scope="session")
def harness_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """Run an evaluation config (once per session and config) and return its RunResult."""
    from harness.config import load_config
    from harness.runner import run

    option = request.config.getoption("--harness-output")
    output = Path(option) if option else tmp_path_factory.mktemp("harness-runs")
    done: dict[Path, Any] = {}

    def run_config(path: str | Path) -> Any:
        if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
            raise pytest.UsageError(f"harness_run: expected the path of a config file, got {path!r}")
        path = Path(path).resolve()
        if path not in done:
            done[path] = run(_own_folder(load_config(path), path, output))
        return done[path]

    return run_config


def _own_folder(config: Any, path: Path, output: Path) -> Any:
    """The config writing to OUTPUT/<its file's name and a hash of its path>/NAME: two configs of one name (in two
    folders, or across sessions with --harness-output) would otherwise overwrite each other's run folder. The
    generation cache stays shared at OUTPUT/.cache, as a config's default cache is."""
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:8]
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", path.stem)[:40]
    changes = {"cache": output / ".cache"} if config.cache is True else {}
    return config.with_output(output / f"{stem}-{digest}").updated(**changes)


@pytest.fixture()
def harness_result(request: pytest.FixtureRequest, harness_run: Callable[..., Any]) -> Any:
    """The RunResult of the config named by the test's @pytest.mark.harness_config(path)."""
    marker = request.node.get_closest_marker("harness_config")
    path = (marker.args[0] if marker.args else marker.kwargs.get("path")) if marker is not None else None
    if path is None:
        raise pytest.UsageError("harness_result needs @pytest.mark.harness_config('path/to/config.yaml')")
    if not isinstance(path, (str, os.PathLike)):
        raise pytest.UsageError(f"@pytest.mark.harness_config: expected the path of a config file, got {path!r} ({type(path).__name__})")
    return harness_run(path)
