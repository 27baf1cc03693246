"""Figures copied with their words from the article are supported, whatever the alignment says."""

import harness.facts.check as check
from harness.facts import check_summary, extract_facts
from harness.facts.copied import copied_window, normalized, window

ARTICLE = "Roughly 275,000 civilians are trapped in those areas, including an estimated 100,000 children."


def test_window_takes_three_words_each_side_within_the_sentence():
    sentence = "Roughly 275,000 civilians are trapped in those areas."
    start = sentence.index("275,000")
    assert window(sentence, start, start + 7) == " roughly 275,000 civilians are trapped in those "  # 1 word before: 5 after
    assert window("Aid: 5 trucks.", 5, 6) is None  # too little context to prove a copy


def test_copy_needs_both_sides():
    article = normalized(ARTICLE)
    copied = "They said 275,000 civilians are trapped in those areas."
    start = copied.index("275,000")
    assert copied_window(copied, start, start + 7, article) is None  # "they said" is not the article's
    same = "Roughly 275,000 civilians are trapped in those areas, aid groups say."
    assert copied_window(same, 8, 15, article) == " roughly 275,000 civilians are trapped in those "
    moved = "Roughly 275,000 children are trapped in those areas."
    assert copied_window(moved, 8, 15, article) is None  # the noun after the figure changed


def test_a_copied_figure_overrides_a_stray_alignment(monkeypatch):
    table = extract_facts(ARTICLE)
    real = check._judge_by_alignment

    def stray(mention, table):
        claim = real(mention, table)
        return check._claim(mention, check.CONTRADICTED, claim.fact, "a stray alignment")

    monkeypatch.setattr(check, "_judge_by_alignment", stray)
    copied = check_summary("Roughly 275,000 civilians are trapped in those areas, officials said.", table).claims[0]
    assert copied.verdict == "supported" and copied.reason.startswith("copied with its context from the article")
    assert copied.evidence is not None and copied.evidence.sentence == ARTICLE
    rephrased = check_summary("About 275,000 civilians remain stuck.", table).claims[0]
    assert rephrased.verdict == "contradicted"  # not a copy: the alignment's verdict stands
