"""Baselines and regression gates: a degraded model fails with a readable diff, the baseline run passes."""

import json
import os
import re
from pathlib import Path

import backends
import pytest
from conftest import SEED_DIR
from helpers import run_cli

from harness import store
from harness.config import GatesConfig, load_config
from harness.errors import HarnessError
from harness.gates import check_run, load_baseline, make_baseline
from harness.runner import check_config, run
from harness.summarizers import BACKENDS

MODELS = "  - {name: lead-3, backend: lead, sentences: 3}\n  - {name: textrank, backend: textrank, words: 60}\n"


@pytest.fixture(autouse=True)
def fixed_backend(monkeypatch):
    monkeypatch.setitem(BACKENDS, backends.FixedSummary.backend, backends.FixedSummary)


def make_run(folder, models=MODELS, name="gated", extra=""):
    config = folder / f"{name}.yaml"
    config.write_text(f"name: {name}\ndataset: {{path: {SEED_DIR}}}\nreport: false\nmodels:\n{models}{extra}")
    result = run(load_config(config))
    return store.read_run(result.run_dir), result


@pytest.fixture()
def baseline(tmp_path):
    data, _ = make_run(tmp_path)
    return make_baseline(data)


def test_baseline_records_facts_claims_and_rouge(baseline):
    lead = baseline["models"]["lead-3"]
    doc = lead["documents"]["syria-talks"]
    assert doc["facts"]["key_facts"]["war-dead"]["status"] == "preserved"
    assert doc["facts"]["key_facts"]["trapped-children"]["status"] == "omitted"
    assert {c["verdict"] for c in doc["facts"]["claims"]} == {"supported"}
    rouge_l = "rouge.rougeL.fmeasure"
    assert 0 < lead["metrics"][rouge_l] < 1 and doc["metrics"][rouge_l] == pytest.approx(lead["metrics"][rouge_l])


def test_the_same_run_passes(tmp_path, baseline):
    again, _ = make_run(tmp_path, name="again")
    report = check_run(again, GatesConfig(max_rouge_drop=0.0), baseline)
    assert report.passed, report.lines()
    assert report.lines()[-1].startswith("PASS: 2 model(s) x 1 document(s) checked against baseline")


def test_a_changed_signature_is_said_above_the_verdict(tmp_path, baseline):
    again, _ = make_run(tmp_path, name="again")
    assert not [line for line in check_run(again, GatesConfig(max_rouge_drop=0.0), baseline).lines() if "signature" in line]
    baseline["signatures"]["rouge"] = baseline["signatures"]["rouge"].replace("stem:porter", "stem:none")
    lines = check_run(again, GatesConfig(max_rouge_drop=0.0), baseline).lines()
    assert lines[0].startswith("signature changed: rouge was 'rouge|") and "stem:none" in lines[0] and "stem:porter" in lines[0]
    assert len([line for line in lines if "signature" in line]) == 1 and lines[-1].startswith("PASS")


def test_a_degraded_model_fails_with_a_readable_diff(tmp_path, baseline):
    degraded, _ = make_run(tmp_path, MODELS.replace("sentences: 3", "sentences: 1"), name="degraded")
    report = check_run(degraded, GatesConfig(max_rouge_drop=0.01), baseline)
    assert not report.passed
    lines = report.lines()
    assert "lost: roughly half a million people dead (war-dead) — model lead-3, doc syria-talks" in lines
    assert any(line.startswith("ROUGE drop: rougeL F1 of lead-3 fell ") and "tolerance 0.01" in line for line in lines)
    assert lines[-1].startswith("FAIL: ") and "problem(s)" in lines[-1]
    assert not any("textrank" in line for line in lines[:-1])  # the unchanged model is not blamed


def test_new_contradictions_and_thresholds(tmp_path, baseline):
    wrong = "  - {name: lead-3, backend: fixed, text: 'Some 275,000 children are trapped; a million people have died.'}\n"
    data, _ = make_run(tmp_path, wrong + MODELS.split("\n", 1)[1], name="wrong")
    report = check_run(data, GatesConfig(min_key_fact_recall=0.5, max_contradicted=0), baseline)
    text = "\n".join(report.lines())
    assert "new contradiction: 'Some 275,000' — model lead-3, doc syria-talks: " in text
    assert "new contradiction: 'a million' — model lead-3" in text
    assert "below gate: key-fact recall of lead-3 is 0%, the gate asks for 50%" in text
    assert "above gate: lead-3 makes 2 contradicted claim(s), the gate allows 0" in text
    assert "below gate: key-fact recall of textrank" in text  # textrank keeps none of the three


