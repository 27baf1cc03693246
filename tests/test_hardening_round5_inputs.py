"""QA round 5, inputs: paths a run would delete or could not record, worker counts past any machine, ids and
seeds that one place refused and another took, `where` that took 1 for true, precomputed `each:` systems
merged or dropped without a word, and rich's emoji codes rewriting what the command line says. Each bad input
is exit 2 and one line naming file, line and field, before any model runs, and whatever was there survives."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from helpers import refused, snapshot

from harness import cli
from harness.config import MAX_WORKERS, load_config
from harness.dataset import load_dataset
from harness.documents import read_documents
from harness.errors import HarnessError
from harness.runner import check_config

DOCS = [{"id": f"doc-{i}", "article": f"Article {i} opens here. It has two sentences.", "references": ["A reference."]} for i in range(3)]
FAST = "report: false\nmetrics: {rouge: {bootstrap: 0}, facts: {bootstrap: 0}}\n"
LEAD = "models:\n  - {name: a, backend: lead}\n"
BAD_BYTE = os.fsdecode(b"\xff")  # how Python names a file-name byte that is not UTF-8: a surrogate escape


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """rows as a JSON Lines file (folders made as needed); returns path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_config(folder: Path, body: str, name: str = "config.yaml") -> Path:
    """A config file of body in folder (made as needed); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def ran(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """Run the CLI; assert exit 0 and return what it printed."""
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)
    return out + err


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A folder with a three-document dataset, docs.jsonl."""
    write_jsonl(tmp_path / "docs.jsonl", DOCS)
    return tmp_path


# F3. a run replaces OUTPUT/NAME whole: no input, cache or config of the run may lie inside it

INSIDE = "lies inside the run folder {run} (OUTPUT/NAME), which every run deletes and writes anew, so it would be lost"


def test_a_config_kept_inside_its_own_run_folder_is_refused_and_survives(project, capsys):
    """QA case 15: after a first run the user keeps the config and its dataset with the results."""
    ran(capsys, "run", write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}"))
    run_dir = project / "out" / "c"
    write_jsonl(run_dir / "mydata.jsonl", DOCS)
    config = write_config(run_dir, f"name: c\ndataset: {{path: mydata.jsonl}}\n{FAST}output: ..\n{LEAD}", "c.yaml")
    before = snapshot(run_dir)
    for command in ("validate", "run"):
        line = refused(capsys, command, config)
        assert line == f"{config}:5: output: this config file {INSIDE.format(run=run_dir)}; move it out of that folder, or change output or name"
    assert snapshot(run_dir) == before  # c.yaml and mydata.jsonl are still there


def test_a_dataset_inside_the_run_folder_is_refused_naming_its_line(project, capsys):
    ran(capsys, "run", write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}"))
    data = write_jsonl(project / "out" / "c" / "kept.jsonl", DOCS)
    config = write_config(project, f"name: c\ndataset: {{path: out/c/kept.jsonl}}\noutput: out\n{FAST}{LEAD}")
    before = snapshot(project / "out")
    line = refused(capsys, "run", config)
    assert line.startswith(f"{config}:2: dataset.path: {data} {INSIDE.format(run=project / 'out' / 'c')}")
    assert snapshot(project / "out") == before


def test_a_cache_inside_the_run_folder_is_refused_before_the_first_run(project, capsys):
    """QA case 23: every run made the cache, then deleted it with the old run folder, so nothing was ever cached."""
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\ncache: out/c/mycache\n{FAST}{LEAD}")
    for command in ("validate", "run"):
        line = refused(capsys, command, config)
        assert line.startswith(f"{config}:4: cache: {project / 'out' / 'c' / 'mycache'} lies inside the run folder")
    assert not (project / "out").exists()  # refused before anything was made


def test_a_cache_beside_the_run_folder_is_kept_between_runs(project, capsys):
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\ncache: out/mycache\n{FAST}{LEAD}")
    ran(capsys, "run", config)
    assert "3 from cache" in ran(capsys, "run", config)


