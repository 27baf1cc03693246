"""Names in a lower-cased summary, read from the title in front of them.

XSum-era systems write their summaries in lower case ("manager jose mourinho says ..."), so no capital
letter marks a name and `entities.read_names` finds none. One cue survives lower-casing: a role or
honorific before a person's name. After a role ("striker", "president", "manager") two words are read as
a first name and a surname; after an honorific ("mr", "dr") one word or two. The words must look like a
name: letters only (with inner apostrophes or hyphens), no function word, title, number word, calendar
word or verb form (ending in -ing or -ed, or an irregular past such as "broke"). Such a name is then
checked like any other ("manager jose wright" of an article that names no Wright is not in the article);
two words after a role that the article writes are left unread, since "coach praises team" is no name.
"""

from __future__ import annotations

import re

from harness.facts.entities import Name, canonical_key
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


def _looks_like_name(word: str) -> bool:
    return len(word) > 1 and word not in _NOT_NAME_WORDS and not word.endswith(("ing", "ed"))


def _adjacent(text: str, matches: list[re.Match]) -> bool:
    """Whether the words follow one another with only spaces between them (no comma, no clause break)."""
    return all(not text[a.end() : b.start()].strip() for a, b in zip(matches, matches[1:], strict=False))
