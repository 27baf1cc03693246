"""Find the quantities in a text and normalise them: counts, money, percentages, ages, years, dates,
months, weekdays, durations, ordinals, ranks, scores and measures.

Every quantity is an interval [low, high] around its value. Hedges widen it ("roughly" +-5%, "nearly"
down to 90%, "more than" up to 110%), vague plurals are ranges ("hundreds" is 100-999), and round
figures carry a rounding tolerance, so "roughly half a million" and "nearly 500,000" agree while "a
million" does not. Two quantities agree when they are of comparable kinds and one's figure lies within
the other's interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.facts.numbers import (
    FRACTIONS,
    SCALE_SUFFIXES,
    SCALES,
    UNITS,
    VAGUE,
    VAGUE_OF,
    Token,
    cardinal_words,
    digit_tolerance,
    ordinal_value,
    tokenize,
)
from harness.facts.units import (
    CURRENCY_SIGNS,
    CURRENCY_WORDS,
    DAYS_PER,
    HEDGES,
    MEASURES,
    MONTHS,
    NAME_WORDS,
    SPORT_WORDS,
    TIME_PREPOSITIONS,
    WEEKDAYS,
)

_HEDGE_MAX = max(len(k) for k in HEDGES)
COMPARABLE = {("month", "date")}  # a claimed month is checked against the article's full dates


@dataclass(frozen=True)
class Quantity:
    """A quantity found in text: its value, the interval it stands for, its kind and unit, where it is.

    Values are normalised per kind: counts and money in units, percentages in percent, durations in
    days, dates as month*100+day, months 1-12, weekdays 1-7 (Monday 1).
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
        """Short human-readable value: '500,000 [475,000-525,000]', 'Sep 9', '7 days', '100-999'."""
        if self.kind == "date":
            return f"{_MONTH_NAMES[int(self.value) // 100]} {int(self.value) % 100}"
        if self.kind == "month":
            return _MONTH_NAMES[int(self.value)]
        if self.kind == "score":
            return f"{int(self.value) // 1000}-{int(self.value) % 1000}"
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
    return f"{number:,.0f}" if number == int(number) or abs(number) >= 100 else f"{number:,.2f}".rstrip("0").rstrip(".")


def agree(claim: Quantity, fact: Quantity) -> bool:
    """Whether a claimed quantity is consistent with a stated one: comparable kinds, meeting intervals."""
    if claim.kind == "month" and fact.kind == "date":
        return claim.value == fact.value // 100
    if claim.kind == "score" and fact.kind == "score":  # "won 2-1" and "lost 1-2" state one result
        home, away = divmod(int(claim.value), 1000)
        return claim.value == fact.value or away * 1000 + home == fact.value
    if not comparable(claim, fact):
        return False
    if claim.unit and fact.unit and claim.unit != fact.unit:
        return False
    # One figure must fall within the other's interval. Mere overlap would let two hedges add up:
    # "some 300,000" and "roughly 275,000" overlap, but neither figure is within the other's reach.
    return claim.low <= fact.value <= claim.high or fact.low <= claim.value <= fact.high


