"""Reports: two runs of different configs side by side, in Markdown and self-contained HTML."""

import json
import re

import backends
import pytest
import yaml
from conftest import SEED_DIR
from helpers import run_cli

from harness.config import load_config
from harness.report import build_context, write_report
from harness.report.compare import Difference, verdict
from harness.report.data import load_report_data
from harness.report.factmatrix import segments
from harness.runner import run
from harness.summarizers import BACKENDS

HOSTILE = "<script>document.documentElement.setAttribute('data-pwned','yes')</script></table> Some 275,000 children are trapped."


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run A: lead-1, lead-3 and a hostile fixed summary; run B: textrank and lead-3; seed + 5 more documents."""
    BACKENDS[backends.FixedSummary.backend] = backends.FixedSummary
    folder = tmp_path_factory.mktemp("report")
    article = (SEED_DIR / "article.txt").read_text()
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    rows = [{"id": "syria-talks", "article": article, "references": [(SEED_DIR / "summaries" / "short.txt").read_text()],
             "facts": yaml.safe_load((SEED_DIR / "facts.yaml").read_text())}]  # fmt: skip
    rows += [{"id": f"part-{i}", "article": "\n\n".join(paragraphs[i : i + 5]), "references": [paragraphs[i + 1]]} for i in range(5)]
    dataset = folder / "docs.jsonl"
    dataset.write_text("".join(json.dumps(row) + "\n" for row in rows))
    a = folder / "a.yaml"
    a.write_text(f"name: run-a\ndataset: {{path: {dataset}}}\nmodels:\n  - {{name: lead-1, backend: lead, sentences: 1}}\n"
                 f"  - {{name: lead-3, backend: lead, sentences: 3}}\n  - {{name: hostile, backend: fixed, text: {json.dumps(HOSTILE)}}}\n")  # fmt: skip
    b = folder / "b.yaml"
    b.write_text(f"name: run-b\ndataset: {{path: {dataset}}}\nmodels:\n  - {{name: textrank, backend: textrank, words: 60}}\n"
                 "  - {name: lead-3, backend: lead, sentences: 3}\n")  # fmt: skip
    yield run(load_config(a)), run(load_config(b)), folder
    del BACKENDS[backends.FixedSummary.backend]


def test_every_run_writes_its_own_report(two_runs):
    result_a, _, _ = two_runs
    html = (result_a.run_dir / "report.html").read_text()
    assert "lead-1" in html and "hostile" in html and "<svg" in html
    assert (result_a.run_dir / "report_files" / "rouge-f1.png").read_bytes().startswith(b"\x89PNG")


def test_comparison_report_of_two_runs(two_runs):
    result_a, result_b, folder = two_runs
    out = folder / "comparison"
    written = write_report([result_a.run_dir, result_b.run_dir], out)
    assert {p.name for p in written} == {"report.md", "report.html", "rouge-f1.png", "facts.png"}
    markdown = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    for key in ("lead-1", "run-a/lead-3", "run-b/lead-3", "textrank", "hostile"):  # lead-3 is in both runs
        assert f"| {key} |" in markdown
        assert f"<th>{key}</th>" in html
    assert "![rouge-f1](report_files/rouge-f1.png)" in markdown
    assert html.count("<svg") == 2 and 'id="chart-rouge-f1"' in html and 'id="chart-facts"' in html
    assert "<script" not in html.replace("&lt;script", "")  # the page itself runs no script
    for section in ("Leaderboard", "Charts", "Paired comparisons", "Fact matrix", "Documents", "Reproducibility"):
        assert f">{section}</h2>" in html and f"## {section}" in markdown
    assert "rouge|v:rouge-score-" in html and "facts|extractor:" in html and "extractive|stats:" in html


def test_model_generated_text_is_escaped(two_runs):
    result_a, _, _ = two_runs
    html = (result_a.run_dir / "report.html").read_text()
    markdown = (result_a.run_dir / "report.md").read_text()
    assert "&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;,&#39;yes&#39;)&lt;/script&gt;&lt;/table&gt;" in html
    assert "<script>document" not in html and "</table> Some" not in html
    prose = re.sub(r"(`{3,})json\n.*?\n\1", "", markdown, flags=re.S)  # the configs, inside code fences
    assert "&lt;script&gt;" in prose and "<script>" not in prose


def test_leaderboard_numbers_come_from_the_runs(two_runs):
    result_a, _, _ = two_runs
    data = load_report_data([result_a.run_dir])
    context = build_context(data)
    row = next(r for r in context["leaderboard"]["rows"] if r[0] == "lead-3")
    rouge1 = result_a.summary["models"]["lead-3"]["rouge"]["rouge1"]["fmeasure"]
    assert row[1] == f"{rouge1['mean'] * 100:.1f} [{rouge1['low'] * 100:.1f}–{rouge1['high'] * 100:.1f}]"
    hostile = next(r for r in context["leaderboard"]["rows"] if r[0] == "hostile")
    assert hostile[7] == str(result_a.summary["models"]["hostile"]["facts"]["contradicted"]) != "0"


def test_fact_matrix_marks_preserved_omitted_contradicted(two_runs):
    result_a, _, _ = two_runs
    context = build_context(load_report_data([result_a.run_dir]))
    seed = next(d for d in context["document_views"] if d["doc_id"] == "syria-talks")
    matrix = {row.fact_id: row for row in seed["matrix"]}
    assert [row.fact_id for row in seed["matrix"][:3]] == ["war-dead", "trapped-civilians", "trapped-children"]  # key facts first
    assert matrix["war-dead"].cells["lead-3"].status == "preserved"
    assert matrix["war-dead"].cells["lead-1"].status == "omitted"
    cell = matrix["trapped-children"].cells["hostile"]
    assert cell.status == "contradicted" and cell.claim == "Some 275,000" and "children" in cell.sentence
    assert matrix["trapped-children"].evidence.startswith("Roughly 275,000 civilians are trapped")


def test_paired_comparisons(two_runs):
    result_a, _, _ = two_runs
    context = build_context(load_report_data([result_a.run_dir]))
    comparison = next(c for c in context["comparisons"] if (c.a, c.b) == ("lead-1", "lead-3"))
    assert comparison.documents == 6
    rouge1 = next(d for d in comparison.differences if d.metric == "rouge.rouge1.fmeasure")
    assert rouge1.n == 6 and rouge1.low <= rouge1.mean <= rouge1.high and 0 < rouge1.p <= 1
    assert comparison.verdict.startswith(("lead-1 > lead-3", "lead-3 > lead-1", "no significant difference"))
    one_doc = build_context(load_report_data([result_a.run_dir]), max_documents=1)
    assert len(one_doc["document_views"]) == 1 and one_doc["omitted_documents"] == 5


def test_verdict_wording():
    d = Difference("rougeL", "ROUGE-L", 40, 0.021, 0.005, 0.038, 0.01, 100.0)
    e = Difference("key_fact_recall", "key-fact recall", 40, -0.2, -0.3, -0.1, 0.002, 100.0)
    n = Difference("rouge1", "ROUGE-1", 40, 0.001, -0.01, 0.012, 0.6, 100.0)
    assert verdict("A", "B", 40, [d, e, n]) == "A > B on ROUGE-L (+2.1, p=0.010); B > A on key-fact recall (-20.0, p=0.002)"
    assert verdict("A", "B", 40, [n]).startswith("no significant difference between A and B")
    assert verdict("A", "B", 1, [d]) == "A vs B: 1 shared document, no significance test"


def test_segments_mark_the_claimed_figures():
    summary = "Roughly 275,000 civilians; 300,000 more."
    claims = [{"claim": "Roughly 275,000", "span": [0, 15], "verdict": "supported"}, {"claim": "300,000", "span": [27, 34], "verdict": "contradicted"}]
    assert segments(summary, claims) == [("Roughly 275,000", claims[0]), (" civilians; ", None), ("300,000", claims[1]), (" more.", None)]
    assert segments("abc", [{"claim": "zz", "span": [0, 2], "verdict": "supported"}]) == [("abc", None)]


def test_report_command(two_runs, tmp_path):
    result_a, result_b, _ = two_runs
    result = run_cli("report", str(result_a.run_dir), str(result_b.run_dir), "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cmp" / "report.html").is_file() and "wrote" in result.stdout
    missing = run_cli("report", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "not a results directory" in missing.stderr
    assert re.search(r"^error: ", missing.stderr)


def test_fact_matrix_follows_the_runs_gold_setting(tmp_path):
    config = tmp_path / "auto.yaml"
    config.write_text(f"name: auto\ndataset: {{path: {SEED_DIR}}}\nmetrics: {{facts: {{gold: false}}}}\nmodels:\n  - {{name: lead-3, backend: lead}}\n")
    result = run(load_config(config))
    (doc,) = build_context(load_report_data([result.run_dir]))["document_views"]
    assert all(row.fact_id.startswith("f") for row in doc["matrix"])  # the automatic table, as the run scored
    assert sum(row.cells["lead-3"].status == "preserved" for row in doc["matrix"]) == 3  # its claims line up with the rows
