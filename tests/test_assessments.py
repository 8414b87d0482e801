"""Assessments through the services and the command line: instrument versions, answering, completing, the
FAA's phase over a family's trajectory, and what a safety concern sets in motion.

Every expected number is worked out by hand in the comments, from the FAA file (six items per dimension,
reverse items D1_5, D2_5, D3_2, D3_6, D5_6, D6_6, D7_6; percent = 100 * sum / (4 * answered), half up).
"""

import json
from datetime import date
from io import StringIO

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from qadam.accounts.models import User
from qadam.assessments.engine import load_instrument
from qadam.assessments.engine.faa import Phase
from qadam.assessments.models import Assessment, InstrumentVersion, ScaleScore
from qadam.assessments.services import (
    SHIPPED_DIR,
    assessment_answer,
    assessment_complete,
    assessment_phase_override,
    assessment_start,
    instrument_import,
    instrument_register,
    previous_answers,
)
from qadam.cases.models import Case, Task
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REVERSE = {"D1_5", "D2_5", "D3_2", "D3_6", "D5_6", "D6_6", "D7_6"}


def dimension_answers(level: int, **overrides) -> dict:
    """Every D item answered so that its item score is `level` (a reverse item gets 4 - level raw)."""
    answers = {f"D{d}_{k}": (4 - level if f"D{d}_{k}" in REVERSE else level) for d in range(1, 8) for k in range(1, 7)}
    answers.update(overrides)
    return answers


@pytest.fixture
def faa() -> InstrumentVersion:
    return InstrumentVersion.objects.get(key="faa", version="1.0.0")


def complete(worker, case, faa, answers, on) -> Assessment:
    assessment = assessment_start(by=worker, case=case, instrument=faa, language="kk")
    assessment_answer(by=worker, assessment=assessment, answers=answers)
    return assessment_complete(by=worker, assessment=assessment, assessed_on=on)


def test_the_shipped_instruments_are_there_once_each():
    assert sorted(InstrumentVersion.objects.values_list("key", "version")) == [
        ("brfss-ace", "1.0.0"),
        ("faa", "1.0.0"),
        ("pcl5", "1.0.0"),
    ]
    assert sorted(p.name for p in SHIPPED_DIR.glob("*.yaml")) == [
        "brfss-ace-1.0.0.yaml",
        "faa-1.0.0.yaml",
        "pcl5-1.0.0.yaml",
    ]


def test_a_version_never_changes_and_old_assessments_keep_theirs(worker, case, faa):
    old = assessment_start(by=worker, case=case, instrument=faa, language="ru")
    changed = json.loads(json.dumps(faa.definition))
    changed["title"]["en"] = "Family Adaptation Assessment (revised)"
    with pytest.raises(ValidationError):
        instrument_register(instrument=load_instrument(changed), source="pack")
    changed["version"] = "1.0.1"
    newer, created = instrument_register(instrument=load_instrument(changed), source="pack")
    assert created and newer.offered
    faa.refresh_from_db()
    assert not faa.offered  # no longer offered, still there for what was made with it
    assessment_answer(by=worker, assessment=old, answers=dimension_answers(3))
    assessment_complete(by=worker, assessment=old)
    old.refresh_from_db()
    assert old.instrument == faa and old.result["version"] == "1.0.0"


def test_skipped_and_declined_are_left_out_never_zero(worker, case, faa):
    # D1: four answered (D1_1..D1_4 = 4, 4, 2, 2), D1_5 declined, D1_6 skipped: 12 / 16 = 75, valid (4 of 6 needed).
    # D2: three answered (D2_1..D2_3 = 4): 4 of 6 needed, so no score at all rather than a low one.
    answers = {"D1_1": 4, "D1_2": 4, "D1_3": 2, "D1_4": 2, "D1_5": "declined", "D2_1": 4, "D2_2": 4, "D2_3": 4}
    assessment = complete(worker, case, faa, answers, date(2026, 1, 10))
    scores = {s.scale: (s.score, s.valid) for s in assessment.scale_scores.all()}
    assert scores["D1"] == (75, True)
    assert scores["D2"] == (None, False)
    assert assessment.result["scales"]["D1"]["declined"] == ["D1_5"]
    assert assessment.result["scales"]["D1"]["skipped"] == ["D1_6"]
    # AI needs five dimensions with a score; one has: no index, and the phase says why.
    assert assessment.index is None and assessment.phase == Phase.NOT_ENOUGH_ANSWERS


