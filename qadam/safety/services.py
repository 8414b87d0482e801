"""Writes to safety records, and how a person is to be contacted. Each write validated, in a transaction,
audited, and refused to anyone who may not make it (the views check first; this is the second lock)."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import CHANGED, audit_record
from qadam.cases.models import Case, Task
from qadam.cases.services import task_add, task_complete
from qadam.families.models import Membership, Person
from qadam.safety.access import can_change_contact, can_change_safety, on_team_of_person
from qadam.safety.models import CrisisStay, ProtectiveMeasure, SafeContact, SafetyPlan, SafetyPlanVersion, Violation
from qadam.safety.sections import KEYS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class ContactDetails:
    """How to reach a person: what every page, letter and referral that contacts them uses.

    `code_word` is None unless the reader is on the team of one of the person's cases."""

    phone: str
    safe_phone: bool  # whether `phone` is the safe phone the person gave, not the one on her record
    safe_hours: str
    no_sms: bool
    no_voicemail: bool
    instructions: str
    code_word: str | None

    @property
    def sms_allowed(self) -> bool:
        return bool(self.phone) and not self.no_sms

    @property
    def voicemail_allowed(self) -> bool:
        return bool(self.phone) and not self.no_voicemail


def safe_contact_of(person: Person) -> SafeContact | None:
    try:
        return person.safe_contact
    except SafeContact.DoesNotExist:
        return None


def contact_details(person: Person, *, user: User | AnonymousUser) -> ContactDetails:
    """The person's contact honouring her safe contact preferences. The caller has fetched `person`
    through `Person.objects.visible_to(user)`; this only decides whether the code word is shown."""
    prefs = safe_contact_of(person)
    if prefs is None:
        return ContactDetails(
            phone=person.phone or "",
            safe_phone=False,
            safe_hours="",
            no_sms=False,
            no_voicemail=False,
            instructions="",
            code_word=None,
        )
    return ContactDetails(
        phone=prefs.safe_phone or person.phone or "",
        safe_phone=bool(prefs.safe_phone),
        safe_hours=prefs.safe_hours,
        no_sms=prefs.no_sms,
        no_voicemail=prefs.no_voicemail,
        instructions=prefs.instructions,
        code_word=(prefs.code_word or None) if on_team_of_person(user, person) else None,
    )


@transaction.atomic
def safe_contact_set(*, by: User, person: Person, **data: Any) -> SafeContact:
    """Create or change the person's safe contact preferences. The audit log says which ones changed,
    never their values (a safe phone or a code word must not be readable in the log)."""
    if not can_change_contact(by, person):
        raise PermissionDenied
    unknown = set(data) - set(SafeContact.FIELDS)
    if unknown:
        raise TypeError(f"Not a safe contact field: {', '.join(sorted(unknown))}")
    prefs = SafeContact.objects.select_for_update().filter(person_id=person.pk).first()
    created = prefs is None
    if prefs is None:
        prefs = SafeContact(person=person, updated_by=by)
    before = {name: getattr(prefs, name) for name in SafeContact.FIELDS}
    for name, value in data.items():
        setattr(prefs, name, value.strip() if isinstance(value, str) else value)
    changes = {name: CHANGED for name in SafeContact.FIELDS if getattr(prefs, name) != before[name]}
    if not changes:
        return prefs
    if prefs.safe_phone and not _looks_like_phone(prefs.safe_phone):
        raise ValidationError({"safe_phone": _("Enter a phone number: digits, spaces, +, - and brackets.")})
    prefs.updated_by = by
    prefs.full_clean()
    if created:
        prefs.save()
    else:
        prefs.save(update_fields=[*changes, "updated_by", "updated_at"])
    person.safe_contact = prefs  # the next contact_details(person) sees the new preferences
    audit_record(actor=by, action="safe_contact_changed", obj=person, changes=changes)
    return prefs


def _looks_like_phone(value: str) -> bool:
    digits = [c for c in value if c.isdigit()]
    return 5 <= len(digits) <= 15 and all(c.isdigit() or c in " +-()" for c in value)


# Safety plans ---------------------------------------------------------------------------------------------


def _writable(by: User, case: Case) -> None:
    if not can_change_safety(by, case):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to change its safety records."))


def _private_task(*, by: User, case: Case, title: str, due_on: date) -> Task:
    """A task only the case team (and its assignee, the case worker) sees: it is about a survivor's safety."""
    return task_add(by=by, case=case, title=title, due_on=due_on, assignee=case.owner, private=True)


