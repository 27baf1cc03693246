import random
from collections.abc import Sequence

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


def reference_fragments(summary, article):
    """Grusky et al.'s greedy covering written plainly: at each point the longest match anywhere, then move on."""
    found, i = [], 0
    while i < len(summary):
        best = 0
        for j in range(len(article)):
            length = 0
            while i + length < len(summary) and j + length < len(article) and summary[i + length] == article[j + length]:
                length += 1
            best = max(best, length)
        if best:
            found.append(best)
        i += max(best, 1)
    return found


def sequences(rng, kind):
    """A (summary, article) pair: random words over a small vocabulary, or text built from repeated pieces."""
    if kind == "random":
        vocabulary = [f"w{k}" for k in range(rng.randint(1, 6))]
        return ([rng.choice(vocabulary) for _ in range(rng.randint(0, 30))],
                [rng.choice(vocabulary) for _ in range(rng.randint(0, 60))])
    pieces = [[rng.choice("abc") for _ in range(rng.randint(1, 4))] for _ in range(3)]
    article = [t for _ in range(rng.randint(0, 15)) for t in rng.choice(pieces)]
    summary = [t for _ in range(rng.randint(0, 10)) for t in rng.choice(pieces)]
    if summary and rng.random() < 0.5:
        summary[rng.randrange(len(summary))] = rng.choice(["novel", "a", "b"])  # a break inside a copied run
    return summary, article


@pytest.mark.parametrize("kind", ["random", "repetitive"])
def test_fragments_equal_the_plain_algorithm(kind):
    rng = random.Random(2018)
    for _ in range(400):
        summary, article = sequences(rng, kind)
        assert fragments(summary, article) == reference_fragments(summary, article), (summary, article)


def test_fragments_of_repeated_and_lone_words():
    assert fragments(["w"] * 7, ["w"] * 3) == [3, 3, 1]
    assert fragments("a x".split(), "a b x".split()) == [1, 1]  # both words are in the article, never side by side
    assert fragments(["w"] * 3, ["w"] * 7) == [3]
    assert fragments("a b a b a c".split(), "x a b a b a b".split()) == [5]
    assert fragments("a x a".split(), ["x"]) == [1]


class CountingTokens(Sequence):
    """A token list that counts how often its tokens are read, to bound the work without timing it."""

    def __init__(self, items, counter):
        self.items, self.counter = list(items), counter

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        self.counter[0] += 1
        return self.items[index]

    def __iter__(self):
        for item in self.items:
            self.counter[0] += 1
            yield item


def test_repetitive_text_costs_linear_work():
    # "word " * 40000 as article and summary (lead-3 of a text with no sentence breaks) ran for minutes: every
    # article position was extended word by word from every summary position. Token reads bound the work.
    n = 3000
    counter = [0]
    assert fragments(CountingTokens(["word"] * n, counter), CountingTokens(["word"] * n, counter)) == [n]
    assert counter[0] <= 10 * n
    counter[0] = 0
    repeated = "the cat sat on the mat".split() * (n // 6)
    assert fragments(CountingTokens(repeated + ["dog"] + repeated, counter), CountingTokens(repeated, counter)) == [n, n]
    assert counter[0] <= 10 * n
