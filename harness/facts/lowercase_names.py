"""Names in a lower-cased summary, read from the title in front of them, the article's casing and a lexicon.

XSum-era systems write their summaries in lower case ("manager jose mourinho says ..."), and some copies
are capitalised only where sentences start ("Manny pacquiao paid a visit to los angeles"), so no capital
letter marks a name and `entities.read_names` finds none (`names_unread` tells such a text). One cue survives lower-casing: a role or
honorific before a person's name. After a role ("striker", "president", "manager") two words are read as
a first name and a surname; after an honorific ("mr", "dr") one word or two. The words must look like a
name: letters only (with inner apostrophes or hyphens), no function word, title, number word, calendar
word or verb form (ending in -ing or -ed, or an irregular past such as "broke"). Such a name is then
checked like any other ("manager jose wright" of an article that names no Wright is not in the article);
two words after a role that the article writes are left unread, since "coach praises team" is no name.

The article gives a second cue: a run of words it writes only capitalised
("sam", "burgess") is a name wherever the summary writes it, so "sam charnley" of an article naming Sam
Burgess and Chorley-born Charnley is read, and found spliced from two people. A first name of the article's
followed by a word the article never writes ("johan gusttrom") is read with that word as its surname; a
surname of the article's after a word the lexicon below writes capitalised and the article never writes
is read with that word as a first name where the article gives the person another one ("jordan wood" of
its Chris Wood), so that the renamed person is found (`first_names.known_by_other_first_name`).

A third cue needs no article: words that large cased corpora write only capitalised
("geneva", "burgess", "mourinho"; `data/capitalised_words.txt`, derived from the GPT-2 and BERT-cased
vocabularies) are names, with a following word many names share ("manchester city", "european union").
Countries, their peoples, capitals and aliases are left out of this cue: in lower-cased XSum summaries they
are mostly background the annotators accept ("the nhs in england"), and reading them doubled the false
alarms on consistent FRANK XSum summaries (3 to 6 of 34) for no more inconsistent ones caught.

A fourth cue is a word no one writes often: one of five letters or more (not opening a sentence with a
capital, where a rare plain word stands as often) that the article never writes and that is not in the common
vocabulary of those corpora either (`data/known_words.txt`, 33,742 words), nor an inflection of one
("trebled", "winless"), nor two of them joined ("schoolgirl"), is a rare name: "castleford", "gusttrom".
It is read as a name of its own (`Name.cue == "rare"`) and, being in no article, is not in the article.
A rare common word ("unconscionable") is the price: measured on evaldata's consistent summaries, it
raised no group's false alarms past 10%.

Last, the opening word of a sentence is read as the reader of capitals reads it (`entities.read_names`: a
name the article writes capitalised, or a subject before its verb, "Tesco has ..."). A cased sentence with
no name inside it ("Tesco has admitted ...") reads as text of this kind, and its one capital opens it. One
such word counts only where the article writes it capitalised, the lexicon holds it or no one writes it
("Vrbnik hosted"), not a plain plural ("Neighbours used"); places' words are left out as above.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from harness.facts.entities import PLACEHOLDER, EntityIndex, Name, canonical_key, read_names
from harness.facts.entities import capitalised_words as capitalised_in
from harness.facts.entity_names import (
    CONNECTORS,
    GENERIC_NAME_WORDS,
    GEOGRAPHY_WORDS,
    IRREGULAR_PAST,
    MONTHS_AND_DAYS,
    NOT_NAMES,
    PLACE_FIRST_WORDS,
    TITLES,
)
from harness.facts.first_names import known_by_other_first_name
from harness.facts.lexicon import STOP

# "lady", "lord" and "miss" are left out: "a lollipop lady broke", "miss the game".
HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "dame", "prof", "professor"}
# Roles that stand straight before a name in news copy ("defender joel mooney"); titles that also start
# ordinary phrases ("star wars", "former england", "chief executive", "head of") are left out.
ROLES = (TITLES | {"forward", "flanker", "prop", "hooker", "centre", "driver", "rider"}) - HONORIFICS - {
    "former", "late", "acting", "interim", "chief", "head", "star", "vice", "prime", "general", "major", "justice",
    "father", "sister", "brother", "officer", "assistant", "chair", "executive", "rep", "det", "pc", "col", "gen",
    "sen", "lt", "capt", "sgt", "gov", "boss", "keeper", "king", "queen", "prince", "princess", "pope"}  # fmt: skip
# Words that open place and family names ahead of a word the lexicon holds ("las vegas", "st helens").
NAME_PARTICLES = {"st", "saint", "san", "santa", "los", "las", "la", "le", "de", "del", "van", "von", "al", "el"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters of any script: "josé", "düsterwald" whole
_NOT_NAME_WORDS = STOP | TITLES | NOT_NAMES | MONTHS_AND_DAYS | CONNECTORS | IRREGULAR_PAST | {"lady", "lord", "miss"}


def names_unread(text: str) -> bool:
    """Whether text marks no name with a capital letter: lower case throughout (XSum's systems write so), or
    capitals only where sentences start (QAGS's copies: "Manny pacquiao paid a visit to los angeles"). Such a
    text's names are read by the cues above (`lower_case_names`), not from capitals."""
    # a model's unknown-word marker ("UNK") is read where it stands, by the reader of capitals
    if text == text.lower():
        return any(c.isalpha() for c in text)
    return PLACEHOLDER not in text and not capitalised_in(text) - NOT_NAMES


def lower_same_length(text: str) -> str:
    """text in lower case, character by character, so every offset stays where it was ("İ" stays)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def lower_case_names(text: str, index: EntityIndex) -> list[Name]:
    """The names of a sentence that marks none with a capital, by the cues above, in order, each shown as
    the text writes it; where two cues read overlapping words, the earlier cue's name is kept (a title, the
    article, the lexicon, rarity, then the opening word)."""
    words = _Words(text)
    names = _titled(words, index.vocabulary)
    names += _article_cased(words, index, names)
    names += _lexicon(words, names)
    names += _rare(words, index.vocabulary, names)
    names += _opening(text, index, names)
    return sorted(names, key=lambda name: name.span)


def _opening(text: str, index: EntityIndex, taken: list[Name]) -> list[Name]:
    """The names the reader of capitals finds where a sentence opens, known to the article or a subject
    before its verb ("Geneva has ..."): a cased sentence with no name inside it reads as lower-cased text,
    and its one capital is its opening word. Places' words are left out, as in the lexicon cue."""
    names: list[Name] = []
    if text == text.lower():
        return names  # no capital at all (most lower-cased summaries): the reader of capitals finds nothing
    for name in read_names(text, index.names):
        if name.key in GEOGRAPHY_WORDS or GEOGRAPHY_WORDS.intersection(name.tokens):
            continue
        # one word before a verb is a name where the article writes it capitalised, corpora write it so, or
        # no one writes it at all ("Tesco has", "Vrbnik hosted"), not a plural noun ("Neighbours used")
        word = name.key
        if len(name.tokens) > 1 or word in index.names or word in capitalised_words() or not common_word(word):
            _add(names, name, taken + names)
    return names


class _Words:
    """A sentence's words, read once for the four cues: matches, the words without a possessive, and
    whether each word follows the one before with only spaces between (no comma, no clause break)."""

    def __init__(self, text: str) -> None:
        self.text = text  # as written: names are shown so
        lowered = lower_same_length(text)
        self.matches = matches = list(_WORD.finditer(lowered))
        words = [m.group() for m in matches]
        self.plain = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
        ends = [0] + [m.end() for m in matches]  # gaps: most are one space, the rest are checked
        self.joined = [k > 0 and (m.start() - ends[k] == 1 and lowered[ends[k]] == " " or not lowered[ends[k] : m.start()].strip())
                       for k, m in enumerate(matches)]  # fmt: skip

    def possessive(self, k: int) -> bool:
        """Whether word k ends on a possessive, which ends a name ("city's fans")."""
        return len(self.plain[k]) < len(self.matches[k].group())

    def run_end(self, k: int, continues: Callable[[int], bool]) -> int:
        """Where a name that starts at word k ends: each next word joined to the one before, no possessive
        between, and `continues(its index)`."""
        end = k + 1
        while end < len(self.plain) and self.joined[end] and not self.possessive(end - 1) and continues(end):
            end += 1
        return end

    def name(self, first: int, end: int, titled: bool = False) -> Name:
        """The name of words first..end-1."""
        start = self.matches[first].start()
        stop = self.matches[end - 1].start() + len(self.plain[end - 1])  # a possessive is no part of the name
        words = self.plain[first:end]
        tokens = tuple(w for w in words if w not in CONNECTORS)  # keyed and tokenised as entities.read_names does
        return Name(self.text[start:stop], (start, stop), canonical_key(words), tokens, False, titled)


def _titled(words: _Words, vocabulary: frozenset[str] | set[str]) -> list[Name]:
    """The names after a role or honorific; two words after a role that the article holds both of are no
    evidence of a name ("coach praises team")."""
    names: list[Name] = []
    count = len(words.matches)
    for k, head in enumerate(words.plain[:-1]):
        if head not in ROLES and head not in HONORIFICS:
            continue
        end = k + 1
        while end < min(k + 3, count) and words.joined[end] and _looks_like_name(words.matches[end].group()):
            end += 1
        if end == k + 1 or (head in ROLES and end - k - 1 < 2):
            continue
        if head in ROLES and all(w in vocabulary for w in words.plain[k + 1 : end]):
            continue
        names.append(words.name(k + 1, end, titled=True))
    return names


def _article_cased(words: _Words, index: EntityIndex, taken: list[Name]) -> list[Name]:
    """Runs of words the article writes only capitalised, each with a following unknown surname where it is
    one of the article's first names ("johan gusttrom")."""
    cased = index.capitalised_only
    named = [w in cased and w not in _NOT_NAME_WORDS for w in words.plain]
    if not any(named):
        return []
    names: list[Name] = []
    k, count = 0, len(named)
    while k < count:
        if not named[k]:
            k += 1
            continue
        end = words.run_end(k, named.__getitem__)
        if end == k + 1 and end < count and words.joined[end] and index.person_by_first_name(words.plain[k]):
            surname = words.plain[end]
            if surname not in index.vocabulary and _looks_like_name(surname):
                end += 1  # "johan gusttrom": Johan is the article's, Gusttrom is not
        name = words.name(k, end)
        if end == k + 1 and k > 0 and words.joined[k] and not words.possessive(k - 1):
            name = _with_other_first_name(words, k, index, taken) or name
        _add(names, name, taken)
        k = end
    return names


def _with_other_first_name(words: _Words, k: int, index: EntityIndex, taken: list[Name]) -> Name | None:
    """The name of words k-1 and k where word k is the surname of an article person whom the article gives
    another first name, and word k-1 a first name it never writes ("jordan wood" of its Chris Wood)."""
    first = words.plain[k - 1]
    if first in index.vocabulary or first not in _capitalised_any() or not _looks_like_name(first):
        return None
    name = words.name(k - 1, k + 1)
    return name if not _overlaps(name, taken) and known_by_other_first_name(name, index) else None


def _lexicon(words: _Words, taken: list[Name]) -> list[Name]:
    """Runs of words the capitalised-words lexicon holds, each with the words many names share that follow
    ("manchester city"), up to a possessive."""
    lexicon = capitalised_words()
    if lexicon.isdisjoint(words.plain):
        return []
    names: list[Name] = []
    k, count = 0, len(words.plain)
    while k < count:
        if words.plain[k] not in lexicon:
            k += 1
            continue
        end = words.run_end(k, lambda i: words.plain[i] in lexicon or words.plain[i] in GENERIC_NAME_WORDS)
        first = k
        if first >= 1 and words.joined[first] and words.plain[first - 1] in NAME_PARTICLES:
            first -= 1  # "las vegas", "st helens"
        elif first >= 2 and words.plain[first - 1] == "of" and words.joined[first] and words.joined[first - 1] \
                and (words.plain[first - 2] in GENERIC_NAME_WORDS or words.plain[first - 2] in PLACE_FIRST_WORDS):  # fmt: skip
            first -= 2  # "isle of wight", "university of glasgow"
        _add(names, words.name(first, end), taken)
        k = end
    return names


def _rare(words: _Words, vocabulary: frozenset[str], taken: list[Name]) -> list[Name]:
    """Words of RARE_MIN letters or more that neither the article nor the common vocabulary writes; a word
    capitalised to open a sentence is left out, as a rare plain word there ("Unconscionable ...") is no name."""
    names: list[Name] = []
    for k, word in enumerate(words.plain):
        if len(word) >= RARE_MIN and word.isalpha() and word not in vocabulary and word not in _NOT_NAME_WORDS \
                and not words.text[words.matches[k].start()].isupper() and not common_word(word):  # fmt: skip
            _add(names, replace(words.name(k, k + 1), cue="rare"), taken)
    return names


# Endings and beginnings that make a word from a common one ("trebled", "winless", "deselection").
_SUFFIXES = ("ers", "er", "ed", "d", "es", "s", "ing", "less", "ist", "ists", "ly", "ment", "ments", "ness", "ation",
             "ations", "ised", "ized", "ise", "ize")  # fmt: skip
_PREFIXES = ("de", "re", "un", "pre", "non", "over", "under", "out", "co")
RARE_MIN = 5  # four-letter words outside the vocabulary are as often plain English ("wept") as names


def common_word(word: str) -> bool:
    """Whether a word is in the common vocabulary, as it is, inflected, prefixed or as two words joined."""
    known = known_words()
    if word in known:
        return True
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and (
                stem in known or stem + "e" in known or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in known)):  # fmt: skip
            return True  # "trebled", "dismayed", "winless", "footballers", "stopped"
    if any(word.startswith(prefix) and len(word) - len(prefix) >= 4 and word[len(prefix) :] in known for prefix in _PREFIXES):
        return True
    # Both halves are known words, so no cut leaves either longer than the longest: a 1 MB "word" is not
    # cut a million times.
    longest = _longest_known()
    cuts = range(max(3, len(word) - longest), min(len(word) - 2, longest + 1))
    return any(word[:cut] in known and word[cut:] in known for cut in cuts)  # "schoolgirl"


