"""The pytest plugin as a user meets it: installed through the pytest11 entry point, used in their own suite."""

import pytest
from conftest import ROOT, SEED_DIR

from harness.facts import extract_facts
from harness.pytest_plugin import assert_facts_preserved, assert_no_contradictions

pytest_plugins = ["pytester"]

GOOD = "Roughly 275,000 civilians, an estimated 100,000 of them children, are trapped; the war has left half a million dead."


def test_assert_facts_preserved_passes_a_faithful_summary():
    result = assert_facts_preserved(GOOD, SEED_DIR)
    assert result.key_fact_recall == 1.0


def test_assert_facts_preserved_names_what_was_lost_and_contradicted():
    with pytest.raises(AssertionError) as caught:
        assert_facts_preserved("Some 275,000 children are trapped.", str(SEED_DIR), keys=["trapped-civilians", "war-dead"])
    message = str(caught.value)
    assert "lost: Roughly 275,000 civilians trapped (trapped-civilians)" in message
    assert "lost: roughly half a million people dead (war-dead)" in message
    assert "contradicted: 'Some 275,000':" in message


def test_keys_limit_the_check_and_unknown_keys_are_usage_errors():
    assert_facts_preserved("The war has left roughly half a million people dead.", SEED_DIR, keys=["war-dead"])
    with pytest.raises(pytest.UsageError, match="no fact or entity nope in the table"):
        assert_facts_preserved(GOOD, SEED_DIR, keys=["nope"])


def test_names_are_checked_like_figures():
    """Key entities are asked for by id; a name the article does not have, or gives another role, fails."""
    assert_facts_preserved("The United States suspended talks with Russia over Aleppo.", SEED_DIR, keys=["aleppo", "russia"])
    with pytest.raises(AssertionError) as caught:
        assert_facts_preserved("The United States suspended talks with Russia in Geneva.", SEED_DIR, keys=["aleppo"])
    message = str(caught.value)
    assert "lost: Aleppo (aleppo)" in message and "not in article: name 'Geneva'" in message
    with pytest.raises(AssertionError, match="contradicted: name 'Sergey Lavrov'.*Kirby"):
        assert_no_contradictions("Sergey Lavrov announced that the United States was suspending talks with Russia.", SEED_DIR)


def test_article_text_and_tables_work_too():
    article = "The flood killed 12 people and destroyed 300 homes."
    assert_no_contradictions("The flood killed 12 people.", article)
    with pytest.raises(AssertionError, match="contradicted: '40'"):
        assert_no_contradictions("The flood killed 40 people.", extract_facts(article))


def test_a_users_suite_with_the_marker_and_fixtures(pytester):
    """A separate pytest process, as in a user's project: the plugin comes from the entry point."""
    pytester.makepyfile(
        test_user=f"""
        import pytest
        from harness.pytest_plugin import assert_facts_preserved

        @pytest.mark.harness_config({str(ROOT / "configs" / "default.yaml")!r})
        def test_default_models(harness_result):
            lead = harness_result.summary["models"]["lead-3"]
            assert lead["facts"]["contradicted"] == 0
            row = next(r for r in harness_result.scores if r["model"] == "lead-3")
            assert_facts_preserved(row["summary"], {str(SEED_DIR)!r}, keys=["war-dead"])

        def test_same_run_is_reused(harness_run):
            first = harness_run({str(ROOT / "configs" / "default.yaml")!r})
            assert harness_run({str(ROOT / "configs" / "default.yaml")!r}) is first

        def test_a_lost_fact_fails(harness_run):
            result = harness_run({str(ROOT / "configs" / "default.yaml")!r})
            row = next(r for r in result.scores if r["model"] == "lexrank-3")
            assert_facts_preserved(row["summary"], {str(SEED_DIR)!r}, keys=["war-dead"])
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--harness-output={pytester.path / 'runs'}")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*lost: roughly half a million people dead (war-dead)*"])
    # each config runs in a folder of its own (its file's name and a hash of its path), its run folder inside it
    assert len(list((pytester.path / "runs").glob("default-*/default/scores.jsonl"))) == 1


def test_harness_result_without_marker_is_a_usage_error(pytester):
    pytester.makepyfile("def test_x(harness_result):\n    pass\n")
    result = pytester.runpytest_subprocess()
    result.stdout.fnmatch_lines(["*harness_result needs @pytest.mark.harness_config*"])
    assert result.ret != 0


def test_assert_scores_loops_over_any_scorer(tmp_path):
    from harness.pytest_plugin import assert_scores

    good = "Roughly 275,000 civilians are trapped, including an estimated 100,000 children."
    fields = assert_scores(good, SEED_DIR, min={"rouge.rouge1.fmeasure": 0.05}, max={"facts.contradicted": 0})
    assert fields["facts"]["contradicted"] == 0 and fields["rouge"]["rouge1"]["fmeasure"] > 0.05
    with pytest.raises(AssertionError, match=r"facts.contradicted is 1, at most 0 wanted"):
        assert_scores("Some 275,000 children are trapped.", SEED_DIR, max={"facts.contradicted": 0})
    with pytest.raises(pytest.UsageError, match="no scorer rogue"):
        assert_scores(good, SEED_DIR, min={"rogue.rouge1.fmeasure": 0.1})
    # metric names follow the scorer's options: a configured ROUGE type can be bounded, one not configured cannot
    fields = assert_scores(good, SEED_DIR, metrics={"rouge": {"types": ["rouge1", "rouge3"]}}, min={"rouge.rouge3.fmeasure": 0.0})
    assert set(fields["rouge"]) >= {"rouge1", "rouge3"}
    with pytest.raises(pytest.UsageError, match="unknown metric 'rouge.rougeL.fmeasure'"):
        assert_scores(good, SEED_DIR, metrics={"rouge": {"types": ["rouge1"]}}, min={"rouge.rougeL.fmeasure": 0.0})


def readme_example() -> str:
    """The README's pytest example, read from README.md itself so the two cannot drift apart."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("# tests/test_summaries.py in your project")
    return text[start : text.index("```", start)]


def test_the_readme_example_runs_in_a_new_project(pytester):
    """A project with none of this repository's files: the example passes as it stands."""
    pytester.makepyfile(test_summaries=readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_failing_assertion_shows_the_message_not_the_helpers_source(pytester):
    pytester.makepyfile(
        test_user='''
        from harness.pytest_plugin import assert_facts_preserved

        ARTICLE = "A storm cut power to 30,000 homes on Tuesday night. 2,000 homes were still dark on Wednesday."

        def test_wrong_figure():
            assert_facts_preserved("The storm cut power to 40,000 homes.", ARTICLE)
        '''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "contradicted: '40,000': the article says '30,000'" in text
    assert 'assert_facts_preserved("The storm cut power to 40,000 homes.", ARTICLE)' in text  # the user's line
    for source in ("raise AssertionError", "problems = ", "def assert_facts_preserved", "pytest_plugin.py:"):
        assert source not in text, source


def test_a_long_one_line_article_is_text_not_a_path():
    article = "The storm cut power to 30,000 homes. " * 20  # longer than a file name may be
    assert_no_contradictions("The storm cut power to 30,000 homes.", article)
