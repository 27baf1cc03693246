"""QA round 6, `harness report`: a report written over someone's charts or through a report_files link (1), runs over
different articles with the same document ids paired as one dataset (4), --max-documents with a huge number (7), and
a failed write that left a new report.md beside an old report.html (11). Each bad input is one line naming the file,
exit 2, and loses nothing."""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path

import pytest
from helpers import refused, run_cli, snapshot

from harness import cli, store
from harness.report import write_report
from harness.report.data import group_datasets, load_report_data
from harness.report.trouble import DocumentTrouble, SummaryTrouble, detail_documents
from harness.store import RunData

STORM = "A storm cut power to 30,000 homes on Tuesday. Crews restored lines."
FLOOD = "A flood cut power to 50,000 homes on Friday. Crews restored lines."
INSTEAD = "move it away yourself, or give --out another folder"


def write_run(folder: Path, name: str, article: str) -> Path:
    """A run of lead-1 over one document with id 'a' and this article (no report, no bootstrap); its run folder."""
    folder.mkdir(parents=True, exist_ok=True)
    reference = " ".join(article.split()[:7])
    (folder / f"{name}.jsonl").write_text(json.dumps({"id": "a", "article": article, "references": [reference]}) + "\n", encoding="utf-8")
    config = folder / f"{name}.yaml"
    config.write_text(f"name: {name}\ndataset: {{path: {name}.jsonl}}\nmodels: [{{name: lead-1, backend: lead, sentences: 1}}]\n"
                      "output: out\nreport: false\nstatistics: {bootstrap: 0}\n", encoding="utf-8")  # fmt: skip
    assert cli.main(["run", str(config)]) in (0, 1)
    return folder / "out" / name


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two runs whose one document is called 'a': a storm article (t) and a flood article (u)."""
    folder = tmp_path_factory.mktemp("runs")
    return write_run(folder, "t", STORM), write_run(folder, "u", FLOOD)


def report(capsys: pytest.CaptureFixture[str], *argv: object) -> None:
    """`harness report ARGV`, which must succeed."""
    assert cli.main(["report", *map(str, argv)]) == 0, capsys.readouterr().err
    capsys.readouterr()


# 1. report_files/ holds the harness's charts, and no link out of --out


def test_a_report_does_not_overwrite_a_file_in_report_files_the_harness_did_not_write(runs, tmp_path, capsys):
    charts = tmp_path / "mydocs" / "report_files"
    charts.mkdir(parents=True)
    (charts / "facts.png").write_text("my own chart\n", encoding="utf-8")
    line = refused(capsys, "report", runs[0], "--out", tmp_path / "mydocs")
    assert line == (f"{charts / 'facts.png'}: is a file the harness did not draw (no chart mark in it, and no report beside it shows it); "
                    f"a report replaces report_files/ whole and would delete it: {INSTEAD}")  # fmt: skip
    assert snapshot(tmp_path / "mydocs") == {"report_files/facts.png": b"my own chart\n"}  # no report.md written either


def test_a_report_does_not_write_through_a_report_files_link(runs, tmp_path, capsys):
    victim, out = tmp_path / "victim", tmp_path / "mydocs"
    victim.mkdir()
    out.mkdir()
    (victim / "facts.png").write_text("precious\n", encoding="utf-8")
    (out / "report_files").symlink_to("../victim")
    line = refused(capsys, "report", runs[0], "--out", out)
    assert line == (f"{out / 'report_files'}: is a symlink; a report writes its charts into a folder of that name, never through a link: "
                    "remove the link, or give --out another folder")  # fmt: skip
    assert snapshot(victim) == {"facts.png": b"precious\n"} and (out / "report_files").is_symlink()
    assert sorted(path.name for path in out.iterdir()) == ["report_files"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda out: (out / "report_files").write_text("notes", encoding="utf-8"), "{out}/report_files: is a file, not a folder"),
        (lambda out: (out / "report_files" / "mine").mkdir(parents=True), "{out}/report_files/mine: is a folder; a report replaces"),
        (lambda out: (out / "report.md").mkdir(), "{out}/report.md: is a folder, not a report; a report replaces report.md whole"),
    ],
)
def test_what_a_report_would_delete_is_refused(runs, tmp_path, capsys, make, expected):
    out = tmp_path / "mydocs"
    out.mkdir()
    make(out)
    before = sorted(str(path.relative_to(out)) for path in out.rglob("*"))
    line = refused(capsys, "report", runs[0], "--out", out)
    assert line.startswith(expected.format(out=out)) and line.endswith(INSTEAD), line
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*")) == before


def test_a_report_replaces_its_own_charts_and_those_an_earlier_version_drew(runs, tmp_path, capsys):
    out = tmp_path / "rep"
    report(capsys, runs[0], "--out", out)
    report(capsys, runs[0], "--out", out)  # its own charts, marked
    assert (out / "report_files" / "facts.png").read_bytes().startswith(b"\x89PNG")
    assert "report_files/facts.png" in (out / "report.md").read_text(encoding="utf-8")
    (out / "report_files" / "facts.png").write_bytes(b"\x89PNG an unmarked chart of an earlier version")  # report.md shows it
    report(capsys, runs[0], "--out", out)
    assert b"summarization-harness" in (out / "report_files" / "facts.png").read_bytes()
    (out / "report_files" / "old.png").write_bytes(b"\x89PNG unmarked, and no report shows it")
    assert refused(capsys, "report", runs[0], "--out", out).startswith(f"{out / 'report_files' / 'old.png'}: is a file the harness did not draw")


# 11. report.md, report.html and report_files/ are replaced together, or not at all


def _full_disk_at(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Writing the file `name` (anywhere) fails as on a full disk; other files are written."""
    write = store._write_synced

    def full(path: Path, content: object) -> None:
        if Path(path).name == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        write(path, content)

    monkeypatch.setattr(store, "_write_synced", full)