def _add(names: list[Name], name: Name, taken: list[Name]) -> None:
    """Add a name unless it overlaps one an earlier cue read."""
    if not _overlaps(name, taken):
        names.append(name)


def _overlaps(name: Name, taken: list[Name]) -> bool:
    """Whether name shares a word with any of the names taken."""
    return any(n.span[0] < name.span[1] and name.span[0] < n.span[1] for n in taken)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """The common vocabulary (`data/known_words.txt`)."""
    return _word_list("known_words.txt")


@lru_cache(maxsize=1)
def _longest_known() -> int:
    """The length of the longest word of the common vocabulary."""
    return max(map(len, known_words()), default=0)


def _word_list(name: str) -> frozenset[str]:
    text = (Path(__file__).with_name("data") / name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def _capitalised_any() -> frozenset[str]:
    """Every word of the capitalised-words lexicon, places' words too: "jordan" is a first name as well."""
    return _word_list("capitalised_words.txt") - _NOT_NAME_WORDS


@lru_cache(maxsize=1)
def capitalised_words() -> frozenset[str]:
    """The lexicon of words read as names in lower-cased text, less function words and places' words."""
    return _capitalised_any() - GEOGRAPHY_WORDS  # the file is read once, for both lists


def _looks_like_name(word: str) -> bool:
    return len(word) > 1 and word not in _NOT_NAME_WORDS and not word.endswith(("ing", "ed"))
