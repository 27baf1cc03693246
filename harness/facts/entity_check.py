"""Check the named entities of a summary against the article's entity index.

Each name of the summary is aligned to the article's entities:
- supported: the article names it, as written or by another form of the same name (surname only,
  title dropped, acronym or expansion, demonym or capital of a country), or writes its words;
- not_in_article: no word of the name is in the article in any form (an extrinsic entity);
- contradicted: the summary makes the entity the agent of something the article has another entity
  do ("Lavrov announced the suspension" where the article has Kirby saying it), shown by a frame of
  the article with the same verb (speech verbs are one verb) and shared content, where the claimed
  agent is not in that sentence or the summary puts the article's agent in another role; also a name
  spliced from two of the article's people, one side on both sides of a contest ("gloucester came from
  behind to beat gloucester"), and a name listed beside itself ("joe root and joe root").
Precision comes first: a name the article half writes (one word of two) is supported, and a role is
contradicted only with an article sentence to cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from harness.facts.entities import (
    PLACEHOLDER,
    ArticleEntity,
    EntityIndex,
    Frame,
    Name,
    guess_kind,
    initials,
    read_names,
)
from harness.facts.entity_index import frames_of
from harness.facts.entity_names import GENERIC_NAME_WORDS, PART_OF
from harness.facts.first_names import WORD_SPELLING_MIN, first_name_renamed, known_by_other_first_name, spelled_alike
from harness.facts.lowercase_names import lower_case_names, names_unread
from harness.text import Span

SUPPORTED, CONTRADICTED, NOT_IN_ARTICLE = "supported", "contradicted", "not_in_article"
MIN_FRAME_SCORE = 2  # shared content words plus shared entities a rival frame needs
_BREAK = re.compile(r"[.!?][\"”’']?\s+(?=[A-Z\"“‘])")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{1,3}\.")


@dataclass(frozen=True)
class EntityClaim:
    """One named entity of a summary, its verdict, the article entity it was aligned to and why."""

    text: str  # the summary sentence that names it
    name: str  # the name as written, titles dropped
    span: tuple[int, int]  # in the summary
    verdict: str
    entity: ArticleEntity | None
    evidence: Span | None
    reason: str
    entity_kind: str = "other"

    kind = "entity"  # beside figure claims: the claim's kind

    def to_dict(self) -> dict:
        """Plain JSON-ready form, with the keys figure claims have."""
        return {
            "claim": self.name,
            "claim_kind": "entity",
            "sentence": self.text,
            "span": list(self.span),
            "value": self.entity.name if self.entity else self.name,
            "kind": "entity",
            "entity_kind": self.entity_kind,
            "verdict": self.verdict,
            "fact": self.entity.id if self.entity else None,
            "fact_text": self.entity.name if self.entity else None,
            "evidence": self.evidence.text if self.evidence else None,
            "evidence_span": [self.evidence.start, self.evidence.end] if self.evidence else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class KeyEntity:
    """A key entity of the article and whether the summary keeps it (a supported name aligned to it)."""

    fact: ArticleEntity
    status: str  # preserved | omitted
    kind = "entity"

    def to_dict(self) -> dict:
        """Plain JSON-ready form, with the keys of a key figure."""
        return {"fact": self.fact.id, "text": self.fact.name, "noun": None, "label": self.fact.name,
                "status": self.status, "kind": "entity"}  # fmt: skip


def key_entities(index: EntityIndex | None, claims: list[EntityClaim]) -> list[KeyEntity]:
    """The key entities of the index, each preserved when a supported claim names it."""
    if index is None:
        return []
    named = {c.entity.id for c in claims if c.verdict == SUPPORTED and c.entity is not None}
    return [KeyEntity(e, "preserved" if e.id in named else "omitted") for e in index.key_entities()]


def summary_sentences(summary: str) -> list[Span]:
    """Cheap sentence spans for a summary (frames are local; the article keeps the full splitter)."""
    spans, start = [], 0
    for match in _BREAK.finditer(summary):
        before = summary[max(0, match.start() - 12) : match.start() + 1].split()
        if before and _ABBREVIATION.fullmatch(before[-1]):
            continue  # "the U.N. said", "Mr. Kirby": not a sentence end
        spans.append((start, match.start() + 1))
        start = match.end()
    spans.append((start, len(summary)))
    out = []
    for a, b in spans:
        text = summary[a:b]
        stripped = text.strip()
        if stripped:
            offset = a + text.index(stripped)
            out.append(Span(stripped, offset, offset + len(stripped)))
    return out


def resolve(name: Name, index: EntityIndex) -> tuple[str, ArticleEntity | None, str]:
    """(verdict, article entity, reason) for one name of the summary, roles aside."""
    by_id = index.by_id
    if PLACEHOLDER in name.text.split():
        return NOT_IN_ARTICLE, None, (f"{PLACEHOLDER!r} is the model's marker for a word it could not write: the name it "
                                      "stands for is not in the summary, so nothing the article says supports it")  # fmt: skip
    if name.key in index.by_key:
        entity = by_id[index.by_key[name.key]]
        if name.key in entity.keys:
            return SUPPORTED, entity, f"the article names {entity.name!r}"
        if any(PART_OF.get(key) == name.key for key in entity.keys):
            return SUPPORTED, entity, f"the article names {entity.name!r}, which is in the {name.key.title()}"
        return SUPPORTED, entity, f"the article names {entity.name!r} ({name.text!r} is its short form)"
    acronym = initials(name.tokens)
    if len(name.tokens) > 1 and len(acronym) >= 2 and acronym in index.by_key and acronym in by_id[index.by_key[acronym]].keys:
        # "United Nations" of an article that writes "U.N."; another full name with the same initials is no evidence
        entity = by_id[index.by_key[acronym]]
        return SUPPORTED, entity, f"the article writes {entity.name!r}, these initials"
    shortened = _shortened_from(name, index)
    if shortened is not None:
        return SUPPORTED, shortened, f"the article names {shortened.name!r} ({name.text!r} is its shortened form)"
    holders = None
    for token in name.tokens:
        ids = set(index.by_token.get(token, ()))
        holders = ids if holders is None else holders & ids
    if holders:
        entity = by_id[min(holders)]
        return SUPPORTED, entity, f"the article names {entity.name!r}"
    mixed = _mixed_people(name, index)
    if mixed:
        first, second = mixed
        return CONTRADICTED, first, (f"the article names {first.name!r} and {second.name!r}, two people; "
                                     f"{name.text!r} takes a name from each")  # fmt: skip
    written = [t for t in name.tokens if t in index.vocabulary or t in index.by_token]
    if written and len(written) == len(name.tokens):
        return SUPPORTED, None, f"the article writes {' '.join(written)!r}"
    # a word of an article name spelled one letter apart ("Trussell" of "Trussel") is that word; so is one of
    # any word the article writes, for an article in lower case has no names ("phillip" of "todd phillips")
    written += [t for t in name.tokens if t not in written and len(t) >= WORD_SPELLING_MIN
                and any(spelled_alike(t, k, WORD_SPELLING_MIN) for k in (index.by_token or index.vocabulary))]  # fmt: skip
    if written and all(t in GENERIC_NAME_WORDS for t in written):
        shown = ", ".join(written)
        return NOT_IN_ARTICLE, None, f"the article writes only {shown!r} of it, words many names share"
    renamed = first_name_renamed(name, index)
    if renamed is not None:
        return NOT_IN_ARTICLE, renamed, (f"the article's {name.tokens[0].title()} is {renamed.name!r}; it never "
                                         f"writes {name.tokens[1]!r}")  # fmt: skip
    if name.tokens[0] not in written:
        known = known_by_other_first_name(name, index)
        if known:
            shown = " and ".join(repr(e.name) for e in known)
            return NOT_IN_ARTICLE, known[0], (f"the article's {name.tokens[1].title()} is {shown}; it never writes "
                                              f"{name.tokens[0]!r}")  # fmt: skip
    if written:
        entity = next((by_id[index.by_token[t][0]] for t in written if t in index.by_token), None)
        return SUPPORTED, entity, f"partly in the article ({', '.join(written)}); the rest is not"
    if name.cue == "rare":  # read as a name for being rare (harness.facts.lowercase_names): say so
        return NOT_IN_ARTICLE, None, f"{name.text!r} is in neither the article nor the common vocabulary: a name the article does not have"
    return NOT_IN_ARTICLE, None, f"the article names no {name.text!r} in any form"


def check_entities(summary: str, index: EntityIndex) -> list[EntityClaim]:
    """The entity claims of a summary against the article's entity index."""
    claims: list[EntityClaim] = []
    lower_cased = names_unread(summary)
    for sentence in summary_sentences(summary):
        if lower_cased:
            names = lower_case_names(sentence.text, index)
        else:
            names = read_names(sentence.text, index.names)
        located: list[tuple[Name, str]] = []
        sentence_claims: list[EntityClaim] = []
        for name in names:
            span = (name.span[0] + sentence.start, name.span[1] + sentence.start)
            verdict, entity, reason = resolve(name, index)
            evidence = Span(entity.sentence, entity.start, entity.end) if entity and verdict == SUPPORTED else None
            kind = entity.kind if entity else guess_kind(name.text, name.key, name.titled)
            sentence_claims.append(EntityClaim(sentence.text, name.text, span, verdict, entity, evidence, reason, kind))
            if entity is not None:
                located.append((Name(name.text, span, name.key, name.tokens, name.acronym, name.titled), entity.id))
        for frame in frames_of(summary, sentence, located) if index.frames else ():
            rival = _rival(frame, index)
            if rival is None:
                continue
            for k, claim in enumerate(sentence_claims):
                if claim.entity is not None and claim.entity.id == frame.agent and claim.verdict == SUPPORTED:
                    other = index.by_id[rival.agent]
                    verb = "saying" if frame.verb == "say" else f"doing ({frame.verb}…)"
                    reason = (f"the article has {other.name!r}, not {claim.entity.name!r}, {verb} this: "
                              f"'{_cut(rival.sentence)}'")  # fmt: skip
                    sentence_claims[k] = EntityClaim(claim.text, claim.name, claim.span, CONTRADICTED, claim.entity,
                                                     Span(rival.sentence, rival.start, rival.end), reason, claim.entity_kind)  # fmt: skip
        claims += _named_twice(summary, sentence_claims)
    return claims


