"""Bad input files, damaged results folders and baselines, filesystem faults: each gets exit 2 and one line.

Every case runs the CLI in-process (harness.cli.main) and checks: the exit code, exactly one non-blank
stderr line naming the file and field (and line or byte where there is one), no traceback, and nothing
written outside the output folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEED_DIR
from markdown_it import MarkdownIt

from harness import cli, store
from harness.gates import make_baseline
from harness.report import write_report

ARTICLES = [
    (
        "The council approved 12 new parks on Monday. The plan costs $4 million. Work starts in May.\n\n"
        "Residents asked for the parks for years. The mayor said the first park opens in 2026."
    ),
    (
        "A storm cut power to 30,000 homes overnight. Crews restored most lines by noon.\n\n"
        "The utility said 2,000 homes were still dark. It expects full service on Friday."
    ),
]
BAD_BYTE = b"\xff"


def write_docs(path: Path, rows: list[dict] | None = None) -> Path:
    rows = rows or [{"id": f"d{i}", "article": text, "references": [text.split(". ")[0] + "."]} for i, text in enumerate(ARTICLES)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_config(folder: Path, dataset: str = "docs.jsonl", models: str = "[{name: lead-2, backend: lead, sentences: 2}]", extra: str = "") -> Path:
    config = folder / "config.yaml"
    config.write_text(f"name: io\ndataset: {{path: {dataset}}}\nmodels: {models}\noutput: out\nreport: false\n{extra}", encoding="utf-8")
    return config


def files_under(folder: Path, skip: Path | None = None) -> dict[str, int]:
    """Every file below folder (relative path -> size), outside `skip`."""
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and (skip is None or skip not in path.parents)
    }


def main(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(code: int, err: str, expected_code: int = 2) -> str:
    """The one stderr line of a refused input."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == expected_code, err
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    return lines[0]


# --- the corpus: each case builds its files in `tmp` and returns (argv, fragments the one line must hold) ---

CASES: dict[str, Callable[[Path, Path], tuple[list, list[str]]]] = {}


def case(function: Callable[[Path, Path], tuple[list, list[str]]]) -> Callable[[Path, Path], tuple[list, list[str]]]:
    CASES[function.__name__] = function
    return function


def _precomputed(tmp: Path, folder_or_file: str) -> Path:
    write_docs(tmp / "docs.jsonl")
    return write_config(tmp, models=f"[{{name: pre, backend: precomputed, path: {folder_or_file}}}]")


@case
def config_not_utf8(tmp, run_dir):
    config = write_config(tmp)
    config.write_bytes(config.read_bytes().replace(b"name: io\n", b"name: io\n# caf" + BAD_BYTE + b"\n"))
    return ["run", config], [f"{config}:2: not valid UTF-8 at byte 14 (0xff)"]


@case
def jsonl_not_utf8(tmp, run_dir):
    docs = write_docs(tmp / "docs.jsonl")
    first = docs.read_bytes().index(b"\n") + 1
    docs.write_bytes(docs.read_bytes()[:first] + b'{"id": "x", "article": "caf' + BAD_BYTE + b'"}\n')
    return ["run", write_config(tmp)], [f"{docs}:2: not valid UTF-8 at byte {first + 27}"]


@case
def article_not_utf8(tmp, run_dir):
    folder = tmp / "refs" / "doc"
    (folder / "summaries").mkdir(parents=True)
    (folder / "article.txt").write_bytes(b"The council approved 12 parks.\nIt cost " + BAD_BYTE + b"4 million.\n")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'article.txt'}:2: not valid UTF-8 at byte 39"]


@case
def reference_summary_not_utf8(tmp, run_dir):
    folder = tmp / "refs" / "doc"
    (folder / "summaries").mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "summaries" / "ref.txt").write_bytes(BAD_BYTE)
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'summaries' / 'ref.txt'}:1: not valid UTF-8 at byte 0"]


@case
def facts_yaml_not_utf8(tmp, run_dir):
    folder = tmp / "refs" / "doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "facts.yaml").write_bytes(b"facts: []\n# " + BAD_BYTE + b"\n")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'facts.yaml'}:2: not valid UTF-8 at byte 12"]


def _document_folder(tmp: Path, **files: str) -> Path:
    folder = tmp / "refs" / "doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return folder


