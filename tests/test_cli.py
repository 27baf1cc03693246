"""The CLI as a user runs it: a fresh process, real files, exit codes and what is printed."""

import json
import re

from helpers import ROOT, run_cli

from harness import store


def test_default_config_end_to_end_then_warm(tmp_path):
    cold = run_cli("run", "configs/default.yaml", "--output", str(tmp_path))
    assert cold.returncode == 0, cold.stderr
    for model in ("lead-3", "textrank-100w", "lexrank-3"):
        assert re.search(rf"│ {re.escape(model)}\s+│\s+\d+\.\d", cold.stdout), cold.stdout
    assert "3 summaries: 3 generated, 0 from cache, 0 failed" in cold.stdout
    assert "signature: rouge|v:rouge-score-0.1.2|" in cold.stdout
    data = store.read_run(tmp_path / "default")
    assert {row["model"] for row in data.scores} == {"lead-3", "textrank-100w", "lexrank-3"}
    assert data.documents[0]["doc_id"] == "syria-talks"
    assert all(0 < row["rouge"]["rouge1"]["fmeasure"] < 1 for row in data.scores)
    warm = run_cli("run", "configs/default.yaml", "--output", str(tmp_path))
    assert warm.returncode == 0 and "3 summaries: 0 generated, 3 from cache" in warm.stdout
    assert json.loads((tmp_path / "default" / "summary.json").read_text()) == data.summary


def test_python_dash_m_and_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("summarization-harness ")


def test_validate_good_and_bad(write_config):
    good = run_cli("validate", "configs/default.yaml")
    assert good.returncode == 0 and "ok: 3 model(s)" in good.stdout
    bad = write_config("name: x\ndataset: {path: .}\nmodels:\n  - {name: m, backend: lead, sentence: 2}\n")
    result = run_cli("validate", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {bad}:4: models[0].sentence: unknown field; did you mean 'sentences'?"]


def test_unusable_input_exits_2_without_traceback(tmp_path):
    for args in (["run", str(tmp_path / "missing.yaml")], ["run", "configs/default.yaml", "--limit", "0"]):
        result = run_cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def test_empty_article_in_the_dataset(write_config, tmp_path):
    (tmp_path / "docs.jsonl").write_text('{"id": "blank", "article": ""}\n')
    config = write_config("name: x\ndataset: {path: docs.jsonl}\nmodels: [{name: m, backend: lead}]\n")
    result = run_cli("run", str(config))
    assert result.returncode == 2
    assert "docs.jsonl:1: document 'blank' has an empty article" in result.stderr


def test_models_lists_backends_and_options():
    result = run_cli("models")
    assert result.returncode == 0
    for text in ("lead:", "textrank:", "lexrank:", "hf-seq2seq:", "num_beams", "max_input_tokens", "sentences", "words"):
        assert text in result.stdout


def test_readme_quickstart_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    lines = ci.splitlines()
    commands = [lines[i + 1].strip() for i, line in enumerate(lines) if line.startswith("# README:")]
    assert len(commands) == 2
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quickstart, re.S)
    assert [block.strip() for block in blocks] == commands
    assert "harness run configs/default.yaml" in commands[0] and "pytest" in commands[1]


def test_a_console_that_cannot_show_a_dash_gets_a_question_mark_not_a_traceback():
    result = run_cli("facts", "references/syria-talks", "--summary", "Aleppo talks ended.", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "numeric precision ?" in result.stdout
