"""Read each quantity in its sentence: what it counts, what happened to it, and the words around it.

No parser is available offline, so the reading is by rule: the counted noun is the head of the noun
phrase right after the figure ("275,000 civilians", "100,000 of them children", "83-year-old man"), or
the noun before "of" ("a death toll of 30"); the predicate is the nearest word of a known predicate class
in the sentence (trapped, dead, killed, bombing); the context is the set of content words in the
figure's clause, which tells the Sept. 9 agreement from the Sept. 19 bombing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.facts.lexicon import PREDICATE_CLASS, STOP, predicate_class, stem
from harness.facts.numbers import NUMBER_WORDS, Token, tokenize
from harness.facts.quantities import START_WORDS, Quantity, find_quantities_in
from harness.facts.rates import NO_RATE_KINDS, periods_near, rate_after
from harness.facts.sentences import fact_sentences
from harness.facts.units import DAYS_PER, MONTHS, WEEKDAYS
from harness.text import Span

_CLAUSE_BREAKS = {",", ";", ":", "—", "(", ")", '"', "“", "”", "which", "who", "whom", "whose", "while", "whereas",
                  "but", "although", "though", "because", "after", "before", "when"}  # fmt: skip
_NOUN_SKIP = {"of", "the", "these", "those", "its", "their", "his", "her", "our", "a", "an", "more", "other",
              "additional", "further", "extra", "new"}  # fmt: skip
_EVENT_DETERMINERS = {"the", "a", "an", "this", "that", "last", "next", "its", "their", "his", "her"}
_TIME_KINDS = ("date", "month", "weekday", "year", "time")
_CLAUSE_WORDS = {"where", "which", "who", "whom", "whose", "while", "whereas", "because", "although", "though", "but"}
_CLAUSE_PENALTY = 6
_TIME_LEADS = {"last", "next", "this", "every", "each", "later", "earlier", "ago"}
_NOUN_REACH = 5  # words of the noun phrase after a figure, however many are capitalised
_CONTEXT_REACH = 10  # tokens either side of a figure that may count as its clause
_PREDICATE_REACH = 14
_NEAR_QUANTITIES = 6  # figures either side of one whose times may qualify it
_DIGIT_OR_SIGN = re.compile(r"[\d£$€¥]")
_LETTERS = re.compile(r"[a-z]+")


def may_hold_figure(text: str) -> bool:
    """Whether text has a digit, a currency sign or a word a quantity can start with (a cheap test that
    saves splitting and tokenizing text that states no figure: most sentences of an article)."""
    return bool(_DIGIT_OR_SIGN.search(text)) or not START_WORDS.isdisjoint(_LETTERS.findall(text.lower()))


@dataclass(frozen=True)
class Mention:
    """A quantity read in its sentence: counted noun, predicate, qualifiers and clause words."""

    quantity: Quantity
    noun: str | None
    predicate: str | None
    qualifiers: dict = field(default_factory=dict)
    sentence: Span = Span("", 0, 0)
    context: tuple[str, ...] = ()
    sentence_index: int = 0  # position of the sentence in the text, 0 for the first

    @property
    def predicate_class(self) -> str | None:
        """The predicate's class ('death' for killed/dead/died), or its stem when it has none."""
        return predicate_class(self.predicate)


def extract_mentions(text: str, sentences: Sequence[Span] | None = None,
                     tokens: list[Token] | None = None) -> list[Mention]:  # fmt: skip
    """Every quantity in text with its counted noun, predicate, qualifiers, sentence and context words.

    `sentences` are text's sentence spans and `tokens` its tokens (`tokenize(text)`) when the caller
    has them already (a run splits each article once; a fact table tokenizes it for other uses too).
    """
    mentions: list[Mention] = []
    if not may_hold_figure(text):
        return mentions  # most summaries of some datasets state no figure: no need to split them
    tokens = tokenize(text) if tokens is None else tokens
    token_starts = [t.start for t in tokens]
    for sentence_index, sentence in enumerate(fact_sentences(text) if sentences is None else sentences):
        if not may_hold_figure(sentence.text):
            continue
        # The sentence's tokens, read in the whole text: offsets and spans are the text's, not the sentence's.
        sentence_tokens = tokens[bisect_left(token_starts, sentence.start) : bisect_left(token_starts, sentence.end)]
        quantities = find_quantities_in(sentence_tokens, text)
        if not quantities:
            continue
        starts, ends = [t.start for t in sentence_tokens], [t.end for t in sentence_tokens]
        positions = [_token_range(starts, ends, q) for q in quantities]
        for index, (quantity, (first, last)) in enumerate(zip(quantities, positions, strict=True)):
            mentions.append(
                Mention(
                    quantity=quantity,
                    noun=_counted_noun(sentence_tokens, first, last, quantity),
                    predicate=_predicate(sentence_tokens, first, last, quantity.kind),
                    qualifiers=_qualifiers(quantity, _near(quantities, index), sentence_tokens, first, last),
                    sentence=sentence,
                    context=_context(sentence_tokens, first, last, _same_kind_near(quantities, positions, index),
                                     quantity.kind == "score"),
                    sentence_index=sentence_index,
                )
            )  # fmt: skip
    return mentions


