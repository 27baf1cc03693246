"""Names in a lower-cased summary, read from the title in front of them.

XSum-era systems write their summaries in lower case ("manager jose mourinho says ..."), so no capital
letter marks a name and `entities.read_names` finds none. One cue survives lower-casing: a role or
honorific before a person's name. After a role ("striker", "president", "manager") two words are read as
a first name and a surname; after an honorific ("mr", "dr") one word or two. The words must look like a
name: letters only (with inner apostrophes or hyphens), no function word, title, number word, calendar
word or verb form (ending in -ing or -ed, or an irregular past such as "broke"). Such a name is then
checked like any other ("manager jose wright" of an article that names no Wright is not in the article);
two words after a role that the article writes are left unread, since "coach praises team" is no name.

The article gives a second cue (`article_cased_names`): a run of words it writes only capitalised
("sam", "burgess") is a name wherever the summary writes it, so "sam charnley" of an article naming Sam
Burgess and Chorley-born Charnley is read, and found spliced from two people. A first name of the article's
followed by a word the article never writes ("johan gusttrom") is read with that word as its surname.
"""

from __future__ import annotations

import re

from harness.facts.entities import EntityIndex, Name, canonical_key
from harness.facts.entity_names import CONNECTORS, IRREGULAR_PAST, MONTHS_AND_DAYS, NOT_NAMES, TITLES
from harness.facts.lexicon import STOP

# "lady", "lord" and "miss" are left out: "a lollipop lady broke", "miss the game".
HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "dame", "prof", "professor"}
# Roles that stand straight before a name in news copy ("defender joel mooney"); titles that also start
# ordinary phrases ("star wars", "former england", "chief executive", "head of") are left out.
ROLES = (TITLES | {"forward", "flanker", "prop", "hooker", "centre", "driver", "rider"}) - HONORIFICS - {
    "former", "late", "acting", "interim", "chief", "head", "star", "vice", "prime", "general", "major", "justice",
    "father", "sister", "brother", "officer", "assistant", "chair", "executive", "rep", "det", "pc", "col", "gen",
    "sen", "lt", "capt", "sgt", "gov", "boss", "keeper", "king", "queen", "prince", "princess", "pope"}  # fmt: skip
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
_BARE_WORD = re.compile(r"[a-z]+")
_NOT_NAME_WORDS = STOP | TITLES | NOT_NAMES | MONTHS_AND_DAYS | CONNECTORS | IRREGULAR_PAST | {"lady", "lord", "miss"}


def titled_names(text: str, vocabulary: frozenset[str] | set[str]) -> list[Name]:
    """The names a lower-cased text writes after a role or honorific, read as described above; `vocabulary`
    is the article's words (two words after a role that it holds both of are no evidence of a name)."""
    words = list(_WORD.finditer(text))
    names: list[Name] = []
    for k, title in enumerate(words[:-1]):
        head = title.group()
        if head not in ROLES and head not in HONORIFICS:
            continue
        following: list[re.Match] = []
        for match in words[k + 1 : k + 3]:
            if not _looks_like_name(match.group()):
                break
            following.append(match)
        if head in ROLES and len(following) < 2:
            continue
        if not following or not _adjacent(text, [title, *following]):
            continue
        if head in ROLES and all(m.group() in vocabulary for m in following):
            continue  # "coach praises team": words the article writes are no evidence of a name
        start, end = following[0].start(), following[-1].end()
        tokens = tuple(m.group() for m in following)
        names.append(Name(text[start:end], (start, end), canonical_key(list(tokens)), tokens, False, True))
    return names


def article_cased_names(text: str, index: EntityIndex, taken: list[Name] = ()) -> list[Name]:
    """The names of a lower-cased text that the article writes capitalised (runs of words it never writes
    in lower case), each with a following unknown surname where it is one of the article's first names;
    spans overlapping a name in `taken` are left out."""
    cased = index.capitalised_only
    if cased.isdisjoint(_BARE_WORD.findall(text)):
        return []  # most sentences: no word of the article's names at all
    words = list(_WORD.finditer(text))
    named = [_possessive_dropped(m.group()) in cased and _possessive_dropped(m.group()) not in _NOT_NAME_WORDS for m in words]
    names: list[Name] = []
    k = 0
    while k < len(words):
        if not named[k]:
            k += 1
            continue
        end = k + 1
        while end < len(words) and named[end] and _adjacent(text, words[end - 1 : end + 1]):
            end += 1
        run = words[k:end]
        if end - k == 1 and end < len(words) and _adjacent(text, words[k : end + 1]) and index.person_by_first_name(run[0].group()):
            surname = words[end].group()
            if surname not in index.vocabulary and _looks_like_name(surname):
                run, end = [*run, words[end]], end + 1  # "johan gusttrom": Johan is the article's, Gusttrom is not
        start, stop = run[0].start(), run[-1].end()
        if not any(n.span[0] < stop and start < n.span[1] for n in taken):
            tokens = tuple(_possessive_dropped(m.group()) for m in run)
            names.append(Name(text[start:stop], (start, stop), canonical_key(list(tokens)), tokens))
        k = end
    return names


def _possessive_dropped(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _looks_like_name(word: str) -> bool:
    return len(word) > 1 and word not in _NOT_NAME_WORDS and not word.endswith(("ing", "ed"))


def _adjacent(text: str, matches: list[re.Match]) -> bool:
    """Whether the words follow one another with only spaces between them (no comma, no clause break)."""
    return all(not text[a.end() : b.start()].strip() for a, b in zip(matches, matches[1:], strict=False))