def test_answers_that_do_not_fit_are_refused_and_nothing_is_saved(worker, case, faa):
    assessment = assessment_start(by=worker, case=case, instrument=faa, language="kk")
    assessment_answer(by=worker, assessment=assessment, answers={"D1_1": 3})
    for bad in ({"D1_2": 7}, {"NOPE": 1}, {"D1_3": "na"}):
        with pytest.raises(ValidationError):
            assessment_answer(by=worker, assessment=assessment, answers={"D1_4": 2, **bad})
    assessment.refresh_from_db()
    assert assessment.answers == {"D1_1": 3}
    assessment_answer(by=worker, assessment=assessment, answers={"D1_1": None})  # cleared: skipped again
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_trajectory_over_three_assessments_and_the_stalled_overlay(worker, family, case, faa):
    """The Sadykovs moved on 2025-05-20.
    1. 2025-06-25, 1 month in: every item scores 1 -> each dimension 25, AI 25 >= 20 and M < 3: arrival.
    2. 2025-12-01, 6 months: every item 2 -> 50 each, AI 50: active adjustment; trend +25 (> 60 days).
    3. 2026-07-01, 13 months: as 2, but D1_1 = 3 -> D1 = 13/24 = 54.17 -> 54, AI = (54 + 6 * 50) / 7 = 50.57:
       still active adjustment, 7 months after the second with a rise of 0.57 < 5 -> stalled.
    """
    first = complete(worker, case, faa, dimension_answers(1), date(2025, 6, 25))
    second = complete(worker, case, faa, dimension_answers(2), date(2025, 12, 1))
    third = complete(worker, case, faa, dimension_answers(2, D1_1=3), date(2026, 7, 1))
    assert [a.months_since_move for a in (first, second, third)] == [1, 6, 13]
    assert [a.index for a in (first, second, third)] == [25, 50, 51]
    assert [a.phase for a in (first, second, third)] == [
        Phase.ARRIVAL,
        Phase.ACTIVE_ADJUSTMENT,
        Phase.ACTIVE_ADJUSTMENT,
    ]
    assert second.interpretation["trend"] == 25 and not second.interpretation["stalled"]
    assert third.interpretation["stalled"] and not third.interpretation["deteriorating"]
    assert ScaleScore.objects.get(assessment=third, scale="D1").score == 54
    # The next one offers the last answers as "still true?", never the private safety questions.
    fourth = assessment_start(by=worker, case=case, instrument=faa, language="kk")
    offered = previous_answers(fourth)
    assert offered["D1_1"] == 3 and not any(k.startswith("G") for k in offered)


def test_a_safety_concern_raises_priority_and_tasks_only_the_team_sees(worker, supervisor, case, faa, astana):
    admin = make_user("saule", astana, User.Role.AGENCY_ADMIN)
    assessment = complete(worker, case, faa, {**dimension_answers(2), "G1": 1, "G2": 1}, date(2026, 3, 1))
    assert assessment.safety == "concern"
    assert "G2" not in assessment.answers and json.loads(assessment.private_answers)["G2"] == 1  # kept encrypted
    case.refresh_from_db()
    assert case.priority == Case.Priority.HIGH
    tasks = Task.objects.filter(case=case, private=True)
    assert sorted(t.assignee.username for t in tasks) == ["aigerim", "bolat"]
    assert set(Task.objects.visible_to(worker).filter(private=True)) == set(tasks)
    assert list(Task.objects.visible_to(supervisor).filter(private=True)) == [tasks.get(assignee=supervisor)]
    assert not Task.objects.visible_to(admin).filter(private=True).exists()  # the admin sees the case, not these


