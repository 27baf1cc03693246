"""The project's own fact-preservation regression tests: configs/default.yaml against the baseline
committed in results/baselines/default.json, through the pytest plugin that users get."""

import pytest
from conftest import ROOT, SEED_DIR

from harness import store
from harness.config import load_config
from harness.gates import check_run, load_baseline
from harness.pytest_plugin import assert_facts_preserved, assert_no_contradictions

DEFAULT = ROOT / "configs" / "default.yaml"
BASELINE = ROOT / "results" / "baselines" / "default.json"
pytestmark = pytest.mark.harness_config(str(DEFAULT))


def test_default_config_holds_its_committed_baseline(harness_result):
    gates = load_config(DEFAULT).gates
    report = check_run(store.read_run(harness_result.run_dir), gates, load_baseline(BASELINE))
    assert report.passed, "\n".join(report.lines())
    assert harness_result.gates is not None and harness_result.gates.passed  # `harness run` checked it too


def test_lead3_keeps_the_war_toll(harness_result):
    row = next(r for r in harness_result.scores if r["model"] == "lead-3")
    assert_facts_preserved(row["summary"], SEED_DIR, keys=["war-dead"])


@pytest.mark.parametrize("model", ["lead-3", "textrank-100w", "lexrank-3"])
def test_no_default_model_states_a_wrong_figure(harness_result, model):
    row = next(r for r in harness_result.scores if r["model"] == model)
    assert_no_contradictions(row["summary"], SEED_DIR)


def test_baseline_covers_every_default_model():
    baseline = load_baseline(BASELINE)
    assert set(baseline["models"]) == {spec.name for spec in load_config(DEFAULT).models}
