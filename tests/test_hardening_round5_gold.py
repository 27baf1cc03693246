"""Round 5 of hardening: curated facts.yaml (qualifiers, values, top-level keys, ids, text fields) and the pytest
plugin's misuse and run folders. Each test names the QA finding it covers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_DIR

from harness import cli
from harness.errors import HarnessError
from harness.facts import extract_facts
from harness.pytest_plugin import assert_facts_preserved, assert_scores

pytest_plugins = ["pytester"]

ARTICLE = "The storm cut power to 30,000 homes on Tuesday in Leeds. Crews restored most lines by noon on Wednesday."
EVIDENCE = "The storm cut power to 30,000 homes on Tuesday in Leeds."
ENTRY = {"id": "homes", "text": "30,000", "value": 30000, "evidence": EVIDENCE, "key": True}
SUMMARY = "The storm cut power to 30,000 homes in Leeds."


def storm(tmp_path: Path, facts_yaml: str) -> Path:
    """A document folder holding the storm article and the given facts.yaml."""
    folder = tmp_path / "storm"
    folder.mkdir()
    (folder / "article.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    (folder / "facts.yaml").write_text(facts_yaml, encoding="utf-8")
    return folder


def facts_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line of `harness facts FOLDER`, which must exit 2."""
    code = cli.main(["facts", str(folder), "--summary", SUMMARY])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, lines
    return lines[0]


def entry_yaml(field: str, value: str) -> str:
    """facts.yaml with one figure entry whose `field` is `value`, written last, on line 7."""
    fields = {"id": "homes", "text": '"30,000"', "value": "30000", "evidence": f'"{EVIDENCE}"', "key": "true"}
    fields.pop(field, None)
    if len(fields) < 5:
        fields["note"] = "filler"
    names = list(fields)
    lines = ["facts:", f"  - {names[0]}: {fields[names[0]]}", *[f"    {name}: {fields[name]}" for name in names[1:]]]
    return "\n".join([*lines, f"    {field}: {value}"]) + "\n"


def raw_error(raw: Any, article: str = ARTICLE) -> str:
    """The HarnessError message of laying a loaded facts.yaml over the article."""
    with pytest.raises(HarnessError) as raised:
        extract_facts(article, raw, "facts.yaml")
    assert "\n" not in str(raised.value)
    return str(raised.value)


# --- F5: qualifiers that are not a mapping ----------------------------------------------------------


@pytest.mark.parametrize("value", ["[abc]", '"xy"', "5", "[[a, b]]", "[]"])
def test_f5_qualifiers_not_a_mapping_is_one_line_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    folder = storm(tmp_path, entry_yaml("qualifiers", value))
    expected = f"error: {folder / 'facts.yaml'}:7: facts[0] ('homes'): field 'qualifiers' must be a mapping"
    assert facts_error(folder, capsys) == expected


def test_f5_qualifiers_in_validate_run_and_selftest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = storm(tmp_path, entry_yaml("qualifiers", "[abc]"))
    config = tmp_path / "c.yaml"
    config.write_text(f"name: q\ndataset: {{path: {folder.parent}}}\nmodels: [{{name: lead-1, backend: lead, sentences: 1}}]\n"
                      "output: out\nreport: false\n", encoding="utf-8")  # fmt: skip
    for argv in (["validate", str(config)], ["run", str(config)], ["selftest", "--dataset", str(folder.parent)]):
        assert cli.main(argv) == 2, argv
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert lines == [f"error: {folder / 'facts.yaml'}:7: facts[0] ('homes'): field 'qualifiers' must be a mapping"], argv
    assert not (tmp_path / "out" / "q").exists()


def test_f5_qualifier_values_must_be_text() -> None:
    message = raw_error({"facts": [dict(ENTRY, qualifiers={"time": ["Tuesday"]})]})
    assert message == "facts.yaml: facts[0] ('homes'): field 'qualifiers' must map names to text ('time' is a list)"


def test_f5_a_mapping_of_qualifiers_still_loads() -> None:
    table = extract_facts(ARTICLE, {"facts": [dict(ENTRY, qualifiers={"time": "Tuesday", "place": "Leeds"})]})
    assert table.get("homes").qualifiers == {"time": "Tuesday", "place": "Leeds"}


# --- F13: values that are not finite -------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"inf"', '"nan"', '"Infinity"', '"-inf"', "1e400", '"1e400"', "-1e400"])
def test_f13_value_that_is_not_finite_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    folder = storm(tmp_path, entry_yaml("value", value))
    assert facts_error(folder, capsys) == f"error: {folder / 'facts.yaml'}:7: facts[0] ('homes'): field 'value' must be a finite number"


@pytest.mark.parametrize("value", [float("inf"), float("nan"), True])
def test_f13_loaded_values_that_would_match_anything(value: Any) -> None:
    message = raw_error({"facts": [dict(ENTRY, value=value)]})
    assert message.startswith("facts.yaml: facts[0] ('homes'): field 'value' must be a")


