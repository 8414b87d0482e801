"""Supervisors' approvals of support plans and of case closures.

Who decides: the case worker's supervisor, or, when the case worker has none, an administrator of the case's
agency; never the person who asked. On a restricted case the decider must be on its team (only the team sees
it), so a request nobody could open is refused when it is made, with a message that says what to do.

A social worker's request to close a case waits for that decision; supervisors and agency administrators
close cases themselves without one (they are the ones who would approve it), and a request still waiting
is then settled by their closing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import audit_record
from qadam.cases.access import can_change
from qadam.cases.models import Case
from qadam.cases.services import case_close
from qadam.plans.models import Approval, SupportPlan
from qadam.plans.services import current_plan, settle_approval

# Roles that close cases without asking: they are the ones who approve closures.
CLOSE_WITHOUT_APPROVAL = (User.Role.SUPERVISOR, User.Role.AGENCY_ADMIN)


def approvers(case: Case) -> list[User]:
    """Who may decide on the case's requests: its worker's supervisor, else its agency's administrators."""
    supervisor = case.owner.supervisor
    if supervisor is not None and supervisor.is_active:
        return [supervisor]
    return list(User.objects.filter(agency_id=case.agency_id, role=User.Role.AGENCY_ADMIN, is_active=True))


def _can_open(user: User, case: Case) -> bool:
    return Case.objects.visible_to(user).filter(pk=case.pk).exists() and can_change(user, case)


def may_decide(user: User, approval: Approval) -> bool:
    return (
        approval.status == Approval.Status.PENDING
        and user.pk not in (approval.requested_by_id, approval.case.owner_id)
        and user in approvers(approval.case)
        and _can_open(user, approval.case)
    )


def pending_for(user: User) -> QuerySet[Approval]:
    """The requests waiting for this user's decision, among the cases they may open."""
    if user.role not in CLOSE_WITHOUT_APPROVAL:
        return Approval.objects.none()
    mine = Q(case__owner__supervisor=user)
    if user.role == User.Role.AGENCY_ADMIN:
        mine |= Q(case__owner__supervisor__isnull=True, case__agency_id=user.agency_id)
    return (
        Approval.objects.visible_to(user)
        .filter(mine, status=Approval.Status.PENDING)
        .exclude(requested_by=user)
        .exclude(case__owner=user)
    )


def _check_someone_decides(by: User, case: Case) -> None:
    deciders = [u for u in approvers(case) if u.pk not in (by.pk, case.owner_id)]
    if not deciders:
        raise ValidationError(
            _("Nobody can approve this: the case worker has no supervisor and the agency no other administrator.")
        )
    if not any(_can_open(u, case) for u in deciders):
        raise ValidationError(
            _("Only the case team sees this restricted case: add the supervisor to its team first, to approve.")
        )


@transaction.atomic
def plan_submit(*, by: User, plan: SupportPlan, comment: str = "") -> Approval:
    """Ask the supervisor to approve this version of the plan; it no longer changes while they decide."""
    plan = SupportPlan.objects.select_for_update(of=("self",)).select_related("case__owner__supervisor").get(pk=plan.pk)
    case = plan.case
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to change its plan."))
    if current_plan(case) != plan:
        raise ValidationError(_("This is an earlier version of the plan; it stays as it was."))
    if plan.status in (SupportPlan.Status.SUBMITTED, SupportPlan.Status.APPROVED):
        raise ValidationError(_("This version is waiting for approval or approved already."))
    _check_someone_decides(by, case)
    approval = Approval(case=case, kind=Approval.Kind.PLAN, plan=plan, requested_by=by, request_comment=comment.strip())
    approval.full_clean()
    approval.save()
    before = plan.status
    plan.status = SupportPlan.Status.SUBMITTED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="plan_submitted",
        obj=case,
        changes={"plan": plan.pk, "approval": [None, approval.pk], "status": [before, plan.status]},
    )
    return approval


@transaction.atomic
def closure_request(*, by: User, case: Case, reason: str, comment: str = "") -> Approval:
    """A social worker asks to close the case; it closes when the supervisor approves."""
    case = Case.objects.select_for_update(of=("self",)).select_related("owner__supervisor").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    if reason not in Case.ClosingReason.values:
        raise ValidationError({"closing_reason": _("Choose a reason for closing the case.")})
    if Approval.objects.filter(case=case, kind=Approval.Kind.CLOSURE, status=Approval.Status.PENDING).exists():
        raise ValidationError(_("Closing this case is waiting for approval already."))
    _check_someone_decides(by, case)
    approval = Approval(
        case=case, kind=Approval.Kind.CLOSURE, closing_reason=reason, request_comment=comment.strip(), requested_by=by
    )
    approval.full_clean()
    approval.save()
    audit_record(
        actor=by,
        action="closure_requested",
        obj=case,
        changes={"approval": [None, approval.pk], "closing_reason": [None, reason]},
    )
    return approval


@transaction.atomic
def case_close_or_request(*, by: User, case: Case, reason: str, comment: str = "") -> Approval | Case:
    """What "close the case" does for this user: supervisors and administrators close it, settling a request
    still waiting; a social worker's closing waits for approval."""
    if by.role not in CLOSE_WITHOUT_APPROVAL:
        return closure_request(by=by, case=case, reason=reason, comment=comment)
    case = case_close(by=by, case=case, reason=reason, comment=comment)
    waiting = Approval.objects.select_related("case__owner__supervisor").filter(
        case=case, kind=Approval.Kind.CLOSURE, status=Approval.Status.PENDING
    )
    for approval in waiting:
        settle_approval(approval, by=by, status=Approval.Status.WITHDRAWN)
    return case


def _locked(approval: Approval, by: User) -> Approval:
    approval = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("case__owner__supervisor", "plan", "requested_by")
        .get(pk=approval.pk)
    )
    if approval.status != Approval.Status.PENDING:
        raise ValidationError(_("This request is decided already."))
    if not may_decide(by, approval):
        raise ValidationError(_("Only the case worker's supervisor decides on this request, and never its author."))
    return approval


@transaction.atomic
def approval_approve(*, by: User, approval: Approval, comment: str = "") -> Approval:
    """Approve: the plan version is approved, or the case is closed with the reason the worker gave."""
    approval = _locked(approval, by)
    if approval.kind == Approval.Kind.PLAN:
        assert approval.plan is not None
        plan = approval.plan
        plan.status = SupportPlan.Status.APPROVED
        plan.save(update_fields=["status", "updated_at"])
    else:
        case_close(by=by, case=approval.case, reason=approval.closing_reason, comment=approval.request_comment)
    settle_approval(approval, by=by, status=Approval.Status.APPROVED, comment=comment.strip())
    audit_record(
        actor=by,
        action="approval_given",
        obj=approval.case,
        changes={"approval": approval.pk, "kind": approval.kind, "status": ["pending", "approved"]},
    )
    return approval


@transaction.atomic
def approval_return(*, by: User, approval: Approval, comment: str) -> Approval:
    """Return the request to the worker with a comment that says what to change; the comment is required."""
    approval = _locked(approval, by)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the worker should change: the comment is shown to them.")})
    if approval.kind == Approval.Kind.PLAN:
        assert approval.plan is not None
        plan = approval.plan
        plan.status = SupportPlan.Status.RETURNED
        plan.save(update_fields=["status", "updated_at"])
    settle_approval(approval, by=by, status=Approval.Status.RETURNED, comment=comment.strip())
    audit_record(
        actor=by,
        action="approval_returned",
        obj=approval.case,
        changes={"approval": approval.pk, "kind": approval.kind, "status": ["pending", "returned"]},
    )
    return approval
