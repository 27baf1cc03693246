"""Named entities read without a model: people, organisations and places of an article and a summary.

A name is a run of capitalised words (with "of", "de", "al" ... inside it), read with these rules:
- a capitalised first word of a sentence is a name only if the text also writes it capitalised
  mid-sentence, it is a known country, demonym or alias, or more capitalised words follow it;
- titles and honorifics are dropped from the front ("Secretary of State John Kerry" is John Kerry,
  "Mr. Kirby" is Kirby) and a title alone ("the President") names no one;
- possessives are dropped ("Russia's"), hyphenated names are kept whole and their parts indexed;
- months and weekdays are not names (dates are the figure checker's);
- demonyms and capitals name their country ("Syrian", "Damascus" = Syria), aliases and acronyms
  their expansion ("U.N." = "UN" = "United Nations", also by the initials of the article's names).

The article's names are grouped into entities (a surname alone joins the one full name that ends with
it, an acronym the one name with its initials), each with its mentions and the sentence of the first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from harness.facts.entity_names import (
    ALIAS_OF,
    CONNECTORS,
    COUNTRY_OF,
    GENERIC_NAME_WORDS,
    IRREGULAR_PAST,
    MONTHS_AND_DAYS,
    NOT_NAMES,
    ORGANISATION_WORDS,
    PART_OF,
    PLACE_FIRST_WORDS,
    PLACE_WORDS,
    TITLE_MODIFIERS,
    TITLES,
)

ENTITY_RULES = "18"
_COUNTRIES = frozenset(COUNTRY_OF.values())

_TOKEN = re.compile(r"(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Prof|Rev|Jr|Sr|Capt|Det|Insp|Supt)\.|(?:[A-Z]\.){2,}"
                    r"|[A-Z]\.(?=\s+[A-Z])|[^\W\d_][\w'’\-]*|\d[\w,.]*|[^\w\s]")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,5}s")
_ELIDED = re.compile(r"^[a-z]{1,2}'([a-z]{3,})$")
PLACEHOLDER = "UNK"  # the unknown-word marker of pointer-generator-era models ("UNK", "[UNK]") in their summaries
_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE_END = set(".!?\n")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{1,3}\.")
_OPENERS = set("\"“‘'(—–-:[")
_APOSTROPHES = str.maketrans({"’": "'"})
_TITLES_OR_NOT_NAMES = TITLES | NOT_NAMES


@dataclass(frozen=True)
class Name:
    """One name as written in a text: its words (titles dropped), span, and whether it is an acronym."""

    text: str  # the name as written, titles and possessive dropped
    span: tuple[int, int]
    key: str  # canonical key: "united states", "syria", "john kerry"
    tokens: tuple[str, ...]  # significant lower-cased words, demonyms mapped to their country
    acronym: bool = False
    titled: bool = False  # a title or honorific stood before it ("Mr.", "President")
    cue: str = ""  # how a lower-cased text showed it a name: "" for the usual cues, "rare" for a rare word


def canonical_key(words: list[str]) -> str:
    """The key a name's lower-cased words stand for: an alias's or demonym's canonical name, else the words."""
    key = " ".join(words)
    return ALIAS_OF.get(key) or COUNTRY_OF.get(key) or COUNTRY_OF.get(_singular(key)) or key


def _singular(word: str) -> str:
    """'americans' -> 'american' where the singular is a demonym ("The Russians have said")."""
    return word[:-1] if word.endswith("s") and word[:-1] in COUNTRY_OF else word


@functools.lru_cache(maxsize=65536)
def _norm(word: str) -> str:
    return _POSSESSIVE.sub("", word.translate(_APOSTROPHES)).replace(".", "").lower() if word else word


def _starts(text: str, tokens: list[re.Match]) -> list[bool]:
    """Whether each token opens a sentence (after . ! ? or a line break, or an opening quote there)."""
    flags = []
    start = True
    for match in tokens:
        token = match.group()
        flags.append(start)
        if token in _OPENERS and start:
            continue  # the word after an opening quote still opens the sentence
        start = token[-1] in _SENTENCE_END and (len(token) == 1 or not _ABBREVIATION.fullmatch(token))
        if token not in ("!", "?", ".") and text[match.end() : match.end() + 1] == "\n":
            start = True
    return flags


def capitalised_words(text: str) -> set[str]:
    """Lower-cased words the text writes capitalised in mid-sentence (evidence that they are names)."""
    tokens = list(_TOKEN.finditer(text))
    return {_norm(m.group()) for m, first in zip(tokens, _starts(text, tokens), strict=True)
            if not first and m.group()[0].isupper()}  # fmt: skip


