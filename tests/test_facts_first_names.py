"""First names in lower-cased summaries: a first name the article never writes before one of its people's surnames."""

from __future__ import annotations

from harness.facts import check_summary, extract_facts

ARTICLE = ("McIlroy pulled out because of a back problem, and his place went to Chris Wood. Under tournament rules, "
           "Wood was able to select his own partner. Holly Nixon and her crew reached the semi-final.")  # fmt: skip


def names(summary: str) -> list[tuple[str, str, str]]:
    """(name, verdict, reason) of each entity claim."""
    return [(c.name, c.verdict, c.reason) for c in check_summary(summary, extract_facts(ARTICLE)).entity_claims]


def test_a_first_name_the_article_never_writes_before_its_persons_surname_is_read_and_flagged():
    assert ("jordan wood", "not_in_article", "the article's Wood is 'Chris Wood'; it never writes 'jordan'") in names(
        "world number two jordan wood is out of the tour championship.")  # fmt: skip
    flagged = [(n, v) for n, v, _ in names("sailors hannah nixon and sophie nixon reached the semi-final.")]
    assert flagged == [("hannah nixon", "not_in_article"), ("sophie nixon", "not_in_article")]


def test_the_articles_own_first_name_or_a_plain_word_before_the_surname_is_no_other_first_name():
    assert [(n, v) for n, v, _ in names("world number two chris wood is out of the tour championship.")] == [
        ("chris wood", "supported")]  # fmt: skip
    # "veteran" is no name however it stands: the surname alone is read, and the article has it
    assert [(n, v) for n, v, _ in names("the veteran wood is out of the tour championship.")] == [("wood", "supported")]
    # a word the article writes ("place") is the article's word, not a first name it never writes
    assert [(n, v) for n, v, _ in names("his place wood went to the semi-final.")] == [("wood", "supported")]
