"""Bad inputs found by QA: damaged generation-cache rows and cache files, unreadable or odd document folders,
JSONL references and duplicate keys, dataset paths of the wrong kind.

Refused input is exit 2 and one stderr line naming the file (and line and field); a damaged cache is never
a reason to stop: its rows are made again, with one warning line per run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness import cli
from harness.cache import OUTPUT_FIELDS, GenerationCache
from harness.config import load_config
from harness.dataset import load_dataset
from harness.documents import load_documents
from harness.errors import HarnessError
from harness.summarizers.base import SummaryOutput
from harness.textio import parse_json

ARTICLES = [
    "The council approved 12 new parks on Monday. The plan costs $4 million. Work starts in May.",
    "A storm cut power to 30,000 homes overnight. Crews restored most lines by noon.",
]


def write_docs(path: Path, rows: list[dict] | None = None) -> Path:
    rows = rows or [{"id": f"d{i}", "article": text, "references": [text.split(". ")[0] + "."]} for i, text in enumerate(ARTICLES)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_config(folder: Path, dataset: str = "docs.jsonl", extra: str = "") -> Path:
    config = folder / "config.yaml"
    config.write_text(f"name: io\ndataset: {{path: {dataset}}}\nmodels: [{{name: lead-1, backend: lead, sentences: 1}}]\n"
                      f"output: out\nreport: false\n{extra}", encoding="utf-8")  # fmt: skip
    return config


def main(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(code: int, err: str) -> str:
    """The one stderr line of a refused input."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def document_folder(root: Path, name: str = "doc") -> Path:
    folder = root / "refs" / name
    (folder / "summaries").mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "summaries" / "gold.txt").write_text("The council approved 12 parks.", encoding="utf-8")
    return folder


# --- the generation cache -------------------------------------------------------------------------

GOOD = {"summary": "A summary.", "seconds": 0.5, "tokens_in": 10, "tokens_out": 3, "truncated": False, "meta": {"finish_reason": "stop"}}
DAMAGED = {
    "not JSON": "not json",
    "NULL": None,
    "a blob": b"\x00\xff",
    "a list": "[1, 2]",
    "an empty object": "{}",
    "summary a number": json.dumps({**GOOD, "summary": 5}),
    "summary null": json.dumps({**GOOD, "summary": None}),
    "an extra key": json.dumps({**GOOD, "extra": 1}),
    "a missing key": json.dumps({k: v for k, v in GOOD.items() if k != "truncated"}),
    "meta a string": json.dumps({**GOOD, "meta": "str"}),
    "seconds NaN": json.dumps({**GOOD, "seconds": float("nan")}),  # json.dumps writes NaN, json.loads reads it back
    "seconds Infinity": json.dumps({**GOOD, "seconds": float("inf")}),
    "seconds negative": json.dumps({**GOOD, "seconds": -1}),
    "seconds text": json.dumps({**GOOD, "seconds": "1"}),
    "tokens a fraction": json.dumps({**GOOD, "tokens_out": 2.5}),
    "tokens true": json.dumps({**GOOD, "tokens_in": True}),
    "truncated a number": json.dumps({**GOOD, "truncated": 0}),
    "a lone surrogate": json.dumps({**GOOD, "summary": "\ud800"}),
}


def _set_outputs(database: Path, output: object) -> None:
    with sqlite3.connect(database) as db:
        db.execute("UPDATE generations SET output = ?", (output,))


