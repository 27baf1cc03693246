import pytest
from pydantic import ValidationError

from harness.summarizers.extractive import Lead, LexRank, TextRank, fit_word_budget
from harness.text import count_words, split_sentences


def summarize(cls, article, **options):
    summarizer = cls("m", cls.Options(**options))
    ((index, output),) = list(summarizer.summarize([article]))
    assert index == 0
    return output.summary


def test_lead_takes_the_first_sentences(seed_article):
    sentences = split_sentences(seed_article)
    assert summarize(Lead, seed_article, sentences=2) == " ".join(sentences[:2])
    assert summarize(Lead, seed_article) == " ".join(sentences[:3])  # the default


def test_lead_word_budget_is_a_prefix_that_fits(seed_article):
    sentences = split_sentences(seed_article)
    summary = summarize(Lead, seed_article, words=60)
    assert summary == " ".join(sentences[:2])
    assert count_words(summary) <= 60 < count_words(" ".join(sentences[:3]))


def test_lead_keeps_one_sentence_even_over_budget(seed_article):
    assert summarize(Lead, seed_article, words=3) == split_sentences(seed_article)[0]


@pytest.mark.parametrize("cls", [TextRank, LexRank])
def test_graph_rankers_keep_article_order_and_the_budget(cls, seed_article):
    sentences = split_sentences(seed_article)
    summarizer = cls("m", cls.Options(sentences=3))
    ranked = summarizer.rank(sentences)
    assert sorted(ranked) == list(range(len(sentences)))  # every sentence ranked once
    summary = summarize(cls, seed_article, sentences=3)
    assert summary == " ".join(sentences[i] for i in sorted(ranked[:3]))
    assert summary != " ".join(sentences[:3])  # not just lead-3
    budgeted = summarize(cls, seed_article, words=100)
    assert count_words(budgeted) <= 100


def test_textrank_and_lexrank_rank_differently(seed_article):
    sentences = split_sentences(seed_article)
    assert TextRank("a", TextRank.Options()).rank(sentences)[:3] != LexRank("b", LexRank.Options()).rank(sentences)[:3]


@pytest.mark.parametrize("cls", [Lead, TextRank, LexRank])
def test_short_articles_and_determinism(cls):
    article = "Only one sentence here."
    assert summarize(cls, article, sentences=5) == article
    text = "Cats purr. Dogs bark loudly at cats. Birds sing. Cats and dogs fight. Fish swim."
    assert summarize(cls, text, sentences=2) == summarize(cls, text, sentences=2)


def test_word_budget_skips_long_sentences_for_shorter_ones():
    assert fit_word_budget([0, 1, 2], [10, 50, 5], 20) == [0, 2]
    assert fit_word_budget([1, 0], [50, 10], 20) == [1]  # the best is kept even if over budget


def test_options_need_one_budget():
    with pytest.raises(ValidationError, match="either sentences or words"):
        Lead.Options(sentences=2, words=10)
    with pytest.raises(ValidationError):
        TextRank.Options(words=0)
