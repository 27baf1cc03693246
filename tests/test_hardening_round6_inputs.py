"""QA round 6, inputs: a ~user this machine lacks in any path of a config, pipes and devices where summaries are read,
ids from folder and file names that held control characters, precomputed file names in another Unicode normalisation,
a precomputed file that meets no document, misleading one-line errors, and smaller misreadings (a quoted "false" cache,
figures of 25+ digits, empty precomputed summaries, rows with two different ids). Each bad input is exit 2 and one line
naming the file (and line and field) before any model runs."""

from __future__ import annotations

import json
import os
import threading
import unicodedata
from pathlib import Path

import pytest
from helpers import refused, run_cli, snapshot

from harness import cli
from harness.facts import check_summary, extract_facts

ARTICLE = "A storm cut power to 30,000 homes on Tuesday. Crews restored lines."
DOCS = [{"id": "a", "article": ARTICLE, "references": ["Storm cut power to 30,000 homes."]}]
FAST = "statistics: {bootstrap: 0}\nreport: false\n"
LEAD = "models: [{name: lead-1, backend: lead, sentences: 1}]\n"
NO_USER = "nosuchuser-qa6"  # a user name no machine has


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """rows as a JSON Lines file (folders made as needed); returns path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_config(folder: Path, body: str, name: str = "t.yaml") -> Path:
    """A config file of body in folder; returns its path."""
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def ran(capsys: pytest.CaptureFixture[str], *argv: str | Path, code: int = 0) -> str:
    """Run the CLI in this process; assert its exit code and return what it printed."""
    result = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert result == code, (out, err)
    return out + err


def precomputed(path: str) -> str:
    return f"models: [{{name: p, backend: precomputed, path: {path}}}]\n"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A folder with a one-document dataset, ok.jsonl."""
    write_jsonl(tmp_path / "ok.jsonl", DOCS)
    return tmp_path


# --- 5. ~user of a user this machine does not have ------------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "where"), [
    (lambda c: c.replace("path: ok.jsonl", f"path: ~{NO_USER}/x.jsonl"), f"2: dataset.path: ~{NO_USER}/x.jsonl: "),
    (lambda c: c.replace("output: out", f"output: ~{NO_USER}/out"), f"4: output: ~{NO_USER}/out: "),
    (lambda c: c + f"cache: ~{NO_USER}/c\n", f"7: cache: ~{NO_USER}/c: "),
    (lambda c: c + f"gates: {{baseline: ~{NO_USER}/b.json}}\n", f"7: gates.baseline: ~{NO_USER}/b.json: "),
    (lambda c: c.replace("{path: ok.jsonl}", f'{{hf: {{path: json, data_files: ["~{NO_USER}/x.jsonl"]}}}}'), f"2: dataset.hf.data_files: ~{NO_USER}/x.jsonl: "),
    (lambda c: c.replace("{path: ok.jsonl}", f"{{hf: {{path: ~{NO_USER}/ds}}}}"), f"2: dataset.hf.path: ~{NO_USER}/ds: "),
    (lambda c: c.replace(LEAD, precomputed(f"~{NO_USER}/p.jsonl")), "3: models[0].path: "),
    (lambda c: c.replace(LEAD, f"models: [{{name: m, backend: hf-seq2seq, model: ~{NO_USER}/m}}]\n"), "3: models[0].model: "),
])  # fmt: skip
def test_a_tilde_of_a_user_this_machine_lacks_is_one_line_naming_the_field(project, capsys, edit, where):
    """QA 5: every path of a config raised RuntimeError ("Could not determine home directory.") with a traceback, exit 1."""
    config = write_config(project, edit(f"name: t\ndataset: {{path: ok.jsonl}}\n{LEAD}output: out\n{FAST}"))
    for command in ("validate", "run"):
        line = refused(capsys, command, config)
        assert line.startswith(f"{config}:{where}") and line.endswith(f"no user '{NO_USER}' on this machine") or (
            line.startswith(f"{config}:{where}no user '{NO_USER}' on this machine")), line


