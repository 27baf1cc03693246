"""Calendar dates and times of day: 'Sept. 9', '9th of September', 'in October', '8pm', '8 p.m.', '20:00'.

Dates are month*100+day, a month alone 1-12. A time of day is minutes after midnight; written with am/pm
or as a 24-hour clock ("09:00 GMT", "20:00") it is one time, written without ("at 8:30", "8 o'clock")
it may be either half of the day and carries the unit CLOCK_UNIT. Hedged times are windows: "around
3pm" is 2.30-3.30pm, "just before 8pm" 7.30-8pm, "after 10pm" any time in the six hours after.
"""

from __future__ import annotations

from harness.facts.numbers import Token, ordinal_value
from harness.facts.units import MONTHS, TIME_PREPOSITIONS
from harness.facts.values import CLOCK_UNIT, Quantity, make, word

TIME_WINDOW = 30  # minutes either side of a time hedged by "around", "just before", "shortly after"
OPEN_WINDOW = 360  # minutes after "after 10pm" or before "before 10pm"
# Hedges that only ever bound a time of day ("just after 100 people" is not English); the general ones
# ("around", "nearly", "more than") apply to times as to any figure.
TIME_HEDGES: dict[tuple[str, ...], str] = {
    ("just", "before"): "nearly", ("shortly", "before"): "nearly", ("just", "after"): "more than",
    ("shortly", "after"): "more than", ("soon", "after"): "more than", ("before",): "before", ("by",): "before",
    ("until",): "before", ("till",): "before", ("after",): "after",
}  # fmt: skip
_ZONES = {"gmt", "bst", "utc", "cet", "cest", "est", "edt", "pst", "pdt", "cst", "cdt", "local"}
_NAMED = {"noon": 720, "midday": 720, "midnight": 0}


def date_at(tokens: list[Token], i: int, text: str) -> tuple[Quantity, int] | None:
    """'Sept. 9', 'September 9th', '9 September', '9th of September', or a month alone ('in October')."""
    tok, low = tokens[i], word(tokens, i)
    if low in MONTHS:
        month = MONTHS[low]
        j = i + 1 + (word(tokens, i + 1) == ".")
        day = tokens[j] if j < len(tokens) else None
        if (day is not None and day.kind == "num" and day.number and 1 <= day.number <= 31
                and day.number == int(day.number) and day.suffix in ("", "st", "nd", "rd", "th")
                and "," not in day.text):  # fmt: skip
            return make(month * 100 + day.number, 0, "date", "", text, tok, day), j + 1
        if not _plausible_month(tokens, i):
            return None
        return make(month, 0, "month", "", text, tok, tok), i + 1
    day = ordinal_value(tok) if tok.kind == "word" else tok.number
    k = i + 1 + (word(tokens, i + 1) == "of")
    if day and day == int(day) and 1 <= day <= 31 and word(tokens, k) in MONTHS and _plausible_day_month(tokens, k):
        return make(MONTHS[word(tokens, k)] * 100 + day, 0, "date", "", text, tok, tokens[k]), k + 1
    return None


def _plausible_day_month(tokens: list[Token], k: int) -> bool:
    return word(tokens, k) != "may" or tokens[k].text[0].isupper()


def _plausible_month(tokens: list[Token], i: int) -> bool:
    # "Theresa May", "may be", "march on", "Jan" (a name): months only in a time context.
    low, cased = word(tokens, i), tokens[i].text[0].isupper()
    if len(low) <= 4 and low not in ("june", "july") and word(tokens, i + 1) != ".":
        return low == "may" and cased and word(tokens, i - 1) in TIME_PREPOSITIONS
    if low in ("march", "august"):
        return cased and (word(tokens, i - 1) in TIME_PREPOSITIONS or word(tokens, i + 1).isdigit())
    return True


def time_at(tokens: list[Token], i: int, text: str) -> tuple[Quantity, int] | None:
    """A time of day at tokens[i]: '8pm', '8 pm', '8 p.m.', '8.30pm', '8:30 am', '20:00', '09:00 GMT',
    '8 o'clock', '12 noon'; with a time-only hedge before it ('just before 8pm') folded in."""
    clock = _clock_at(tokens, i)
    if clock is None:
        return None
    minutes, unit, last = clock
    quantity = make(minutes, 0, "time", unit, text, tokens[i], tokens[last])
    for size in (2, 1):
        key = tuple(word(tokens, k) for k in range(i - size, i))
        if i - size >= 0 and key in TIME_HEDGES:
            start = tokens[i - size].start
            phrase = " ".join(key)
            quantity = hedged_time(quantity, TIME_HEDGES[key], phrase, text[start : quantity.span[1]], start)
            break
    return quantity, last + 1


