"""Consent: recording a person's decisions, and the one question other features ask before using their data.

A decision is never edited. Giving and withdrawing are rows of their own, and the decision in force for a
person, a purpose and (for sharing) a receiving agency is the latest one the person made: the newest
`decided_at`, and among decisions made at the same moment, the one recorded last.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from qadam.accounts.models import Agency, User
from qadam.audit.services import audit_record, field_changes
from qadam.consent.models import Consent
from qadam.families.models import Person


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
    decided_at: datetime | None = None,
    note: str = "",
) -> Consent:
    """Record that a person gave or withdrew consent; a withdrawal takes effect as soon as it is saved."""
    consent = Consent(
        person=person,
        purpose=purpose,
        recipient=recipient,
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
    audit_record(actor=by, action=action, obj=person, changes=changes)
    return consent


def consent_allows(person: Person, purpose: str, recipient: Agency | None = None) -> bool:
    """Whether the person's consent currently allows this use of their information.

    True only when the latest decision for this person and purpose (and, for sharing, this receiving
    agency) is "given". No decision at all means no: consent is never assumed. A withdrawal counts from
    the moment it is saved. Consent to share with one agency says nothing about any other agency.

    One query on the `consent_current` index. Asking about sharing without naming the agency, or naming
    an agency for another purpose, is a programming error and raises ValueError.
    """
    if purpose not in Consent.Purpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    if (purpose == Consent.Purpose.SHARING) != (recipient is not None):
        raise ValueError("A receiving agency is named for sharing, and only for sharing.")
    latest = (
        Consent.objects.filter(person_id=person.pk, purpose=purpose, recipient_id=getattr(recipient, "pk", None))
        .order_by(*Consent.NEWEST_FIRST)
        .values_list("decision", flat=True)
        .first()
    )
    return latest == Consent.Decision.GIVEN


def consent_history(person: Person) -> list[Consent]:
    """Every decision recorded for a person, latest first, with who recorded it."""
    return list(
        Consent.objects.filter(person_id=person.pk)
        .select_related("recipient", "recorded_by")
        .order_by(*Consent.NEWEST_FIRST)
    )


def consent_current(person: Person, *, history: list[Consent] | None = None) -> list[Consent]:
    """The decision in force for each purpose and receiving agency, in the order of the purposes.

    Pass `history` (from consent_history) when it is already loaded, to save the query.
    """
    latest: dict[tuple[str, int | None], Consent] = {}
    for consent in consent_history(person) if history is None else history:
        latest.setdefault((consent.purpose, consent.recipient_id), consent)
    order = list(Consent.Purpose.values)
    return sorted(latest.values(), key=lambda c: (order.index(c.purpose), str(c.recipient or "")))