def test_missing_models_and_failures_are_findings(tmp_path, baseline):
    data, _ = make_run(tmp_path, MODELS.split("\n", 1)[1], name="partial")  # lead-3 left out
    lines = check_run(data, None, baseline).lines()
    assert "missing: model lead-3 is in the baseline but not in this run" in lines


def test_gates_in_the_config_decide_the_exit_code(tmp_path, baseline):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline))
    config = tmp_path / "cfg.yaml"
    body = f"name: cli\ndataset: {{path: {SEED_DIR}}}\nreport: false\nmodels:\n{MODELS}gates: {{baseline: baseline.json, max_rouge_drop: 0.01}}\n"
    config.write_text(body)
    ok = run_cli("run", str(config))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS: 2 model(s) x 1 document(s) checked against baseline" in ok.stdout
    config.write_text(body.replace("sentences: 3", "sentences: 1"))
    failed = run_cli("run", str(config))
    assert failed.returncode == 1
    assert "lost: roughly half a million people dead (war-dead) — model lead-3, doc syria-talks" in failed.stdout


def test_baseline_and_check_commands(tmp_path):
    data, result = make_run(tmp_path, name="cmd")
    out = tmp_path / "baselines" / "cmd.json"
    recorded = run_cli("baseline", str(result.run_dir), "--out", str(out))
    assert recorded.returncode == 0 and "2 model(s) x 1 document(s)" in recorded.stdout
    assert load_baseline(out)["models"].keys() == {"lead-3", "textrank"}
    assert run_cli("check", str(result.run_dir), "--baseline", str(out)).returncode == 0
    strict = run_cli("check", str(result.run_dir), "--baseline", str(out), "--min-key-fact-recall", "1.0")
    assert strict.returncode == 1 and "below gate: key-fact recall of lead-3 is 33%" in strict.stdout
    bad = run_cli("check", str(result.run_dir), "--min-key-fact-recall", "2")
    assert bad.returncode == 2 and "--min-key-fact-recall: a share from 0 to 1, got 2.0" in bad.stderr
    absent = run_cli("check", str(result.run_dir), "--baseline", str(tmp_path / "none.json"))
    assert absent.returncode == 2 and "baseline not found" in absent.stderr


def test_unreadable_baseline(tmp_path):
    (tmp_path / "b.json").write_text('{"format": "other"}')
    with pytest.raises(HarnessError, match="not a baseline of format summarization-harness-baseline/2"):
        load_baseline(tmp_path / "b.json")


def test_nothing_checked_is_not_a_pass(tmp_path):
    data, _ = make_run(tmp_path, name="unchecked")
    for gates in (None, GatesConfig(), GatesConfig(max_rouge_drop=0.01)):  # a ROUGE tolerance needs a baseline
        with pytest.raises(HarnessError, match="nothing to check: no baseline and no gate threshold"):
            check_run(data, gates, None)
    assert check_run(data, GatesConfig(max_contradicted=0), None).passed  # one threshold is a check


def test_empty_gates_in_a_config_exit_2_and_keep_the_run(tmp_path):
    config = tmp_path / "cfg.yaml"
    config.write_text(f"name: empty-gates\ndataset: {{path: {SEED_DIR}}}\nreport: false\nmodels:\n{MODELS}gates: {{}}\n")
    result = run_cli("run", str(config))
    assert result.returncode == 2 and "nothing to check" in result.stderr and "PASS" not in result.stdout
    assert store.read_run(tmp_path / "results" / "empty-gates").scores  # the run itself was written


def test_empty_baselines_check_nothing(tmp_path, baseline):
    (tmp_path / "b.json").write_text(json.dumps({**baseline, "models": {name: {**m, "documents": {}} for name, m in baseline["models"].items()}}))
    with pytest.raises(HarnessError, match="holds no documents"):
        load_baseline(tmp_path / "b.json")


