"""The de-identified research export: families, assessments and outcomes of the families whose head gave
research consent, never of a restricted household, with a k-anonymity check on the quasi-identifiers.

What leaves Qadam: a research id drawn afresh for each export (an HMAC of the family's id under a key
that is forgotten when the export ends, so ids link the three files of one export and nothing else),
regions at oblast level (two-digit KATO codes, "abroad" for a move from another country, never the
country), rural or urban origin, programme, household size band, reasons for moving (their codes, never
the "other" text), months since the move instead of any date, the FAA phase, strategy, D1-D7 scores and
adaptation index, and case outcomes. No names, IIN, phones, addresses, free text or dates.

Two passes over the families in chunks (`.iterator()`): the first counts the quasi-identifier groups,
the second writes the rows the k-anonymity plan keeps. Memory holds one chunk and the group counts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from qadam.assessments.engine.faa import Phase, months_between
from qadam.assessments.models import Assessment, ScaleScore
from qadam.cases.models import Case
from qadam.consent.models import Consent
from qadam.contracts.models import Contract
from qadam.exports import kanon
from qadam.exports.registry import Progress
from qadam.exports.tables import TableWriter
from qadam.families.models import Family, Membership, Move
from qadam.plans.models import SupportPlan

CHUNK = 2000
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
FAMILY_COLUMNS = [
    ("research_id", "str"),
    ("origin_oblast", "str"),
    ("origin_area", "str"),
    ("destination_oblast", "str"),
    ("programme", "str"),
    ("household_size", "str"),
    ("reasons", "str"),
    ("months_since_move_at_first_contact", "int"),
]
ASSESSMENT_COLUMNS = [
    ("research_id", "str"),
    ("months_since_move", "int"),
    ("phase", "str"),
    ("strategy", "str"),
    *[(d, "float") for d in DIMENSIONS],
    ("adaptation_index", "int"),
]
OUTCOME_COLUMNS = [
    ("research_id", "str"),
    ("case_type", "str"),
    ("plan_agreed", "bool"),
    ("referrals_completed", "int"),
    ("contract_outcome", "str"),
]
# Case types as exported: restricted kinds never reach the export, anything else not listed is "other".
CASE_TYPE_GROUP: dict[str, str] = {"migration_adaptation": "migration_adaptation", "poverty": "poverty"}


class DataChanged(Exception):
    """The families changed between the counting and the writing pass, so a written group fell below k."""


def families_in_scope(agency_id: int | None) -> QuerySet[Family]:
    families = Family.objects.all()
    return families.filter(agency_id=agency_id) if agency_id is not None else families


def eligible_families(agency_id: int | None) -> QuerySet[Family]:
    """Families whose head's research consent is in force, with no restricted case or member; one query."""
    latest = (
        Consent.objects.filter(person_id=OuterRef("head_id"), purpose=Consent.Purpose.RESEARCH)
        .order_by(*Consent.NEWEST_FIRST)
        .values("decision")[:1]
    )
    restricted_case = Case.objects.filter(family_id=OuterRef("pk"), restricted=True)
    restricted_member = Membership.objects.filter(family_id=OuterRef("pk"), person__restricted=True)
    return (
        families_in_scope(agency_id)
        .filter(restricted=False, head__restricted=False)
        .annotate(research=Subquery(latest))
        .filter(research=Consent.Decision.GIVEN)
        .exclude(Exists(restricted_case))
        .exclude(Exists(restricted_member))
    )


