"""Find the quantities in a text and normalise them: counts, money, percentages, ages, years, dates,
months, weekdays, times of day, durations, ordinals, ranks, scores and measures.

Every quantity is an interval [low, high] around its value. Hedges widen it ("roughly" +-5%, "nearly"
down to 90%, "more than" up to 110%, or 120% of a round figure), vague plurals are ranges ("hundreds"
is 100-999), and round figures carry a rounding tolerance, so "roughly half a million" and "nearly
500,000" agree while "a million" does not. Two quantities agree when they are of comparable kinds and one's figure lies within
the other's interval (`harness.facts.values`); dates and times of day are read in `harness.facts.dates`.
"""

from __future__ import annotations

from harness.facts.dates import date_at, hedged_time, time_at
from harness.facts.numbers import (
    FRACTIONS,
    NUMBER_WORDS,
    ORDINALS,
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
from harness.facts.scores import score_at
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
from harness.facts.values import COMPARABLE, FROM_BOTTOM, Quantity, agree, comparable, from_bottom, make, word

__all__ = ["COMPARABLE", "Quantity", "agree", "comparable", "find_quantities", "find_quantities_in"]

_HEDGE_MAX = max(len(k) for k in HEDGES)
FIGURE_REACH, ROUND_REACH = 0.1, 0.2  # how far "more than" reaches past a figure, and past a round one
OPEN_BOUND = 2.0  # how far past a worded share an open-ended hedge ("more than half") reaches
_HEDGE_FIRST = {key[0] for key in HEDGES}
# The words a quantity can start with; any other word or punctuation mark starts none, which lets the
# scan skip most tokens of a sentence at the cost of one set look-up (see _quantity_at for each entry).
START_WORDS = frozenset({*MONTHS, *WEEKDAYS, *NUMBER_WORDS, *ORDINALS, *VAGUE, *CURRENCY_SIGNS, "tens", "past",
                          "last", "next", "coming", "year", "both", "a", "an", "half", "one"})  # fmt: skip


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in text, left to right, with hedges folded into their intervals."""
    return find_quantities_in(tokenize(text), text)


def find_quantities_in(tokens: list[Token], text: str) -> list[Quantity]:
    """All quantities of already tokenized text (`tokens` from `tokenize(text)`), left to right."""
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


def _reach(n: float) -> float:
    """How far past a figure "more than" reaches: 20% from a round figure of 10 or more (one significant
    digit: 100, 500,000), 10% from any other."""
    return ROUND_REACH if n >= 10 and float(f"{n:.1g}") == n else FIGURE_REACH


def _hedge_at(tokens: list[Token], i: int) -> tuple[str | None, int]:
    if tokens[i].lower not in _HEDGE_FIRST:
        return None, i
    for size in range(_HEDGE_MAX, 0, -1):
        key = tuple(t.lower for t in tokens[i : i + size])
        if len(key) == size and key in HEDGES:
            return HEDGES[key], i + size
    return None, i


def _hedged(q: Quantity, hedge: str, phrase: str, text: str, start: int) -> Quantity:
    """Widen q by its hedge class; q.hedge keeps the hedge as written ("an estimated")."""
    if q.kind == "time":
        return hedged_time(q, hedge, phrase, text, start)
    if q.kind in ("date", "month", "weekday", "year", "ordinal", "score", "rank") or q.hedge == "vague":
        return Quantity(q.value, q.low, q.high, q.kind, q.unit, text, (start, q.span[1]), phrase, q.claimable)
    n, slack = q.value, max(q.value - q.low, q.high - q.value)
    worded_share = q.kind == "percent" and not any(c.isdigit() for c in q.text)  # "half of", "two-thirds of"
    low, high = {
        "about": (n - max(0.05 * n, slack), n + max(0.05 * n, slack)),
        "nearly": (0.9 * n, n + slack),
        # Open-ended hedges on a figure still point near it: people (and the human labels of the
        # evaldata summaries) read "at least 14" of an article's 16 and "more than 100" of its 150 as
        # wrong figures, but a round floor is the next round figure below ("more than £500,000" of
        # £572,206, "more than 100" of 116). A share said in words is a category, not a figure: "more
        # than half" is true of 69% and of 90% (up to OPEN_BOUND times it, never past 100%), "less than a
        # third" of 5%.
        "more than": (n, (OPEN_BOUND * n if worded_share else (1 + _reach(n)) * n) + slack),
        "up to": (0.0 if worded_share else (1 - FIGURE_REACH) * n - slack, n),  # a ceiling names the top: "up to 90mph" of 75 is wrong
    }[hedge]
    if worded_share:
        high = min(high, 100.0)
    # "less than a week" is a claim even though "a week" alone is too noisy to be one.
    claimable = q.claimable or q.kind == "duration"
    return Quantity(n, low, high, q.kind, q.unit, text, (start, q.span[1]), phrase, claimable)


def _quantity_at(tokens: list[Token], i: int, text: str) -> tuple[Quantity, int] | None:
    """Parse one quantity starting at tokens[i]; returns it and the index after it."""
    tok = tokens[i]
    if tok.kind != "num" and tok.word not in START_WORDS and tok.lower not in START_WORDS:
        return None
    low, prev = word(tokens, i), word(tokens, i - 1)
    month_near = word(tokens, i + 1) in MONTHS or word(tokens, i + 1) == "of" and word(tokens, i + 2) in MONTHS
    if low in MONTHS or month_near:
        dated = date_at(tokens, i, text)
        if dated or low in MONTHS:
            return dated
    if low in WEEKDAYS:  # "on Saturday", "Saturday's game"
        return make(WEEKDAYS[low], 0, "weekday", "", text, tok, tok), i + 1
    timed = time_at(tokens, i, text) if tok.kind == "num" else None
    if timed:  # before scales and measures: "8pm", "8 p.m.", "20:00"
        return timed
    if low in ("past", "last", "next", "coming") and word(tokens, i + 1) in DAYS_PER:
        first = tokens[i - 1] if prev == "the" else tok
        days = DAYS_PER[word(tokens, i + 1)]  # "the past week" is a claim; "last year" is a time reference
        return make(days, 0, "duration", "day", text, first, tokens[i + 1], low == "past"), i + 2
    if low == "year" and prev == "the" and word(tokens, i + 1) in ("to", "ending", "ended"):  # "the year to June"
        return make(DAYS_PER["year"], 0, "duration", "day", text, tokens[i - 1], tok, False), i + 1
    if low == "both" and _both_counts(word(tokens, i + 1)):  # "both men": two, said without a number
        return make(2, 0, "count", "", text, tok, tok, False), i + 1
    if low in ("a", "an") and word(tokens, i + 1) in DAYS_PER:  # "less than a week": claimable once hedged
        return make(DAYS_PER[word(tokens, i + 1)], 0, "duration", "day", text, tok, tokens[i + 1], False), i + 2
    if prev in NAME_WORDS or prev == "-" and word(tokens, i - 2) in NAME_WORDS or _glued_to_word(tokens, i):
        return None  # "League Two", "Covid-19", "F-16"
    if prev == "number" and (tok.kind == "num" or low in UNITS):
        return make(tok.number if tok.kind == "num" else UNITS[low], 0, "rank", "", text, tok, tok), i + 1
    if name_number(tokens, i):
        return None  # "the Six Nations", "Three Lions": a number word inside a capitalised name
    currency = CURRENCY_SIGNS.get(tok.text)
    first = tok
    if currency:
        if i + 1 >= len(tokens):
            return None
        i += 1
        tok, low = tokens[i], tokens[i].lower
    ordinal = ordinal_value(tok)
    end = from_bottom(tokens, i + 1) if ordinal is not None and not currency else 0
    if end:  # "third from bottom", "third-from-bottom": a place counted from the other end of the table
        return make(ordinal, 0, "ordinal", FROM_BOTTOM, text, tok, tokens[end - 1]), end
    if ordinal is not None and not currency and not (tok.kind == "word" and word(tokens, i + 1) in ("-", "of")):
        return make(ordinal, 0, "ordinal", "", text, tok, tok), i + 1
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


def name_number(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is a capitalised number word inside a name: not first in its sentence (where any
    word is capitalised) and followed by a capitalised word that is no month, weekday or number word."""
    tok = tokens[i]
    if tok.kind != "word" or tok.lower not in NUMBER_WORDS or not tok.text[:1].isupper() or i == 0:
        return False
    if tokens[i - 1].text in _SENTENCE_OPENERS:
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return (nxt is not None and nxt.kind == "word" and nxt.text[:1].isupper() and nxt.word not in MONTHS
            and nxt.word not in WEEKDAYS and nxt.lower not in NUMBER_WORDS and nxt.lower not in CURRENCY_WORDS)  # fmt: skip


_SENTENCE_OPENERS = {".", "!", "?", '"', "“", "‘", "'", ":", "(", "-", "–", "—"}


def _both_counts(nxt: str) -> bool:
    # "both men", "both clubs" count; "both of", "both sides", "Root and Stokes both scored" do not.
    return nxt.isalpha() and nxt not in _NOT_NOUNS and not nxt.endswith(("ed", "ing", "ly"))


_NOT_NOUNS = {"of", "and", "or", "sides", "are", "were", "is", "was", "have", "had", "has", "will", "would", "can",
              "could", "say", "said", "agree", "agreed", "the", "in", "at", "to", "for", "on", "from", "with", "as"}


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
    nxt, nxt2 = word(tokens, i + 1), word(tokens, i + 2)
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
        rest = k + 1 + (word(tokens, k + 1) == "of")
        if word(tokens, rest) in ("a", "an") and word(tokens, rest + 1) in SCALES:  # half a million
            value = FRACTIONS[tokens[k].lower] * SCALES[word(tokens, rest + 1)]
            return value, 0.02 * value, rest + 2, None
        if word(tokens, k + 1) == "of":  # half of, a third of
            return FRACTIONS[tokens[k].lower] * 100, -1.0, k + 1, None
        return None
    if low in SCALES and word(tokens, i - 1) == "-" and word(tokens, i - 2) == "multi":
        return None  # "multi-million": no figure
    cardinal = cardinal_words(tokens, i)
    if cardinal is None:
        return None
    value, end = cardinal
    after, after2 = word(tokens, end), word(tokens, end + 1)
    if after == "-" and after2 in FRACTIONS and after2 != "half" and value < 10:  # two-thirds
        return value * FRACTIONS[after2] * 100, -1.0, end + 2, None
    if after in FRACTIONS and after.endswith("s") and value < 10:  # three quarters
        return value * FRACTIONS[after] * 100, -1.0, end + 1, None
    half = _and_a_half(tokens, end)
    if half:  # "two and a half million", "three-and-a-half-year"
        value, end = value + 0.5, half
    if word(tokens, end) in SCALES:
        value, end = value * SCALES[word(tokens, end)], end + 1
    if word(tokens, end) == "dozen":
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
        return j + (word(tokens, j) == "-")
    return None


def _digits_at(tokens: list[Token], i: int, currency: str | None) -> tuple[float, float, int, str | None] | None:
    tok, nxt = tokens[i], word(tokens, i + 1)
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
    nxt, nxt2 = word(tokens, end), word(tokens, end + 1)
    if slack == -1.0:
        return make(value, 2.0, "percent", "", text, first, last), end
    if currency or nxt in CURRENCY_WORDS:
        stop = end if currency else end + 1
        return make(value, slack, "money", currency or CURRENCY_WORDS[nxt], text, first, tokens[stop - 1]), stop
    if tok.kind == "num" and tok.suffix in MEASURES and tok.suffix not in ("k", "bn") and tok.number == value:
        return make(value, slack, "measure", MEASURES[tok.suffix], text, first, last), end
    if nxt in ("%", "percent") or (nxt, nxt2) == ("per", "cent"):
        stop = end + (2 if nxt == "per" else 1)
        slack = max(slack, 0.5 if value == int(value) else 0.05)
        return make(value, slack, "percent", "", text, first, tokens[stop - 1]), stop
    hyphen = 1 if nxt in ("-", "–") else 0
    unit, after = word(tokens, end + hyphen), end + hyphen + 1
    if unit in ("year", "years") and word(tokens, after + (word(tokens, after) == "-")) == "old":
        stop = after + (word(tokens, after) == "-") + 1
        return make(value, 0, "age", "", text, first, tokens[stop - 1]), stop
    if word(tokens, i - 1) == "aged" or (word(tokens, i - 2), word(tokens, i - 1)) == ("age", "of"):
        return make(value, 0, "age", "", text, first, last), end
    period = {"centuries": "century"}.get(unit, unit[:-1] if unit.endswith("s") and unit[:-1] in DAYS_PER else unit)
    if period in DAYS_PER and (word(tokens, i) not in VAGUE or nxt == "of"):
        # 1% slack: "12 months" is "a year", though 12 * 30.44 days is not 365.25.
        days = value * DAYS_PER[period]
        return make(days, max(slack * DAYS_PER[period], 0.01 * days), "duration", "day", text, first,
                     tokens[after - 1]), after  # fmt: skip
    if unit in MEASURES and (hyphen or len(unit) > 2 or tok.kind == "num"):
        return make(value, slack, "measure", MEASURES[unit], text, first, tokens[after - 1]), after
    if tok.kind == "num" and tok.suffix == "m":
        return make(value, slack, "measure", "m", text, first, last), end
    score = score_at(tokens, i, end, value)
    if score is not None:
        result, last = score
        return make(result, 0, "score", "", text, first, tokens[last]), last + 1
    if _is_year(tokens, i, end, value):
        return make(value, 0, "year", "", text, first, last), end
    if _is_appositive_age(tokens, i, end, value):
        return make(value, 0, "age", "", text, first, last), end
    claimable = not (tok.lower == "one" and end == i + 1)
    return make(value, slack, "count", "", text, first, last, claimable), end


_NOT_A_COUNT_AFTER = {"and", "or", "the", "a", "an", "when", "after", "before", "that", "which", "with", "to", "in",
                      "on", "at", "for", "as", "was", "is", "were", "are", "has", "had", "have", "he", "she", "they",
                      "it", "we", "there", "but", "by", "from", "season", "election", "olympics", "games", "world",
                      "general", "campaign", "budget", "census", "cup", "final"}  # fmt: skip


def _is_year(tokens: list[Token], i: int, end: int, value: float) -> bool:
    tok = tokens[i]
    if tok.kind != "num" or tok.suffix or not 1800 <= value <= 2100 or "," in tok.text or "." in tok.text:
        return False
    if word(tokens, i - 1) in TIME_PREPOSITIONS or word(tokens, i - 1) in MONTHS:
        return True
    nxt = tokens[end] if end < len(tokens) else None
    # "2000 people" is a count; "2011 and", "2011." and "2016 season" are years.
    return nxt is None or nxt.kind != "word" or nxt.lower in _NOT_A_COUNT_AFTER or not nxt.text.islower()


def _is_appositive_age(tokens: list[Token], i: int, end: int, value: float) -> bool:
    # "Julia Louis-Dreyfus, 54, stars as...": a bare number between commas right after a name.
    return (tokens[i].kind == "num" and 10 <= value <= 110 and word(tokens, i - 1) == "," and word(tokens, end) == ","
            and i >= 2 and tokens[i - 2].kind == "word" and tokens[i - 2].text[:1].isupper())  # fmt: skip
