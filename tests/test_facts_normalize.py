"""Corpus artefacts repaired before figures are read (named in the signature), glued sentences split,
number words inside capitalised names, and the date reading of "March 12. ... March 13"."""

from __future__ import annotations

import pytest

from harness.facts import SIGNATURE, check_summary, extract_facts
from harness.facts.normalize import NAME, normalize
from harness.facts.sentences import fact_sentences


@pytest.mark.parametrize(("text", "expected"), [
    ("fined # 500,000 in", "fined £ 500,000 in"),
    ("a # 1m deal", "a £ 1m deal"),
    ("some 193, 000 likes and 24, 000 shares", "some 193,000  likes and 24,000  shares"),
    ("$ 53, 193, 914 on", "$ 53,193,914   on"),
    ("in 2010, 2011 and 1, 2, 3", "in 2010, 2011 and 1, 2, 3"),  # years and lists are no thousands
    ("#RubberDub #7minutes", "#RubberDub £7minutes"),  # documented limit: a hashtag before a digit
])  # fmt: skip
def test_normalize_repairs_artefacts_at_the_same_length(text, expected):
    assert normalize(text) == expected
    assert len(normalize(text)) == len(text)


def test_normalisation_is_named_in_the_signature():
    assert f"|normalize:{NAME}|" in SIGNATURE


def test_hash_for_pound_is_money_not_metres():
    table = extract_facts("He was fined # 1m last year.")
    (fact,) = table.facts[:1]
    assert (fact.quantity.kind, fact.quantity.value, fact.quantity.unit) == ("money", 1_000_000, "GBP")
    assert table.facts[0].evidence.sentence.startswith("He was fined £ 1m")
    result = check_summary("A fine of £1m was imposed.", table)
    assert [c.verdict for c in result.claims] == ["supported"]


def test_spaced_thousands_read_as_one_figure_on_both_sides():
    result = check_summary("Around 56, 000 dogs were treated.", "Around 56, 000 dogs were treated for poisoning.")
    assert [(c.quantity.value, c.verdict) for c in result.claims] == [(56_000, "supported")]


def test_glued_sentences_are_split_with_offsets_into_the_text():
    text = "The ship sank near the Harbour.Bidders were told on Monday. Mr.Smith and the U.S.Army stayed."
    spans = fact_sentences(text)
    assert [s.text for s in spans] == ["The ship sank near the Harbour.", "Bidders were told on Monday.",
                                       "Mr.Smith and the U.S.Army stayed."]  # fmt: skip
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_dates_across_a_sentence_break():
    table = extract_facts("She was last seen on March 12. Her body was found on Friday, March 13.")
    assert [(f.quantity.kind, f.quantity.value) for f in table.facts] == [("date", 312), ("weekday", 5),
                                                                        ("date", 313)]  # fmt: skip
    assert [c.verdict for c in check_summary("Her body was found on March 13.", table).claims] == ["supported"]


def test_number_word_inside_a_capitalised_name_is_no_figure():
    table = extract_facts("England face Wales in the Six Nations on Saturday, and the Three Lions rest.")
    assert [f.quantity.kind for f in table.facts] == ["weekday"]
    assert [f.quantity.value for f in extract_facts("Six people were hurt. He saw Six Nations.").facts] == [6]


@pytest.mark.parametrize(("claim", "verdict"), [
    ("Hundreds of homes were flooded.", "contradicted"),
    ("Dozens of homes were flooded.", "supported"),
])  # fmt: skip
def test_vague_quantities_of_another_magnitude_do_not_agree(claim, verdict):
    result = check_summary(claim, "Dozens of homes were flooded in the town.")
    assert [c.verdict for c in result.claims] == [verdict]


def test_penn_treebank_brackets_are_brackets_again():
    """Tokenized CNN/DailyMail writes "-LRB-" for "(": left as it is, it would read as a name the article lacks."""
    text = "Eagles -LRB- 5-2 -RRB- beat the -lsb- visitors -rsb- ."
    repaired = normalize(text)
    assert len(repaired) == len(text) and repaired.split() == ["Eagles", "(", "5-2", ")", "beat", "the", "[", "visitors", "]", "."]
    result = check_summary("Eagles -LRB- Philadelphia -RRB- won 5-2.", "The Philadelphia Eagles won 5-2 on Sunday.")
    assert [c.name for c in result.entity_claims] == ["Eagles", "Philadelphia"]