def read_names(text: str, known: frozenset[str] | set[str] = frozenset()) -> list[Name]:
    """Every name of the text, in order; `known` adds words seen capitalised mid-sentence elsewhere."""
    tokens = list(_TOKEN.finditer(text))
    starts = _starts(text, tokens)
    mid = {_norm(m.group()) for m, first in zip(tokens, starts, strict=True) if not first and m.group()[0].isupper()}
    known_words = mid | set(known)  # once per text, not once per run of capitalised words
    names: list[Name] = []
    run: list[int] = []
    for index, match in enumerate(tokens + [None]):  # type: ignore[operator]
        token = match.group() if match else ""
        if match and token[:1].isupper() and token[:1].isalpha():
            run.append(index)
            continue
        if match and run and token.lower() in CONNECTORS and index + 1 < len(tokens) \
                and tokens[index + 1].group()[:1].isupper():  # fmt: skip
            run.append(index)
            continue
        if run:
            names.extend(_names_of_run(text, tokens, starts, run, known_words))
            run = []
    return names


def _names_of_run(text: str, tokens: list[re.Match], starts: list[bool], run: list[int], known: set[str]) -> list[Name]:
    """The names in one run of capitalised words: split at calendar words, titles and leading words dropped."""
    out: list[Name] = []
    piece: list[int] = []
    for position, index in enumerate(run):
        word = _norm(tokens[index].group())
        previous = _norm(tokens[run[position - 1]].group()) if position else ""
        # "Theresa May" is a name; "May 5" and "on Monday" are dates.
        calendar = word in MONTHS_AND_DAYS and not (word == "may" and previous and previous not in TITLES)
        if piece and previous not in TITLE_MODIFIERS and previous not in TITLES and _title_opens_name(tokens, run[position : position + _TITLE_WINDOW]):
            # "Russian Foreign Minister Sergey Lavrov", "US Secretary of State John Kerry": a body, then a titled person
            out.extend(_name(text, tokens, starts, piece, known))
            piece = [index]
        elif calendar:
            out.extend(_name(text, tokens, starts, piece, known))
            piece = []
        elif tokens[index].group() == PLACEHOLDER:  # "UNK Paris": the unknown word and Paris are apart
            out.extend(_name(text, tokens, starts, piece, known))
            out.extend(_name(text, tokens, starts, [index], known))
            piece = []
        else:
            piece.append(index)
            if position + 1 < len(run) and tokens[index].group()[-2:] in ("'s", "’s"):
                out.extend(_name(text, tokens, starts, piece, known))  # "Crystal Palace's Jonny Williams": two names
                piece = []
    out.extend(_name(text, tokens, starts, piece, known))
    return out


# A title's decision needs six words at most (modifier, title, "of" and its body, two words of a name);
# reading the whole rest of the run made a long run of capitalised words quadratic.
_TITLE_WINDOW = 6


def _title_opens_name(tokens: list[re.Match], rest: list[int]) -> bool:
    """Whether the rest of a run is a title (with its modifier: "Foreign Minister") and two or more words
    of a name after it; one word after a title is no person ("General Practitioners")."""
    words = [_norm(tokens[i].group()) for i in rest[:_TITLE_WINDOW]]
    skip = 1 if words[0] in TITLE_MODIFIERS and len(words) > 1 and words[1] in TITLES else 0
    if words[skip] not in TITLES:
        return False
    after = words[skip + 1 :]
    if after[:1] == ["of"]:  # "Secretary of State John Kerry"
        after = after[2:]
    return len(after) >= 2 and not any(w in TITLES or w in CONNECTORS for w in after[:1])


