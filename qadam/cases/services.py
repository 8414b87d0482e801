"""Writes to cases: opening, the status flow, notes and tasks; each validated, atomic and audited."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import CHANGED, audit_record
from qadam.cases.access import can_break_glass, separation_conflict, team_q
from qadam.cases.models import (
    AllegedPerpetrator,
    BreakGlass,
    Case,
    CaseAssignment,
    Note,
    Notification,
    StatusChange,
    Task,
)
from qadam.families.models import Family, Person
from qadam.families.services import family_restrict
from qadam.lib.text import search_text


def _check_worker(owner: User, case_agency_id: int) -> None:
    if owner.agency_id != case_agency_id or not owner.manages_cases or not owner.is_active:
        raise ValidationError({"owner": _("The case worker must be an active worker of this agency.")})


def _check_separation(user: User, case: Case, field: str) -> None:
    """Refuse a worker who would then see both a survivor and the person she named; the message does not
    say why, since whoever assigns may be outside the survivor's team."""
    if separation_conflict(user, case):
        raise ValidationError(
            {field: _("This worker cannot take this case. Choose another; the agency administrator can say why.")}
        )


@transaction.atomic
def case_open(
    *,
    by: User,
    family: Family,
    person: Person,
    kind: str,
    owner: User,
    priority: int = Case.Priority.NORMAL,
    grounds: list[str] | None = None,
    opened_on: date | None = None,
) -> Case:
    if not family.memberships.filter(person=person).exists():
        raise ValidationError({"person": _("The index person must be a member of the family.")})
    _check_worker(owner, family.agency_id)
    case = Case(
        agency_id=family.agency_id,
        family=family,
        person=person,
        kind=kind,
        owner=owner,
        priority=priority,
        grounds=grounds or [],
        opened_on=opened_on or timezone.localdate(),
    )
    if kind in Case.RESTRICTED_KINDS:
        case.restricted = True  # the case type is the reason, shown in the reader's language
    case.full_clean()
    case.save()
    if case.restricted:
        family_restrict(family=family)
    _check_separation(owner, case, "owner")
    # The number needs the id; the id is unique across app servers without a shared counter.
    case.number = f"{family.agency.code.upper()}-{case.opened_on:%Y}-{case.pk:06d}"
    case.save(update_fields=["number"])
    StatusChange.objects.create(case=case, from_status="", to_status=case.status, by=by)
    audit_record(
        actor=by,
        action="case_opened",
        obj=case,
        changes={
            "kind": [None, kind],
            "owner": [None, owner.pk],
            "priority": [None, priority],
            "family": [None, family.pk],
        },
    )
    return case


def _lock(case: Case) -> Case:
    """The case re-read under a row lock, so that two workers cannot move it at the same moment."""
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_change_status(*, by: User, case: Case, to_status: str, comment: str = "") -> Case:
    case = _lock(case)
    if to_status not in case.next_statuses():
        raise ValidationError(_("A case in this status cannot move there. Reload the page to see its current status."))
    change = StatusChange.objects.create(
        case=case, from_status=case.status, to_status=to_status, by=by, comment=comment
    )
    audit_record(actor=by, action="case_status_changed", obj=case, changes={"status": [case.status, to_status]})
    case.status = change.to_status
    case.save(update_fields=["status", "updated_at"])
    return case


@transaction.atomic
def case_close(*, by: User, case: Case, reason: str, comment: str = "") -> Case:
    case = _lock(case)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    if reason not in Case.ClosingReason.values:
        raise ValidationError({"closing_reason": _("Choose a reason for closing the case.")})
    StatusChange.objects.create(
        case=case, from_status=case.status, to_status=Case.Status.CLOSED, by=by, comment=comment
    )
    audit_record(
        actor=by,
        action="case_closed",
        obj=case,
        changes={"status": [case.status, Case.Status.CLOSED], "closing_reason": [None, reason]},
    )
    case.status = Case.Status.CLOSED
    case.closed_on = timezone.localdate()
    case.closing_reason = reason
    case.save(update_fields=["status", "closed_on", "closing_reason", "updated_at"])
    return case


