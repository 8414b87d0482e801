"""Writes to referrals: prepare, decide without consent, send, and the receiving side's answers.

Each step is validated, atomic and audited on the referral (`referral_*` actions; the entry belongs to the
case's agency, so its administrator's log shows what a partner agency did with it). Case transfers are in
`qadam/referrals/transfers.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import audit_record
from qadam.cases.models import Case, Task
from qadam.cases.services import task_add, task_complete
from qadam.consent.models import Consent
from qadam.consent.services import consent_allows
from qadam.directory.models import Service
from qadam.referrals.access import may_answer, may_assign, may_override_referral, may_refer
from qadam.referrals.models import RECEIVING_ROLES, Referral, ReferralEvent
from qadam.referrals.sharing import (
    DIMENSIONS,
    build_content,
    faa_scores,
    latest_faa,
    names_perpetrator,
    perpetrator_person_ids,
)

if TYPE_CHECKING:
    from qadam.families.models import Person

# Shortest reason for sharing without consent: a sentence, as for an emergency access.
SHORTEST_OVERRIDE_REASON = 10


def answer_days() -> int:
    """Days the receiving side has to answer before the sender is asked to follow up."""
    return int(getattr(settings, "QADAM_REFERRAL_ANSWER_DAYS", 5))


def content_digest(content: dict[str, Any]) -> str:
    """A fingerprint of what the worker was shown, to send only if nothing changed since."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("case", "organization").get(pk=referral.pk)


def _check_choices(case: Case, items: list[str], summary: str, faa_dimensions: list[str]) -> None:
    errors: dict[str, str] = {}
    if not items or not set(items) <= set(Referral.Item.values):
        errors["items"] = _("Choose what the referral shares.")
    if Referral.Item.SUMMARY in items and not summary.strip():
        errors["summary"] = _("Write the summary for the recipient, or do not share one.")
    elif Referral.Item.SUMMARY in items and names_perpetrator(case, summary):
        errors["summary"] = _(
            "The summary names the person recorded as the alleged perpetrator. Leave them out of what is shared."
        )
    if Referral.Item.FAA in items:
        available = {s["dimension"] for s in faa_scores(latest_faa(case))}
        if not faa_dimensions or not set(faa_dimensions) <= (available & set(DIMENSIONS)):
            errors["faa_dimensions"] = _("Choose dimensions of the latest completed adaptation assessment.")
    if errors:
        raise ValidationError(errors)


def _check_person(case: Case, person: Person) -> None:
    in_household = person.pk == case.person_id or case.family.memberships.filter(person_id=person.pk).exists()
    if not in_household or person.pk in perpetrator_person_ids(case):
        raise ValidationError({"person": _("Refer the case's person or a member of the household.")})


def _check_service(case: Case, service: Service) -> None:
    if service.status != Service.Status.ACTIVE:
        raise ValidationError({"service": _("This service is not active at the moment; choose another.")})
    if service.organization.agency_id == case.agency_id:
        raise ValidationError({"service": _("This service belongs to your own agency: no referral is needed.")})


