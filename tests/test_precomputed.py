"""The precomputed backend: summaries read from a JSONL file or a folder, scored like any model's."""

import json

import pytest
from helpers import ROOT, run_cli

from harness.config import load_config
from harness.errors import HarnessError
from harness.runner import run


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def config(write_config, dataset, tmp_path, *models: str) -> str:
    entries = "".join(f"  - {model}\n" for model in models)
    return write_config(
        f"name: t\ndataset: {{path: {dataset}}}\noutput: {tmp_path / 'out'}\nmodels:\n{entries}"
        "metrics: {rouge: {bootstrap: 0}, facts: {bootstrap: 0}}\n"
    )


def test_summaries_from_jsonl_are_matched_by_id_and_scored(write_config, jsonl_dataset, tmp_path):
    outputs = write_jsonl(tmp_path / "outputs.jsonl", [
        {"id": "doc-1", "summary": "  Second summary.  "},
        {"id": "doc-0", "summary": "First summary."},
        {"id": "other-dataset-doc", "summary": "Not in this dataset: ignored."},
    ])
    result = run(load_config(config(write_config, jsonl_dataset(2), tmp_path, f"{{name: sys, backend: precomputed, path: {outputs}}}")))
    assert [(g.doc_id, g.summary) for g in result.generations] == [("doc-0", "First summary."), ("doc-1", "Second summary.")]
    assert result.generations[0].meta == {"source": f"{outputs}:2"} and result.generations[0].seconds is None
    assert all("rouge" in row and "facts" in row for row in result.scores)


def test_field_names_and_where_pick_one_system_from_a_shared_file(write_config, jsonl_dataset, tmp_path):
    outputs = write_jsonl(tmp_path / "judged.jsonl", [
        {"article_id": "doc-0", "system": "bart", "text": "Bart's summary."},
        {"article_id": "doc-0", "system": "pegasus", "text": "Pegasus's summary."},
    ])
    model = f"{{name: pegasus, backend: precomputed, path: {outputs}, id_field: article_id, summary_field: text, where: {{system: pegasus}}}}"
    result = run(load_config(config(write_config, jsonl_dataset(1), tmp_path, model)))
    assert result.generations[0].summary == "Pegasus's summary."
    listed = f"{{name: listed, backend: precomputed, path: {outputs}, id_field: article_id, summary_field: text, where: {{system: [pegasus, t5]}}}}"
    assert run(load_config(config(write_config, jsonl_dataset(1), tmp_path, listed))).generations[0].summary == "Pegasus's summary."
    unfiltered = f"{{name: both, backend: precomputed, path: {outputs}, id_field: article_id, summary_field: text}}"
    with pytest.raises(HarnessError, match=r"judged.jsonl:2: document 'doc-0' already has a summary at .*judged.jsonl:1 \(model 'both'; narrow the rows with where:\)"):
        run(load_config(config(write_config, jsonl_dataset(1), tmp_path, unfiltered)))


def test_folder_of_text_files(write_config, jsonl_dataset, tmp_path):
    folder = tmp_path / "outputs"
    folder.mkdir()
    (folder / "doc-0.txt").write_text("From a text file.\n", encoding="utf-8")
    (folder / "notes.md").write_text("not a summary", encoding="utf-8")
    result = run(load_config(config(write_config, jsonl_dataset(1), tmp_path, f"{{name: sys, backend: precomputed, path: {folder}}}")))
    assert result.generations[0].summary == "From a text file."


def test_a_document_the_file_lacks_fails_alone_and_the_run_exits_1(write_config, jsonl_dataset, tmp_path):
    outputs = write_jsonl(tmp_path / "outputs.jsonl", [{"doc_id": "doc-0", "summary": "Only the first."}])
    path = config(write_config, jsonl_dataset(2), tmp_path, f"{{name: sys, backend: precomputed, path: {outputs}}}", "{name: lead-1, backend: lead, sentences: 1}")
    result = run(load_config(path))
    failed = next(g for g in result.generations if g.model == "sys" and g.doc_id == "doc-1")
    assert failed.error == f"{outputs} has no summary for document 'doc-1'"
    assert all(g.error is None for g in result.generations if g.model == "lead-1")
    process = run_cli("run", str(path))
    assert process.returncode == 1
    assert "4 summaries: 0 generated, 1 read from files, 2 from cache, 1 failed" in " ".join(process.stdout.split())
    assert "model 'sys' (1 document(s)): 1 document(s) failed; first: doc-1:" in " ".join(process.stderr.split())


