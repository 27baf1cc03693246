"""Entity perturbations and faithful entity rewrites for the self-test (see harness.facts.selftest).

Perturbations of one name of a reference summary the checker passes:
- extrinsic swap: the name replaced by a place or person the article never names;
- role swap: the agent of an act ("Kirby said ...") replaced by another person or organisation of the
  article that the article never has doing it.
Faithful rewrites: a person's surname alone ("John Kerry" -> "Kerry"), a title before it ("Mr. Kerry"),
an acronym for a name of several words the article writes out ("United Nations" -> "UN") or the long
form of an alias ("U.S." -> "United States"), a country's demonym for its possessive ("Russia's" -> "Russian").
"""

from __future__ import annotations

from harness.facts.entities import EntityIndex, initials, read_names
from harness.facts.entity_check import SUPPORTED, EntityClaim
from harness.facts.entity_index import frames_of
from harness.facts.entity_names import ALIAS_OF, COUNTRY_OF
from harness.text import Span

# Stand-ins for an entity the article does not name: tried in order, the first absent from the article.
_EXTRINSIC = {
    "place": ["Geneva", "Lisbon", "Nairobi", "Ottawa", "Santiago", "Helsinki"],
    "person": ["Margaret Holloway", "Daniel Okafor", "Ingrid Lindqvist", "Tomasz Wrona"],
    "organisation": ["World Health Organization", "Red Cross", "Greenpeace", "Interpol"],
    "other": ["Geneva", "Lisbon", "Nairobi", "Ottawa"],
}
_DEMONYM = {country: word for word, country in COUNTRY_OF.items() if word != country and word[-1] not in "s"}


def _replace(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def _absent(name: str, index: EntityIndex) -> bool:
    return not any(word.lower() in index.vocabulary for word in name.split())


def entity_perturbations(summary: str, claims: list[EntityClaim], index: EntityIndex) -> list[tuple[str, str, str]]:
    """(kind, 'old -> new', perturbed summary) for each distortion of one name."""
    out = []
    for claim in claims:
        if claim.verdict != SUPPORTED or claim.entity is None:
            continue
        stand_in = next((n for n in _EXTRINSIC.get(claim.entity.kind, _EXTRINSIC["other"]) if _absent(n, index)), None)
        if stand_in:
            out.append(("extrinsic entity", f"{claim.name} -> {stand_in}", _replace(summary, claim.span, stand_in)))
    out += _role_swaps(summary, claims, index)
    return out


def _role_swaps(summary: str, claims: list[EntityClaim], index: EntityIndex) -> list[tuple[str, str, str]]:
    """Give the act of a summary frame's agent to another entity of the article that never does it."""
    out = []
    by_span = {c.span: c for c in claims if c.verdict == SUPPORTED and c.entity is not None}
    names = [(n, by_span[(n.span[0], n.span[1])].entity.id) for n in read_names(summary, index.names)
             if (n.span[0], n.span[1]) in by_span]  # fmt: skip
    for frame in frames_of(summary, Span(summary, 0, len(summary)), names):
        agent = index.by_id[frame.agent]
        claim = next(c for c in by_span.values() if c.entity.id == frame.agent)
        doers = {f.agent for f in index.frames if f.verb == frame.verb}
        others = [e for e in index.entities if e.kind == agent.kind and e.id not in doers and e.id != agent.id
                  and e.id not in frame.entities and " " in e.name]  # fmt: skip
        if doers - {frame.agent} and others:
            out.append(("role swap", f"{claim.name} -> {others[0].name}", _replace(summary, claim.span, others[0].name)))
    return out


def entity_rewrites(summary: str, claims: list[EntityClaim], index: EntityIndex) -> list[tuple[str, str, str]]:
    """(kind, 'old -> new', rewritten summary) for faithful rewrites of one name."""
    out = []
    for claim in claims:
        if claim.verdict != SUPPORTED or claim.entity is None:
            continue
        words = claim.name.split()
        key = claim.name.lower().replace(".", "")
        # a surname stands alone only where the article has it ("Emma Thompson" of an article's Emma alone has
        # none) and the name is a first name and surname ("Michael of Kent" is no "Mr. Kent")
        if claim.entity.kind == "person" and len(words) > 1 and words[-1].lower() in claim.entity.tokens \
                and not any(w.lower() in ("of", "de", "von", "van", "al", "bin") for w in words):  # fmt: skip
            out.append(("surname only", f"{claim.name} -> {words[-1]}", _replace(summary, claim.span, words[-1])))
            out.append(("title", f"{claim.name} -> Mr. {words[-1]}", _replace(summary, claim.span, f"Mr. {words[-1]}")))
        if ALIAS_OF.get(key) and ALIAS_OF[key] != key:
            long = ALIAS_OF[key].title()
            out.append(("alias", f"{claim.name} -> {long}", _replace(summary, claim.span, long)))
        elif len(words) > 1 and all(w[0].isupper() for w in words):
            acronym = initials([w.lower() for w in words]).upper()
            if acronym.lower() in index.by_key:
                out.append(("acronym", f"{claim.name} -> {acronym}", _replace(summary, claim.span, acronym)))
        after = summary[claim.span[1] : claim.span[1] + 2]
        if key in _DEMONYM and after in ("'s", "’s"):
            demonym = _DEMONYM[key].title()
            out.append(("demonym", f"{claim.name}'s -> {demonym}", _replace(summary, (claim.span[0], claim.span[1] + 2), demonym)))
    return out