# Words that put two sides in a contest right before the second ("beat", "victory over", "against").
_CONTEST = re.compile(r"\b(?:beat|beats|beaten by|defeat|defeats|defeated|defeated by|over|against|versus|vs\.?|v\.?|"
                      r"draw with|drew with|lost to|lose to|win at|victory at|to face|face|faces|faced)\s+(?:the\s+)?$")  # fmt: skip
_COORDINATED = re.compile(r"\s*(?:,|and|&|or)\s*")  # "joe root and joe root", "argos, argos"
# A place is a side only after words that take a side: "talks with Russia over Russia's role" is no contest,
# "a victory over Scotland" is; "a win at Wembley" names the ground.
_PLACE_AS_SIDE = re.compile(r"\b(?:beat|beats|beaten by|defeat|defeats|defeated|defeated by|(?:victory|win|triumph) over|"
                            r"versus|vs\.?|v\.?|draw with|drew with|lost to|lose to)\s+(?:the\s+)?$")  # fmt: skip
# A signing names the club a player leaves right after the verb ("have signed Everton midfielder") or after
# "from" / "released by" ("from National League side Torquay"); a club is never the one it signs from.
_SIGNING = re.compile(r"\s*(?:(?:have|has|had|will|would)\s+)?(?:signed|signs|sign)\b")  # right after the club
_SIGNED_FROM = re.compile(r"(?:\b(?:signed|signs|sign|signing)|\b(?:from|released by|release by)(?:\s+(?:[\w-]+\s+){0,3}"
                          r"(?:side|rivals|club|outfit))?)\s+(?:the\s+)?$")  # fmt: skip