def hedged_time(q: Quantity, hedge: str, phrase: str, text: str, start: int) -> Quantity:
    """A time widened into the window its hedge class allows."""
    below, above = {"about": (TIME_WINDOW, TIME_WINDOW), "nearly": (TIME_WINDOW, 0), "up to": (TIME_WINDOW, 0),
                    "more than": (0, TIME_WINDOW), "before": (OPEN_WINDOW, 0),
                    "after": (0, OPEN_WINDOW)}[hedge]  # fmt: skip
    return Quantity(q.value, q.value - below, q.value + above, q.kind, q.unit, text, (start, q.span[1]), phrase,
                    q.claimable)  # fmt: skip


def _clock_at(tokens: list[Token], i: int) -> tuple[int, str, int] | None:
    """(minutes after midnight, unit, index of the last token) of a time written at tokens[i], or None."""
    tok = tokens[i]
    if tok.kind != "num" or tok.number is None or "," in tok.text or word(tokens, i - 1) == ":" and _glued(
            tokens, i - 2, i):  # fmt: skip
        return None  # "03:59" of the race time "2:03:59"
    digits = tok.text[: len(tok.text) - len(tok.suffix)]
    hour, _, fraction = digits.partition(".")
    if fraction and len(fraction) != 2:  # "8.30pm"; "8.5" is no time
        return None
    hours, minutes, last, suffix, colon = int(hour), int(fraction or 0), i, tok.suffix, False
    if not suffix and not fraction and _glued(tokens, i, i + 2) and word(tokens, i + 1) == ":":
        other = tokens[i + 2]
        written = other.text[: len(other.text) - len(other.suffix)]
        if other.kind != "num" or len(written) != 2 or not written.isdigit() or word(tokens, i + 3) == ":":
            return None  # "2:03:59" is a race time
        minutes, last, suffix, colon = int(written), i + 2, other.suffix, True
    meridiem, last = _meridiem(tokens, last, suffix)
    if minutes >= 60 or meridiem == "":
        return None
    if meridiem in ("am", "pm"):
        if not 1 <= hours <= 12:
            return None
        return (hours % 12) * 60 + minutes + (720 if meridiem == "pm" else 0), "", last
    if meridiem in _NAMED:
        return (_NAMED[meridiem], "", last) if hours == 12 and minutes == 0 else None
    if meridiem == "o'clock":
        return ((hours % 12) * 60, CLOCK_UNIT, last) if 1 <= hours <= 12 and not colon else None
    if not colon or hours > 24:
        return None
    zone = word(tokens, last + 1) in _ZONES
    if zone:
        last += 1
    twenty_four = zone or hours == 0 or hours > 12 or hour.startswith("0")
    return (hours % 24) * 60 + minutes, "" if twenty_four else CLOCK_UNIT, last


def _meridiem(tokens: list[Token], last: int, suffix: str) -> tuple[str | None, int]:
    """('am' | 'pm' | "o'clock" | 'noon' | ..., last token) after a clock figure; ('', last) for a foreign
    suffix ("4G"), (None, last) for none."""
    if suffix:
        return (suffix, last) if suffix in ("am", "pm") else ("", last)
    nxt = word(tokens, last + 1)
    if nxt in ("am", "pm", "o'clock", "o’clock", *_NAMED):
        return ("o'clock" if nxt.startswith("o") else nxt), last + 1
    # "8 p.m." and "8 a.m": letters and dots, the final dot kept only when glued to the "m"
    if nxt in ("a", "p") and word(tokens, last + 2) == "." and word(tokens, last + 3) == "m" and _glued(
            tokens, last + 1, last + 3):  # fmt: skip
        end = last + 3 + (word(tokens, last + 4) == "." and _glued(tokens, last + 3, last + 4))
        return nxt + "m", end
    return None, last


def _glued(tokens: list[Token], a: int, b: int) -> bool:
    """Whether tokens a..b exist and are written without spaces between them."""
    return b < len(tokens) and all(tokens[k].end == tokens[k + 1].start for k in range(a, b))
