"""The entity index of an article: its names grouped into entities, and who does what (frames).

Built once per fact table. Grouping: mentions with one canonical key are one entity; then a name of
one word joins the one longer name that holds it ("Kerry" -> "John Kerry"), an acronym the one name
with its initials ("U.N." -> "United Nations"); where two longer names hold it, it stays apart.
Frames: an entity directly before a verb ("Mr. Kirby said", "John Kirby, the State Department
spokesman, said", "The United States formally suspended") or after a speech verb ("said Mr. Kirby")
is that verb's agent; speech verbs form one class ("say"), other verbs are told apart by their stem.
"""

from __future__ import annotations

import re
import unicodedata

from harness.facts.entities import (
    ArticleEntity,
    EntityIndex,
    Frame,
    Name,
    capitalised_words,
    guess_kind,
    initials,
    read_names,
)
from harness.facts.entity_names import COUNTRY_OF, IRREGULAR_PAST
from harness.facts.lexicon import STOP, stem
from harness.text import Span, sentence_spans

SPEECH = set(
    """said says say told tells announced announces announce stated states declared declares added adds
    explained explains confirmed confirms revealed reveals wrote writes insisted insists claimed claims
    warned warns argued argues""".split()
)
_BETWEEN = re.compile(
    r"(?:['’]s?)?(?:\s*,\s+(?:the|a|an|who|its|his|her|their|which|whose)\b[^,\"“”;]{0,90},)?"
    r"\s+(?:(?:has|have|had|was|is|were|are|also|later|then|previously|again|formally|\w+ly)\s+){0,2}"
    r"([a-z][a-z'’-]+)\b"
)
# "..., said Kirby" / "...\" said Kirby": the speaker follows the verb only after a quote or a comma; in
# "Carragher says Rodgers is the right man" the name after the verb is what is said, not who says it.
_AFTER_SPEECH = re.compile(r"[,\"”'’]\s*\b(said|says|added|announced|wrote|told)\s+(?:[A-Z][\w.]*\s+){0,3}$")
_CONTENT = re.compile(r"[A-Za-z][a-z'’-]{3,}")
_AND_BEFORE = re.compile(r"(?:,|\band)\s*$")
_VOCABULARY = re.compile(r"[^\W\d_][\w'’\-]*")
SPEECH_LOOK_BACK = 200  # characters before a name that can hold ", said" and three capitalised words
PREFIX = 5  # content words compare by the first letters of their stem: "suspension" = "suspending"


def content_words(text: str, leave_out: set[str]) -> frozenset[str]:
    """Prefixes of the clause's content words, stop words and the given (name) words left out."""
    out = set()
    for word in _CONTENT.findall(text):
        lower = word.lower()
        if lower in STOP or lower in SPEECH or lower in leave_out or word[0].isupper():
            continue
        out.add(stem(lower)[:PREFIX])
    return frozenset(out)


def verb_of(word: str) -> str | None:
    """'say' for a speech verb, the stem of a past-tense or third-person verb, else None."""
    if word in SPEECH:
        return "say"
    if word in IRREGULAR_PAST or word.endswith("ed") or (word.endswith("s") and not word.endswith("ss") and len(word) > 4):
        return stem(word)[:PREFIX]
    return None


def frames_of(text: str, sentence: Span, names: list[tuple[Name, str]]) -> list[Frame]:
    """Frames of one sentence: (name, entity id) pairs in order, with spans relative to `text`."""
    frames: list[Frame] = []
    ids = frozenset(entity_id for _, entity_id in names)
    content: frozenset[str] | None = None  # the clause's content words, read once a name turns out to act
    for position, (name, entity_id) in enumerate(names):
        lower = name.text.lower()
        if COUNTRY_OF.get(lower, lower) != lower:
            continue  # "Russian military": a demonym before a noun is an adjective, not an agent
        verb = None
        match = _BETWEEN.match(text, name.span[1], sentence.end)
        if match:
            verb = verb_of(match.group(1))
        # The pattern ends at the name, so only the words just before it can match; searching from the sentence's
        # start for every name made a long sentence of names quadratic.
        look_from = max(sentence.start, name.span[0] - SPEECH_LOOK_BACK)
        if verb is None and _AFTER_SPEECH.search(text, look_from, name.span[0]):
            verb = "say"
        if verb is None:
            continue
        agents = [entity_id]
        # "Russia and the United States agreed": every name of the coordination is an agent.
        for previous, previous_id in reversed(names[:position]):
            between = text[previous.span[1] : (names[position][0].span[0])]
            if not _AND_BEFORE.search(between) or len(between) > 12:
                break
            agents.append(previous_id)
            position -= 1
        if content is None:
            leave_out = {token for n, _ in names for token in n.tokens} | {w.lower() for n, _ in names for w in n.text.split()}
            content = content_words(sentence.text, leave_out)
        frames += [Frame(agent, verb, content, ids - {agent}, sentence.text, sentence.start, sentence.end) for agent in agents]
    return frames