@case
def meta_yaml_control_character(tmp, run_dir):
    folder = _document_folder(tmp, meta_yaml="id: doc\ntitle: Parks\x00\n")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'meta.yaml'}:2: not valid YAML: control character U+0000 at column 13"]


@case
def facts_yaml_key_given_twice(tmp, run_dir):
    folder = _document_folder(tmp, facts_yaml="facts:\n  - {id: parks, text: '12', value: 12, value: 13}\n")
    return ["facts", folder], [f"{folder / 'facts.yaml'}:2: facts[0].value: given twice (first at line 2)"]


@case
def meta_yaml_alias_bomb(tmp, run_dir):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    folder = _document_folder(tmp, meta_yaml="\n".join(lines) + "\n")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'meta.yaml'}:", "YAML aliases expand this file to more than"]


def _docs(tmp: Path, *rows: dict) -> Path:
    (tmp / "docs.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return tmp / "docs.jsonl"


@case
def jsonl_id_true(tmp, run_dir):
    docs = _docs(tmp, {"id": "a", "article": "Parks."}, {"id": True, "article": "Parks."})  # was document 'True'
    return ["run", write_config(tmp)], [f"{docs}:2: field 'id': expected an id (text or a whole number), got true/false"]


@case
def jsonl_id_with_a_line_break(tmp, run_dir):
    docs = _docs(tmp, {"id": "a\nb", "article": "Parks."})  # would split every message naming the document
    return ["run", write_config(tmp)], [f"{docs}:1: field 'id': holds control character U+000A at character 1"]


@case
def jsonl_title_not_text(tmp, run_dir):
    docs = _docs(tmp, {"id": "a", "article": "Parks.", "title": ["Parks"]})
    return ["run", write_config(tmp)], [f"{docs}:1: document 'a': field 'title': expected text, got a list"]


@case
def jsonl_reference_ids_given_twice(tmp, run_dir):
    refs = [{"id": "r", "text": "Parks."}, {"id": "r", "text": "Twelve parks."}]  # ROUGE per reference kept only the last
    docs = _docs(tmp, {"id": "a", "article": "Parks.", "references": refs})
    return ["run", write_config(tmp)], [f"{docs}:1: document 'a': references[1]: id 'r' is also the id of references[0]"]


@case
def meta_yaml_id_not_an_id(tmp, run_dir):
    folder = _document_folder(tmp, meta_yaml="language: en\nid: [doc]\n")  # was document "['doc']"
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'meta.yaml'}:2: id: expected an id (text or a whole number), got a list"]


@case
def meta_yaml_title_not_text(tmp, run_dir):
    folder = _document_folder(tmp, meta_yaml="title: {text: Parks}\n")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'meta.yaml'}:1: title: expected text, got a mapping"]


@case
def facts_yaml_is_a_folder(tmp, run_dir):
    folder = _document_folder(tmp)
    (folder / "facts.yaml").mkdir()  # was skipped: the curated facts silently unused
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'facts.yaml'}: is a folder, expected a YAML file"]


@case
def summaries_is_a_file(tmp, run_dir):
    folder = _document_folder(tmp)
    (folder / "summaries").write_text("Twelve parks.", encoding="utf-8")  # was skipped: no references, no ROUGE
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'summaries'}: is a file, expected a folder of .txt files"]


@case
def dataset_is_a_pipe(tmp, run_dir):
    os.mkfifo(tmp / "docs.jsonl")  # was a NotADirectoryError traceback
    config = write_config(tmp)
    return ["run", config], [f"{config}:2: dataset.path: {tmp / 'docs.jsonl'} is a device, pipe or socket"]


@case
def facts_dataset_is_a_pipe(tmp, run_dir):
    os.mkfifo(tmp / "pipe")
    return ["facts", "doc-id", "--dataset", tmp / "pipe"], [f"{tmp / 'pipe'}: is a device, pipe or socket"]


@case
def precomputed_txt_not_utf8(tmp, run_dir):
    (tmp / "sums").mkdir()
    (tmp / "sums" / "d0.txt").write_bytes(b"Parks " + BAD_BYTE)
    return ["run", _precomputed(tmp, "sums")], [f"{tmp / 'sums' / 'd0.txt'}:1: not valid UTF-8 at byte 6"]