def test_names_are_gated_like_figures(tmp_path, baseline):
    """An extrinsic name is a new finding against the baseline, and entity precision has a gate of its own."""
    geneva = "  - {name: lead-3, backend: fixed, text: 'The United States suspended talks with Russia in Geneva.'}\n"
    data, _ = make_run(tmp_path, geneva + MODELS.split("\n", 1)[1], name="geneva")
    report = check_run(data, GatesConfig.model_validate({"min_entity_precision": 1.0}), baseline)
    text = "\n".join(report.lines())
    assert "new name not in the article: 'Geneva' — model lead-3, doc syria-talks" in text
    assert "below gate: entity prec. of lead-3 is 67%, the gate asks for 100%" in text
    assert "entity prec. of textrank" not in text  # textrank names only what the article names


def baseline_config(folder, baseline_line="  baseline: base.json\n", models=MODELS):
    """A config whose gates.baseline is base.json in its folder, and the line that says so (errors must name it)."""
    config = folder / "cfg.yaml"
    config.write_text(f"name: based\ndataset: {{path: {SEED_DIR}}}\nreport: false\nmodels:\n{models}gates:\n{baseline_line}  max_contradicted: 0\n")
    return config, config.read_text().splitlines().index(baseline_line.rstrip("\n")) + 1


def test_a_corrupt_baseline_stops_validate_and_run_before_any_model(tmp_path):
    config, line = baseline_config(tmp_path)
    assert line == 8
    (tmp_path / "base.json").write_text('{"format": "summarization-harness-baseline/2", "models": ')
    problem = "base.json: not valid JSON (Expecting value at line 1 column 58)"
    for command in ("validate", "run"):
        result = run_cli(command, str(config))
        assert result.returncode == 2, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0] == f"error: {config}:{line}: gates.baseline: {tmp_path / problem}", result.stderr
    assert not (tmp_path / "results" / "based").exists()  # nothing was generated, nothing written


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "not a baseline of format summarization-harness-baseline/2"),
        ('{"format": "summarization-harness-baseline/2", "models": []}', "field 'models' must be an object (found a list)"),
        ('{"format": "summarization-harness-baseline/2", "models": {}}', "field 'models' is empty"),
        (b"\xff{}", "base.json:1: not valid UTF-8 at byte 0"),
        ("folder", "is a folder, not a file"),
        ("pipe", "is a device, pipe or socket, not a baseline file"),
    ],
)
def test_baselines_that_cannot_be_used_are_config_errors(tmp_path, monkeypatch, content, problem):
    monkeypatch.setitem(BACKENDS, backends.CountingLead.backend, backends.CountingLead)
    monkeypatch.setattr(backends.CountingLead, "calls", [])
    path = tmp_path / "base.json"
    if content == "folder":
        path.mkdir()
    elif content == "pipe":
        os.mkfifo(path)  # reading it would wait for a writer for ever
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    path_of_config, line = baseline_config(tmp_path, models="  - {name: counted, backend: counting-lead}\n")
    config = load_config(path_of_config)
    for check in (check_config, run):
        with pytest.raises(HarnessError) as raised:
            check(config)
        assert str(raised.value).startswith(f"{path_of_config}:{line}: gates.baseline: {path}"), raised.value
        assert problem in str(raised.value) and "\n" not in str(raised.value)
    assert backends.CountingLead.calls == []
    assert not (tmp_path / "results" / "based").exists()


def test_an_unreadable_baseline_is_a_config_error(tmp_path, monkeypatch):
    path = tmp_path / "base.json"
    path.write_text("{}")
    real = Path.read_bytes

    def refuse(self):
        if self == path:
            raise PermissionError(13, "Permission denied")  # tests may run as root, where chmod 000 still reads
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    config, line = baseline_config(tmp_path)
    with pytest.raises(HarnessError, match=rf"^{re.escape(f'{config}:{line}: gates.baseline: {path}')}: cannot be read \(Permission denied\)$"):
        check_config(load_config(config))


def test_a_missing_baseline_is_reported_after_the_run_as_before(tmp_path):
    """A first run records the results a baseline is made from: validate passes, run writes the run, then exit 2."""
    config, _ = baseline_config(tmp_path)
    checked = run_cli("validate", str(config))
    assert checked.returncode == 0, checked.stderr
    result = run_cli("run", str(config))
    assert result.returncode == 2 and f"{tmp_path / 'base.json'}: baseline not found (record one with `harness baseline" in result.stderr
    assert store.read_run(tmp_path / "results" / "based").scores  # the run was written
