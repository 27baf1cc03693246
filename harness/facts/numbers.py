"""Tokens and number words: the vocabulary that `quantities` builds on.

Cardinal number words ("three hundred and forty-two") are evaluated by text2num, which knows the
grammar and rejects non-numbers such as "five twenty". What it does not cover is written here: the
article "a" as one ("a million"), fractions ("half a million", "two-thirds"), vague plurals
("hundreds", "tens of thousands"), ordinals, and the tokenisation that keeps character offsets.
"""

from __future__ import annotations

import re

from text_to_num import text2num

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9, "trillion": 10**12}
# Abbreviated scales written after digits: "$4bn", "£10m", "1.2 million", "50k".
SCALE_SUFFIXES = {
    "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "million": 1_000_000,
    "bn": 10**9, "b": 10**9, "billion": 10**9, "tn": 10**12, "trillion": 10**12,
}  # fmt: skip
ORDINALS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80,
    "ninetieth": 90, "hundredth": 100, "thousandth": 1000,
}  # fmt: skip
# "first" is left out on purpose: "first minister", "for the first time" are rarely a numeric claim.
FRACTIONS = {"half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25,
             "fifth": 0.2, "fifths": 0.2, "tenth": 0.1, "tenths": 0.1}  # fmt: skip
# Vague plurals: an interval, not a number. Ranges are deliberately generous: a checker that calls
# "hundreds" a contradiction of "some 150" is wrong more often than it helps.
VAGUE = {
    "dozens": (24, 199), "scores": (40, 199), "hundreds": (100, 999), "thousands": (1_000, 99_999),
    "millions": (10**6, 10**9 - 1), "billions": (10**9, 10**12 - 1),
}
VAGUE_OF = {  # "tens of thousands", "hundreds of millions"
    ("tens", "thousands"): (10_000, 99_999), ("hundreds", "thousands"): (100_000, 999_999),
    ("tens", "millions"): (10**7, 10**8 - 1), ("hundreds", "millions"): (10**8, 10**9 - 1),
    ("tens", "billions"): (10**10, 10**11 - 1), ("hundreds", "billions"): (10**11, 10**12 - 1),
}
NUMBER_WORDS = {*UNITS, *TENS, *SCALES}

_TOKEN = re.compile(
    r"(?P<name>[A-Za-z]+\d\w*|\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.]))"  # A55, MH370, G20; 1e400: never quantities
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)(?P<suffix>[A-Za-z]+)?"
    r"|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)?)"
    r"|(?P<punct>\S)"
)


# Digits of a figure, bare or grouped by commas ("1,000,000"): a figure of a degenerate output ("10000000000000000000000000
# people") is read and checked like any other, while a longer run is a code (and int() refuses 4,300+ digits). A googol
# times a trillion ("... trillion") is still far within a float's range, so no figure becomes inf (or NaN, its interval).
MAX_DIGITS = 100
MAX_NUMBER_WORDS = 16  # words in one written number
_DIGITS = re.compile(r"\d+")
_POSSESSIVE = ("'s", "’s")


class Token:
    """One token with its offsets; `number` is set for digit tokens ("275,000" -> 275000.0).

    `lower` and `word` (lower-cased, possessive dropped: "Saturday's" -> "saturday") are computed once
    here: the quantity rules read them hundreds of times per sentence.
    """

    __slots__ = ("text", "start", "end", "kind", "number", "suffix", "lower", "word")

    def __init__(self, text: str, start: int, end: int, kind: str, number: float | None = None,
                 suffix: str = "") -> None:  # fmt: skip
        self.text, self.start, self.end, self.kind = text, start, end, kind  # kind: num | word | name | punct
        self.number, self.suffix = number, suffix  # suffix: letters glued to digits ("bn" in "4bn")
        self.lower = low = text.lower()
        self.word = low[:-2] if kind == "word" and low.endswith(_POSSESSIVE) else low

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and (self.text, self.start, self.end, self.kind, self.number, self.suffix) == (
            other.text, other.start, other.end, other.kind, other.number, other.suffix)  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.text, self.start, self.end))

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.start}, {self.end}, {self.kind!r})"


