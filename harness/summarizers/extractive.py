"""Extractive baselines: lead-k, TextRank and LexRank.

TextRank (Mihalcea & Tarau, 2004) and LexRank (Erkan & Radev, 2004) come from sumy, fed with the
harness's sentences (harness.text) and word tokens, so no NLTK data is needed. sumy ranks every sentence; the
length budget (sentences or words) is applied here so all three backends share one rule.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pydantic import Field, model_validator

from harness.summarizers.base import BackendOptions, Summarizer, SummaryOutput
from harness.text import count_words, split_sentences, words


class ExtractiveOptions(BackendOptions):
    """Length of an extractive summary: a number of sentences or a word budget (default: 3 sentences)."""

    sentences: int | None = Field(None, gt=0, description="keep this many sentences")
    words: int | None = Field(
        None, gt=0, description="keep sentences up to this many words (the best sentence is always kept)"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_budget(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if data.get("sentences") is not None and data.get("words") is not None:
                raise ValueError("set either sentences or words, not both")
            if data.get("sentences") is None and data.get("words") is None:
                data = {**data, "sentences": 3}
        return data


class _Extractive(Summarizer):
    Options = ExtractiveOptions
    options: ExtractiveOptions
    parallel = True  # pure CPU work on the article alone: worker processes split the documents

    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput]]:
        """Summarize each article by selecting sentences; yields (index, output)."""
        for index, article in enumerate(articles):
            started = time.perf_counter()
            sentences = split_sentences(article)
            keep = self._select(sentences, self.rank(sentences))
            summary = " ".join(sentences[i] for i in sorted(keep))
            yield index, SummaryOutput(summary=summary, seconds=time.perf_counter() - started)

    def rank(self, sentences: list[str]) -> list[int]:
        """Sentence indices, best first."""
        raise NotImplementedError

    def _select(self, sentences: list[str], ranked: list[int]) -> list[int]:
        if self.options.sentences is not None:
            return ranked[: self.options.sentences]
        return fit_word_budget(ranked, [count_words(s) for s in sentences], self.options.words or 0)


def fit_word_budget(ranked: Sequence[int], lengths: Sequence[int], budget: int) -> list[int]:
    """Best-first sentences whose lengths sum to at most budget; the best one is kept even if longer."""
    chosen: list[int] = []
    total = 0
    for index in ranked:
        if not chosen or total + lengths[index] <= budget:
            chosen.append(index)
            total += lengths[index]
    return chosen


class Lead(_Extractive):
    """The first sentences of the article."""

    backend = "lead"
    description = "first k sentences (or first sentences up to a word budget) of the article"

    def rank(self, sentences: list[str]) -> list[int]:
        """Article order."""
        return list(range(len(sentences)))

    def _select(self, sentences: list[str], ranked: list[int]) -> list[int]:
        if self.options.sentences is not None:
            return ranked[: self.options.sentences]
        # A lead summary is a prefix: stop at the first sentence that does not fit.
        lengths = [count_words(s) for s in sentences]
        chosen: list[int] = []
        for index in ranked:
            if chosen and sum(lengths[i] for i in chosen) + lengths[index] > (self.options.words or 0):
                break
            chosen.append(index)
        return chosen


class _PysbdTokenizer:
    """The tokenizer interface sumy expects, backed by the harness's own splitter and word pattern."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return words(sentence)


class _SumyRanked(_Extractive):
    """A sumy graph summarizer used as a sentence ranker."""

    _algorithm_factory: Callable[[Any], Any]

    def rank(self, sentences: list[str]) -> list[int]:
        """Indices by sumy's score, best first; ties keep article order."""
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

        tokenizer = _PysbdTokenizer()
        document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
        stemmer, stop_words = _sumy_tools()
        algorithm = type(self)._algorithm_factory(stemmer)
        algorithm.stop_words = stop_words
        ranked: list[int] = []

        def keep_ranking(infos: list[Any]) -> list[Any]:
            # sumy hands the sentence count a best-first list of every sentence: record the order.
            ranked.extend(info.order for info in infos)
            return infos

        algorithm(document, keep_ranking)
        return ranked or list(range(len(sentences)))


@functools.lru_cache(maxsize=1)
def _sumy_tools() -> tuple[Callable[[str], str], frozenset[str]]:
    """sumy's English Snowball stemmer, remembering each word's stem, and its stop words, made once per process.

    sumy stems every word occurrence of every sentence pair and reads its stop-word file per summarizer: a third
    of TextRank's time went to stemming the same words again. The stems are the same; they are only computed once.
    """
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    return functools.lru_cache(maxsize=200_000)(Stemmer("english")), frozenset(get_stop_words("english"))


def _textrank(stemmer: Any) -> Any:
    from sumy.summarizers.text_rank import TextRankSummarizer

    return TextRankSummarizer(stemmer)


def _lexrank(stemmer: Any) -> Any:
    from sumy.summarizers.lex_rank import LexRankSummarizer

    return LexRankSummarizer(stemmer)


class TextRank(_SumyRanked):
    """TextRank: PageRank over a sentence graph weighted by word overlap (sumy)."""

    backend = "textrank"
    description = "TextRank (Mihalcea & Tarau, 2004) via sumy; top sentences kept in article order"
    _algorithm_factory = staticmethod(_textrank)


class LexRank(_SumyRanked):
    """LexRank: eigenvector centrality over a tf-idf cosine sentence graph (sumy)."""

    backend = "lexrank"
    description = "LexRank (Erkan & Radev, 2004) via sumy; top sentences kept in article order"
    _algorithm_factory = staticmethod(_lexrank)
