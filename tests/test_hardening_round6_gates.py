"""QA round 6, gates and check: the baseline a run names is the same file from any folder; a baseline comparison that
compared nothing is no PASS; gates that could never pass are refused up front, in the config and on the command line;
an unusable --harness-output is a usage error before any test runs; a results file of the wrong kind says what it is."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SEED_DIR
from helpers import refused, snapshot

from harness import cli

pytest_plugins = ["pytester"]


def write_config(folder: Path, name: str, extra: str = "") -> Path:
    """A config of lead-3 on the seed article in folder/cfg, writing to folder/out (no report, no bootstrap)."""
    (folder / "cfg").mkdir(parents=True, exist_ok=True)
    config = folder / "cfg" / "config.yaml"
    config.write_text(f"name: {name}\ndataset: {{path: {SEED_DIR}}}\noutput: ../out\nreport: false\nstatistics: {{bootstrap: 0}}\n"
                      f"models: [{{name: lead-3, backend: lead, sentences: 3}}]\n{extra}", encoding="utf-8")  # fmt: skip
    return config


def main(*argv: str | Path) -> int:
    return cli.main([str(arg) for arg in argv])


# --- QA6 item 2: run.json's gates.baseline read from the folder the run was made in, not the checker's


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """proj/cfg/config.yaml (gates: baseline ../base.json) run from proj, its baseline recorded; elsewhere/ holds a
    decoy base.json whose rougeL is far higher, at the same relative path."""
    proj = tmp_path / "proj"
    write_config(proj, "p", "gates: {baseline: ../base.json, max_rouge_drop: 0.001}\n")
    monkeypatch.chdir(proj)
    main("run", "cfg/config.yaml")  # exit 2: no baseline yet; the run is written, and a first baseline recorded from it
    assert main("baseline", "out/p", "--out", "base.json") == 0
    decoy = json.loads((proj / "base.json").read_text())
    for model in decoy["models"].values():
        model["metrics"]["rouge.rougeL.fmeasure"] = 0.99
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "base.json").write_text(json.dumps(decoy))
    capsys.readouterr()
    return proj


def test_check_reads_the_runs_baseline_from_any_folder(project, monkeypatch, capsys):
    assert json.loads((project / "out/p/run.json").read_text())["config"]["gates"]["baseline"] == str(project / "base.json")
    monkeypatch.chdir(project.parent / "elsewhere")
    assert main("check", project / "out/p") == 0, capsys.readouterr()
    assert "PASS" in capsys.readouterr().out


def test_an_older_runs_relative_baseline_is_found_from_where_its_run_folder_lies(project, monkeypatch, capsys):
    record = json.loads((project / "out/p/run.json").read_text())
    record["config"]["gates"]["baseline"], record["config"]["output"] = "base.json", "out"  # as an older harness wrote them
    (project / "out/p/run.json").write_text(json.dumps(record))
    monkeypatch.chdir(project.parent / "elsewhere")
    assert main("check", project / "out/p") == 0, capsys.readouterr()
    capsys.readouterr()
    # moved elsewhere, the run folder no longer tells the folder it was made in: the current folder is used, and said
    shutil.copytree(project / "out/p", project.parent / "moved/p")
    assert main("check", project.parent / "moved/p") == 1
    out = capsys.readouterr().out
    assert f"it was taken from the current folder {project.parent / 'elsewhere'}; give --baseline" in out and "ROUGE drop" in out
    os.remove(project.parent / "elsewhere/base.json")
    line = refused(capsys, "check", project.parent / "moved/p")
    assert line.startswith(f"{project.parent / 'elsewhere/base.json'}: baseline not found") and "relative to the folder `harness run` ran in" in line


# --- QA6 item 3: a baseline scorer the run lacks is named; a comparison that compared nothing is no PASS


@pytest.fixture()
def with_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A baseline of lead-3 (ROUGE rouge1 and the fact check) at tmp_path/base.json."""
    monkeypatch.chdir(tmp_path)
    assert main("run", write_config(tmp_path / "a", "a", "metrics: {rouge: {types: [rouge1]}}\n")) == 0
    assert main("baseline", tmp_path / "a/out/a", "--out", tmp_path / "base.json") == 0
    capsys.readouterr()
    return tmp_path / "base.json"


def test_a_baseline_scorer_the_run_lacks_is_named_and_nothing_compared_is_no_pass(with_facts, tmp_path, capsys):
    assert main("run", write_config(tmp_path / "b", "b", "metrics: {rouge: {types: [rouge1]}, facts: null}\n")) == 0
    capsys.readouterr()
    line = refused(capsys, "check", tmp_path / "b/out/b", "--baseline", with_facts, no_pass=True)
    assert line == (f"{tmp_path / 'b/out/b'}: nothing compared with the baseline of run 'a': this run shares no per-document check with it "
                    "(it lacks the baseline's scorer facts) and no drop gate compared a figure (--max-rouge-drop); run the scorers the "
                    "baseline has, give a drop gate, or record a new baseline from this run")  # fmt: skip
    assert main("check", tmp_path / "b/out/b", "--baseline", with_facts, "--max-rouge-drop", "0.5") == 0  # ROUGE compared
    out = capsys.readouterr().out
    assert "not compared: scorer 'facts' is in the baseline but not in this run" in out and "PASS" in out


