import json
import random
from pathlib import Path

import pytest

from harness.text import (
    SPLITTER_NAME,
    count_words,
    paragraphs,
    sentence_spans,
    split_sentences,
    words,
)

GOLD = Path(__file__).parent / "data" / "sentences_gold.jsonl"


def test_abbreviations_do_not_end_sentences():
    text = "The deal was reached on Sept. 9 with Russia. Mr. Kirby said the U.S. would act. It did not."
    assert split_sentences(text) == [
        "The deal was reached on Sept. 9 with Russia.",
        "Mr. Kirby said the U.S. would act.",
        "It did not.",
    ]


def test_paragraphs_never_share_a_sentence():
    text = "Headline without a period\n\nFirst sentence here. Second one.\nStill the second paragraph."
    assert split_sentences(text) == [
        "Headline without a period",
        "First sentence here.",
        "Second one.",
        "Still the second paragraph.",
    ]


def test_spans_point_into_the_original_text():
    text = "  One here.  Two there.\n\n  Three, with Mr. Smith.  "
    spans = sentence_spans(text)
    assert [s.text for s in spans] == ["One here.", "Two there.", "Three, with Mr. Smith."]
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_paragraph_offsets():
    text = "a b\n\n\n  c d  \n\ne"
    assert [(p.text, text[p.start : p.end]) for p in paragraphs(text)] == [("a b", "a b"), ("c d", "c d"), ("e", "e")]


def test_words_keep_numbers_and_contractions_whole():
    assert words("Roughly 275,000 civilians — Russia's Iran-backed 1.2 million.") == [
        "Roughly", "275,000", "civilians", "Russia's", "Iran-backed", "1.2", "million",
    ]
    assert count_words("") == 0


def test_seed_article_sentences(seed_article):
    sentences = split_sentences(seed_article)
    assert "Roughly 275,000 civilians are trapped in those areas, including an estimated 100,000 children." in sentences
    assert any(s.startswith("“This is not a decision that was taken lightly,” Mr. Kirby said.") for s in sentences)
    assert not any(s.endswith(("Sept.", "Mr.")) for s in sentences)


def test_sentence_splitting_is_safe_from_many_threads(seed_article):
    import concurrent.futures

    expected = split_sentences(seed_article)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(split_sentences, [seed_article] * 64))
    assert all(result == expected for result in results)


# --- the splitter's rules, case by case (tests/data/sentences_gold.jsonl has the hand-checked set) ---

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Alvarez met Dr. Osei. They talked.", ["Gen. Alvarez met Dr. Osei.", "They talked."]),
        ("It moved to Oct. 14 and No. 10 agreed. Fine.", ["It moved to Oct. 14 and No. 10 agreed.", "Fine."]),
        ("Growth came from the U.S. The rest did not.", ["Growth came from the U.S.", "The rest did not."]),
        ("U.S. Army officers and U.N. staff met.", ["U.S. Army officers and U.N. staff met."]),
        ("J. K. Rowling and George W. Bush spoke.", ["J. K. Rowling and George W. Bush spoke."]),
        ("They called it Plan B. The first had failed.", ["They called it Plan B.", "The first had failed."]),
        ("Acme Inc. said so. Greenway Ltd. The firm agreed.", ["Acme Inc. said so.", "Greenway Ltd.", "The firm agreed."]),
        ("It rose 3.5 percent to $1.2 billion. Good.", ["It rose 3.5 percent to $1.2 billion.", "Good."]),
        ('"Go!" he said. "Why now?" she asked.', ['"Go!" he said.', '"Why now?" she asked.']),
        ('She said: "It is gone." Then she left.', ['She said: "It is gone."', "Then she left."]),
        ("We waited... Then it rained... and rained.", ["We waited...", "Then it rained... and rained."]),
        ("See www.example.org/a. Mail me@example.com now.", ["See www.example.org/a.", "Mail me@example.com now."]),
        ("It fell 4 percent. eBay rose.", ["It fell 4 percent.", "eBay rose."]),
        ("We sat in the sun. Officials said it was hot.", ["We sat in the sun.", "Officials said it was hot."]),
        ("It rose in 2015. 20 people left.", ["It rose in 2015.", "20 people left."]),
    ],
)
def test_rules(text, expected):
    assert split_sentences(text) == expected


