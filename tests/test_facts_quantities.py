"""Quantities: parsing and normalising figures, hedges and their agreement."""

from __future__ import annotations

import pytest

from harness.facts import check_summary, extract_facts
from harness.facts.numbers import written_numbers
from harness.facts.quantities import Quantity, agree, find_quantities


def only(text: str) -> Quantity:
    """The single quantity in text."""
    found = find_quantities(text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("275,000 civilians", "count", 275_000, ""),
        ("1.2 million people", "count", 1_200_000, ""),
        ("a $4bn deal", "money", 4e9, "USD"),
        ("a deal worth £10m", "money", 10_000_000, "GBP"),
        ("worth about £ 150 m", "money", 150_000_000, "GBP"),  # tokenised datasets space the parts
        ("40% of voters", "percent", 40, ""),
        ("20 per cent of", "percent", 20, ""),
        ("two-thirds of voters", "percent", 200 / 3, ""),
        ("five people", "count", 5, ""),
        ("twenty-nine people", "count", 29, ""),
        ("one hundred and five people", "count", 105, ""),
        ("a dozen people", "count", 12, ""),
        ("half a million people", "count", 500_000, ""),
        ("a quarter of a million people", "count", 250_000, ""),
        ("two and a half million people", "count", 2_500_000, ""),
        ("the third time", "ordinal", 3, ""),
        ("her 90th birthday", "ordinal", 90, ""),
        ("dead since 2011", "year", 2011, ""),
        ("on Sept. 9", "date", 909, ""),
        ("on September 9", "date", 909, ""),
        ("on 9 September", "date", 909, ""),
        ("on the 9th of September", "date", 909, ""),
        ("in October", "month", 10, ""),
        ("on Monday", "weekday", 1, ""),
        ("within five days", "duration", 5, "day"),
        ("a two-year deal", "duration", 730.5, "day"),
        ("an 83-year-old man", "age", 83, ""),
        ("A 25 - year - old man", "age", 25, ""),
        ("died at the age of 83", "age", 83, ""),
        ("Julia Louis-Dreyfus, 54, stars", "age", 54, ""),
        ("they lost 2-0 to Hull", "score", 2000, ""),
        ("world number two", "rank", 2, ""),
        ("the 100m title", "measure", 100, "m"),
    ],
)
def test_parses_figure(text: str, kind: str, value: float, unit: str) -> None:
    q = only(text)
    assert (q.kind, q.unit) == (kind, unit)
    assert q.value == pytest.approx(value)


def test_vague_plurals_are_ranges() -> None:
    hundreds, week = find_quantities("Hundreds of people there have been killed in the past week")
    assert (hundreds.low, hundreds.high, hundreds.hedge) == (100, 999, "vague")
    assert (week.kind, week.value, week.text) == ("duration", 7, "the past week")
    tens = only("tens of thousands of people")
    assert (tens.low, tens.high) == (10_000, 99_999)


def test_hedges_become_intervals() -> None:
    roughly = only("roughly half a million people")
    assert roughly.hedge == "roughly"
    assert roughly.low < 500_000 < roughly.high
    nearly = only("nearly 500,000 dead")
    assert nearly.high <= 510_000 and nearly.low == pytest.approx(450_000)
    more = only("more than 30 people")
    assert more.low == 30 and more.high > 30
    less = only("less than a week after")
    assert less.kind == "duration" and less.high == 7 and less.claimable


