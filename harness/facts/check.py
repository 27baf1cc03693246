"""Check the numeric claims of a summary against an article's fact table.

Each figure of the summary is read like the article's (value, counted noun, predicate, clause words)
and aligned to the facts of a comparable kind:
- supported: a fact's value agrees (within hedges and rounding) and no other fact fits the claim's
  noun, predicate and clause clearly better;
- contradicted: the article states this kind of fact with another value ("300,000 civilians"), or
  the value belongs to another noun or event in the article ("275,000 children", "the Sept. 9 bombing");
- not_in_article: the article states this quantity in no form ("died at the age of 83"; a "two-year
  deal" where the article's only 2 is "second").
A figure the article has under another reading (an age read as a bare count) is supported.
A vague claim ("hundreds of homes") is supported by any figure of the article within its range, and
is not in the article when the article has no figure of that size at all.
A rank title ("world number one") or a figure of one said in words ("a one-year deal") that the article
does not state is no claim against it; either is contradicted where the article gives another value.
A number word inside a name the article capitalises ("six nations", "league two") is no figure
(`harness.facts.set_phrases`). Two counts of people in one sentence that add up to the claim ("12 staff
and seven patients were killed" for "19 people killed") support it (`harness.facts.sums`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.facts.copied import copied_window
from harness.facts.entity_check import EntityClaim, KeyEntity, check_entities, key_entities
from harness.facts.extract import Mention, extract_mentions
from harness.facts.lexicon import STOP, noun_relation, stem
from harness.facts.normalize import normalize
from harness.facts.numbers import written_numbers
from harness.facts.quantities import COMPARABLE, Quantity, agree
from harness.facts.ranks import may_state_rank, word_before
from harness.facts.rates import converted_to_claim, rate_fits, rate_problem
from harness.facts.readings import may_be_one_figure
from harness.facts.set_phrases import absence_says_nothing, inside_article_name, other_title
from harness.facts.sums import summed_counts
from harness.facts.table import Evidence, Fact, FactTable, extract_facts
from harness.facts.values import opposite_bounds
from harness.text import Span

SUPPORTED, CONTRADICTED, NOT_IN_ARTICLE = "supported", "contradicted", "not_in_article"
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_IN_ARTICLE)
PRESERVED, OMITTED = "preserved", "omitted"

# Affinity of a claim to a fact: how surely they speak of the same thing, whatever the values.
NOUN_SCORE = {"same": 3.0, "compatible": 1.0, "conflict": -2.0, "unknown": 0.0}
PREDICATE_MATCH, PREDICATE_CLASH = 2.0, -1.0
CONTEXT_WORD, CONTEXT_CAP = 1.0, 4
SAME_THING = 3.0  # a disagreeing fact this close makes a claim contradicted rather than not in the article
MOVED_MARGIN, MOVED_MIN = 3.0, 3.0  # a rival must beat the agreeing fact by this much to call a value moved
NEAR_TIE = 1.0  # facts this close in affinity are told apart by value: "a million dead" is the half million, not "hundreds"


@dataclass(frozen=True)
class Claim:
    """One numeric claim of a summary, its verdict, the fact it was aligned to and why."""

    text: str  # the summary sentence that makes the claim
    quantity: Quantity  # the figure, with its span in the summary
    verdict: str
    fact: Fact | None
    evidence: Evidence | None
    reason: str
    noun: str | None = None
    predicate: str | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready form."""
        return {
            "claim": self.quantity.text,
            "sentence": self.text,
            "span": list(self.quantity.span),
            "value": self.quantity.describe(),
            "kind": self.quantity.kind,
            "noun": self.noun,
            "predicate": self.predicate,
            "verdict": self.verdict,
            "fact": self.fact.id if self.fact else None,
            "fact_text": self.fact.quantity.text if self.fact else None,
            "evidence": self.evidence.sentence if self.evidence else None,
            "evidence_span": [self.evidence.start, self.evidence.end] if self.evidence else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class KeyFact:
    """A key fact of the article and whether the summary keeps it (a supported claim aligned to it)."""

    fact: Fact
    status: str  # preserved | omitted

    def to_dict(self) -> dict:
        """Plain JSON-ready form."""
        return {"fact": self.fact.id, "text": self.fact.quantity.text, "noun": self.fact.noun, "label": self.fact.label, "status": self.status}


@dataclass(frozen=True)
class CheckResult:
    """The claims of one summary with verdicts, the key facts it keeps or omits, and the scores."""

    summary: str
    claims: tuple[Claim, ...]  # figure claims
    key_facts: tuple[KeyFact, ...]  # key figures
    entity_claims: tuple[EntityClaim, ...] = ()
    key_entities: tuple[KeyEntity, ...] = ()

    def count(self, verdict: str) -> int:
        """Number of figure claims with this verdict."""
        return sum(claim.verdict == verdict for claim in self.claims)

    def count_entities(self, verdict: str) -> int:
        """Number of entity claims with this verdict."""
        return sum(claim.verdict == verdict for claim in self.entity_claims)

    @property
    def supported(self) -> int:
        return self.count(SUPPORTED)

    @property
    def contradicted(self) -> int:
        """Contradicted claims of both kinds (figures and entities)."""
        return self.count(CONTRADICTED) + self.count_entities(CONTRADICTED)

    @property
    def not_in_article(self) -> int:
        """Not-in-article claims of both kinds (figures and entities)."""
        return self.count(NOT_IN_ARTICLE) + self.count_entities(NOT_IN_ARTICLE)

    @property
    def flagged(self) -> bool:
        """Whether any claim, figure or entity, is contradicted or not in the article."""
        return self.contradicted + self.not_in_article > 0

    @property
    def figures_flagged(self) -> bool:
        """Whether any figure claim is contradicted or not in the article."""
        return self.count(CONTRADICTED) + self.count(NOT_IN_ARTICLE) > 0

    @property
    def key_entity_recall(self) -> float | None:
        """Named key entities over all key entities; None when the table has none."""
        if not self.key_entities:
            return None
        return sum(k.status == PRESERVED for k in self.key_entities) / len(self.key_entities)

    @property
    def entity_precision(self) -> float | None:
        """Supported entity claims over all entity claims; None when the summary names none."""
        return self.count_entities(SUPPORTED) / len(self.entity_claims) if self.entity_claims else None

    @property
    def numeric_precision(self) -> float | None:
        """Supported claims over all numeric claims; None when the summary makes none."""
        return self.supported / len(self.claims) if self.claims else None

    @property
    def key_fact_recall(self) -> float | None:
        """Preserved key facts over all key facts; None when the table has none."""
        if not self.key_facts:
            return None
        return sum(k.status == PRESERVED for k in self.key_facts) / len(self.key_facts)

    def to_dict(self) -> dict:
        """Plain JSON-ready form: the scores, then the claims and key facts."""
        return {
            "numeric_precision": self.numeric_precision,
            "key_fact_recall": self.key_fact_recall,
            "claims_total": len(self.claims),
            "supported": self.supported,
            "contradicted": self.contradicted,
            "not_in_article": self.not_in_article,
            "flagged": self.flagged,
            # Per kind: "supported", "claims_total" and numeric_precision above are figures only.
            "figures_contradicted": self.count(CONTRADICTED),
            "figures_not_in_article": self.count(NOT_IN_ARTICLE),
            "entity_precision": self.entity_precision,
            "entities_total": len(self.entity_claims),
            "entities_supported": self.count_entities(SUPPORTED),
            "entities_contradicted": self.count_entities(CONTRADICTED),
            "entities_not_in_article": self.count_entities(NOT_IN_ARTICLE),
            "key_entity_recall": self.key_entity_recall,
            "claims": [{**claim.to_dict(), "claim_kind": "figure"} for claim in self.claims]
            + [claim.to_dict() for claim in self.entity_claims],
            "key_entities": [key.to_dict() for key in self.key_entities],
            "key_facts": [key.to_dict() for key in self.key_facts],
        }


def check_summary(summary: str, article_or_table: str | FactTable, sentences: Sequence[Span] | None = None) -> CheckResult:
    """Check every numeric claim of a summary against an article (or its prepared fact table).

    `sentences` are the summary's sentence spans when the caller has split it already.
    """
    table = article_or_table if isinstance(article_or_table, FactTable) else extract_facts(article_or_table)
    claims = []
    text = normalize(summary)  # known corpus artefacts, as in the article (offsets unchanged)
    if sentences is not None and text != summary:
        sentences = [Span(text[s.start : s.end], s.start, s.end) for s in sentences]
    for mention in extract_mentions(text, sentences):
        if not mention.quantity.claimable or inside_article_name(mention, table):
            continue
        claim = judge(mention, table)
        if claim.verdict == NOT_IN_ARTICLE and absence_says_nothing(mention.quantity):
            title = other_title(mention, table)
            if title is None:
                continue
            reason = f"the article gives this a rank of its own: {title.quantity.text!r} ({title.quantity.describe()})"
            claim = _claim(mention, CONTRADICTED, title, reason)
        claims.append(claim)
    supported = {claim.fact.id for claim in claims if claim.verdict == SUPPORTED and claim.fact}
    keys = tuple(KeyFact(fact, PRESERVED if fact.id in supported else OMITTED) for fact in table.key_facts())
    entities = check_entities(text, table.entities) if table.entities is not None else []
    return CheckResult(summary, tuple(claims), keys, tuple(entities), tuple(key_entities(table.entities, entities)))


_WORDS = re.compile(r"[a-z]+")


def affinity(mention: Mention, fact: Fact) -> float:
    """How surely a claim and a fact speak of the same thing: counted noun, predicate, clause words."""
    relation = noun_relation(mention.noun, fact.noun)
    if relation == "unknown" and mention.noun and mention.noun in fact.context:
        relation = "compatible"  # "Seven candidates were whittled down to two": the two are candidates too
    score = NOUN_SCORE[relation]
    if mention.predicate_class and fact.predicate_class:
        score += PREDICATE_MATCH if mention.predicate_class == fact.predicate_class else PREDICATE_CLASH
    shared = len(set(mention.context) & set(fact.context) - {mention.noun})
    return score + CONTEXT_WORD * min(shared, CONTEXT_CAP)


def judge(mention: Mention, table: FactTable) -> Claim:
    """The verdict on one claim: by alignment, unless the claim copies the article's words around it."""
    claim = _judge_by_alignment(mention, table)
    if claim.verdict == SUPPORTED or not table.words:
        return claim
    start, end = (offset - mention.sentence.start for offset in mention.quantity.span)
    copy = copied_window(mention.sentence.text, start, end, table.words)
    if copy is None:
        return claim
    # The article says these very words: the figure is what the article states at that spot.
    here = [f for f in table.of_kinds(_kinds_of(mention.quantity)) if agree(mention.quantity, f.quantity)
            and copy in table.evidence_words(f)]  # fmt: skip
    return _claim(mention, SUPPORTED, here[0] if here else None, f"copied with its context from the article ('{copy.strip()}')")


def _judge_by_alignment(mention: Mention, table: FactTable) -> Claim:
    """The verdict from aligning the claim to the facts by kind, value, noun, predicate and clause words."""
    q = mention.quantity
    candidates = table.distinct_of_kinds(_kinds_of(q))
    scored = sorted(((affinity(mention, f), f) for f in candidates), key=lambda pair: -pair[0])
    # "hundreds" in the article does not state 290: a vague fact supports only a vague or hedged claim.
    same_value = [(score, f) for score, f in scored
                  if agree(q, f.quantity) and (f.quantity.hedge != "vague" or q.hedge is not None) and _may_count(mention, f)]  # fmt: skip
    agreeing = [(score, f) for score, f in same_value if rate_fits(mention.qualifiers, f.qualifiers)]
    if agreeing and all(_opposed(mention, f) for _, f in agreeing):
        other = agreeing[0][1]  # every statement of this figure has the other outcome: 20 dead, not 20 injured
        reason = f"the article's {other.quantity.text!r} is about {_topic(other)}: {other.predicate}, not {mention.predicate}"
        return _claim(mention, CONTRADICTED, other, reason)
    if agreeing:
        score, best = agreeing[0]
        rival = _rival(mention, [f for _, f in agreeing], score, scored)
        if rival:
            other = rival[1]
            reason = (f"the article's {best.quantity.text!r} is about {_topic(best)}; for {_topic(other)} "
                      f"it says {other.quantity.text!r} ({other.quantity.describe()})")  # fmt: skip
            return _claim(mention, CONTRADICTED, other, reason)
        return _claim(mention, SUPPORTED, best, f"agrees with {best.quantity.text!r} ({best.quantity.describe()})")
    rate = mention.qualifiers.get("rate")
    for _, fact in scored if rate else ():  # "£5.2m a year" of the article's "£100,000 a week"
        converted = converted_to_claim(q, rate, fact.quantity, fact.qualifiers.get("rate"))
        if converted:
            reason = f"the article's {fact.quantity.text!r} per {fact.qualifiers['rate']} makes {converted.describe()} per {rate}"
            return _claim(mention, SUPPORTED, fact, reason)
    summed = summed_counts(mention, table)
    if summed:
        shown = " and ".join(repr(f.quantity.text) for f in summed)
        return _claim(mention, SUPPORTED, summed[0], f"the article's {shown} add up to {q.describe()}")
    # A fact of the very figure, kept out above by what it counts or its rate, cannot show another value.
    others = [(score, f) for score, f in scored if f.quantity.hedge == "vague" or not agree(q, f.quantity)]
    if same_value:  # the figure is the article's but not its rate: "save £600m a year" of "has saved £600m"
        rated = [f for score, f in others if score >= SAME_THING and f.qualifiers.get("rate") == rate]
        if not rated:
            other = same_value[0][1]
            return _claim(mention, CONTRADICTED, other, rate_problem(mention.qualifiers, other.qualifiers, other.quantity.text))
        others = [(SAME_THING, f) for f in rated]  # the article's figure at that rate shows the claim's wrong
    if others and others[0][0] >= SAME_THING:
        best = _closest_in_value(q, [f for score, f in others if score >= max(SAME_THING, others[0][0] - NEAR_TIE)])
        reason = f"the article says {best.quantity.text!r} ({best.quantity.describe()}), not {q.describe()}"
        return _claim(mention, CONTRADICTED, best, reason)
    opposite = [f for score, f in scored if score >= 0 and opposite_bounds(q, f.quantity)]
    if opposite:  # "at least 12" of an article's "up to a dozen"
        other = opposite[0]
        reason = f"the article says {other.quantity.text!r}, a bound from the other side of {q.describe()}"
        return _claim(mention, CONTRADICTED, other, reason)
    written = written_numbers(q.text)
    elsewhere = [f for f in table.distinct_of_kinds(()) if written and written <= table.written(f)
                 and may_be_one_figure(q, mention.noun, f.quantity, f.noun)]  # fmt: skip
    if elsewhere:
        # The same figure read as another kind ("Bueno, 27," as a count, "27-year-old" as an age): the
        # kinds come from surface cues on both sides, so a differing kind alone is no evidence of error.
        other = max(elsewhere, key=lambda f: affinity(mention, f))
        reason = f"the article has {other.quantity.text!r} ({other.quantity.kind}), read as the same figure"
        return _claim(mention, SUPPORTED, other, reason)
    if written and written <= table.number_set:
        shown = ", ".join(f"{n:g}" for n in sorted(written))
        reason = f"the article states no {q.kind} {q.describe()}; it writes {shown} only as something else"
        return _claim(mention, NOT_IN_ARTICLE, None, reason)
    return _claim(mention, NOT_IN_ARTICLE, None, f"the article states no {q.kind} {q.describe()} in any form")


OPPOSED = ({"death", "injury"}, {"rise", "fall"}, {"win", "defeat"})  # outcomes a figure cannot have both of


def _opposed(mention: Mention, fact: Fact) -> bool:
    """Whether the claim and the fact give the figure opposite outcomes (killed / injured, rose / fell)."""
    return {mention.predicate_class, fact.predicate_class} in OPPOSED


def _may_count(mention: Mention, fact: Fact) -> bool:
    """Whether a fact may state the claim's figure by what it counts: a list of names counts only what the
    claim names too ("four frigates" of four listed ships, not "four games"), and an ordinal that names what
    it orders ("the home side's third try") is no rank in a standing ("moved up to third in the league")."""
    if fact.qualifiers.get("stated_as") == "list":
        return noun_relation(mention.noun, fact.noun) in ("same", "compatible")
    if mention.quantity.kind == fact.quantity.kind == "ordinal":
        before = word_before(mention.sentence.text, mention.quantity.span[0] - mention.sentence.start)
        return may_state_rank(mention.noun, fact.noun, before)
    return True


def _kinds_of(q: Quantity) -> tuple[str, ...]:
    """The fact kinds a claim of q's kind is compared with (`comparable`): its own, and dates for a month."""
    return (q.kind, *(fact for claim, fact in COMPARABLE if claim == q.kind))


def _closest_in_value(q: Quantity, facts: list[Fact]) -> Fact:
    """Of facts that fit a claim about equally well, the one whose value is nearest (by ratio); the first on ties."""
    if q.value is None or q.value <= 0:
        return facts[0]
    def distance(fact: Fact) -> float:
        value = fact.quantity.value
        return abs(math.log(value / q.value)) if value and value > 0 else math.inf
    return min(facts, key=distance)


def _rival(mention: Mention, agreeing: list[Fact], score: float, scored: list[tuple[float, Fact]]) -> tuple[float, Fact] | None:
    """A disagreeing fact that fits the claim clearly better than the agreeing ones (best first, its affinity `score`), if any.

    Either the claim's noun is the rival's and conflicts with the agreeing fact's ("275,000 children"
    when 275,000 are civilians and the children are 100,000, and no statement of 275,000 in the article
    could be about children), or the rival fits the claim's predicate and clause by a clear margin (the
    Sept. 9 date put on the Sept. 19 bombing).
    """
    moved_from_all = all(noun_relation(mention.noun, f.noun) == "conflict" and not _same_phrase(mention, f) for f in agreeing)
    for rival_score, fact in scored:
        if agree(mention.quantity, fact.quantity) or "part" in fact.qualifiers:
            continue  # "another four babies" counts some of them: no rival to a claim of all of them
        noun_moved = noun_relation(mention.noun, fact.noun) == "same" and moved_from_all
        if noun_moved or (rival_score >= MOVED_MIN and rival_score >= score + MOVED_MARGIN):
            return rival_score, fact
    return None


def _same_phrase(mention: Mention, fact: Fact) -> bool:
    """Whether the claim's figure is followed by the word the fact's is ("saturday's six nations game" of the
    article's "six nations opener"): the figure is the article's phrase, whatever noun each clause ends on."""
    claim_next = _next_word(mention.sentence.text, mention.quantity.span[1] - mention.sentence.start)
    fact_next = _next_word(fact.evidence.sentence, fact.quantity.span[1] - fact.evidence.start)
    return claim_next is not None and claim_next == fact_next and claim_next not in STOP


def _next_word(sentence: str, offset: int) -> str | None:
    """The lower-cased word right after offset in sentence, if any."""
    found = _WORDS.search(sentence[offset:].lower()) if offset >= 0 else None
    return found.group() if found and not sentence[offset : offset + found.start()].strip() else None


def _topic(fact: Fact) -> str:
    """A few words saying what a fact is about: 'civilian, trapped', 'bomb, aid, convoy'."""
    words = [w for w in (fact.noun, fact.predicate) if w]
    seen = {stem(w) for w in words}
    words += [w for w in fact.context if w not in seen][: max(0, 3 - len(words))]
    return "'" + ", ".join(words) + "'" if words else "another figure"


def _claim(mention: Mention, verdict: str, fact: Fact | None, reason: str) -> Claim:
    return Claim(mention.sentence.text, mention.quantity, verdict, fact, fact.evidence if fact else None, reason,
                 mention.noun, mention.predicate)  # fmt: skip