def _name(text: str, tokens: list[re.Match], starts: list[bool], piece: list[int], known: set[str]) -> list[Name]:
    while piece and _norm(tokens[piece[-1]].group()) in CONNECTORS:
        piece = piece[:-1]
    if not piece:
        return []
    first = _norm(tokens[piece[0]].group())
    # A capitalised first word of a sentence is grammar unless the text shows it is a name.
    if starts[piece[0]] and first not in TITLES:
        is_name = first in known or first in COUNTRY_OF or first in ALIAS_OF or (len(piece) == 1 and _subject(text, tokens, piece[0]))
        if first in NOT_NAMES or (len(piece) == 1 and not is_name) or (len(piece) > 1 and not is_name and _plain(first)):
            piece = piece[1:]
    titled = False
    while piece:
        word = _norm(tokens[piece[0]].group())
        if word in TITLE_MODIFIERS and len(piece) > 2 and _norm(tokens[piece[1]].group()) in TITLES:
            piece = piece[1:]  # "Foreign Secretary Boris Johnson": the modifier goes with its title
            titled = True
        elif word in TITLES and len(piece) > 1:
            titled = True
            piece = piece[1:]
            if len(piece) > 2 and _norm(tokens[piece[0]].group()) == "of":  # "Secretary of State John Kerry"
                piece = piece[2:]
        elif word in NOT_NAMES or word in CONNECTORS:
            piece = piece[1:]
        else:
            break
    if not piece or (len(piece) == 1 and _norm(tokens[piece[0]].group()) in _TITLES_OR_NOT_NAMES):
        return []
    if len(piece) == 1 and _PLURAL_ACRONYM.fullmatch(tokens[piece[0]].group()):
        return []  # "MPs", "GPs", "CEOs": a class of people, not a name
    if len(piece) == 1 and len(tokens[piece[0]].group()) == 1:
        return []  # a lone letter is no name ("O ' Sullivan" split by a tokenizer)
    start, end = tokens[piece[0]].start(), tokens[piece[-1]].end()
    surface = _POSSESSIVE.sub("", text[start:end].translate(_APOSTROPHES)) if text[end - 1 : end] in "'’s" else text[start:end]
    if surface.endswith(("'", "’")):
        surface = surface[:-1]
    end = start + len(surface)
    words = [_norm(tokens[i].group()) for i in piece]
    words = [w for w in words if w]
    acronym = len(piece) == 1 and bool(re.fullmatch(r"(?:[A-Z]\.?){2,6}", tokens[piece[0]].group().rstrip("'’s")))
    significant = []
    for word in words:
        if word in CONNECTORS or word in TITLES and len(words) > 1 and word != words[-1]:
            continue
        significant.append(COUNTRY_OF.get(_singular(word), word))
        if "-" in word:
            significant += [COUNTRY_OF.get(part, part) for part in word.split("-") if len(part) > 1 and part not in CONNECTORS]
        elided = _ELIDED.match(word)
        if elided:  # "O'Sullivan", "D'Angelo": also "Sullivan", as a tokenizer that splits them writes it
            significant.append(elided.group(1))
    return [Name(surface, (start, end), canonical_key(words), tuple(significant), acronym, titled)]


_AUXILIARY = re.compile(r"\s+(?:\w+ly\s+)?(?:is|was|has|had|will|would|could|says|said|told|announced|[a-z]+ed|"
                        + "|".join(sorted(IRREGULAR_PAST)) + r")\b")


def _subject(text: str, tokens: list[re.Match], index: int) -> bool:
    """A sentence's first word read as a name when a singular subject's verb follows ("Geneva formally
    hosted", "France is pressing"); plurals ("Officials said", "Scientists have found") are left out."""
    word = tokens[index].group()
    return not word.lower().endswith("s") and _norm(word) not in NOT_NAMES and bool(_AUXILIARY.match(text, tokens[index].end()))


def _plain(word: str) -> bool:
    """A word that opens sentences as often as it names things: short function-like words."""
    return word in NOT_NAMES or len(word) <= 2


def initials(tokens: tuple[str, ...] | list[str]) -> str:
    """'un' for ('united', 'nations'): initials of the significant words, for acronym matching."""
    return "".join(word[0] for word in tokens if word) if len(tokens) > 1 else ""


def guess_kind(name: str, key: str, titled: bool) -> str:
    """person | place | organisation | other, from titles, the country table, organisation and place words."""
    last = key.rsplit(" ", 1)[-1]
    if key in COUNTRY_OF or key in ALIAS_OF and " " not in ALIAS_OF[key] and ALIAS_OF[key] in COUNTRY_OF:
        return "place"
    if last in ORGANISATION_WORDS or name.isupper() and len(name) <= 6:
        return "organisation"
    if last in PLACE_WORDS and " " in key or key.split(" ", 1)[0] in PLACE_FIRST_WORDS and " of " in f" {key} ":
        return "place"  # "Portman Road"; "Isle of Wight", "Gulf of Mexico"
    if titled or " " in key:  # "John Kerry", "Sergey V. Lavrov": several names without an organisation word
        return "person"
    return "other"


@dataclass(frozen=True)
class ArticleEntity:
    """One entity of the article: its fullest name, kind, keys and tokens, mentions and first evidence."""

    id: str
    name: str
    kind: str
    keys: tuple[str, ...]  # canonical keys of all its mentions
    tokens: tuple[str, ...]  # significant words of all its mentions
    mentions: tuple[tuple[int, int], ...]
    sentence: str  # the sentence of its first mention
    start: int
    end: int
    key: bool = False
    source: str = "auto"  # auto | gold

    @property
    def label(self) -> str:
        """The entity as a reader names it."""
        return self.name

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "keys": list(self.keys), "tokens": list(self.tokens),
                "mentions": [list(m) for m in self.mentions],
                "evidence": {"sentence": self.sentence, "start": self.start, "end": self.end},
                "key": self.key, "source": self.source}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleEntity:
        """Inverse of to_dict."""
        evidence = data.get("evidence") or {}
        return cls(str(data["id"]), str(data["name"]), str(data.get("kind", "other")), tuple(data.get("keys") or ()),
                   tuple(data.get("tokens") or ()), tuple(tuple(m) for m in data.get("mentions") or ()),
                   str(evidence.get("sentence", "")), int(evidence.get("start", 0)), int(evidence.get("end", 0)),
                   bool(data.get("key", False)), str(data.get("source", "auto")))  # fmt: skip