@transaction.atomic
def case_reopen(*, by: User, case: Case, comment: str) -> Case:
    case = _lock(case)
    if case.is_open:
        raise ValidationError(_("This case is open already."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the case is reopened.")})
    StatusChange.objects.create(
        case=case, from_status=case.status, to_status=Case.Status.ASSESSMENT, by=by, comment=comment
    )
    audit_record(actor=by, action="case_reopened", obj=case, changes={"status": [case.status, Case.Status.ASSESSMENT]})
    case.status = Case.Status.ASSESSMENT
    case.closed_on = None
    case.closing_reason = ""
    case.save(update_fields=["status", "closed_on", "closing_reason", "updated_at"])
    return case


@transaction.atomic
def case_assign(*, by: User, case: Case, owner: User) -> Case:
    case = _lock(case)
    _check_worker(owner, case.agency_id)
    if owner.pk != case.owner_id:
        _check_separation(owner, case, "owner")
        audit_record(actor=by, action="case_assigned", obj=case, changes={"owner": [case.owner_id, owner.pk]})
        case.owner = owner
        case.assigned_at = timezone.now()
        case.save(update_fields=["owner", "assigned_at", "updated_at"])
    return case


@transaction.atomic
def note_add(*, by: User, case: Case, contact: str, contact_on: date, text: str, minutes: int | None = None) -> Note:
    if not by.writes_case_notes:
        raise ValidationError(_("Your role does not write case notes."))
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to add notes or tasks."))
    if contact_on > timezone.localdate():
        raise ValidationError({"contact_on": _("The date of contact cannot be in the future.")})
    note = Note(case=case, contact=contact, contact_on=contact_on, text=text, minutes=minutes, author=by)
    note.search_text = "" if case.restricted else search_text(text)
    note.full_clean()
    note.save()
    audit_record(actor=by, action="note_added", obj=case, changes={"note": [None, note.pk], "contact": [None, contact]})
    return note


@transaction.atomic
def task_add(*, by: User, case: Case, title: str, due_on: date, assignee: User, private: bool = False) -> Task:
    """A task on the case; `private` ones (about a survivor's safety or a restricted matter) are seen only by
    the case team and their assignee."""
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to add notes or tasks."))
    if assignee.agency_id != case.agency_id or not assignee.is_active:
        raise ValidationError({"assignee": _("Tasks go to active people of the case's agency.")})
    task = Task(case=case, title=title, due_on=due_on, assignee=assignee, created_by=by, private=private)
    task.full_clean()
    task.save()
    audit_record(
        actor=by, action="task_added", obj=case, changes={"task": [None, task.pk], "assignee": [None, assignee.pk]}
    )
    return task


@transaction.atomic
def task_complete(*, by: User, task: Task) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return task
    task.done_at = timezone.now()
    task.done_by = by
    task.save(update_fields=["done_at", "done_by", "updated_at"])
    audit_record(actor=by, action="task_done", obj=task.case, changes={"task": task.pk, "done": [False, True]})
    return task


@transaction.atomic
def case_restrict(*, by: User, case: Case, reason: str) -> Case:
    """Hide a case, its household and its people from everyone outside the case team."""
    case = _lock(case)
    if case.restricted:
        return case
    if not reason.strip():
        raise ValidationError({"restricted_reason": _("Say why the case is restricted.")})
    case.restricted = True
    case.restricted_reason = reason
    case.save(update_fields=["restricted", "restricted_reason", "updated_at"])
    case.notes.update(search_text="")  # a restricted case's narratives leave the full-text index
    family_restrict(family=case.family)
    audit_record(actor=by, action="case_restricted", obj=case, changes={"restricted": [False, True]})
    return case


@transaction.atomic
def case_team_add(*, by: User, case: Case, user: User) -> CaseAssignment:
    if user.agency_id != case.agency_id or not user.manages_cases or not user.is_active:
        raise ValidationError({"user": _("The case team is made of active workers of the case's agency.")})
    if user.pk == case.owner_id or case.assignments.filter(user=user).exists():
        raise ValidationError({"user": _("This colleague is on the case team already.")})
    _check_separation(user, case, "user")
    assignment = CaseAssignment.objects.create(case=case, user=user, added_by=by)
    audit_record(actor=by, action="case_team_added", obj=case, changes={"team": [None, user.pk]})
    return assignment


@transaction.atomic
def case_team_remove(*, by: User, case: Case, user: User) -> None:
    deleted, _details = case.assignments.filter(user=user).delete()
    if deleted:
        audit_record(actor=by, action="case_team_removed", obj=case, changes={"team": [user.pk, None]})


BREAK_GLASS_DURATION = timedelta(hours=1)


@transaction.atomic
def case_break_glass(*, by: User, case: Case, reason: str) -> BreakGlass:
    """Open a restricted case in an emergency: for an hour, with a reason, told to its case worker and admins."""
    if not can_break_glass(by, case):
        raise ValidationError(_("Your role may not open this restricted case."))
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Describe the emergency in a sentence: it is shown to the case worker.")})
    now = timezone.now()
    access = BreakGlass.objects.create(
        case=case, user=by, reason=reason, granted_at=now, expires_at=now + BREAK_GLASS_DURATION
    )
    admins = User.objects.filter(agency_id=case.agency_id, role=User.Role.AGENCY_ADMIN, is_active=True)
    for recipient in {case.owner, *admins} - {by}:
        Notification.objects.create(
            user=recipient, kind=Notification.Kind.BREAK_GLASS, case=case, actor=by, text=reason
        )
    audit_record(
        actor=by, action="break_glass", obj=case, changes={"reason": reason, "until": access.expires_at.isoformat()}
    )
    return access


def notification_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def perpetrator_record(
    *, by: User, case: Case, relationship: str, person: Person | None = None, description: str = ""
) -> AllegedPerpetrator:
    """Record on a survivor's restricted case the person she names as the one who harmed her.

    Refused when someone on this case's team also works on a case of that person: one worker must not see
    both. The audit log says that it was recorded, not whom (the entry belongs to the case).
    """
    perpetrator = AllegedPerpetrator(
        case=case, person=person, relationship=relationship, description=description, recorded_by=by
    )
    perpetrator.full_clean()
    if person is not None:
        team = [case.owner, *(a.user for a in case.assignments.select_related("user"))]
        person_cases = Case.objects.filter(person=person)
        if any(person_cases.filter(team_q(member)).exists() for member in team):
            raise ValidationError(
                {"person": _("Someone on this case team also works with this person. Ask your supervisor first.")}
            )
    perpetrator.save()
    audit_record(actor=by, action="perpetrator_recorded", obj=case, changes={"alleged_perpetrator": CHANGED})
    return perpetrator