def test_a_quoted_tilde_in_output_means_the_home_folder_as_in_a_config(project, capsys, monkeypatch):
    """QA 5: --output '~/x' (quoted, from a script) made a folder named ~ in the current folder."""
    home = project / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{LEAD}output: out\n{FAST}")
    ran(capsys, "run", config, "--output", "~/x")
    assert (home / "x" / "t" / "run.json").is_file()
    assert not (project / "~").exists()
    assert refused(capsys, "run", config, "--output", f"~{NO_USER}/x") == f"--output: ~{NO_USER}/x: no user '{NO_USER}' on this machine"


# --- 6. pipes and devices where summaries are read ------------------------------------------------------------------------


def test_a_pipe_in_a_precomputed_folder_is_refused_not_waited_on(project):
    """QA 6: validate blocked forever opening pre/a.txt, a FIFO."""
    (project / "pre").mkdir()
    os.mkfifo(project / "pre" / "a.txt")
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pre')}output: out\n{FAST}")
    result = run_cli("validate", str(config), cwd=project, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {project / 'pre' / 'a.txt'}: is a device, pipe or socket; each <doc_id>.txt of a precomputed folder is one summary, a text file (model 'p')"]


def test_a_link_to_a_device_in_a_precomputed_folder_is_refused(project, capsys):
    """QA 6: a link to /dev/zero filled the memory (9.6 GB in 8 s); /dev/null stands in for it here."""
    (project / "pre").mkdir()
    (project / "pre" / "a.txt").symlink_to("/dev/null")
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pre')}output: out\n{FAST}")
    assert refused(capsys, "validate", config).startswith(f"{project / 'pre' / 'a.txt'}: is a device, pipe or socket; each <doc_id>.txt")


def test_a_precomputed_path_that_is_a_pipe_says_so(project, capsys):
    """QA 15: a FIFO given as the precomputed file "does not exist"."""
    os.mkfifo(project / "fifo.jsonl")
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('fifo.jsonl')}output: out\n{FAST}")
    assert refused(capsys, "validate", config) == (f"{config}:3: models[0].path: model 'p': path: {project / 'fifo.jsonl'} is a device, pipe or "
                                                   "socket, not a file or folder (a JSONL file or a folder of <doc_id>.txt files)")  # fmt: skip


def test_a_device_as_summary_file_is_refused(capsys):
    """QA 6: facts --summary-file /dev/zero never ended and grew without bound; /dev/null stands in for it here."""
    line = refused(capsys, "facts", "references/syria-talks", "--summary-file", "/dev/null")
    assert line == "/dev/null: is a device or socket, not a file; give a text file, or a pipe such as <(command)"


def _pipe(path: Path, data: bytes) -> threading.Thread:
    """A FIFO at path with a writer thread that writes data, as a shell's <(command) would."""
    os.mkfifo(path)

    def write() -> None:
        try:
            with path.open("wb") as pipe:
                pipe.write(data)
        except BrokenPipeError:  # the reader stopped at its limit
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def test_a_summary_pipe_is_read_up_to_a_limit(tmp_path, capsys):
    """QA 6: a pipe whose writer never stops (<(yes)) was read until memory ran out; now the limit is named."""
    writer = _pipe(tmp_path / "endless", b"Some 275,000 people. " * 60_000)  # 1.26 MB
    line = refused(capsys, "facts", "references/syria-talks", "--summary-file", tmp_path / "endless")
    assert line == f"{tmp_path / 'endless'}: holds more than 1,000,000 bytes, the most the harness reads from it; give a file of that size or less"
    writer.join(10)


def test_a_summary_pipe_with_a_writer_still_works(tmp_path, capsys):
    writer = _pipe(tmp_path / "summary", b"Some 275,000 people are trapped in Aleppo.\n")
    assert "numeric precision 100%" in ran(capsys, "facts", "references/syria-talks", "--summary-file", tmp_path / "summary")
    writer.join(10)


# --- 10. ids from folder and file names -------------------------------------------------------------------------------------


