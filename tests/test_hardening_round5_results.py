"""QA round 5, results and output: a lock file that is a link, Ctrl-C pressed twice, a run folder with nothing to
check, a report written over someone's file or into another run's folder, a report of models that share no document,
emoji shortcodes in user text, the lower-case names note, and damaged rows (duplicates, strangers, impossible
numbers). Each bad input is one line naming the file, line and field, exit 2, and loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED_DIR
from helpers import refused as _refused
from helpers import snapshot

from harness import cli, runlock
from harness.errors import HarnessError
from harness.report.compare import compare_all
from harness.report.data import ModelResult
from harness.scoring import Metric


def refused(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """The CLI's one error line for argv, with no PASS printed (helpers.refused)."""
    return _refused(capsys, *argv, no_pass=True)


def write_config(folder: Path, name: str = "demo", models: str = "[{name: a, backend: lead}]") -> Path:
    """A config of the seed article, written into folder (output: out, no report, no bootstrap)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(f"name: {name}\ndataset: {{path: {SEED_DIR}}}\noutput: out\nreport: false\nmodels: {models}\n"
                      "metrics: {rouge: {bootstrap: 0}, facts: {bootstrap: 0}}\n", encoding="utf-8")  # fmt: skip
    return config


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run folder of two models (lead-3, lead-1) on the seed article, copied by the tests that damage it."""
    from harness.config import load_config
    from harness.runner import run

    config = write_config(tmp_path_factory.mktemp("two"), "two", "[{name: lead-3, backend: lead, sentences: 3}, {name: lead-1, backend: lead, sentences: 1}]")
    return run(load_config(config)).run_dir


def damaged(run_dir: Path, folder: Path, edit: Any) -> Path:
    """A copy of run_dir at folder with edit(folder) applied."""
    shutil.copytree(run_dir, folder)
    edit(folder)
    return folder


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_rows(path: Path, items: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in items), encoding="utf-8")


def edit_rows(name: str, change: Any) -> Any:
    """An edit that rewrites the rows of results file `name` with change(rows) (which edits them in place)."""

    def edit(folder: Path) -> None:
        items = rows(folder / name)
        change(items)
        write_rows(folder / name, items)

    return edit


