"""The fact checker as a run scorer and as CLI commands."""

import json

import pytest
import yaml
from conftest import SEED_DIR
from helpers import run_cli

from harness import store
from harness.config import load_config
from harness.documents import Document, load_documents
from harness.runner import run
from harness.scoring import Statistics, aggregate
from harness.scoring.facts import FactScorer
from harness.scoring.facts import FactsOptions as FactsConfig

FAITHFUL = "Roughly 275,000 civilians, including an estimated 100,000 children, are trapped; the war has left roughly half a million dead."
DISTORTED = "Some 275,000 children are trapped in Aleppo, where about a million people have died."


@pytest.fixture(scope="module")
def seed():
    return load_documents(SEED_DIR)[0]


def test_scorer_row_and_aggregate(seed):
    scorer = FactScorer()
    good, bad = scorer.row(FAITHFUL, seed)["facts"], scorer.row(DISTORTED, seed)["facts"]
    assert good["key_fact_recall"] == 1.0 and good["numeric_precision"] == 1.0 and not good["flagged"]
    assert bad["key_fact_recall"] == 0.0 and bad["contradicted"] == 2 and bad["flagged"]
    assert {k["fact"] for k in good["key_facts"]} == {"war-dead", "trapped-civilians", "trapped-children"}
    figures = aggregate(scorer, [good, bad])
    assert figures["key_fact_recall"]["mean"] == 0.5
    assert (figures["key_facts_preserved"], figures["key_facts_total"]) == (3, 6)
    assert figures["contradicted"] == 2 and figures["flagged_summaries"] == 1
    assert figures["numeric_precision_micro"] == pytest.approx(3 / 5)


def test_gold_table_is_used_unless_switched_off(seed):
    with_gold = FactScorer(FactsConfig(gold=True)).table(seed)
    without = FactScorer(FactsConfig(gold=False)).table(seed)
    assert with_gold.has_gold and not without.has_gold
    assert {f.id for f in with_gold.key_facts()} == {"war-dead", "trapped-civilians", "trapped-children"}


def test_table_is_built_once_per_document(seed, monkeypatch):
    import harness.scoring.facts as module

    built = []
    real = module.table_for_document
    monkeypatch.setattr(module, "table_for_document", lambda document, **kw: built.append(document.doc_id) or real(document, **kw))
    scorer = FactScorer()
    for summary in (FAITHFUL, DISTORTED, "Nothing numeric."):
        scorer.row(summary, seed)
    assert built == ["syria-talks"]


def test_documents_without_gold_get_automatic_key_facts():
    document = Document("d", "The storm killed 12 people and left 3,000 homes without power on Tuesday.")
    row = FactScorer().row("The storm killed 40 people.", document)["facts"]
    assert row["contradicted"] == 1 and row["claims"][0]["evidence"].startswith("The storm killed 12 people")


def test_signature():
    signature = str(FactScorer(FactsConfig(gold=False), Statistics(bootstrap=10, seed=3)).signature())
    assert signature.startswith("facts|extractor:rules-") and signature.endswith("|gold:no|boot:10|seed:3|ci:95")


def test_run_reports_facts_beside_rouge(write_config, tmp_path):
    precomputed = tmp_path / "docs.jsonl"
    article = (SEED_DIR / "article.txt").read_text()
    gold = yaml.safe_load((SEED_DIR / "facts.yaml").read_text())  # a JSONL record may carry its curated facts
    precomputed.write_text(json.dumps({"id": "seed", "article": article, "references": [FAITHFUL], "facts": gold}) + "\n")
    config = write_config(
        f"name: f\ndataset: {{path: {precomputed}}}\nmodels:\n  - {{name: lead-1, backend: lead, sentences: 1}}\n"
        "  - {name: lead-9, backend: lead, sentences: 9}\n"
    )
    result = run(load_config(config))
    data = store.read_run(result.run_dir)
    lead1 = data.summary["models"]["lead-1"]["facts"]
    lead9 = data.summary["models"]["lead-9"]["facts"]
    assert lead1["key_facts_preserved"] == 0 and lead9["key_facts_preserved"] == 3  # the figures are in sentences 3 and 8
    assert data.run["signatures"]["facts"].startswith("facts|")
    row = next(r for r in data.scores if r["model"] == "lead-9")
    assert row["facts"]["claims"] and all(c["verdict"] == "supported" for c in row["facts"]["claims"])
    table = (result.run_dir / "summary.md").read_text()
    assert "| lead-9 |" in table and "key-fact recall" in table and "| 100% |" in table


