"""Self-test: perturbed reference summaries are caught, faithful rewrites pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.documents import Document, Reference, load_documents
from harness.facts.extract import extract_mentions
from harness.facts.selftest import perturbations, rewrites, run_selftest
from harness.facts.table import extract_facts

SEED = Path(__file__).resolve().parents[1] / "references" / "syria-talks"


@pytest.fixture(scope="module")
def report():
    return run_selftest(load_documents(SEED))


def test_targets_met_on_the_seed(report) -> None:
    assert report.perturbations >= 60 and report.rewrites >= 50
    assert report.detection_rate >= 0.99, [(v.kind, v.changed) for v in report.misses]
    assert report.false_alarm_rate <= 0.01, [(v.kind, v.changed) for v in report.alarms]
    assert report.skipped_references == []


def test_every_kind_of_change_is_exercised() -> None:
    document = load_documents(SEED)[0]
    table = extract_facts(document.article, document.facts)
    medium = next(r.text for r in document.references if r.id == "medium")
    claims = [m for m in extract_mentions(medium) if m.quantity.claimable]
    made = {kind for kind, _, _ in perturbations(medium, claims, table)}
    assert {"swap figures", "scale x10", "move to another noun", "shift date +1 day", "shift year -1"} <= made
    faithful = {kind for kind, _, _ in rewrites(medium, claims)}
    assert {"digits to words", "words to digits", "round within the hedge", "same-strength hedge", "date format",
            "reorder sentences"} <= faithful  # fmt: skip


def test_examples_of_changes() -> None:
    summary = "Roughly 275,000 civilians, an estimated 100,000 of them children, are trapped."
    document = load_documents(SEED)[0]
    table = extract_facts(document.article, document.facts)
    claims = [m for m in extract_mentions(summary) if m.quantity.claimable]
    texts: dict[str, str] = {}
    for kind, _, text in perturbations(summary, claims, table):
        texts.setdefault(kind, text)  # the first of each kind: the change to the first figure
    assert texts["swap figures"] == "Roughly 100,000 civilians, an estimated 275,000 of them children, are trapped."
    assert texts["scale x10"].startswith("Roughly 2,750,000 civilians")
    assert "an estimated 100,000 of them children" in texts["move to another noun"]
    assert texts["move to another noun"].startswith("Roughly 275,000 children")
    faithful = [text for kind, _, text in rewrites(summary, claims) if kind == "round within the hedge"]
    assert faithful == ["Roughly 280,000 civilians, an estimated 100,000 of them children, are trapped."]


def test_flagged_reference_is_skipped_not_counted() -> None:
    document = Document("d", "Some 40 people were hurt on Monday.", (Reference("bad", "Some 400 people were hurt."),))
    report = run_selftest([document])
    assert report.skipped_references == ["d/bad"]
    assert report.perturbations == 0 and report.detection_rate is None


def test_report_is_json_ready(report) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert data["perturbations"] == report.perturbations and data["false_alarm_rate"] == report.false_alarm_rate
