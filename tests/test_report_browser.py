"""report.html in a real headless browser: it loads with no console message, shows its tables and
charts, and a summary carrying a <script> does not run.

Needs Chromium (Debian's `chromium`, installed by .ci/run). Without it the test is skipped, except in
CI (CI=1), where a missing browser is a failure."""

import json
import os
import re
import shutil
import subprocess

import backends
import pytest
from conftest import SEED_DIR

from harness.config import load_config
from harness.runner import run
from harness.summarizers import BACKENDS

CHROMIUM = next((path for path in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if path), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="needs Chromium (apt install chromium)")
HOSTILE = "<script>document.documentElement.setAttribute('data-pwned','yes')</script></table><img src=x onerror=\"document.title='pwned'\"> 275,000 children are trapped."
# The flags the project's machines need for a quiet, offline headless start.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    BACKENDS[backends.FixedSummary.backend] = backends.FixedSummary
    folder = tmp_path_factory.mktemp("browser")
    config = folder / "config.yaml"
    config.write_text(
        f"name: browser\ndataset: {{path: {SEED_DIR}}}\nmodels:\n  - {{name: lead-3, backend: lead, sentences: 3}}\n"
        f"  - {{name: hostile, backend: fixed, text: {json.dumps(HOSTILE)}}}\n"
    )
    try:
        result = run(load_config(config))
    finally:
        del BACKENDS[backends.FixedSummary.backend]
    return result.run_dir / "report.html", folder


def chromium(*args, profile):
    assert CHROMIUM, "Chromium is not installed (CI installs Debian's chromium)"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


def test_report_loads_without_console_messages_and_scripts_do_not_run(report):
    page, folder = report
    result = chromium("--dump-dom", page.as_uri(), profile=folder / "profile-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # no error, no warning, no CSP violation
    assert 'data-pwned' not in dom.split("<body", 1)[0]  # the injected script did not run
    assert "<title>pwned</title>" not in dom  # nor the injected onerror handler
    assert "&lt;script&gt;document.documentElement" in dom  # it is shown as text
    assert len(re.findall(r"<table", dom)) >= 3  # leaderboard, comparisons, fact matrix
    assert dom.count("<svg") == 2 and 'id="d1-leaderboard"' in dom
    assert re.search(r'<td class="contradicted"[^>]*><span title="[^"]*">contradicted: “275,000”', dom)
    assert 'data-ready="1"' in dom  # the hashed script ran (it sorts tables and filters documents)


def test_report_renders_to_a_screenshot(report):
    page, folder = report
    shot = folder / "report.png"
    result = chromium(f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri(), profile=folder / "profile-shot")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000  # a page with content, not a blank