@pytest.mark.parametrize(
    ("stated", "claimed", "agrees"),
    [
        ("roughly half a million", "nearly 500,000", True),
        ("roughly half a million", "half a million", True),
        ("roughly half a million", "about a million", False),
        ("roughly half a million", "500,000", True),
        ("Roughly 275,000", "some 275,000", True),
        ("Roughly 275,000", "about 280,000", True),
        ("Roughly 275,000", "300,000", False),
        ("Roughly 275,000", "some 300,000", False),
        ("more than 20", "21", True),
        ("Roughly 275,000", "100,000", False),
        ("an estimated 100,000", "100,000", True),
        ("more than 20", "at least 18", False),  # an open-ended figure still points near its figure
        ("16", "at least 14", False),
        ("£572,206", "more than £500,000", True),  # a round floor is the round figure next below
        ("116", "more than 100", True),
        ("150", "more than 100", False),
        ("75mph", "up to 90mph", False),  # a ceiling names the top, round or not
        ("more than 20", "up to 20", False),  # bounds from both sides that meet at one point
        ("69%", "more than half of them", True),  # a share in words is a category: "a majority"
        ("90%", "more than half of them", True),
        ("45%", "more than half of them", False),
        ("5%", "less than a third of them", True),
        ("half of them", "more than 60%", False),
        ("dozens", "hundreds", False),  # vague words of different magnitudes, though their ranges overlap
        ("Dozens", "dozens", True),
        ("Hundreds", "thousands", False),
        ("Hundreds", "hundreds", True),
        ("Sept. 9", "September 9", True),
        ("Sept. 9", "Sept. 19", False),
        ("Sept. 9", "in September", True),
        ("in October", "in November", False),
        ("five days", "5 days", True),
        ("five days", "six days", False),
        ("a year", "12 months", True),
        ("won 2-1", "lost 1-2", True),
        ("2011", "2012", False),
    ],
)
def test_agreement(stated: str, claimed: str, agrees: bool) -> None:
    fact = find_quantities(stated)[-1]
    claim = find_quantities(claimed)[-1]
    assert agree(claim, fact) is agrees


def test_kinds_do_not_mix() -> None:
    assert not agree(only("in 2011"), only("2011 people"))
    assert not agree(only("five days"), only("five people"))


@pytest.mark.parametrize(
    "text",
    [
        "one of the best",
        "for the first time",
        "League Two club",
        "the A55 road",
        "the MH370 flight",
        "the Covid-19 pandemic",
        "Theresa May said she may go",
        "a multi-million pound project",
        "the 1980s",
        "a top-four finish",
    ],
)
def test_noise_is_not_a_claim(text: str) -> None:
    assert [q.text for q in find_quantities(text) if q.claimable] == []


def test_spans_point_into_the_text() -> None:
    text = "The war has left roughly half a million people dead since 2011."
    for q in find_quantities(text):
        assert text[q.span[0] : q.span[1]] == q.text


def test_written_numbers_any_form() -> None:
    assert written_numbers("twenty-five minutes, the 3rd, 4bn and 1,200") == {25, 3, 4, 1200}


def test_round_trip() -> None:
    q = only("roughly half a million people")
    assert Quantity.from_dict(q.to_dict()) == q


def test_a_place_from_the_bottom_is_not_the_same_place_from_the_top() -> None:
    article = "Leeds slip to third from bottom after the defeat. Town moved up to fifth in the table."
    bottom = [f.quantity for f in extract_facts(article).facts if f.quantity.value == 3]
    assert [(q.text, q.kind, q.unit) for q in bottom] == [("third from bottom", "ordinal", "from bottom")]
    verdict = {c.quantity.text: c.verdict for c in check_summary("Town moved up to third in the table.", article).claims}
    assert verdict["up to third"] != "supported"
    verdict = {c.quantity.text: c.verdict for c in check_summary("Leeds are now third-from-bottom.", article).claims}
    assert verdict["third-from-bottom"] == "supported"


def test_a_hyphenated_pair_before_a_counted_noun_is_a_range_not_a_result() -> None:
    def kinds(text: str) -> list[str]:
        return [q.kind for q in find_quantities(text)]

    assert kinds("5-10 people died.") == ["count", "count"]
    assert kinds("Prices rose 10-15%.")[-1] == "percent"
    for result in ("Arsenal won 2-1.", "Arsenal were 2-1 winners.", "The 2-1 victory lifted them.", "Two 3-0 wins."):
        assert "score" in kinds(result), result


def test_scientific_notation_and_over_long_figures_are_read_as_what_they_are() -> None:
    assert find_quantities("1e400 people died.") == []  # not "400 people"
    [huge] = find_quantities("The war has left 1,000,000,000,000,000,000,000,000 people dead.")
    assert huge.value == 1e24  # grouped by commas: a figure, however long
    assert find_quantities(f"Order {'1' * 101} shipped.") == []  # a bare run past MAX_DIGITS (100) is a code
    [bare] = find_quantities("Some 1000000000000000000000000001 people died.")  # 28 digits: read, as 24 are (QA round 6)
    assert bare.value == 1e27
    claim = check_summary("111,111,111,111,111,111 people died.", "The storm killed 7 people.").claims[0]
    assert claim.reason.endswith("not 1.11111111111111e+17")  # no float noise shown as digits
