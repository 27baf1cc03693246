"""NLI consistency (SummaC zero-shot) on tiny random classifiers, a hand-computed example, and runs of
configs with both model-based scorers (configs/model-metrics.yaml without weights; tiny models end to end)."""

from __future__ import annotations

import json
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import pytest
from test_bertscore import build_encoder

from harness import store
from harness.config import load_config
from harness.documents import Document
from harness.errors import HarnessError
from harness.report import load_report_data
from harness.report.compare import compare_all, compared_metrics
from harness.report.tables import leaderboard
from harness.runner import run
from harness.scoring import SCORERS
from harness.scoring.nli import NLIOptions, NLIScorer, article_units, label_index

ROOT = Path(__file__).resolve().parents[1]
MNLI = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}  # roberta-large-mnli's order
SWAPPED = {0: "entailment", 1: "neutral", 2: "contradiction"}

# Invented text (nothing copied from evaluation data).
ARTICLE = (
    "The talks in Geneva ended on Friday without a deal. Rebels said 40 fighters were killed near the border.\n\n"
    "The envoy will return next month to try again. Aid trucks reached the town after a week of waiting."
)
SUMMARY = "Talks in Geneva ended without a deal. The envoy returns next month. Forty fighters died near the border."


@pytest.fixture(scope="module")
def classifiers(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("nli")
    return {
        "mnli": build_encoder(base / "mnli", labels=MNLI),
        "swapped": build_encoder(base / "swapped", labels=SWAPPED),  # the same weights, labels in the other order
        "generic": build_encoder(base / "generic", labels={0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}),
    }


def scorer(model: Path, **options) -> NLIScorer:
    return NLIScorer(NLIOptions(model=str(model), device="cpu", **options))


def test_hand_computed_three_sentence_example(classifiers, monkeypatch):
    article = "Prices rose in May. The bank kept its rate. Exports fell sharply."
    summary = "Prices went up in May. Exports dropped. The bank cut its rate."
    # P(contradiction), P(neutral), P(entailment) per (article sentence, summary sentence), as MNLI orders them
    table = {
        ("Prices rose in May.", "Prices went up in May."): [0.05, 0.05, 0.90],  # 0.85
        ("The bank kept its rate.", "Prices went up in May."): [0.10, 0.70, 0.20],  # 0.10
        ("Exports fell sharply.", "Prices went up in May."): [0.60, 0.30, 0.10],  # -0.50
        ("Prices rose in May.", "Exports dropped."): [0.30, 0.40, 0.30],  # 0.00
        ("The bank kept its rate.", "Exports dropped."): [0.70, 0.20, 0.10],  # -0.60
        ("Exports fell sharply.", "Exports dropped."): [0.20, 0.40, 0.40],  # 0.20
        ("Prices rose in May.", "The bank cut its rate."): [0.80, 0.10, 0.10],  # -0.70
        ("The bank kept its rate.", "The bank cut its rate."): [0.50, 0.30, 0.20],  # -0.30
        ("Exports fell sharply.", "The bank cut its rate."): [0.90, 0.05, 0.05],  # -0.85
    }
    nli = scorer(classifiers["mnli"])
    monkeypatch.setattr(nli, "probabilities", lambda pairs: [table[pair] for pair in pairs])
    result = nli.score(summary, Document("d", article))
    assert [v.score for v in result.sentences] == pytest.approx([0.85, 0.20, -0.30])
    assert result.score == pytest.approx((0.85 + 0.20 - 0.30) / 3)  # 0.25
    assert result.inconsistent == 1
    assert [v.evidence for v in result.sentences] == ["Prices rose in May.", "Exports fell sharply.", "The bank kept its rate."]
    assert [(v.entailment, v.contradiction) for v in result.sentences] == [(0.90, 0.05), (0.40, 0.20), (0.20, 0.50)]
    for verdict in result.sentences:
        assert article[verdict.evidence_start : verdict.evidence_end] == verdict.evidence
        assert summary[verdict.start : verdict.end] == verdict.sentence


def test_batch_size_and_batch_composition_do_not_change_the_numbers(classifiers):
    other = Document("o", "A ceasefire was announced and broken within a day. Thousands fled the city.")
    summaries, documents = [SUMMARY, "A ceasefire was broken.", SUMMARY.split(". ")[0] + "."], [Document("a", ARTICLE), other, Document("a", ARTICLE)]
    one = scorer(classifiers["mnli"], batch_size=1).score_batch(summaries, documents)
    seven = scorer(classifiers["mnli"], batch_size=7).score_batch(summaries, documents)
    alone = [scorer(classifiers["mnli"], batch_size=7).score(s, d) for s, d in zip(summaries, documents)]
    for a, b, c in zip(one, seven, alone):
        assert a.score == pytest.approx(b.score, abs=1e-6) == pytest.approx(c.score, abs=1e-6)
        assert [v.evidence_start for v in a.sentences] == [v.evidence_start for v in b.sentences] == [v.evidence_start for v in c.sentences]
    assert len({round(r.score, 6) for r in one}) == 3  # the tiny classifier tells inputs apart


def test_each_distinct_pair_is_classified_once_across_summaries(classifiers, monkeypatch):
    nli = scorer(classifiers["mnli"])
    seen = []
    original = nli.probabilities
    monkeypatch.setattr(nli, "probabilities", lambda pairs: seen.append(list(pairs)) or original(pairs))
    shared = "The envoy will return next month to try again."
    nli.score_batch([shared, shared + " Talks ended.", "Talks ended."], [Document("a", ARTICLE)] * 3)
    assert len(seen) == 1 and len(seen[0]) == len(set(seen[0])) == 4 * 2  # 4 article sentences x 2 distinct summary sentences


def test_evidence_is_the_best_unit_with_its_span(classifiers):
    nli = scorer(classifiers["mnli"], granularity="window-2")
    result = nli.score(SUMMARY, Document("a", ARTICLE))
    units = article_units(ARTICLE, "window-2")
    assert len(result.sentences) == 3 and len(units) == 3
    for verdict in result.sentences:
        probabilities = nli.probabilities([(unit.text, verdict.sentence) for unit in units])
        scores = [p[2] - p[0] for p in probabilities]
        best = units[scores.index(max(scores))]
        assert (verdict.evidence, verdict.evidence_start, verdict.evidence_end) == (best.text, best.start, best.end)
        assert ARTICLE[verdict.evidence_start : verdict.evidence_end] == verdict.evidence
        assert verdict.score == pytest.approx(max(scores), abs=1e-6)
    assert result.score == pytest.approx(sum(v.score for v in result.sentences) / 3)


def test_swapped_label_order_is_read_from_the_config(classifiers):
    mnli, swapped = scorer(classifiers["mnli"]), scorer(classifiers["swapped"])
    document = Document("a", ARTICLE)
    a, b = mnli.score(SUMMARY, document), swapped.score(SUMMARY, document)
    units = article_units(ARTICLE, "sentence")
    for verdict_a, verdict_b in zip(a.sentences, b.sentences):
        # the same weights: output 2 is entailment for one and contradiction for the other, so every pair's score flips sign
        probabilities = mnli.probabilities([(unit.text, verdict_a.sentence) for unit in units])
        assert verdict_a.score == pytest.approx(max(p[2] - p[0] for p in probabilities), abs=1e-6)
        assert verdict_b.score == pytest.approx(max(p[0] - p[2] for p in probabilities), abs=1e-6)


def test_label_names_overrides_and_errors(classifiers):
    assert label_index("entailment", MNLI, None, "m") == 2 and label_index("contradiction", MNLI, None, "m") == 0
    assert label_index("entailment", {0: "Entails", 1: "Contradicts", 2: "neutral"}, None, "m") == 0
    assert label_index("entailment", {0: "LABEL_0", 1: "LABEL_1"}, "label_1", "m") == 1
    assert label_index("contradiction", {0: "LABEL_0", 1: "LABEL_1"}, 0, "m") == 0
    with pytest.raises(HarnessError, match=r"labels.entailment: 5 is not an output of model 'm' \(0: LABEL_0, 1: LABEL_1\)"):
        label_index("entailment", {0: "LABEL_0", 1: "LABEL_1"}, 5, "m")
    generic = scorer(classifiers["generic"])
    with pytest.raises(HarnessError) as error:
        generic.prepare()  # before any model runs
    message = str(error.value)
    assert "\n" not in message and "no label of model" in message and "reads as entailment (0: LABEL_0, 1: LABEL_1, 2: LABEL_2)" in message
    assert "labels: {entailment: NAME_OR_INDEX, contradiction: NAME_OR_INDEX}" in message
    named = scorer(classifiers["generic"], labels={"entailment": "LABEL_2", "contradiction": 0})
    named.prepare()
    like_mnli = scorer(classifiers["mnli"]).score(SUMMARY, Document("a", ARTICLE))
    # the same weights as the MNLI-labelled classifier, and the override maps the same outputs: the same numbers
    assert named.score(SUMMARY, Document("a", ARTICLE)).score == pytest.approx(like_mnli.score, abs=1e-9)
    assert "labels:e=LABEL_2,c=0" in str(named.signature())


def test_units_granularity_and_nothing_to_check(classifiers):
    sentences = article_units(ARTICLE, "sentence")
    assert [u.text for u in sentences][:2] == ["The talks in Geneva ended on Friday without a deal.", "Rebels said 40 fighters were killed near the border."]
    assert [u.text for u in article_units(ARTICLE, "paragraph")] == ARTICLE.split("\n\n")
    windows = article_units(ARTICLE, "window-3")
    assert len(windows) == 2 and windows[0].start == 0 and ARTICLE[windows[1].start : windows[1].end] == windows[1].text
    assert len(article_units("One sentence only.", "window-4")) == 1
    with pytest.raises(ValueError, match="use sentence, paragraph or window-K"):
        NLIOptions(granularity="document")
    empty = scorer(classifiers["mnli"]).score("   ", Document("a", ARTICLE))
    assert (empty.score, empty.inconsistent, empty.sentences) == (None, 0, ())


def test_registered_off_by_default_and_missing_model_is_one_line():
    assert SCORERS["nli-consistency"] is NLIScorer and not NLIScorer.default_on
    with pytest.raises(HarnessError) as error:
        NLIScorer(NLIOptions(model="nobody/not-a-cached-mnli")).prepare()
    assert "\n" not in str(error.value) and "is not available" in str(error.value) and "hf download nobody/not-a-cached-mnli" in str(error.value)


def harness_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HF_HOME": str(cwd / "hf-home")}
    return subprocess.run([sys.executable, "-m", "harness", *args], check=False, cwd=cwd, env=env, capture_output=True, text=True)


def test_model_metrics_config_validates_and_its_run_names_each_missing_model(tmp_path):
    config = ROOT / "configs" / "model-metrics.yaml"
    validated = harness_cli("validate", str(config), cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert "signature: bertscore|model:roberta-large|layer:17" in validated.stdout and "signature: nli-consistency|" in validated.stdout
    ran = harness_cli("run", str(config), "--output", str(tmp_path / "results"), cwd=tmp_path)
    assert ran.returncode == 2 and "Traceback" not in ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 2, ran.stderr
    assert "metrics.bertscore: model 'bertscore' (roberta-large) is not available" in lines[0] and "hf download roberta-large" in lines[0]
    assert "metrics.nli-consistency:" in lines[1] and "hf download microsoft/deberta-large-mnli" in lines[1]
    assert not (tmp_path / "results" / "model-metrics").exists()  # stopped before anything ran


def test_run_with_both_scorers_end_to_end(classifiers, tmp_path):
    build_encoder(tmp_path / "encoder", "roberta")  # model: ./encoder, relative to the config
    documents = [
        {"id": "geneva", "article": ARTICLE, "references": ["Talks in Geneva ended without a deal; the envoy returns next month.", SUMMARY]},
        {
            "id": "ceasefire",
            "article": "A ceasefire was announced on Monday. It was broken within a day.\n\nThousands of families fled the city as shelling resumed.",
            "references": ["A ceasefire collapsed within a day and thousands fled."],
        },
        {
            "id": "aid",
            "article": "Aid trucks reached the town after a week of waiting at the checkpoint. Officials met for three hours but agreed on nothing.",
            "references": ["Aid arrived after a week; officials agreed on nothing."],
        },
    ]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in documents))
    (tmp_path / "config.yaml").write_text(
        f"""name: tiny-model-metrics
dataset: {{path: docs.jsonl}}
models:
  - {{name: lead-1, backend: lead, sentences: 1}}
  - {{name: lead-2, backend: lead, sentences: 2}}
metrics:
  bertscore: {{model: ./encoder, layer: 2, idf: true, device: cpu, batch_size: 4}}
  nli-consistency: {{model: {classifiers["mnli"]}, granularity: window-2, device: cpu, batch_size: 5}}
statistics: {{bootstrap: 200}}
output: results
cache: false
gates: {{min_bertscore_f1: 0.0, max_inconsistent_sentences: 100, min: {{nli-consistency.score: 0.0}}}}
"""
    )
    result = run(load_config(tmp_path / "config.yaml"))
    written = store.read_run(result.run_dir)
    for model in ("lead-1", "lead-2"):
        figures = written.summary["models"][model]
        assert figures["bertscore"]["n"] == 3 and set(figures["bertscore"]["f1"]) >= {"mean", "low", "high"}
        assert figures["bertscore"]["f1"]["low"] <= figures["bertscore"]["f1"]["mean"] <= figures["bertscore"]["f1"]["high"]
        assert set(figures["nli-consistency"]["score"]) >= {"mean", "low", "high"} and isinstance(figures["nli-consistency"]["inconsistent"], int)
    declared = written.run["scorers"]
    assert [m["key"] for m in declared["bertscore"]["metrics"]] == ["precision", "recall", "f1"]
    assert [m["key"] for m in declared["nli-consistency"]["metrics"]] == ["score"]
    assert "min_nli_consistency" in {g["name"] for g in declared["nli-consistency"]["gates"]}
    assert written.run["signatures"]["bertscore"].startswith("bertscore|model:local:") and "idf:refs" in written.run["signatures"]["bertscore"]
    data = load_report_data([result.run_dir])
    assert {"BERTScore F1", "NLI consistency"} <= set(leaderboard(data.models, data.scorers)[0])
    (comparison,) = compare_all([(data.models[0], data.models[1])], compared_metrics(data.scorers), data.bootstrap, data.confidence, data.seed)
    assert {d.metric for d in comparison.differences} >= {"bertscore.f1", "nli-consistency.score"}
    articles = {d["doc_id"]: d["article"] for d in written.documents}
    rows = [row for row in written.scores if "error" not in row]
    assert len(rows) == 6
    for row in rows:
        assert set(row["bertscore"]["per_reference"]) == {ref["id"] for ref in next(d for d in written.documents if d["doc_id"] == row["doc_id"])["references"]}
        sentences = row["nli-consistency"]["sentences"]
        assert sentences and len(sentences) == {"lead-1": 1, "lead-2": 2}[row["model"]]
        for verdict in sentences:
            assert articles[row["doc_id"]][verdict["evidence_start"] : verdict["evidence_end"]] == verdict["evidence"]
            assert row["summary"][verdict["start"] : verdict["end"]] == verdict["sentence"]
            assert verdict["span"] == [verdict["start"], verdict["end"]] and verdict["verdict"] in ("supported", "contradicted")
    # the report marks each summary sentence with its NLI verdict and the article evidence, as it marks fact claims
    assert written.run["scorers"]["nli-consistency"]["evidence"] == {"path": ["sentences"], "label": "NLI"}
    html = (result.run_dir / "report.html").read_text(encoding="utf-8")
    evidence = html_escape(rows[0]["nli-consistency"]["sentences"][0]["evidence"], quote=True)
    assert "NLI supported" in html or "NLI contradicted" in html
    assert f"article: {evidence}" in html
    assert result.gates is not None
