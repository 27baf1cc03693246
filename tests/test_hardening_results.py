"""Damaged results folders, baselines with null metrics, gates that would check nothing, and the pytest plugin's
misuses: each is one line naming the file, field or option (exit 2 in the CLI), never a traceback or a silent pass.

The fuzzer sets each field of run.json, summary.json and the first rows of scores.jsonl and documents.jsonl (lists
walked through their first item) to null, a string, a list and a number, and runs `report` and `check` in-process.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_DIR

from harness import cli
from harness.pytest_plugin import assert_facts_preserved, assert_no_contradictions, assert_scores
from harness.report import charts

REPLACEMENTS: list[Any] = [None, "x", [], 7]
SUMMARY = "Roughly half a million people have died in the Syria war since 2011."


def main(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])  # anything raised here (a traceback) fails the test
    return code, capsys.readouterr().err


def one_line(code: int, err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, (code, err)
    return lines[0]


# Fields damaged whole but not walked inside: passed through as they are (config parts no reader opens, provenance),
# or repeating a shape already walked (other ROUGE types, other scorers' declarations, per-reference ROUGE).
WHOLE = {("config", "models"), ("config", "executor"), ("config", "dataset", "fields"), ("versions",), ("host",), ("timings",), ("git",),
         ("scorers", "rouge"), ("scorers", "extractive"), ("rouge_per_reference",), *((*p, t) for p in [("rouge",), ("models", "lead-3", "rouge")]
         for t in ("rouge2", "rougeL", "rougeLsum")), ("fact_table", "entities", "frames"), ("fact_table", "numbers"), ("facts", "facts"), ("facts", "entities")}  # fmt: skip


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field's path (a list through its first item), not inside the WHOLE ones."""
    if path:
        yield path
    if path in WHOLE:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, path + (key,))
    elif isinstance(value, list) and value:
        yield from _paths(value[0], path + (0,))