def test_f13_a_number_given_as_text_still_loads() -> None:
    assert extract_facts(ARTICLE, {"facts": [dict(ENTRY, value="30000")]}).get("homes").quantity.value == 30000


# --- F14: unknown top-level keys; a figure id that is also an entity id --------------------------------------


def test_f14_misspelt_entities_is_an_error_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = storm(tmp_path, f'facts:\n  - {{id: a, text: "30,000", value: 30000, evidence: "{EVIDENCE}", key: true}}\n'
                             "entites:\n  - {id: leeds, name: Leeds, key: true}\n")  # fmt: skip
    line = facts_error(folder, capsys)
    # the line of the key or of its value (a block list starts on the next line)
    assert line in (f"error: {folder / 'facts.yaml'}:{n}: unknown field 'entites'; did you mean 'entities'?" for n in (3, 4)), line


def test_f14_other_top_level_keys_name_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = storm(tmp_path, "facts: []\nfoo: 1\n")
    assert facts_error(folder, capsys) == f"error: {folder / 'facts.yaml'}:2: unknown field 'foo'; known: entities, facts"
    assert raw_error({"fact": []}) == "facts.yaml: unknown field 'fact'; did you mean 'facts'?"


def test_f14_entry_fields_get_the_hint_too() -> None:
    assert raw_error({"facts": [dict(ENTRY, vaule=1)]}) == "facts.yaml: facts[0]: unknown field 'vaule'; did you mean 'value'?"


def test_f14_figure_id_equal_to_an_entity_id_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = storm(tmp_path, f'facts:\n  - {{id: a, text: "30,000", value: 30000, evidence: "{EVIDENCE}"}}\n'
                             "entities:\n  - {id: a, name: Leeds, key: true}\n")  # fmt: skip
    assert facts_error(folder, capsys) == f"error: {folder / 'facts.yaml'}:4: entities[0] ('a'): id is also the id of facts[0]; choose another"


def test_f14_figure_id_equal_to_an_automatic_entity_id_is_refused() -> None:
    automatic = extract_facts(ARTICLE).entities.entities[0].id
    message = raw_error({"facts": [dict(ENTRY, id=automatic)]})
    assert message == f"facts.yaml: facts[0] ('{automatic}'): id is also an automatic entity id; choose another"
    # unless a curated entity takes the automatic entity's place under another id
    table = extract_facts(ARTICLE, {"facts": [dict(ENTRY, id=automatic)], "entities": [{"id": "leeds", "name": "Leeds"}]})
    assert table.get(automatic) is not None and "leeds" in {e.id for e in table.entities.entities}


def test_f14_the_seed_table_still_loads() -> None:
    from harness.documents import find_document
    from harness.facts import table_for_document

    table = table_for_document(find_document(SEED_DIR))
    assert table.has_gold and table.get("war-dead").key


# --- F21: blank evidence, ids and names that are not text; keys given as one string ---------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"facts": [dict(ENTRY, evidence=" ")]}, "facts.yaml: facts[0]: field 'evidence' is empty"),
        ({"facts": [dict(ENTRY, evidence="")]}, "facts.yaml: facts[0]: field 'evidence' is empty"),
        ({"facts": [dict(ENTRY, id=["a", "b"])]}, "facts.yaml: facts[0]: field 'id' must be text or a whole number, not a list"),
        ({"facts": [dict(ENTRY, id=7.5)]}, "facts.yaml: facts[0]: field 'id' must be text or a whole number, not 7.5"),
        ({"facts": [dict(ENTRY, noun=["homes"])]}, "facts.yaml: facts[0]: field 'noun' must be text, not a list"),
        ({"facts": [dict(ENTRY, predicate={"a": 1})]}, "facts.yaml: facts[0]: field 'predicate' must be text, not a mapping"),
        ({"facts": [ENTRY], "entities": [{"id": "leeds", "name": ["Leeds"]}]},
         "facts.yaml: entities[0]: field 'name' must be text, not a list"),
        ({"facts": [ENTRY], "entities": [{"id": ["x"], "name": "Leeds"}]},
         "facts.yaml: entities[0]: field 'id' must be text or a whole number, not a list"),
        ({"facts": [dict(ENTRY, id=True)]}, "facts.yaml: facts[0]: field 'id' must be text or a whole number, not true (quote it if it is text)"),
    ],
)  # fmt: skip
def test_f21_fields_of_the_wrong_kind_are_one_line_errors(raw: Any, expected: str) -> None:
    assert raw_error(raw) == expected


def test_f21_blank_evidence_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = storm(tmp_path, entry_yaml("evidence", '" "'))
    assert facts_error(folder, capsys) == f"error: {folder / 'facts.yaml'}:7: facts[0]: field 'evidence' is empty"


def test_f21_whole_number_ids_still_load() -> None:
    assert extract_facts(ARTICLE, {"facts": [dict(ENTRY, id=7)]}).get("7") is not None


