"""Fact tables: automatic extraction against the curated gold table, gold validation, serialisation."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
import yaml

from harness.documents import load_documents
from harness.errors import HarnessError
from harness.facts import FactTable, agree, extract_facts, table_for_document
from harness.facts.gold import parse_gold
from harness.facts.lexicon import stem

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "references" / "syria-talks"


@pytest.fixture(scope="module")
def document():
    return load_documents(SEED)[0]


@pytest.fixture(scope="module")
def gold(document):
    return parse_gold(document.facts, document.article)


def test_gold_table_has_the_key_casualty_and_trapped_figures(gold) -> None:
    keys = {fact.id for fact in gold if fact.key}
    assert {"war-dead", "trapped-civilians", "trapped-children"} <= keys
    assert len(gold) >= 10


def test_extraction_finds_every_gold_fact(document, gold) -> None:
    """Automatic extraction, without the gold table, finds each gold fact: value, counted noun, evidence."""
    table = extract_facts(document.article)
    for fact in gold:
        found = [f for f in table.facts if f.quantity.span == fact.quantity.span]
        assert found, f"{fact.id}: not extracted"
        auto = found[0]
        assert agree(auto.quantity, fact.quantity) and auto.quantity.value == fact.quantity.value, fact.id
        assert auto.quantity.kind == fact.quantity.kind, fact.id
        assert auto.noun == fact.noun, f"{fact.id}: noun {auto.noun!r}, gold {fact.noun!r}"
        assert auto.evidence == fact.evidence, fact.id
        assert document.article[auto.evidence.start : auto.evidence.end] == auto.evidence.sentence


def test_extraction_reads_predicates_of_the_key_facts(document) -> None:
    table = extract_facts(document.article)
    by_text = {f.quantity.text: f for f in table.facts}
    assert by_text["roughly half a million"].predicate_class == "death"
    assert by_text["Roughly 275,000"].predicate == "trapped"
    assert by_text["an estimated 100,000"].predicate == "trapped"
    assert by_text["Hundreds"].predicate_class == "death"
    assert by_text["Sept. 9"].predicate_class == "agreement"
    assert by_text["Sept. 19"].noun == stem("bombing")
    assert by_text["roughly half a million"].qualifiers["hedge"] == "roughly"
    assert by_text["Hundreds"].qualifiers["time"] == "the past week"


def test_table_for_document_overlays_gold(document) -> None:
    table = table_for_document(document)
    assert table.has_gold
    assert {f.id for f in table.key_facts()} == {"war-dead", "trapped-civilians", "trapped-children"}
    assert table.get("aid-convoy-bombing").quantity.text == "Sept. 19"
    assert len({f.quantity.span for f in table.facts}) == len(table.facts)  # gold replaced, not duplicated


def test_automatic_key_facts_without_gold() -> None:
    table = extract_facts("Roughly 275,000 civilians are trapped, officials said on Monday. The talks began in 2011.")
    assert [f.quantity.text for f in table.key_facts()] == ["Roughly 275,000"]


def test_serialisation_round_trip(document) -> None:
    table = table_for_document(document)
    assert FactTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table
    assert FactTable.from_dict(yaml.safe_load(yaml.safe_dump(table.to_dict()))) == table


def test_render_is_a_plain_text_table(document) -> None:
    lines = table_for_document(document).render().splitlines()
    assert lines[0].split()[:3] == ["id", "value", "kind"]
    assert any(line.startswith("war-dead") and "yes" in line for line in lines)
    assert len(lines) == len(table_for_document(document).facts) + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": 400000}, "reads as 500000"),
        ({"evidence": "A sentence the article does not have."}, "evidence"),
        ({"text": "roughly a million"}, "not in its evidence sentence"),
        ({"kind": "money"}, "field 'kind'"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"key": "yes"}, "field 'key'"),
    ],
)
def test_gold_errors_name_the_entry_and_field(document, change, message) -> None:
    raw = {"facts": [dict(document.facts["facts"][0], **change)]}
    with pytest.raises(HarnessError, match=message) as error:
        parse_gold(raw, document.article, "facts.yaml")
    assert str(error.value).startswith("facts.yaml: facts[0]")


def test_gold_rejects_duplicate_ids(document) -> None:
    first = document.facts["facts"][0]
    with pytest.raises(HarnessError, match="appears twice"):
        parse_gold({"facts": [first, first]}, document.article)


def test_malformed_table_is_unusable_input() -> None:
    with pytest.raises(HarnessError):
        FactTable.from_dict({"facts": [{"id": "x"}]})


def test_facts_imports_only_allowed_project_modules() -> None:
    """harness.facts is floor 2: it may import harness.text, harness.errors, harness.documents only."""
    allowed = {"harness.text", "harness.errors", "harness.documents"}
    for path in (ROOT / "harness" / "facts").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                if name.startswith("harness") and not name.startswith("harness.facts"):
                    assert name in allowed, f"{path.name} imports {name}"


def _seed_copy(tmp_path: Path, edit) -> tuple[Path, Path]:
    """A copy of the seed document folder with its facts.yaml edited, and a config that runs lead-3 on it."""
    folder = tmp_path / "refs" / "syria-talks"
    shutil.copytree(SEED, folder)
    raw = (folder / "facts.yaml").read_text(encoding="utf-8")
    (folder / "facts.yaml").write_text(edit(raw), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("name: bad-facts\ndataset: {path: refs}\nmodels: [{name: lead-3, backend: lead, sentences: 3}]\n"
                      "output: out\nreport: false\n", encoding="utf-8")  # fmt: skip
    return folder / "facts.yaml", config


@pytest.mark.parametrize(("edit", "field", "problem"), [
    (lambda raw: raw.replace("value: 500000", "value: 123", 1), "value: 123", "field 'value' is 123 but"),
    (lambda raw: raw.replace("    key: true", "    colour: red", 1), "colour: red", "unknown field 'colour'"),
    (lambda raw: raw.replace("name: John Kirby", "name: Geneva", 1), "name: Geneva", "is not an entity of the article"),
])  # fmt: skip
def test_a_bad_curated_entry_stops_validate_and_run_before_any_model_runs(tmp_path, capsys, monkeypatch, edit, field,
                                                                          problem) -> None:  # fmt: skip
    """One line with the file, the line of the bad field and what is wrong, exit 2, nothing generated."""
    from harness import cli, runner

    facts_yaml, config = _seed_copy(tmp_path, edit)
    line = next(n for n, text in enumerate(facts_yaml.read_text(encoding="utf-8").splitlines(), 1) if field in text)
    monkeypatch.setattr(runner, "generate", lambda *a, **k: pytest.fail("a model ran before the curated facts were checked"))
    for command in ("validate", "run"):
        assert cli.main([command, str(config)]) == 2
        errors = [text for text in capsys.readouterr().err.splitlines() if text.strip()]
        assert len(errors) == 1 and errors[0].startswith(f"error: {facts_yaml}:{line}: "), errors
        assert problem in errors[0]
