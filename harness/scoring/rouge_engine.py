"""ROUGE equal to Google's rouge-score bit for bit, at a small fraction of its cost.

`RougeEngine(types, use_stemmer).score(target, prediction)` returns what
`rouge_scorer.RougeScorer(types, use_stemmer=...).score(target, prediction)` returns, the same floats (and the
same integer zeros where rouge-score returns them), for rouge1..rouge9, rougeL and rougeLsum. It is faster
because it does the same arithmetic with less Python:

- Tokens: rouge-score lowercases, turns every run of characters other than [a-z0-9] into a space, splits, and
  Porter-stems the tokens longer than 3 characters (nltk's stemmer, which dominates its cost). Here the same
  tokens come from one `findall` per text, each distinct token is stemmed once per engine and mapped to an
  integer id, and each distinct text is tokenized once (references are scored against many summaries).
- rougeN: n-gram counts per text, each n-gram packed into one int, cached with the text.
- rougeL: the LCS length from rapidfuzz (compiled, bit-parallel) on the id sequences; an LCS length is unique,
  so any exact algorithm gives rouge-score's number.
- rougeLsum: the union LCS depends on *which* LCS rouge-score's backtrack picks (ties go up, a match is taken
  whenever the tokens are equal), so rapidfuzz's alignment cannot stand in for it. `_lcs_indices` walks
  the same path over a bit-parallel LCS table (Hyyro 2004), one big-integer step per column that has a
  match instead of one Python step per table cell, and sentence pairs with no token in common are skipped.
"""

from __future__ import annotations

import collections
import itertools
import operator
import re
from collections.abc import Iterable, Sequence

from nltk.stem import porter
from rapidfuzz.distance import LCSseq
from rouge_score.scoring import Score

# rouge_score.tokenize: lowercase, non-[a-z0-9] runs become spaces, split on spaces, drop empty tokens.
# After that substitution only [a-z0-9] and spaces are left, so the tokens are exactly these runs.
_RUN = re.compile(r"[a-z0-9]+")
_TOKEN_OR_NEWLINE = re.compile(r"[a-z0-9]+|\n")
_NEWLINE = -1  # the id of a newline in _TOKEN_OR_NEWLINE's output; tokens get ids from 0 up
_VALID = re.compile(r"^[a-z0-9]+$")  # rouge_score's final check, applied to stems
_NGRAM_TYPE = re.compile(r"rouge([0-9])")
# rouge-score returns integer zeros (not 0.0) when a side has no tokens; keep them so results compare equal
# in type as well as value.
_ZERO = Score(precision=0, recall=0, fmeasure=0)
_new_score = tuple.__new__


def check_types(rouge_types: Sequence[str]) -> tuple[str, ...]:
    """The ROUGE types as a tuple; ValueError naming the first one rouge-score would not compute."""
    for rouge_type in rouge_types:
        match = _NGRAM_TYPE.fullmatch(rouge_type)
        if rouge_type not in ("rougeL", "rougeLsum") and (not match or int(match.group(1)) == 0):
            raise ValueError(f"unknown ROUGE type '{rouge_type}' (use rouge1..rouge9, rougeL, rougeLsum)")
    return tuple(rouge_types)


class _Text:
    """One tokenized text: its lines (as rougeLsum sees them) as id tuples, and lazily derived views."""

    __slots__ = ("_masks", "_ngrams", "_sets", "ids", "lines")

    def __init__(self, lines: tuple[tuple[int, ...], ...]) -> None:
        self.lines = lines
        # A newline separates tokens, so the whole text's tokens are its lines' tokens in order.
        self.ids = lines[0] if len(lines) == 1 else tuple(itertools.chain.from_iterable(lines))
        self._ngrams: dict[int, collections.Counter] = {}
        self._masks: list[dict[int, int]] | None = None
        self._sets: list[frozenset[int]] | None = None

    def ngrams(self, n: int) -> collections.Counter:
        """n-gram counts of the whole text, each n-gram of ids packed into one int (32 bits per id).

        An int key hashes faster than a tuple and is not tracked by the garbage collector; ids stay far
        below 2**32, so distinct n-grams get distinct keys.
        """
        counts = self._ngrams.get(n)
        if counts is None:
            keys = iter(self.ids)
            for k in range(1, n):  # key = (...(id_0 << 32 | id_1) << 32 | ...) | id_{n-1}
                keys = map(operator.or_, map(operator.lshift, keys, itertools.repeat(32)), self.ids[k:])
            counts = self._ngrams[n] = collections.Counter(keys)
        return counts

    def masks(self) -> list[dict[int, int]]:
        """Per line: token id -> bit mask of its positions in the line (the match masks of the LCS table)."""
        if self._masks is None:
            self._masks = []
            for line in self.lines:
                mask: dict[int, int] = {}
                for position, token in enumerate(line):
                    mask[token] = mask.get(token, 0) | (1 << position)
                self._masks.append(mask)
        return self._masks

    def sets(self) -> list[frozenset[int]]:
        """Per line: its distinct token ids (what a candidate line shares with a reference line)."""
        if self._sets is None:
            self._sets = [frozenset(line) for line in self.lines]
        return self._sets


