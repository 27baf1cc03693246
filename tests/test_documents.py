import json

import pytest
import yaml
from conftest import SEED_DIR

from harness.documents import Document, load_documents, strip_page_furniture
from harness.errors import HarnessError


def test_references_directory_loads_the_seed(root):
    documents = load_documents(root / "references")
    seed = next(d for d in documents if d.doc_id == "syria-talks")
    assert seed.title == "U.S. Suspends Talks With Russia on Syria"
    assert seed.article.startswith("WASHINGTON — The United States formally suspended talks")
    assert {ref.id for ref in seed.references} == {"headline", "short", "medium"}


def test_one_document_folder_loads_directly():
    (document,) = load_documents(SEED_DIR)
    assert document.doc_id == "syria-talks"
    assert document.source == str(SEED_DIR)


def test_cleaned_article_is_reproducible_from_the_raw_page():
    raw = (SEED_DIR / "raw.txt").read_text(encoding="utf-8")
    meta = yaml.safe_load((SEED_DIR / "meta.yaml").read_text(encoding="utf-8"))
    cleaned = strip_page_furniture(raw)
    assert cleaned.body == (SEED_DIR / "article.txt").read_text(encoding="utf-8").strip()
    assert cleaned.title == meta["title"]
    assert [dict(r) for r in cleaned.removed] == meta["cleaning"]["removed"]


def test_page_furniture_is_gone_and_prose_kept():
    article = (SEED_DIR / "article.txt").read_text(encoding="utf-8")
    for furniture in ("HomeMiddle East", "Interactive Feature |", "Graphic |", "Let’s block ads!", "(via NY Times)", "Thursday / April 2."):
        assert furniture not in article
    assert "Roughly 275,000 civilians are trapped in those areas, including an estimated 100,000 children." in article
    assert article.rstrip().endswith("as part of a monthly rotation.")


@pytest.mark.parametrize("name", ["headline", "short", "medium"])
def test_reference_summaries_state_the_key_figures(name):
    text = (SEED_DIR / "summaries" / f"{name}.txt").read_text(encoding="utf-8")
    assert "275,000 civilians" in text
    assert "100,000" in text and "children" in text
    if name != "headline":
        assert "half a million" in text and "2011" in text


def test_reference_summaries_have_the_promised_lengths():
    def sentences(name):
        from harness.text import split_sentences

        return split_sentences((SEED_DIR / "summaries" / f"{name}.txt").read_text(encoding="utf-8"))

    assert len(sentences("headline")) == 1
    assert len(sentences("short")) == 3
    medium_words = len((SEED_DIR / "summaries" / "medium.txt").read_text(encoding="utf-8").split())
    assert 90 <= medium_words <= 120


def test_jsonl_references_as_strings_or_objects(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(
        json.dumps({"id": "a", "article": "Text one.", "references": ["Ref.", {"id": "gold", "text": "Gold."}]}) + "\n\n"
        + json.dumps({"id": 7, "article": "Text two.", "references": "Only one."}) + "\n",
        encoding="utf-8",
    )
    first, second = load_documents(path)
    assert [(r.id, r.text) for r in first.references] == [("ref0", "Ref."), ("gold", "Gold.")]
    assert second.doc_id == "7" and [r.text for r in second.references] == ["Only one."]


def test_record_round_trip():
    document = Document("x", "An article.", title="T")
    assert Document.from_record(document.to_record(), source="mem").to_record() == document.to_record()


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "a", "article": "   "}\n', "docs.jsonl:1: document 'a' has an empty article"),
        ('{"id": "a", "article": "x"}\n{"id": "b", "article": \n', "docs.jsonl:2: not valid JSON"),
        ('{"article": "x"}\n', "docs.jsonl:1: field 'id' is missing or empty"),
        ('{"id": "a", "article": 3}\n', "document 'a': field 'article' must be a string"),
        ('{"id": "a", "article": "x", "references": [1]}\n', "references[0] must be a string"),
        ('{"id": "a", "article": "x"}\n{"id": "a", "article": "y"}\n', "document id 'a' appears twice"),
        ("", "holds no documents"),
    ],
)
def test_bad_jsonl_names_file_line_and_field(tmp_path, content, message):
    path = tmp_path / "docs.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HarnessError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_documents(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(HarnessError, match="no such file or directory"):
        load_documents(tmp_path / "nope")
    with pytest.raises(HarnessError, match="holds no documents"):
        load_documents(tmp_path)


def test_empty_article_file_is_refused(tmp_path):
    folder = tmp_path / "refs" / "empty-doc"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(HarnessError, match="document 'empty-doc' has an empty article"):
        load_documents(tmp_path / "refs")
