"""RougeEngine against rouge-score: the same Score for every type, with and without the stemmer.

tests/data/rouge_pairs.jsonl holds hand-written pairs and seeded synthetic ones, each with rouge-score 0.1.2's
scores as written by `python tests/test_rouge_engine.py --write` (exact floats; JSON round-trips them).
The suite checks the engine against those, and against rouge-score itself, live, on a slice of them and on
fresh random pairs (a rouge-score other than the one that wrote the file is still the reference).
"""

from __future__ import annotations

import json
import pickle
import random
import sys
from pathlib import Path

import pytest
from rouge_score import rouge_scorer
from rouge_score import tokenize as rouge_tokenize
from rouge_score.scoring import Score

from harness.scoring.rouge import RougeOptions as RougeConfig
from harness.scoring.rouge import RougeScorer, sentence_lines
from harness.scoring.rouge_engine import RougeEngine, _lcs_indices

DATA = Path(__file__).resolve().parent / "data" / "rouge_pairs.jsonl"
TYPES = ("rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum")
SETTINGS = {"stem": True, "nostem": False}

# Written for these tests: short news-style sentences, one per line where the pair is multi-sentence.
HAND_PAIRS = [
    ("The cat sat on the mat.", "The cat sat on the mat."),
    ("The cat sat on the mat.", "A dog lay under the table."),
    ("Police said the runners were running late.\nThe race ran on Sunday.",
     "The runner runs.\nRunning late, police say, the race was run on Sunday."),
    ("Studies show that students who study generously are generous.",
     "A study of studious students: generosity, generously studied."),
    ("About 275,000 civilians are trapped in the city.\nAn estimated 100,000 of them are children.",
     "Roughly 275,000 people are trapped.\nHundreds of them were killed in the past week."),
    ("Inflation rose 3.5 percent in Sept. 2014, up from 3.4 percent.", "Inflation was 3.5% in September."),
    ("The X-ray machine's well-known co-founder, Dr. Smith-Jones, retired.",
     "Smith Jones, co-founder of the x ray firm, retired"),
    ("", ""),
    ("", "Something was said."),
    ("Something was said.", ""),
    ("...", "!!! ???"),
    ("\n\n\n", "a\n\nb\n"),
    ("   \n\t\n", "the the the the"),
    ("the the the the the", "the the"),
    ("a b a b a b\nb a b a", "b a\na b\nb b a a"),
    ("one two three\ntwo three one\nthree one two", "three two one\none three two"),
    ("Café owners in Zürich say naïve tourists pay €5 for coffee.", "Cafe owners in Zurich: naive tourists pay 5 euros."),
    ("Straße, İstanbul and the \u212aelvin scale.", "strasse istanbul and the kelvin scale"),
    ("Ｆｕｌｌｗｉｄｔｈ digits １２３ and 123.", "fullwidth digits 123"),
    ("Greek λόγος and Russian слово are dropped.", "are dropped"),
    ("It's the company's 10th year; it won't stop.", "its the companys 10th year it wont stop"),
    ("Line one.\r\nLine two.\r\nLine three.", "Line two.\nLine one."),
    ("He ran. She runs. They are running. We will run.", "run run run run"),
    ("The meeting, which was held on Tuesday, was cancelled.\n\nA new date was not set.",
     "The meeting was cancelled on Tuesday.\n\n\nNo new date."),
    ("1990s 1,000 2.0 2-0 3rd", "1990s 1000 20 2 0 3rd"),
    ("caresses ponies ties caress cats feed agreed plastered motoring sing conflated troubled sized hopping",
     "caress poni ti caress cat feed agre plaster motor sing conflat troubl size hop"),
    ("relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli",
     "relate condition rational valence hesitance digitize conformable radical different vile"),
    ("A\nB\nC\nD\nE", "E\nD\nC\nB\nA"),
    ("same words in a different order entirely", "entirely order different a in words same"),
    (("The committee approved the budget after a long debate, officials said on Monday.\n"
      "The vote was 7 to 2.\nCritics said the plan was rushed."),
     "Officials said the committee approved the budget on Monday.\nCritics called it rushed; the vote was 7-2."),
]

# Small vocabularies make repeated tokens and LCS ties (which decide rougeLsum's union) common.
WORDS = (
    "the a of and to in is was were be run runs ran running runner studies study studying studied "
    "generous generously generosity national nationality nations happy happiness happily cat cats "
    "say said says officials official police policy policies agreed agree agreement"
).split()
ODD = ["3.5", "275,000", "1990s", "x-ray", "co-op", "U.S.", "it's", "don't", "naïve", "Zürich", "€5", "—", "...",
       "(", ")", "!", "?", "'", '"', "İ", "\u212a", "ß", "１２", "λόγος", "RUNNING", "Studies", "42", "0"]