def _near(items: list, index: int) -> list:
    """The items at most _NEAR_QUANTITIES places from index: what one figure's qualifiers may name."""
    return items[max(0, index - _NEAR_QUANTITIES) : index + _NEAR_QUANTITIES + 1]


def _same_kind_near(quantities: list[Quantity], positions: list[tuple[int, int]], index: int) -> list[tuple[int, int]]:
    """Token ranges of the other figures of the same kind within a clause's reach of figure `index`.

    Only these can stop its clause (`_context` walks at most _CONTEXT_REACH tokens), so a sentence with
    thousands of figures costs each figure a few look-ups, not thousands.
    """
    kind, (first, last) = quantities[index].kind, positions[index]
    others = []
    for step in (-1, 1):
        k = index + step
        while 0 <= k < len(positions) and (positions[k][1] >= first - _CONTEXT_REACH - 1 if step < 0
                                           else positions[k][0] <= last + _CONTEXT_REACH + 1):  # fmt: skip
            if quantities[k].kind == kind:
                others.append(positions[k])
            k += step
    return others


def _token_range(starts: list[int], ends: list[int], q: Quantity) -> tuple[int, int]:
    """First and last index of the tokens inside q's span (by bisection: tokens are sorted and disjoint)."""
    first, last = bisect_left(starts, q.span[0]), bisect_right(ends, q.span[1]) - 1
    return (first, last) if first <= last else (0, 0)


def _content(token: Token) -> bool:
    low = token.lower
    return (token.kind == "word" and low not in STOP and low not in NUMBER_WORDS and low not in MONTHS
            and low not in WEEKDAYS and len(low) > 1)  # fmt: skip


def _counted_noun(tokens: list[Token], first: int, last: int, quantity: Quantity) -> str | None:
    """Head of the noun phrase after the figure, or the noun of 'a toll of 30' before it."""
    if quantity.kind in (*_TIME_KINDS, "score", "rank"):
        # "the Sept. 19 bombing": a noun right after a determiner-led date names the event; in "the deal
        # reached on Sept. 19 fell apart" the word after the date is the verb of the sentence.
        nxt = tokens[last + 1] if last + 1 < len(tokens) else None
        led = first > 0 and tokens[first - 1].lower in _EVENT_DETERMINERS
        return stem(nxt.text) if led and nxt is not None and _content(nxt) and not nxt.lower.endswith("ed") else None
    k = last + 1
    if k + 2 < len(tokens) and tokens[k].lower == "of" and tokens[k + 1].lower in ("them", "whom", "those", "which"):
        k += 2  # "100,000 of them children"
    phrase: list[Token] = []
    # Up to three words, proper-noun modifiers aside ("four decommissioned Royal Navy frigates" counts frigates).
    while k < len(tokens) and len(phrase) < _NOUN_REACH and sum(not t.text[:1].isupper() for t in phrase) < 3:
        tok = tokens[k]
        if tok.lower in _NOUN_SKIP and not phrase:
            k += 1
            continue
        if tok.text == "-" and (phrase or quantity.kind == "ordinal"):  # "rebel-held", "a 40th-minute goal"
            k += 1
            continue
        # A predicate ("dead", "killed") or an adverb ends the phrase: "people dead since 2011".
        verb_like = tok.lower.endswith("ly") or (phrase and tok.lower.endswith("ed"))
        predicate = tok.lower in PREDICATE_CLASS and (phrase or tok.lower.endswith(("ed", "ing")))
        timed = tok.lower in _TIME_LEADS and not phrase  # "whittled down to two last Sunday": no noun counted
        if not _content(tok) or verb_like or predicate or timed:
            break
        phrase.append(tok)
        k += 1
    if phrase and quantity.kind == "ordinal" and stem(phrase[0].text) in DAYS_PER:
        return stem(phrase[0].text)  # "his 40th-minute equaliser" orders minutes, not equalisers
    if phrase:
        return stem(phrase[-1].text)
    if first >= 2 and tokens[first - 1].lower == "of" and _content(tokens[first - 2]):
        return stem(tokens[first - 2].text)  # "a death toll of 30"
    return None