@dataclass(frozen=True)
class Frame:
    """Who does what in one article sentence: an agent entity, a verb class, the clause's content words."""

    agent: str  # entity id
    verb: str  # "say" for speech verbs, else the verb's stem
    content: frozenset[str]  # word prefixes of the clause (entities and stop words left out)
    entities: frozenset[str]  # the other entities of the sentence
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"agent": self.agent, "verb": self.verb, "content": sorted(self.content), "entities": sorted(self.entities),
                "evidence": {"sentence": self.sentence, "start": self.start, "end": self.end}}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Frame:
        """Inverse of to_dict."""
        evidence = data.get("evidence") or {}
        return cls(str(data["agent"]), str(data["verb"]), frozenset(data.get("content") or ()),
                   frozenset(data.get("entities") or ()), str(evidence.get("sentence", "")),
                   int(evidence.get("start", 0)), int(evidence.get("end", 0)))  # fmt: skip


def surnames_after(entity: ArticleEntity, first: str) -> list[str]:
    """The second words of the entity's two-word names that start with `first` ("gustafsson" of "johan")."""
    return [key.split()[1] for key in entity.keys if key.startswith(f"{first} ") and key.count(" ") == 1]


@dataclass(frozen=True)
class EntityIndex:
    """The article's entities and frames, with look-up tables built once (by key, token and initials)."""

    entities: tuple[ArticleEntity, ...]
    frames: tuple[Frame, ...] = ()
    names: frozenset[str] = frozenset()  # words the article writes capitalised mid-sentence
    vocabulary: frozenset[str] = frozenset()  # every word of the article, lower-cased, demonyms also as countries
    lower_case: frozenset[str] = frozenset()  # words the article also writes in lower case ("may", "new", "bill")
    by_key: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)
    by_token: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)
    by_id: dict[str, ArticleEntity] = field(default_factory=dict, init=False, compare=False, repr=False)
    # words of the article's names it never writes in lower case: names wherever a lower-cased summary writes them
    capitalised_only: set[str] = field(default_factory=set, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_token: dict[str, list[str]] = {}
        for entity in self.entities:
            self.by_id[entity.id] = entity
            for key in entity.keys:
                self.by_key.setdefault(key, entity.id)
            for token in entity.tokens:
                by_token.setdefault(token, []).append(entity.id)
        for entity in self.entities:
            for key in entity.keys:
                acronym = initials(key.split())
                if len(acronym) >= 2:
                    self.by_key.setdefault(acronym, entity.id)
        for entity in self.entities:  # a place names its country, after every name the article writes itself
            for key in entity.keys:
                if key in PART_OF:
                    self.by_key.setdefault(PART_OF[key], entity.id)
        self.by_token.update({token: tuple(ids) for token, ids in by_token.items()})
        self.capitalised_only.update(token for token in by_token if token not in self.lower_case)

    def __hash__(self) -> int:
        return hash(tuple(e.id for e in self.entities))

    def person_by_first_name(self, word: str) -> ArticleEntity | None:
        """The article's person of two words with this first word, whom it also calls by the second alone
        ("Johan Gustafsson" ... "Gustafsson"): evidence that the words are a first name and a surname."""
        if word in GENERIC_NAME_WORDS or word in _COUNTRIES:
            return None  # "Scottish Fire", "North Wales": a place's word, not a first name
        for entity_id in self.by_token.get(word, ()):
            entity = self.by_id[entity_id]
            if entity.kind == "person" and any(surname in entity.keys for surname in surnames_after(entity, word)):
                return entity
        return None

    def key_entities(self) -> list[ArticleEntity]:
        """The entities a good summary should name."""
        return [entity for entity in self.entities if entity.key]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"entities": [e.to_dict() for e in self.entities], "frames": [f.to_dict() for f in self.frames],
                "names": sorted(self.names), "vocabulary": sorted(self.vocabulary),
                "lower_case": sorted(self.lower_case)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EntityIndex:
        """Inverse of to_dict."""
        return cls(tuple(ArticleEntity.from_dict(e) for e in data.get("entities") or ()),
                   tuple(Frame.from_dict(f) for f in data.get("frames") or ()),
                   frozenset(data.get("names") or ()), frozenset(data.get("vocabulary") or ()),
                   frozenset(data.get("lower_case") or ()))  # fmt: skip