def test_a_failed_report_write_keeps_the_previous_report_whole(runs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    report(capsys, runs[0], "--out", out)
    (out / "keep.txt").write_text("the user's own file\n", encoding="utf-8")
    before = snapshot(out)
    _full_disk_at(monkeypatch, "report.html")  # report.md and the charts are written first
    line = refused(capsys, "report", runs[0], runs[1], "--out", out)
    assert line == (f"{out / 'report.html'}: cannot write (No space left on device); no part of the new report was kept, "
                    "and the previous one (if any) is as it was")  # fmt: skip
    assert snapshot(out) == before and sorted(path.name for path in out.iterdir()) == ["keep.txt", "report.html", "report.md", "report_files"]
    refused(capsys, "report", runs[0], "--out", tmp_path / "new")
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())  # no half of a report in a new folder


def test_a_report_swap_that_fails_halfway_puts_the_previous_report_back(runs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    report(capsys, runs[0], "--out", out)
    before = snapshot(out)
    swap = store.swap_in

    def failing(new: Path, target: Path, aside: Path, pause: str = "") -> bool:
        if target.name == "report_files":  # after report.md and report.html were swapped in
            raise OSError(errno.EIO, "Input/output error", str(new))
        return swap(new, target, aside, pause)

    monkeypatch.setattr(store, "swap_in", failing)
    assert refused(capsys, "report", runs[0], runs[1], "--out", out).startswith(f"{out / 'report_files'}: cannot write (Input/output error)")
    assert snapshot(out) == before and sorted(path.name for path in out.iterdir()) == ["report.html", "report.md", "report_files"]


# 4. documents are the same only with the same article, not merely the same id


def test_runs_over_different_articles_with_the_same_ids_are_separate_datasets(runs, tmp_path):
    data = load_report_data(runs)
    assert [(d.label, d.runs, d.doc_ids) for d in data.datasets] == [("t.jsonl", ["t"], ["a"]), ("u.jsonl", ["u"], ["a"])]
    write_report(runs, tmp_path / "rep")
    markdown = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "2 runs over 2 datasets" in markdown and "t/lead-1 vs u/lead-1" not in markdown  # never paired
    assert "**t.jsonl** and **u.jsonl** are separate datasets, never compared: document id 'a' names different articles in them." in markdown
    storm, flood = markdown.index(f"#### {STORM}"), markdown.index(f"#### {FLOOD}")  # each run's summary under its own article
    assert storm < markdown.index("**t/lead-1**: A storm") < flood < markdown.index("**u/lead-1**: A flood")


def _run(name: str, articles: dict[str, str], dataset: str = "test.jsonl") -> RunData:
    documents = [{"doc_id": doc_id, "article": article} for doc_id, article in articles.items()]
    return RunData(Path(name), {"name": name, "config": {"dataset": {"path": dataset}}}, documents, [], [])


def test_runs_are_one_dataset_only_where_no_id_names_two_articles():
    same = [_run("a", {"0": "x", "1": "y"}), _run("b", {"1": "y", "2": "z"})]
    assert [d.runs for d in group_datasets(same, [])] == [["a", "b"]]  # shared documents: one dataset, as before
    clash = [_run("a", {"0": "x", "1": "y"}), _run("b", {"0": "x", "1": "other"}), _run("c", {"1": "y"})]
    datasets = group_datasets(clash, [])  # b shares '0' with a but gives '1' another article: apart
    assert [(d.runs, d.label, d.documents["1"]["article"]) for d in datasets] == [
        (["a", "c"], "test.jsonl (a, c)", "y"), (["b"], "test.jsonl (b)", "other")]  # fmt: skip


# 7. --max-documents bounded by the documents there are


def test_a_huge_max_documents_is_bounded_by_the_documents():
    troubles = [DocumentTrouble(f"d{i}", (SummaryTrouble("m", f"d{i}", (i % 2,), 0, False),)) for i in range(4)]
    started = time.monotonic()
    shown = detail_documents(troubles, ["m"], 3 * 10**8, seed=0)  # took about 20 s before, 10**23 never ended
    assert time.monotonic() - started < 2
    assert sorted(shown) == ["d0", "d1", "d2", "d3"]
    assert detail_documents(troubles, ["m"], 10**23, seed=0) == shown


def test_report_max_documents_of_a_huge_number_shows_every_document(runs, tmp_path):
    done = run_cli("report", str(runs[0]), "--max-documents", "1" + "0" * 30, "--out", str(tmp_path / "rep"), timeout=120)  # never ended
    assert done.returncode == 0, done.stderr
    assert "1 document of 1" in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