def test_facts_command_prints_the_gold_table():
    result = run_cli("facts", "references/syria-talks")
    assert result.returncode == 0, result.stderr
    for fact_id in ("war-dead", "trapped-civilians", "trapped-children", "aid-convoy-bombing"):
        assert fact_id in result.stdout
    assert "roughly 500,000" in result.stdout and "curated facts.yaml" in result.stdout
    by_id = run_cli("facts", "syria-talks")
    assert by_id.returncode == 0 and by_id.stdout == result.stdout


def test_facts_command_checks_a_summary_and_exits_1_when_flagged():
    bad = run_cli("facts", "syria-talks", "--summary", "About a million people have died since 2011.")
    assert bad.returncode == 1
    assert "contradicted" in bad.stdout and "roughly half a million people dead since 2011" in bad.stdout
    good = run_cli("facts", "syria-talks", "--summary", FAITHFUL, "--json")
    assert good.returncode == 0
    assert json.loads(good.stdout)["key_fact_recall"] == 1.0


def test_facts_command_says_how_names_of_a_lower_cased_summary_are_read():
    lower = run_cli("facts", "syria-talks", "--summary", "talks were suspended in geneva, sergey lavrov said.")
    assert "summary marks no name with a capital letter; its names were read from the article's capitals" in lower.stdout
    assert "a name none of these marks goes unchecked" in lower.stdout
    assert "'sergey lavrov' (person): the article names 'Sergey V. Lavrov'" in lower.stdout
    assert "not_in_article  'geneva' (other): the article names no 'geneva' in any form" in lower.stdout
    assert lower.returncode == 1
    nameless = run_cli("facts", "syria-talks", "--summary", "Talks were suspended. Aid convoys were hit.")
    assert "marks no name" not in nameless.stdout  # cased, and names no one: no note
    cased = run_cli("facts", "syria-talks", "--summary", "Talks were suspended in Geneva.")
    assert "marks no name" not in cased.stdout and "'Geneva'" in cased.stdout


def test_facts_command_errors():
    result = run_cli("facts", "no-such-doc")
    assert result.returncode == 2 and "no-such-doc: no such file, folder, or document id in references (ids: syria-talks)" in result.stderr


def test_selftest_command_meets_its_targets():
    result = run_cli("selftest")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "perturbations caught: " in result.stdout and "(100.0%, target >= 99%)" in result.stdout


def test_prepared_documents_carry_their_table_and_the_scorer_keeps_none(seed, monkeypatch):
    import harness.scoring.facts as module

    built = []
    real = module.table_for_document
    monkeypatch.setattr(module, "table_for_document", lambda document, **kw: built.append(document.doc_id) or real(document, **kw))
    scorer = FactScorer()
    (prepared,) = scorer.prepare_documents([seed])
    assert prepared.fact_table is not None and built == ["syria-talks"] and not scorer._tables
    for summary in (FAITHFUL, DISTORTED):
        scorer.row(summary, prepared)  # scoring reads the attached table: nothing built again
    assert built == ["syria-talks"]


def test_facts_command_refuses_an_empty_summary():
    """A check of nothing would report every key fact omitted and exit 0: an empty summary is a mistake."""
    result = run_cli("facts", "syria-talks", "--summary", "  ")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --summary: the summary is empty; give the text to check "
                                     "(or leave out --summary to print the fact table)")  # fmt: skip
