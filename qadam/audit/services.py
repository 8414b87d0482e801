import uuid
from typing import Any

from django.conf import settings
from django.db import models

from qadam.accounts.models import User
from qadam.audit import chain
from qadam.audit.models import AuditEntry, FormSubmission
from qadam.lib.crypto import EncryptedTextField

# What a person did with a record without changing it; audit_read writes these.
READ_ACTIONS = frozenset({"viewed", "printed", "exported"})
# What the log holds for a change of an encrypted field, instead of its values.
CHANGED = "changed"


def audit_record(
    *, actor: User | None, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Append one entry to the audit log. Call it inside the transaction of the change it records, last:
    on PostgreSQL appends take a lock that is held until that transaction ends."""
    record_agency_id = _agency_of(obj)
    agency_id = actor.agency_id if actor is not None else None
    entry = AuditEntry(
        actor=actor,
        # Without an actor (a failed login, the system), the entry belongs to the record's agency: its
        # administrator's log then shows it.
        agency_id=agency_id if actor is not None else record_agency_id,
        record_agency_id=record_agency_id if actor is not None and record_agency_id != agency_id else None,
        action=action,
        target_type=obj._meta.label_lower,
        target_id=obj.pk,
        changes=changes or {},
    )
    return chain.append(entry)


def _agency_of(obj: models.Model) -> int | None:
    """The agency that keeps a record: its own, its case's or its person's; an agency is its own."""
    if obj._meta.label_lower == "accounts.agency":
        return obj.pk
    for name in ("agency_id", "case", "person"):
        value = getattr(obj, name, None)
        if isinstance(value, int):
            return value
        if isinstance(value, models.Model):
            return getattr(value, "agency_id", None)
    return None


def audit_read(*, actor: User, obj: models.Model, action: str = "viewed") -> AuditEntry | None:
    """Record that someone viewed, printed or exported a person, family or case. Call it from the view,
    once the record was fetched through `visible_to`; better outside a transaction, since within one
    the append lock (PostgreSQL) is held until it commits.

    Nothing is written when settings.QADAM_AUDIT_READS is off (the benchmark compares both); changes
    are always recorded by audit_record.
    """
    if action not in READ_ACTIONS:
        raise ValueError(f"Not a read action: {action!r}")
    if not settings.QADAM_AUDIT_READS:
        return None
    return audit_record(actor=actor, action=action, obj=obj)


def field_changes(before: models.Model | None, after: models.Model, fields: list[str]) -> dict[str, Any]:
    """{field: [old, new]} for the fields that differ, as JSON-safe strings; "changed" for encrypted ones."""
    changes: dict[str, Any] = {}
    for name in fields:
        new = getattr(after, name)
        old = getattr(before, name) if before is not None else None
        if old != new:
            # An encrypted field's values never reach the log, only that it changed.
            encrypted = isinstance(after._meta.get_field(name), EncryptedTextField)
            changes[name] = CHANGED if encrypted else [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def form_result(*, token: Any, user: User) -> str | None:
    """Where an already-submitted form led, or None when this form is submitted for the first time.

    Asked before the form is validated: a second submit of a form that created a person would
    otherwise fail on the duplicate it created itself.
    """
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return FormSubmission.objects.filter(token=token, user=user).values_list("result_url", flat=True).first()


def form_submitted(*, token: Any, user: User, result_url: str) -> None:
    """Remember a submitted form inside the transaction that did its work (a second submit then finds it)."""
    if token is not None:
        FormSubmission.objects.create(token=token, user=user, result_url=result_url)