class RougeEngine:
    """rouge_scorer.RougeScorer(types, use_stemmer) with identical scores, caching tokens and texts."""

    def __init__(self, rouge_types: Sequence[str], use_stemmer: bool = False, max_cached_texts: int = 50_000) -> None:
        self.rouge_types = check_types(rouge_types)
        self.use_stemmer = use_stemmer
        # (type, n) with n = 0 for the LCS types, parsed once rather than per pair
        self._plan = [(t, 0 if t.startswith("rougeL") else int(t[5:])) for t in self.rouge_types]
        self._stemmer = porter.PorterStemmer() if use_stemmer else None
        self._max_cached_texts = max_cached_texts
        self._token_ids: dict[str, int | None] = {"\n": _NEWLINE}  # raw token -> id of its (stemmed) form; None: dropped
        self._vocabulary: dict[str, int] = {}  # stemmed form -> id
        # next() on a count is atomic under the GIL: two threads never hand out the same id.
        self._next_id = itertools.count()
        self._texts: dict[str, _Text] = {}

    def __reduce__(self) -> tuple:
        # A process pool pickles scorers: send the settings, and let each process build its own caches.
        return (type(self), (self.rouge_types, self.use_stemmer, self._max_cached_texts))

    def score(self, target: str, prediction: str) -> dict[str, Score]:
        """Scores of prediction against target per ROUGE type, as rouge_scorer.RougeScorer.score."""
        reference, candidate = self._text(target), self._text(prediction)
        result = {}
        for rouge_type, n in self._plan:
            if n:
                result[rouge_type] = _score_ngrams(reference, candidate, n)
            elif rouge_type == "rougeL":
                result[rouge_type] = _score_lcs(reference.ids, candidate.ids)
            else:
                result[rouge_type] = _summary_level_lcs(reference, candidate)
        return result

    def score_many(self, pairs: Iterable[tuple[str, str]]) -> list[dict[str, Score]]:
        """score(target, prediction) for each (target, prediction) pair, in order."""
        return [self.score(target, prediction) for target, prediction in pairs]

    def tokenize(self, text: str) -> list[str]:
        """The tokens rouge_score.tokenize gives for text (stemmed when the engine stems)."""
        return [token for token in map(self._stem, _RUN.findall(text.lower())) if token is not None]

    def _stem(self, token: str) -> str | None:
        # rouge-score stems only tokens longer than 3 characters, then drops anything not [a-z0-9]+.
        if self._stemmer is not None and len(token) > 3:
            token = self._stemmer.stem(token)
        return token if _VALID.match(token) else None

    def _token_id(self, token: str) -> int | None:
        stem = self._stem(token)
        token_id = None if stem is None else self._vocabulary.setdefault(stem, next(self._next_id))
        self._token_ids[token] = token_id
        return token_id

    def _text(self, text: str) -> _Text:
        cached = self._texts.get(text)
        if cached is None:
            if len(self._texts) >= self._max_cached_texts:
                self._texts.clear()  # a bound on memory; token ids stay valid, so nothing else changes
            cached = self._texts[text] = _Text(self._lines(text))
        return cached

    def _lines(self, text: str) -> tuple[tuple[int, ...], ...]:
        """The token ids of each line of text that has tokens (rougeLsum's sentences)."""
        # rouge-score splits on "\n" for rougeLsum, keeps lines that are not empty strings and tokenizes each.
        # A line without tokens changes no score (it adds no LCS and no count, and a side whose lines are all
        # empty has no tokens, which scores 0 either way), so those are left out, and the whole text is
        # tokenized in one pass with the newlines as markers.
        raw = _TOKEN_OR_NEWLINE.findall(text.lower())
        known = self._token_ids
        try:
            ids = [known[token] for token in raw]
        except KeyError:
            ids = [known[token] if token in known else self._token_id(token) for token in raw]
        if None in ids:
            ids = [token_id for token_id in ids if token_id is not None]
        if _NEWLINE not in ids:
            return (tuple(ids),) if ids else ()
        lines = []
        start = 0
        while start <= len(ids):
            try:
                end = ids.index(_NEWLINE, start)
            except ValueError:
                end = len(ids)
            if end > start:
                lines.append(tuple(ids[start:end]))
            start = end + 1
        return tuple(lines)  # type: ignore[arg-type]