def test_a_document_folder_name_with_a_line_break_is_refused_as_a_jsonl_id_is(project, capsys):
    """QA 10: the folder's name became the id unchecked; the failure line was split in two."""
    folder = project / "refs" / "bad\nid"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    write_config(project, f"name: t\ndataset: {{path: refs}}\n{LEAD}output: out\n{FAST}")
    line = refused(capsys, "validate", project / "t.yaml")
    assert line == (f"{project}/refs/bad\\x0aid: the folder's name (the document id; rename it, or give an id in meta.yaml): holds control "
                    "character U+000A at character 3; an id is one line of printable text")  # fmt: skip


def test_a_reference_file_name_with_an_escape_sequence_is_refused(project, capsys):
    """QA 10: the file name, the reference id, carried an ESC sequence into report.md and report.html."""
    folder = project / "refs" / "doc"
    (folder / "summaries").mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "summaries" / "r\x1b[2Jx.txt").write_text("Storm cut power.", encoding="utf-8")
    write_config(project, f"name: t\ndataset: {{path: refs}}\n{LEAD}output: out\n{FAST}")
    line = refused(capsys, "run", project / "t.yaml")
    assert line.startswith(f"{folder}/summaries/r\\x1b[2Jx.txt: the file's name (the reference id; rename the file): holds control character U+001B")


# --- 13, 14. precomputed ids that do not meet the documents -----------------------------------------------------------------


def test_a_precomputed_file_name_in_nfd_meets_its_nfc_document(project, capsys):
    """QA 13: café.txt written on macOS (NFD) "had no summary" for the document café (NFC), though validate said ok."""
    write_jsonl(project / "nfc.jsonl", [{**DOCS[0], "id": "caf\u00e9"}])
    (project / "pre").mkdir()
    (project / "pre" / unicodedata.normalize("NFD", "caf\u00e9.txt")).write_text("Storm cut power to 30,000 homes.", encoding="utf-8")
    config = write_config(project, f"name: t\ndataset: {{path: nfc.jsonl}}\n{precomputed('pre')}output: out\n{FAST}")
    ran(capsys, "run", config)
    generation = json.loads((project / "out" / "t" / "generations.jsonl").read_text(encoding="utf-8"))
    assert generation["summary"] == "Storm cut power to 30,000 homes." and generation["error"] is None


def test_a_precomputed_file_that_meets_no_document_is_refused_by_validate_and_run(project, capsys):
    """QA 14: a file of other ids (a wrong id_field, the wrong file) passed validate, and run failed every document, exit 1."""
    write_jsonl(project / "pp.jsonl", [{"doc_id": "zzz", "summary": "ok 30,000 homes"}])
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pp.jsonl')}output: out\n{FAST}")
    for command in ("validate", "run"):
        assert refused(capsys, command, config) == (f"{config}:3: models[0].path: model 'p': none of {project / 'pp.jsonl'}'s 1 ids (zzz) is a "
                                                    "document id of the dataset (a); check id_field")  # fmt: skip


def test_a_refused_run_leaves_no_output_folder_it_made_and_keeps_one_that_was_there(project, capsys):
    """A run refused after it locked its folder (here: a precomputed file that meets no document) had left OUTPUT behind, empty."""
    write_jsonl(project / "pp.jsonl", [{"doc_id": "zzz", "summary": "ok 30,000 homes"}])
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pp.jsonl')}output: made/deeper\n{FAST}")
    assert "none of" in refused(capsys, "run", config)
    assert not (project / "made").exists()
    (project / "kept").mkdir()
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pp.jsonl')}output: kept\n{FAST}")
    assert "none of" in refused(capsys, "run", config)
    assert (project / "kept").is_dir() and not any((project / "kept").iterdir())


def test_one_document_a_precomputed_file_lacks_still_fails_alone(project, capsys):
    write_jsonl(project / "two.jsonl", [*DOCS, {**DOCS[0], "id": "b"}])
    write_jsonl(project / "pp.jsonl", [{"doc_id": "a", "summary": "Storm cut power."}])
    config = write_config(project, f"name: t\ndataset: {{path: two.jsonl}}\n{precomputed('pp.jsonl')}output: out\n{FAST}")
    assert "has no summary for document 'b'" in ran(capsys, "run", config, code=1)


