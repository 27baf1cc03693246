"""A figure's rate ("£600m a year") and an ordinal's rank ("third in the league") are part of what it states."""

from __future__ import annotations

import pytest

from harness.facts import check_summary, extract_facts
from harness.facts.rates import rate_after


def claims(summary: str, article: str) -> list[tuple[str, str, str]]:
    """(figure, verdict, reason) of each claim."""
    return [(c.quantity.text, c.verdict, c.reason) for c in check_summary(summary, article).claims]


SAVED = ("The regulator wants agency spending cut by the end of this financial year. A cap was introduced in October "
         "and has so far saved £600m, the regulator said.")  # fmt: skip


def test_a_rate_the_article_does_not_give_is_contradicted_with_the_articles_figure():
    [(text, verdict, reason)] = claims("The cap is set to save £600m a year.", SAVED)
    assert (text, verdict, reason) == ("£600m", "contradicted", "the article states '£600m', but not per year")
    # Without the rate the same figure is what the article says.
    assert [v for _, v, _ in claims("The cap has saved £600m.", SAVED)] == ["supported"]


def test_a_rate_per_another_period_is_contradicted():
    article = "Couples had sex four times a month in 2000, a book by the statistician says."
    [(_, verdict, reason)] = claims("Couples had sex four times a year.", article)
    assert (verdict, reason) == ("contradicted", "the article states 'four' per month, not per year")
    assert [v for _, v, _ in claims("Couples had sex four times a month.", article)] == ["supported"]


def test_the_rate_moves_the_claim_to_the_figure_the_article_gives_per_period():
    article = ("She said 300 new recruits would keep the force at a standstill. She said over 500 new recruits "
               "every year were needed to deal with emerging crime.")  # fmt: skip
    assert [v for _, v, _ in claims("The force needs at least 300 new officers a year.", article)] == ["contradicted"]
    assert [v for _, v, _ in claims("The force needs more than 500 new officers a year.", article)] == ["supported"]


def test_the_articles_figure_at_the_claimed_rate_is_cited_when_it_fits_the_claim():
    article = ("The force said 300 new recruits would keep the force at a standstill. The force said over 500 new "
               "recruits every year were needed by the force.")  # fmt: skip
    [(_, verdict, reason)] = claims("The force needs 300 new recruits every year.", article)
    assert (verdict, reason) == ("contradicted", "the article says 'over 500' (500 [500-610]), not 300 [294-306]")


def test_a_span_of_years_is_no_years_total():
    # The seed's half a million dead "since 2011" are five years' dead, not a year's.
    article = "The Syria war has left roughly half a million people dead since 2011."
    [(_, verdict, reason), since] = claims("The war has killed half a million people a year since 2011.", article)
    assert (verdict, reason) == ("contradicted", "the article states 'roughly half a million', but not per year")
    assert since[:2] == ("2011", "supported")


@pytest.mark.parametrize("article", [
    "Last year the trust spent £5m on agency staff.",  # a year's total is a rate a year
    "In 2015, the trust spent £5m on agency staff.",
    "The trust's annual bill for agency staff is £5m.",
    "The trust spends £5m annually on agency staff.",
    "The trust spends £5m each year on agency staff.",
])  # fmt: skip
def test_a_total_over_the_period_or_the_rate_in_other_words_states_the_rate(article):
    assert [v for _, v, _ in claims("The trust spends £5m a year on agency staff.", article)] == ["supported"]


def test_a_season_is_a_year():
    article = "He will earn £50,000 a season at the club."
    assert [v for _, v, _ in claims("He earns £50,000 a year.", article)] == ["supported"]
    assert claims("He earns £50,000 a week.", article)[0][1:] == ("contradicted", "the article states '£50,000' per season, not per week")


def test_a_summary_may_drop_the_articles_rate():
    assert [v for _, v, _ in claims("The trust spends £5m on agency staff.", "The trust spends £5m a year on agency staff.")] == [
        "supported"]  # fmt: skip


@pytest.mark.parametrize(("sentence", "rate"), [
    ("They pay £600m a year.", "year"),
    ("It recruits 300 new officers a year.", "year"),
    ("Buses run 40 times a day.", "day"),
    ("It costs £20 per week.", "week"),
    ("The bill is £5m annually.", "year"),
    ("An annual £5m is paid.", "year"),
    ("He earns £100,000-a-week.", "week"),
    ("Its annual profits of £5m were cut.", "year"),
    ("The annual report said 300 people died.", None),  # the report is yearly, not the deaths
    ("It paid £600m a year ago.", None),  # the period dates the figure
    ("Two people died a day after the crash.", None),
    ("It paid £600m, a year before the deal.", None),  # another clause
    ("It lost 20 jobs and 300 a year later.", None),
    ("He drove a 2.5 tonne roller after a night out.", None),  # a night out is no rate
    ("It would cost £10,000 and he is a season ticket holder.", None),  # another clause
    ("It held 300 guests for a week.", None),
    ("One of the 40 told the Daily Telegraph so.", None),  # a name, not an adverb
])  # fmt: skip
def test_the_rate_is_read_after_the_figure_or_before_it(sentence, rate):
    facts = [f for f in extract_facts(sentence).facts if f.quantity.kind not in ("year", "duration")]
    assert facts and facts[0].qualifiers.get("rate") == rate
    assert rate_after([], 0, -1) is None  # no words, no rate


LEAGUE = ("Flynn scored the home side's third try. Owens scored his second try of the game. Warrington remain fifth "
          "in the Super League table, while Widnes are eighth.")  # fmt: skip


def test_a_rank_in_a_standing_is_not_an_ordinal_that_names_its_noun():
    [(text, verdict, reason)] = claims("Warrington moved up to third in Super League with a win over Widnes.", LEAGUE)
    assert (text, verdict) == ("up to third", "contradicted") and "'fifth'" in reason
    assert [v for _, v, _ in claims("Warrington remain fifth in Super League.", LEAGUE)] == ["supported"]


def test_an_ordinal_after_a_possessive_leaves_its_noun_out():
    # "his second" is his second try: the article's noun is understood, not a rank.
    assert [v for _, v, _ in claims("Owens went over for his second.", LEAGUE)] == ["supported"]


def test_a_rate_per_another_period_is_converted_before_it_is_compared():
    article = "Toure has two years left on his current £220,000-a-week deal."
    [(_, verdict, reason)] = claims("Toure earns £11.44m a year.", article)
    assert verdict == "supported" and reason.startswith("the article's '£220,000' per week makes 11,440,000 GBP")
    assert [v for _, v, _ in claims("Toure earns £20m a year.", article)] != ["supported"]
    assert [v for _, v, _ in claims("Toure earns £11.44m.", article)] != ["supported"]  # no rate, no conversion
