"""Reports: runs side by side in Markdown and self-contained HTML from one data model; datasets kept apart."""

import json
import re
import shutil
import types

import backends
import pytest
import yaml
from conftest import SEED_DIR
from fabricated_runs import fabricate_run
from helpers import run_cli

from harness.config import load_config
from harness.report import page_of, write_report
from harness.report.charts import axis_top
from harness.report.compare import Difference, compare_all, compared_metrics, verdict
from harness.report.data import load_report_data
from harness.report.evidence import Judged, marked
from harness.report.factmatrix import fact_matrix
from harness.report.tables import leaderboard, summary_table
from harness.report.view import Mark
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



def blocks(page, kind):
    """Every block of a kind in the page, depth first."""
    found = []

    def walk(items):
        for block in items:
            if getattr(block, "kind", None) == kind:
                found.append(block)
            walk(getattr(block, "blocks", []))

    walk(page.sections)
    return found


def test_every_run_writes_its_own_report(two_runs):
    result_a, _, _ = two_runs
    html = (result_a.run_dir / "report.html").read_text()
    assert "lead-1" in html and "hostile" in html and "<svg" in html
    assert (result_a.run_dir / "report_files" / "rouge-f1.png").read_bytes().startswith(b"\x89PNG")


def test_comparison_report_of_two_runs(two_runs):
    result_a, result_b, folder = two_runs
    out = folder / "comparison"
    written = write_report([result_a.run_dir, result_b.run_dir], out)
    assert {p.name for p in written} == {"report.md", "report.html", "rouge-f1.png", "facts.png"}  # one dataset: no prefix
    markdown = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    for key in ("lead-1", "run-a/lead-3", "run-b/lead-3", "textrank", "hostile"):  # lead-3 is in both runs
        assert f"| {key} |" in markdown
        assert f">{key}</span></th>" in html
    assert "![ROUGE F1](report_files/rouge-f1.png)" in markdown
    assert html.count("<svg") == 2 and 'id="chart-rouge-f1"' in html and 'id="chart-facts"' in html
    for section, anchor in (("Summary", "summary"), ("Paired comparisons", "comparisons"), ("What went wrong", "trouble"),
                            ("Facts by kind", "facts"), ("Documents", "documents"), ("Reproducibility", "reproduce")):  # fmt: skip
        assert f'<section id="{anchor}" class="level2">\n<h2>{section} ' in html and f"## {section}" in markdown
        assert f'<a href="#{anchor}">{section}</a>' in html and f"- [{section}](#{anchor})" in markdown  # the table of contents
    assert "rouge|v:rouge-score-" in html and "facts|extractor:" in html and "extractive|stats:" in html
    # the one inline script is allowed by its hash, nothing else
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert html.count("<script>") == 1


def test_model_generated_text_is_escaped(two_runs):
    result_a, _, _ = two_runs
    html = (result_a.run_dir / "report.html").read_text()
    markdown = (result_a.run_dir / "report.md").read_text()
    assert "&lt;script&gt;document.documentElement.setAttribute(&#39;data-pwned&#39;,&#39;yes&#39;)&lt;/script&gt;&lt;/table&gt;" in html
    assert "<script>document" not in html and "</table> Some" not in html
    prose = re.sub(r"(`{3,})json\n.*?\n\1", "", markdown, flags=re.S)  # the configs, inside code fences
    assert "&lt;script&gt;" in prose and "<script>" not in prose and "</table>" not in prose


HOSTILE_MARKUP = "<img src=x onerror=alert(1)>"


