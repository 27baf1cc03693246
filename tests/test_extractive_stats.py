import pytest

from harness.documents import Document
from harness.scoring import aggregate as summarize
from harness.scoring.extractive import ExtractiveScorer, fragment_stats, fragments


def test_fragments_follow_grusky_et_al():
    article = "a b c d e f y a b".split()
    assert fragments("a b c d x e f".split(), article) == [4, 2]  # "x" is novel
    assert fragments("y a b c".split(), article) == [3, 1]  # the longest match at each point, then move on
    assert fragments("q r".split(), article) == []


def test_copy_novel_and_compression():
    article = "The talks were suspended on Monday because of the assault on Aleppo."
    copied = fragment_stats("The talks were suspended on Monday", article)
    assert copied == {"coverage": 1.0, "density": 6.0, "compression": pytest.approx(12 / 6)}
    novel = fragment_stats("Diplomacy collapsed entirely", article)
    assert novel["coverage"] == 0.0 and novel["density"] == 0.0
    mixed = fragment_stats("Talks suspended Monday", article)  # three one-word fragments
    assert mixed["coverage"] == 1.0 and mixed["density"] == 1.0
    assert fragment_stats("", article) == {"coverage": None, "density": None, "compression": None}


def test_scorer_rows_and_means():
    scorer = ExtractiveScorer()
    document = Document("d", "One two three four five six seven eight.")
    rows = [scorer.row("one two three", document), scorer.row("nine ten", document)]
    assert rows[0]["extractive"]["density"] == 3.0
    aggregate = summarize(scorer, [r["extractive"] for r in rows])
    assert aggregate["n"] == 2 and aggregate["coverage"] == pytest.approx(0.5)
    assert str(scorer.signature()).startswith("extractive|stats:coverage,density,compression|")
