"""Times of day, dates and the other figure forms added from the error analysis on evaldata: possessives,
live-text score lines, "both", the accounts' "the year to", match minutes, opposite bounds, vague claims."""

from __future__ import annotations

import pytest

from harness.facts import CONTRADICTED, NOT_IN_ARTICLE, SUPPORTED, agree, check_summary, find_quantities
from harness.facts.extract import extract_mentions
from harness.facts.selftest import perturbations, rewrites
from harness.facts.table import extract_facts
from harness.facts.values import CLOCK_UNIT


def only(text: str):
    found = find_quantities(text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


def verdicts(summary: str, article: str) -> list[tuple[str, str]]:
    return [(c.quantity.text, c.verdict) for c in check_summary(summary, article).claims]


@pytest.mark.parametrize(
    ("text", "minutes", "unit"),
    [
        ("at 8pm", 20 * 60, ""),
        ("just before 8 pm", 20 * 60, ""),
        ("at 8 p.m. on", 20 * 60, ""),
        ("8 P.M.", 20 * 60, ""),
        ("at 8.30pm", 20 * 60 + 30, ""),
        ("at 8:30 am", 8 * 60 + 30, ""),
        ("at 12am", 0, ""),
        ("at 12pm", 12 * 60, ""),
        ("at 20:00", 20 * 60, ""),
        ("at 09:00 GMT", 9 * 60, ""),
        ("at 01:00 BST", 60, ""),
        ("at 12 noon", 12 * 60, ""),
        ("at 12 midnight", 0, ""),
        ("at 8:30", 8 * 60 + 30, CLOCK_UNIT),
        ("at 8 o'clock", 8 * 60, CLOCK_UNIT),
    ],
)
def test_times_of_day_parse(text: str, minutes: int, unit: str) -> None:
    q = only(text)
    assert (q.kind, q.value, q.unit) == ("time", minutes, unit)
    assert q.describe().startswith(f"{minutes // 60:02d}:{minutes % 60:02d}")


@pytest.mark.parametrize("text", ["a 2:03:59 marathon", "the 4G network", "aged 8, he", "the 13pm slot", "8.5pm"])
def test_not_times_of_day(text: str) -> None:
    assert all(q.kind != "time" for q in find_quantities(text))


def test_hedged_times_are_windows() -> None:
    around = only("around 3pm")
    assert (around.low, around.high, around.hedge) == (14 * 60 + 30, 15 * 60 + 30, "around")
    before = only("just before 8pm")
    assert (before.low, before.high, before.text) == (19 * 60 + 30, 20 * 60, "just before 8pm")
    after = only("after 10pm")
    assert after.low == 22 * 60 and after.high > 24 * 60
    # time-only hedges belong to times: "just after" changes no count
    assert [(q.kind, q.low, q.high) for q in find_quantities("just after 103 people")] == [("count", 103, 103)]


@pytest.mark.parametrize(
    ("stated", "claimed", "agrees"),
    [
        ("at 8pm", "at 8 p.m.", True),
        ("at 8pm", "at 20:00", True),
        ("at 8am", "at 08:00", True),
        ("at 8pm", "at 8am", False),
        ("at 8pm", "at 9pm", False),
        ("around 3pm", "at 3.15pm", True),
        ("around 3pm", "at 4pm", False),
        ("just before 8pm", "at 7.45pm", True),
        ("just before 8pm", "at 8.15pm", False),
        ("at 8:30", "at 8.30pm", True),  # no am/pm: either half of the day
        ("at 8:30", "at 8.30am", True),
        ("at 8:30", "at 9.30pm", False),
        ("shortly before midnight", "at 11.50pm", False),  # "midnight" alone is a word, not a figure
        ("at 11.50pm", "shortly after 12 midnight", False),
        ("at 00:10", "shortly after 12 midnight", True),  # across midnight
        ("after 10pm", "at 1am", True),
    ],
)
def test_time_agreement(stated: str, claimed: str, agrees: bool) -> None:
    facts = [q for q in find_quantities(stated) if q.kind == "time"]
    claims = [q for q in find_quantities(claimed) if q.kind == "time"]
    if not facts or not claims:
        assert not agrees
        return
    assert agree(claims[-1], facts[-1]) is agrees


def test_a_time_is_not_a_count_of_anything() -> None:
    article = "Police locked the campus just before 8pm Thursday. The toddler fell into the pit on Saturday around 3pm."
    assert verdicts("The campus was locked just before 8 pm Thursday.", article) == [
        ("just before 8 pm", SUPPORTED), ("Thursday", SUPPORTED)]  # fmt: skip
    assert verdicts("The boy fell at 3 pm on Saturday.", article) == [("3 pm", SUPPORTED), ("Saturday", SUPPORTED)]
    assert verdicts("The boy fell at 5 pm on Saturday.", article) == [("5 pm", CONTRADICTED), ("Saturday", SUPPORTED)]
    claim = check_summary("Eight officers came.", article).claims[0]
    assert claim.verdict == NOT_IN_ARTICLE and "writes 8 only as something else" in claim.reason


def test_possessives_keep_their_figure() -> None:
    assert (only("before Saturday's game").kind, only("before Saturday's game").value) == ("weekday", 6)
    assert (only("The 30-year-old's success").kind, only("The 30-year-old's success").value) == ("age", 30)
    assert only("in November's election").kind == "month"
    article = "The 30-year-old's success came in Sunday's derby."
    assert verdicts("The 30-year-old won on Sunday.", article) == [("30-year-old", SUPPORTED), ("Sunday", SUPPORTED)]
    assert SUPPORTED not in {verdict for _, verdict in verdicts("The 31-year-old won on Saturday.", article)}


def test_live_text_score_lines() -> None:
    line = only("Match ends, Germany 1, Denmark Women 2.")
    assert (line.kind, line.describe()) == ("score", "1-2")
    assert only("Goal!  Gateshead 0, Guiseley 1. Jake Lawlor (Guiseley).").describe() == "0-1"
    assert [q.kind for q in find_quantities("He said Hull 2, Leeds 3 and more.")] == ["count", "count"]
    article = ("England beat France 1-0 to secure a semi-final. Match ends, Germany 1, Denmark Women 2. "
               "Goal!  Germany 1, Denmark Women 2. Theresa Nielsen (Denmark Women) header.")  # fmt: skip
    assert verdicts("Denmark came from behind to beat Germany 2-1.", article) == [("2-1", SUPPORTED)]
    assert verdicts("Denmark beat Germany 3-1.", article)[0][1] != SUPPORTED


def test_match_minutes() -> None:
    ordinal = extract_mentions("Perez celebrates his 40th-minute equaliser.")[0]
    assert ordinal.noun == "minute"  # the ordinal orders minutes, not equalisers
    article = ("Huddersfield were caught cold by goals in the opening 30 minutes. Perez celebrates his 40th minute "
               "equaliser. Deportivo were awarded a penalty in the 38th minute.")  # fmt: skip
    assert verdicts("Perez equalised in the 40th minute.", article) == [("40th", SUPPORTED)]
    assert verdicts("Perez equalised in the 41st minute.", article) == [("41st", CONTRADICTED)]
    assert verdicts("Wells scored after 12 minutes.", "Wells struck in the 12th minute.") == [("12 minutes", SUPPORTED)]
    assert verdicts("Wells scored in the 12th minute.", "Wells struck after 12 minutes.") == [("12th", SUPPORTED)]
    assert verdicts("Wells scored in the 12th minute.", "Wells struck after 12 days.") == [("12th", NOT_IN_ARTICLE)]


def test_winners_is_a_win() -> None:
    # "running out 29-10 winners" states the win; the other match's "18-6 win" must not take the score
    article = ("Sinfield was powerless to prevent a defeat, with the Wolves running out 29-10 winners. Warrington had "
               "produced their best display in an 18-6 win over Leeds at Headingley in March.")  # fmt: skip
    assert verdicts("Warrington Wolves beat Leeds Rhinos 29-10 at Headingley.", article) == [("29-10", SUPPORTED)]
    assert verdicts("Warrington Wolves beat Leeds Rhinos 18-6 at Headingley.", article) == [("18-6", SUPPORTED)]


def test_both_is_two() -> None:
    assert [(q.value, q.claimable) for q in find_quantities("Both men remain in custody.")] == [(2, False)]
    assert find_quantities("both of them") == [] and find_quantities("both sides agreed") == []
    assert [q.text for q in find_quantities("Root and Stokes both scored 60")] == ["60"]  # not a count of anything
    article = "A 23-year-old man and a 35-year-old man were arrested. Both men remain in custody."
    assert verdicts("Two men have been arrested.", article) == [("Two", SUPPORTED)]
    assert verdicts("Three men have been arrested.", article)[0][1] != SUPPORTED
    assert check_summary("Both men were held.", article).claims == ()  # not a claim in a summary


def test_the_year_to_is_a_year() -> None:
    article = "Pre-tax profit rose to £3.5m in the year to the end of June."
    assert verdicts("Profits rose over the past year.", article) == [("the past year", SUPPORTED)]
    assert verdicts("Profits rose over the past decade.", article)[0][1] != SUPPORTED
    assert verdicts("Profits rose over the past year.", "Profits rose earlier this year.") == [
        ("the past year", NOT_IN_ARTICLE)]  # fmt: skip


def test_opposite_bounds_do_not_agree() -> None:
    assert not agree(only("at least 12 people"), only("up to a dozen people"))
    assert not agree(only("fewer than 20"), only("more than 20"))
    assert agree(only("up to 12 people"), only("up to a dozen people"))
    assert agree(only("at least 12 people"), only("12 people"))
    claim = check_summary("At least 12 turned up.", "Organisers said up to a dozen were present.").claims[0]
    assert claim.verdict == CONTRADICTED and "other side" in claim.reason
    assert verdicts("At least 12 people were killed.", "Up to a dozen people were killed.")[0][1] == CONTRADICTED
    # an unrelated bound is not the same figure bounded the other way
    assert verdicts("It dates back more than 1,000 years.", "It happened less than a year ago.") == [
        ("more than 1,000 years", NOT_IN_ARTICLE)]  # fmt: skip


def test_vague_claims_need_a_figure_of_their_size() -> None:
    article = "Bottles of detergent washed up on the beach at Poldhu Cove, 40 of them on Sunday."
    assert verdicts("Thousands of bottles washed up.", article) == [("Thousands", NOT_IN_ARTICLE)]
    assert verdicts("Dozens of bottles washed up.", article) == [("Dozens", SUPPORTED)]
    assert "1,000-99,999" in check_summary("Thousands of bottles washed up.", article).claims[0].reason


def test_selftest_shifts_and_rewrites_times() -> None:
    article = "The toddler fell into the pit on Saturday around 3pm. The meeting ended at 20:00."
    table = extract_facts(article)
    summary = "The boy fell at 3 pm. The meeting ended at 20:00."
    claims = [m for m in extract_mentions(summary) if m.quantity.claimable]
    made = {changed: text for kind, changed, text in perturbations(summary, claims, table) if kind.startswith("shift")}
    assert set(made) == {"3 pm -> 4pm", "3 pm -> 2pm", "20:00 -> 21:00", "20:00 -> 19:00"}
    assert all(check_summary(text, table).flagged for text in made.values())
    faithful = {changed: text for kind, changed, text in rewrites(summary, claims) if kind == "time format"}
    assert set(faithful) == {"3 pm -> 15:00", "3 pm -> 3 p.m.", "20:00 -> 8pm"}
    assert not any(check_summary(text, table).flagged for text in faithful.values())