# --- 15. misleading one-line errors -----------------------------------------------------------------------------------------


def test_a_config_that_is_a_pipe_a_folder_or_a_device_says_what_it_is(tmp_path, capsys):
    """QA 15: each was "config file not found", though it is there."""
    os.mkfifo(tmp_path / "fifo.yaml")
    assert refused(capsys, "validate", tmp_path / "fifo.yaml") == f"{tmp_path / 'fifo.yaml'}: is a device, pipe or socket; give a YAML config file"
    assert refused(capsys, "validate", tmp_path) == f"{tmp_path}: is a folder, not a file; give a YAML config file"
    assert refused(capsys, "validate", "/dev/null") == "/dev/null: is a device, pipe or socket; give a YAML config file"
    assert refused(capsys, "validate", tmp_path / "none.yaml") == f"{tmp_path / 'none.yaml'}: config file not found"


def test_a_mapped_column_is_named_as_the_file_names_it(project, capsys):
    """QA 15: fields: {article: body} with "body": 5 said "field 'article' must be a string"; the file has no such field."""
    write_jsonl(project / "f.jsonl", [{"id": "a", "body": 5}])
    config = write_config(project, f"name: t\ndataset: {{path: f.jsonl, fields: {{article: body}}}}\n{LEAD}")
    assert refused(capsys, "validate", config) == f"{project / 'f.jsonl'}:1: document 'a': field 'body' (the article, by dataset.fields) must be a string, got 5"
    write_jsonl(project / "f.jsonl", [{"key": "", "body": "A storm hit. Crews came."}])
    config = write_config(project, f"name: t\ndataset: {{path: f.jsonl, fields: {{id: key, article: body}}}}\n{LEAD}")
    assert refused(capsys, "validate", config) == f"{project / 'f.jsonl'}:1: field 'key' (the id, by dataset.fields) is missing or empty"


def test_a_json_array_dataset_is_read_item_by_item(project, capsys):
    """QA 15: a pretty-printed JSON array in docs.json was "not valid JSON (Expecting value)"; it is read as its items."""
    docs = [{**DOCS[0], "id": "a"}, {**DOCS[0], "id": "b"}]
    (project / "docs.json").write_text(json.dumps(docs, indent=2), encoding="utf-8")
    config = write_config(project, f"name: t\ndataset: {{path: docs.json}}\n{LEAD}output: out\n{FAST}")
    ran(capsys, "run", config)
    assert [json.loads(line)["doc_id"] for line in (project / "out" / "t" / "documents.jsonl").read_text(encoding="utf-8").splitlines()] == ["a", "b"]
    (project / "docs.json").write_text(f'[\n  {json.dumps(docs[0])},\n\n  {{"id": "b",\n   "article": 5}}\n]', encoding="utf-8")
    assert refused(capsys, "validate", config) == f"{project / 'docs.json'}:4: document 'b': field 'article' must be a string, got 5"
    (project / "docs.json").write_text('[\n{"id": "a", "article": "x y."}\n{"id": "b"}]', encoding="utf-8")
    assert refused(capsys, "validate", config) == f"{project / 'docs.json'}:3: not valid JSON (expected ',' or ']' after an item of the array)"


def test_a_reference_file_with_an_upper_case_extension_is_read(project, capsys):
    """QA 15: summaries/Short.TXT was left out without a word (only *.txt was read)."""
    folder = project / "refs" / "doc"
    (folder / "summaries").mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "summaries" / "Short.TXT").write_text("Storm cut power to 30,000 homes.", encoding="utf-8")
    config = write_config(project, f"name: t\ndataset: {{path: refs}}\n{LEAD}output: out\n{FAST}")
    ran(capsys, "run", config)
    document = json.loads((project / "out" / "t" / "documents.jsonl").read_text(encoding="utf-8"))
    assert document["references"] == [{"id": "Short", "text": "Storm cut power to 30,000 homes."}]
    (folder / "summaries" / "Short.txt").write_text("Another.", encoding="utf-8")
    assert refused(capsys, "validate", config).endswith("gives the reference id 'Short', as Short.TXT does; keep one of the two files")


