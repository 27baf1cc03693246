"""Counts stated by listing names, and figures whose absence from the article says nothing."""

from __future__ import annotations

import pytest

from harness.facts import check_summary, extract_facts

SHIPS = ("The decommissioned Type 22 frigates HMS Cumberland, HMS Campbeltown, HMS Chatham and HMS Cornwall are "
         "moored in Portsmouth Harbour. Bidders had until 23 January to register an interest.")  # fmt: skip
WORKERS = ("Daniel Timbers, 29, and Barry Joy, 56, were working at the yard when they were killed on Monday. "
           "Police said the blaze spread quickly.")  # fmt: skip


def verdicts(summary: str, article: str) -> list[tuple[str, str]]:
    return [(c.quantity.text, c.verdict) for c in check_summary(summary, article).claims]


def test_a_list_of_named_ships_states_their_count() -> None:
    table = extract_facts(SHIPS)
    listed = [f for f in table.facts if f.qualifiers.get("stated_as") == "list"]
    assert [(f.quantity.value, f.noun) for f in listed] == [(4.0, "frigate")]
    assert not listed[0].key and not listed[0].quantity.claimable  # never a key fact of its own
    assert verdicts("Four frigates are moored in Portsmouth.", SHIPS) == [("Four", "supported")]
    assert verdicts("Five frigates are moored in Portsmouth.", SHIPS) == [("Five", "contradicted")]


def test_a_list_of_peoples_names_counts_people_and_nothing_else() -> None:
    assert verdicts("Two men were killed at the yard.", WORKERS) == [("Two", "supported")]
    assert verdicts("Two bottles were found at the yard.", WORKERS) == [("Two", "not_in_article")]


@pytest.mark.parametrize("article", [
    "Paris, France and Berlin hosted talks on Monday.",  # places: a list that counts nothing named
    "Smith said the plan, which Jones and Brown backed, was sound.",  # not one list
])  # fmt: skip
def test_lists_that_count_nothing_the_claim_names_support_nothing(article: str) -> None:
    assert verdicts("Three men hosted talks.", article) == [("Three", "not_in_article")]


def test_a_rank_title_the_article_does_not_give_is_not_a_figure_error() -> None:
    article = "Mark Selby beat Ding Junhui 10-7 in the final. Selby, who is world number two, was delighted."
    assert verdicts("World number one Rory McIlroy missed the cut.", "McIlroy missed the cut by a shot.") == []
    assert verdicts("World number three Mark Selby won the final.", article) == [("three", "contradicted")]
    someone_else = article.replace("Selby, who", "Judd Trump, who")  # the article's title is another player's
    assert verdicts("World number three Mark Selby won the final.", someone_else) == []


def test_a_figure_of_one_said_in_words_is_the_singular_unless_contradicted() -> None:
    article = "Gateshead have re-signed defender Reece Brown. He spent last season on loan at the club."
    assert verdicts("Gateshead have re-signed Reece Brown on a one-year deal.", article) == []
    two_year = "Gateshead have re-signed defender Reece Brown on a two-year deal."
    assert [v for _, v in verdicts("Gateshead re-signed Reece Brown on a one-year deal.", two_year)] == ["contradicted"]
    assert verdicts("Gateshead re-signed Reece Brown on a 1-year deal.", article) == [("1-year", "not_in_article")]


def test_a_number_word_inside_a_name_the_article_capitalises_is_no_figure_in_lower_case() -> None:
    article = "Ireland face Scotland in the Six Nations on Saturday. Hereford were relegated from League Two."
    summary = "ireland face scotland in saturday's six nations game. hereford left league two. seven nations met."
    assert verdicts(summary, article) == [("saturday's", "supported"), ("seven", "not_in_article")]


def test_a_roll_of_names_longer_than_a_list_states_no_count() -> None:
    names = ", ".join(f"Player{chr(65 + k)} Smith{chr(65 + k)}" for k in range(15)) + " and Last Name"
    table = extract_facts(f"The squad named {names} for the tour.")
    assert not [f for f in table.facts if f.qualifiers.get("stated_as") == "list"]


def test_names_that_end_in_one_word_count_it_and_the_list_ends_at_its_last_and() -> None:
    article = ("The systems, at Kentucky Methodist Hospital, Chino Valley Medical Center and Desert Valley Hospital, "
               "California, are now running normally again.")  # fmt: skip
    assert verdicts("Three hospitals were hit by a ransomware attack.", article) == [("Three", "supported")]
    assert verdicts("Four hospitals were hit by a ransomware attack.", article) == [("Four", "contradicted")]


LOWER_CASED = ("nabila okafor, 22, and laurene - danielle jones, 19, died after a crush at the club in 2011. "
               "about 900 students had travelled to the club that night.")  # fmt: skip


def test_people_listed_with_their_ages_are_counted_without_capitals() -> None:
    # XSum and QAGS lower-case whole articles: the ages, not capitals, mark each item a person.
    listed = [f for f in extract_facts(LOWER_CASED).facts if f.qualifiers.get("stated_as") == "list"]
    assert [(f.quantity.value, f.noun) for f in listed] == [(2.0, "person")]
    assert verdicts("the deaths of two students in a crush at a club.", LOWER_CASED) == [("two", "supported")]
    assert verdicts("the deaths of three students in a crush at a club.", LOWER_CASED) == [("three", "contradicted")]


def test_a_figure_and_age_with_no_and_between_them_is_no_list() -> None:
    article = "the striker, 24, scored twice, 18 minutes apart, to win the game."
    assert not [f for f in extract_facts(article).facts if f.qualifiers.get("stated_as") == "list"]