@case
def precomputed_jsonl_not_utf8(tmp, run_dir):
    (tmp / "sums.jsonl").write_bytes(b'{"doc_id": "d0", "summary": "' + BAD_BYTE + b'"}\n')
    return ["run", _precomputed(tmp, "sums.jsonl")], [f"{tmp / 'sums.jsonl'}:1: not valid UTF-8 at byte 29"]


@case
def summary_file_not_utf8(tmp, run_dir):
    (tmp / "summary.txt").write_bytes(b"Half a million " + BAD_BYTE)
    return ["facts", SEED_DIR, "--summary-file", tmp / "summary.txt"], [f"{tmp / 'summary.txt'}:1: not valid UTF-8 at byte 15"]


@case
def baseline_not_utf8(tmp, run_dir):
    (tmp / "base.json").write_bytes(b'{"format": "' + BAD_BYTE + b'"}')
    return ["check", run_dir, "--baseline", tmp / "base.json"], [f"{tmp / 'base.json'}:1: not valid UTF-8 at byte 12"]


@case
def results_scores_not_utf8(tmp, run_dir):
    scores = run_dir / store.SCORES_FILE
    scores.write_bytes(scores.read_bytes() + b'{"model": "' + BAD_BYTE + b'"}\n')
    return ["report", run_dir], [f"{scores}:2: not valid UTF-8"]


@case
def results_run_json_not_utf8(tmp, run_dir):
    (run_dir / store.RUN_FILE).write_bytes(b'{"name": "' + BAD_BYTE + b'"}')
    return ["report", run_dir], [f"{run_dir / store.RUN_FILE}:1: not valid UTF-8 at byte 10"]