def _set(data: Any, path: tuple[Any, ...], new: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = new


def _damaged(base: Path, folder: Path, name: str, path: tuple[Any, ...], new: Any) -> None:
    shutil.copytree(base, folder)
    text = (base / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        lines = text.splitlines()
        row = json.loads(lines[0])
        _set(row, path, new)
        (folder / name).write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n", encoding="utf-8")
    else:
        data = json.loads(text)
        _set(data, path, new)
        (folder / name).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("name", ["run.json", "summary.json", "scores.jsonl", "documents.jsonl"])
def test_fuzzed_results_file_is_read_or_refused_in_one_line(
    name: str, good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Charts are still built from the damaged figures; only encoding them as PNG and SVG (most of a report's time) is skipped.
    monkeypatch.setattr(charts, "to_png", lambda figure: b"")
    monkeypatch.setattr(charts, "to_svg", lambda figure: "")
    text = (good_run / name).read_text(encoding="utf-8")
    data = json.loads(text.splitlines()[0]) if name.endswith(".jsonl") else json.loads(text)
    cases = [(path, new) for path in _paths(data) for new in REPLACEMENTS if not (isinstance(new, list) and path[-1] == 0)]
    assert 20 < len(cases) < 400
    refused = 0
    for number, (path, new) in enumerate(cases):
        folder = tmp_path / f"r{number}"
        _damaged(good_run, folder, name, path, new)
        field = ".".join(str(step) for step in path)
        for argv in (["check", folder, "--max", "facts.contradicted=0"], ["report", folder, "--out", tmp_path / "report"]):
            code, err = main(capsys, *argv)
            if code in (0, 1) and not (argv[0] == "check" and new in (None, "x")):
                break  # read as it is (a field that may be null, or one no reader opens): the report takes null and text to the end
            if code in (0, 1):
                continue
            line = one_line(code, err)
            assert str(folder / name) in line or f"in run {folder};" in line, (field, new, line)  # the file, or the run for a gate
            refused += 1
            break  # the report reads the folder the same way: refused the same
        shutil.rmtree(folder)
    assert refused > len(cases) // 4


@pytest.mark.parametrize(
    ("name", "path", "new", "expected"),
    [
        ("run.json", ("scorers",), "x", "run.json: field 'scorers' must be an object (found a string)"),
        ("run.json", ("scorers", "facts", "metrics"), None, "run.json: field 'scorers.facts.metrics' must be a list (found null)"),
        ("summary.json", ("models", "lead-3", "seconds_per_summary"), "x",
         "summary.json: field 'models.lead-3.seconds_per_summary' must be a number or null (found a string)"),
        ("summary.json", ("models", "lead-3", "facts"), "x", "summary.json: field 'models.lead-3.facts' must be an object or null (found a string)"),
        ("scores.jsonl", ("facts", "contradicted"), "x", "scores.jsonl:1: field 'facts.contradicted' must be a number, true or false or null (found a string)"),
        ("scores.jsonl", ("facts", "claims", 0, "span"), None, "scores.jsonl:1: field 'facts.claims[0].span' must be a list (found null)"),
        ("scores.jsonl", ("facts", "key_facts"), "x", "scores.jsonl:1: field 'facts.key_facts' must be a list (found a string)"),
        ("documents.jsonl", ("fact_table", "facts"), None, "documents.jsonl:1: field 'fact_table.facts' must be a list (found null)"),
        ("documents.jsonl", ("fact_table", "facts", 0, "evidence"), "x",
         "documents.jsonl:1: field 'fact_table.facts[0].evidence' must be an object or null (found a string)"),
    ],
)  # fmt: skip
def test_damaged_field_names_file_line_and_field(
    name: str, path: tuple[Any, ...], new: Any, expected: str, good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _damaged(good_run, tmp_path / "run", name, path, new)
    for command in ("report", "check"):
        argv = [command, tmp_path / "run"] + (["--out", tmp_path / "rep"] if command == "report" else ["--max", "facts.contradicted=0"])
        line = one_line(*main(capsys, *argv))
        assert line == f"error: {tmp_path / 'run' / expected}"


def _baseline(good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "base.json"
    assert main(capsys, "baseline", good_run, "--out", out)[0] == 0
    return out


def test_null_baseline_metric_is_not_compared_and_said(good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _baseline(good_run, tmp_path, capsys)
    baseline = json.loads(path.read_text(encoding="utf-8"))
    baseline["models"]["lead-3"]["metrics"]["rouge.rougeL.fmeasure"] = None  # the loader allows null: no value recorded
    path.write_text(json.dumps(baseline), encoding="utf-8")
    code = cli.main(["check", str(good_run), "--baseline", str(path), "--max-rouge-drop", "0.01"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "not compared: rouge.rougeL.fmeasure of model lead-3 has no value in the baseline (null)" in out
    assert "PASS" in out.splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--max", "facts.contradictedd=0"], "--max facts.contradictedd: no such metric or count in run {run}; did you mean 'facts.contradicted'?"),
        (["--min", "foo=1"], "--min foo: run {run} has no scorer 'foo' (its scorers: rouge, facts, extractive); nothing would be checked"),
        (["--min-bertscore-f1", "0.5"],
         "--min-bertscore-f1: a gate of scorer 'bertscore', which run {run} did not run (its scorers: rouge, facts, extractive); nothing would be checked"),
    ],
)  # fmt: skip
def test_gate_that_checks_nothing_is_refused(argv: list[str], expected: str, good_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line(*main(capsys, "check", good_run, *argv))
    assert line == "error: " + expected.format(run=good_run)


def test_known_gate_still_passes(good_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(capsys, "check", good_run, "--max", "facts.contradicted=5", "--min", "rouge.rougeL.fmeasure=0")[0] == 0


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: assert_scores(SUMMARY, SEED_DIR, max={"facts.contradictedd": 0}), "unknown metric 'facts.contradictedd'; did you mean 'facts.contradicted'?"),
        (lambda: assert_scores(SUMMARY, SEED_DIR, max={"facts.contradicted": float("nan")}), "max['facts.contradicted'] is nan; a bound must be a finite number"),
        (lambda: assert_no_contradictions(SUMMARY, ""), "assert_no_contradictions: the article is empty"),
        (lambda: assert_no_contradictions(SUMMARY, "/tmp/nope/article.txt"), "assert_no_contradictions: no file or folder /tmp/nope/article.txt"),
        (lambda: assert_facts_preserved(SUMMARY, "docs/nope"), "assert_facts_preserved: no file or folder docs/nope"),
        (lambda: assert_no_contradictions(None, SEED_DIR), "assert_no_contradictions: the summary must be text (a str), got None"),
        (lambda: assert_scores(None, SEED_DIR, max={"facts.contradicted": 0}), "assert_scores: the summary must be text (a str), got None"),
    ],
)  # fmt: skip
def test_plugin_misuse_is_a_usage_error(call: Any, expected: str) -> None:
    with pytest.raises(pytest.UsageError) as raised:
        call()
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_plugin_still_takes_every_documented_article_form() -> None:
    article = (SEED_DIR / "article.txt").read_text(encoding="utf-8")
    for form in (article, SEED_DIR, str(SEED_DIR), str(SEED_DIR / "article.txt")):
        assert_no_contradictions(SUMMARY, form)
    assert_no_contradictions("Prices rose 5%/year.", "Prices rose 5%/year.")  # a slash in text with spaces is text
    fields = assert_scores(SUMMARY, str(SEED_DIR), max={"facts.flagged_summaries": 0, "facts.contradicted": 0})
    assert fields["facts"]["flagged"] is False