def test_precomputed_summaries_and_a_baseline_inside_the_run_folder_are_refused(project, capsys):
    ran(capsys, "run", write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}"))
    run_dir = project / "out" / "c"
    rows = [{"doc_id": doc["id"], "summary": "A summary."} for doc in DOCS]
    write_jsonl(run_dir / "outputs.jsonl", rows)
    models = "models:\n  - {name: p, backend: precomputed, path: out/c/outputs.jsonl}\n"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{models}")
    assert refused(capsys, "validate", config).startswith(f"{config}:7: models[0].path: {run_dir / 'outputs.jsonl'} lies inside the run folder")
    (run_dir / "base.json").write_text("{}", encoding="utf-8")
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\ngates: {{baseline: out/c/base.json}}\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config).startswith(f"{config}:4: gates.baseline: {run_dir / 'base.json'} lies inside the run folder")


def test_output_given_on_the_command_line_is_checked_too(project, capsys):
    """--output moves the run folder: an input it would then surround is refused, and --output is named."""
    ran(capsys, "run", write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}"), "--output", project / "elsewhere")
    data = write_jsonl(project / "elsewhere" / "c" / "kept.jsonl", DOCS)
    config = write_config(project / "cfg", f"name: c\ndataset: {{path: ../elsewhere/c/kept.jsonl}}\noutput: out\n{FAST}{LEAD}")
    ran(capsys, "validate", config)  # the config's own output is elsewhere
    before = snapshot(project / "elsewhere")
    line = refused(capsys, "run", config, "--output", project / "elsewhere")
    assert line.startswith(f"{config}:2: dataset.path: {data} lies inside the run folder {project / 'elsewhere' / 'c'}")
    assert line.endswith("move it out of that folder, or give another --output")
    assert snapshot(project / "elsewhere") == before


def test_a_link_that_leads_into_the_run_folder_counts(project, capsys):
    ran(capsys, "run", write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}"))
    write_jsonl(project / "out" / "c" / "kept.jsonl", DOCS)
    (project / "link.jsonl").symlink_to(project / "out" / "c" / "kept.jsonl")
    config = write_config(project, f"name: c\ndataset: {{path: link.jsonl}}\noutput: out\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config).startswith(f"{config}:2: dataset.path: {project / 'link.jsonl'} lies inside the run folder")


def test_a_run_folder_beside_its_config_and_inputs_is_fine(project, capsys):
    """The usual layout (output: . beside the config, the dataset and a precomputed file) runs again and again."""
    write_jsonl(project / "outputs.jsonl", [{"doc_id": doc["id"], "summary": "A summary."} for doc in DOCS])
    models = "models:\n  - {name: p, backend: precomputed, path: outputs.jsonl}\n"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: .\n{FAST}{models}")
    ran(capsys, "run", config)
    ran(capsys, "run", config)
    assert (project / "c" / "run.json").is_file() and (project / "outputs.jsonl").is_file()


# F7. a path that is not UTF-8 cannot be recorded in run.json: refused before any model runs


def test_a_config_in_a_folder_whose_name_is_not_utf8_is_refused(project, capsys):
    folder = project / f"cfg{BAD_BYTE}"
    write_jsonl(folder / "docs.jsonl", DOCS)
    config = write_config(folder, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}")
    shown = str(config).replace(BAD_BYTE, "\\xff")
    for command in ("validate", "run"):
        line = refused(capsys, command, config)
        assert line == (f"harness {command}: argument config: {shown} holds byte 0xff, which is not UTF-8, and results record their paths "
                        f"as UTF-8 text; rename it using UTF-8 characters only (see harness {command} --help)")  # fmt: skip
    with pytest.raises(HarnessError, match=r"cfg\\xff/config.yaml: the config's path holds byte 0xff, which is not UTF-8"):
        load_config(config)  # the Python API (and the pytest plugin) too
    assert not (folder / "out").exists()


def test_an_output_whose_name_is_not_utf8_is_refused(project, capsys):
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}")
    output = project / f"o{BAD_BYTE}ut"
    line = refused(capsys, "run", config, "--output", output)
    assert line.startswith(f"harness run: argument --output: {str(output).replace(BAD_BYTE, chr(92) + 'xff')} holds byte 0xff, which is not UTF-8")
    with pytest.raises(HarnessError, match=r"^--output: .*o\\xffut holds byte 0xff, which is not UTF-8"):
        load_config(config).with_output(output)
    assert not output.exists()


