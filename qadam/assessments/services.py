"""Writes to assessments: registering instrument versions, starting, answering, completing, overriding the
phase; each validated, atomic and audited. Scoring itself is the engine's pure `score` and `interpret`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.assessments.engine import (
    DefinitionError,
    Instrument,
    Interpretation,
    Point,
    Problem,
    Result,
    check_answers,
    interpret,
    read_instrument_file,
    score,
)
from qadam.assessments.engine.faa import Phase, months_between
from qadam.assessments.engine.xlsform import import_xlsform
from qadam.assessments.models import Assessment, InstrumentVersion, ScaleScore
from qadam.audit.services import CHANGED, audit_record
from qadam.cases.models import Case, Task
from qadam.families.models import Family, Person

SHIPPED_DIR = Path(__file__).parent / "instruments"


# Instruments ------------------------------------------------------------------------------------------------


@transaction.atomic
def instrument_register(
    *, instrument: Instrument, source: str, file_name: str = "", by: User | None = None
) -> tuple[InstrumentVersion, bool]:
    """Keep a validated instrument version; (version, created). The same version again with the same content
    is a no-op; with other content it is refused, since stored assessments must keep reading as they were."""
    existing = InstrumentVersion.objects.filter(key=instrument.id, version=instrument.version).first()
    if existing is not None:
        if existing.definition != instrument.definition:
            raise ValidationError(
                _(
                    "Version %(version)s of “%(key)s” is already in Qadam with other content. "
                    "Give the changed instrument a new version number."
                )
                % {"version": instrument.version, "key": instrument.id}
            )
        return existing, False
    InstrumentVersion.objects.filter(key=instrument.id).update(offered=False)
    version = InstrumentVersion.objects.create(
        key=instrument.id,
        version=instrument.version,
        title=dict(instrument.title),
        definition=instrument.definition,
        source=source,
        file_name=file_name,
        imported_by=by,
    )
    if by is not None:
        audit_record(actor=by, action="instrument_imported", obj=version, changes={"version": [None, str(version)]})
    return version, True


@transaction.atomic
def instrument_offer(*, by: User, version: InstrumentVersion, offered: bool) -> InstrumentVersion:
    """Offer a version for new assessments, which stops offering the instrument's other versions, or stop
    offering it. Assessments already made with any version keep reading as they were."""
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.offered == offered:
        return version
    if offered:
        InstrumentVersion.objects.filter(key=version.key, offered=True).update(offered=False)
    version.offered = offered
    version.save(update_fields=["offered"])
    audit_record(
        actor=by,
        action="instrument_offered" if offered else "instrument_withdrawn",
        obj=version,
        changes={"offered": [not offered, offered]},
    )
    return version


def instrument_import(*, path: Path, by: User | None = None) -> tuple[InstrumentVersion, list[Problem]]:
    """Import an organisation's instrument pack (YAML or JSON) or an XLSForm (.xlsx); the notes say what an
    XLSForm could not carry. Every problem is reported at once (DefinitionError); nothing is half-imported."""
    notes: list[Problem] = []
    if path.suffix.lower() == ".xlsx":
        imported = import_xlsform(path)
        instrument, notes, source = imported.instrument, imported.notes, InstrumentVersion.Source.XLSFORM
    else:
        instrument, source = read_instrument_file(path), InstrumentVersion.Source.PACK
        if instrument.licence.get("shipped"):
            raise DefinitionError(
                [
                    Problem(
                        where="licence > shipped",
                        message=_("Only the instruments Qadam itself ships say shipped: true."),
                    )
                ],
                source=path.name,
            )
    version, _created = instrument_register(instrument=instrument, source=source, file_name=path.name, by=by)
    return version, notes


def shipped_instruments_sync() -> list[InstrumentVersion]:
    """Register the instruments Qadam ships (qadam/assessments/instruments/*.yaml) that are not there yet."""
    created = []
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        version, new = instrument_register(
            instrument=read_instrument_file(path), source=InstrumentVersion.Source.SHIPPED, file_name=path.name
        )
        if new:
            created.append(version)
    return created


# Assessments ------------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *, by: User, case: Case, instrument: InstrumentVersion, language: str, informant: Person | None = None
) -> Assessment:
    if not case.is_open:
        raise ValidationError(_("A closed case takes no new assessment; reopen it first."))
    if informant is not None and not case.family.memberships.filter(person=informant).exists():
        raise ValidationError({"informant": _("Who answers must be a member of the family.")})
    assessment = Assessment(
        case=case, family=case.family, informant=informant, instrument=instrument, language=language, started_by=by
    )
    assessment.full_clean()
    assessment.save()
    audit_record(actor=by, action="assessment_started", obj=case, changes={"assessment": [None, assessment.pk]})
    return assessment


def _split(instrument: Instrument, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ordinary, private) answers, by whether the question's section is asked only in private."""
    private_items = {item.id for section in instrument.sections if section.private for item in section.items}
    ordinary = {k: v for k, v in answers.items() if k not in private_items}
    return ordinary, {k: v for k, v in answers.items() if k in private_items}


@transaction.atomic
def assessment_answer(*, by: User, assessment: Assessment, answers: dict[str, Any]) -> Assessment:
    """Save some answers (a section, or a whole form), keeping the others; None clears an answer, which
    then counts as skipped. Answers that do not fit their questions are refused, nothing saved."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_completed:
        raise ValidationError(_("This assessment is completed; its answers no longer change."))
    instrument = assessment.instrument.instrument
    given = {k: v for k, v in answers.items() if v is not None}
    problems = check_answers(instrument, given)
    if problems:
        raise ValidationError([f"{p.where}: {p.message}" for p in problems])
    merged = assessment.all_answers
    for item_id, value in answers.items():
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = value
    ordinary, private = _split(instrument, merged)
    assessment.answers = ordinary
    assessment.private_answers = json.dumps(private, ensure_ascii=False) if private else ""
    assessment.save(update_fields=["answers", "private_answers", "updated_at"])
    return assessment


def months_since_move(family: Family, on: date) -> int | None:
    """Months from the family's latest move before the date to the date; None when no move is recorded."""
    move = family.moves.filter(moved_on__lte=on).order_by("-moved_on").first()
    return months_between(move.moved_on, on) if move is not None else None


def _earlier_points(assessment: Assessment, on: date) -> list[Point]:
    earlier = (
        Assessment.objects.completed()
        .filter(family_id=assessment.family_id, instrument__key=assessment.instrument.key, assessed_on__lte=on)
        .exclude(pk=assessment.pk)
        .order_by("assessed_on", "id")
    )
    return [Point(a.assessed_on, a.index, a.current_phase or None) for a in earlier if a.assessed_on is not None]


def assessment_score(assessment: Assessment, on: date) -> tuple[Result, Interpretation | None]:
    """Score an assessment as of a date, with its interpretation when its instrument has one: what
    completing stores, and what `qadam score` and the benchmark recompute."""
    instrument = assessment.instrument.instrument
    answers = assessment.all_answers
    result = score(instrument, answers)
    if instrument.interpretation != "faa":
        return result, None
    interpretation = interpret(
        result,
        months_since_move=months_since_move(assessment.family, on),
        previous=_earlier_points(assessment, on),
        safety_urgent=result.flag == "urgent",
        assessed_on=on,
        answers=answers,
        params=instrument.interpretation_params,
    )
    return result, interpretation


@transaction.atomic
def assessment_complete(*, by: User, assessment: Assessment, assessed_on: date | None = None) -> Assessment:
    """Score and interpret the assessment and keep the result; a safety concern raises the case's priority
    and gives its worker and their supervisor an urgent task that only the case team sees."""
    assessment = (
        Assessment.objects.select_for_update().select_related("instrument", "family", "case").get(pk=assessment.pk)
    )
    if assessment.is_completed:
        raise ValidationError(_("This assessment is completed already."))
    on = assessed_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date of the assessment cannot be in the future.")})
    result, interpretation = assessment_score(assessment, on)
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_by = by
    assessment.assessed_on = on
    assessment.result = result.as_dict()
    assessment.safety = result.flag or ""
    assessment.months_since_move = months_since_move(assessment.family, on)
    if interpretation is not None:
        assessment.interpretation = interpretation.as_dict()
        assessment.index = round(interpretation.ai) if interpretation.ai is not None else None
        assessment.phase = interpretation.phase
        assessment.strategy = interpretation.strategy
    assessment.save()
    ScaleScore.objects.bulk_create(
        ScaleScore(assessment=assessment, scale=scale_id, score=s.score if s.valid else None, valid=s.valid)
        for scale_id, s in result.scales.items()
    )
    if assessment.safety:
        _safety_follow_up(by=by, assessment=assessment)
    audit_record(
        actor=by,
        action="assessment_completed",
        obj=assessment.case,
        changes={"assessment": [None, assessment.pk], "safety": CHANGED if assessment.safety else [None, None]},
    )
    return assessment


SAFETY_PRIORITY = {"concern": Case.Priority.HIGH, "urgent": Case.Priority.URGENT}


def _safety_follow_up(*, by: User, assessment: Assessment) -> None:
    case = assessment.case
    priority = SAFETY_PRIORITY[assessment.safety]
    if case.priority < priority:
        audit_record(actor=by, action="case_priority_raised", obj=case, changes={"priority": [case.priority, priority]})
        case.priority = priority
        case.save(update_fields=["priority", "updated_at"])
    title = (
        _("Safety check: imminent danger reported. Act today: safety plan, crisis contacts (111, 102).")
        if assessment.safety == "urgent"
        else _("Safety check: a concern was raised. Talk in private, offer a safety plan and crisis contacts.")
    )
    due = timezone.localdate() + (timedelta(0) if assessment.safety == "urgent" else timedelta(days=1))
    people = [case.owner]
    if case.owner.supervisor is not None:
        people.append(case.owner.supervisor)
    for person in people:
        task = Task.objects.create(case=case, title=title, due_on=due, assignee=person, created_by=by, private=True)
        audit_record(actor=by, action="task_added", obj=case, changes={"task": [None, task.pk]})


@transaction.atomic
def assessment_phase_override(*, by: User, assessment: Assessment, phase: str, reason: str) -> Assessment:
    """The worker sets the phase against the rules' reading, with a reason that stays beside it."""
    if not assessment.is_completed or not assessment.phase:
        raise ValidationError(_("Only a completed Family Adaptation Assessment has a phase to set."))
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose a phase from the list.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you set the phase yourself.")})
    before = assessment.current_phase
    assessment.phase_override = phase
    assessment.phase_override_reason = reason.strip()
    assessment.phase_override_by = by
    assessment.full_clean()
    assessment.save(update_fields=["phase_override", "phase_override_reason", "phase_override_by", "updated_at"])
    audit_record(actor=by, action="phase_set", obj=assessment.case, changes={"phase": [before, phase]})
    return assessment


def previous_answers(assessment: Assessment) -> dict[str, Any]:
    """The family's answers from its last completed assessment with the same instrument, offered as
    "we have this — still true?". Private questions (the safety check) are always asked afresh."""
    last = (
        Assessment.objects.completed()
        .filter(family_id=assessment.family_id, instrument__key=assessment.instrument.key)
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-id")
        .first()
    )
    if last is None:
        return {}
    instrument = assessment.instrument.instrument
    return {k: v for k, v in last.answers.items() if k in instrument.items}
