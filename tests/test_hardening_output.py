"""Bad input that would lose data or run code at output time: a run folder over someone's folder, a baseline over
a run's files, a prompt that is code, names, numbers and paths that only `run` found wrong. Each is exit 2 and one
line naming file, line and field, and whatever was there before survives byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import refused, snapshot

from harness import cli
from harness.summarizers.prompting import PromptOptions

DOCS = [{"id": f"doc-{i}", "article": f"Article {i} opens here. It has two sentences.", "references": ["A reference."]} for i in range(2)]
MODELS = "models:\n  - {name: a, backend: lead}\n"


def write_config(folder: Path, name: str = "demo", output: str = "out", extra: str = "", models: str = MODELS) -> Path:
    """A small config beside a two-document JSONL dataset; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in DOCS), encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text(
        f"name: {name}\ndataset: {{path: docs.jsonl}}\noutput: {output}\nreport: false\n"
        f"metrics: {{rouge: {{bootstrap: 0}}, facts: {{bootstrap: 0}}}}\n{extra}{models}",
        encoding="utf-8",
    )
    return config


def make_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A real run folder written by `harness run`."""
    assert cli.main(["run", str(write_config(tmp_path / "project"))]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return tmp_path / "project" / "out" / "demo"


# 1. a run replaces OUTPUT/NAME only when it is a run folder


def test_a_run_never_replaces_a_folder_that_is_not_a_run_folder(tmp_path, capsys):
    data = tmp_path / "z" / "data"  # the QA case: a dataset folder, named as the run, with output: .
    data.mkdir(parents=True)
    (data / "NOTES.txt").write_text("precious", encoding="utf-8")
    (data / "docs.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in DOCS), encoding="utf-8")
    config = tmp_path / "z" / "c.yaml"
    config.write_text(f"name: data\ndataset: {{path: data/docs.jsonl}}\noutput: .\nreport: false\n{MODELS}", encoding="utf-8")
    before = snapshot(tmp_path / "z")
    line = refused(capsys, "run", config)
    assert line == (
        f"output: {data} already exists and is not a run folder (no run.json in it): a run replaces OUTPUT/NAME whole and would "
        "delete what is there; give the config another name or output (or run with --output), or move the folder away yourself"
    )
    assert snapshot(tmp_path / "z") == before  # the data and NOTES.txt survive; no lock file is left either


def test_a_folder_of_baselines_at_the_run_path_survives(tmp_path, capsys):
    baselines = tmp_path / "results" / "baselines"
    baselines.mkdir(parents=True)
    (baselines / "demo.json").write_text('{"format": "summarization-harness-baseline/2"}', encoding="utf-8")
    config = write_config(tmp_path, name="baselines", output="results")
    assert "results/baselines already exists and is not a run folder" in refused(capsys, "run", config)
    assert (baselines / "demo.json").read_text(encoding="utf-8") == '{"format": "summarization-harness-baseline/2"}'


def test_only_a_previous_run_an_empty_folder_or_a_killed_swap_is_replaced(tmp_path, capsys):
    run_dir = make_run(tmp_path, capsys)
    config = tmp_path / "project" / "config.yaml"
    (run_dir / "run.json").rename(run_dir / "renamed.json")  # no longer recognisably a run: kept
    assert "already exists and is not a run folder" in refused(capsys, "run", config)
    assert (run_dir / "renamed.json").is_file()
    (run_dir / "renamed.json").rename(run_dir / "run.json")
    assert cli.main(["run", str(config)]) == 0  # a previous run is replaced
    assert (run_dir / "run.json").is_file()
    empty = tmp_path / "project" / "out" / "empty"
    empty.mkdir()
    assert cli.main(["run", str(write_config(tmp_path / "project", name="empty"))]) == 0
    assert (empty / "run.json").is_file()
    # killed between the two renames: OUTPUT/NAME is missing and the previous run waits as .NAME.old-PID
    run_dir.rename(run_dir.with_name(".demo.old-12345"))
    assert cli.main(["run", str(write_config(tmp_path / "project"))]) == 0, capsys.readouterr().err
    assert (run_dir / "run.json").is_file() and not run_dir.with_name(".demo.old-12345").exists()


def test_a_symlink_at_the_run_path_is_called_a_symlink(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    config = write_config(tmp_path / "project")
    (tmp_path / "project" / "out").mkdir()
    (tmp_path / "project" / "out" / "demo").symlink_to(target)
    line = refused(capsys, "run", config)
    assert line == f"output: {tmp_path / 'project' / 'out' / 'demo'} is a symlink, not a run folder (remove the link or choose another output)"
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"


# 2. a baseline is written over no run's file and no other kind of file


def test_a_baseline_is_not_written_inside_a_run_folder(tmp_path, capsys):
    run_dir = make_run(tmp_path, capsys)
    before = snapshot(run_dir)
    line = refused(capsys, "baseline", run_dir, "--out", run_dir / "scores.jsonl")
    assert line == (
        f"{run_dir / 'scores.jsonl'}: is inside the run folder {run_dir.resolve()} (it holds run.json), which its next run replaces "
        "whole; write the baseline outside run folders, e.g. results/baselines/NAME.json"
    )
    assert "is inside the run folder" in refused(capsys, "baseline", run_dir, "--out", run_dir / "sub" / "new.json")
    assert snapshot(run_dir) == before


def test_a_baseline_overwrites_a_baseline_but_no_other_file(tmp_path, capsys):
    run_dir = make_run(tmp_path, capsys)
    config = tmp_path / "project" / "config.yaml"
    before = config.read_bytes()
    line = refused(capsys, "baseline", run_dir, "--out", config)
    assert line == (
        f'{config}: already exists and is not a baseline (no "format": "summarization-harness-baseline/..." in it), so it is not '
        "overwritten; give --out a new file name (or an existing baseline's), or move the file away yourself"
    )
    assert config.read_bytes() == before
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else", "models": {}}', encoding="utf-8")
    assert "is not a baseline" in refused(capsys, "baseline", run_dir, "--out", other)
    assert json.loads(other.read_text(encoding="utf-8"))["format"] == "something else"
    baseline = tmp_path / "baselines" / "demo.json"
    assert cli.main(["baseline", str(run_dir), "--out", str(baseline)]) == 0  # a new file
    baseline.write_text('{"format": "summarization-harness-baseline/1", "models": {}}', encoding="utf-8")
    assert cli.main(["baseline", str(run_dir), "--out", str(baseline)]) == 0  # an older baseline is replaced
    assert json.loads(baseline.read_text(encoding="utf-8"))["format"] == "summarization-harness-baseline/2"
    assert [path.name for path in baseline.parent.iterdir()] == ["demo.json"]  # no temporary file left


# 3. a prompt is text: its placeholders are filled in, never evaluated


OPENAI = "models:\n  - {name: o, backend: openai, base_url: 'http://127.0.0.1:9/v1', model: m, prompt: '%s'}\n"


@pytest.mark.parametrize("placeholder", ["{article.__class__.__mro__}", "{article[0]}", "{article!r:>99999999}", "{sentences:{article}}"])
def test_a_prompt_placeholder_that_is_code_is_refused_by_validate(tmp_path, capsys, placeholder):
    config = write_config(tmp_path, models=OPENAI % f"Summarize {placeholder} {{article}}")
    line = refused(capsys, "validate", config)
    assert line == (
        f"{config}:7: models[0].prompt: {placeholder} is not a plain placeholder: a prompt is text, not code, so only {{article}}, "
        "{words} and {sentences} are filled in, as they are, with no attribute, [index], !conversion or :format "
        "(write {{ and }} for a literal brace)"
    )


def test_an_unknown_prompt_placeholder_is_named(tmp_path, capsys):
    config = write_config(tmp_path, models=OPENAI % "{article} in {paragraphs}")
    assert refused(capsys, "validate", config) == (
        f"{config}:7: models[0].prompt: unknown placeholder {{paragraphs}}: a prompt fills in {{article}}, {{words}} and {{sentences}}, "
        "not other names (write {{ and }} for a literal brace)"
    )


def test_filling_a_prompt_evaluates_nothing():
    options = PromptOptions(prompt="{{x}} {article} in {sentences} sentences")
    assert options.user_message("{article.__class__} {0}") == "{x} {article.__class__} {0} in 3 sentences"
    # unvalidated options (model_construct) still never reach str.format's attribute lookup
    with pytest.raises(ValueError, match="not a plain placeholder"):
        PromptOptions.model_construct(prompt="{article.__class__}", sentences=3, words=None).user_message("text")


# 4-7. what only `run` found: a long name, a long number, a negative seed, an output or cache that is not a folder


def test_a_name_longer_than_a_folder_name_may_be_is_refused(tmp_path, capsys):
    config = write_config(tmp_path, name="a" * 300)
    line = refused(capsys, "validate", config)
    assert line.startswith(f"{config}:1: name: is 300 characters long; use at most 100 (it names a folder, and filesystems limit those) (got 'aaa")
    assert len(line) < 300
    assert cli.main(["validate", str(write_config(tmp_path, name="a" * 100))]) == 0


def test_an_integer_too_long_for_python_is_one_line(tmp_path, capsys):
    config = write_config(tmp_path, extra="x-notes:\n  ids: [1, 2" + "3" * 5000 + "]\n")
    assert refused(capsys, "validate", config) == (
        f"{config}:7: x-notes.ids[1]: a number has more than 4,300 digits; no config value needs that many (put it in quotes if it is text)"
    )


def test_a_negative_seed_is_refused_by_validate(tmp_path, capsys):
    config = write_config(tmp_path, extra="seed: -5\n")
    assert refused(capsys, "validate", config) == f"{config}:6: seed: expected at least 0, got -5"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("output: taken\n", "output: {tmp}/taken is a file, not a folder"),
        ("output: taken/below\n", "output: {tmp}/taken is a file, not a folder"),
        ("output: /dev/null\n", "output: /dev/null is a device, pipe or socket, not a folder"),
        ("cache: taken\n", "cache: {tmp}/taken is a file, not a folder"),
        ("cache: /dev/null\n", "cache: /dev/null is a device, pipe or socket, not a folder"),
    ],
)
def test_an_output_or_cache_that_cannot_be_a_folder_is_found_by_validate(tmp_path, capsys, extra, expected):
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    config = write_config(tmp_path, output="out", extra=extra)
    config.write_text(config.read_text(encoding="utf-8").replace("output: out\n", ""), encoding="utf-8")  # extra gives it
    line = refused(capsys, "validate", config)
    assert line == f"{config}:5: {expected.format(tmp=tmp_path)} (choose another folder, or one that does not exist yet)"
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file"


# 8. Ctrl-C says what is true of the command it stopped


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("argv", "target", "expected"),
    [
        (["run", "{config}"], "harness.runner.run", "finished generations are cached (unless the config sets cache: false)"),
        (["run", "{config}", "--no-cache"], "harness.runner.run", "the cache was off (--no-cache), so a new run starts from the beginning"),
        (["validate", "{config}"], "harness.runner.check_config", "interrupted; nothing was written"),
        (["report", "{folder}"], "harness.report.write_report", "each file written is either its previous version or complete"),
    ],
)
def test_an_interrupted_command_says_what_it_left(tmp_path, capsys, monkeypatch, argv, target, expected):
    config = write_config(tmp_path)
    monkeypatch.setattr(target, _interrupt)
    code = cli.main([arg.format(config=config, folder=tmp_path) for arg in argv])
    err = capsys.readouterr().err
    assert code == 130 and expected in err, err
    if "--no-cache" in argv or argv[0] != "run":
        assert "cached" not in err
