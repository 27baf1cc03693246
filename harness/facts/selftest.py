"""Self-test of the checker: distort reference summaries and see the checker catch it; rewrite them
faithfully and see it stay quiet.

Perturbations (each changes one figure of a reference summary the checker passes as faithful):
scale a number (x10, /10, next leading digit), swap the figures of two claims, move a figure to the
noun of another fact, shift a date, month, weekday, year, time of day or duration. Faithful rewrites:
digits to words and back, rounding within the hedge, another hedge of the same strength, another date
or time format (8pm, 8 p.m., 20:00), reversed sentence order. Detection rate = perturbations flagged /
all; false-alarm rate = rewrites flagged / all.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.documents import Document
from harness.facts.check import SUPPORTED, check_summary
from harness.facts.dates import TIME_WINDOW
from harness.facts.entity_selftest import entity_perturbations, entity_rewrites
from harness.facts.extract import Mention, extract_mentions
from harness.facts.keys import table_for_document
from harness.facts.lexicon import noun_relation
from harness.facts.numbers import TENS, UNITS
from harness.facts.table import FactTable
from harness.facts.units import WEEKDAYS
from harness.facts.values import CLOCK_UNIT
from harness.text import sentence_spans

_WORDS = {value: word for word, value in {**UNITS, **TENS}.items()}
_MONTH_SHORT = ["", "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_MONTH_LONG = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]  # fmt: skip
_COLON = re.compile(r"\d\s*:\s*\d")  # "20:00", "8:30"
# Every pattern is compiled here, once: Python's own cache of 512 patterns is churned by the sentence
# splitter, so a pattern written inline would be compiled again on most calls.
_CURRENCY_PREFIX = re.compile(r"[$£€]?")
_NOUN_AFTER = re.compile(r"((?:\s+of them)?\s+)([A-Za-z]+)")
_NOUN_AFTER_WORD = re.compile(r"\s+(?:of them\s+)?([A-Za-z]+)")
_FIRST_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_LONGER_UNIT = [(re.compile(rf"\b{unit}\b"), other)
                for unit, other in (("week", "month"), ("day", "week"), ("month", "year"), ("year", "decade"))]
_DIGITS_AND_COMMAS = re.compile(r"[\d,]+")
_MERIDIEM = re.compile(r"[ap]m\b", re.IGNORECASE)
_MERIDIEM_SPACED = re.compile(r"\s*([ap])m\b", re.IGNORECASE)
_WORD_THEN_WORD = re.compile(r"([A-Za-z]+)(\s+\w+)")


@functools.lru_cache(maxsize=256)
def _hedge_pattern(hedge: str) -> re.Pattern[str]:
    """The hedge as written ("more than") with any spacing, then space: compiled once per hedge."""
    return re.compile(r"\s*".join(map(re.escape, hedge.split())) + r"\s+", re.IGNORECASE)
_APPROX = ("about", "around", "roughly", "some", "approximately", "an estimated")
_SAME_STRENGTH = {**{h: [o for o in _APPROX if o != h] for h in _APPROX}, "estimated": list(_APPROX[:4]),
                  "nearly": ["almost", "close to"], "almost": ["nearly"], "more than": ["over"], "over": ["more than"],
                  "at least": ["more than"]}  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """One generated summary: what was changed, and the text."""

    doc_id: str
    reference: str
    kind: str  # e.g. "scale x10", "swap", "move noun", "digits to words"
    original: str
    changed: str  # the changed figure, "old -> new"
    text: str


@dataclass
class SelftestReport:
    """Detection and false-alarm rates with the variants the checker got wrong."""

    perturbations: int = 0
    detected: int = 0
    rewrites: int = 0
    false_alarms: int = 0
    skipped_references: list[str] = field(default_factory=list)  # flagged as they are: not a clean baseline
    misses: list[Variant] = field(default_factory=list)
    alarms: list[Variant] = field(default_factory=list)

    @property
    def detection_rate(self) -> float | None:
        """Perturbations flagged over perturbations made."""
        return self.detected / self.perturbations if self.perturbations else None

    @property
    def false_alarm_rate(self) -> float | None:
        """Faithful rewrites flagged over rewrites made."""
        return self.false_alarms / self.rewrites if self.rewrites else None

    def to_dict(self) -> dict:
        """Plain JSON-ready form."""
        def variants(items: list[Variant]) -> list[dict]:
            return [{"doc_id": v.doc_id, "reference": v.reference, "kind": v.kind, "changed": v.changed,
                     "text": v.text} for v in items]  # fmt: skip

        return {"perturbations": self.perturbations, "detected": self.detected, "detection_rate": self.detection_rate,
                "rewrites": self.rewrites, "false_alarms": self.false_alarms,
                "false_alarm_rate": self.false_alarm_rate, "skipped_references": self.skipped_references,
                "misses": variants(self.misses), "alarms": variants(self.alarms)}  # fmt: skip


def run_selftest(documents: Iterable[Document]) -> SelftestReport:
    """Perturb and faithfully rewrite every reference summary of the documents, and score the checker."""
    report = SelftestReport()
    for document in documents:
        table = table_for_document(document)
        for reference in document.references:
            base = check_summary(reference.text, table)
            if base.flagged:
                report.skipped_references.append(f"{document.doc_id}/{reference.id}")
                continue
            claims = [m for m in extract_mentions(reference.text) if m.quantity.claimable]
            supported = {c.quantity.span for c in base.claims if c.verdict == SUPPORTED}
            claims = [m for m in claims if m.quantity.span in supported]
            for kind, changed, text in perturbations(reference.text, claims, table):
                variant = Variant(document.doc_id, reference.id, kind, reference.text, changed, text)
                report.perturbations += 1
                if check_summary(text, table).flagged:
                    report.detected += 1
                else:
                    report.misses.append(variant)
            for kind, changed, text in rewrites(reference.text, claims):
                variant = Variant(document.doc_id, reference.id, kind, reference.text, changed, text)
                report.rewrites += 1
                if check_summary(text, table).flagged:
                    report.false_alarms += 1
                    report.alarms.append(variant)
            _entity_variants(report, document.doc_id, reference, base, table)
    return report


def _entity_variants(report: SelftestReport, doc_id: str, reference, base, table: FactTable) -> None:
    """Entity swaps (caught?) and faithful entity paraphrases (quiet?) of one clean reference."""
    if table.entities is None:
        return
    claims = list(base.entity_claims)
    for kinds, flagged_is_good in ((entity_perturbations(reference.text, claims, table.entities), True),
                                   (entity_rewrites(reference.text, claims, table.entities), False)):  # fmt: skip
        for kind, changed, text in kinds:
            variant = Variant(doc_id, reference.id, kind, reference.text, changed, text)
            flagged = check_summary(text, table).flagged
            if flagged_is_good:
                report.perturbations += 1
                report.detected += flagged
                if not flagged:
                    report.misses.append(variant)
            else:
                report.rewrites += 1
                report.false_alarms += flagged
                if flagged:
                    report.alarms.append(variant)


def _figure(summary: str, m: Mention) -> tuple[int, int]:
    """Span of the figure without its hedge ("275,000" of "roughly 275,000")."""
    start, end = m.quantity.span
    hedge = m.quantity.hedge
    if hedge and hedge != "vague":
        match = _hedge_pattern(hedge).match(summary[start:end])
        if match:
            start += match.end()
    return start, end


def _replace(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def _digits(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def perturbations(summary: str, claims: list[Mention], table: FactTable) -> list[tuple[str, str, str]]:
    """(kind, 'old -> new', perturbed summary) for each distortion of one figure or two."""
    out: list[tuple[str, str, str]] = []

    def add(kind: str, m: Mention, new: str, span: tuple[int, int] | None = None) -> None:
        span = span or _figure(summary, m)
        out.append((kind, f"{summary[span[0]:span[1]]} -> {new}", _replace(summary, span, new)))

    for m in claims:
        q = m.quantity
        if q.kind == "count" and q.hedge == "vague":
            bigger = {"dozens": "hundreds", "hundreds": "thousands", "thousands": "millions"}.get(q.text.lower())
            if bigger:
                add("scale vague", m, bigger if q.text.islower() else bigger.capitalize())
        elif q.kind in ("count", "money", "percent", "measure"):
            prefix = _CURRENCY_PREFIX.match(summary[_figure(summary, m)[0] :]).group()
            base = q.value
            add("scale x10", m, prefix + _digits(base * 10))
            add("scale x2", m, prefix + _digits(base * 2))
            if base >= 100:
                add("scale /10", m, prefix + _digits(base / 10))
            lead = int(str(int(base))[0])
            bumped = float(str(lead % 9 + 1) + str(int(base))[1:])
            add("next leading digit", m, prefix + _digits(bumped))
        elif q.kind == "date":
            month, day = divmod(int(q.value), 100)
            add("shift date +1 day", m, f"{_MONTH_SHORT[month]} {day % 28 + 1}")
            add("shift date -1 day", m, f"{_MONTH_SHORT[month]} {(day - 2) % 28 + 1}")
            add("shift date +10 days", m, f"{_MONTH_SHORT[month]} {(day + 9) % 28 + 1}")
            add("shift date +1 month", m, f"{_MONTH_SHORT[month % 12 + 1]} {day}")
        elif q.kind == "month":
            add("shift month", m, _MONTH_LONG[int(q.value) % 12 + 1])
        elif q.kind == "weekday":
            names = [name.capitalize() for name in WEEKDAYS]
            add("shift weekday +1", m, names[int(q.value) % 7])
            add("shift weekday -1", m, names[(int(q.value) - 2) % 7])
        elif q.kind == "year":
            add("shift year -1", m, str(int(q.value) - 1))
            add("shift year +1", m, str(int(q.value) + 1))
            add("shift year +3", m, str(int(q.value) + 3))
        elif q.kind == "duration":
            text = summary[slice(*_figure(summary, m))]
            shifted = _shift_duration(text)
            if shifted:
                add("shift duration", m, shifted)
        elif q.kind == "time" and q.high - q.low <= 2 * TIME_WINDOW:  # "after 10pm" is open for hours
            figure = summary[slice(*_figure(summary, m))]
            add("shift time +1 hour", m, _clock(q.value + 60, q, figure))
            add("shift time -1 hour", m, _clock(q.value - 60, q, figure))
    for a, b in _pairs(claims):
        span_a, span_b = _figure(summary, a), _figure(summary, b)
        text = summary[: span_a[0]] + summary[slice(*span_b)] + summary[span_a[1] : span_b[0]]
        text += summary[slice(*span_a)] + summary[span_b[1] :]
        out.append(("swap figures", f"{summary[slice(*span_a)]} <-> {summary[slice(*span_b)]}", text))
    for m in claims:
        out.extend(_moved_nouns(summary, m, table))
    return out


def _pairs(claims: list[Mention]) -> list[tuple[Mention, Mention]]:
    pairs = []
    for i, a in enumerate(claims):
        for b in claims[i + 1 :]:
            if a.quantity.kind == b.quantity.kind and a.quantity.value != b.quantity.value and \
                    a.quantity.kind != "duration" and "vague" not in (a.quantity.hedge, b.quantity.hedge):  # fmt: skip
                pairs.append((a, b))
    return pairs


def _moved_nouns(summary: str, m: Mention, table: FactTable) -> list[tuple[str, str, str]]:
    """Put the figure on the noun of another fact of its kind ("275,000 civilians" -> "275,000 children")."""
    if m.noun is None:
        return []
    after = summary[m.quantity.span[1] :]
    match = _NOUN_AFTER.match(after)
    if not match or not match.group(2).lower().startswith(m.noun[:4]):
        return []
    out, seen = [], set()
    for fact in table.facts:
        word = _noun_word(fact)
        other_thing = noun_relation(m.noun, fact.noun) == "conflict" and fact.quantity.value != m.quantity.value
        if fact.quantity.kind == m.quantity.kind and word and word not in seen and other_thing:
            seen.add(word)
            start = m.quantity.span[1] + match.start(2)
            span = (start, start + len(match.group(2)))
            out.append(("move to another noun", f"{match.group(2)} -> {word}", _replace(summary, span, word)))
    return out


def _noun_word(fact) -> str | None:
    """The counted noun as the article writes it, read from the evidence sentence."""
    sentence, offset = fact.evidence.sentence, fact.quantity.span[1] - fact.evidence.start
    match = _NOUN_AFTER_WORD.match(sentence[offset:])
    return match.group(1) if match and fact.noun and match.group(1).lower().startswith(fact.noun[:4]) else None


def _shift_duration(text: str) -> str | None:
    words = {w: v for v, w in _WORDS.items()}
    match = _FIRST_TOKEN.search(text)
    if match and match.group().isdigit():
        return _replace(text, match.span(), str(int(match.group()) + 1))
    if match and match.group().lower() in words and words[match.group().lower()] + 1 in _WORDS:
        return _replace(text, match.span(), _WORDS[words[match.group().lower()] + 1])
    for pattern, other in _LONGER_UNIT:
        if pattern.search(text):
            return pattern.sub(other, text)
    return None


def rewrites(summary: str, claims: list[Mention]) -> list[tuple[str, str, str]]:
    """(kind, 'old -> new', rewritten summary) for faithful rewrites that keep every figure's meaning."""
    out: list[tuple[str, str, str]] = []
    for m in claims:
        q, span = m.quantity, _figure(summary, m)
        figure = summary[slice(*span)]
        for kind, new in _faithful_forms(q, figure):
            out.append((kind, f"{figure} -> {new}", _replace(summary, span, new)))
        hedge = (q.hedge or "").lower()
        for other in _SAME_STRENGTH.get(hedge, []):
            new = other[0].upper() + other[1:] + " " if summary[q.span[0]].isupper() else other + " "
            out.append(("same-strength hedge", f"{hedge} -> {other}", _replace(summary, (q.span[0], span[0]), new)))
    sentences = [s.text for s in sentence_spans(summary)]
    if len(sentences) > 1:
        # A sentence moved off the end keeps a boundary: CNN/DM highlights may end without a full stop, and
        # the next one's first word ("Suddenly the dragon ...") would stand mid-sentence, capitalised, as a name.
        ended = [text if text.rstrip()[-1:] in ".!?" else text.rstrip() + "." for text in reversed(sentences)]
        out.append(("reorder sentences", "reversed", ("\n" if "\n" in summary.strip() else " ").join(ended)))
    return out


