"""Sentence splitting, word counting and other text helpers shared by every stage.

One sentence splitter serves the whole harness (extractive summarizers, ROUGE-Lsum, fact evidence), so
that a sentence means the same thing everywhere. It is the harness's own rule-based splitter, chosen over
pysbd, sentencex, blingfire and nupunkt by benchmarks/splitters.py: as accurate as the best of them on
gold sentence boundaries and well under a millisecond per news article. It reads every `.`, `!`, `?` and
ellipsis followed by a space (or glued to a capitalised word, as in XSum's "Harbour.Bidders") as a
candidate boundary and decides from the token before it and the word after it:

- a title ("Mr.", "Gen.", "Dr.") or "vs." never ends a sentence; an initial ("J. K. Rowling"), an
  acronym ("U.S.", "a.m.") or an ambiguous abbreviation ("Inc.", "St.", "Jan.") ends one only when the
  next word is a common sentence opener ("The", "He", "But"); "No. 10" and "Sept. 9" stay whole;
- a lower-case next word continues the sentence (`"Go!" he said.`, "U.S. officials"), unless the whole
  block is lower-case (model output, tokenized references), the word follows an opening quote (XSum
  lower-cases quotations: `he said. "we ...`) or it is a brand like "eBay";
- an ellipsis ends a sentence only before a capital; a stand-alone period (" . ", tokenized text and
  CNN/DM bylines) always does;
- closing quotes and brackets stay with the sentence they close; a straight quote glued after the mark
  (`South."Hereford`) closes one only if a quotation is open in the block, else it opens the next;
- blank lines end paragraphs and a line that starts a list item ("- ", "1. ") starts a sentence; other
  line breaks are layout.

Also here, as it works on paragraphs: `strip_page_furniture`, which cleans a scraped news page into an article (the
menu, date stamp and aggregator lines removed; harness.documents names it for the seed's meta.yaml).

Pure functions over regexes compiled at import: safe from any number of threads.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

SPLITTER_VERSION = 1  # bump whenever a rule changes: it goes into the ROUGE and facts signatures
SPLITTER_NAME = f"harness-rules-{SPLITTER_VERSION}"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"\n[ \t]*(?=(?:[-*•]|\d{1,2}[.)])[ \t])")  # a line break before "- ", "* ", "3. ", "3) "
_WORD = re.compile(r"\w+(?:[’'.,\-]\w+)*", re.UNICODE)

# A run of sentence punctuation, the quotes and brackets that close with it (also as separate tokens, as in
# tokenized `said . ''`), then either spaces before the next token (captured) or, with no space, a
# capitalised word: XSum lost its paragraph breaks that way ("Harbour.Bidders"). The look-behind makes a
# long run of punctuation one candidate, not one per character (linear time on any input).
_CLOSERS = "\"'”’)]»"
_CLOSE = f"[{re.escape(_CLOSERS)}]"
_CANDIDATE = re.compile(
    rf"""(?<![.!?…])(?P<mark>[.!?…]+)(?P<close>{_CLOSE}*(?:\ +{_CLOSE}+(?!\S))*)(?:(?=\ +(?P<next>\S+))|(?=[A-Z][A-Za-z]))"""
)
_OPENERS = "\"'“‘`([{«"
_QUOTES = "\"'“‘`«"
_ACRONYM = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")  # U.S, D.C, a.m, Ph.D (the final period is the mark)
_LIST_MARKER = re.compile(r"\d{1,2}|[A-Za-z]|[ivxIVX]{1,4}")
_CAMEL = re.compile(r"[a-z]+[A-Z]")  # eBay, iPhone: a sentence may start with them
# Every whitespace character becomes a plain space in a same-length copy, so the offsets stay exact.
_OTHER_SPACE = re.compile(r"[^\S ]")
_LONGEST_TOKEN = 64

# Titles stand before a name: never the end of a sentence.
_TITLES = frozenset("""
    Mr Mrs Ms Mx Messrs Mme Mlle Dr Prof Gen Lt Col Maj Capt Cpt Sgt Cpl Pvt Adm Cmdr Cdr Gov Sen Rep Rev
    Fr Hon Pres Supt Det Insp Atty Brig Vs
""".split())
# Abbreviations that also end sentences ("Apple Inc. The company ..."): a boundary only before an opener.
_AMBIGUOUS = frozenset("""
    Inc Corp Co Ltd Llc Plc Bros Jr Sr Esq Etc St Mt Ft Ave Blvd Rd Dept Univ Assn Approx
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun
    Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev
    Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo
""".split())
# Lower-case abbreviations that never end a sentence: "e.g. Paris", "Roe v. Wade".
_LOWER_TITLES = frozenset("e.g i.e cf vs v viz".split())
# Before a number these never end a sentence: "No. 10", "Sept. 9", "pp. 4-5", "Fig. 3".
_BEFORE_NUMBER = frozenset("""
    No Nos Nr Art Vol Vols P Pp Fig Figs Ch Sec Para Op Ca C Approx Est Tel Ext Rt
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    no nos vol p pp fig ch sec para ca c approx est
""".split()) | _TITLES
# Words that commonly open a sentence: after an ambiguous abbreviation they tip the decision to a boundary.
_SENTENCE_OPENERS = frozenset("""
    The A An He She It They We I You His Her Its Their Our My Your This That These Those There Here
    But And Or So Yet If When While After Before Although Though Because Since As Once Until Unless
    In On At By For From With Without Of To Into During Under Over Despite Among
    Some Many Most All Both Each Every No None Neither Either Not Only Such Other Another Few Several
    However Meanwhile Still Also Then Now Today Yesterday Tomorrow Last Earlier Later Instead Indeed
    What Who Whom Whose Why How Where Which
    One Two Three Four Five Six Seven Eight Nine Ten
""".split())


@dataclass(frozen=True)
class Span:
    """A sentence with its character offsets in the text it came from (`text[start:end] == sentence`)."""

    text: str
    start: int
    end: int


def _pieces(text: str, cuts: list[int], offset: int) -> list[tuple[int, int]]:
    """(start, end) of the non-empty stripped pieces of text between consecutive cuts, shifted by offset."""
    pieces = []
    for begin, end in itertools.pairwise(cuts):
        chunk = text[begin:end]
        stripped = chunk.strip()
        if stripped:
            start = offset + begin + chunk.index(stripped)
            pieces.append((start, start + len(stripped)))
    return pieces


def _paragraph_pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of each stripped paragraph."""
    # Cuts on both sides of each break: the breaks themselves strip to nothing and are dropped.
    cuts = [cut for match in _PARAGRAPH_BREAK.finditer(text) for cut in match.span()]
    return _pieces(text, [0, *cuts, len(text)], 0)


def paragraphs(text: str) -> list[Span]:
    """Split text on blank lines into stripped paragraphs with offsets."""
    return [Span(text[start:end], start, end) for start, end in _paragraph_pieces(text)]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs, each cut again before a line that starts a list item ("- ", "2. "): an item starts a sentence."""
    blocks = []
    for start, end in _paragraph_pieces(text):
        paragraph = text[start:end]
        if "\n" not in paragraph:
            blocks.append((start, end))
            continue
        cuts = [0, *(match.start() for match in _LIST_ITEM.finditer(paragraph)), len(paragraph)]
        blocks += _pieces(paragraph, cuts, start)
    return blocks


def _key(token: str, case_blind: bool) -> str:
    """An abbreviation's lookup form: as written, or capitalised ("mr", "MR" -> "Mr") where case says nothing.

    Only there: in cased text "sun." and "ill." are words, not the abbreviations "Sun." and "Ill.".
    """
    if case_blind or token.isupper():
        return token[:1].upper() + token[1:].lower()
    return token


def _is_boundary(mark: str, before: str, following: str, list_position: bool, lower_case: bool) -> bool:
    """Whether `before` + `mark`, followed by the token `following`, ends a sentence (see the module docstring)."""
    after = following.lstrip(_OPENERS)
    # A lower-case word goes on with the sentence, except in lower-cased text, after an opening quote
    # (`he said. "we ...`: XSum lower-cases the first word of quotations) and in brands (eBay).
    lower_next = after[:1].islower() and not lower_case and following[:1] not in _QUOTES and not _CAMEL.match(after)
    if mark != ".":
        if "." in mark or "…" in mark:  # an ellipsis trails off inside a sentence unless a capital follows
            return after[:1].isupper()
        return not lower_next  # ! and ?: `"Go!" he said.` goes on
    if not before:  # a stand-alone period: tokenized text, CNN/DM bylines
        return True
    if lower_next:
        return False
    key = _key(before, lower_case)
    never = key in _TITLES or (before.lower() if lower_case else before) in _LOWER_TITLES
    if after[:1].isdigit():  # "No. 10", "Sept. 9"; "in 2015. 20 people" is a boundary
        return not (never or key in _BEFORE_NUMBER or key in _AMBIGUOUS)
    if never:
        return False
    if list_position and _LIST_MARKER.fullmatch(before):  # "1. Cut the fares.", "b. Then"
        return False
    initial = len(before) == 1 and before.isalpha() and (before.isupper() or lower_case)
    if initial or key in _AMBIGUOUS or _ACRONYM.fullmatch(before):
        # An initial or abbreviation ends the sentence only before a common opener, and not before
        # another initial ("J. K. Rowling", "U.S. A. Smith").
        opener = _key(after.rstrip(",;:"), True)
        return opener in _SENTENCE_OPENERS and not (len(opener) == 1 and following.endswith("."))
    return True


def _glued_boundary(before: str) -> bool:
    """Whether punctuation glued to a capitalised word ends a sentence: "Harbour.Bidders", "UK.He", not "U.S.Army", "Mr.Smith"."""
    return bool(before) and not (len(before) == 1 or _ACRONYM.fullmatch(before) or _key(before, False) in _TITLES)


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the sentences of one block (a paragraph or a list item), line breaks read as spaces."""
    flat = _OTHER_SPACE.sub(" ", text[start:end])
    lower_case = flat.islower()
    cuts, sentence_start, quotes, counted = [0], 0, 0, 0
    for match in _CANDIDATE.finditer(flat):
        mark, close, following = match.group("mark", "close", "next")
        mark_start = match.start()
        # The token before the mark; looked for within _LONGEST_TOKEN characters so that text without
        # spaces stays linear time (no abbreviation is that long).
        window = max(0, mark_start - _LONGEST_TOKEN)
        word_start = flat.rfind(" ", window, mark_start) + 1 or window
        before = flat[word_start:mark_start].lstrip(_OPENERS)
        if following is None:
            boundary = _glued_boundary(before)
        elif not following.strip(_CLOSERS):
            continue  # `exiting . '` at the end: a closing quote the pattern could not attach still closes
        else:
            boundary = _is_boundary(mark, before, following, word_start == sentence_start, lower_case)
        if boundary:
            cut = match.end()  # after the closing quotes; the spaces before the next sentence are stripped
            if close.lstrip(" ")[:1] == '"':
                # A straight quote after the mark closes a quotation only if one is open in this block:
                # `South."Hereford ...` opens the next sentence's quote, `factors."Those` closes this one.
                quotes += flat.count('"', counted, mark_start)
                counted = mark_start
                if quotes % 2 == 0:
                    cut = match.end("mark")
            cuts.append(cut)
            sentence_start = match.start("next") if following else cut
    if len(cuts) == 1:
        return [(start, end)]
    cuts.append(len(flat))
    return _pieces(flat, cuts, start)