def _done(by: User, task: Task | None) -> None:
    if task is not None:
        task_complete(by=by, task=task)


@transaction.atomic
def safety_plan_write(
    *,
    by: User,
    case: Case,
    sections: dict[str, str],
    situation: str = SafetyPlanVersion.Situation.NOT_SAID,
    occasion: str = "",
    review_on: date | None = None,
) -> SafetyPlanVersion:
    """Write a new version of the case's safety plan (the first one creates the plan). The earlier versions
    stay as they were. A review date becomes a private task, completed by the next version."""
    _writable(by, case)
    unknown = set(sections) - set(KEYS)
    if unknown:
        raise TypeError(f"Not a safety plan section: {', '.join(sorted(unknown))}")
    texts = {key: sections[key].strip() for key in KEYS if (sections.get(key) or "").strip()}
    if not texts:
        raise ValidationError(_("Write at least one section of the plan, in her own words."))
    if review_on is not None and review_on < timezone.localdate():
        raise ValidationError({"review_on": _("The review date cannot be in the past.")})
    plan = SafetyPlan.objects.select_for_update().filter(case_id=case.pk).first()
    current = plan.current if plan is not None else None
    same = current is not None and (current.texts, current.situation, current.review_on) == (
        texts,
        situation,
        review_on,
    )
    if current is not None and same:
        return current  # the same plan submitted again: nothing new to keep
    if plan is None:
        plan = SafetyPlan(case=case, created_by=by)
        plan.full_clean()
        plan.save()
    number = current.number + 1 if current is not None else 1
    occasion = occasion or (SafetyPlanVersion.Occasion.FIRST if number == 1 else SafetyPlanVersion.Occasion.REVIEW)
    version = SafetyPlanVersion(
        plan=plan,
        number=number,
        situation=situation,
        occasion=occasion,
        sections=json.dumps(texts, ensure_ascii=False),
        review_on=review_on,
        written_by=by,
    )
    version.full_clean()
    version.save()
    _done(by, plan.review_task)
    plan.review_task = (
        _private_task(by=by, case=case, title=_("Look at the safety plan again with her."), due_on=review_on)
        if review_on is not None
        else None
    )
    plan.save(update_fields=["review_task", "updated_at"])
    before = current.texts if current is not None else {}
    changed = sorted(key for key in KEYS if texts.get(key) != before.get(key))
    audit_record(
        actor=by,
        action="safety_plan_written",
        obj=plan,
        changes={"version": [current.number if current else None, number], **dict.fromkeys(changed, CHANGED)},
    )
    return version


# Protective measures --------------------------------------------------------------------------------------