# --- 16. smaller misreadings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "hint"), [('"false"', "write false without quotes to turn the cache off, or ./false"),
                                             ("'True'", "write true without quotes to turn the cache on, or ./True")])  # fmt: skip
def test_a_quoted_boolean_cache_is_refused_with_a_hint(project, capsys, value, hint):
    """QA 16: cache: "false" made a cache folder named false, while report: "false" read as false."""
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{LEAD}output: out\n{FAST}cache: {value}\n")
    before = snapshot(project)
    line = refused(capsys, "run", config)
    assert line.startswith(f"{config}:7: cache: {value.strip(chr(34) + chr(39))!r} in quotes is text, not true/false") and line.endswith(f"{hint} for a folder of that name")
    assert snapshot(project) == before and not (project / "false").exists()


def test_a_figure_of_25_or_more_digits_is_read_and_checked():
    """QA 16: 24 digits were read (and contradicted), 25 and more silently not."""
    table = extract_facts("Some 275,000 children are trapped in Aleppo, officials said.")
    for digits in ("9" * 25, "1" + "0" * 27, "9" * 100):
        result = check_summary(f"Some {digits} children are trapped in Aleppo.", table)
        assert result.contradicted == 1, digits


@pytest.mark.parametrize("layout", ["jsonl", "folder"])
def test_an_empty_precomputed_summary_fails_its_document(project, capsys, layout):
    """QA 16: "summary": "" (or an empty .txt) was scored as a summary: ROUGE 0, key-fact recall 0, 0 failed."""
    if layout == "jsonl":
        write_jsonl(project / "pp.jsonl", [{"doc_id": "a", "summary": "  "}])
        path, where = "pp.jsonl", f"{project / 'pp.jsonl'}:1"
    else:
        (project / "pre").mkdir()
        (project / "pre" / "a.txt").write_text("\n", encoding="utf-8")
        path, where = "pre", f"{project / 'pre' / 'a.txt'}"
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed(path)}output: out\n{FAST}")
    printed = ran(capsys, "run", config, code=1)
    assert f"{where}: the summary of document 'a' is empty (no text, or only spaces)" in printed
    generation = json.loads((project / "out" / "t" / "generations.jsonl").read_text(encoding="utf-8"))
    assert generation["error"].startswith(f"{where}: the summary of document 'a' is empty")


def test_a_row_with_two_different_ids_is_refused(project, capsys):
    """QA 16: {"doc_id": "a", "id": "b"} silently dropped id, in a precomputed file and in a dataset."""
    write_jsonl(project / "pp.jsonl", [{"doc_id": "a", "id": "b", "summary": "Storm."}])
    config = write_config(project, f"name: t\ndataset: {{path: ok.jsonl}}\n{precomputed('pp.jsonl')}output: out\n{FAST}")
    assert refused(capsys, "validate", config) == (f"{project / 'pp.jsonl'}:1: fields 'doc_id' ('a') and 'id' ('b') differ, and only one can be "
                                                   "the document id; set id_field: to the one that holds it (model 'p')")  # fmt: skip
    write_jsonl(project / "pp.jsonl", [{"doc_id": "a", "id": "a", "summary": "Storm."}])  # the same id twice is one id
    ran(capsys, "validate", config)
    write_jsonl(project / "two.jsonl", [{**DOCS[0], "doc_id": "x"}])
    config = write_config(project, f"name: t\ndataset: {{path: two.jsonl}}\n{LEAD}")
    assert refused(capsys, "validate", config).startswith(f"{project / 'two.jsonl'}:1: fields 'doc_id' ('x') and 'id' ('a') differ")
    config = write_config(project, f"name: t\ndataset: {{path: two.jsonl, fields: {{id: doc_id}}}}\n{LEAD}")
    assert "1 document(s)" in ran(capsys, "validate", config)