def tokenize(text: str) -> list[Token]:
    """Split text into number, word, name and punctuation tokens, keeping character offsets (linear time)."""
    tokens = []
    append = tokens.append
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "suffix" or kind == "num":
            digits = match.group("num")
            if len(digits) - digits.count(",") > MAX_DIGITS:  # a code, not a figure
                append(Token(match.group(), match.start(), match.end(), "name"))
                continue
            append(Token(match.group(), match.start(), match.end(), "num", float(digits.replace(",", "")),
                         (match.group("suffix") or "").lower()))  # fmt: skip
        else:
            append(Token(match.group(), match.start(), match.end(), kind or "punct"))
    return tokens


def digit_tolerance(digits: str) -> float:
    """Half a unit of the last written digit, capped at 2%: how far a round figure may be from the truth.

    "275,000" may stand for 274,800; "300,000" may not stand for 275,000 (the cap), and "83" is exact.
    """
    plain = digits.replace(",", "")
    if "." in plain:
        return 0.5 * 10 ** -len(plain.split(".")[1])
    zeros = len(plain) - len(plain.rstrip("0"))
    if zeros == 0 or plain.strip("0") == "":
        return 0.0
    return min(0.5 * 10**zeros, 0.02 * float(plain))


def cardinal_words(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """Evaluate a run of cardinal number words at tokens[i] ("twenty-nine", "a hundred and five").

    Returns (value, index after the run) or None. "a"/"an" counts as one only before a scale word.
    """
    words: list[str] = []
    j = i
    if tokens[i].lower in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1].lower in SCALES:
        words.append("one")
        j = i + 1
    last_good: tuple[float, int] | None = None
    # A written number is short ("three hundred and forty-two thousand ..." is a dozen words); the cap keeps
    # a long run of number words ("one one one ...") linear, as text2num re-reads the growing phrase each step.
    while j < len(tokens) and len(words) < MAX_NUMBER_WORDS:
        low = tokens[j].lower
        if low in NUMBER_WORDS:
            words.append(low)
            j += 1
        elif low == "-" and words and j + 1 < len(tokens) and tokens[j + 1].lower in UNITS and words[-1] in TENS:
            j += 1  # twenty-nine
            continue
        elif low == "and" and words and j + 1 < len(tokens) and tokens[j + 1].lower in NUMBER_WORDS:
            if words[-1] not in SCALES:  # "two and three" is two numbers; "hundred and five" is one
                break
            words.append("and")
            j += 1
            continue
        else:
            break
        try:
            last_good = (float(text2num(" ".join(words), "en")), j)
        except ValueError:
            words.pop()
            break
    return last_good


def ordinal_value(token: Token) -> int | None:
    """The value of an ordinal token ("third", "70th", "1st"), or None; plain "first" is not one."""
    if token.kind == "num" and token.suffix in ("st", "nd", "rd", "th") and token.number is not None:
        return int(token.number)
    return ORDINALS.get(token.lower)


def written_numbers(text: str) -> set[float]:
    """The numbers written in text, as written: digits unscaled ("4bn" -> 4), number words, ordinals.

    This is the "in any form" test of not-in-article: "25" in a summary is somewhere in an article that
    says "25 minutes", "twenty-five" or "25th".
    """
    return written_numbers_in(tokenize(text))


def written_numbers_in(tokens: list[Token]) -> set[float]:
    """`written_numbers` of already tokenized text."""
    found: set[float] = set()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "num" and tok.number is not None:
            found.add(tok.number)
        elif tok.kind == "name":
            found.update(float(d) for d in _DIGITS.findall(tok.text) if len(d) <= MAX_DIGITS)
        elif (ordinal := ordinal_value(tok)) is not None:
            found.add(float(ordinal))
        elif tok.lower in NUMBER_WORDS or tok.lower in ("a", "an"):
            cardinal = cardinal_words(tokens, i)
            if cardinal is not None:
                found.add(cardinal[0])
                i = cardinal[1]
                continue
        i += 1
    return found
