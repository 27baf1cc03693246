import re
from pathlib import Path

import pytest

from harness.config import load_config
from harness.errors import HarnessError
from harness.runner import build_summarizers, check_config
from harness.scoring import build_scorers

GOOD = """\
name: demo
dataset: {path: refs}
models:
  - {name: lead-3, backend: lead, sentences: 3}
  - name: tr
    backend: textrank
    words: 50
"""


def test_good_config_resolves_paths_against_its_folder(write_config, tmp_path):
    config = load_config(write_config(GOOD))
    assert config.dataset.path == tmp_path / "refs"
    assert config.output == tmp_path / "results"
    assert config.run_dir == tmp_path / "results" / "demo"
    assert config.cache_dir == tmp_path / "results" / ".cache"
    assert [m.name for m in config.models] == ["lead-3", "tr"]
    assert config.models[1].params == {"words": 50}
    assert config.metrics == {} and config.statistics.bootstrap == 1000 and config.statistics.confidence == 0.95


def test_output_override_moves_the_run_and_its_cache(write_config, tmp_path):
    config = load_config(write_config(GOOD)).with_output(Path("/elsewhere"))
    assert config.run_dir == Path("/elsewhere/demo") and config.cache_dir == Path("/elsewhere/.cache")


def test_shipped_configs_validate(root):
    for path in sorted((root / "configs").glob("*.yaml")):
        config = load_config(path)
        assert build_summarizers(config)


@pytest.mark.parametrize(
    "text, expected",
    [
        (GOOD.replace("sentences: 3", "sentences: three"), r"config.yaml:4: models\[0\].sentences: expected a whole number, got 'three'$"),
        (GOOD.replace("words: 50", "word: 50"), r"config.yaml:7: models\[1\].word: unknown field; did you mean 'words'\?"),
        (GOOD.replace("backend: textrank", "backend: textrnk"), r"config.yaml:6: models\[1\].backend: unknown backend 'textrnk' \(known: .*textrank"),
        (GOOD.replace("sentences: 3", "sentences: 3, words: 9"), r"models\[0\]: .*either sentences or words"),
        (GOOD.replace("sentences: 3", "sentences: 0"), r"models\[0\].sentences: expected more than 0, got 0$"),
        (GOOD.replace("name: tr", "name: lead-3"), r"config.yaml:5: models\[1\].name: model name 'lead-3' is used twice"),
        (GOOD.replace("name: demo", "name: my run"), r"config.yaml:1: name: use letters, digits"),
        (GOOD.replace("dataset: {path: refs}", "dataset: {}"), r"config.yaml:2: dataset: give exactly one of path .* and hf .*; neither given"),
        (GOOD + "metrics: {rouge: {stemer: false}}\n", r"config.yaml:8: metrics.rouge.stemer: unknown field; did you mean 'stemmer'\?"),
        (GOOD + "metrics: {rouge: {types: [rouge4x]}}\n", r"metrics.rouge.types: unknown ROUGE type 'rouge4x'"),
        (GOOD + "metrics: {rogue: {}}\n", r"config.yaml:8: metrics.rogue: unknown scorer 'rogue' \(known: .*rouge"),
        (GOOD + "metrics: {facts: {gold: maybe}}\n", r"config.yaml:8: metrics.facts.gold: expected true/false, got 'maybe'$"),
        (GOOD + "metrics: {rouge: {bootstrap: 10}, facts: {bootstrap: 20}}\n", r"metrics.rouge.bootstrap is 10 but metrics.facts.bootstrap is 20: statistics are shared"),
        (GOOD + "statistics: {confidence: 1.5}\n", r"config.yaml:8: statistics.confidence: expected less than 1, got 1.5$"),
        (GOOD + "gates: {max_contradictd: 0}\n", r"config.yaml:8: gates.max_contradictd: unknown gate; did you mean 'max_contradicted'\?"),
        (GOOD + "gates: {min: {rouge.rougeL.f1: 0.3}}\n", r"gates.min.rouge.rougeL.f1: no such metric; did you mean 'rouge.rougeL.fmeasure'\?"),
        (GOOD + "gates: {max_contradicted: -1}\n", r"gates.max_contradicted: expected a whole number >= 0"),
        (GOOD + "colour: blue\n", r"config.yaml:8: colour: unknown field; known: cache, dataset"),
        ("name: x\n  dataset: [\n", r"config.yaml:2: not valid YAML"),
        ("- just\n- a list\n", r"config.yaml: a config is a YAML mapping"),
        ("name: demo\ndataset: {path: refs}\nmodels: []\n", r"models: list at least one model"),
    ],
)
def test_bad_configs_get_one_line_naming_file_line_and_field(write_config, text, expected):
    with pytest.raises(HarnessError) as caught:
        check_config(load_config(write_config(text)))
    message = str(caught.value)
    assert "\n" not in message
    assert re.search(expected, message), message


def test_missing_config_file(tmp_path):
    with pytest.raises(HarnessError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")


def test_several_problems_are_counted(write_config):
    with pytest.raises(HarnessError, match=r"\(and 1 more: models\)"):
        load_config(write_config("name: demo\ndataset: {}\n"))


def test_check_config_loads_the_dataset(write_config, tmp_path):
    with pytest.raises(HarnessError, match=r"config.yaml:\d+: dataset.path: \S+/refs does not exist; give a references directory"):
        check_config(load_config(write_config(GOOD)))


def test_hf_options_are_validated(write_config):
    text = GOOD + "  - {name: b, backend: hf-seq2seq, model: x/y, num_beam: 4}\n"
    with pytest.raises(HarnessError, match=r"config.yaml:8: models\[2\].num_beam: unknown field; did you mean 'num_beams'\?"):
        build_summarizers(load_config(write_config(text)))
    text = GOOD + "  - {name: b, backend: hf-seq2seq, model: x/y, device: gpu}\n"
    with pytest.raises(HarnessError, match=r"models\[2\].device: use auto, cpu, cuda, cuda:N or mps \(got 'gpu'\)"):
        build_summarizers(load_config(write_config(text)))


def test_old_per_scorer_statistics_are_folded_into_the_one_block(write_config):
    config = load_config(write_config(GOOD + "metrics: {rouge: {bootstrap: 50, stemmer: false}, facts: {bootstrap: 50}}\n"))
    assert config.statistics.bootstrap == 50 and config.metrics["rouge"] == {"stemmer": False}
    scorers = {scorer.name: scorer for scorer in build_scorers(config)}
    assert scorers["rouge"].statistics.bootstrap == scorers["facts"].statistics.bootstrap == 50
    assert set(scorers) == {"rouge", "facts", "extractive"}  # on by default; model-based scorers only when named
    assert "extractive" not in {s.name for s in build_scorers(load_config(write_config(GOOD + "metrics: {extractive: null}\n")))}
