"""The agency report for a period: counts only, from a few small aggregate queries of its own.

Definitions (said on the report too):
- cases opened: `opened_on` in the period; cases closed: `closed_on` in the period; by case type;
- families by adaptation phase: the agency's families, by the phase of their latest completed family
  adaptation assessment made on or before the last day (the phase set by the worker, else the suggested
  one); families without one counted apart;
- referrals by status: referrals from the agency's cases sent in the period, by their status today;
- social contracts by status: the agency's contracts whose term overlaps the period;
- protective orders: measures on the agency's cases in force at some time in the period, by kind.

Restricted cases are counted like any other: counts, never rows. An agency administrator sees the exact
figures of their agency; a regional coordinator sees every coordinated agency and their sum, with any count
below `QADAM_MIN_CELL` suppressed (and, in a row with one suppressed agency, the next smallest too, so
that the sum does not give it away).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.functional import Promise

from qadam.accounts.models import Agency
from qadam.assessments.engine.faa import PHASE_ORDER, Phase
from qadam.assessments.models import Assessment
from qadam.cases.models import Case
from qadam.contracts.models import Contract
from qadam.families.models import Family
from qadam.referrals.models import Referral
from qadam.safety.models import ProtectiveMeasure

NOT_ASSESSED = "not_assessed"


def min_cell() -> int:
    return int(getattr(settings, "QADAM_MIN_CELL", 10))


@dataclass
class Figure:
    """One table of the report: a count per category and per agency."""

    key: str
    categories: list[tuple[str, str | Promise]]
    counts: dict[int, Counter[str]]  # agency id -> category -> count


def _by(rows: Iterable[Mapping[str, Any]], agency_key: str, category_key: str) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    for row in rows:
        counts.setdefault(int(row[agency_key]), Counter())[str(row[category_key])] += int(row["n"])
    return counts


def cases_opened(agency_ids: list[int], start: date, end: date) -> dict[int, Counter[str]]:
    rows = (
        Case.objects.filter(agency_id__in=agency_ids, opened_on__range=(start, end))
        .values("agency_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by(rows, "agency_id", "kind")


def cases_closed(agency_ids: list[int], start: date, end: date) -> dict[int, Counter[str]]:
    rows = (
        Case.objects.filter(agency_id__in=agency_ids, closed_on__range=(start, end))
        .values("agency_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by(rows, "agency_id", "kind")


def families_by_phase(agency_ids: list[int], end: date) -> dict[int, Counter[str]]:
    latest = Assessment.objects.filter(
        family_id=OuterRef("pk"), status=Assessment.Status.COMPLETED, instrument__key="faa", assessed_on__lte=end
    ).order_by("-assessed_on", "-id")
    rows = (
        Family.objects.filter(agency_id__in=agency_ids)
        .annotate(
            latest_phase=Subquery(latest.values("phase")[:1]),
            latest_override=Subquery(latest.values("phase_override")[:1]),
        )
        .values("agency_id", "latest_phase", "latest_override")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, Counter[str]] = {}
    for row in rows:
        phase = row["latest_override"] or row["latest_phase"] or NOT_ASSESSED
        counts.setdefault(row["agency_id"], Counter())[phase] += row["n"]
    return counts


def referrals_by_status(agency_ids: list[int], start: date, end: date) -> dict[int, Counter[str]]:
    rows = (
        Referral.objects.filter(case__agency_id__in=agency_ids, sent_at__date__range=(start, end))
        .values("case__agency_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by(rows, "case__agency_id", "status")


def contracts_by_status(agency_ids: list[int], start: date, end: date) -> dict[int, Counter[str]]:
    rows = (
        Contract.objects.filter(agency_id__in=agency_ids, starts_on__lte=end, ends_on__gte=start)
        .values("agency_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by(rows, "agency_id", "status")


def protective_orders(agency_ids: list[int], start: date, end: date) -> dict[int, Counter[str]]:
    # In force on some day of the period: issued by its end, running past its start, not ended before it.
    in_force = Q(issued_on__lte=end, ends_on__gte=start) & (Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    rows = (
        ProtectiveMeasure.objects.filter(in_force, case__agency_id__in=agency_ids)
        .values("case__agency_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by(rows, "case__agency_id", "kind")


def phase_categories() -> list[tuple[str, str | Promise]]:
    from django.utils.translation import gettext_lazy as _

    ordered = [(p.value, p.label) for p in PHASE_ORDER]
    others = [
        (Phase.SAFETY_FIRST.value, Phase.SAFETY_FIRST.label),
        (Phase.NOT_ENOUGH_ANSWERS.value, Phase.NOT_ENOUGH_ANSWERS.label),
    ]
    return [*ordered, *others, (NOT_ASSESSED, _("no adaptation assessment yet"))]


def report_figures(agency_ids: list[int], start: date, end: date) -> list[Figure]:
    return [
        Figure("opened", list(Case.Kind.choices), cases_opened(agency_ids, start, end)),
        Figure("closed", list(Case.Kind.choices), cases_closed(agency_ids, start, end)),
        Figure("phase", phase_categories(), families_by_phase(agency_ids, end)),
        Figure("referrals", list(Referral.Status.choices), referrals_by_status(agency_ids, start, end)),
        Figure("contracts", list(Contract.Status.choices), contracts_by_status(agency_ids, start, end)),
        Figure("orders", list(ProtectiveMeasure.Kind.choices), protective_orders(agency_ids, start, end)),
    ]


# Suppression -----------------------------------------------------------------------------------------------


def suppress_row(values: list[int], k: int) -> list[int | None]:
    """Counts of one category across agencies, those below k (but above 0) hidden; when only one is hidden,
    the smallest shown one is hidden too, so that the sum and the others do not give it away."""
    shown: list[int | None] = [None if 0 < v < k else v for v in values]
    hidden = [i for i, v in enumerate(shown) if v is None]
    if len(hidden) == 1:
        candidates = [i for i, v in enumerate(shown) if v is not None and v > 0]
        if candidates:
            shown[min(candidates, key=lambda i: values[i])] = None
        # Nothing else to hide: the total is then hidden instead, by the caller's rule below.
    return shown


def suppress_total(total: int, row: list[int | None], k: int) -> int | None:
    """The sum across agencies, hidden below k, or when it alone would reveal a single hidden count."""
    if 0 < total < k:
        return None
    if sum(1 for v in row if v is None) == 1:
        return None
    return total


def agency_names(agency_ids: list[int]) -> dict[int, str]:
    return {a.pk: a.name for a in Agency.objects.filter(pk__in=agency_ids).order_by("pk")}