def build_index(article: str, sentences: list[Span] | None = None) -> EntityIndex:
    """The entity index of an article: entities with mentions and evidence, frames, names, vocabulary."""
    sentences = sentence_spans(article) if sentences is None else sentences
    known = capitalised_words(article)
    per_sentence = [read_names(s.text, known) for s in sentences]
    groups: dict[str, list[tuple[Name, Span]]] = {}
    for sentence, names in zip(sentences, per_sentence, strict=True):
        for name in names:
            groups.setdefault(name.key, []).append((name, sentence))
    owner = _merge(groups)
    entities = []
    ids: dict[str, str] = {}
    for number, root in enumerate(sorted({owner[k] for k in groups}, key=lambda k: _first(groups, owner, k)), start=1):
        members = [k for k in groups if owner[k] == root]
        mentions = sorted((pair for k in members for pair in groups[k]), key=lambda p: p[0].span[0] + p[1].start)
        # The entity's name: as the article writes its canonical form ("Russia", not "Russians"), else the longest.
        plain = [n for n, _ in mentions if " ".join(n.tokens) == n.key or n.text.lower() == n.key]
        longest = plain[0] if plain and len(plain[0].tokens) >= max(len(n.tokens) for n, _ in mentions) else \
            max((name for name, _ in mentions), key=lambda n: (len(n.tokens), len(n.text)))  # fmt: skip
        first = mentions[0]
        keys = tuple(dict.fromkeys(n.key for n, _ in mentions))
        tokens = tuple(dict.fromkeys(t for n, _ in mentions for t in n.tokens))
        titled = any(n.titled for n, _ in mentions)
        entity_id = f"e{number:02d}"
        sentence = first[1]
        spans = tuple((n.span[0] + s.start, n.span[1] + s.start) for n, s in mentions)
        entities.append(ArticleEntity(entity_id, longest.text, guess_kind(longest.text, longest.key, titled), keys, tokens,
                                      spans, sentence.text, sentence.start, sentence.end))  # fmt: skip
        for k in members:
            ids[k] = entity_id
    frames = []
    for sentence, names in zip(sentences, per_sentence, strict=True):
        located = [(Name(n.text, (n.span[0] + sentence.start, n.span[1] + sentence.start), n.key, n.tokens), ids[n.key])
                   for n in names]  # fmt: skip
        frames += frames_of(article, sentence, located)
    written = _VOCABULARY.findall(article)
    words = {w.lower().replace("’", "'").rstrip("'-") for w in written}  # "unconscionable'." ends a quote
    words |= {w[:-2] for w in words if w.endswith("'s")} | {part for w in words if "-" in w for part in w.split("-")}
    words |= {_unaccented(w) for w in words if not w.isascii()}  # "medecins" of "Médecins": corpora drop accents
    vocabulary = frozenset(words | {COUNTRY_OF[w] for w in words if w in COUNTRY_OF})
    lower_case = frozenset(w.replace("’", "'") for w in written if w[0].islower())  # words it writes in lower case
    return EntityIndex(tuple(entities), tuple(frames), frozenset(known), vocabulary, lower_case)


def _unaccented(word: str) -> str:
    """The word with its accents dropped ("médecins" -> "medecins")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))



def _first(groups: dict, owner: dict, root: str) -> int:
    return min(name.span[0] + sentence.start for k in groups if owner[k] == root for name, sentence in groups[k])


def _merge(groups: dict[str, list[tuple[Name, Span]]]) -> dict[str, str]:
    """key -> the key of the entity it belongs to: one-word names and acronyms join a unique longer name."""
    owner = {key: key for key in groups}
    tokens = {key: groups[key][0][0].tokens for key in groups}
    longer = [key for key in groups if len(tokens[key]) > 1]
    for key, mentions in groups.items():
        if len(tokens[key]) != 1:
            continue
        word = tokens[key][0]
        holders = [k for k in longer if word in tokens[k] and k != key]
        if mentions[0][0].acronym:
            holders = [k for k in longer if initials(tokens[k]) == word] or holders
        roots = {owner[k] for k in holders}
        if len(roots) == 1:
            owner[key] = roots.pop()
    # Two longer names where one holds the other ("Sergey V. Lavrov", "Sergey Lavrov") are one entity.
    for key in sorted(longer, key=lambda k: len(tokens[k])):
        holders = {owner[k] for k in longer if k != key and len(tokens[k]) > len(tokens[key])
                   and set(tokens[key]) <= set(tokens[k])}  # fmt: skip
        if len(holders) == 1 and owner[key] == key:
            root = holders.pop()
            for k in owner:
                if owner[k] == key:
                    owner[k] = root
    return owner