# A police protective order is in force for 30 days; a period in days runs from the day after the order
# (Civil Code: a period starts the day after the event that begins it).
POLICE_ORDER_DAYS = 30
COURT_MONTHS = (3, 12)
# How long before the end the case worker is reminded: enough to ask the police or the court for more.
REMINDER_DAYS = {
    ProtectiveMeasure.Kind.POLICE_ORDER: 7,
    ProtectiveMeasure.Kind.COURT_REQUIREMENTS: 21,
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _in_family(case: Case, person: Person) -> bool:
    return Membership.objects.filter(family_id=case.family_id, person_id=person.pk).exists()


def _check_period(kind: str, issued_on: date, ends_on: date) -> None:
    if ends_on <= issued_on:
        raise ValidationError({"ends_on": _("The end date must be after the date it was issued.")})
    if kind == ProtectiveMeasure.Kind.POLICE_ORDER:
        if ends_on > issued_on + timedelta(days=POLICE_ORDER_DAYS):
            raise ValidationError(
                {
                    "ends_on": _("A police protective order is in force for at most 30 days: until %(day)s.")
                    % {"day": date_format(issued_on + timedelta(days=POLICE_ORDER_DAYS))}
                }
            )
        return
    shortest, longest = (add_months(issued_on, n) for n in COURT_MONTHS)
    if not shortest <= ends_on <= longest:
        raise ValidationError(
            {
                "ends_on": _(
                    "A court sets special requirements for 3 to 12 months: the end date must be between "
                    "%(first)s and %(last)s."
                )
                % {"first": date_format(shortest), "last": date_format(longest)}
            }
        )


def _remind(by: User, measure: ProtectiveMeasure) -> Task | None:
    """A private task some days before the measure ends; none for a measure already over."""
    today = timezone.localdate()
    if measure.ends_on < today:
        return None
    due = max(today, measure.ends_on - timedelta(days=REMINDER_DAYS[measure.kind]))  # type: ignore[index]
    title = _("Safety: a protective measure ends on %(day)s. Check with her whether it is extended or replaced.") % {
        "day": date_format(measure.ends_on)
    }
    return _private_task(by=by, case=measure.case, title=title, due_on=due)


@transaction.atomic
def measure_add(
    *,
    by: User,
    case: Case,
    kind: str,
    person: Person,
    issued_on: date,
    issued_by: str,
    ends_on: date | None = None,
    reference: str = "",
    replaces: ProtectiveMeasure | None = None,
) -> ProtectiveMeasure:
    """Record a protective measure; a police order runs 30 days unless its end date says less. An expiry
    reminder becomes a private task; a measure it replaces ends, with its reminder completed."""
    _writable(by, case)
    if kind not in ProtectiveMeasure.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of measure.")})
    if not _in_family(case, person):
        raise ValidationError({"person": _("The protected person must be a member of the case's household.")})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("The date it was issued cannot be in the future.")})
    if ends_on is None:
        if kind != ProtectiveMeasure.Kind.POLICE_ORDER:
            raise ValidationError({"ends_on": _("Enter the date the court's requirements end.")})
        ends_on = issued_on + timedelta(days=POLICE_ORDER_DAYS)
    _check_period(kind, issued_on, ends_on)
    if replaces is not None:
        replaces = ProtectiveMeasure.objects.select_for_update().get(pk=replaces.pk)
        if replaces.case_id != case.pk or replaces.ended_on is not None:
            raise ValidationError({"replaces": _("Only a measure of this case that has not ended can be replaced.")})
        if issued_on < replaces.issued_on:
            raise ValidationError({"issued_on": _("A new measure is issued after the one it replaces.")})
    measure = ProtectiveMeasure(
        case=case,
        person=person,
        kind=kind,
        issued_on=issued_on,
        issued_by=issued_by.strip(),
        reference=reference.strip(),
        ends_on=ends_on,
        recorded_by=by,
    )
    measure.full_clean()
    measure.save()
    measure.reminder_task = _remind(by, measure)
    measure.save(update_fields=["reminder_task", "updated_at"])
    audit_record(
        actor=by,
        action="protective_measure_recorded",
        obj=measure,
        changes={
            "kind": [None, kind],
            "issued_on": [None, issued_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
            "issued_by": CHANGED,
        },
    )
    if replaces is not None:
        _finish(by, replaces, on=min(issued_on, replaces.ends_on), ending=ProtectiveMeasure.Ending.REPLACED)
        replaces.replaced_by = measure
        replaces.save(update_fields=["replaced_by", "updated_at"])
    return measure


def _finish(by: User, measure: ProtectiveMeasure, *, on: date, ending: str) -> None:
    measure.ended_on = max(on, measure.issued_on)
    measure.ending = ending
    measure.full_clean()
    measure.save(update_fields=["ended_on", "ending", "updated_at"])
    _done(by, measure.reminder_task)
    audit_record(
        actor=by,
        action="protective_measure_ended",
        obj=measure,
        changes={"ended_on": [None, measure.ended_on.isoformat()], "ending": [None, ending]},
    )


@transaction.atomic
def measure_extend(*, by: User, measure: ProtectiveMeasure, ends_on: date) -> ProtectiveMeasure:
    """A court extends its special requirements: the end date moves, the reminder follows it. A police
    order is not extended: a new order is recorded, replacing it."""
    measure = ProtectiveMeasure.objects.select_for_update().select_related("case").get(pk=measure.pk)
    _writable(by, measure.case)
    if measure.kind == ProtectiveMeasure.Kind.POLICE_ORDER:
        raise ValidationError(_("A police protective order is not extended: record the new order, replacing this one."))
    if measure.ended_on is not None:
        raise ValidationError(_("This measure has ended; record a new one."))
    if not measure.ends_on < ends_on <= add_months(measure.ends_on, COURT_MONTHS[1]):
        raise ValidationError(
            {
                "ends_on": _("The new end date must be after %(day)s and at most 12 months later.")
                % {"day": date_format(measure.ends_on)}
            }
        )
    old = measure.ends_on
    measure.ends_on = ends_on
    measure.full_clean()
    measure.save(update_fields=["ends_on", "updated_at"])
    _done(by, measure.reminder_task)
    measure.reminder_task = _remind(by, measure)
    measure.save(update_fields=["reminder_task", "updated_at"])
    audit_record(
        actor=by,
        action="protective_measure_extended",
        obj=measure,
        changes={"ends_on": [old.isoformat(), ends_on.isoformat()]},
    )
    return measure


@transaction.atomic
def measure_end(*, by: User, measure: ProtectiveMeasure, ended_on: date) -> ProtectiveMeasure:
    """A measure cancelled before its end date (by the court, or the police order lifted)."""
    measure = ProtectiveMeasure.objects.select_for_update().select_related("case").get(pk=measure.pk)
    _writable(by, measure.case)
    if measure.ended_on is not None:
        raise ValidationError(_("This measure has already ended."))
    if not measure.issued_on <= ended_on <= min(measure.ends_on, timezone.localdate()):
        raise ValidationError(
            {"ended_on": _("The date it ended must be between the date it was issued and today, within its term.")}
        )
    _finish(by, measure, on=ended_on, ending=ProtectiveMeasure.Ending.CANCELLED)
    return measure


@transaction.atomic
def violation_add(
    *, by: User, measure: ProtectiveMeasure, occurred_on: date, what: str, reported_to_police: bool
) -> Violation:
    measure = ProtectiveMeasure.objects.select_related("case").get(pk=measure.pk)
    _writable(by, measure.case)
    last = min(measure.ends_on, measure.ended_on or measure.ends_on, timezone.localdate())
    if not measure.issued_on <= occurred_on <= last:
        raise ValidationError(
            {"occurred_on": _("A violation happens while the measure is in force, and not in the future.")}
        )
    if not what.strip():
        raise ValidationError({"what": _("Say what happened.")})
    violation = Violation(
        measure=measure,
        occurred_on=occurred_on,
        what=what.strip(),
        reported_to_police=reported_to_police,
        recorded_by=by,
    )
    violation.full_clean()
    violation.save()
    audit_record(
        actor=by,
        action="violation_recorded",
        obj=measure,
        changes={
            "violation": [None, violation.pk],
            "occurred_on": [None, occurred_on.isoformat()],
            "what": CHANGED,
            "reported_to_police": [None, reported_to_police],
        },
    )
    return violation


# Crisis-centre stays --------------------------------------------------------------------------------------


@transaction.atomic
def stay_add(
    *, by: User, case: Case, person: Person, centre: str, from_on: date, to_on: date | None = None
) -> CrisisStay:
    _writable(by, case)
    if not _in_family(case, person):
        raise ValidationError({"person": _("The person must be a member of the case's household.")})
    if from_on > timezone.localdate():
        raise ValidationError({"from_on": _("The stay cannot start in the future.")})
    if to_on is not None and to_on < from_on:
        raise ValidationError({"to_on": _("The stay cannot end before it starts.")})
    if not centre.strip():
        raise ValidationError({"centre": _("Name the crisis centre.")})
    overlapping = CrisisStay.objects.filter(person_id=person.pk, from_on__lte=to_on or date.max).filter(
        Q(to_on__isnull=True) | Q(to_on__gte=from_on)
    )
    if overlapping.exists():
        raise ValidationError(_("She already has a stay recorded for these dates."))
    stay = CrisisStay(case=case, person=person, centre=centre.strip(), from_on=from_on, to_on=to_on, recorded_by=by)
    stay.full_clean()
    stay.save()
    audit_record(
        actor=by,
        action="crisis_stay_recorded",
        obj=stay,
        changes={
            "centre": CHANGED,
            "from_on": [None, from_on.isoformat()],
            "to_on": [None, to_on.isoformat() if to_on else None],
        },
    )
    return stay


@transaction.atomic
def stay_end(*, by: User, stay: CrisisStay, to_on: date) -> CrisisStay:
    stay = CrisisStay.objects.select_for_update().select_related("case").get(pk=stay.pk)
    _writable(by, stay.case)
    if to_on < stay.from_on:
        raise ValidationError({"to_on": _("The stay cannot end before it starts.")})
    if to_on > timezone.localdate():
        raise ValidationError({"to_on": _("Record the end of a stay once she has left.")})
    old = stay.to_on
    stay.to_on = to_on
    stay.full_clean()
    stay.save(update_fields=["to_on", "updated_at"])
    audit_record(
        actor=by,
        action="crisis_stay_ended",
        obj=stay,
        changes={"to_on": [old.isoformat() if old else None, to_on.isoformat()]},
    )
    return stay