@case
def jsonl_lone_surrogate_in_article(tmp, run_dir):
    (tmp / "docs.jsonl").write_text('{"id": "a", "article": "Parks \\ud800 open."}\n', encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:1: field 'article' holds a lone surrogate (U+D800"]


@case
def jsonl_lone_surrogate_in_a_reference(tmp, run_dir):
    row = '{"id": "a", "article": "Parks open.", "references": ["ok", {"id": "r", "text": "x\\udc00"}]}'
    (tmp / "docs.jsonl").write_text(row + "\n", encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:1: field 'references[1].text' holds a lone surrogate (U+DC00"]


@case
def precomputed_lone_surrogate(tmp, run_dir):
    (tmp / "sums.jsonl").write_text('{"doc_id": "d0", "summary": "\\ud83d"}\n', encoding="utf-8")
    return ["run", _precomputed(tmp, "sums.jsonl")], [f"{tmp / 'sums.jsonl'}:1: field 'summary' holds a lone surrogate"]


@case
def facts_yaml_lone_surrogate(tmp, run_dir):
    folder = tmp / "refs" / "doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "facts.yaml").write_text('facts:\n  - {id: a, text: "\\ud800"}\n', encoding="utf-8")
    return ["run", write_config(tmp, dataset="refs")], [f"{folder / 'facts.yaml'}: field 'facts[0].text' holds a lone surrogate"]


@case
def jsonl_nested_past_the_recursion_limit(tmp, run_dir):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp / "docs.jsonl").write_text(f'{{"id": "a", "article": "x"}}\n{{"id": "b", "article": "y", "facts": {deep}}}\n', encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:2: JSON nested too deeply"]


@case
def jsonl_nested_deeper_than_a_document_needs(tmp, run_dir):
    deep = "[" * 500 + "]" * 500  # json.loads manages this; what comes after might not
    (tmp / "docs.jsonl").write_text(f'{{"id": "b", "article": "y", "facts": {{"x": {deep}}}}}\n', encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:1: field 'facts.x", "nested too deeply"]


@case
def baseline_nested_too_deeply(tmp, run_dir):
    (tmp / "base.json").write_text('{"models": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    return ["check", run_dir, "--baseline", tmp / "base.json"], [f"{tmp / 'base.json'}: JSON nested too deeply"]


@case
def jsonl_integer_too_long_to_read(tmp, run_dir):
    (tmp / "docs.jsonl").write_text('{"id": 1' + "0" * 5000 + ', "article": "x"}\n', encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:1: a number has more than 4,300 digits"]


@case
def baseline_integer_too_long_to_read(tmp, run_dir):
    (tmp / "base.json").write_text('{"models": 1' + "0" * 5000 + "}", encoding="utf-8")
    return ["check", run_dir, "--baseline", tmp / "base.json"], [f"{tmp / 'base.json'}: a number has more than 4,300 digits"]


@case
def jsonl_nan_and_infinity(tmp, run_dir):
    (tmp / "docs.jsonl").write_text('{"id": "a", "article": "x"}\n{"id": "b", "article": "y", "score": 1e400}\n', encoding="utf-8")
    return ["run", write_config(tmp)], [f"{tmp / 'docs.jsonl'}:2: field 'score' is inf, not a finite number", "write null"]


@case
def baseline_metric_nan(tmp, run_dir):
    argv = _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"]["metrics"].update({"rouge.rougeL.fmeasure": 0.123456789}))
    (tmp / "base.json").write_text((tmp / "base.json").read_text(encoding="utf-8").replace("0.123456789", "NaN"), encoding="utf-8")
    return argv, [f"{tmp / 'base.json'}: field 'models.lead-3.metrics.rouge.rougeL.fmeasure' is nan, not a finite number"]


# filesystem


@case
def output_is_a_file(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")
    (tmp / "taken").write_text("not a folder")
    return ["run", write_config(tmp), "--output", tmp / "taken"], [f"output: {tmp / 'taken'} is a file, not a folder"]


@case
def output_below_a_file(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")
    (tmp / "taken").write_text("not a folder")
    return ["run", write_config(tmp), "--output", tmp / "taken" / "deeper"], [f"output: {tmp / 'taken'} is a file, not a folder"]


@case
def run_folder_is_a_file(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")
    (tmp / "out").mkdir()
    (tmp / "out" / "io").write_text("not a run folder")
    return ["run", write_config(tmp)], [f"output: {tmp / 'out' / 'io'} is a file, not a run folder"]


@case
def output_not_writable(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")  # /sys refuses new folders even to root, where chmod would not
    return ["run", write_config(tmp), "--output", "/sys/harness-test-output"], ["output: cannot create the folder /sys/harness-test-output"]


@case
def cache_path_is_a_file(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")
    (tmp / "cachefile").write_text("not a folder")
    return ["run", write_config(tmp, extra="cache: cachefile\n")], [f"cache: {tmp / 'cachefile'} is a file, not a folder"]


@case
def cache_database_is_a_folder(tmp, run_dir):
    write_docs(tmp / "docs.jsonl")
    (tmp / "out" / ".cache" / "generations.sqlite").mkdir(parents=True)
    return ["run", write_config(tmp)], [f"cache: {tmp / 'out' / '.cache' / 'generations.sqlite'} is a folder"]


@case
def baseline_out_is_a_folder(tmp, run_dir):
    (tmp / "baselines").mkdir()
    return ["baseline", run_dir, "--out", tmp / "baselines"], [f"{tmp / 'baselines'}: is a folder; give the name of a file"]


@case
def baseline_out_is_a_pipe(tmp, run_dir):
    os.mkfifo(tmp / "pipe")  # as /dev/null: renaming a file over it would replace the device for every program
    return ["baseline", run_dir, "--out", tmp / "pipe"], [f"{tmp / 'pipe'}: is a device, pipe or socket, not a file"]


@case
def report_out_is_a_file(tmp, run_dir):
    (tmp / "report").write_text("a file")
    return ["report", run_dir, "--out", tmp / "report"], [f"{tmp / 'report'} is a file, not a folder"]


@case
def report_max_documents_negative(tmp, run_dir):
    return ["report", run_dir, "--max-documents", "-1"], ["--max-documents: must be 0 or more"]


# malformed baselines


def _baseline(tmp: Path, run_dir: Path, change: Callable[[dict], object]) -> list:
    baseline = make_baseline(store.read_run(run_dir))
    change(baseline)
    (tmp / "base.json").write_text(json.dumps(baseline), encoding="utf-8")
    return ["check", run_dir, "--baseline", tmp / "base.json"]


@case
def baseline_models_is_a_list(tmp, run_dir):
    return _baseline(tmp, run_dir, lambda b: b.update(models=[])), [f"{tmp / 'base.json'}: field 'models' must be an object (found a list)"]


@case
def baseline_with_no_models(tmp, run_dir):
    return _baseline(tmp, run_dir, lambda b: b.update(models={})), [f"{tmp / 'base.json'}: field 'models' is empty"]


@case
def baseline_with_only_its_format(tmp, run_dir):
    (tmp / "base.json").write_text('{"format": "summarization-harness-baseline/1"}', encoding="utf-8")
    return ["check", run_dir, "--baseline", tmp / "base.json"], [f"{tmp / 'base.json'}: field 'models' is missing"]


@case
def baseline_with_no_documents(tmp, run_dir):
    return _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"].update(documents={})), [f"{tmp / 'base.json'}: field 'models' holds no documents"]


@case
def baseline_key_fact_without_label(tmp, run_dir):
    argv = _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"]["documents"]["syria-talks"]["facts"]["key_facts"]["war-dead"].pop("label"))
    return argv, [f"{tmp / 'base.json'}: field 'models.lead-3.documents.syria-talks.facts.key_facts.war-dead.label' is missing"]


@case
def baseline_rouge_of_the_wrong_type(tmp, run_dir):
    argv = _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"]["metrics"].update({"rouge.rougeL.fmeasure": "high"}))
    return argv, [f"{tmp / 'base.json'}: field 'models.lead-3.metrics.rouge.rougeL.fmeasure' must be an integer or a number or null (found a string)"]


@case
def baseline_claims_not_a_list(tmp, run_dir):
    argv = _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"]["documents"]["syria-talks"]["facts"].update(claims={"a": 1}))
    return argv, [f"{tmp / 'base.json'}: field 'models.lead-3.documents.syria-talks.facts.claims' must be a list (found an object)"]


@case
def baseline_claim_verdict_missing(tmp, run_dir):
    argv = _baseline(tmp, run_dir, lambda b: b["models"]["lead-3"]["documents"]["syria-talks"]["facts"]["claims"][0].pop("verdict"))
    return argv, [f"{tmp / 'base.json'}: field 'models.lead-3.documents.syria-talks.facts.claims[0].verdict' is missing"]


@case
def baseline_not_json(tmp, run_dir):
    (tmp / "base.json").write_text('{"format": ', encoding="utf-8")
    return ["check", run_dir, "--baseline", tmp / "base.json"], [f"{tmp / 'base.json'}: not valid JSON (Expecting value at line 1 column 12)"]


# malformed results folders


def _rewrite_rows(path: Path, change: Callable[[list[dict]], object]) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    change(rows)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@case
def run_json_is_a_list(tmp, run_dir):
    (run_dir / store.RUN_FILE).write_text("[]", encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.RUN_FILE}: expected a JSON object (found a list)"]


@case
def run_json_name_of_the_wrong_type(tmp, run_dir):
    run_json = json.loads((run_dir / store.RUN_FILE).read_text(encoding="utf-8"))
    (run_dir / store.RUN_FILE).write_text(json.dumps({**run_json, "name": ["x"]}), encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.RUN_FILE}: field 'name' must be a string (found a list)"]


@case
def scores_row_without_model(tmp, run_dir):
    _rewrite_rows(run_dir / store.SCORES_FILE, lambda rows: rows[0].pop("model"))
    return ["report", run_dir], [f"{run_dir / store.SCORES_FILE}:1: field 'model' is missing"]


@case
def scores_row_model_of_the_wrong_type(tmp, run_dir):
    _rewrite_rows(run_dir / store.SCORES_FILE, lambda rows: rows[0].update(model=5))
    return ["check", run_dir, "--max-contradicted", "0"], [f"{run_dir / store.SCORES_FILE}:1: field 'model' must be a string (found an integer)"]


@case
def scores_scorer_column_not_an_object(tmp, run_dir):
    _rewrite_rows(run_dir / store.SCORES_FILE, lambda rows: rows[0].update(rouge="0.5"))
    return ["baseline", run_dir, "--out", tmp / "b.json"], [f"{run_dir / store.SCORES_FILE}:1: field 'rouge' must be an object or null (found a string)"]


@case
def scores_row_not_an_object(tmp, run_dir):
    (run_dir / store.SCORES_FILE).write_text("[1, 2]\n", encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.SCORES_FILE}:1: expected a JSON object (found a list)"]


@case
def generations_line_not_json(tmp, run_dir):
    path = run_dir / store.GENERATIONS_FILE
    path.write_text(path.read_text(encoding="utf-8") + "{nope\n", encoding="utf-8")
    return ["report", run_dir], [f"{path}:2: not valid JSON"]


@case
def documents_row_without_article(tmp, run_dir):
    _rewrite_rows(run_dir / store.DOCUMENTS_FILE, lambda rows: rows[0].pop("article"))
    return ["report", run_dir], [f"{run_dir / store.DOCUMENTS_FILE}:1: field 'article' is missing"]


@case
def summary_models_is_a_list(tmp, run_dir):
    (run_dir / store.SUMMARY_FILE).write_text('{"documents": 1, "models": []}', encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.SUMMARY_FILE}: field 'models' must be an object (found a list)"]


@case
def summary_model_entry_is_a_number(tmp, run_dir):
    (run_dir / store.SUMMARY_FILE).write_text('{"documents": 1, "models": {"lead-3": 3}}', encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.SUMMARY_FILE}: field 'models.lead-3' must be an object (found an integer)"]


@case
def scores_nested_too_deeply(tmp, run_dir):
    (run_dir / store.SCORES_FILE).write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    return ["report", run_dir], [f"{run_dir / store.SCORES_FILE}:1: JSON nested too deeply"]


@case
def results_folder_missing(tmp, run_dir):
    return ["report", tmp / "nothing-here"], [f"{tmp / 'nothing-here'}: not a results directory"]


@case
def check_with_nothing_to_check(tmp, run_dir):
    return ["check", run_dir], [f"{run_dir}: nothing to check: no baseline and no gate threshold"]


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_2(name, tmp_path, good_run, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_dir = tmp_path / "run" / "good"
    shutil.copytree(good_run, run_dir)
    argv, fragments = CASES[name](tmp_path, run_dir)
    before = files_under(tmp_path, skip=tmp_path / "out")
    code, _, err = main(capsys, *argv)
    line = one_line(code, err)
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert files_under(tmp_path, skip=tmp_path / "out") == before, "wrote outside the output folder"


# --- more than one line of behaviour ------------------------------------------------------------------


def test_output_is_checked_before_any_model_runs(tmp_path, capsys, monkeypatch):
    from harness import runner

    write_docs(tmp_path / "docs.jsonl")
    (tmp_path / "taken").write_text("a file")
    monkeypatch.setattr(runner, "generate", lambda *a, **k: pytest.fail("a model ran before the output was checked"))
    code, _, err = main(capsys, "run", write_config(tmp_path), "--output", tmp_path / "taken")
    assert "is a file, not a folder" in one_line(code, err)


def test_a_corrupt_cache_is_moved_aside_with_a_warning(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl")
    cache = tmp_path / "out" / ".cache"
    cache.mkdir(parents=True)
    (cache / "generations.sqlite").write_bytes(b"this is not a database" * 100)
    code, _, err = main(capsys, "run", write_config(tmp_path))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "cache" in line]
    assert len(warnings) == 1 and "is not a generation cache" in warnings[0] and "started a fresh cache" in warnings[0], err
    aside = [p for p in cache.iterdir() if p.name.startswith("generations.sqlite.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == b"this is not a database" * 100
    assert aside[0].name in warnings[0]
    code, out, err = main(capsys, "run", write_config(tmp_path))  # the fresh cache works
    assert code == 0 and "2 from cache" in out, err


def test_a_foreign_database_is_moved_aside_not_written_into(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl")
    cache = tmp_path / "out" / ".cache"
    cache.mkdir(parents=True)
    with sqlite3.connect(cache / "generations.sqlite") as db:
        db.execute("CREATE TABLE generations (id INTEGER, text TEXT)")
    code, _, err = main(capsys, "run", write_config(tmp_path))
    assert code == 0 and "foreign schema: generations(id, text)" in err, err
    aside = next(p for p in cache.iterdir() if p.name.startswith("generations.sqlite.corrupt-") and not p.name.endswith(("-wal", "-shm")))
    with sqlite3.connect(aside) as db:
        assert [row[1] for row in db.execute("PRAGMA table_info(generations)")] == ["id", "text"]


def test_failed_lines_are_not_wrapped_off_a_terminal(tmp_path, capsys):
    deep = tmp_path / ("a-long-folder-name-" * 4) / ("another-long-folder-name-" * 4)
    deep.mkdir(parents=True)
    write_docs(deep / "docs.jsonl")
    (deep / "sums.jsonl").write_text('{"doc_id": "d0", "summary": "The council approved 12 new parks."}\n', encoding="utf-8")
    config = write_config(deep, models="[{name: pre, backend: precomputed, path: sums.jsonl}]")
    code, _, err = main(capsys, "run", config)
    assert code == 1
    failed = [line for line in err.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, err
    assert f"{deep / 'sums.jsonl'} has no summary for document 'd1'" in failed[0] and len(failed[0]) > 200


def test_report_md_makes_no_html_live(tmp_path, good_run):
    hostile = "<img src=x onerror=alert(1)>"
    run_dir = tmp_path / "good"
    shutil.copytree(good_run, run_dir)
    run_json = json.loads((run_dir / store.RUN_FILE).read_text(encoding="utf-8"))
    run_json.update(name=f"x{hostile}`y", created=hostile)
    run_json["signatures"] = {"rouge": f"rouge|``{hostile}"}
    (run_dir / store.RUN_FILE).write_text(json.dumps(run_json), encoding="utf-8")
    _rewrite_rows(run_dir / store.SCORES_FILE, lambda rows: rows[0].update(summary=f"Talks resume. {hostile} <script>x</script>"))
    _rewrite_rows(run_dir / store.DOCUMENTS_FILE, lambda rows: rows[0]["references"][0].update(text=hostile))
    write_report([run_dir])
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").render(markdown)  # the CommonMark preset renders raw HTML when it is there
    assert "<script" not in html and "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert all(src.startswith("report_files/") for src in re.findall(r'<img src="([^"]*)"', html))  # only the charts
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text, not dropped
    assert html.count("onerror") >= 4  # name, created, signature, summary, reference: all still visible


def test_the_lock_names_its_holder_and_a_second_run_exits_2(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl")
    config = write_config(tmp_path)
    with store.lock_run_dir(tmp_path / "out" / "io"):  # as a run in progress holds it
        code, _, err = main(capsys, "run", config)
        line = one_line(code, err)
    assert "another run is writing this folder" in line and "held by pid " in line and " since 20" in line
    assert not (tmp_path / "out" / "io").exists()
    code, _, err = main(capsys, "run", config)  # released: the next run goes ahead
    assert code == 0, err
    assert not (tmp_path / "out" / ".io.lock").exists()


def test_a_stale_lock_file_is_taken_over(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".io.lock").write_text('{"pid": 999999999, "host": "gone", "since": "2001-01-01"}\n')
    code, _, err = main(capsys, "run", write_config(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".cache", "io"]


def test_leftovers_of_a_killed_swap_are_recovered_by_a_reader(tmp_path, good_run, capsys):
    """Killed between the renames: the run folder is gone, its previous version is .NAME.old-PID."""
    shutil.copytree(good_run, tmp_path / ".good.old-4242")
    shutil.copytree(good_run, tmp_path / ".good.tmp-4242")  # the staged folder, never promoted
    (tmp_path / ".good.abcd1234.tmp").mkdir()  # the staging name of earlier versions
    (tmp_path / ".good.json.abcd1234.tmp").write_text("not ours: a file")  # an atomic write of another file
    code, _, err = main(capsys, "report", tmp_path / "good")
    assert code == 0, err
    assert "restored the previous run folder from .good.old-4242" in err
    assert (tmp_path / "good" / "report.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".good.json.abcd1234.tmp", "good"]


def test_invalid_utf8_helpers_name_line_and_byte(tmp_path):
    from harness.errors import HarnessError
    from harness.textio import iter_lines, read_text

    path = tmp_path / "x.txt"
    path.write_bytes("ok\nné\n".encode() + b"bad \xc3\x28 here\n")
    with pytest.raises(HarnessError, match=r"x.txt:3: not valid UTF-8 at byte 11 \(0xc3\)"):
        read_text(path)
    with pytest.raises(HarnessError, match=r"x.txt:3: not valid UTF-8 at byte 11 \(0xc3\)"):
        list(iter_lines(path))
    path.write_bytes(b"\xef\xbb\xbfhello")  # a byte-order mark is not part of the text
    assert read_text(path) == "hello" and list(iter_lines(path)) == [(1, "hello")]


def test_a_lone_surrogate_in_a_config_is_refused_before_the_run(tmp_path, capsys):
    write_docs(tmp_path / "docs.jsonl")
    config = write_config(tmp_path, extra='description: "caf\\udce9"\n')
    code, _, err = main(capsys, "validate", config)
    assert f"{config}: field 'description' holds a lone surrogate (U+DCE9" in one_line(code, err)


def test_yaml_aliases_cannot_multiply_a_facts_file(tmp_path, capsys):
    folder = tmp_path / "refs" / "doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    (folder / "facts.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")  # 10^9 values once expanded
    started = time.perf_counter()
    code, _, err = main(capsys, "run", write_config(tmp_path, dataset="refs"))
    assert f"{folder / 'facts.yaml'}:9: i[0]: YAML aliases expand this file to more than 100,000 values" in one_line(code, err)
    assert time.perf_counter() - started < 30  # refused while reading, not after expanding


def test_a_self_referencing_alias_is_refused(tmp_path, capsys):
    folder = tmp_path / "refs" / "doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(ARTICLES[0], encoding="utf-8")
    (folder / "facts.yaml").write_text("loop: &loop [*loop]\n", encoding="utf-8")
    code, _, err = main(capsys, "run", write_config(tmp_path, dataset="refs"))
    assert f"{folder / 'facts.yaml'}:1: an alias refers to a value that contains it (a recursive YAML alias)" in one_line(code, err)


def test_a_lone_surrogate_in_a_key_is_named_printably(tmp_path, capsys):
    (tmp_path / "docs.jsonl").write_text('{"id": "a", "article": "Parks.", "\\ud800": 1}\n', encoding="utf-8")
    code, _, err = main(capsys, "run", write_config(tmp_path))
    assert "field '\\ud800' holds a lone surrogate" in one_line(code, err)


def test_a_full_disk_while_writing_keeps_the_previous_run(tmp_path, capsys, monkeypatch):
    import errno

    write_docs(tmp_path / "docs.jsonl")
    config = write_config(tmp_path)
    assert main(capsys, "run", config)[0] == 0
    before = (tmp_path / "out" / "io" / store.RUN_FILE).read_text(encoding="utf-8")

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_write_synced", full)
    code, _, err = main(capsys, "run", config)
    errors = [line for line in err.splitlines() if line.startswith("error:")]  # after the progress bar's line
    assert code == 2 and "Traceback" not in err and len(errors) == 1, err
    assert "io: cannot write the run folder (No space left on device)" in errors[0]
    assert (tmp_path / "out" / "io" / store.RUN_FILE).read_text(encoding="utf-8") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".cache", "io"]


BAD_ARGUMENTS = [
    # argparse printed a usage block and the error on 3+ lines; one line now, naming the command and the argument
    (["run"], "error: harness run: the following arguments are required: config (see harness run --help)"),
    (["run", "c.yaml", "--limit", "x"], "error: harness run: argument --limit: invalid int value: 'x' (see harness run --help)"),
    (["frobnicate"], "error: harness: argument COMMAND: invalid choice: 'frobnicate'"),
    # nan and inf made every gate comparison pass
    (["check", "RUN", "--max-rouge-drop", "nan"], "error: harness check: argument --max-rouge-drop: expected a finite number, got 'nan'"),
    (["check", "RUN", "--min-key-fact-recall", "inf"], "error: harness check: argument --min-key-fact-recall: expected a finite number, got 'inf'"),
    (["check", "RUN", "--min", "rouge.rougeL.fmeasure=nan"], "error: --min rouge.rougeL.fmeasure=nan: expected METRIC=NUMBER with a finite number"),
    (["check", "RUN", "--max", "=0"], "error: --max =0: expected METRIC=NUMBER"),
    # an empty path quietly meant the current folder
    (["run", "c.yaml", "--output", ""], 'error: harness run: argument --output: is empty; give a path ("." for the current folder)'),
    (["report", ""], 'error: harness report: argument RUN_DIR: is empty; give a path ("." for the current folder)'),
    # both summaries: one was silently ignored
    (["facts", "DOC", "--summary", "Half a million died.", "--summary-file", "s.txt"],
     "error: harness facts: argument --summary-file: not allowed with argument --summary"),
]


@pytest.mark.parametrize(("argv", "expected"), BAD_ARGUMENTS)
def test_bad_arguments_are_one_line_and_exit_2(argv, expected, good_run, capsys):
    argv = [str(good_run) if a == "RUN" else str(SEED_DIR) if a == "DOC" else a for a in argv]
    try:
        code = cli.main(argv)
    except SystemExit as stop:  # argparse's own errors leave through sys.exit
        code = stop.code
    line = one_line(code, capsys.readouterr().err)
    assert line.startswith(expected), line