def test_xsum_glued_sentences_are_split():
    # XSum lost its paragraph breaks: "Harbour.Bidders" is two sentences, "U.S.Army" and "Mr.Smith" are not.
    assert split_sentences("It reached Lerwick Harbour.Bidders have until June.") == [
        "It reached Lerwick Harbour.", "Bidders have until June."]
    assert split_sentences("Ask the U.S.Army and Mr.Smith today.") == ["Ask the U.S.Army and Mr.Smith today."]
    # A straight quote glued after the mark opens the next quotation unless one is open.
    assert split_sentences('It stays in the league."We have no complaints," he said.') == [
        "It stays in the league.", '"We have no complaints," he said.']
    assert split_sentences('He said: "We tried."The club agreed.') == ['He said: "We tried."', "The club agreed."]


def test_lower_case_and_tokenized_text():
    assert split_sentences("the council met . it agreed . residents were angry .") == [
        "the council met .", "it agreed .", "residents were angry ."]
    assert split_sentences("the council met. it agreed with mr. jones.") == ["the council met.", "it agreed with mr. jones."]
    # A tokenized closing quote stays with the sentence it closes.
    assert split_sentences("he called it ` a joke . ' then he left .") == ["he called it ` a joke . '", "then he left ."]
    assert split_sentences("he said : ` it is over . '") == ["he said : ` it is over . '"]


def test_list_items_start_sentences():
    text = "The plan:\n1. Cut fares.\n2. Add buses\n- a passport\n- two photos"
    assert split_sentences(text) == ["The plan:", "1. Cut fares.", "2. Add buses", "- a passport", "- two photos"]
    # Other line breaks inside a paragraph are layout.
    assert split_sentences("The river burst its banks and\nhomes were evacuated.") == [
        "The river burst its banks and\nhomes were evacuated."]


def test_hand_checked_gold_set():
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 70
    wrong = [row["id"] for row in rows if split_sentences(row["text"]) != row["sentences"]]
    # "due in Dec. Officials hope ..." is a known miss (an abbreviation before a capitalised non-opener);
    # the benchmark prints the full accuracy table. Anything beyond that one is a regression.
    assert wrong == ["gold-006"]


def test_offsets_are_exact_on_random_text():
    pieces = ["Mr.", "U.S.", "3.5", "Harbour.Bidders", '"Go!"', "he", "said.", "...", "…", "?!", "\n", "\n\n",
              " ", "  ", "\t", "\u00a0", "(CNN)", "--", "e.g.", "J.", "K.", "'", "''", "`", "1.", "- ", "x", "The", "eBay."]
    generator = random.Random(7)
    for _ in range(500):
        text = "".join(generator.choice(pieces) + generator.choice(["", " "]) for _ in range(generator.randint(0, 40)))
        spans = sentence_spans(text)
        previous_end = 0
        for span in spans:
            assert text[span.start : span.end] == span.text == span.text.strip() != ""
            assert span.start >= previous_end
            assert "\n\n" not in span.text.replace(" ", "").replace("\t", "").replace("\u00a0", "")
            previous_end = span.end
        # Nothing but whitespace is left out.
        covered = set().union(*(range(s.start, s.end) for s in spans)) if spans else set()
        assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def test_pathological_inputs_finish():
    # Each of these would take minutes with a quadratic scan; they must simply come back.
    assert len(split_sentences("." * 100_000)) == 1
    assert len(split_sentences("A.Bc" * 20_000)) == 20_000
    assert len(split_sentences("x" * 100_000 + ". Yes.")) == 2


def test_splitter_name_names_the_rules_and_their_version():
    assert SPLITTER_NAME.startswith("harness-rules-")