def edit_object(name: str, change: Any) -> Any:
    """An edit that rewrites the JSON object of results file `name` with change(object) (in place)."""

    def edit(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        change(data)
        (folder / name).write_text(json.dumps(data), encoding="utf-8")

    return edit


# F1. the lock file: never followed through a link, never a file with another name


def test_a_symlink_at_the_lock_path_is_refused_and_its_target_kept(tmp_path, capsys):
    config = write_config(tmp_path / "project", "c")
    precious = tmp_path / "precious.txt"
    precious.write_text("my precious thesis\n", encoding="utf-8")
    out = tmp_path / "project" / "out"
    out.mkdir()
    (out / ".c.lock").symlink_to(precious)
    line = refused(capsys, "run", config)
    assert line == (f"{out / '.c.lock'}: is a symlink, not the run's lock file; a run writes its lock there and would overwrite the file "
                    "it points to: remove the link (or choose another output)")  # fmt: skip
    assert precious.read_text(encoding="utf-8") == "my precious thesis\n"
    assert (out / ".c.lock").is_symlink() and not (out / "c").exists()


def test_a_dangling_symlink_at_the_lock_path_creates_nothing(tmp_path):
    run_dir = tmp_path / "out" / "c"
    run_dir.parent.mkdir()
    (run_dir.parent / ".c.lock").symlink_to(tmp_path / "created-through-the-link")
    with pytest.raises(HarnessError, match="is a symlink, not the run's lock file"):
        runlock.lock_run_dir(run_dir)
    assert not (tmp_path / "created-through-the-link").exists()


def test_a_hard_link_or_a_folder_at_the_lock_path_is_refused(tmp_path):
    run_dir = tmp_path / "out" / "c"
    run_dir.parent.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("kept", encoding="utf-8")
    os.link(precious, runlock.lock_path(run_dir))
    with pytest.raises(HarnessError, match=r"is a file with another name too \(a hard link\), not the run's lock file"):
        runlock.lock_run_dir(run_dir)
    assert precious.read_text(encoding="utf-8") == "kept"
    runlock.lock_path(run_dir).unlink()
    runlock.lock_path(run_dir).mkdir()
    with pytest.raises(HarnessError, match="is a folder, not the run's lock file"):
        runlock.lock_run_dir(run_dir)


def test_a_plain_lock_file_left_behind_is_still_taken_over(tmp_path):
    run_dir = tmp_path / "out" / "c"
    run_dir.parent.mkdir()
    runlock.lock_path(run_dir).write_text("left by a killed run", encoding="utf-8")
    with runlock.lock_run_dir(run_dir):
        assert json.loads(runlock.lock_path(run_dir).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not runlock.lock_path(run_dir).exists()


# F8. Ctrl-C twice


def test_a_lock_release_interrupted_after_the_close_never_closes_again(tmp_path, monkeypatch):
    lock = runlock.lock_run_dir(tmp_path / "out" / "c")
    real_close = os.close

    def close_then_interrupted(handle: int) -> None:
        real_close(handle)
        raise KeyboardInterrupt  # the second Ctrl-C, just after the close

    monkeypatch.setattr(runlock.os, "close", close_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        lock.release()
    closed: list[int] = []
    monkeypatch.setattr(runlock.os, "close", closed.append)
    lock.release()
    lock.__del__()
    assert closed == []  # the number may be another file's by now (the cache's database)


@pytest.fixture()
def ctrl_c_handled():
    """SIGINT as a user's Python has it: pytest-xdist's workers ignore it, and the command then leaves it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_second_ctrl_c_does_not_cut_the_clean_up_short(tmp_path, capsys, monkeypatch, ctrl_c_handled):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    cleaned: list[bool] = []

    def interrupted(*args: object, **kwargs: object) -> None:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the first Ctrl-C ends this
        finally:
            os.kill(os.getpid(), signal.SIGINT)  # pressed again while the first unwinds
            time.sleep(0.05)
            cleaned.append(True)

    monkeypatch.setattr("harness.runner.check_config", interrupted)
    code = cli.main(["validate", str(write_config(tmp_path))])
    err = capsys.readouterr().err
    assert code == 130 and cleaned == [True] and "Traceback" not in err, err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back for a caller in this process


SCRIPT = """
import atexit, os, signal, sys, time
from harness import cli

def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)

def at_exit():  # an exit handler (the process pool's) running when Ctrl-C is pressed again
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)
    print("exit handlers done", flush=True)

atexit.register(at_exit)
import harness.runner
harness.runner.check_config = interrupted
sys.argv = ["harness", "validate", sys.argv[1]]
sys.exit(cli.main())
"""


def test_the_harness_command_ignores_ctrl_c_again_through_its_exit(tmp_path):
    script = tmp_path / "twice.py"
    script.write_text(SCRIPT, encoding="utf-8")
    # SIGINT as in a user's shell: ignored in pytest-xdist's workers, and an ignored signal stays ignored across exec
    done = subprocess.run([sys.executable, str(script), str(write_config(tmp_path))], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert "exit handlers done" in done.stdout
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert done.stderr.strip().startswith("interrupted; nothing was written")


# F2, F10. a run folder with nothing to check: no baseline of it, no PASS for it


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda folder: (folder / "summary.json").unlink(), "{run}/summary.json: missing from the results directory"),
        (lambda folder: (folder / "summary.json").write_text("{}", encoding="utf-8"), "{run}/summary.json: field 'models' is missing"),
        (edit_object("summary.json", lambda data: data.update(models={})),
         "{run}/summary.json: field 'models' is empty: the run has no model to check or record; run the config again"),
        (lambda folder: (folder / "scores.jsonl").write_text("", encoding="utf-8"),
         "{run}/scores.jsonl: holds no score row, so nothing would be checked or recorded; restore the file, or run the config again"),
    ],
)  # fmt: skip
def test_a_run_with_nothing_to_check_gets_no_baseline_and_no_pass(edit, expected, good_run, tmp_path, capsys):
    run_dir = damaged(good_run, tmp_path / "run", edit)
    baseline = tmp_path / "baseline.json"
    assert cli.main(["baseline", str(good_run), "--out", str(baseline)]) == 0
    capsys.readouterr()
    before = baseline.read_bytes()
    assert refused(capsys, "baseline", run_dir, "--out", baseline) == expected.format(run=run_dir)
    assert baseline.read_bytes() == before  # the good baseline is not replaced by one `check` would refuse
    for gate in (["--max-contradicted", "0"], ["--min", "rouge.rouge1.fmeasure=0.99"], ["--baseline", baseline]):
        assert refused(capsys, "check", run_dir, *gate) == expected.format(run=run_dir)


# F4. a report goes over no one's file and into no other run's folder


def test_a_report_is_not_written_over_a_file_the_harness_did_not_write(good_run, tmp_path, capsys):
    for name in ("report.md", "report.html"):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        (folder / name).write_text("precious notes\n", encoding="utf-8")
        line = refused(capsys, "report", good_run, "--out", folder)
        assert line == (f"{folder / name}: already exists and is not a report of the harness (no \"Summarization report\" title in it), "
                        "so it is not overwritten; give --out another folder, or move the file away yourself")  # fmt: skip
        assert snapshot(folder) == {name: b"precious notes\n"}  # no chart written either


def test_a_report_is_not_written_into_another_runs_folder(good_run, two_models, tmp_path, capsys):
    other = damaged(two_models, tmp_path / "other", lambda folder: None)
    before = snapshot(other)
    line = refused(capsys, "report", good_run, "--out", other)
    assert line == (f"{other}: is the run folder {other.resolve()} (it holds run.json) of a run this report does not cover, where it "
                    "would pass for that run's own report; give --out a folder outside run folders (e.g. reports/NAME), "
                    "or a reported run's folder")  # fmt: skip
    assert "is inside the run folder" in refused(capsys, "report", good_run, "--out", other / "reports")
    assert snapshot(other) == before


def test_a_report_still_goes_over_its_own_report_and_into_its_runs_folders(good_run, two_models, tmp_path, capsys):
    mine, other = damaged(good_run, tmp_path / "mine", lambda f: None), damaged(two_models, tmp_path / "other", lambda f: None)
    out = tmp_path / "reports"
    for argv in ([mine, "--out", out], [mine, "--out", out], [mine], [mine, other, "--out", other], [mine, other, "--out", mine / "sub"]):
        assert cli.main(["report", *map(str, argv)]) == 0, capsys.readouterr().err
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Summarization report: good")
    assert (other / "report.html").is_file() and (mine / "sub" / "report.md").is_file()


# F6. a report of models that share no scored document


def test_a_report_of_models_that_share_no_document_is_written(two_models, tmp_path, capsys):
    def drop_lead_1(folder: Path) -> None:  # a user who filtered scores.jsonl with grep
        write_rows(folder / "scores.jsonl", [row for row in rows(folder / "scores.jsonl") if row["model"] != "lead-1"])

    run_dir = damaged(two_models, tmp_path / "run", drop_lead_1)
    assert cli.main(["report", str(run_dir), "--out", str(tmp_path / "rep")]) == 0, capsys.readouterr().err
    assert "no shared documents: nothing to compare" in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")


def test_comparing_models_with_no_shared_document_says_so():
    metric = Metric(("fmeasure",), "F1")
    a = ModelResult("a", "run", "a", {}, {"d1": {"s": {"fmeasure": 0.5}}}, {})
    b = ModelResult("b", "run", "b", {}, {}, {})
    [comparison] = compare_all([(a, b)], [("s", metric)], samples=10, confidence=0.95, seed=0)
    assert comparison.documents == 0 and comparison.differences == ()
    assert comparison.verdict == "a vs b: 0 shared documents, no significance test"


# F15. user text is printed as it is: ':x:' stays ':x:'


def test_emoji_shortcodes_in_user_text_are_printed_as_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert refused(capsys, "validate", ":x:.yaml") == ":x:.yaml: config file not found"
    article = tmp_path / "article.txt"
    article.write_text("The storm cut power to 30,000 homes on Tuesday :thumbs_up:. Crews worked all night.\n", encoding="utf-8")
    assert cli.main(["facts", str(article)]) == 0
    out = capsys.readouterr().out
    assert ":thumbs_up:" in out and "👍" not in out


# F19. the note on lower-cased summaries names no name as if it were found


def test_the_lower_case_note_gives_its_examples_as_examples(capsys):
    assert cli.main(["facts", str(SEED_DIR), "--summary", "30,000 homes"]) in (0, 1)
    note = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert len(note) == 1, note
    for found in ("('sam burgess')", "('geneva')", "('manager jose mourinho')", "gusttrom"):
        assert found not in note[0]
    assert "(e.g. 'geneva')" in note[0] and note[0].endswith("a name none of these marks goes unchecked")


# F20. damaged rows: duplicates, models and documents the run does not have, impossible numbers


def _first_score(change: Any) -> Any:
    return edit_rows("scores.jsonl", lambda items: change(items[0]))


WHOLE, SHARE = "must be a whole number, 0 or more", "must be a number from 0 to 1"


DAMAGE = [
    (edit_rows("scores.jsonl", lambda items: items.append(dict(items[0]))),
     "scores.jsonl:{n}: field 'doc_id': a second row for model 'lead-3' and document 'syria-talks' (the first is line 1); a run writes one "
     "per model and document: remove the copy, or run the config again"),
    (edit_rows("documents.jsonl", lambda items: items.append(dict(items[0]))),
     "documents.jsonl:2: field 'doc_id': a second row for document 'syria-talks' (the first is line 1); a run writes one per document: "
     "remove the copy, or run the config again"),
    (edit_rows("generations.jsonl", lambda items: items.append(dict(items[0]))),
     "generations.jsonl:{n}: field 'doc_id': a second row for model 'lead-3' and document 'syria-talks' (the first is line 1); a run "
     "writes one per model and document: remove the copy, or run the config again"),
    (edit_rows("scores.jsonl", lambda items: items.append(dict(items[0], model="ghost"))),
     "scores.jsonl:{n}: field 'model': no model 'ghost' in this run ({run}/run.json names lead-3, lead-1); the file was edited or mixed "
     "with another run's: restore it, or run the config again"),
    (edit_rows("scores.jsonl", lambda items: items.append(dict(items[0], doc_id="ghost-doc"))),
     "scores.jsonl:{n}: field 'doc_id': no document 'ghost-doc' in this run (not in {run}/documents.jsonl); the file was edited or mixed "
     "with another run's: restore it, or run the config again"),
    (lambda folder: (folder / "documents.jsonl").write_text("", encoding="utf-8"),
     "generations.jsonl:1: field 'doc_id': no document 'syria-talks' in this run (not in {run}/documents.jsonl); the file was edited or "
     "mixed with another run's: restore it, or run the config again"),
    (edit_object("summary.json", lambda data: data["models"].update(ghost=data["models"]["lead-3"])),
     "summary.json: field 'models.ghost': no model 'ghost' in this run ({run}/run.json names lead-3, lead-1); the file was edited or "
     "mixed with another run's: restore it, or run the config again"),
    (_first_score(lambda row: row["facts"].update(contradicted=-3)), "scores.jsonl:1: field 'facts.contradicted' {whole} (found -3)"),
    (_first_score(lambda row: row["facts"].update(contradicted=0.5)), "scores.jsonl:1: field 'facts.contradicted' {whole} (found 0.5)"),
    (_first_score(lambda row: row.update(words=-1)), "scores.jsonl:1: field 'words' {whole} (found -1)"),
    (_first_score(lambda row: row["rouge"]["rouge1"].update(fmeasure=-5.0)), "scores.jsonl:1: field 'rouge.rouge1.fmeasure' {share} (found -5.0)"),
    (_first_score(lambda row: row["rouge"]["rougeL"].update(recall=1e308)), "scores.jsonl:1: field 'rouge.rougeL.recall' {share} (found 1e+308)"),
    (_first_score(lambda row: row["facts"].update(key_fact_recall=1.5)), "scores.jsonl:1: field 'facts.key_fact_recall' {share} (found 1.5)"),
    (edit_object("summary.json", lambda data: data["models"]["lead-3"]["rouge"]["rouge2"]["fmeasure"].update(mean=2.0)),
     "summary.json: field 'models.lead-3.rouge.rouge2.fmeasure.mean' {share} (found 2.0)"),
    (edit_object("summary.json", lambda data: data["models"]["lead-1"]["facts"].update(contradicted=-1)),
     "summary.json: field 'models.lead-1.facts.contradicted' {whole} (found -1)"),
    (edit_object("summary.json", lambda data: data["models"]["lead-1"].update(failed=-2)),
     "summary.json: field 'models.lead-1.failed' {whole} (found -2)"),
    (edit_object("run.json", lambda data: data.update(documents=-5)), "run.json: field 'documents' {whole} (found -5)"),
    (edit_object("run.json", lambda data: data.update(models=[{"name": "lead-3"}])), "run.json: field 'models[0]' must be a string (found an object)"),
    # words from a fixed set: a reader counts verdicts and statuses by them, and would count "maybe" as none
    (edit_object("run.json", lambda data: data.update(status="weird")), "run.json: field 'status' must be one of ok, failed (found 'weird')"),
    (_first_score(lambda row: row["facts"]["claims"][0].update(verdict="maybe")),
     "scores.jsonl:1: field 'facts.claims[0].verdict' must be one of supported, contradicted, not_in_article (found 'maybe')"),
    (_first_score(lambda row: row["facts"]["key_facts"][0].update(status="kept")),
     "scores.jsonl:1: field 'facts.key_facts[0].status' must be one of preserved, omitted (found 'kept')"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "expected"), DAMAGE)
def test_damaged_rows_and_numbers_are_one_line_naming_file_line_and_field(edit, expected, two_models, tmp_path, capsys):
    run_dir = damaged(two_models, tmp_path / "run", edit)
    lines = {name: len((run_dir / name).read_text(encoding="utf-8").splitlines()) for name in ("scores.jsonl", "generations.jsonl")}
    n = lines["generations.jsonl" if expected.startswith("generations") else "scores.jsonl"]
    wanted = f"{run_dir}/" + expected.format(run=run_dir, n=n, whole=WHOLE, share=SHARE)
    before = snapshot(run_dir)
    for argv in (["check", run_dir, "--max-contradicted", "0"], ["report", run_dir, "--out", tmp_path / "rep"],
                 ["baseline", run_dir, "--out", tmp_path / "b.json"]):  # fmt: skip
        assert refused(capsys, *argv) == wanted
    assert snapshot(run_dir) == before and not (tmp_path / "b.json").exists() and not (tmp_path / "rep").exists()


def test_a_good_run_of_two_models_is_still_read_checked_and_recorded(two_models, tmp_path, capsys):
    assert cli.main(["check", str(two_models), "--max-contradicted", "5"]) == 0
    assert cli.main(["baseline", str(two_models), "--out", str(tmp_path / "b.json")]) == 0
    assert "2 model(s) x 1 document(s)" in capsys.readouterr().out


def test_a_run_whose_rows_are_all_of_a_model_without_figures_gets_no_baseline(two_models, tmp_path, capsys):
    def only_lead_1_figures(folder: Path) -> None:  # summary.json keeps lead-3, scores.jsonl keeps lead-1
        edit_object("summary.json", lambda data: data["models"].pop("lead-1"))(folder)
        write_rows(folder / "scores.jsonl", [row for row in rows(folder / "scores.jsonl") if row["model"] == "lead-1"])

    run_dir = damaged(two_models, tmp_path / "run", only_lead_1_figures)
    line = refused(capsys, "baseline", run_dir, "--out", tmp_path / "b.json")
    assert line == (f"{run_dir}/scores.jsonl: holds no score row of a model in summary.json, so nothing would be checked or recorded; "
                    "restore the file, or run the config again")  # fmt: skip
    assert not (tmp_path / "b.json").exists()
