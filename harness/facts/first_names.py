"""First names: a two-word name whose first or last word is not the article's for that person.

"Johan Gusttrom" gives the article's Johan Gustafsson another surname; "Dean Cooper", where the article
has only "Mark Cooper" ... "Cooper", gives its Cooper another first name. Both are read from the
article's people by their two-word names; one letter apart ("Gustafson") or a short form ("Rob" of
"Robert") is the same name spelled another way.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from harness.facts.entities import ArticleEntity, EntityIndex, Name, surnames_after
from harness.facts.entity_names import COUNTRY_OF, GENERIC_NAME_WORDS

SPELLING_MIN = 8  # names this long that differ by one letter are one name spelled two ways
WORD_SPELLING_MIN = 7  # a word of a name this long one letter off an article name's word is that word


def first_name_renamed(name: Name, index: EntityIndex) -> ArticleEntity | None:
    """The article's person whose first name this two-word name gives another surname, one the article never
    writes nor spells one letter apart ("Johan Gusttrom" of "Johan Gustafsson"), if any."""
    if len(name.tokens) != 2 or name.acronym:
        return None
    first, last = name.tokens
    person = index.person_by_first_name(first)
    if person is None or last in index.vocabulary:
        return None
    if any(s.startswith(last) or spelled_alike(last, s, WORD_SPELLING_MIN) for s in surnames_after(person, first)):
        return None  # "Cheryl Silv" cuts the article's Silvonek short; "Gustafson" misspells Gustafsson
    return person


def known_by_other_first_name(name: Name, index: EntityIndex) -> list[ArticleEntity]:
    """The article's people with this two-word name's surname whom it gives another first name, one the
    article never writes ("Dean Cooper" where the article has only "Mark Cooper" ... "Cooper")."""
    if len(name.tokens) != 2 or name.acronym:
        return []
    first, last = name.tokens
    known = []
    for entity_id in index.by_token.get(last, ()):
        entity = index.by_id[entity_id]
        if entity.kind != "person":
            continue
        # "Briton Ennis-Hill", "Coach Smith": a demonym or a common word before a surname is no first name;
        # "Rob" of "Robert" or one letter apart is the same first name
        firsts = [key.split()[0] for key in entity.keys if key.count(" ") == 1 and key.endswith(f" {last}")]
        firsts = [f for f in firsts if f in index.capitalised_only and f not in COUNTRY_OF and f not in GENERIC_NAME_WORDS]
        if firsts and not any(f.startswith(first) or first.startswith(f) or spelled_alike(first, f, 3) for f in firsts):
            known.append(entity)
    return known


def spelled_alike(a: str, b: str, shortest: int = SPELLING_MIN) -> bool:
    """Whether two long names differ by one letter at most: one name with a typo, not two agents."""
    a, b = a.lower(), b.lower()
    return min(len(a), len(b)) >= shortest and Levenshtein.distance(a, b, score_cutoff=1) <= 1
