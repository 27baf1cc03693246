"""A report people can read at scale, checked in a real browser: two runs on two datasets, 7 systems,
1,100 documents (fabricated results folders), opened in headless Chromium at 1440x900 and full page.

Needs Chromium; skipped without it except in CI (CI=1), like test_report_browser.py."""

import re

import pytest
from fabricated_runs import fabricate_run
from test_report_browser import CHROMIUM, chromium

from harness.report import write_report

pytestmark = pytest.mark.skipif(CHROMIUM is None and not __import__("os").environ.get("CI"), reason="needs Chromium (apt install chromium)")
HOSTILE = "<script>document.documentElement.setAttribute('data-pwned','yes')</script>"
BUDGET = 3_000_000  # bytes: "a few MB at most" for 11,490 documents; this report is a tenth of that size


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale")
    news = fabricate_run(folder, "cnndm-systems", 700, ["bart", "bert_sum", "bottom-up", "pgn"], dataset="cnndm.jsonl", titles=False,
                         hostile=HOSTILE, failures=1)  # fmt: skip
    bbc = fabricate_run(folder, "xsum-systems", 400, ["BERTS2S", "PtGen", "TConvS2S"], seed=1, dataset="xsum.jsonl", doc_prefix="xsum")
    write_report([news, bbc], folder / "comparison")
    return folder / "comparison" / "report.html", folder


def test_report_at_scale_in_chromium(report):
    page, folder = report
    html = page.read_text()
    assert len(html.encode()) < BUDGET
    result = chromium("--dump-dom", "--window-size=1440,900", page.as_uri(), profile=folder / "profile-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert [line for line in result.stderr.splitlines() if ":CONSOLE" in line] == []  # no error, warning or CSP report
    assert 'data-ready="1"' in dom  # the hashed script ran ...
    assert "data-pwned" not in dom.split("<body", 1)[0] and "&lt;script&gt;document.documentElement" in dom  # ... the injected one did not
    # no sideways scroll in either leaderboard at 1440 px: the script marks any table box whose content overflows
    for key in ("d1", "d2"):
        wrap = re.search(rf'<div class="table-wrap( overflowing)?"><table id="{key}-leaderboard"', dom)
        assert wrap and wrap.group(1) is None, f"{key} leaderboard scrolls sideways"
    # datasets kept apart: a summary and comparisons per dataset, never a pair across them
    assert 'id="d1-summary"' in dom and 'id="d2-summary"' in dom and "cnndm.jsonl: 700 documents, 4 models" in dom
    comparisons = re.findall(r'<th scope="row" class=""[^>]*>([^<]+) − ([^<]+)</th>', dom)
    groups = [{"bart", "bert_sum", "bottom-up", "pgn"}, {"BERTS2S", "PtGen", "TConvS2S"}]
    assert len(comparisons) == 6 + 3 and all(any({a, b} <= group for group in groups) for a, b in comparisons)
    # a flagged document is one link from the top: the findings link the worst one
    top = dom.split('id="d1-comparisons"', 1)[0]
    link = re.search(r'worst: <a href="#(d1-doc\d+)">', top)
    assert link and re.search(rf'<article class="document flagged" id="{link.group(1)}">', dom)


def test_report_at_scale_screenshots(report):
    page, folder = report
    for name, size in (("viewport", "1440,900"), ("full", "1440,16000")):
        shot = folder / f"{name}.png"
        result = chromium(f"--screenshot={shot}", f"--window-size={size}", page.as_uri(), profile=folder / f"profile-{name}")
        assert result.returncode == 0, result.stderr[-2000:]
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 30_000