def test_nothing_is_cached_so_an_edited_file_is_read_again(write_config, jsonl_dataset, tmp_path):
    outputs = write_jsonl(tmp_path / "outputs.jsonl", [{"doc_id": "doc-0", "summary": "Before."}])
    path = config(write_config, jsonl_dataset(1), tmp_path, f"{{name: sys, backend: precomputed, path: {outputs}}}")
    assert run(load_config(path)).generations[0].summary == "Before."
    write_jsonl(outputs, [{"doc_id": "doc-0", "summary": "After."}])
    again = run(load_config(path))
    assert again.generations[0].summary == "After." and not again.generations[0].cached


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"doc_id": "doc-0", "summary": "ok"}\n{"doc_id": "doc-1", summary}\n', r"outputs.jsonl:2: not valid JSON"),
        ('{"doc_id": "doc-0", "summary": 3}\n', r"outputs.jsonl:1: field 'summary' must be a string \(model 'sys'\)"),
        ('{"summary": "no id"}\n', r"outputs.jsonl:1: field 'doc_id' \(the document id\) is missing or empty"),
    ],
)
def test_bad_files_are_one_line_errors_before_any_model_runs(write_config, jsonl_dataset, tmp_path, content, message):
    (tmp_path / "outputs.jsonl").write_text(content, encoding="utf-8")
    path = config(write_config, jsonl_dataset(1), tmp_path, "{name: lead-1, backend: lead}", "{name: sys, backend: precomputed, path: outputs.jsonl}")
    with pytest.raises(HarnessError, match=message):
        run(load_config(path))
    assert not (tmp_path / "out" / "t").exists()


def test_missing_file_exits_2_naming_model_and_path(write_config, jsonl_dataset, tmp_path):
    path = config(write_config, jsonl_dataset(1), tmp_path, "{name: sys, backend: precomputed, path: nowhere.jsonl}")
    process = run_cli("run", str(path))
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert f"config.yaml:5: models[0].path: model 'sys': path: {tmp_path / 'nowhere.jsonl'} does not exist" in " ".join(process.stderr.split())


def test_shipped_config_catches_the_careless_editor(tmp_path):
    result = run(load_config(ROOT / "configs" / "precomputed.yaml").with_output(tmp_path))
    models = result.summary["models"]
    assert models["careful-editor"]["facts"]["key_fact_recall"]["mean"] == 1.0
    assert models["careless-editor"]["facts"]["key_fact_recall"]["mean"] == 0.0
    careless = next(row for row in result.scores if row["model"] == "careless-editor")
    contradicted = {claim["claim"]: claim["evidence"] for claim in careless["facts"]["claims"] if claim["verdict"] == "contradicted"}
    assert set(contradicted) == {"Some 275,000", "a million"}
    assert contradicted["Some 275,000"].startswith("Roughly 275,000 civilians are trapped")  # the article sentence that shows it


def test_each_expands_one_entry_into_one_model_per_system(tmp_path, capsys):
    """Published outputs come as one long file with a system column: one entry gives one model per system."""
    from harness.cli import main
    from harness.config import load_config
    from harness.runner import run

    article = "The storm cut power to 30,000 homes on Tuesday. Crews restored most lines by noon on Wednesday."
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps({"id": f"d{i}", "article": article, "references": ["The storm cut power to 30,000 homes."]}) + "\n" for i in range(3)))
    rows = [{"doc_id": f"d{i}", "system": system, "summary": text} for i in range(3)
            for system, text in (("bart", "The storm cut power to 30,000 homes."), ("pointer gen", "The storm cut power to 40,000 homes."))]  # fmt: skip
    (tmp_path / "systems.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    config = tmp_path / "c.yaml"
    config.write_text("name: many\ndataset: {path: docs.jsonl}\nmodels:\n  - {name: published, backend: precomputed, path: systems.jsonl, each: system}\n"
                      "  - {name: lead-1, backend: lead, sentences: 1}\nreport: false\ncache: false\n")  # fmt: skip
    result = run(load_config(config))
    assert list(result.summary["models"]) == ["bart", "pointer-gen", "lead-1"]
    assert result.summary["models"]["bart"]["facts"]["contradicted"] == 0 and result.summary["models"]["pointer-gen"]["facts"]["contradicted"] == 3
    # a field no row has, and a name clash with another entry, are one line pointing at the entry
    config.write_text("name: many\ndataset: {path: docs.jsonl}\nmodels:\n  - {name: published, backend: precomputed, path: systems.jsonl, each: sytem}\n")
    assert main(["validate", str(config)]) == 2
    assert f"{config}:4: models[0].each: model 'published': each: no row of" in capsys.readouterr().err
    config.write_text("name: many\ndataset: {path: docs.jsonl}\nmodels:\n  - {name: bart, backend: lead}\n  - {name: p, backend: precomputed, path: systems.jsonl, each: system}\n")
    assert main(["validate", str(config)]) == 2
    assert f"{config}:5: models[1].name: model name 'bart' is used twice" in capsys.readouterr().err