@transaction.atomic
def referral_prepare(
    *,
    by: User,
    case: Case,
    person: Person,
    service: Service,
    items: Iterable[str],
    summary: str = "",
    faa_dimensions: Iterable[str] = (),
) -> Referral:
    """A referral being prepared: what it will share is chosen here and shown before it is sent."""
    case = Case.objects.select_for_update().select_related("family").get(pk=case.pk)  # as it is now
    if not may_refer(by, case):
        raise ValidationError(_("You may not refer from this case."))
    chosen, dimensions = list(dict.fromkeys(items)), list(dict.fromkeys(faa_dimensions))
    _check_person(case, person)
    _check_service(case, service)
    _check_choices(case, chosen, summary, dimensions)
    referral = Referral(
        case=case,
        person=person,
        service=service,
        organization=service.organization,
        recipient_agency_id=service.organization.agency_id,
        items=chosen,
        summary=summary.strip() if Referral.Item.SUMMARY in chosen else "",
        faa_dimensions=dimensions if Referral.Item.FAA in chosen else [],
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    audit_record(
        actor=by,
        action="referral_prepared",
        obj=referral,
        changes={"case": case.pk, "service": str(service.pk), "items": chosen, "status": [None, referral.status]},
    )
    return referral


def referral_preview(*, referral: Referral, user: User) -> dict[str, Any]:
    """What sending the referral now would share: what the confirmation step shows."""
    return build_content(referral=referral, user=user)


def consent_given(referral: Referral) -> bool:
    return consent_allows(referral.person, Consent.Purpose.SHARING, referral.organization)


@transaction.atomic
def referral_override(*, by: User, referral: Referral, reason: str) -> Referral:
    """A supervisor's decision that the referral may be sent without the person's consent, and why."""
    referral = _lock(referral)
    if not referral.is_draft:
        raise ValidationError(_("This referral was sent already."))
    if not may_override_referral(by, referral):
        raise ValidationError(
            _("Only the worker's supervisor or an agency administrator may decide to share without consent.")
        )
    if len(reason.strip()) < SHORTEST_OVERRIDE_REASON:
        raise ValidationError({"reason": _("Say in a sentence why the information must be shared without consent.")})
    referral.override_by = by
    referral.override_reason = reason.strip()
    referral.override_at = timezone.now()
    referral.full_clean()
    referral.save(update_fields=["override_by", "override_reason", "override_at", "updated_at"])
    audit_record(
        actor=by,
        action="referral_consent_overridden",
        obj=referral,
        changes={"case": referral.case_id, "reason": referral.override_reason},
    )
    return referral


@transaction.atomic
def referral_send(*, by: User, referral: Referral, checked: str) -> Referral:
    """Send exactly what the worker was shown (`checked` is its digest), if the person consented to
    sharing with the recipient or a supervisor decided otherwise; a follow-up task waits for the answer."""
    referral = _lock(referral)
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    if not referral.is_draft:
        raise ValidationError(_("This referral was sent already."))
    if not may_refer(by, case):
        raise ValidationError(_("You may not refer from this case."))
    _check_service(case, referral.service)
    content = build_content(referral=referral, user=by)
    if content_digest(content) != checked:
        raise ValidationError(
            _("What the referral shares has changed since you checked it. Check it again before sending."),
            code="changed",
        )
    consented = consent_given(referral)
    if not consented and referral.override_by_id is None:
        raise ValidationError(
            _(
                "The person has not consented to sharing with this organisation. Record their consent, "
                "or ask your supervisor to decide."
            ),
            code="no_consent",
        )
    now = timezone.now()
    referral.shared = json.dumps(content, ensure_ascii=False)
    referral.status, referral.sent_by, referral.sent_at = Referral.Status.SENT, by, now
    referral.basis = Referral.Basis.CONSENT if consented else Referral.Basis.OVERRIDE
    referral.follow_up_task = _follow_up_task(by=by, referral=referral)
    referral.full_clean()
    referral.save(update_fields=["shared", "status", "sent_by", "sent_at", "basis", "follow_up_task", "updated_at"])
    ReferralEvent.objects.create(
        referral=referral, from_status=Referral.Status.DRAFT, to_status=referral.status, at=now, by=by
    )
    audit_record(
        actor=by,
        action="referral_sent",
        obj=referral,
        changes={
            "case": case.pk,
            "status": [Referral.Status.DRAFT, referral.status],
            "basis": referral.basis,
            "items": content["items"],
            "organization": str(referral.organization_id),
        },
    )
    return referral


def _follow_up_task(*, by: User, referral: Referral) -> Task:
    """The sender's reminder to follow up if no answer comes in time; private on a restricted case."""
    title = _("Referral to %(organisation)s: no answer yet? Follow it up.") % {
        "organisation": referral.organization.display_name
    }
    due = timezone.localdate() + timedelta(days=answer_days())
    return task_add(
        by=by, case=referral.case, title=title[:200], due_on=due, assignee=by, private=referral.case.restricted
    )


def _check_handler(by: User, referral: Referral, handler: User | None) -> User:
    handler = handler or by
    if handler.pk != by.pk and not may_assign(by):
        raise ValidationError({"handler": _("Only a supervisor or an agency administrator assigns a referral.")})
    if (
        handler.agency_id != referral.recipient_agency_id
        or handler.role not in RECEIVING_ROLES
        or not handler.is_active
    ):
        raise ValidationError({"handler": _("Choose an active worker of the receiving agency.")})
    return handler


@transaction.atomic
def referral_answer(
    *, by: User, referral: Referral, to_status: str, reason: str = "", handler: User | None = None
) -> Referral:
    """A step of the receiving side (accepted, declined, in service, completed, not completed), taken in its
    inbox, or recorded by the sender when the recipient does not use Qadam. The first answer completes the
    sender's follow-up task."""
    referral = _lock(referral)
    if to_status not in referral.next_statuses():
        raise ValidationError(
            _("A referral in this status cannot move there. Reload the page to see its current status.")
        )
    if not may_answer(by, referral):
        raise ValidationError(_("You may not answer this referral."))
    if to_status in Referral.NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    fields = ["status", "updated_at"]
    if to_status == Referral.Status.ACCEPTED and referral.answered_in_qadam:
        referral.handled_by = _check_handler(by, referral, handler)
        fields.append("handled_by")
    now, before = timezone.now(), referral.status
    if before == Referral.Status.SENT:
        referral.answered_at = now
        fields.append("answered_at")
        if referral.follow_up_task is not None:
            task_complete(by=by, task=referral.follow_up_task)
    referral.status = to_status
    referral.save(update_fields=fields)
    ReferralEvent.objects.create(
        referral=referral, from_status=before, to_status=to_status, at=now, by=by, reason=reason.strip()
    )
    changes: dict[str, Any] = {"case": referral.case_id, "status": [before, to_status]}
    if reason.strip():
        changes["reason"] = reason.strip()
    if "handled_by" in fields:
        changes["handled_by"] = referral.handled_by_id
    audit_record(actor=by, action=f"referral_{to_status}", obj=referral, changes=changes)
    return referral


@transaction.atomic
def referral_discard(*, by: User, referral: Referral) -> None:
    """Drop a referral that was never sent; nothing of it left the agency."""
    referral = _lock(referral)
    if not referral.is_draft:
        raise ValidationError(_("A sent referral is not discarded; record its outcome instead."))
    if not may_refer(by, referral.case):
        raise ValidationError(_("You may not refer from this case."))
    audit_record(actor=by, action="referral_discarded", obj=referral, changes={"case": referral.case_id})
    referral.delete()


def case_timeline_events(case: Case) -> list[dict[str, Any]]:
    """The steps of the case's sent referrals, for the case timeline (whoever sees the case sees them)."""
    events = (
        ReferralEvent.objects.filter(referral__case_id=case.pk)
        .select_related("by", "referral__organization", "referral__service")
        .order_by("-at", "-id")[:50]
    )
    return [{"kind": "referral", "at": event.at, "item": event} for event in events]