def test_names_dates_and_model_text_stay_inert(tmp_path):
    """A run name, its created field, a model name and a summary carrying HTML render as text in both formats."""
    run = fabricate_run(tmp_path, HOSTILE_MARKUP, 30, [HOSTILE_MARKUP, "plain"], hostile=HOSTILE_MARKUP)
    record = json.loads((run / "run.json").read_text())
    record["created"] = HOSTILE_MARKUP
    (run / "run.json").write_text(json.dumps(record))
    write_report([run], tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    prose = re.sub(r"(`{3,})json\n.*?\n\1", "", markdown, flags=re.S)
    assert "<img" not in prose and "&lt;img src=x onerror=alert(1)&gt;" in prose
    fence = None  # raw markup only inside code fences (the configs), where CommonMark shows text as it is
    for line in markdown.splitlines():
        if re.match(r"^`{3,}", line):
            fence = None if fence and line.strip() == fence else (fence or re.match(r"^`{3,}", line).group(0))
        elif fence is None:
            assert "<img" not in line, line


def test_leaderboard_numbers_come_from_the_runs(two_runs):
    result_a, _, _ = two_runs
    data = load_report_data([result_a.run_dir])
    headers, rows = leaderboard(data.models, data.scorers)
    row = next(r for r in rows if r[0] == "lead-3")
    rouge1 = result_a.summary["models"]["lead-3"]["rouge"]["rouge1"]["fmeasure"]
    assert row[1] == f"{rouge1['mean'] * 100:.1f} [{rouge1['low'] * 100:.1f}–{rouge1['high'] * 100:.1f}]"
    hostile = next(r for r in rows if r[0] == "hostile")
    assert hostile[headers.index("contra.")] == str(result_a.summary["models"]["hostile"]["facts"]["contradicted"]) != "0"
    # key facts read the same in the terminal and in the report
    terminal_headers, terminal_rows = summary_table(result_a.summary, result_a.run)
    terminal = next(r for r in terminal_rows if r[0] == "lead-3")
    assert terminal[terminal_headers.index("key-fact recall")] == row[headers.index("key-fact recall")]
    # the short table keeps to the declared columns; P/R, extractive statistics, length and time are in the details
    assert "R-1 P" not in headers and "density" not in headers and "words" not in headers and "failed" in headers
    details, _ = leaderboard(data.models, data.scorers, details=True)
    assert {"R-1 P", "density", "words", "s/summary", "tokens in"} <= set(details)


def test_fact_matrix_marks_preserved_omitted_contradicted(two_runs):
    result_a, _, _ = two_runs
    data = load_report_data([result_a.run_dir])
    rows = fact_matrix(data.documents["syria-talks"], data.models)
    matrix = {row.fact_id: row for row in rows}
    assert [row.fact_id for row in rows[:3]] == ["war-dead", "trapped-civilians", "trapped-children"]  # key facts first
    assert matrix["war-dead"].cells["lead-3"].status == "preserved"
    assert matrix["war-dead"].cells["lead-1"].status == "omitted"
    cell = matrix["trapped-children"].cells["hostile"]
    assert cell.status == "contradicted" and cell.claim == "Some 275,000" and "children" in cell.sentence
    assert matrix["trapped-children"].evidence.startswith("Roughly 275,000 civilians are trapped")


def test_paired_comparisons(two_runs):
    result_a, _, _ = two_runs
    data = load_report_data([result_a.run_dir])
    comparisons = compare_all([(data.models[0], data.models[1])], compared_metrics(data.scorers), data.bootstrap, data.confidence, data.seed)
    (comparison,) = comparisons
    assert (comparison.a, comparison.b, comparison.documents) == ("lead-1", "lead-3", 6)
    rouge1 = next(d for d in comparison.differences if d.metric == "rouge.rouge1.fmeasure")
    assert rouge1.n == 6 and rouge1.low <= rouge1.mean <= rouge1.high and 0 < rouge1.p <= 1
    assert comparison.verdict.startswith(("lead-1 > lead-3", "lead-3 > lead-1", "no significant difference"))
    one_doc = page_of([result_a.run_dir], max_documents=1)
    assert len(blocks(one_doc, "document")) == 1


def test_datasets_are_kept_apart(tmp_path):
    """Runs over different documents: grouped by dataset, compared only within one, no empty comparisons."""
    a = fabricate_run(tmp_path, "news", 40, ["a1", "a2", "a3"], dataset="news.jsonl")
    b = fabricate_run(tmp_path, "bbc", 30, ["b1", "b2", "b3"], seed=1, dataset="bbc.jsonl", doc_prefix="bbc")
    data = load_report_data([a, b])
    assert [(d.label, len(d.doc_ids), [m.key for m in d.models]) for d in data.datasets] == [
        ("news.jsonl", 40, ["a1", "a2", "a3"]), ("bbc.jsonl", 30, ["b1", "b2", "b3"])]  # fmt: skip
    page = page_of([a, b])
    tables = {t.id: t for t in blocks(page, "table")}
    for key, models in (("d1", {"a1", "a2", "a3"}), ("d2", {"b1", "b2", "b3"})):
        pairs = [row.cells[0].content for row in tables[f"{key}-comparisons-table"].rows]
        assert len(pairs) == 3 and all(set(pair.split(" − ")) <= models for pair in pairs)
        assert {row.cells[0].content.text for row in tables[f"{key}-leaderboard"].rows} == models
    assert all(int(row.cells[1].content) > 0 for key in ("d1", "d2") for row in tables[f"{key}-comparisons-table"].rows)


def test_documents_ordered_by_trouble(tmp_path):
    run = fabricate_run(tmp_path, "trouble", 60, ["weak", "strong"], failures=1)
    page = page_of([run], max_documents=20)
    (table,) = [t for t in blocks(page, "table") if t.id == "d1-trouble-table"]
    orders = [tuple(c.sort for c in row.cells[1:5]) for row in table.rows]
    assert orders == sorted(orders, reverse=True) and orders[0][0] > 0  # contradicted first, then not in article, lost, failed
    views = blocks(page, "document")
    assert 0 < len(views) <= 20 and views[0].flagged  # the worst first
    assert any(not v.flagged for v in views)  # plus a sample of documents nothing went wrong with
    anchors = {v.id for v in views} | {card.id for v in views for card in v.summaries}
    flagged_lists = [s for s in blocks(page, "section") if "-flagged-" in s.id]
    links = [part.href for s in flagged_lists for b in s.blocks for item in b.items for part in (item if isinstance(item, list) else [item]) if getattr(part, "href", "")]
    assert links and all(link[1:] in anchors for link in links)  # every model's flagged summary links to its card


def test_chart_axis_ignores_a_degenerate_bar():
    series = [("R-1", [100.0, 38.0, 30.0], [None, (33.0, 43.0), (27.0, 33.0)])]
    assert 43.0 < axis_top(series) < 60.0  # the reference at 100 is cut, the others keep their height
    assert axis_top([("R-1", [41.0, 38.0], [(37.0, 45.0), (33.0, 43.0)])]) >= 45.0


def test_verdict_wording():
    d = Difference("rougeL", "ROUGE-L", 40, 0.021, 0.005, 0.038, 0.01, 100.0)
    e = Difference("key_fact_recall", "key-fact recall", 40, -0.2, -0.3, -0.1, 0.002, 100.0)
    n = Difference("rouge1", "ROUGE-1", 40, 0.001, -0.01, 0.012, 0.6, 100.0)
    assert verdict("A", "B", 40, [d, e, n]) == "A > B on ROUGE-L (+2.1, p=0.010); B > A on key-fact recall (-20.0, p=0.002)"
    assert verdict("A", "B", 40, [n]).startswith("no significant difference between A and B")
    assert verdict("A", "B", 1, [d]) == "A vs B: 1 shared document, no significance test"


def test_marks_nest_figures_inside_judged_sentences():
    summary = "Roughly 275,000 civilians; 300,000 more. Talks went on."
    figure = Judged(0, 15, "supported", "figure", "")
    wrong = Judged(27, 34, "contradicted", "figure", "")
    sentence = Judged(0, 40, "contradicted", "NLI", "")
    crossing = Judged(35, 45, "supported", "entity", "")  # crosses the sentence's end: left unmarked
    parts = marked(summary, [wrong, sentence, figure, crossing])
    assert len(parts) == 2 and isinstance(parts[0], Mark) and parts[1] == " Talks went on."
    outer = parts[0]
    assert outer.marker == "✗ NLI" and "sentence" in outer.cls
    assert [c.marker if isinstance(c, Mark) else c for c in outer.children] == ["✓", " civilians; ", "✗", " more."]
    assert marked("abc", []) == ["abc"]


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
    data = load_report_data([result.run_dir])
    (document,) = data.documents.values()
    rows = fact_matrix(document, data.models, data.gold)
    assert all(row.fact_id.startswith("f") for row in rows)  # the automatic table, as the run scored
    assert sum(row.cells["lead-3"].status == "preserved" for row in rows) == 3  # its claims line up with the rows


def test_report_and_check_read_the_runs_fact_tables_and_extract_none(two_runs, tmp_path, monkeypatch):
    """A finished run carries each document's fact table: `harness report` and `harness check` never rebuild one
    (a checker upgrade between run and report must not misalign fact ids)."""
    import harness.facts.keys
    import harness.facts.table
    import harness.report.factmatrix
    from harness.cli import main

    result_a, _, _ = two_runs

    def no_extraction(*args, **kwargs):
        raise AssertionError("a fact table was extracted after the run")

    for module in (harness.facts.table, harness.facts.keys, harness.report.factmatrix):
        for name in ("extract_facts", "table_for_document"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, no_extraction)
    assert main(["report", str(result_a.run_dir), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "report.html").is_file()
    assert main(["check", str(result_a.run_dir), "--max-contradicted", "100"]) in (0, 1)


def test_the_report_says_which_rule_made_the_key_facts(two_runs):
    """The seed's key facts are curated; the other documents have references, whose stated facts are key."""
    run_a, _, _ = two_runs
    text = (run_a.run_dir / "report.md").read_text()
    assert ("Key facts are the article's figures and entities that the reference summaries state (5 documents); "
            "curated in facts.yaml (1 document).") in text  # fmt: skip


def test_models_writing_in_lower_case_are_named():
    """XSum's systems write lower case: their names go unread, and the facts section says so."""
    from harness.report.factmatrix import lower_cased

    def model(key, texts):
        return types.SimpleNamespace(key=key, scores={f"d{i}": {"summary": t} for i, t in enumerate(texts)})

    models = [model("cased", ["The UN met in Geneva.", "lower only here."]), model("xsum", ["the un met in geneva.", "", "2-1"])]
    assert lower_cased(models, ["d0", "d1", "d2"]) == ["xsum"]


def test_one_folder_twice_is_refused_and_two_runs_of_one_name_are_told_apart(two_runs, tmp_path):
    result_a, _, _ = two_runs
    twice = run_cli("report", str(result_a.run_dir), str(result_a.run_dir), "--out", str(tmp_path / "twice"))
    assert twice.returncode == 2
    assert twice.stderr.strip() == f"error: {result_a.run_dir}: this results folder is given twice; a report compares different runs"
    before = tmp_path / "before" / result_a.run_dir.name  # the same config's run, kept from before a change
    shutil.copytree(result_a.run_dir, before)
    data = load_report_data([result_a.run_dir, before])
    names = [m.key for m in data.models]
    assert len(set(names)) == len(names) == 6
    assert "run-a (before)/lead-1" in names and f"run-a ({result_a.run_dir.parent.name})/lead-1" in names


def test_failed_summaries_are_counted_apart_from_flagged_ones(tmp_path):
    """A failure is no summary: '46 flagged summaries, 386 failed', and 'in 11 of 191 summaries', not of every document."""
    run_dir = fabricate_run(tmp_path, "failing", documents=100, models=["a", "b"], failures=1)
    write_report([run_dir])
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    failed = 2  # model "a" fails documents 0 and 50
    headings = re.findall(r"#### a: (\d+) flagged summar(?:y|ies)(, (\d+) failed)?", text)
    assert headings and headings[0][2] == str(failed)
    made = re.findall(r"\((\d+) in (\d+) of (\d+) summaries\)", text)
    assert made and all(int(total) in (100 - failed, 100) for _, _, total in made)
