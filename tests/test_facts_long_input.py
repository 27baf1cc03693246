"""Long and pathological input: fact extraction stays linear, and `dataset.max_article_chars` cuts or refuses
over-long articles with a message and a `truncated` mark, never silently.

No test here is timed (speed goals live in benchmarks/facts_speed.py); a generous alarm only turns a hang
(the quadratic scans these inputs used to hit) into a failure instead of a stuck suite.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
from pathlib import Path

import pytest
from conftest import SEED_DIR

from harness.config import load_config
from harness.dataset import cut_article, load_dataset
from harness.errors import HarnessError
from harness.facts import check_summary, extract_facts
from harness.facts.numbers import tokenize
from harness.facts.sentences import WINDOW, fact_sentences
from harness.text import Span

HANG_GUARD_S = 120  # seconds; these inputs take about one on a quiet machine, and took hours before


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_GUARD_S):
    """Fail (rather than hang) when the body runs longer than `seconds`; a no-op where SIGALRM is missing."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def fail(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: superlinear on long input?")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# One news-like clause, repeated without a full stop: every few words a figure of another kind.
CLAUSE = ("some 5 men and three women were hurt on March 12 when about £50,000 went to 200 homes, more than "
          "a dozen of them in the 2011 season; ")  # fmt: skip