def test_imminent_danger_makes_the_case_urgent(worker, case, faa):
    complete(worker, case, faa, {**dimension_answers(2), "G4": 1}, date(2026, 3, 1))
    case.refresh_from_db()
    assert case.priority == Case.Priority.URGENT


def test_the_worker_may_set_the_phase_with_a_reason(worker, case, faa):
    assessment = complete(worker, case, faa, dimension_answers(3), date(2026, 3, 1))
    assert assessment.phase == Phase.STABILISATION  # every dimension 75, AI 75
    with pytest.raises(ValidationError):
        assessment_phase_override(by=worker, assessment=assessment, phase=Phase.CRISIS, reason=" ")
    assessment_phase_override(by=worker, assessment=assessment, phase=Phase.CRISIS, reason="Отағасы жұмысынан айырылды")
    assessment.refresh_from_db()
    assert assessment.current_phase == Phase.CRISIS and assessment.phase == Phase.STABILISATION


# The command line -----------------------------------------------------------------------------------------

PACK = {
    "schema": "qadam-instrument/1",
    "id": "demo-pack",
    "version": "1.0.0",
    "title": {"en": "Placeholder pack"},
    "languages": ["en"],
    "status": "screen",
    "licence": {"holder": "An organisation", "terms": "Licensed to the organisation", "shipped": False},
    "sections": [
        {
            "id": "s1",
            "title": {"en": "Section"},
            "why": {"en": "Placeholder."},
            "items": [
                {"id": "Q1", "type": "yesno", "text": {"en": "Item 1 (placeholder)"}},
                {"id": "Q2", "type": "yesno", "text": {"en": "Item 2 (placeholder)"}},
            ],
        }
    ],
    "scales": [
        {"id": "total", "title": {"en": "Total"}, "items": ["Q1", "Q2"], "method": "count", "count_values": [1]}
    ],
}


def test_instruments_import_a_pack_and_list_it(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(PACK, allow_unicode=True), encoding="utf-8")
    out = StringIO()
    call_command("instruments", "import", str(path), stdout=out)
    assert "demo-pack 1.0.0" in out.getvalue()
    listed = StringIO()
    call_command("instruments", "list", stdout=listed)
    assert "demo-pack 1.0.0" in listed.getvalue() and "faa 1.0.0" in listed.getvalue()


def test_a_broken_pack_is_refused_naming_the_item_and_nothing_is_kept(tmp_path):
    broken = json.loads(json.dumps(PACK))
    broken["sections"][0]["items"][1]["id"] = "Q1"  # twice
    broken["scales"][0]["items"] = ["Q1", "Q9"]  # no such item
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("instruments", "import", str(path), stderr=err)
    assert "Q1" in err.getvalue() and "Q9" in err.getvalue()
    assert not InstrumentVersion.objects.filter(key="demo-pack").exists()


def test_a_pack_may_not_claim_to_be_shipped(tmp_path):
    claimed = {**PACK, "licence": {**PACK["licence"], "shipped": True}}
    path = tmp_path / "claimed.json"
    path.write_text(json.dumps(claimed), encoding="utf-8")
    with pytest.raises(Exception, match="shipped"):
        instrument_import(path=path)


def test_score_prints_what_the_pages_store(tmp_path, worker, case, faa):
    answers = dimension_answers(3, D1_6="declined")
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = StringIO()
    call_command("score", "faa", str(path), stdout=out)
    printed = json.loads(out.getvalue())
    stored = complete(worker, case, faa, answers, date(2026, 3, 1)).result
    # D1 without D1_6: five items at 3 = 15 / 20 = 75.
    assert printed["scales"]["D1"]["score"] == stored["scales"]["D1"]["score"] == 75
    assert printed["scales"] == stored["scales"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"D1_1": 9}), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("score", "faa", str(bad), stdout=StringIO(), stderr=StringIO())
