"""The Quantity value type and the agreement of two quantities.

Every quantity is an interval [low, high] around its value. Two quantities agree when they are of
comparable kinds and one's figure lies within the other's interval; dates, times of day and scores have
their own rules (a claimed month meets a full date, 8 pm meets 20:00, "won 2-1" meets "lost 1-2").
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.facts.numbers import Token
from harness.facts.units import HEDGES, WEEKDAYS

COMPARABLE = {("month", "date")}  # a claimed month is checked against the article's full dates
CLOCK_UNIT = "12h"  # unit of a time of day written without am/pm ("at 8:30"): either half of the day
_DAY_MINUTES, _HALF_DAY = 1440, 720


@dataclass(frozen=True)
class Quantity:
    """A quantity found in text: its value, the interval it stands for, its kind and unit, where it is.

    Values are normalised per kind: counts and money in units, percentages in percent, durations in
    days, dates as month*100+day, months 1-12, weekdays 1-7 (Monday 1), times of day in minutes after
    midnight (0-1439).
    """

    value: float
    low: float
    high: float
    kind: str
    unit: str
    text: str
    span: tuple[int, int]
    hedge: str | None = None  # as written ("roughly", "more than"), or "vague" for "hundreds"
    claimable: bool = True  # False for article-side figures too noisy to claim ("one", "a week")

    def to_dict(self) -> dict:
        """Plain JSON-ready form."""
        return {"value": self.value, "low": self.low, "high": self.high, "kind": self.kind, "unit": self.unit,
                "text": self.text, "span": list(self.span), "hedge": self.hedge,
                "claimable": self.claimable}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Quantity:
        """Inverse of to_dict."""
        return cls(float(data["value"]), float(data["low"]), float(data["high"]), data["kind"], data.get("unit", ""),
                   data["text"], tuple(data["span"]), data.get("hedge"), data.get("claimable", True))  # fmt: skip

    def describe(self) -> str:
        """Short human-readable value: '500,000 [475,000-525,000]', 'Sep 9', '7 days', '100-999', '20:00'."""
        if self.kind == "date":
            return f"{_MONTH_NAMES[int(self.value) // 100]} {int(self.value) % 100}"
        if self.kind == "month":
            return _MONTH_NAMES[int(self.value)]
        if self.kind == "score":
            return f"{int(self.value) // 1000}-{int(self.value) % 1000}"
        if self.kind == "time":
            hours, minutes = divmod(int(self.value), 60)
            return f"{hours:02d}:{minutes:02d}" + (" (am or pm)" if self.unit == CLOCK_UNIT else "")
        if self.kind in ("year", "ordinal", "rank"):
            return f"{int(self.value)}"
        if self.kind == "weekday":
            return next(name.capitalize() for name, day in WEEKDAYS.items() if day == self.value)
        units = {"percent": "%", "duration": " days", "age": " years old"}
        unit = units.get(self.kind, f" {self.unit}" if self.unit else "")
        if self.hedge == "vague":
            return f"{_fmt(self.low)}-{_fmt(self.high)}{unit}"
        if self.low == self.high:
            return f"{_fmt(self.value)}{unit}"
        return f"{_fmt(self.value)}{unit} [{_fmt(self.low)}-{_fmt(self.high)}]"


_MONTH_NAMES = ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _fmt(number: float) -> str:
    if abs(number) >= 1e15:  # past a float's exact digits: "111,111,111,111,111,104" would show noise as digits
        return f"{number:.15g}"
    return f"{number:,.0f}" if number == int(number) or abs(number) >= 100 else f"{number:,.2f}".rstrip("0").rstrip(".")


def agree(claim: Quantity, fact: Quantity) -> bool:
    """Whether a claimed quantity is consistent with a stated one: comparable kinds, meeting intervals."""
    if claim.kind == "month" and fact.kind == "date":
        return claim.value == fact.value // 100
    if claim.kind == "score" and fact.kind == "score":  # "won 2-1" and "lost 1-2" state one result
        home, away = divmod(int(claim.value), 1000)
        return claim.value == fact.value or away * 1000 + home == fact.value
    if claim.kind == "time" and fact.kind == "time":
        return _times_agree(claim, fact)
    if not comparable(claim, fact):
        return False
    # Units differ only where both are given, except an ordinal's: it is where the ordinal counts from, and
    # "third" is not "third from bottom".
    if claim.unit != fact.unit and (claim.unit and fact.unit or claim.kind == "ordinal"):
        return False
    if claim.hedge == "vague" and fact.hedge == "vague":
        # "hundreds" and "dozens" overlap as intervals but name different magnitudes: each word's
        # lower bound must lie within the other's range.
        return fact.low <= claim.low <= fact.high and claim.low <= fact.low <= claim.high
    return _within(claim, fact) and not opposite_bounds(claim, fact)


def _within(claim: Quantity, fact: Quantity) -> bool:
    # One figure must fall within the other's interval. Mere overlap would let two hedges add up:
    # "some 300,000" and "roughly 275,000" overlap, but neither figure is within the other's reach.
    return claim.low <= fact.value <= claim.high or fact.low <= claim.value <= fact.high


def opposite_bounds(claim: Quantity, fact: Quantity) -> bool:
    """Whether two figures are bounded from opposite sides so that they meet at most at one point:
    "at least 12" against "up to a dozen", "fewer than 20" against "more than 20"."""
    bounds = _bound(claim), _bound(fact)
    if set(bounds) != {"more than", "up to"} or (claim.kind, claim.unit) != (fact.kind, fact.unit):
        return False
    at_least, at_most = (claim, fact) if bounds[0] == "more than" else (fact, claim)
    return at_least.value >= at_most.value and _within(claim, fact)


def _bound(q: Quantity) -> str | None:
    hedge = HEDGES.get(tuple((q.hedge or "").lower().split()))
    return hedge if hedge in ("more than", "up to") else None


def _times_agree(claim: Quantity, fact: Quantity) -> bool:
    """Times of day on a 24-hour (or, where one side has no am/pm, 12-hour) clock face."""
    period = _HALF_DAY if CLOCK_UNIT in (claim.unit, fact.unit) else _DAY_MINUTES

    def within(figure: float, around: Quantity) -> bool:
        return any(around.low <= figure + shift <= around.high for shift in (-period, 0, period))

    return within(fact.value, claim) or within(claim.value, fact)


def comparable(claim: Quantity, fact: Quantity) -> bool:
    """Whether two quantities measure the same kind of thing (a count and a date never do)."""
    return claim.kind == fact.kind or (claim.kind, fact.kind) in COMPARABLE


def make(value: float, slack: float, kind: str, unit: str, text: str, a: Token, b: Token,
         claimable: bool = True) -> Quantity:  # fmt: skip
    """A quantity of value +- slack written from token a to token b of text."""
    return Quantity(value, value - slack, value + slack, kind, unit, text[a.start : b.end], (a.start, b.end),
                    None, claimable)  # fmt: skip


def word(tokens: list[Token], i: int) -> str:
    """The lower-cased token at i without a possessive ("Saturday's" -> "saturday"), or '' outside the list."""
    return tokens[i].word if 0 <= i < len(tokens) else ""


FROM_BOTTOM = "from bottom"
_BOTTOM_WORDS = ("bottom", "last", "foot", "end")


def from_bottom(tokens: list[Token], i: int) -> int:
    """The index after "from (the) bottom" starting at tokens[i] ("-" allowed between), else 0."""
    words = [(k, word(tokens, k)) for k in range(i, min(len(tokens), i + 6)) if word(tokens, k) != "-"]
    if len(words) >= 2 and words[0][1] == "from":
        rest = words[2:] if words[1][1] == "the" else words[1:]
        if rest and rest[0][1] in _BOTTOM_WORDS:
            return rest[0][0] + 1
    return 0