def test_a_megabyte_sentence_without_breaks_is_read_in_linear_time():
    text = CLAUSE * (1_000_000 // len(CLAUSE))
    with hang_guard():
        table = extract_facts(text, sentences=[Span(text, 0, len(text))])  # one 1 MB "sentence"
    per_clause = len(extract_facts(CLAUSE).facts)
    assert per_clause >= 6
    assert len(table.facts) == per_clause * (len(text) // len(CLAUSE))
    assert {f.quantity.kind for f in table.facts} >= {"count", "date", "money", "year"}


def test_long_paragraphs_are_split_in_bounded_windows_covering_the_text():
    text = CLAUSE.replace(";", "") * (60_000 // len(CLAUSE))
    with hang_guard():
        spans = fact_sentences(text)
    assert len(spans) >= len(text) // WINDOW
    assert all(len(span.text) <= WINDOW for span in spans)
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert "".join(s.text for s in spans).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("text", [
    "1" * 100_000,  # int() refuses strings of 4,300+ digits: a long digit run is an identifier, not a figure
    "1," * 30_000,  # a hundred thousand alike figures: alignment compares each claim with one of them
    "one " * 25_000,  # number words: text2num re-reads the growing phrase
    "hundred and " * 8_000,
    "more than about nearly " * 4_000,
    "a" * 100_000,
    "-" * 100_000,
])  # fmt: skip
def test_degenerate_runs_finish_and_do_not_crash(text):
    with hang_guard():
        table = extract_facts(text, sentences=[Span(text, 0, len(text))])
        result = check_summary(text[:500], table)
    assert len(result.claims) <= len(tokenize(text[:500]))


# Each took minutes before (quadratic: a title test, a speech-verb search, a compound-word split or a
# figure's context re-read the rest of a run or sentence); the hang guard fails them if that comes back.
# benchmarks/facts_scaling.py measures the ratios.
SEED_TABLE_TEXT = "Roughly 275,000 civilians are trapped in Aleppo, including an estimated 100,000 children."


@pytest.mark.parametrize("side, text, claims", [
    ("article", " ".join(["Aleppo"] * 60_000) + ".", 0),  # one run of 60,000 capitalised words
    ("summary", " ".join(["Aleppo"] * 60_000) + ".", 1),  # ... is one (odd) name
    ("article", " ".join(["Foreign Minister Sergey Lavrov"] * 40_000) + ".", 0),  # a titled name, again and again
    ("summary", "a" * 1_000_000, 0),  # one 1 MB "word" that is no compound of two known words
    ("summary", "on Friday, March 13, 2015 and on 12 March " * 8_000, 32_000),  # one sentence of 32,000 figures
])  # fmt: skip
def test_long_runs_of_names_words_and_figures_are_read_in_linear_time(side, text, claims):
    with hang_guard():
        if side == "article":
            assert extract_facts(text).entities.entities  # the names were read, not skipped
        else:
            result = check_summary(text, extract_facts(SEED_TABLE_TEXT))
            assert len(result.claims) + len(result.entity_claims) >= claims


def test_a_long_digit_run_is_a_name_token_not_a_number():
    tokens = tokenize(f"code {'1234567890' * 11} and 42")  # past MAX_DIGITS (100): 25 to 100 digits are a figure
    assert [t.kind for t in tokens] == ["word", "name", "word", "num"]
    assert tokens[-1].number == 42.0


def test_a_summary_without_any_figure_needs_no_sentence_split(monkeypatch):
    import harness.facts.extract as extract

    table = extract_facts("Officials said 12 people were hurt in the blast on Monday.")
    monkeypatch.setattr(extract, "fact_sentences", lambda text: pytest.fail("split a summary with no figure"))
    assert check_summary("Officials said people were hurt in the blast.", table).claims == ()


# --- dataset.max_article_chars ---------------------------------------------------------------------


def test_cut_article_prefers_paragraph_then_sentence_then_word():
    paragraphs = "First paragraph here. It ends.\n\nSecond paragraph is long " + "word " * 30
    kept, boundary = cut_article(paragraphs, 60)
    assert (kept, boundary) == ("First paragraph here. It ends.", "paragraph")
    sentences = "One sentence ends here. Another one ends here. And a third goes on and on " + "x " * 20
    kept, boundary = cut_article(sentences, 60)
    assert (kept, boundary) == ("One sentence ends here. Another one ends here.", "sentence")
    kept, boundary = cut_article("word " * 40, 52)
    assert boundary == "word" and len(kept) <= 52 and kept.endswith("word")
    kept, boundary = cut_article("x" * 100, 30)
    assert (kept, boundary) == ("x" * 30, "character")


def _long_docs(tmp_path: Path) -> Path:
    article = "The council said 40 homes were flooded. " * 50 + "\n\nA later paragraph says 12 were rebuilt."
    records = [{"id": "long", "article": article, "references": ["Forty homes flooded."]},
               {"id": "short", "article": "Ten people attended.", "references": ["Ten came."]}]  # fmt: skip
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


MODELS = "models: [{name: lead-1, backend: lead, sentences: 1}]\n"


def test_over_long_article_is_cut_at_a_boundary_with_a_warning_and_a_mark(write_config, tmp_path, caplog):
    docs = _long_docs(tmp_path)
    config = write_config(f"name: t\ndataset:\n  path: {docs}\n  max_article_chars: 500\n{MODELS}")
    with caplog.at_level(logging.WARNING, logger="harness.dataset"):
        documents = {d.doc_id: d for d in load_dataset(load_config(config))}
    long, short = documents["long"], documents["short"]
    assert len(long.article) <= 500 and long.article.endswith("flooded.")
    assert long.meta["truncated"] == {"chars": 2041, "kept": len(long.article), "boundary": "sentence",
                                      "max_article_chars": 500}  # fmt: skip
    assert long.to_record()["truncated"]["kept"] == len(long.article)  # written into the run's documents.jsonl
    assert "truncated" not in short.meta and "truncated" not in short.to_record()
    warning = "\n".join(r.getMessage() for r in caplog.records)
    assert "document 'long'" in warning and "2,041" in warning and "max_article_chars 500" in warning


def test_over_long_article_is_refused_when_asked_one_line_naming_document_and_field(write_config, tmp_path):
    docs = _long_docs(tmp_path)
    config = write_config(f"name: t\ndataset:\n  path: {docs}\n  max_article_chars: 500\n"
                          f"  on_long_article: error\n{MODELS}")  # fmt: skip
    with pytest.raises(HarnessError) as error:
        load_dataset(load_config(config))
    message = str(error.value)
    assert "\n" not in message
    assert "config.yaml" in message and "max_article_chars" in message and "'long'" in message and "2,041" in message


def test_default_limit_leaves_ordinary_articles_alone_and_null_disables_it(write_config, tmp_path):
    docs = _long_docs(tmp_path)
    default = load_dataset(load_config(write_config(f"name: t\ndataset:\n  path: {docs}\n{MODELS}")))
    assert all("truncated" not in d.meta for d in default)
    assert load_config(write_config(f"name: t\ndataset:\n  path: {docs}\n{MODELS}")).dataset.max_article_chars == 200_000
    off = write_config(f"name: t\ndataset:\n  path: {docs}\n  max_article_chars: null\n{MODELS}", name="off.yaml")
    assert load_config(off).dataset.max_article_chars is None


def test_curated_facts_cut_off_with_the_article_say_so(write_config, capsys):
    from harness.cli import main

    config = write_config(f"name: t\ndataset:\n  path: {SEED_DIR}\n  max_article_chars: 100\n{MODELS}")
    assert main(["validate", str(config)]) == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "facts.yaml:" in message and "field 'evidence' is not found in one sentence of the article" in message
    assert message.endswith("(the article was cut from 4,901 to 94 characters by dataset.max_article_chars: raise the limit "
                            "to check its curated facts)")  # fmt: skip