def test_f21_keys_as_one_string_is_one_key() -> None:
    table = extract_facts(ARTICLE, {"facts": [ENTRY]})
    assert assert_facts_preserved(SUMMARY, table, keys="homes").key_fact_recall == 1.0
    with pytest.raises(AssertionError, match=r"lost: .*\(homes\)"):
        assert_facts_preserved("Crews restored most lines by noon on Wednesday.", table, keys="homes")
    with pytest.raises(pytest.UsageError, match=r"no fact or entity nope in the table"):
        assert_facts_preserved(SUMMARY, table, keys="nope")


@pytest.mark.parametrize(("keys", "expected"), [(5, "keys must be a list of fact or entity ids"), ([1], "keys must be fact or entity ids (text); got 1")])
def test_f21_keys_of_the_wrong_kind_are_usage_errors(keys: Any, expected: str) -> None:
    with pytest.raises(pytest.UsageError) as raised:
        assert_facts_preserved(SUMMARY, ARTICLE, keys=keys)
    assert expected in str(raised.value) and "\n" not in str(raised.value)


# --- F9: assert_scores and the marker misused --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"max": {"facts.contradicted": 0}, "metrics": {"rouge": {"types": "rouge1"}}},
         "assert_scores: metrics.rouge.types: expected a list, got 'rouge1'"),
        ({"max": {"facts.contradicted": 0}, "metrics": {"facts": {"gold": "maybe", "foo": 1}}},
         "assert_scores: metrics.facts.gold: expected true/false, got 'maybe' (and 1 more: metrics.facts.foo)"),
        ({"max": {"facts.contradicted": 0}, "metrics": {"facts": {"foo": 1}}}, "assert_scores: metrics.facts.foo: unknown field"),
        ({"max": {"facts.contradicted": 0}, "metrics": {"rouge": 5}}, "assert_scores: metrics.rouge: expected a mapping"),
        ({"max": {"facts.contradicted": 0}, "metrics": ["rouge"]}, "assert_scores: metrics must be a mapping of scorer names"),
        ({"min": "facts.contradicted"}, "assert_scores: min must be a mapping of metric names to bounds"),
        ({"max": ["facts.contradicted"]}, "assert_scores: max must be a mapping of metric names to bounds"),
        ({"max": {1: 0}}, "assert_scores: max names metrics as text"),
    ],
)  # fmt: skip
def test_f9_assert_scores_misuse_is_a_one_line_usage_error(kwargs: dict[str, Any], expected: str) -> None:
    with pytest.raises(pytest.UsageError) as raised:
        assert_scores(SUMMARY, ARTICLE, **kwargs)
    assert str(raised.value).startswith(expected) and "\n" not in str(raised.value), str(raised.value)


def test_f9_good_metric_options_still_work() -> None:
    fields = assert_scores(SUMMARY, SEED_DIR, metrics={"facts": {"gold": False}}, max={"facts.contradicted": 5})
    assert "facts" in fields


# --- F9 (marker) and F16 (run folders), in a user's suite ---------------------------------------------------


def test_f9_f16_marker_misuse_and_configs_of_one_name(pytester: pytest.Pytester) -> None:
    """harness_config(123) is a usage error; path= works; two configs named alike keep their own run folders."""
    pytester.path.joinpath("d.jsonl").write_text(json.dumps({"id": "storm", "article": ARTICLE}) + "\n", encoding="utf-8")
    for folder, sentences in (("one", 1), ("two", 2)):  # the same file name in two folders, the same run name
        pytester.mkdir(folder).joinpath("eval.yaml").write_text(
            f"name: same\ndataset: {{path: ../d.jsonl}}\nmodels: [{{name: lead-{sentences}, backend: lead, sentences: {sentences}}}]\n",
            encoding="utf-8",
        )
    pytester.makepyfile(
        test_user="""
        import json, pathlib, pytest

        @pytest.mark.harness_config(123)
        def test_marker_not_a_path(harness_result):
            pass

        @pytest.mark.harness_config(path="one/eval.yaml")
        def test_marker_path_keyword(harness_result):
            assert harness_result.summary["models"].keys() == {"lead-1"}

        def test_same_name_two_configs(harness_run):
            first = harness_run("one/eval.yaml")
            second = harness_run("two/eval.yaml")
            assert pathlib.Path(first.run_dir) != pathlib.Path(second.run_dir)
            for result, model in ((first, "lead-1"), (second, "lead-2")):
                assert json.loads((pathlib.Path(result.run_dir) / "run.json").read_text())["models"] == [model]

        def test_harness_run_refuses_a_non_path(harness_run):
            with pytest.raises(pytest.UsageError, match="harness_run: expected the path of a config file, got None"):
                harness_run(None)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--harness-output={pytester.path / 'runs'}")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*UsageError: @pytest.mark.harness_config: expected the path of a config file, got 123 (int)*"])
    assert len(list((pytester.path / "runs").glob("eval-*/same/run.json"))) == 2
    assert (pytester.path / "runs" / ".cache").is_dir()  # the generation cache stays shared