@pytest.mark.parametrize("output", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_cache_rows_are_made_again_with_one_warning(tmp_path, capsys, output):
    write_docs(tmp_path / "docs.jsonl")
    config = write_config(tmp_path)
    assert main(capsys, "run", config)[0] == 0
    database = tmp_path / "out" / ".cache" / "generations.sqlite"
    _set_outputs(database, output)
    code, out, err = main(capsys, "run", config)
    assert code == 0 and "2 generated, 0 from cache" in out, err
    warnings = [line for line in err.splitlines() if "cache" in line]
    assert len(warnings) == 1 and "ignored 2 damaged row(s)" in warnings[0] and str(database) in warnings[0], err
    rows = [json.loads(line) for line in (tmp_path / "out" / "io" / "generations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(row["summary"], str) and row["error"] is None and not row["cached"] for row in rows)
    assert json.loads((tmp_path / "out" / "io" / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    code, out, err = main(capsys, "run", config)  # the damaged rows were stored over
    assert code == 0 and "0 generated, 2 from cache" in out and "damaged" not in err, err


def test_cache_row_shape_is_what_summary_output_holds():
    assert OUTPUT_FIELDS == tuple(field.name for field in dataclasses.fields(SummaryOutput))


def test_a_cache_that_cannot_be_opened_leaves_the_run_without_one(tmp_path, capsys, monkeypatch):
    import harness.cache

    write_docs(tmp_path / "docs.jsonl")

    def refuse(path: Path) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(harness.cache, "_open", refuse)  # what a file without read permission gives (root ignores chmod)
    code, out, err = main(capsys, "run", write_config(tmp_path))
    assert code == 0 and "2 generated" in out, err
    warnings = [line for line in err.splitlines() if "cache" in line]
    assert len(warnings) == 1 and "cannot be opened (unable to open database file); this run goes on without a cache" in warnings[0], err


def test_a_cache_folder_that_cannot_be_looked_into_leaves_the_run_without_one(tmp_path, capsys, monkeypatch):
    write_docs(tmp_path / "docs.jsonl")
    database = tmp_path / "out" / ".cache" / "generations.sqlite"
    real_stat = Path.stat

    def stat(self: Path, **kwargs: object) -> os.stat_result:
        if self == database:  # the .cache folder without search permission (was a PermissionError traceback)
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    code, out, err = main(capsys, "run", write_config(tmp_path))
    assert code == 0 and "2 generated" in out, err
    assert "cache: " in err and "cannot be opened (Permission denied); this run goes on without a cache" in err and "Traceback" not in err


def test_a_cache_write_that_fails_stops_caching_not_the_run(tmp_path, caplog):
    cache = GenerationCache(tmp_path)

    class FullDisk:
        def execute(self, *args: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            pass

    cache._db = FullDisk()  # type: ignore[assignment]
    cache.put("k1", "m", GOOD, {"backend": "lead"})
    cache.put("k2", "m", GOOD, {"backend": "lead"})  # no second warning: the cache is off for the run
    assert cache.get_many(["k1"]) == {}
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and "cannot be written (database or disk is full); this run goes on without a cache" in messages[0]


# --- document folders -----------------------------------------------------------------------------


def test_an_unreadable_document_folder_is_named(tmp_path, monkeypatch):
    folder = document_folder(tmp_path)
    real_stat = Path.stat

    def stat(self: Path, **kwargs: object) -> os.stat_result:
        if self.parent == folder:  # what chmod 000 on the folder gives: its entries cannot be looked at
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(HarnessError, match=rf"^{folder}: the folder cannot be read \(Permission denied\); give the harness permission"):
        load_documents(tmp_path / "refs")


def test_an_unreadable_summaries_folder_is_an_error_not_no_references(tmp_path, monkeypatch):
    folder = document_folder(tmp_path)
    real_iterdir = Path.iterdir

    def iterdir(self: Path):
        if self == folder / "summaries":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(HarnessError, match=rf"^{folder / 'summaries'}: the folder cannot be read \(Permission denied\)"):
        load_documents(tmp_path / "refs")


def _without_file_permissions() -> list[str] | None:
    """A command prefix under which file permissions apply (root ignores them), or None where there is none."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None or subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search", "true"], capture_output=True).returncode:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("part", ["doc", "doc/summaries"])
def test_real_permissions_on_document_folders(tmp_path, part):
    prefix = _without_file_permissions()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be dropped")
    document_folder(tmp_path)
    config = write_config(tmp_path, dataset="refs")
    locked = tmp_path / "refs" / part
    locked.chmod(0)
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", "harness", "run", str(config)], capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o755)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{locked}: the folder cannot be read (Permission denied)" in lines[0]


def _make_folder(path: Path) -> str:
    path.mkdir()
    return f"{path}: is a folder, not a file"


def _make_broken_link(path: Path) -> str:
    path.symlink_to(path.parent / "gone.txt")
    return f"{path}: is a broken link to {path.parent / 'gone.txt'} (nothing is there)"


def _make_fifo(path: Path) -> str:
    os.mkfifo(path)  # was read (and would block) or skipped
    return f"{path}: is a device, pipe or socket"


MAKERS = {"folder": _make_folder, "broken link": _make_broken_link, "fifo": _make_fifo}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_an_article_that_is_not_a_file_is_named(tmp_path, capsys, make):
    folder = document_folder(tmp_path)
    (folder / "article.txt").unlink()
    expected = make(folder / "article.txt")  # was "refs: holds no documents"
    code, _, err = main(capsys, "run", write_config(tmp_path, dataset="refs"))
    line = one_line(code, err)
    assert expected in line and "each document folder holds its article as the text file article.txt" in line, line
    with pytest.raises(HarnessError, match="each document folder holds its article"):  # a document folder named directly
        load_documents(folder)


@pytest.mark.parametrize("make", [_make_broken_link, _make_fifo], ids=["broken link", "fifo"])  # folders were named already
def test_a_summary_or_meta_that_is_not_a_file_is_named(tmp_path, make):
    folder = document_folder(tmp_path)
    expected = make(folder / "summaries" / "odd.txt")
    with pytest.raises(HarnessError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")):
        load_documents(tmp_path / "refs")
    (folder / "summaries" / "odd.txt").unlink()
    expected = make(folder / "meta.yaml")  # a broken meta.yaml link was skipped: the id and title were lost
    with pytest.raises(HarnessError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")):
        load_documents(tmp_path / "refs")


def test_an_empty_reference_is_an_error_in_both_forms(tmp_path, capsys):
    folder = document_folder(tmp_path)
    (folder / "summaries" / "blank.txt").write_text(" \n\n", encoding="utf-8")  # was kept as an empty reference
    code, _, err = main(capsys, "run", write_config(tmp_path, dataset="refs"))
    assert f"{folder / 'summaries' / 'blank.txt'}: the reference summary is empty" in one_line(code, err)
    write_docs(tmp_path / "docs.jsonl", [{"id": "a", "article": ARTICLES[0], "references": ["Parks.", {"id": "g", "text": "  "}]}])
    code, _, err = main(capsys, "run", write_config(tmp_path))  # was dropped without a word
    line = one_line(code, err)
    assert f"{tmp_path / 'docs.jsonl'}:1: document 'a': references[1] is empty" in line and "give its text or remove it" in line


# --- JSONL datasets -------------------------------------------------------------------------------


def test_null_references_are_refused_by_run_as_by_selftest(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl", [{"id": "a", "article": ARTICLES[0], "references": None}])
    expected = f"{tmp_path / 'docs.jsonl'}:1: document 'a': field 'references' is null; give a list of reference summaries"
    code, _, err = main(capsys, "run", write_config(tmp_path))  # was accepted silently
    assert expected in one_line(code, err)
    code, _, err = main(capsys, "selftest", "--dataset", tmp_path / "docs.jsonl")
    assert expected in one_line(code, err)
    # A table column that fields maps holds null or "" for a row without a summary: that stays "no reference".
    rows = [{"k": "a", "text": ARTICLES[0], "summary": None}, {"k": "b", "text": ARTICLES[1], "summary": ""}]
    write_docs(tmp_path / "docs.jsonl", [*rows, {"k": "c", "text": "Rain fell. Roads closed.", "summary": "Rain."}])
    config = write_config(tmp_path, dataset="docs.jsonl, fields: {id: k, article: text, references: summary}")
    assert [[r.text for r in d.references] for d in load_dataset(load_config(config))] == [[], [], ["Rain."]]


def test_references_of_another_type_name_the_field(tmp_path):
    write_docs(tmp_path / "docs.jsonl", [{"id": "a", "article": ARTICLES[0], "references": {"text": "x"}}])
    with pytest.raises(HarnessError, match=r"docs.jsonl:1: document 'a': field 'references' must be a list of reference summaries .*got a mapping"):
        load_documents(tmp_path / "docs.jsonl")


def test_a_key_given_twice_is_refused_naming_line_and_key(tmp_path, capsys):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": "x", "article": ARTICLES[0]}) + "\n" + '{"id": "x", "id": "y", "article": "Text."}\n', encoding="utf-8")
    code, _, err = main(capsys, "run", write_config(tmp_path))  # was: the second id kept, the first lost
    line = one_line(code, err)
    assert f"{path}:2: key 'id' appears twice in one JSON object" in line and "remove or rename one of them" in line


def test_duplicate_keys_are_refused_in_every_json_the_harness_reads(tmp_path):
    with pytest.raises(HarnessError, match=r"^base.json: key 'lead' appears twice in one JSON object"):
        parse_json('{"models": {"lead": 1, "other": {"lead": 2}, "lead": 3}}', "base.json")  # nested keys of the same name are fine
    summaries = tmp_path / "sums.jsonl"
    summaries.write_text('{"doc_id": "d0", "summary": "One.", "summary": "Two."}\n', encoding="utf-8")
    write_docs(tmp_path / "docs.jsonl")
    config = tmp_path / "pre.yaml"
    config.write_text("name: pre\ndataset: {path: docs.jsonl}\nmodels: [{name: p, backend: precomputed, path: sums.jsonl}]\noutput: out\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "harness", "run", str(config), "--no-report"], capture_output=True, text=True, timeout=120)
    assert f"{summaries}:1: key 'summary' appears twice" in result.stderr, result.stderr


# --- dataset.path of the wrong kind names the config field ----------------------------------------


def test_a_dataset_path_that_is_not_jsonl_names_the_config_line(tmp_path, capsys):
    (tmp_path / "t.sh").write_text("echo hi\n", encoding="utf-8")
    config = write_config(tmp_path, dataset="t.sh")
    code, _, err = main(capsys, "run", config)
    assert f"{config}:2: dataset.path: {tmp_path / 't.sh'}: expected a .jsonl file" in one_line(code, err)


def test_an_empty_dataset_folder_names_the_config_line(tmp_path, capsys):
    (tmp_path / "emptydir").mkdir()
    config = write_config(tmp_path, dataset="emptydir")
    code, _, err = main(capsys, "run", config)
    assert f"{config}:2: dataset.path: {tmp_path / 'emptydir'}: holds no documents" in one_line(code, err)


def test_an_infinite_value_in_facts_yaml_names_its_line(tmp_path):
    folder = tmp_path / "refs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "references", folder)
    facts = folder / "syria-talks" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value: 500000", "value: .inf", 1), encoding="utf-8")
    with pytest.raises(HarnessError) as caught:
        load_documents(folder)
    assert str(caught.value) == f"{facts}:9: facts[0].value: inf is not a finite number (facts.yaml takes no .inf or .nan)"


def test_a_device_or_broken_link_named_as_the_article_says_what_it_is(tmp_path):
    from harness.documents import find_document

    with pytest.raises(HarnessError, match=r"^/dev/null: is a device, pipe or socket, not an article; give an article's text file"):
        find_document("/dev/null")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(HarnessError, match=r"gone.txt: is a broken link, not an article"):
        find_document(tmp_path / "gone.txt")
