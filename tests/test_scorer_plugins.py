"""A scorer is one module plus one registry line: a toy scorer written here, registered with one line, shows up
in the terminal table, summary.json, the leaderboard, the paired comparisons and the gates with no other edit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import Field

from harness import store
from harness.config import load_config
from harness.documents import Document
from harness.errors import HarnessError
from harness.report import load_report_data
from harness.report.compare import compare_all, compared_metrics
from harness.report.tables import leaderboard, summary_table
from harness.runner import run
from harness.scoring import SCORERS, Count, Gate, Metric, Scorer, ScoreResult, ScorerOptions, Signature
from harness.text import count_words


# ---- the toy scorer's whole module ------------------------------------------------------------------------
class LengthRatioOptions(ScorerOptions):
    """Options of the toy scorer."""

    longest: float = Field(0.3, gt=0, description="a summary longer than this share of its article is too long")


@dataclass(frozen=True)
class LengthRatioResult(ScoreResult):
    """Summary words over article words, and whether that is more than `longest`."""

    ratio: float
    too_long: bool


class LengthRatio(Scorer):
    """How long each summary is against its article."""

    name = "length-ratio"
    description = "summary words / article words"
    Options = LengthRatioOptions

    def signature(self) -> Signature:
        return Signature("length-ratio", (("longest", f"{self.options.longest:g}"),))

    def score(self, summary: str, document: Document) -> LengthRatioResult:
        ratio = count_words(summary) / max(count_words(document.article), 1)
        return LengthRatioResult(ratio, ratio > self.options.longest)

    def metrics(self) -> list[Metric]:
        return [Metric(("ratio",), "len. ratio", higher_is_better=False, chart="length")]

    def counts(self) -> list[Count]:
        return [Count("too_long", "too long")]

    def gates(self) -> list[Gate]:
        return [
            Gate("max_length_ratio", "ratio", "max", "each model's mean length ratio at most this"),
            Gate("max_too_long", "too_long", "max", "summaries longer than `longest`, at most this", "count"),
        ]


# -------------------------------------------------------------------------------------------------------------

ARTICLE = "One two three four five. Six seven eight nine ten. Eleven twelve thirteen fourteen fifteen. Sixteen seventeen eighteen nineteen twenty."


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(SCORERS, LengthRatio.name, LengthRatio)  # the one registry line


def write_config(tmp_path: Path, gates: str) -> Path:
    documents = [{"id": f"d{i}", "article": ARTICLE.replace("One", f"Doc{i}"), "references": ["One two three."]} for i in range(4)]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in documents))
    path = tmp_path / "config.yaml"
    path.write_text(
        f"""name: toy
dataset: {{path: docs.jsonl}}
models:
  - {{name: lead-1, backend: lead, sentences: 1}}
  - {{name: lead-3, backend: lead, sentences: 3}}
metrics:
  length-ratio: {{longest: 0.5}}
statistics: {{bootstrap: 200}}
output: results
cache: false
gates: {gates}
"""
    )
    return path


def test_a_toy_scorer_appears_everywhere(registered, tmp_path):
    result = run(load_config(write_config(tmp_path, "{max_too_long: 0, max_length_ratio: 0.6, min: {length-ratio.ratio: 0.3}}")))
    written = store.read_run(result.run_dir)
    # summary.json: the mean with its interval, and the count
    toy = {model: written.summary["models"][model]["length-ratio"] for model in ("lead-1", "lead-3")}
    assert toy["lead-1"]["ratio"]["mean"] == pytest.approx(0.25) and toy["lead-3"]["ratio"]["mean"] == pytest.approx(0.75)
    assert {"low", "high"} <= set(toy["lead-1"]["ratio"])
    assert (toy["lead-1"]["too_long"], toy["lead-3"]["too_long"]) == (0, 4)
    # the terminal table
    headers, rows = summary_table(written.summary, written.run)
    assert {"len. ratio", "too long"} <= set(headers)
    assert dict(zip(headers, rows[1]))["len. ratio"].startswith("75.0") and dict(zip(headers, rows[1]))["too long"] == "4"
    # the leaderboard and the paired comparisons
    data = load_report_data([result.run_dir])
    assert {"len. ratio", "too long"} <= set(leaderboard(data.models, data.scorers)[0])
    (comparison,) = compare_all([(data.models[0], data.models[1])], compared_metrics(data.scorers), data.bootstrap, data.confidence, data.seed)
    (difference,) = [d for d in comparison.differences if d.metric == "length-ratio.ratio"]
    assert difference.mean == pytest.approx(0.25 - 0.75) and difference.sign == -1.0  # shorter is better here
    assert comparison.verdict.startswith("lead-1 > lead-3 on ") and "len. ratio (-50.0, p=" in comparison.verdict
    # the gates: a named count gate, a named metric gate and the general min form, each failing for the right model
    assert result.gates is not None and not result.gates.passed
    messages = [f.message for f in result.gates.findings]
    assert "above gate: lead-3 makes 4 too-long claim(s), the gate allows 0" in messages  # (gates.py says claim(s) of any count)
    assert any("len. ratio of lead-3" in m and "above gate" in m for m in messages), messages
    assert any("len. ratio of lead-1" in m and "below gate" in m for m in messages), messages
    assert not any("lead-1" in m and "above gate" in m for m in messages)


def test_the_toy_scorers_gates_are_validated_like_the_built_in_ones(registered, tmp_path):
    with pytest.raises(HarnessError, match=r"config.yaml:\d+: gates.max_too_lng: unknown gate; did you mean 'max_too_long'"):
        run(load_config(write_config(tmp_path, "{max_too_lng: 0}")))
    with pytest.raises(HarnessError, match=r"gates.max_too_long: expected a whole number >= 0"):
        run(load_config(write_config(tmp_path, "{max_too_long: 0.5}")))
    with pytest.raises(HarnessError, match=r"gates.min.length-ratio.ratoi: no such metric; did you mean 'length-ratio.ratio'"):
        run(load_config(write_config(tmp_path, "{min: {length-ratio.ratoi: 0.1}}")))
