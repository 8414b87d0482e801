"""Consent: recording a person's decisions, and the one question other features ask before using their data.

A decision is never edited. Giving and withdrawing are rows of their own, and the decision in force for a
person, a purpose and (for sharing) a recipient is the latest one the person made: the newest
`decided_at`, and among decisions made at the same moment, the one recorded last.

A recipient of sharing is a Qadam agency or an organisation of the service directory (which may not use
Qadam). One rule joins them: **a Qadam agency and its own directory organisation are the same recipient**.
A decision recorded for either counts for both, and the latest of them is the one in force.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from qadam.accounts.models import Agency, User
from qadam.audit.services import audit_record, field_changes
from qadam.consent.models import Consent
from qadam.families.models import Person

if TYPE_CHECKING:
    from qadam.directory.models import Organization


@transaction.atomic
def consent_record(
    *,
    by: User,
    person: Person,
    purpose: str,
    decision: str,
    how: str,
    witness: str = "",
    recipient: Agency | None = None,
    recipient_organization: Organization | None = None,
    decided_at: datetime | None = None,
    note: str = "",
) -> Consent:
    """Record that a person gave or withdrew consent; a withdrawal takes effect as soon as it is saved.

    Sharing names its recipient as `recipient` (a Qadam agency) or `recipient_organization` (a directory
    organisation), exactly one of them."""
    consent = Consent(
        person=person,
        purpose=purpose,
        recipient=recipient,
        recipient_organization=recipient_organization,
        decision=decision,
        how=how,
        witness=witness.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    if decided_at is not None:
        consent.decided_at = decided_at
    consent.full_clean()
    consent.save()
    action = "consent_given" if consent.is_given else "consent_withdrawn"
    changes = {"consent": [None, consent.pk], **field_changes(None, consent, Consent.FIELDS)}
    if consent.recipient_organization_id is not None:  # a UUID: written as text in the log
        changes["recipient_organization"] = [None, str(consent.recipient_organization_id)]
    audit_record(actor=by, action=action, obj=person, changes=changes)
    return consent


def consent_allows(person: Person, purpose: str, recipient: Agency | Organization | None = None) -> bool:
    """Whether the person's consent currently allows this use of their information.

    True only when the latest decision for this person and purpose (and, for sharing, this recipient) is
    "given". No decision at all means no: consent is never assumed. A withdrawal counts from the moment
    it is saved. Consent to share with one recipient says nothing about any other.

    The recipient of sharing is an `Agency` or a directory `Organization`. An agency and its own directory
    organisation are one recipient: decisions recorded for either count, the latest of them wins.

    One query on the `consent_current` indexes. Asking about sharing without naming the recipient, or
    naming one for another purpose, is a programming error and raises ValueError.
    """
    if purpose not in Consent.Purpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    if (purpose == Consent.Purpose.SHARING) != (recipient is not None):
        raise ValueError("A recipient is named for sharing, and only for sharing.")
    decisions = Consent.objects.filter(person_id=person.pk, purpose=purpose)
    if recipient is not None:
        decisions = decisions.filter(_recipient_q(recipient))
    latest = decisions.order_by(*Consent.NEWEST_FIRST).values_list("decision", flat=True).first()
    return latest == Consent.Decision.GIVEN


def _recipient_q(recipient: Agency | Organization) -> Q:
    """Decisions about this recipient, under either of its names (agency or directory organisation)."""
    if isinstance(recipient, Agency):
        return Q(recipient_id=recipient.pk) | Q(recipient_organization__agency_id=recipient.pk)
    same = Q(recipient_organization_id=recipient.pk)
    if recipient.agency_id is not None:
        same |= Q(recipient_id=recipient.agency_id)
    return same


def consent_history(person: Person) -> list[Consent]:
    """Every decision recorded for a person, latest first, with who recorded it."""
    return list(
        Consent.objects.filter(person_id=person.pk)
        .select_related("recipient", "recipient_organization", "recorded_by")
        .order_by(*Consent.NEWEST_FIRST)
    )


def consent_current(person: Person, *, history: list[Consent] | None = None) -> list[Consent]:
    """The decision in force for each purpose and recipient, in the order of the purposes.

    An agency and its directory organisation are one recipient: one line, the latest decision about
    either. Pass `history` (from consent_history) when it is already loaded, to save the query.
    """
    latest: dict[tuple[str, str], Consent] = {}
    for consent in consent_history(person) if history is None else history:
        latest.setdefault((consent.purpose, _recipient_key(consent)), consent)
    order = list(Consent.Purpose.values)
    return sorted(latest.values(), key=lambda c: (order.index(c.purpose), c.recipient_display))


def _recipient_key(consent: Consent) -> str:
    if consent.recipient_id is not None:
        return f"agency:{consent.recipient_id}"
    organization = consent.recipient_organization
    if organization is not None and organization.agency_id is not None:
        return f"agency:{organization.agency_id}"
    return f"organization:{consent.recipient_organization_id or ''}"
