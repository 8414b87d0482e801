"""Writes to case transfers: a case handed over to another agency, with consent and confidentiality kept.

Accepting a transfer changes the case's agency and case worker: the sending team, its supervisor and
administrators lose access at once (the case team is emptied, open tasks go to the new case worker), a
restricted case stays restricted, and the history (notes, tasks, steps, audit log) stays with the case.
With `household`, the family and those of its members kept by the sending agency move too; that is refused
while the household has another open case at the sending agency, which still works with them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import Agency, User
from qadam.audit.services import audit_record
from qadam.cases.access import can_change, separation_conflict
from qadam.cases.models import Case, Task
from qadam.consent.models import Consent
from qadam.consent.services import consent_allows
from qadam.families.models import Family, Membership, Person
from qadam.referrals.access import may_decide_transfer, may_override
from qadam.referrals.models import CaseTransfer, Referral
from qadam.referrals.services import SHORTEST_OVERRIDE_REASON


def _other_open_cases(case: Case) -> bool:
    return (
        Case.objects.filter(family_id=case.family_id, agency_id=case.agency_id)
        .exclude(pk=case.pk)
        .exclude(status=Case.Status.CLOSED)
        .exists()
    )


def _basis(by: User, case: Case, to_agency: Agency, override_reason: str) -> str:
    if consent_allows(case.person, Consent.Purpose.SHARING, to_agency):
        return Referral.Basis.CONSENT
    if not override_reason.strip():
        raise ValidationError(
            _(
                "The person has not consented to sharing with this agency. Record their consent, "
                "or ask your supervisor to decide."
            )
        )
    if not may_override(by, case, case.owner):
        raise ValidationError(
            _("Only the worker's supervisor or an agency administrator may decide to share without consent.")
        )
    if len(override_reason.strip()) < SHORTEST_OVERRIDE_REASON:
        raise ValidationError(
            {"override_reason": _("Say in a sentence why the information must be shared without consent.")}
        )
    return Referral.Basis.OVERRIDE


@transaction.atomic
def case_transfer_request(
    *, by: User, case: Case, to_agency: Agency, reason: str, household: bool = True, override_reason: str = ""
) -> CaseTransfer:
    """Ask another agency to take the case over; a supervisor may ask without consent, giving a reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can_change(by, case) or not case.is_open:
        raise ValidationError(_("You may not transfer this case."))
    if to_agency.pk == case.agency_id:
        raise ValidationError({"to_agency": _("Choose another agency.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    if CaseTransfer.objects.filter(case=case, status=CaseTransfer.Status.REQUESTED).exists():
        raise ValidationError(_("A transfer of this case is already waiting for an answer."))
    if household and _other_open_cases(case):
        raise ValidationError(
            {"household": _("The household has other open cases here: transfer the case without the household record.")}
        )
    basis = _basis(by, case, to_agency, override_reason)
    transfer = CaseTransfer(
        case=case,
        from_agency_id=case.agency_id,
        to_agency=to_agency,
        reason=reason.strip(),
        household=household,
        requested_by=by,
        basis=basis,
        override_reason=override_reason.strip() if basis == Referral.Basis.OVERRIDE else "",
        previous_owner_id=case.owner_id,
    )
    transfer.full_clean()
    transfer.save()
    changes = {"transfer": [None, transfer.pk], "to_agency": [None, to_agency.pk], "household": household}
    changes["basis"] = basis
    if basis == Referral.Basis.OVERRIDE:
        changes["override_reason"] = transfer.override_reason
    audit_record(actor=by, action="case_transfer_requested", obj=case, changes=changes)
    return transfer


def _lock(transfer: CaseTransfer) -> CaseTransfer:
    return CaseTransfer.objects.select_for_update().get(pk=transfer.pk)


def _check_decider(by: User, transfer: CaseTransfer) -> None:
    if transfer.status != CaseTransfer.Status.REQUESTED:
        raise ValidationError(_("This transfer has been answered already."))
    if not may_decide_transfer(by, transfer):
        raise ValidationError(_("A supervisor or an agency administrator of the receiving agency decides."))


@transaction.atomic
def case_transfer_accept(*, by: User, transfer: CaseTransfer, owner: User) -> CaseTransfer:
    """Take the case over with a case worker of the receiving agency."""
    transfer = _lock(transfer)
    _check_decider(by, transfer)
    if owner.agency_id != transfer.to_agency_id or not owner.manages_cases or not owner.is_active:
        raise ValidationError({"owner": _("The case worker must be an active worker of this agency.")})
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.agency_id != transfer.from_agency_id or not case.is_open:
        raise ValidationError(_("The case changed since the transfer was asked for; ask the sending agency."))
    if transfer.basis == Referral.Basis.CONSENT and not consent_allows(
        case.person, Consent.Purpose.SHARING, transfer.to_agency
    ):
        raise ValidationError(_("The person has withdrawn their consent to sharing with your agency."))
    if separation_conflict(owner, case):
        raise ValidationError(
            {"owner": _("This worker cannot take this case. Choose another; the agency administrator can say why.")}
        )
    old_agency, old_owner, now = case.agency_id, case.owner_id, timezone.now()
    team = sorted(case.assignments.values_list("user_id", flat=True))
    case.assignments.all().delete()  # the sending team loses access
    moved_tasks = Task.objects.filter(case=case, done_at__isnull=True).update(assignee=owner, updated_at=now)
    case.agency_id, case.owner, case.assigned_at = transfer.to_agency_id, owner, now
    case.save(update_fields=["agency", "owner", "assigned_at", "updated_at"])
    transfer.status, transfer.new_owner, transfer.decided_by, transfer.decided_at = (
        CaseTransfer.Status.ACCEPTED,
        owner,
        by,
        now,
    )
    transfer.full_clean()
    transfer.save(update_fields=["status", "new_owner", "decided_by", "decided_at", "updated_at"])
    changes = {
        "transfer": transfer.pk,
        "agency": [old_agency, transfer.to_agency_id],
        "owner": [old_owner, owner.pk],
        "team": [team, []],
        "open_tasks_reassigned": moved_tasks,
    }
    audit_record(actor=by, action="case_transferred", obj=case, changes=changes)
    if transfer.household:
        _move_household(by=by, family=case.family, from_agency=old_agency, to_agency=transfer.to_agency_id)
    return transfer


def _move_household(*, by: User, family: Family, from_agency: int, to_agency: int) -> None:
    """The family and its members kept by the sending agency move with the case (a member who also belongs
    to another household of the sending agency stays)."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    if family.agency_id != from_agency:
        return
    family.agency_id = to_agency
    family.save(update_fields=["agency", "updated_at"])
    elsewhere = Membership.objects.filter(family__agency_id=from_agency).exclude(family_id=family.pk)
    members = (
        Person.objects.filter(memberships__family_id=family.pk, agency_id=from_agency)
        .exclude(pk__in=elsewhere.values("person_id"))
        .distinct()
    )
    moved = sorted(members.values_list("pk", flat=True))
    Person.objects.filter(pk__in=moved).update(agency_id=to_agency, updated_at=timezone.now())
    audit_record(
        actor=by,
        action="family_transferred",
        obj=family,
        changes={"agency": [from_agency, to_agency], "people": moved},
    )


@transaction.atomic
def case_transfer_reject(*, by: User, transfer: CaseTransfer, reason: str) -> CaseTransfer:
    """Refuse to take the case over, saying why; the case stays where it is."""
    transfer = _lock(transfer)
    _check_decider(by, transfer)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the transfer is rejected.")})
    transfer.status, transfer.decided_by, transfer.decided_at = CaseTransfer.Status.REJECTED, by, timezone.now()
    transfer.decision_reason = reason.strip()
    transfer.full_clean()
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    audit_record(
        actor=by,
        action="case_transfer_rejected",
        obj=transfer.case,
        changes={"transfer": transfer.pk, "reason": transfer.decision_reason},
    )
    return transfer