def _faithful_forms(q, figure: str) -> list[tuple[str, str]]:
    forms: list[tuple[str, str]] = []
    v = q.value
    if q.kind == "count" and q.hedge != "vague" and not figure.startswith(("$", "£", "€")):
        if _DIGITS_AND_COMMAS.fullmatch(figure):
            if v % 1000 == 0 and v < 10**6:
                forms.append(("digits to words", f"{_digits(v / 1000)} thousand"))
            if v in (100_000, 1_000_000, 1000, 100):
                scale = {100_000: "hundred thousand", 10**6: "million", 1000: "thousand", 100: "hundred"}[v]
                forms += [("digits to words", f"a {scale}"), ("digits to words", f"one {scale}")]
            if v == 500_000:
                forms.append(("digits to words", "half a million"))
            if v in _WORDS:
                forms.append(("digits to words", _WORDS[int(v)]))
            if v >= 10_000 and q.hedge:  # round to two significant figures: within any hedge's +-5%
                rounded = float(f"{v:.2g}")
                if rounded != v and abs(rounded - v) <= 0.03 * v:
                    forms.append(("round within the hedge", _digits(rounded)))
        else:
            forms.append(("words to digits", _digits(v)))
            if v == 500_000:
                forms.append(("words to words", "five hundred thousand"))
    elif q.kind == "date":
        month, day = divmod(int(v), 100)
        forms.append(("date format", f"{_MONTH_LONG[month]} {day}"))
        forms.append(("date format", f"{day} {_MONTH_LONG[month]}"))
        forms.append(("date format", f"{_MONTH_LONG[month]} {day}{_suffix(day)}"))
        forms.append(("date format", f"the {day}{_suffix(day)} of {_MONTH_LONG[month]}"))
    elif q.kind == "weekday":
        forms.append(("case", figure.lower()))
    elif q.kind == "time" and not q.unit:  # 8pm, 8 p.m. and 20:00 are one time
        forms.append(("time format", _meridiem_clock(v) if _COLON.search(figure) else _twenty_four_clock(v)))
        if _MERIDIEM.search(figure):
            forms.append(("time format", _MERIDIEM_SPACED.sub(r" \1.m.", figure)))
    elif q.kind == "duration":
        match = _WORD_THEN_WORD.match(figure)
        words = {w: val for val, w in _WORDS.items()}
        if match and match.group(1).lower() in words:
            forms.append(("words to digits", f"{words[match.group(1).lower()]}{match.group(2)}"))
    return forms


def _suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _clock(minutes: float, q, figure: str) -> str:
    """A time of day written like `figure`: '9pm', '9:30pm', '21:00', '9:30' (no am/pm), "9 o'clock"."""
    if "o'clock" in figure or "o’clock" in figure:
        return f"{(int(minutes) // 60) % 12 or 12} o'clock"
    if _COLON.search(figure) and q.unit == CLOCK_UNIT:
        hours, mins = divmod(int(minutes) % 720, 60)
        return f"{hours or 12}:{mins:02d}"
    return _twenty_four_clock(minutes) if _COLON.search(figure) else _meridiem_clock(minutes)


def _meridiem_clock(minutes: float) -> str:
    """'9pm', '9:30am'."""
    hours, mins = divmod(int(minutes) % 1440, 60)
    return f"{hours % 12 or 12}{f':{mins:02d}' if mins else ''}{'pm' if hours >= 12 else 'am'}"


def _twenty_four_clock(minutes: float) -> str:
    """'21:00', '09:30'."""
    return "{:02d}:{:02d}".format(*divmod(int(minutes) % 1440, 60))