SEPARATORS = [" "] * 12 + ["  ", "\t", ", ", ". ", "\n", "\n", "\n\n", " \n ", "\r\n", "-", ""]


def random_text(rng: random.Random, max_tokens: int = 40, vocabulary: int | None = None) -> str:
    """A random text: words (some of a tiny vocabulary), odd tokens, punctuation, newlines, empty lines."""
    words = WORDS[: vocabulary or len(WORDS)]
    pieces = []
    for _ in range(rng.randrange(max_tokens + 1)):
        token = rng.choice(ODD) if rng.random() < 0.12 else rng.choice(words)
        pieces.append(token + rng.choice(SEPARATORS))
    return "".join(pieces)


def random_pair(rng: random.Random, max_tokens: int = 40) -> tuple[str, str]:
    """A (target, prediction) pair; sometimes from a 3 to 8 word vocabulary, sometimes sharing text."""
    vocabulary = rng.choice([None, None, 3, 5, 8])
    target = random_text(rng, max_tokens, vocabulary)
    prediction = random_text(rng, max_tokens, vocabulary)
    if rng.random() < 0.15 and target:  # a summary that copies part of its reference
        start = rng.randrange(len(target))
        prediction = target[start : start + rng.randrange(1, 200)] + "\n" + prediction[: len(prediction) // 2]
    return target, prediction


def as_lists(scores: dict[str, Score]) -> dict[str, list]:
    """Score namedtuples as JSON-ready [precision, recall, fmeasure] lists."""
    return {name: list(score) for name, score in scores.items()}


def exact(scores: dict[str, Score]) -> dict[str, list[tuple[type, float]]]:
    """Scores with their types, so that 0 (int) and 0.0 differ as they do in rouge-score's output."""
    return {name: [(type(value), value) for value in score] for name, score in scores.items()}


def load_pairs() -> list[dict]:
    with DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return load_pairs()


@pytest.mark.parametrize("setting", SETTINGS)
def test_committed_pairs_equal_rouge_score(pairs, setting):
    engine = RougeEngine(TYPES, use_stemmer=SETTINGS[setting])
    assert len(pairs) >= 2000
    for row in pairs:
        got = engine.score(row["target"], row["prediction"])
        expected = {name: tuple(values) for name, values in row["expected"][setting].items()}
        assert exact(got) == exact({name: Score(*values) for name, values in expected.items()}), row["id"]


@pytest.mark.parametrize("setting", SETTINGS)
def test_slice_of_committed_pairs_equals_installed_rouge_score(pairs, setting):
    reference = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=SETTINGS[setting])
    engine = RougeEngine(TYPES, use_stemmer=SETTINGS[setting])
    for row in pairs[:: len(pairs) // 150]:
        assert exact(engine.score(row["target"], row["prediction"])) == exact(
            reference.score(row["target"], row["prediction"])
        ), row["id"]


def test_committed_pairs_cover_the_hard_cases(pairs):
    # the sample would pass trivially if it lacked these; each one has tripped a ROUGE reimplementation
    texts = [row["target"] + row["prediction"] for row in pairs]
    assert sum(1 for row in pairs if not row["target"] or not row["prediction"]) >= 10
    assert sum(1 for text in texts if "\n\n" in text) >= 100  # empty lines inside rougeLsum input
    assert sum(1 for text in texts if any(ord(c) > 127 for c in text)) >= 100
    stem_differs = sum(1 for row in pairs if row["expected"]["stem"] != row["expected"]["nostem"])
    assert stem_differs >= 500
    lsum_differs = sum(1 for row in pairs if row["expected"]["stem"]["rougeLsum"] != row["expected"]["stem"]["rougeL"])
    assert lsum_differs >= 500


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_random_pairs_equal_rouge_score(use_stemmer):
    rng = random.Random(20240611 + use_stemmer)
    reference = rouge_scorer.RougeScorer(list(TYPES) + ["rouge4"], use_stemmer=use_stemmer)
    engine = RougeEngine(list(TYPES) + ["rouge4"], use_stemmer=use_stemmer)
    for _ in range(300):
        target, prediction = random_pair(rng)
        assert exact(engine.score(target, prediction)) == exact(reference.score(target, prediction)), (target, prediction)


def test_long_texts_equal_rouge_score():
    # sentences over 64 tokens: the LCS bit vectors span several machine words
    rng = random.Random(7)
    reference = rouge_scorer.RougeScorer(["rougeL", "rougeLsum"], use_stemmer=True)
    engine = RougeEngine(["rougeL", "rougeLsum"], use_stemmer=True)
    for _ in range(6):
        target = random_text(rng, 250, 6).replace("\n", " ") + "\n" + random_text(rng, 120, 6)
        prediction = random_text(rng, 200, 6).replace("\n", " ")
        assert exact(engine.score(target, prediction)) == exact(reference.score(target, prediction))


def test_lcs_indices_are_the_ones_rouge_score_backtracks_to():
    # ties decide which LCS is read out, and so rougeLsum's union: compare the positions, not just lengths
    rng = random.Random(3)
    for trial in range(3000):
        alphabet = rng.randrange(1, 8)
        ref = [rng.randrange(alphabet) for _ in range(rng.randrange(0, 80 if trial % 10 == 0 else 12))]
        can = [rng.randrange(alphabet) for _ in range(rng.randrange(0, 80 if trial % 7 == 0 else 12))]
        masks: dict[int, int] = {}
        for i, token in enumerate(ref):
            masks[token] = masks.get(token, 0) | 1 << i
        got = _lcs_indices(masks, len(ref), tuple(can), frozenset(can) & masks.keys())
        assert sorted(got) == rouge_scorer.lcs_ind(ref, can), (ref, can)


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_tokens_are_rouge_score_tokens(use_stemmer):
    engine = RougeEngine(["rouge1"], use_stemmer=use_stemmer)
    stemmer = rouge_scorer.tokenizers.DefaultTokenizer(use_stemmer)._stemmer
    rng = random.Random(11)
    texts = [a + "\n" + b for a, b in HAND_PAIRS] + [random_text(rng, 60) for _ in range(200)]
    for text in texts:
        assert engine.tokenize(text) == rouge_tokenize.tokenize(text, stemmer), text


def test_score_many_and_a_tiny_text_cache_change_nothing():
    rng = random.Random(5)
    pairs = [random_pair(rng) for _ in range(100)]
    pairs += pairs[:20]  # repeated texts come from the cache
    cached = RougeEngine(TYPES, use_stemmer=True)
    evicting = RougeEngine(TYPES, use_stemmer=True, max_cached_texts=1)
    expected = [cached.score(t, p) for t, p in pairs]
    assert [exact(s) for s in RougeEngine(TYPES, use_stemmer=True).score_many(pairs)] == [exact(s) for s in expected]
    assert [exact(evicting.score(t, p)) for t, p in pairs] == [exact(s) for s in expected]


def test_engine_pickles_as_its_settings():
    engine = RougeEngine(["rouge2", "rougeLsum"], use_stemmer=True, max_cached_texts=7)
    engine.score("Studies were running.", "A study runs.")
    copy = pickle.loads(pickle.dumps(engine))
    assert (copy.rouge_types, copy.use_stemmer, copy._max_cached_texts) == (("rouge2", "rougeLsum"), True, 7)
    assert copy.score("Studies were running.", "A study runs.") == engine.score("Studies were running.", "A study runs.")


@pytest.mark.parametrize("bad", ["rouge0", "rougeX", "rouge10", "rougel", "bleu", "rouge1 "])
def test_unknown_types_are_refused_at_construction(bad):
    with pytest.raises(ValueError, match=f"unknown ROUGE type '{bad}'"):
        RougeEngine(["rouge1", bad])


def test_harness_scorer_gives_rouge_score_exactly():
    summary = "Roughly 275,000 civilians are trapped. Hundreds of people were killed in the past week."
    reference = "About 275,000 civilians are trapped in Aleppo. An estimated 100,000 of them are children."
    ours = RougeScorer(RougeConfig()).score_pair(summary, reference)
    direct = rouge_scorer.RougeScorer(list(RougeConfig().types), use_stemmer=True).score(
        sentence_lines(reference), sentence_lines(summary)
    )
    assert ours == {name: dict(zip(("precision", "recall", "fmeasure"), score)) for name, score in direct.items()}
    assert ours["rougeLsum"] != ours["rougeL"]  # the sentence lines reached rougeLsum


def write_pairs(count: int = 2400, seed: int = 14) -> None:
    """Regenerate tests/data/rouge_pairs.jsonl: HAND_PAIRS, then seeded random pairs, with rouge-score's scores."""
    rng = random.Random(seed)
    rows = [(f"hand-{i:02d}", t, p) for i, (t, p) in enumerate(HAND_PAIRS)]
    rows += [(f"random-{i:04d}", *random_pair(rng)) for i in range(count - len(rows))]
    scorers = {name: rouge_scorer.RougeScorer(list(TYPES), use_stemmer=stem) for name, stem in SETTINGS.items()}
    DATA.parent.mkdir(exist_ok=True)
    with DATA.open("w", encoding="utf-8") as handle:
        for row_id, target, prediction in rows:
            expected = {name: as_lists(scorer.score(target, prediction)) for name, scorer in scorers.items()}
            record = {"id": row_id, "target": target, "prediction": prediction, "expected": expected}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_rouge_engine.py --write  (rewrites tests/data/rouge_pairs.jsonl)")
    write_pairs()