def _named_twice(summary: str, claims: list[EntityClaim]) -> list[EntityClaim]:
    """A sentence's claims, the second of two mentions of one name contradicted where the sentence makes them
    two: a contest word puts it on the other side of the first ("gloucester came from behind to beat
    gloucester"), a signing has a club sign from itself ("everton have signed everton midfielder ben
    browning"), or it is listed beside itself ("joe root and joe root both scored"). A place may be where
    something happens twice ("at wembley ... at wembley"), but a side may go by its place ("scotland ... a
    victory over scotland")."""
    out = list(claims)
    for k, second in enumerate(claims):
        if second.verdict != SUPPORTED or PLACEHOLDER in second.name:
            continue
        place = second.entity_kind == "place"
        for first in claims[:k]:
            between = summary[first.span[1] : second.span[0]]
            if first.name.lower() != second.name.lower() or re.search(r"[.!?;]\s", between):
                continue
            if _COORDINATED.fullmatch(between.lower()) and not place:
                reason = f"the summary lists {second.name!r} beside itself ('{first.name}{between}{second.name}'): one name for two"
            elif (_PLACE_AS_SIDE if place else _CONTEST).search(between.lower()):
                tail = " ".join(between.split()[-3:])
                reason = f"the summary puts {second.name!r} on both sides of one contest ('{first.name} … {tail} {second.name}')"
            elif (second.entity_kind != "person" and _SIGNING.match(between.lower()) and "former" not in between.lower()
                  and _SIGNED_FROM.search(between.lower())):  # fmt: skip
                tail = " ".join(between.split()[-3:])
                reason = f"the summary has {first.name!r} sign a player from itself ('{first.name} … {tail} {second.name}')"
            else:
                continue
            out[k] = replace(second, verdict=CONTRADICTED, reason=reason)
            break
    return out


