import pytest
from rouge_score import rouge_scorer, scoring

from harness.documents import Document, Reference
from harness.scoring import Statistics, aggregate
from harness.scoring.rouge import RougeOptions as RougeConfig
from harness.scoring.rouge import RougeScorer
from harness.stats import mean_ci
from harness.text import SPLITTER_NAME

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
SUMMARY = "Roughly 275,000 civilians are trapped. Hundreds of people were killed in the past week."
REF_A = "About 275,000 civilians are trapped in Aleppo. An estimated 100,000 of them are children."
REF_B = "Hundreds were killed in Aleppo this past week. The talks were suspended."


def as_tuple(score):
    return (score.precision, score.recall, score.fmeasure)


def as_dict_tuple(score):
    return (score["precision"], score["recall"], score["fmeasure"])


def test_single_reference_matches_rouge_score_called_directly():
    ours = RougeScorer(RougeConfig()).row(SUMMARY, Document("d", "article", (Reference("a", REF_A),)))
    # rouge-score on the same texts, rougeLsum given one sentence per line.
    direct = rouge_scorer.RougeScorer(TYPES, use_stemmer=True).score(
        REF_A.replace(". ", ".\n"),
        "Roughly 275,000 civilians are trapped.\nHundreds of people were killed in the past week.",
    )
    for rouge_type in TYPES:
        assert as_dict_tuple(ours["rouge"][rouge_type]) == pytest.approx(as_tuple(direct[rouge_type]))


def test_max_over_references_equals_score_multi():
    document = Document("d", "article", (Reference("a", REF_A), Reference("b", REF_B)))
    ours = RougeScorer(RougeConfig()).row(SUMMARY, document)
    direct = rouge_scorer.RougeScorer(TYPES, use_stemmer=True).score_multi(
        [REF_A.replace(". ", ".\n"), REF_B.replace(". ", ".\n")],
        "Roughly 275,000 civilians are trapped.\nHundreds of people were killed in the past week.",
    )
    for rouge_type in TYPES:
        assert as_dict_tuple(ours["rouge"][rouge_type]) == pytest.approx(as_tuple(direct[rouge_type]))
    assert set(ours["rouge_per_reference"]) == {"a", "b"}
    # the two references really score differently, so the choice of the max is tested
    assert ours["rouge_per_reference"]["a"]["rouge2"]["fmeasure"] != ours["rouge_per_reference"]["b"]["rouge2"]["fmeasure"]


def test_mean_over_references():
    document = Document("d", "article", (Reference("a", REF_A), Reference("b", REF_B)))
    scorer = RougeScorer(RougeConfig(multi_reference="mean"))
    ours = scorer.row(SUMMARY, document)
    per = ours["rouge_per_reference"]
    for rouge_type in TYPES:
        expected = (per["a"][rouge_type]["recall"] + per["b"][rouge_type]["recall"]) / 2
        assert ours["rouge"][rouge_type]["recall"] == pytest.approx(expected)


def test_rouge_lsum_sees_sentences_and_rouge_l_does_not():
    summary = "The talks were suspended. Russia bombed Aleppo."
    reference = "Russia bombed Aleppo. The talks were suspended."
    scores = RougeScorer(RougeConfig()).row(summary, Document("d", "a", (Reference("r", reference),)))["rouge"]
    assert scores["rougeLsum"]["fmeasure"] == pytest.approx(1.0)
    assert scores["rougeL"]["fmeasure"] < 0.7


def test_stemming_is_on_by_default_and_can_be_turned_off():
    document = Document("d", "a", (Reference("r", "The civilians were trapped"),))
    stemmed = RougeScorer(RougeConfig()).row("civilian trapping", document)["rouge"]["rouge1"]["recall"]
    plain = RougeScorer(RougeConfig(stemmer=False)).row("civilian trapping", document)["rouge"]["rouge1"]["recall"]
    assert stemmed == pytest.approx(0.5) and plain == 0.0


def test_no_references_gives_no_rouge():
    assert RougeScorer().row("x", Document("d", "a"))["rouge"] is None


def test_aggregate_means_match_rouge_score_aggregation_and_intervals_are_seeded():
    scorer = RougeScorer(RougeConfig(types=("rouge1",)), Statistics(bootstrap=500, seed=3))
    summaries = ["civilians trapped", "talks suspended in Aleppo", "Russia", "children trapped in Aleppo"]
    document = Document("d", "a", (Reference("r", REF_A),))
    rows = [scorer.row(s, document) for s in summaries]
    aggregate_ = aggregate(scorer, [r["rouge"] for r in rows])
    expected = sum(r["rouge"]["rouge1"]["fmeasure"] for r in rows) / len(rows)
    stat = aggregate_["rouge1"]["fmeasure"]
    assert aggregate_["n"] == 4
    assert stat["mean"] == pytest.approx(expected)
    assert stat["low"] < stat["mean"] < stat["high"]
    assert aggregate(scorer, [r["rouge"] for r in rows]) == aggregate_  # same seed, same interval
    other = aggregate(RougeScorer(RougeConfig(types=("rouge1",)), Statistics(bootstrap=500, seed=4)), [r["rouge"] for r in rows])
    assert other["rouge1"]["fmeasure"]["low"] != stat["low"] or other["rouge1"]["fmeasure"]["high"] != stat["high"]
    # rouge-score's own BootstrapAggregator agrees on the mean
    aggregator = scoring.BootstrapAggregator()
    for summary in summaries:
        aggregator.add_scores(rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True).score(REF_A, summary))
    assert aggregator.aggregate()["rouge1"].mid.fmeasure == pytest.approx(expected)


def test_bootstrap_interval_narrows_with_more_documents():
    wide = mean_ci([0.1, 0.9] * 5, samples=1000, confidence=0.95, seed=0)
    narrow = mean_ci([0.1, 0.9] * 200, samples=1000, confidence=0.95, seed=0)
    assert narrow["high"] - narrow["low"] < wide["high"] - wide["low"]
    assert mean_ci([0.4], samples=100, confidence=0.95, seed=0) == {"mean": 0.4, "low": 0.4, "high": 0.4}
    assert mean_ci([0.4, 0.6], samples=0, confidence=0.95, seed=0) == {"mean": 0.5, "low": None, "high": None}


def test_signature_records_what_changes_the_numbers():
    signature = str(RougeScorer(RougeConfig(stemmer=False, multi_reference="mean"), Statistics(bootstrap=200, seed=7)).signature())
    assert signature.startswith("rouge|v:rouge-score-0.1.2|types:1,2,L,Lsum|stem:no|")
    for part in (f"split:{SPLITTER_NAME}|", "refs:mean", "boot:200", "seed:7", "ci:95", "harness:"):
        assert part in signature
