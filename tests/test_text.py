from harness.text import count_words, paragraphs, sentence_spans, split_sentences, words


def test_abbreviations_do_not_end_sentences():
    text = "The deal was reached on Sept. 9 with Russia. Mr. Kirby said the U.S. would act. It did not."
    assert split_sentences(text) == [
        "The deal was reached on Sept. 9 with Russia.",
        "Mr. Kirby said the U.S. would act.",
        "It did not.",
    ]


def test_paragraphs_never_share_a_sentence():
    text = "Headline without a period\n\nFirst sentence here. Second one.\nStill the second paragraph."
    assert split_sentences(text) == [
        "Headline without a period",
        "First sentence here.",
        "Second one.",
        "Still the second paragraph.",
    ]


def test_spans_point_into_the_original_text():
    text = "  One here.  Two there.\n\n  Three, with Mr. Smith.  "
    spans = sentence_spans(text)
    assert [s.text for s in spans] == ["One here.", "Two there.", "Three, with Mr. Smith."]
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_paragraph_offsets():
    text = "a b\n\n\n  c d  \n\ne"
    assert [(p.text, text[p.start : p.end]) for p in paragraphs(text)] == [("a b", "a b"), ("c d", "c d"), ("e", "e")]


def test_words_keep_numbers_and_contractions_whole():
    assert words("Roughly 275,000 civilians — Russia's Iran-backed 1.2 million.") == [
        "Roughly", "275,000", "civilians", "Russia's", "Iran-backed", "1.2", "million",
    ]
    assert count_words("") == 0


def test_seed_article_sentences(seed_article):
    sentences = split_sentences(seed_article)
    assert "Roughly 275,000 civilians are trapped in those areas, including an estimated 100,000 children." in sentences
    assert any(s.startswith("“This is not a decision that was taken lightly,” Mr. Kirby said.") for s in sentences)
    assert not any(s.endswith(("Sept.", "Mr.")) for s in sentences)


def test_sentence_splitting_is_safe_from_many_threads(seed_article):
    import concurrent.futures

    expected = split_sentences(seed_article)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(split_sentences, [seed_article] * 64))
    assert all(result == expected for result in results)
