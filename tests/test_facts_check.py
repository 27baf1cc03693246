"""Claim checking: each verdict on the seed examples, evidence, key facts and the scorer numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.documents import load_documents
from harness.facts import (
    CONTRADICTED,
    NOT_IN_ARTICLE,
    OMITTED,
    PRESERVED,
    SIGNATURE,
    SUPPORTED,
    check_summary,
    extract_facts,
    table_for_document,
)

SEED = Path(__file__).resolve().parents[1] / "references" / "syria-talks"


@pytest.fixture(scope="module")
def document():
    return load_documents(SEED)[0]


@pytest.fixture(scope="module")
def table(document):
    return table_for_document(document)


def verdicts(summary: str, table) -> list[tuple[str, str, str | None]]:
    """(figure, verdict, fact id) of each claim."""
    return [(c.quantity.text, c.verdict, c.fact.id if c.fact else None) for c in check_summary(summary, table).claims]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        # caught: a figure moved to another noun, a wrong toll, a date moved to another event, a wrong count
        ("275,000 children are trapped in Aleppo.", [("275,000", CONTRADICTED, "trapped-children")]),
        ("The war has left about a million people have died.", [("about a million", CONTRADICTED, "war-dead")]),
        # "killed" fits the week's "Hundreds ... killed" as well as the war's dead: the nearer value decides
        ("The war has killed about a million people since 2011.",
         [("about a million", CONTRADICTED, "war-dead"), ("2011", SUPPORTED, "war-start")]),
        ("The truce collapsed after the Sept. 9 bombing of an aid convoy.",
         [("Sept. 9", CONTRADICTED, "aid-convoy-bombing")]),
        ("In Aleppo, 300,000 civilians are trapped.", [("300,000", CONTRADICTED, "trapped-civilians")]),
        ("Thousands have been killed in the past week.",
         [("Thousands", CONTRADICTED, "killed-past-week"), ("the past week", SUPPORTED, "past-week")]),
        ("Russia presides over the Security Council in November.", [("November", CONTRADICTED, "russia-presidency")]),
        ("The secretary general has 10 days to propose a mechanism.",
         [("10 days", CONTRADICTED, "mechanism-deadline")]),
        ("A 40-year-old man was among the dead.", [("40-year-old", NOT_IN_ARTICLE, None)]),
        ("Kirby died at the age of 83.", [("83", NOT_IN_ARTICLE, None)]),
        # passed: faithful wording, other hedges, words for digits
        ("Some 275,000 civilians, 100,000 of them children, are trapped.",
         [("Some 275,000", SUPPORTED, "trapped-civilians"), ("100,000", SUPPORTED, "trapped-children")]),
        ("The war has left nearly 500,000 dead.", [("nearly 500,000", SUPPORTED, "war-dead")]),
        ("Half a million killed since 2011.",
         [("Half a million", SUPPORTED, "war-dead"), ("2011", SUPPORTED, "war-start")]),
        ("The cease-fire reached on September 9 collapsed.", [("September 9", SUPPORTED, "ceasefire-agreed")]),
        ("Hundreds have been killed in the past week.",
         [("Hundreds", SUPPORTED, "killed-past-week"), ("the past week", SUPPORTED, "past-week")]),
        ("The secretary general has five days to propose a mechanism.",
         [("five days", SUPPORTED, "mechanism-deadline")]),
    ],
)
def test_verdicts_on_seed_examples(table, summary: str, expected) -> None:
    assert verdicts(summary, table) == expected


def test_claims_carry_evidence_and_reason(document, table) -> None:
    claim = check_summary("275,000 children are trapped in Aleppo.", table).claims[0]
    assert claim.text == "275,000 children are trapped in Aleppo."
    assert claim.quantity.value == 275_000 and claim.noun == "child"
    assert claim.evidence.sentence.startswith("Roughly 275,000 civilians are trapped")
    assert document.article[claim.evidence.start : claim.evidence.end] == claim.evidence.sentence
    assert "civilian" in claim.reason and "an estimated 100,000" in claim.reason


def test_reference_summaries_are_clean_and_keep_key_facts(document, table) -> None:
    for reference in document.references:
        result = check_summary(reference.text, table)
        assert not result.flagged, [c.to_dict() for c in result.claims if c.verdict != SUPPORTED]
        assert result.numeric_precision == 1.0
    headline = check_summary(next(r.text for r in document.references if r.id == "headline"), table)
    status = {k.fact.id: k.status for k in headline.key_facts}
    assert status == {"war-dead": OMITTED, "trapped-civilians": PRESERVED, "trapped-children": PRESERVED}
    assert headline.key_fact_recall == pytest.approx(2 / 3)


def test_scores(table) -> None:
    result = check_summary("About 275,000 civilians are trapped, 275,000 children among them, and 83 soldiers.", table)
    assert (result.supported, result.contradicted, result.not_in_article) == (1, 1, 1)
    assert result.numeric_precision == pytest.approx(1 / 3)
    assert result.flagged
    empty = check_summary("The talks were suspended.", table)
    assert empty.claims == () and empty.numeric_precision is None and not empty.flagged
    assert empty.key_fact_recall == 0.0


def test_contradicted_key_fact_is_not_preserved(table) -> None:
    result = check_summary("About a million people have died since 2011.", table)
    assert {k.fact.id: k.status for k in result.key_facts}["war-dead"] == OMITTED


def test_result_is_json_ready(table) -> None:
    data = json.loads(json.dumps(check_summary("275,000 children are trapped.", table).to_dict()))
    assert data["contradicted"] == 1 and data["claims"][0]["verdict"] == CONTRADICTED
    assert data["claims"][0]["fact"] == "trapped-children"
    assert {k["status"] for k in data["key_facts"]} == {OMITTED}


def test_article_text_works_without_a_table(document) -> None:
    result = check_summary("Some 300,000 civilians are trapped.", document.article)
    assert [c.verdict for c in result.claims] == [CONTRADICTED]
    assert result.key_fact_recall is not None  # automatic key facts when no gold table is given


def test_noisy_words_are_not_claims(table) -> None:
    assert check_summary("It was one of the first talks, and a man in League Two said so.", table).claims == ()


def test_signature_names_the_checker() -> None:
    assert SIGNATURE.startswith("facts|extractor:rules-") and "|version:" in SIGNATURE


def test_a_figure_whose_clause_names_the_claimed_noun_is_about_it():
    """"Seven candidates were whittled down to two last Sunday": the two are candidates (the clause says so, and
    "last Sunday" is no counted noun), so "the two candidates" is not a value moved from the seven."""
    article = ("Supporters are choosing between the two former prime ministers. Seven candidates were whittled down "
               "to two last Sunday. The two contenders debated on Thursday.")  # fmt: skip
    claims = check_summary("The two centre-right candidates clashed in their final debate.", article).claims
    assert [(c.quantity.text, c.verdict) for c in claims] == [("two", "supported")]
    moved = check_summary("The seven former prime ministers clashed.", article).claims
    assert [c.verdict for c in moved] == ["contradicted"]


def test_a_count_of_some_more_is_no_rival_to_a_count_of_all():
    # "another four" adds to babies already counted: it cannot show that "five babies" is wrong.
    article = ("Her baby is among the five missing, the mother said. The bodies of another four babies delivered "
               "that day are also missing.")  # fmt: skip
    assert [(c.quantity.text, c.verdict) for c in check_summary("The bodies of five babies are missing.", article).claims] == [
        ("five", "supported")]  # fmt: skip
    part = [f for f in extract_facts(article).facts if f.quantity.value == 4]
    assert part and part[0].qualifiers["part"] == "another"


def test_a_figure_followed_by_the_articles_own_word_keeps_its_reading():
    # "six nations game" repeats the article's "six nations opener": the claim's head noun "game" is not
    # the counted thing, so the article's "eight games" is no rival.
    article = ("sean o'brien has been named to face scotland in saturday's six nations opener. jackson makes his "
               "sixth start in eight games for ireland.")  # fmt: skip
    def six(summary: str) -> list[str]:
        return [c.verdict for c in check_summary(summary, article).claims if c.quantity.text == "six"]

    assert six("o'brien starts saturday's six nations game against scotland.") == ["supported"]
    assert six("o'brien has started six games for ireland.") == ["contradicted"]


def test_people_counted_by_what_befell_them_are_people():
    # "four arrests" are four people arrested: no rival to "arrested four people" in the three of a murder case
    article = ("Police made four arrests in raids on Tuesday. In Brussels three people were charged with murder "
               "after the raids.")  # fmt: skip
    claims = check_summary("Police have arrested four people in raids.", article).claims
    assert [(c.quantity.text, c.verdict) for c in claims] == [("four", "supported")]


def test_two_counts_of_people_in_one_sentence_add_up_to_a_claim():
    article = ("At least 12 MSF staff members and seven patients were killed in the strike. Officials said 30 "
               "buildings and 7 cars burned.")  # fmt: skip

    def verdict(summary: str) -> tuple[str, str]:
        claim = check_summary(summary, article).claims[0]
        return claim.verdict, claim.reason

    assert verdict("Air strikes killed 19 people at the hospital.") == (
        "supported", "the article's 'At least 12' and 'seven' add up to 19")
    assert verdict("Air strikes killed 25 people at the hospital.")[0] != "supported"
    assert verdict("Air strikes killed 19 children at the hospital.")[0] != "supported"  # staff are not children
    assert verdict("37 cars burned.")[0] != "supported"  # buildings and cars are not one count


def test_a_figure_given_the_opposite_outcome_is_contradicted():
    """The article's only 25-year-old was injured: "a 25-year-old man has died" is contradicted, citing it."""
    article = ("A man has died after being shot in the chest. On Monday, a 25-year-old man was seriously injured "
               "when he was shot in the street. Last May, two earthquakes left more than 20 people dead.")  # fmt: skip
    claims = check_summary("A 25-year-old man has died after being shot.", article).claims
    assert [(c.quantity.text, c.verdict) for c in claims] == [("25-year-old", "contradicted")]
    assert claims[0].reason.endswith(": injured, not died")
    assert [c.verdict for c in check_summary("The quake injured more than 20 people.", article).claims] == ["contradicted"]
    assert [c.verdict for c in check_summary("The quakes killed more than 20 people.", article).claims] == ["supported"]
