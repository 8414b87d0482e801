"""The audit log as a hash chain: how an entry is linked to the one before it, and how the chain is checked.

Each entry's `hash` is SHA-256 over a canonical JSON array of its content and `prev_hash`, the hash of the
entry before it; `seq` numbers the chain without gaps. Editing an entry breaks its own hash; re-hashing it
breaks the link from the next entry; removing one leaves a gap in `seq`. Removing the newest entries is the
one change a chain cannot show by itself: keep the head that `qadam audit verify` prints somewhere else.

Appends are serialised so that two app servers never link to the same entry: on PostgreSQL by a
transaction-level advisory lock taken before the last entry is read; on SQLite by the database's single
writer (settings open every transaction with BEGIN IMMEDIATE). Should that ever fail, the unique `seq`
turns a fork into an IntegrityError instead of a silently broken chain.
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from qadam.audit.models import AuditEntry

# Version of the serialisation, inside what is hashed: a later format can be told apart from this one.
# Format 2 adds the record's agency; entries without one keep format 1, so entries written before it
# verify unchanged, and clearing the agency of a format-2 entry breaks its hash.
FORMAT = "qadam-audit-1"
FORMAT_WITH_RECORD_AGENCY = "qadam-audit-2"
# pg_advisory_xact_lock key for appends: "QADAMAUD" in ASCII, an arbitrary constant no other lock uses.
APPEND_LOCK = 0x51414441_4D415544
CHUNK = 2000


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    agency_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    changes: Any,
    prev_hash: str,
    record_agency_id: int | None = None,
) -> str:
    """Hex SHA-256 of an entry's content; a JSON array, so that no field can bleed into the next."""
    content = [
        FORMAT,
        seq,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        actor_id,
        agency_id,
        action,
        target_type,
        target_id,
        changes,
        prev_hash,
    ]
    if record_agency_id is not None:
        content[0] = FORMAT_WITH_RECORD_AGENCY
        content.append(record_agency_id)
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        agency_id=entry.agency_id,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        changes=entry.changes,
        prev_hash=entry.prev_hash,
        record_agency_id=entry.record_agency_id,
    )


def append(entry: AuditEntry) -> AuditEntry:
    """Link an unsaved entry to the newest one and save it; inside the caller's transaction, if any.

    Within a larger transaction the lock is held until it commits, so record the audit entry last.
    """
    # No savepoint: a failed append must fail the change it records.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK])
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        entry.seq, entry.prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        entry.at = timezone.now()
        # Hash what the database will give back: JSON turns tuples into lists and keys into strings.
        entry.changes = json.loads(json.dumps(entry.changes, allow_nan=False))
        entry.hash = _hash_of(entry)
        entry.save(force_insert=True)
    return entry


class Problem(enum.Enum):
    CHANGED = "changed"  # the entry's content does not give its hash
    MISSING = "missing"  # entries are missing before it (a gap in seq)
    UNLINKED = "unlinked"  # it does not point at the entry before it, which was replaced or re-hashed


@dataclass(frozen=True)
class ChainBreak:
    id: int
    seq: int
    at: datetime
    problem: Problem
    expected_seq: int  # for MISSING: the first missing number


@dataclass(frozen=True)
class Verification:
    verified: int  # entries found intact, before the break if there is one
    seconds: float
    broken: ChainBreak | None
    head_seq: int | None  # the newest entry verified
    head_hash: str


FIELDS = [
    "id",
    "seq",
    "at",
    "actor_id",
    "agency_id",
    "action",
    "target_type",
    "target_id",
    "changes",
    "prev_hash",
    "record_agency_id",
]


def _rows() -> Iterator[tuple]:
    # values_list and a chunked iterator: constant memory, however long the log.
    rows = AuditEntry.objects.order_by("seq").values_list(*FIELDS, "hash")
    return rows.iterator(chunk_size=CHUNK)


def _check(row: tuple, prev_seq: int, prev_hash: str) -> Problem | None:
    _pk, seq, at, actor_id, agency_id, action, target_type, target_id, changes, linked, record_agency_id, stored = row
    content = {
        "seq": seq,
        "at": at,
        "actor_id": actor_id,
        "agency_id": agency_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "changes": changes,
        "prev_hash": linked,
        "record_agency_id": record_agency_id,
    }
    if entry_hash(**content) != stored:
        return Problem.CHANGED
    if seq != prev_seq + 1:
        return Problem.MISSING
    if linked != prev_hash:
        return Problem.UNLINKED
    return None


def verify() -> Verification:
    """Walk the whole chain in order, recomputing every hash; stop at the first broken entry."""
    started = time.monotonic()
    count, prev_seq, prev_hash = 0, 0, ""
    for row in _rows():
        problem = _check(row, prev_seq, prev_hash)
        if problem is not None:
            broken = ChainBreak(id=row[0], seq=row[1], at=row[2], problem=problem, expected_seq=prev_seq + 1)
            return Verification(count, time.monotonic() - started, broken, prev_seq or None, prev_hash)
        count, prev_seq, prev_hash = count + 1, row[1], row[-1]
    return Verification(count, time.monotonic() - started, None, prev_seq or None, prev_hash)
