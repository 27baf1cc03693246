"""Self-test: perturbed reference summaries are caught, faithful rewrites pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.documents import Document, Reference, load_documents
from harness.facts import check_summary
from harness.facts.entity_selftest import entity_rewrites
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


def test_a_reordered_summary_keeps_its_sentence_boundaries() -> None:
    # CNN/DM highlights may end without a full stop: moved to the front, that sentence still ends.
    summary = "The dog jumps around . Suddenly the dragon chases the dog . Video maker said the pair ` love to play '"
    [(_, _, reordered)] = [r for r in rewrites(summary, []) if r[0] == "reorder sentences"]
    assert reordered.startswith("Video maker said the pair ` love to play '. Suddenly the dragon")
    document = Document("d", "The dog jumps around. Suddenly the dragon chases the dog. Video maker said the pair "
                             "` love to play '.", (Reference("r", summary),))  # fmt: skip
    assert run_selftest([document]).false_alarms == 0


def test_a_surname_stands_alone_only_where_the_article_has_it() -> None:
    table = extract_facts("Oscar-winning actress Emma will join the cast, Disney said. Prince Michael of Kent "
                          "unveiled the statue. Emma Watson plays Belle.")  # fmt: skip
    def kinds(summary: str) -> list[str]:
        result = check_summary(summary, table)
        return [changed for kind, changed, _ in entity_rewrites(summary, list(result.entity_claims), table.entities)
                if kind in ("surname only", "title")]  # fmt: skip

    assert kinds("Emma Watson plays Belle.") == ["Emma Watson -> Watson", "Emma Watson -> Mr. Watson"]
    assert kinds("Emma Thompson joins the cast.") == []  # the article has no Thompson to stand alone
    assert kinds("Prince Michael of Kent unveiled the statue.") == []
