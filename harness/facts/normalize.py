"""Known corpus artefacts, undone before figures are read: an explicit step, named in the checker's signature.

Widely used copies of news corpora carry preprocessing damage that changes what a figure says:
- the XSum release writes "#" for "£" ("# 500,000", "# 1m", which would read as one metre);
- tokenized copies put a space after the thousands comma ("£50, 000", "3, 700 women").
- Penn Treebank escapes in tokenized copies (CNN/DailyMail as FRANK and others ship it): "-LRB-" and
  "-RRB-" for round brackets, "-LSB-"/"-RSB-" and "-LCB-"/"-RCB-" for square and curly ones, which
  would otherwise read as names; each becomes its bracket padded with spaces.
Sentences glued without a space ("Harbour.Bidders") are the fourth artefact; they are split where
sentences are made (`harness.facts.sentences`), as no character can be added here.

Every replacement keeps the text's length, so every offset (evidence, claim spans) is still an offset
into the text as given; only the characters of the repaired figure differ ("£ 1m" for "# 1m").
"""

from __future__ import annotations

import re

NAME = "corpus-artefacts-2"  # bump when the rules below change what a text says

_HASH_POUND = re.compile(r"#(?=\s?\d)")
# "50, 000" -> "50,000 ": a group of three digits after ", " continues a number of 1-3 leading digits that
# no digit or comma precedes ("2010, 2011" and "1, 2, 3" are left alone).
_SPACED_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3})((?:, \d{3}(?![\d]))+)")


_PTB_BRACKETS = re.compile(r"-([LR])([RSC])B-", re.IGNORECASE)
_BRACKET = {("l", "r"): "(", ("r", "r"): ")", ("l", "s"): "[", ("r", "s"): "]", ("l", "c"): "{", ("r", "c"): "}"}


def normalize(text: str) -> str:
    """text with the known corpus artefacts repaired, at the same length and offsets."""
    if "B-" in text or "b-" in text:
        text = _PTB_BRACKETS.sub(_bracket, text)
    if "#" in text:
        text = _HASH_POUND.sub("£", text)
    if ", " in text:
        text = _SPACED_THOUSANDS.sub(_join_groups, text)
    return text


def _join_groups(match: re.Match[str]) -> str:
    groups = match.group(2)
    spaces = groups.count(" ")
    return match.group(1) + groups.replace(" ", "") + " " * spaces


def _bracket(match: re.Match[str]) -> str:
    return _BRACKET[(match.group(1).lower(), match.group(2).lower())] + " " * 4
