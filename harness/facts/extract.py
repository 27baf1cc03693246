"""Read each quantity in its sentence: what it counts, what happened to it, and the words around it.

No parser is available offline, so the reading is by rule: the counted noun is the head of the noun
phrase right after the figure ("275,000 civilians", "100,000 of them children", "83-year-old man"), or
the noun before "of" ("a death toll of 30"); the predicate is the nearest word of a known predicate class
in the sentence (trapped, dead, killed, bombing); the context is the set of content words in the
figure's clause, which tells the Sept. 9 agreement from the Sept. 19 bombing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.facts.lexicon import PREDICATE_CLASS, STOP, predicate_class, stem
from harness.facts.numbers import NUMBER_WORDS, Token, tokenize
from harness.facts.quantities import Quantity, find_quantities
from harness.facts.units import DAYS_PER, MONTHS, WEEKDAYS
from harness.text import Span, sentence_spans

_CLAUSE_BREAKS = {",", ";", ":", "—", "(", ")", '"', "“", "”", "which", "who", "whom", "whose", "while", "whereas",
                  "but", "although", "though", "because", "after", "before", "when"}  # fmt: skip
_NOUN_SKIP = {"of", "the", "these", "those", "its", "their", "his", "her", "our", "a", "an", "more", "other",
              "additional", "further", "extra", "new"}  # fmt: skip
_EVENT_DETERMINERS = {"the", "a", "an", "this", "that", "last", "next", "its", "their", "his", "her"}
_TIME_KINDS = ("date", "month", "weekday", "year", "time")
_CLAUSE_WORDS = {"where", "which", "who", "whom", "whose", "while", "whereas", "because", "although", "though", "but"}
_CLAUSE_PENALTY = 6
_CONTEXT_REACH = 10  # tokens either side of a figure that may count as its clause
_PREDICATE_REACH = 14


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


def extract_mentions(text: str) -> list[Mention]:
    """Every quantity in text with its counted noun, predicate, qualifiers, sentence and context words."""
    mentions = []
    for sentence_index, sentence in enumerate(sentence_spans(text)):
        tokens = tokenize(sentence.text)
        quantities = [_shift(q, sentence.start) for q in find_quantities(sentence.text)]
        positions = [_token_range(tokens, q, sentence.start) for q in quantities]
        for index, (quantity, (first, last)) in enumerate(zip(quantities, positions, strict=True)):
            same_kind = [p for k, p in enumerate(positions) if k != index and quantities[k].kind == quantity.kind]
            noun = _counted_noun(tokens, first, last, quantity)
            predicate = _predicate(tokens, first, last, quantity.kind)
            mentions.append(
                Mention(
                    quantity=quantity,
                    noun=noun,
                    predicate=predicate,
                    qualifiers=_qualifiers(quantity, quantities, tokens, first, last),
                    sentence=sentence,
                    context=_context(tokens, first, last, same_kind, quantity.kind == "score"),
                    sentence_index=sentence_index,
                )
            )
    return mentions


def _shift(q: Quantity, offset: int) -> Quantity:
    return Quantity(q.value, q.low, q.high, q.kind, q.unit, q.text, (q.span[0] + offset, q.span[1] + offset),
                    q.hedge, q.claimable)  # fmt: skip


def _token_range(tokens: list[Token], q: Quantity, offset: int) -> tuple[int, int]:
    start, end = q.span[0] - offset, q.span[1] - offset
    inside = [k for k, t in enumerate(tokens) if t.start >= start and t.end <= end]
    return (inside[0], inside[-1]) if inside else (0, 0)


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
    while k < len(tokens) and len(phrase) < 3:
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
        if not _content(tok) or verb_like or predicate:
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
    for k, tok in enumerate(tokens):
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


def _qualifiers(quantity: Quantity, quantities: list[Quantity], tokens: list[Token], first: int, last: int) -> dict:
    """Hedge, place and time of a figure: what a summary may drop but must not change."""
    qualifiers: dict = {}
    if quantity.hedge:
        qualifiers["hedge"] = quantity.hedge
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