def sentence_spans(text: str) -> list[Span]:
    """Split text into sentences with character offsets; paragraphs never share a sentence."""
    return [
        Span(text[start:end], start, end)
        for block_start, block_end in _blocks(text)
        for start, end in _split_block(text, block_start, block_end)
    ]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (the harness's rule-based splitter, paragraph-aware)."""
    return [span.text for span in sentence_spans(text)]


def words(text: str) -> list[str]:
    """Word tokens of text: runs of letters and digits, keeping "275,000"-style groups and "don't" whole."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    """Number of word tokens in text."""
    return len(words(text))


# --- page furniture of scraped news pages -------------------------------------------------------

_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
FURNITURE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^{_WEEKDAY} / \w+ \d{{1,2}}\.?$"), "date stamp of the aggregator page, not of the article"),
    (re.compile(r"^Home[A-Z]\S"), "site navigation breadcrumb (menu line)"),
    (
        re.compile(r"^(?:Interactive Feature|Graphic|Video|Photo|Slide Show|Audio) \|"),
        "teaser for an embedded graphic or interactive feature, not article prose",
    ),
    (re.compile(r"^Let[’']s block ads!"), "ad-blocker notice added by the aggregator"),
    (re.compile(r"^\(via [^)]+\)$"), "aggregator credit line"),
)
_HEADLINE_MAX_WORDS = 15


@dataclass(frozen=True)
class CleanedArticle:
    """An article body with page furniture removed, and what was removed and why."""

    body: str
    title: str | None
    removed: tuple[dict[str, str], ...]


def strip_page_furniture(raw: str) -> CleanedArticle:
    """Remove the menu, date stamp, embedded-feature teasers and aggregator lines of a scraped news page.

    A short unpunctuated paragraph before the first sentence of prose is taken as the headline: it
    becomes the title rather than a "sentence" that lead-k baselines would pick.
    """
    kept: list[str] = []
    removed: list[dict[str, str]] = []
    title = None
    for paragraph in paragraphs(raw):
        # Scraped pages put several furniture lines in one block (date stamp, then menu).
        lines = []
        for line in (line.strip() for line in paragraph.text.splitlines()):
            reason = next((why for rule, why in FURNITURE_RULES if rule.search(line)), None)
            if reason is None and not kept and not lines and title is None and _looks_like_headline(line):
                title, reason = line, "headline, kept as the document title"
            if reason:
                removed.append({"text": line, "reason": reason})
            elif line:
                lines.append(line)
        if lines:
            kept.append("\n".join(lines))
    return CleanedArticle("\n\n".join(kept), title, tuple(removed))


def _looks_like_headline(text: str) -> bool:
    return len(text.split()) <= _HEADLINE_MAX_WORDS and not text.rstrip().endswith((".", "!", "?", "”", '"'))