def test_a_drop_gate_sharing_no_metric_with_the_baseline_is_refused(with_facts, tmp_path, capsys):
    assert main("run", write_config(tmp_path / "b", "b", "metrics: {rouge: {types: [rougeL]}}\n")) == 0
    capsys.readouterr()
    line = refused(capsys, "check", tmp_path / "b/out/b", "--baseline", with_facts, "--max-rouge-drop", "0.001", no_pass=True)
    assert line == (f"--max-rouge-drop: run {tmp_path / 'b/out/b'} and the baseline share no metric it applies to (baseline: "
                    "rouge.rouge1.fmeasure; this run: rouge.rougeL.fmeasure), so nothing would be compared; record a new baseline "
                    "with this run's options, or leave the gate out")  # fmt: skip


# --- QA6 item 9: gates that could never pass are refused, in the config and on the command line alike


@pytest.mark.parametrize(
    ("gates", "expected"),
    [
        ("{min_entity_precision: 1.5}", "gates.min_entity_precision: a share from 0 to 1, got 1.5"),
        ("{min: {rouge.rougeL.fmeasure: 30}}",
         "gates.min.rouge.rougeL.fmeasure: a share from 0 to 1, got 30.0 (tables show shares x100): did you mean 0.30?"),
        ("{max: {facts.contradicted: -1}}", "gates.max.facts.contradicted: expected a whole number >= 0 (a count), got -1.0"),
        ("{max: {facts.contradicted: 0.5}}", "gates.max.facts.contradicted: expected a whole number >= 0 (a count), got 0.5"),
        ("{min: {facts.key_fact_recall: '0.5'}}", "gates.min.facts.key_fact_recall: "),
        ("{max_rouge_drop: 5}", "gates.max_rouge_drop: a share from 0 to 1, got 5"),
    ],
)  # fmt: skip
def test_gates_that_could_never_pass_are_refused_in_the_config(gates, expected, tmp_path, capsys):
    config = write_config(tmp_path, "g", f"gates: {gates}\n")
    line = refused(capsys, "validate", config)
    assert line.startswith(f"{config}:7: {expected}"), line


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from harness.config import load_config
    from harness.runner import run

    return run(load_config(write_config(tmp_path_factory.mktemp("plain"), "plain"))).run_dir


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--min", "rouge.rougeL.fmeasure=30"],
         "--min rouge.rougeL.fmeasure=30: a share from 0 to 1, got 30.0 (tables show shares x100): did you mean 0.30?"),
        (["--min-entity-precision", "50"], "--min-entity-precision: a share from 0 to 1, got 50.0 (tables show shares x100): did you mean 0.50?"),
        (["--max", "facts.contradicted=-1"], "--max facts.contradicted=-1: expected a whole number >= 0 (a count), got -1.0"),
        (["--max", "facts.contradicted=0.5"], "--max facts.contradicted=0.5: expected a whole number >= 0 (a count), got 0.5"),
    ],
)  # fmt: skip
def test_gates_that_could_never_pass_are_refused_on_the_command_line(flags, expected, plain_run, capsys):
    assert refused(capsys, "check", plain_run, *flags, no_pass=True) == expected


def test_sensible_gates_still_check(plain_run, capsys):
    assert main("check", plain_run, "--min", "rouge.rougeL.fmeasure=0.01", "--max", "facts.contradicted=3", "--min-key-fact-recall", "1") in (0, 1)
    assert "checked" in capsys.readouterr().out


# --- QA6 item 12: --harness-output that no run could write into


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("afile", "ERROR: --harness-output: afile is a file, not a folder (give a folder, or one that does not exist yet)"),
        ("afile/sub", "ERROR: --harness-output: afile is a file, not a folder (give a folder, or one that does not exist yet)"),
        ("", 'ERROR: --harness-output: is empty; give a folder ("." for the current folder)'),
    ],
)
def test_an_unusable_harness_output_is_a_usage_error_before_any_test(value, expected, pytester):
    (pytester.path / "afile").write_text("mine")
    pytester.makepyfile("def test_x(harness_run):\n    raise AssertionError('ran')\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--harness-output={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if line.strip()] == [expected]
    assert "ran" not in result.stdout.str() and (pytester.path / "afile").read_text() == "mine"


def test_a_harness_output_that_is_not_utf8_is_a_usage_error(pytester):
    from harness.pytest_plugin import _check_output

    with pytest.raises(pytest.UsageError, match=r"^--harness-output: \\xff holds byte 0xff, which is not UTF-8"):
        _check_output(os.fsdecode(b"\xff"))


# --- QA6 item 15: a results file of the wrong kind says what it is, and a device is never read


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda path: path.mkdir(), "is a folder, not a file; a results folder holds plain files"),
        (lambda path: path.symlink_to("/dev/zero"), "is a device, pipe or socket; a results folder holds plain files"),
        (lambda path: os.mkfifo(path), "is a device, pipe or socket; a results folder holds plain files"),
    ],
)
@pytest.mark.parametrize("name", ["scores.jsonl", "run.json"])  # run.json of the wrong kind was "no run.json"
def test_a_results_file_of_the_wrong_kind_says_what_it_is(name, make, expected, plain_run, tmp_path, capsys):
    run_dir = shutil.copytree(plain_run, tmp_path / "tam")
    (run_dir / name).unlink()
    make(run_dir / name)
    before = snapshot(run_dir)
    assert refused(capsys, "check", run_dir, "--max-contradicted", "0", no_pass=True) == f"{run_dir / name}: {expected}: restore it, or run the config again"
    assert snapshot(run_dir) == before