def _score(precision: float, recall: float) -> Score:
    # scoring.fmeasure's arithmetic, inline; the namedtuple built by tuple.__new__, as Score(...) does
    # through a Python-level __new__ that costs more than the arithmetic
    fmeasure = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return _new_score(Score, (precision, recall, fmeasure))


def _score_ngrams(reference: _Text, candidate: _Text, n: int) -> Score:
    """rouge_scorer._score_ngrams on the two texts' n-gram counts."""
    target, prediction = reference.ngrams(n), candidate.ngrams(n)
    small, large = (target, prediction) if len(target) <= len(prediction) else (prediction, target)
    # sum of min(count in target, count in prediction) over the shared n-grams, without a Python loop
    overlap = sum(map(min, small.values(), map(large.get, small.keys(), itertools.repeat(0))))
    return _score(overlap / max(len(candidate.ids) - n + 1, 1), overlap / max(len(reference.ids) - n + 1, 1))


def _score_lcs(target: tuple[int, ...], prediction: tuple[int, ...]) -> Score:
    """rouge_scorer._score_lcs: LCS length over the two token sequences."""
    if not target or not prediction:
        return _ZERO
    lcs = LCSseq.similarity(target, prediction)
    return _score(lcs / len(prediction), lcs / len(target))


def _summary_level_lcs(reference: _Text, candidate: _Text) -> Score:
    """rouge_scorer._summary_level_lcs: union LCS of each reference line with every candidate line."""
    ref_lines, can_lines = reference.lines, candidate.lines
    if not ref_lines or not can_lines:
        return _ZERO
    m, n = len(reference.ids), len(candidate.ids)
    if not n or not m:
        return _ZERO
    can_sets = candidate.sets()
    in_unions: list[int] = []  # the tokens of every reference line's union LCS, with repeats
    for line, masks, ref_set in zip(ref_lines, reference.masks(), reference.sets()):
        union: set[int] = set()
        for can_line, can_set in zip(can_lines, can_sets):
            common = can_set & ref_set
            if common:  # else rouge-score's LCS is empty
                union.update(_lcs_indices(masks, len(line), can_line, common))
        in_unions.extend(map(line.__getitem__, union))
    # rouge-score (as ROUGE-1.5.5) counts a union token as a hit while both its remaining counts, in the
    # candidate and in the reference, are positive, then lowers both. So a token t scores
    # min(times in unions, count in candidate, count in reference) hits whatever the order, and the unions
    # are positions of the reference, so the first never exceeds the last.
    counts_c = candidate.ngrams(1)
    union_counts = collections.Counter(in_unions)
    hits = sum(map(min, union_counts.values(), map(counts_c.get, union_counts.keys(), itertools.repeat(0))))
    return _score(hits / n, hits / m)


def _lcs_indices(masks: dict[int, int], rows: int, can: tuple[int, ...], common: frozenset[int]) -> list[int]:
    """rouge_scorer.lcs_ind(ref, can): the positions in ref of the LCS its backtrack reads out.

    masks[token] has bit i set where ref[i] == token; common: the tokens of can that are in ref. Column j of
    the LCS table is kept as a bit vector V_j (Hyyro 2004): bit i-1 is 0 exactly where
    table[i][j] == table[i-1][j] + 1. rouge-score's backtrack, at cell (i, j), takes a match when
    ref[i-1] == can[j-1], else moves up when table[i-1][j] == table[i][j] and left otherwise; so within
    column j it climbs to the highest row at or below i whose bit is a match or a 0 in V_j, and handles that
    one row. One step per column, not per cell, and the same path.

    A column without a match leaves V as it is, and the step through it is idempotent (it climbs to just
    above the highest 0 bit below i and stays there), so a run of such columns is walked as one; before the
    first match they all end the walk, so none is kept.
    """
    full = (1 << rows) - 1
    vector = full
    columns = []
    last = -1
    for j, token in enumerate(can):
        if token in common:
            if j > last + 1 and last >= 0:
                columns.append((vector, 0))  # the run of columns without a match since the last match
            last = j
            match = masks[token]
            step = vector & match
            vector = ((vector + step) | (vector - step)) & full
            columns.append((vector, match))
    if last < len(can) - 1:
        columns.append((vector, 0))  # the columns after the last match
    indices = []
    i = rows
    for vector, match in reversed(columns):
        stops = (~vector | match) & ((1 << i) - 1)
        if not stops:
            break  # the path climbs to row 0 in this column: done
        row = stops.bit_length() - 1
        if (match >> row) & 1:
            indices.append(row)
            i = row
        else:
            i = row + 1
    return indices
