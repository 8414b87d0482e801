"""Who may refer, decide without consent, answer a referral and decide a transfer.

Seeing is decided by `visible_to` on the models; these rules decide who may act. They build on
`qadam/cases/access.py`:
- referring from a case and asking to transfer it are changes of the case (`can_change`): on a restricted
  case, only its team;
- sharing without the person's consent is decided by the supervisor of the worker (who prepared the
  referral, or who owns the case) or an agency administrator of the case's agency, never by the worker;
- a receiving agency that uses Qadam answers its referrals itself: any of its workers, supervisors or
  agency administrators may answer; only supervisors and agency administrators assign one to a colleague.
  For a recipient outside Qadam, whoever may change the case records the answers;
- a transfer is accepted or rejected by a supervisor or an agency administrator of the receiving agency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qadam.accounts.models import User
from qadam.cases.access import can_change
from qadam.referrals.models import DECIDING_ROLES, RECEIVING_ROLES, CaseTransfer, Referral

if TYPE_CHECKING:
    from qadam.cases.models import Case


def may_refer(user: User, case: Case) -> bool:
    return can_change(user, case) and case.is_open


def may_override(user: User, case: Case, *workers: User | None) -> bool:
    """The supervisor of one of the workers, or an agency administrator of the case's agency, who may
    change the case (so, on a restricted case, only one on its team)."""
    if user.agency_id != case.agency_id or user.role not in DECIDING_ROLES or not can_change(user, case):
        return False
    if user.role == User.Role.AGENCY_ADMIN:
        return True
    return any(worker is not None and worker.supervisor_id == user.pk for worker in workers)


def may_override_referral(user: User, referral: Referral) -> bool:
    return may_override(user, referral.case, referral.created_by, referral.case.owner)


def receives(user: User, referral: Referral) -> bool:
    """Whether the user works in the Qadam agency the referral was sent to."""
    return (
        referral.recipient_agency_id is not None
        and referral.recipient_agency_id == user.agency_id
        and user.role in RECEIVING_ROLES
        and user.writes_records
        and not referral.is_draft
    )


def may_answer(user: User, referral: Referral) -> bool:
    if referral.is_draft or referral.is_ended:
        return False
    if referral.answered_in_qadam:
        return receives(user, referral)
    return can_change(user, referral.case)


def may_assign(user: User) -> bool:
    return user.role in DECIDING_ROLES


def may_decide_transfer(user: User, transfer: CaseTransfer) -> bool:
    return (
        transfer.to_agency_id == user.agency_id
        and user.role in DECIDING_ROLES
        and user.writes_records
        and transfer.status == CaseTransfer.Status.REQUESTED
    )
