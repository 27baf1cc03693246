"""QA round 6, `harness report`: a report written over someone's charts or through a report_files link (1), runs over
different articles with the same document ids paired as one dataset (4), --max-documents with a huge number (7), and
a failed write that left a new report.md beside an old report.html (11). Each bad input is one line naming the file,
exit 2, and loses nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from helpers import run_cli

from harness import cli
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