def _rival(frame: Frame, index: EntityIndex) -> Frame | None:
    """An article frame that gives the summary frame's act to another agent, if the article shows it."""
    own = [f for f in index.frames if f.agent == frame.agent and f.verb == frame.verb]
    content = frame.content - {frame.verb}
    if any(content & f.content for f in own) or (own and frame.verb != "say"):
        return None  # the article has this agent do it too
    claimed_kind = index.by_id[frame.agent].kind
    if frame.verb == "say" and claimed_kind != "person" and any(
            f.verb == "say" and frame.agent in f.entities and index.by_id[f.agent].kind == "person" for f in index.frames):
        return None  # a body speaks through people: "White House press secretary Sean Spicer said" is the White House
    best, best_score = None, 0
    for f in index.frames:
        if f.verb != frame.verb or f.agent == frame.agent:
            continue
        if index.by_id[f.agent].kind != claimed_kind:
            continue  # people speak for countries and bodies: "the US said" is not belied by its spokesman saying it
        if spelled_alike(index.by_id[f.agent].name, index.by_id[frame.agent].name):
            continue  # the article spells one body two ways ("Trussell Trust", "Trussel Trust"): the same agent
        if claimed_kind == "person" and _shares_surname(index.by_id[f.agent], index.by_id[frame.agent]):
            continue  # "Tourist Tim Weston" and "New Zealander Tim Weston": one person the index keeps apart
        shared = len(content & (f.content - {f.verb}))
        swapped = f.agent in frame.entities  # the summary gives the article's agent another role
        if shared == 0 or (frame.agent in f.entities and not swapped):
            continue
        score = shared + len(frame.entities & (f.entities | {f.agent}))
        if score >= MIN_FRAME_SCORE and score > best_score:
            best, best_score = f, score
    return best


def _shares_surname(a: ArticleEntity, b: ArticleEntity) -> bool:
    """Whether two people's names end on the same word ("Beavis" and "Barry Beavis"): one person, as far as
    the text can show, so neither belies the other's act."""
    return bool({k.rsplit(" ", 1)[-1] for k in a.keys} & {k.rsplit(" ", 1)[-1] for k in b.keys})


def _mixed_people(name: Name, index: EntityIndex) -> tuple[ArticleEntity, ArticleEntity] | None:
    """Two people of the article whose names this one splices ("Jonny Chester" of "Jonny Evans" and "Tom
    Chester"): its first word is one person's first name, its last word another person's surname."""
    if len(name.tokens) != 2 or name.acronym:
        return None
    first_of = [index.by_id[i] for i in index.by_token.get(name.tokens[0], ()) if index.by_id[i].kind == "person"]
    last_of = [index.by_id[i] for i in index.by_token.get(name.tokens[1], ()) if index.by_id[i].kind == "person"]
    firsts = [e for e in first_of if e.tokens and e.tokens[0] == name.tokens[0] and len(e.tokens) > 1]
    lasts = [e for e in last_of if e.tokens and e.tokens[-1] == name.tokens[1] and len(e.tokens) > 1]
    if firsts and lasts and not set(firsts) & set(lasts):
        return firsts[0], lasts[0]
    return None


def _shortened_from(name: Name, index: EntityIndex) -> ArticleEntity | None:
    """The article entity whose name this one shortens word by word ("Man Utd" of "Manchester United"), if any."""
    if len(name.tokens) < 2 or all(len(t) > 3 for t in name.tokens):
        return None
    for key, entity_id in index.by_key.items():
        words = key.split()
        if len(words) == len(name.tokens) and all(map(_abbreviates, name.tokens, words)):
            return index.by_id[entity_id]
    return None


def _abbreviates(short: str, word: str) -> bool:
    """Whether `short` is `word` or a shortening of it: its start ("Man" of "Manchester") or letters of it in
    order from the first ("Utd" of "United")."""
    if short == word:
        return True
    rest = iter(word[1:])  # a start of the word is such a sequence too
    return len(short) >= 2 and short[0] == word[0] and all(letter in rest for letter in short[1:])


def _cut(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
