"""Counts an article states by listing names instead of writing a number.

"The frigates HMS Cumberland, HMS Campbeltown, HMS Chatham and HMS Cornwall are moored in Portsmouth"
states four frigates; "Daniel Timbers, 29, and Barry Joy, 56, were killed" states two people killed.
A summary's "four frigates" or "two men" is then in the article, though no figure is written there.
Each list of two or more names joined by commas and a last "and" becomes a count fact, not claimable
(never a key fact). It counts the plural noun right before the list; for a list of people's names,
people; for names that mostly end in one word, that word ("Kentucky Methodist Hospital, Chino Valley
Medical Center and Desert Valley Hospital": three hospitals). A list with none of these counts nothing a
claim could name, and a claim must name what the list counts (`harness.facts.check` asks the same or a
compatible noun of a listed count). People listed with their ages are read without capitals too
("nabila okafor, 22, and laurene jones, 19": two people), as lower-cased corpora write them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from harness.facts.entities import guess_kind, read_names
from harness.facts.extract import Mention, _context, _predicate
from harness.facts.lexicon import stem
from harness.facts.numbers import Token
from harness.facts.quantities import Quantity
from harness.text import Span

# What may stand between two listed names: a comma, an appositive age (", 29,"), "and" (with an
# Oxford comma). The last gap must hold "and": "Paris, France" is one place, not two.
_GAP = re.compile(r"\s*(?:,\s*(?:aged\s+)?\d{1,3}\s*)?(,\s*(?:and\s+)?|\s+and\s+)\Z")
_PLURAL_BEFORE = re.compile(r"\b([a-z]{3,}s)\s*,?\s*\Z")
_NAME_AND_NAME = re.compile(r"[A-Z][\w'’.-]*(?:,\s*(?:aged\s+)?\d{1,3})?,?\s+and\s+[A-Z]")
# People listed with their ages ("nabila nanfuka, 22, and laurene-danielle jackson, 19"): the ages mark
# each item a person, so the list is read without capitals (XSum and QAGS lower-case whole articles).
_AGED = r"[^\W\d_][\w'’.-]*(?:(?:\s*-\s*|\s+)[^\W\d_][\w'’.-]*){0,3},\s*(?:aged\s+)?\d{1,2}\b"
_AGED_LIST = re.compile(rf"{_AGED}(?:,\s*{_AGED})*,?\s+and\s+{_AGED}")
_AGE_AND_AGE = re.compile(r",\s*(?:aged\s+)?\d{1,2},?\s+and\s")
_AGE = re.compile(r",\s*(?:aged\s+)?(\d{1,2})\b")
_LIST_MIN, _LIST_MAX = 2, 12  # a longer run of names is a roll or a table, not a count a summary would restate
_BEFORE_REACH = 24  # characters before a list searched for its plural noun ("the frigates HMS ...")
_NOT_NOUNS = {"was", "has", "his", "this", "its", "is", "as", "says", "lists", "includes"}


def enumerated_counts(article: str, sentences: Sequence[Span], tokens: list[Token]) -> list[Mention]:
    """A count mention for every list of names in the article's sentences (the list's span is its text);
    `tokens` are the article's, as the fact table tokenized it."""
    mentions = []
    starts = [t.start for t in tokens]
    for sentence_index, sentence in enumerate(sentences):
        if not _NAME_AND_NAME.search(sentence.text):  # most sentences list no capitalised names: none to read
            if _AGE_AND_AGE.search(sentence.text):  # though a lower-cased one may list people with their ages
                words = tokens[bisect_left(starts, sentence.start) : bisect_left(starts, sentence.end)]
                mentions += [_aged_mention(article, sentence, sentence_index, found, words)
                             for found in _AGED_LIST.finditer(sentence.text)]  # fmt: skip
            continue
        names = read_names(sentence.text)
        run: list = []
        for name in names + [None]:
            if name is not None and run and _joined(sentence.text, run[-1].span[1], name.span[0]):
                run.append(name)
                continue
            listed = _up_to_and(sentence.text, run)
            if _LIST_MIN <= len(listed) <= _LIST_MAX:
                words = tokens[bisect_left(starts, sentence.start) : bisect_left(starts, sentence.end)]
                mention = _mention(article, sentence, sentence_index, listed, words)
                if mention.noun is not None:
                    mentions.append(mention)
            run = [name] if name is not None else []
    return mentions


def _up_to_and(text: str, run: list) -> list:
    """The run's names up to the one after its last "and" ("A, B and C, California": A, B and C); none without one."""
    for k in range(len(run) - 1, 0, -1):
        if " and " in text[run[k - 1].span[1] : run[k].span[0]] + " ":
            return run[: k + 1]
    return []


def _head(names: list) -> str | None:
    """The word most of the names end with, when most do ("Kentucky Methodist Hospital, ... and Desert Valley
    Hospital": hospitals), else None."""
    heads = [n.tokens[-1] for n in names if len(n.tokens) > 1]
    best = max(set(heads), key=heads.count, default=None)
    return best if best is not None and 2 * heads.count(best) > len(names) and best.isalpha() else None


def _joined(text: str, end: int, start: int) -> bool:
    return bool(_GAP.match(text[end:start])) and start - end < 16


def _aged_mention(article: str, sentence: Span, sentence_index: int, found: re.Match, tokens: list[Token]) -> Mention:
    """The count of people a list of names with ages states (names read without capitals)."""
    count = len(_AGE.findall(found.group()))
    start, end = sentence.start + found.start(), sentence.start + found.end()
    names = {stem(w) for w in re.findall(r"[^\W\d_]+", found.group().lower()) if w not in ("and", "aged")}
    return _count_mention(article, sentence, sentence_index, count, (start, end), "person", names, tokens)


def _mention(article: str, sentence: Span, sentence_index: int, run: list, tokens: list[Token]) -> Mention:
    start, end = sentence.start + run[0].span[0], sentence.start + run[-1].span[1]
    before = _PLURAL_BEFORE.search(sentence.text[max(0, run[0].span[0] - _BEFORE_REACH) : run[0].span[0]])
    noun = stem(before.group(1)) if before and before.group(1) not in _NOT_NOUNS else None
    if noun is None and all(guess_kind(n.text, n.key, n.titled) == "person" for n in run):
        noun = "person"  # "Daniel Timbers, 29, and Barry Joy": two people
    if noun is None and _head(run):
        noun = stem(_head(run))  # "... Hospital, ... Medical Center and ... Hospital": three hospitals
    # a list of anything else counts nothing a claim could name
    names = {stem(t) for n in run for t in n.tokens}
    return _count_mention(article, sentence, sentence_index, len(run), (start, end), noun, names, tokens)


def _count_mention(article: str, sentence: Span, sentence_index: int, count: int, span: tuple[int, int],
                   noun: str | None, names: set[str], tokens: list[Token]) -> Mention:  # fmt: skip
    """The count mention of a list spanning `span` of the article, its listed `names` left out of the clause words."""
    start, end = span
    quantity = Quantity(float(count), float(count), float(count), "count", "", article[start:end], (start, end),
                        None, False)  # fmt: skip
    first = next((k for k, t in enumerate(tokens) if t.start >= start), 0)
    last = next((k for k in range(len(tokens) - 1, -1, -1) if tokens[k].end <= end), first)
    # The names themselves are not the clause's words: "Timbers, 29, and Barry Joy were killed" is about killing.
    context = tuple(w for w in _context(tokens, first, last, []) if w not in names)
    return Mention(quantity, noun, _predicate(tokens, first, last, "count"), {"stated_as": "list"}, sentence, context,
                   sentence_index)  # fmt: skip