# F11. workers: a bound, with its reason, the same from the config and from --workers


def test_workers_past_the_limit_are_refused_in_the_config_and_on_the_command_line(project, capsys):
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\nworkers: 3000000000\n{FAST}{LEAD}")
    reason = (f"is more than a run can use: each worker is a process (local) or a Ray actor of its own, and no machine or cluster runs "
              f"more than {MAX_WORKERS:,} at once; use at most {MAX_WORKERS:,}")  # fmt: skip
    assert refused(capsys, "validate", config) == f"{config}:4: workers: {reason} (got 3000000000)"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\nworkers: 2\n{FAST}{LEAD}")
    ran(capsys, "run", config)
    before = snapshot(project / "out")
    assert refused(capsys, "run", config, "--workers", "100000000000") == f"--workers: {reason} (got 100000000000)"
    assert snapshot(project / "out") == before  # the last run's results are not replaced by an all-failed one
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\nworkers: {MAX_WORKERS}\n{FAST}{LEAD}")
    assert load_config(config).with_workers(MAX_WORKERS).workers == MAX_WORKERS
    # Ray's own executor.workers has the same limit and words
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\nexecutor: {{type: ray, workers: 3000000000}}\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config) == f"{config}:4: executor.workers: {reason} (got 3000000000)"


# F21. a negative dataset.seed as a negative seed; an id of 7.5 as an id of true