def comparable(claim: Quantity, fact: Quantity) -> bool:
    """Whether two quantities measure the same kind of thing (a count and a date never do)."""
    return claim.kind == fact.kind or (claim.kind, fact.kind) in COMPARABLE


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in text, left to right, with hedges folded into their intervals."""
    tokens = tokenize(text)
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        hedge, j = _hedge_at(tokens, i)
        parsed = _quantity_at(tokens, j, text) if j < len(tokens) else None
        if parsed is None and hedge:
            parsed = _quantity_at(tokens, i, text)
            hedge, j = None, i
        if parsed is None:
            i += 1
            continue
        quantity, end = parsed
        start = tokens[i].start if hedge else quantity.span[0]
        if hedge:
            phrase = " ".join(t.lower for t in tokens[i:j])
            quantity = _hedged(quantity, hedge, phrase, text[start : quantity.span[1]], start)
        found.append(quantity)
        i = max(end, j + 1)
    return found


def _hedge_at(tokens: list[Token], i: int) -> tuple[str | None, int]:
    for size in range(_HEDGE_MAX, 0, -1):
        key = tuple(t.lower for t in tokens[i : i + size])
        if len(key) == size and key in HEDGES:
            return HEDGES[key], i + size
    return None, i


def _hedged(q: Quantity, hedge: str, phrase: str, text: str, start: int) -> Quantity:
    """Widen q by its hedge class; q.hedge keeps the hedge as written ("an estimated")."""
    if q.kind in ("date", "month", "weekday", "year", "ordinal", "score", "rank") or q.hedge == "vague":
        return Quantity(q.value, q.low, q.high, q.kind, q.unit, text, (start, q.span[1]), phrase, q.claimable)
    n, slack = q.value, max(q.value - q.low, q.high - q.value)
    low, high = {
        "about": (n - max(0.05 * n, slack), n + max(0.05 * n, slack)),
        "nearly": (0.9 * n, n + slack),
        # Open-ended hedges still point near their figure: people read "more than 100" as a bit over
        # 100, and a summary that says it of an article's 150 distorts the figure.
        "more than": (n, 1.1 * n + slack),
        "up to": (0.9 * n - slack, n),
    }[hedge]
    # "less than a week" is a claim even though "a week" alone is too noisy to be one.
    claimable = q.claimable or q.kind == "duration"
    return Quantity(n, low, high, q.kind, q.unit, text, (start, q.span[1]), phrase, claimable)


def _make(value: float, slack: float, kind: str, unit: str, text: str, a: Token, b: Token,
          claimable: bool = True) -> Quantity:  # fmt: skip
    return Quantity(value, value - slack, value + slack, kind, unit, text[a.start : b.end], (a.start, b.end),
                    None, claimable)  # fmt: skip


def _word(tokens: list[Token], i: int) -> str:
    return tokens[i].lower if 0 <= i < len(tokens) else ""


def _quantity_at(tokens: list[Token], i: int, text: str) -> tuple[Quantity, int] | None:
    """Parse one quantity starting at tokens[i]; returns it and the index after it."""
    tok, low, prev = tokens[i], tokens[i].lower, _word(tokens, i - 1)
    month_near = _word(tokens, i + 1) in MONTHS or _word(tokens, i + 1) == "of" and _word(tokens, i + 2) in MONTHS
    if low in MONTHS or month_near:
        dated = _date_at(tokens, i, text)
        if dated or low in MONTHS:
            return dated
    if low in WEEKDAYS:
        return _make(WEEKDAYS[low], 0, "weekday", "", text, tok, tok), i + 1
    if low in ("past", "last", "next", "coming") and _word(tokens, i + 1) in DAYS_PER:
        first = tokens[i - 1] if prev == "the" else tok
        days = DAYS_PER[_word(tokens, i + 1)]  # "the past week" is a claim; "last year" is a time reference
        return _make(days, 0, "duration", "day", text, first, tokens[i + 1], low == "past"), i + 2
    if low in ("a", "an") and _word(tokens, i + 1) in DAYS_PER:  # "less than a week": claimable once hedged
        return _make(DAYS_PER[_word(tokens, i + 1)], 0, "duration", "day", text, tok, tokens[i + 1], False), i + 2
    if prev in NAME_WORDS or prev == "-" and _word(tokens, i - 2) in NAME_WORDS or _glued_to_word(tokens, i):
        return None  # "League Two", "Covid-19", "F-16"
    if prev == "number" and (tok.kind == "num" or low in UNITS):
        return _make(tok.number if tok.kind == "num" else UNITS[low], 0, "rank", "", text, tok, tok), i + 1
    currency = CURRENCY_SIGNS.get(tok.text)
    first = tok
    if currency:
        if i + 1 >= len(tokens):
            return None
        i += 1
        tok, low = tokens[i], tokens[i].lower
    ordinal = ordinal_value(tok)
    if ordinal is not None and not currency and not (tok.kind == "word" and _word(tokens, i + 1) in ("-", "of")):
        return _make(ordinal, 0, "ordinal", "", text, tok, tok), i + 1
    number = _number_at(tokens, i, currency)
    if number is None:
        return None
    value, slack, end, hedge = number
    if hedge == "vague":  # value and slack are the interval's bounds
        low_bound, high_bound = value, slack
        quantity, end = _with_unit(tokens, i, end, low_bound, 0.0, first, currency, text)
        scale = quantity.value / low_bound if low_bound else 1.0  # "hundreds of days" is in days
        quantity = Quantity(quantity.value, quantity.value, high_bound * scale, quantity.kind, quantity.unit,
                            quantity.text, quantity.span, hedge, quantity.claimable)  # fmt: skip
    else:
        quantity, end = _with_unit(tokens, i, end, value, slack, first, currency, text)
    return quantity, end


def _glued_to_word(tokens: list[Token], i: int) -> bool:
    # "Covid-19", "F-16", "Su-24" are names; "mid-2016" and "pre-2000" are years.
    if i < 2 or tokens[i].kind != "num" or tokens[i - 1].text != "-" or tokens[i - 2].kind != "word":
        return False
    glued = tokens[i - 2].end == tokens[i - 1].start and tokens[i - 1].end == tokens[i].start
    return glued and tokens[i - 2].lower not in ("mid", "pre", "post", "late", "early", "under", "over")


def _rounding(digits: str, value: float, scale: float) -> float:
    """Rounding slack of a figure written with `digits` and multiplied by `scale` ("1.2" million)."""
    if scale == 1:
        return digit_tolerance(digits)
    plain = digits.replace(",", "")
    unit = 10 ** -len(plain.split(".")[1]) if "." in plain else 10 ** (len(plain) - len(plain.rstrip("0")))
    return min(0.5 * unit * scale, 0.02 * value)


def _number_at(tokens: list[Token], i: int, currency: str | None) -> tuple[float, float, int, str | None] | None:
    """(value, slack, index after, hedge) for digits, number words, fractions or vague plurals.

    A slack of -1 marks a share ("two-thirds of"), which _with_unit turns into a percentage.
    """
    tok, low = tokens[i], tokens[i].lower
    nxt, nxt2 = _word(tokens, i + 1), _word(tokens, i + 2)
    if tok.kind == "num":
        return _digits_at(tokens, i, currency)
    # A vague plural's value is its lower bound: "hundreds" says at least 100, and 100-999 is its interval.
    if (low, nxt2) in VAGUE_OF and nxt == "of":
        return *VAGUE_OF[(low, nxt2)], i + 3, "vague"
    if low in VAGUE and not (low == "scores" and nxt != "of"):
        return *VAGUE[low], i + 1, "vague"
    if low in ("a", "an") and nxt == "dozen":
        return 12.0, 0.0, i + 2, None
    if low == "half" or low in ("a", "an", "one") and nxt in ("quarter", "third", "half"):
        k = i if low == "half" else i + 1
        rest = k + 1 + (_word(tokens, k + 1) == "of")
        if _word(tokens, rest) in ("a", "an") and _word(tokens, rest + 1) in SCALES:  # half a million
            value = FRACTIONS[tokens[k].lower] * SCALES[_word(tokens, rest + 1)]
            return value, 0.02 * value, rest + 2, None
        if _word(tokens, k + 1) == "of":  # half of, a third of
            return FRACTIONS[tokens[k].lower] * 100, -1.0, k + 1, None
        return None
    if low in SCALES and _word(tokens, i - 1) == "-" and _word(tokens, i - 2) == "multi":
        return None  # "multi-million": no figure
    cardinal = cardinal_words(tokens, i)
    if cardinal is None:
        return None
    value, end = cardinal
    after, after2 = _word(tokens, end), _word(tokens, end + 1)
    if after == "-" and after2 in FRACTIONS and after2 != "half" and value < 10:  # two-thirds
        return value * FRACTIONS[after2] * 100, -1.0, end + 2, None
    if after in FRACTIONS and after.endswith("s") and value < 10:  # three quarters
        return value * FRACTIONS[after] * 100, -1.0, end + 1, None
    half = _and_a_half(tokens, end)
    if half:  # "two and a half million", "three-and-a-half-year"
        value, end = value + 0.5, half
    if _word(tokens, end) in SCALES:
        value, end = value * SCALES[_word(tokens, end)], end + 1
    if _word(tokens, end) == "dozen":
        value, end = value * 12, end + 1
    slack = 0.02 * value if value >= 1000 and value % 10 == 0 else 0.0
    return value, slack, end, None


def _and_a_half(tokens: list[Token], i: int) -> int | None:
    words = []
    j = i
    while j < len(tokens) and len(words) < 3:
        if tokens[j].text != "-":
            words.append(tokens[j].lower)
        j += 1
    if words == ["and", "a", "half"]:
        return j + (_word(tokens, j) == "-")
    return None


def _digits_at(tokens: list[Token], i: int, currency: str | None) -> tuple[float, float, int, str | None] | None:
    tok, nxt = tokens[i], _word(tokens, i + 1)
    suffix = tok.suffix
    if suffix and suffix not in SCALE_SUFFIXES and suffix not in MEASURES:
        return None  # "4G", "1980s", "10am": not a figure we can check
    digits = tok.text[: len(tok.text) - len(suffix)]
    value, end, scale = tok.number or 0.0, i + 1, 1
    if suffix in ("m", "b") and not currency:
        # "100m hurdles" is metres, "3m people" is millions (British usage).
        if not (nxt.endswith("s") and nxt not in SPORT_WORDS and value < 20_000):
            return value, digit_tolerance(digits), end, None  # left to _with_unit as metres
    if suffix in SCALE_SUFFIXES:
        scale = SCALE_SUFFIXES[suffix]
    elif not suffix and (nxt in SCALES or nxt in SCALE_SUFFIXES and (len(nxt) > 1 or currency)):
        scale, end = SCALES.get(nxt) or SCALE_SUFFIXES[nxt], i + 2
    value *= scale
    return value, _rounding(digits, value, scale), end, None


def _with_unit(tokens, i, end, value, slack, first, currency, text) -> tuple[Quantity, int]:
    """Classify a parsed number by what surrounds it: percent, money, age, duration, measure, score, count."""
    tok, last = tokens[i], tokens[end - 1]
    nxt, nxt2 = _word(tokens, end), _word(tokens, end + 1)
    if slack == -1.0:
        return _make(value, 2.0, "percent", "", text, first, last), end
    if currency or nxt in CURRENCY_WORDS:
        stop = end if currency else end + 1
        return _make(value, slack, "money", currency or CURRENCY_WORDS[nxt], text, first, tokens[stop - 1]), stop
    if tok.kind == "num" and tok.suffix in MEASURES and tok.suffix not in ("k", "bn") and tok.number == value:
        return _make(value, slack, "measure", MEASURES[tok.suffix], text, first, last), end
    if nxt in ("%", "percent") or (nxt, nxt2) == ("per", "cent"):
        stop = end + (2 if nxt == "per" else 1)
        slack = max(slack, 0.5 if value == int(value) else 0.05)
        return _make(value, slack, "percent", "", text, first, tokens[stop - 1]), stop
    hyphen = 1 if nxt in ("-", "–") else 0
    unit, after = _word(tokens, end + hyphen), end + hyphen + 1
    if unit in ("year", "years") and _word(tokens, after + (_word(tokens, after) == "-")) == "old":
        stop = after + (_word(tokens, after) == "-") + 1
        return _make(value, 0, "age", "", text, first, tokens[stop - 1]), stop
    if _word(tokens, i - 1) == "aged" or (_word(tokens, i - 2), _word(tokens, i - 1)) == ("age", "of"):
        return _make(value, 0, "age", "", text, first, last), end
    period = {"centuries": "century"}.get(unit, unit[:-1] if unit.endswith("s") and unit[:-1] in DAYS_PER else unit)
    if period in DAYS_PER and (_word(tokens, i) not in VAGUE or nxt == "of"):
        # 1% slack: "12 months" is "a year", though 12 * 30.44 days is not 365.25.
        days = value * DAYS_PER[period]
        return _make(days, max(slack * DAYS_PER[period], 0.01 * days), "duration", "day", text, first,
                     tokens[after - 1]), after  # fmt: skip
    if unit in MEASURES and (hyphen or len(unit) > 2 or tok.kind == "num"):
        return _make(value, slack, "measure", MEASURES[unit], text, first, tokens[after - 1]), after
    if tok.kind == "num" and tok.suffix == "m":
        return _make(value, slack, "measure", "m", text, first, last), end
    score = _score(tokens, i, end, value)
    if score is not None:
        return _make(score, 0, "score", "", text, first, tokens[end + 1]), end + 2
    if _is_year(tokens, i, end, value):
        return _make(value, 0, "year", "", text, first, last), end
    if _is_appositive_age(tokens, i, end, value):
        return _make(value, 0, "age", "", text, first, last), end
    claimable = not (tok.lower == "one" and end == i + 1)
    return _make(value, slack, "count", "", text, first, last, claimable), end


def _score(tokens: list[Token], i: int, end: int, value: float) -> float | None:
    # "2-0", "4-1": a result, stored as home*1000+away.
    if tokens[i].kind != "num" or end != i + 1 or _word(tokens, end) not in ("-", "–") or end + 1 >= len(tokens):
        return None
    other = tokens[end + 1]
    if other.kind != "num" or other.suffix or other.number is None or other.number >= 200 or value >= 200:
        return None
    if "," in tokens[i].text or "." in tokens[i].text or "," in other.text or "." in other.text:
        return None
    return value * 1000 + other.number


_NOT_A_COUNT_AFTER = {"and", "or", "the", "a", "an", "when", "after", "before", "that", "which", "with", "to", "in",
                      "on", "at", "for", "as", "was", "is", "were", "are", "has", "had", "have", "he", "she", "they",
                      "it", "we", "there", "but", "by", "from", "season", "election", "olympics", "games", "world",
                      "general", "campaign", "budget", "census", "cup", "final"}  # fmt: skip


def _is_year(tokens: list[Token], i: int, end: int, value: float) -> bool:
    tok = tokens[i]
    if tok.kind != "num" or tok.suffix or not 1800 <= value <= 2100 or "," in tok.text or "." in tok.text:
        return False
    if _word(tokens, i - 1) in TIME_PREPOSITIONS or _word(tokens, i - 1) in MONTHS:
        return True
    nxt = tokens[end] if end < len(tokens) else None
    # "2000 people" is a count; "2011 and", "2011." and "2016 season" are years.
    return nxt is None or nxt.kind != "word" or nxt.lower in _NOT_A_COUNT_AFTER or not nxt.text.islower()


def _is_appositive_age(tokens: list[Token], i: int, end: int, value: float) -> bool:
    # "Julia Louis-Dreyfus, 54, stars as...": a bare number between commas right after a name.
    return (tokens[i].kind == "num" and 10 <= value <= 110 and _word(tokens, i - 1) == "," and _word(tokens, end) == ","
            and i >= 2 and tokens[i - 2].kind == "word" and tokens[i - 2].text[:1].isupper())  # fmt: skip


def _date_at(tokens: list[Token], i: int, text: str) -> tuple[Quantity, int] | None:
    """'Sept. 9', 'September 9th', '9 September', '9th of September', or a month alone ('in October')."""
    tok = tokens[i]
    if tok.lower in MONTHS:
        month = MONTHS[tok.lower]
        j = i + 1 + (_word(tokens, i + 1) == ".")
        day = tokens[j] if j < len(tokens) else None
        if (day is not None and day.kind == "num" and day.number and 1 <= day.number <= 31
                and day.number == int(day.number) and day.suffix in ("", "st", "nd", "rd", "th")
                and "," not in day.text):  # fmt: skip
            return _make(month * 100 + day.number, 0, "date", "", text, tok, day), j + 1
        if not _plausible_month(tokens, i):
            return None
        return _make(month, 0, "month", "", text, tok, tok), i + 1
    day = ordinal_value(tok) if tok.kind == "word" else tok.number
    k = i + 1 + (_word(tokens, i + 1) == "of")
    if day and day == int(day) and 1 <= day <= 31 and _word(tokens, k) in MONTHS and _plausible_day_month(tokens, k):
        return _make(MONTHS[tokens[k].lower] * 100 + day, 0, "date", "", text, tok, tokens[k]), k + 1
    return None


def _plausible_day_month(tokens: list[Token], k: int) -> bool:
    return tokens[k].lower != "may" or tokens[k].text[0].isupper()


def _plausible_month(tokens: list[Token], i: int) -> bool:
    # "Theresa May", "may be", "march on", "Jan" (a name): months only in a time context.
    low, cased = tokens[i].lower, tokens[i].text[0].isupper()
    if len(low) <= 4 and low not in ("june", "july") and _word(tokens, i + 1) != ".":
        return low == "may" and cased and _word(tokens, i - 1) in TIME_PREPOSITIONS
    if low in ("march", "august"):
        return cased and (_word(tokens, i - 1) in TIME_PREPOSITIONS or _word(tokens, i + 1).isdigit())
    return True