def _chunks(families: QuerySet[Family]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in families.order_by("pk").values("pk", "created_at").iterator(chunk_size=CHUNK):
        chunk.append(dict(row))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _family_rows(chunk: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(family id, the family's row at level 0) for a chunk, with four queries."""
    ids = [row["pk"] for row in chunk]
    moves: dict[int, list[Move]] = {}
    for move in (
        Move.objects.filter(family_id__in=ids)
        .select_related("origin_region", "destination_region")
        .only("family_id", "origin_region__code", "origin_country", "origin_area", "destination_region__code",
              "moved_on", "programme", "reasons")
        .order_by("family_id", "-moved_on", "-id")
    ):  # fmt: skip
        moves.setdefault(move.family_id, []).append(move)
    sizes = dict(
        Membership.objects.filter(family_id__in=ids)
        .values("family_id")
        .annotate(n=Count("id"))
        .values_list("family_id", "n")
    )
    contact = dict(
        Case.objects.filter(family_id__in=ids)
        .values("family_id")
        .annotate(first=Min("opened_on"))
        .values_list("family_id", "first")
    )
    for row in chunk:
        pk = row["pk"]
        first_contact = contact.get(pk) or timezone.localdate(row["created_at"])
        yield pk, _family_row(moves.get(pk, []), sizes.get(pk, 0), first_contact)


def _family_row(moves: list[Move], size: int, first_contact: Any) -> dict[str, Any]:
    latest = moves[0] if moves else None
    before = next((m for m in moves if m.moved_on <= first_contact), None)
    if latest is None:
        empty = dict.fromkeys(["origin_oblast", "origin_area", "destination_oblast", "programme", "reasons"], "")
        return {**empty, "household_size": kanon.size_band(size), "months_since_move_at_first_contact": None}
    origin = latest.origin_region.code[:2] if latest.origin_region is not None else "abroad"
    reasons = sorted(r for r in latest.reasons if r in Move.Reason.values)
    return {
        "origin_oblast": origin,
        "origin_area": latest.origin_area,
        "destination_oblast": latest.destination_region.code[:2],
        "programme": latest.programme,
        "household_size": kanon.size_band(size),
        "reasons": ";".join(reasons),
        "months_since_move_at_first_contact": months_between(before.moved_on, first_contact) if before else None,
    }


def _qi_key(row: dict[str, Any], quasi_identifiers: tuple[str, ...]) -> kanon.Key:
    values = {**row, "months_since_move": row["months_since_move_at_first_contact"]}
    return tuple("" if values[qi] is None else str(values[qi]) for qi in quasi_identifiers)


@dataclass
class Counts:
    families: int = 0
    assessments: int = 0
    outcomes: int = 0


def count_groups(
    families: QuerySet[Family], quasi_identifiers: tuple[str, ...], progress: Progress, total: int
) -> Counter[kanon.Key]:
    """The counting pass: families per combination of quasi-identifier values (level 0)."""
    counts: Counter[kanon.Key] = Counter()
    done = 0
    for chunk in _chunks(families):
        for _pk, row in _family_rows(chunk):
            counts[_qi_key(row, quasi_identifiers)] += 1
        done += len(chunk)
        progress(5 + 35 * done // max(total, 1), gettext_noop("Counting the groups"))
    return counts


def write_tables(
    families: QuerySet[Family], plan: kanon.Plan, folder: Path, formats: tuple[str, ...], progress: Progress, total: int
) -> Counts:
    """The writing pass: the rows the plan keeps, generalised, with their assessments and outcomes."""
    key = secrets.token_bytes(32)  # forgotten when the export ends: research ids cannot be traced back
    written: Counter[kanon.Key] = Counter()
    counts = Counts()
    done = 0
    with (
        TableWriter(folder, "families", FAMILY_COLUMNS, formats) as family_table,
        TableWriter(folder, "assessments", ASSESSMENT_COLUMNS, formats) as assessment_table,
        TableWriter(folder, "outcomes", OUTCOME_COLUMNS, formats) as outcome_table,
    ):
        for chunk in _chunks(families):
            kept: dict[int, str] = {}
            for pk, row in _family_rows(chunk):
                generalised = plan.generalise(_qi_key(row, plan.quasi_identifiers))
                if not plan.keeps(generalised):
                    continue
                written[generalised] += 1
                row.update(zip(_qi_columns(plan.quasi_identifiers), generalised, strict=True))
                kept[pk] = hmac.new(key, str(pk).encode(), hashlib.sha256).hexdigest()[:16]
                family_table.write({"research_id": kept[pk], **row})
            _write_assessments(kept, assessment_table)
            _write_outcomes(kept, outcome_table)
            done += len(chunk)
            progress(40 + 55 * done // max(total, 1), gettext_noop("Writing the files"))
        counts = Counts(family_table.rows, assessment_table.rows, outcome_table.rows)
    if any(n < plan.k for n in written.values()):
        raise DataChanged
    return counts


def _qi_columns(quasi_identifiers: tuple[str, ...]) -> list[str]:
    return ["months_since_move_at_first_contact" if qi == "months_since_move" else qi for qi in quasi_identifiers]


def _write_assessments(kept: dict[int, str], table: TableWriter) -> None:
    assessments = list(
        Assessment.objects.completed()
        .filter(family_id__in=list(kept), instrument__key="faa")
        .order_by("family_id", "assessed_on", "id")
        .values_list("id", "family_id", "months_since_move", "phase", "phase_override", "strategy", "index")
    )
    scores: dict[int, dict[str, float | None]] = {}
    for assessment_id, scale, score in ScaleScore.objects.filter(
        assessment_id__in=[a[0] for a in assessments], scale__in=DIMENSIONS
    ).values_list("assessment_id", "scale", "score"):
        scores.setdefault(assessment_id, {})[scale] = score
    for pk, family_id, months, phase, override, strategy, index in assessments:
        phase = override or phase
        table.write(
            {
                "research_id": kept[family_id],
                "months_since_move": months,
                # "Safety first" would tell what the private safety check found: it is left empty.
                "phase": "" if phase == Phase.SAFETY_FIRST else phase,
                "strategy": strategy,
                **{d: scores.get(pk, {}).get(d) for d in DIMENSIONS},
                "adaptation_index": index,
            }
        )


def _write_outcomes(kept: dict[int, str], table: TableWriter) -> None:
    agreed = SupportPlan.objects.filter(case_id=OuterRef("pk"), agreed_on__isnull=False)
    contract = Contract.objects.filter(case_id=OuterRef("pk")).order_by("-id").values("status")[:1]
    cases = (
        Case.objects.filter(family_id__in=list(kept), restricted=False)
        .annotate(
            plan_agreed=Exists(agreed),
            referrals_completed=Count("referrals", filter=Q(referrals__status="completed")),
            contract_status=Subquery(contract),
        )
        .order_by("family_id", "id")
        .values_list("family_id", "kind", "plan_agreed", "referrals_completed", "contract_status")
    )
    for family_id, kind, plan_agreed, referrals, contract_status in cases:
        table.write(
            {
                "research_id": kept[family_id],
                "case_type": CASE_TYPE_GROUP.get(kind, "other"),
                "plan_agreed": bool(plan_agreed),
                "referrals_completed": referrals,
                "contract_outcome": contract_status or "none",
            }
        )