def _predicate(tokens: list[Token], first: int, last: int, kind: str) -> str | None:
    """The nearest predicate-class word to the figure in its sentence.

    A date modifies the verb before it ("reached on Sept. 9", "killed on Monday"), so for times a word
    after the figure counts as farther than it is; for counts the nearest wins, after on a tie.
    """
    after_penalty = 3 if kind in _TIME_KINDS else 0
    best: tuple[int, bool, str] | None = None
    for k in range(max(0, first - _PREDICATE_REACH), min(len(tokens), last + _PREDICATE_REACH + 1)):
        tok = tokens[k]
        if tok.lower in PREDICATE_CLASS and not first <= k <= last:
            distance = first - k if k < first else k - last
            if distance > _PREDICATE_REACH:
                continue
            between = tokens[k + 1 : first] if k < first else tokens[last + 1 : k]
            crossed = any(t.lower in _CLAUSE_WORDS for t in between)  # "bombed areas, where 275,000 are trapped"
            rank = (distance + (after_penalty if k > last else 0) + (_CLAUSE_PENALTY if crossed else 0), k < first)
            if best is None or rank < best[:2]:
                best = (*rank, tok.lower)
    return best[2] if best else None


def _context(tokens: list[Token], first: int, last: int, others: list[tuple[int, int]],
             inner: bool = False) -> tuple[str, ...]:  # fmt: skip
    """Stemmed content words of the figure's clause: up to a clause break or another figure of its kind.

    With `inner`, words inside the figure count too: the away team of "Match ends, Germany 1, Denmark 2".
    """
    blocked = {k for a, b in others for k in range(a, b + 1)}
    words = [stem(tok.text) for tok in tokens[first : last + 1] if _content(tok)] if inner else []
    for direction, start in ((-1, first - 1), (1, last + 1)):
        k, steps = start, 0
        while 0 <= k < len(tokens) and steps < _CONTEXT_REACH:
            tok = tokens[k]
            if k in blocked or tok.lower in _CLAUSE_BREAKS or tok.text in ".!?":
                break
            if _content(tok):
                words.append(stem(tok.text))
            k += direction
            steps += 1
    return tuple(sorted(set(words)))


_PART_BEFORE = {"another", "additional", "further", "extra"}
_PART_AFTER = {"more", "other", "others", "additional", "further", "extra"}


def _qualifiers(quantity: Quantity, quantities: list[Quantity], tokens: list[Token], first: int, last: int) -> dict:
    """Hedge, rate, place and time of a figure: what a summary may drop but must not change."""
    qualifiers: dict = {}
    if quantity.hedge:
        qualifiers["hedge"] = quantity.hedge
    before = tokens[first - 1].lower if first > 0 else ""
    after = tokens[last + 1].lower if last + 1 < len(tokens) else ""
    if before in _PART_BEFORE or after in _PART_AFTER:  # "another four babies", "five more": a count of some
        qualifiers["part"] = before if before in _PART_BEFORE else after
    if quantity.kind not in NO_RATE_KINDS:
        rate, periods = rate_after(tokens, first, last), periods_near(tokens, first, last)
        if rate:  # "£600m a year"; "periods" lets a year's total state a rate a year
            qualifiers["rate"] = rate
        if periods:
            qualifiers["periods"] = periods
    times = [q.text for q in quantities if q is not quantity and q.kind in (*_TIME_KINDS, "duration")]
    if times and quantity.kind not in _TIME_KINDS:
        qualifiers["time"] = "; ".join(times)
    for k in range(max(0, first - _CONTEXT_REACH), min(len(tokens), last + _CONTEXT_REACH)):
        if tokens[k].lower in ("in", "at", "near") and k + 1 < len(tokens):
            place = [t.text for t in tokens[k + 1 : k + 4] if t.kind == "word" and t.text[:1].isupper()
                     and t.lower not in MONTHS and t.lower not in WEEKDAYS]  # fmt: skip
            if place and tokens[k + 1].text[:1].isupper():
                qualifiers["place"] = " ".join(place)
                break
    return qualifiers