def test_a_negative_dataset_seed_is_refused_as_a_negative_seed_is(project, capsys):
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl, sample: 2, seed: -1}}\noutput: out\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config) == f"{config}:2: dataset.seed: expected at least 0, got -1"
    config = write_config(project, f"name: c\nseed: -1\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config) == f"{config}:2: seed: expected at least 0, got -1"


def test_an_id_that_is_not_a_whole_number_is_refused(project, capsys):
    data = write_jsonl(project / "ids.jsonl", [{"id": 7.5, "article": "Parks open. They close late."}])
    config = write_config(project, f"name: c\ndataset: {{path: ids.jsonl}}\noutput: out\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config) == f"{data}:1: field 'id': expected an id (text or a whole number), got 7.5"
    with pytest.raises(HarnessError, match=r"ids.jsonl:1: field 'id': expected an id \(text or a whole number\), got 7.5$"):
        read_documents(data)
    write_jsonl(data, [{"id": 7.0, "article": "Parks open. They close late."}])  # a whole number written as a float
    assert [document.doc_id for document in read_documents(data)] == ["7"]
    assert [document.doc_id for document in load_dataset(load_config(config))] == ["7"]


# F17. where: true/false match only true/false

FLAGS = [{"id": "one", "article": "Parks open. Late.", "flag": 1}, {"id": "yes", "article": "Parks open. Late.", "flag": True},
         {"id": "float", "article": "Parks open. Late.", "flag": 1.0}]  # fmt: skip


@pytest.mark.parametrize(("wanted", "kept"), [("true", ["yes"]), ("1", ["one", "float"]), ("[true, 0]", ["yes"]), ("[1, false]", ["one", "float"])])
def test_where_true_keeps_only_true(project, wanted, kept):
    write_jsonl(project / "flags.jsonl", FLAGS)
    config = write_config(project, f"name: c\ndataset: {{path: flags.jsonl, where: {{flag: {wanted}}}}}\noutput: out\n{FAST}{LEAD}")
    assert [document.doc_id for document in load_dataset(load_config(config))] == kept


def test_where_true_matches_no_number(project, capsys):
    write_jsonl(project / "numbers.jsonl", [{"id": f"n{i}", "article": "Parks open. Late.", "n": i} for i in range(3)])
    config = write_config(project, f"name: c\ndataset: {{path: numbers.jsonl, where: {{n: true}}}}\noutput: out\n{FAST}{LEAD}")
    assert refused(capsys, "validate", config).startswith(f"{config}:2: dataset.where: no record of")


def test_precomputed_where_true_keeps_only_true(project):
    rows = [{"doc_id": doc["id"], "summary": f"Summary {i}.", "best": [1, True, 1.0][i]} for i, doc in enumerate(DOCS)]
    write_jsonl(project / "outputs.jsonl", rows)
    models = "models:\n  - {name: p, backend: precomputed, path: outputs.jsonl, where: {best: true}}\n"
    summarizers, _, _ = check_config(load_config(write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{models}")))
    assert list(summarizers[0].summaries()) == ["doc-1"]


# F12. precomputed each: two systems that make one model name, and rows without a system


def test_each_systems_whose_names_collide_are_an_error_naming_both(project, capsys):
    """QA case 21: 'gpt 4' made the name 'gpt-4' too, and its rows (with wrong figures) vanished from the evaluation."""
    rows = [{"doc_id": doc["id"], "summary": "A summary.", "system": system} for system in ("gpt-4", "gpt 4") for doc in DOCS]
    write_jsonl(project / "systems.jsonl", rows)
    models = "models:\n  - {name: published, backend: precomputed, path: systems.jsonl, each: system}\n"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{models}")
    line = refused(capsys, "validate", config)
    assert line.startswith(f"{config}:7: models[0].each: model 'published': each: system values 'gpt-4' and 'gpt 4' "
                           f"({project / 'systems.jsonl'}:4) would both be named 'gpt-4'")  # fmt: skip
    assert line.endswith("rename one of them in the file, or give each its own models entry with where: {system: ...}")


def test_each_says_how_many_rows_have_no_system(project, capsys, caplog):
    rows = [{"doc_id": doc["id"], "summary": "A summary.", "system": "bart"} for doc in DOCS]
    rows += [{"doc_id": "doc-0", "summary": "Lost.", "system": None}, {"doc_id": "doc-1", "summary": "Lost."}]
    write_jsonl(project / "systems.jsonl", rows)
    models = "models:\n  - {name: published, backend: precomputed, path: systems.jsonl, each: system}\n"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{models}")
    with caplog.at_level(logging.WARNING):
        summarizers, _, _ = check_config(load_config(config))
    assert [summarizer.name for summarizer in summarizers] == ["bart"]
    assert [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING] == [
        f"model 'published': each: 2 of 5 row(s) of {project / 'systems.jsonl'} have no 'system' value (absent or null) and belong to "
        "no model; they are left out"
    ]


def test_each_value_that_is_a_list_is_an_error(project, capsys):
    write_jsonl(project / "systems.jsonl", [{"doc_id": "doc-0", "summary": "A summary.", "system": ["bart", "t5"]}])
    models = "models:\n  - {name: published, backend: precomputed, path: systems.jsonl, each: system}\n"
    config = write_config(project, f"name: c\ndataset: {{path: docs.jsonl}}\noutput: out\n{FAST}{models}")
    assert refused(capsys, "validate", config) == (
        f"{config}:7: models[0].each: model 'published': each: {project / 'systems.jsonl'}:1: field 'system' is a list; it names a model, "
        "so give text or a number"
    )


# F15. rich's emoji codes: ':x:' in what the command line says stays ':x:'


def test_the_command_lines_errors_keep_emoji_codes_as_written(capsys):
    line = refused(capsys, "run", "c.yaml", "--limit", ":x:")
    assert ":x:" in line and "\u274c" not in line
