"""Agency and region figures: cases opened and closed, adaptation phases, time to stabilisation, referrals,
social contracts and protective orders, for a period and a KATO region.

Eight queries whatever the size of the data: counts are grouped in the database; the two medians read one
number per family or referral, streamed. Everything is counted over the cases of the agencies in the
user's scope (qadam.insights.scope), restricted cases included, and returned as counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from statistics import median
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.assessments.engine.faa import PHASE_ORDER, Phase
from qadam.assessments.models import Assessment
from qadam.cases.models import Case
from qadam.contracts.models import Contract
from qadam.insights.scope import Cell, Filters, Scope, small, suppress
from qadam.referrals.models import Referral, ReferralEvent
from qadam.safety.models import ProtectiveMeasure

STABLE_PHASES = (Phase.STABILISATION, Phase.INTEGRATION)
# A referral whose loop is closed: the answer is known.
REFERRAL_OUTCOMES = (Referral.Status.COMPLETED, Referral.Status.NOT_COMPLETED, Referral.Status.DECLINED)


@dataclass
class Row:
    """One line of a figure: its code, its label and its cells (one per column)."""

    key: str
    label: str
    cells: list[Cell]


@dataclass
class Figure:
    """A table of counts with its columns and n (the cases, families or records it counts)."""

    rows: list[Row]
    columns: list[str]
    n: Cell

    @property
    def empty(self) -> bool:
        return self.n.value == 0


@dataclass
class Median:
    """A median with the n it is taken over; None when there are too few values to show it."""

    value: float | None
    n: Cell


@dataclass
class AreaFigures:
    cases: Figure
    phases: Figure
    stabilisation: Median
    referrals: Figure
    referral_rate: float | None
    referral_days: Median
    contracts: Figure
    orders: Figure


def _bounds(filters: Filters) -> tuple[datetime, datetime]:
    """The period as aware datetimes: from the first day's midnight to the last day's end, local time."""
    start = timezone.make_aware(datetime.combine(filters.start, time.min))
    end = timezone.make_aware(datetime.combine(filters.end, time.max))
    return start, end


def _figure(
    keys_labels: list[tuple[str, str]], counts: dict[str, list[int]], columns: list[str], scope: Scope
) -> Figure:
    """Rows in the given order; each column suppressed as one figure; n is the first column's total."""
    width = range(len(columns))
    by_column = [suppress([counts.get(k, [0] * len(columns))[c] for k, _l in keys_labels], scope) for c in width]
    rows = [Row(k, label, [by_column[c][i] for c in width]) for i, (k, label) in enumerate(keys_labels)]
    total = sum(v[0] for v in counts.values())
    return Figure(rows=rows, columns=columns, n=_n(total, scope))


def _n(value: int, scope: Scope) -> Cell:
    return Cell(value, hidden=small(value, scope) and value > 0)


def _median(values: list[float], scope: Scope) -> Median:
    n = len(values)
    if not values or small(n, scope):
        return Median(None, _n(n, scope))
    return Median(round(float(median(values)), 1), _n(n, scope))


def cases_by_type(scope: Scope, filters: Filters) -> Figure:
    """Cases opened and cases closed in the period, by type: one query."""
    opened = Q(opened_on__gte=filters.start, opened_on__lte=filters.end)
    closed = Q(closed_on__gte=filters.start, closed_on__lte=filters.end)
    rows = (
        Case.objects.filter(scope.cases_q(filters=filters))
        .filter(opened | closed)
        .values("kind")
        .annotate(opened=Count("id", filter=opened), closed=Count("id", filter=closed))
        .order_by()
    )
    counts = {r["kind"]: [r["opened"], r["closed"]] for r in rows}
    keys = [(k, str(label)) for k, label in Case.Kind.choices]
    return _figure(keys, counts, ["opened", "closed"], scope)


def _faa(scope: Scope, filters: Filters) -> Q:
    return scope.cases_q("case__", filters) & Q(status=Assessment.Status.COMPLETED, instrument__key="faa")


def _current_phase() -> Coalesce:
    return Coalesce(NullIf(F("phase_override"), Value("")), F("phase"))


def _first_in_family(found: QuerySet[Assessment], order: list[OrderBy], **columns: Any) -> tuple[str, list[Any]]:
    """SQL for the row of each family that comes first in `order` among `found`, with `columns` (name ->
    expression). A window function ranks the rows in one pass; a subquery per row, which finds the same,
    took seconds over a million assessments."""
    ranked = (
        found.annotate(**columns, family_rank=Window(RowNumber(), partition_by=F("family_id"), order_by=order))
        .values(*columns, "family_rank")
        .order_by()
    )
    sql, params = ranked.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    # Only our own compiled query and column names go into the text; values travel as parameters.
    return f"SELECT {names} FROM ({sql}) ranked WHERE family_rank = 1", list(params)  # noqa: S608


def families_by_phase(scope: Scope, filters: Filters) -> Figure:
    """Each family once, by the phase of its latest completed FAA in the period: one query."""
    in_period = Q(assessed_on__gte=filters.start, assessed_on__lte=filters.end)
    latest, params = _first_in_family(
        Assessment.objects.filter(_faa(scope, filters), in_period),
        [F("assessed_on").desc(), F("id").desc()],
        phase_now=_current_phase(),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phase_now, COUNT(*) FROM ({latest}) latest GROUP BY phase_now", params)  # noqa: S608
        counts = {phase: [n] for phase, n in cursor.fetchall()}
    order = [*PHASE_ORDER, Phase.SAFETY_FIRST, Phase.NOT_ENOUGH_ANSWERS]
    keys = [(str(p.value), str(p.label)) for p in order]
    return _figure(keys, counts, ["families"], scope)


def months_to_stabilisation(scope: Scope, filters: Filters) -> Median:
    """Median months since the move at a family's first assessment in stabilisation or integration, over the
    families whose first such assessment falls in the period: one query, one number per family."""
    stable = Q(phase_override__in=STABLE_PHASES) | Q(phase_override="", phase__in=STABLE_PHASES)
    first, params = _first_in_family(
        Assessment.objects.filter(_faa(scope, filters), stable),
        [F("assessed_on").asc(), F("id").asc()],
        first_on=F("assessed_on"),
        months=F("months_since_move"),
    )
    months: list[float] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT months FROM ({first}) first WHERE first_on >= %s AND first_on <= %s AND months IS NOT NULL",  # noqa: S608
            [*params, filters.start, filters.end],
        )
        while rows := cursor.fetchmany(5000):
            months.extend(float(m) for (m,) in rows)
    return _median(months, scope)


def referrals(scope: Scope, filters: Filters) -> tuple[Figure, float | None]:
    """Referrals sent in the period by status, and the share completed of those with an outcome."""
    start, end = _bounds(filters)
    rows = (
        Referral.objects.filter(scope.cases_q("case__", filters), sent_at__gte=start, sent_at__lte=end)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {r["status"]: [r["n"]] for r in rows}
    keys = [(k, str(label)) for k, label in Referral.Status.choices if k != Referral.Status.DRAFT]
    figure = _figure(keys, counts, ["referrals"], scope)
    outcomes = sum(counts.get(k, [0])[0] for k in REFERRAL_OUTCOMES)
    done = counts.get(Referral.Status.COMPLETED, [0])[0]
    rate = None if not outcomes or small(outcomes, scope) else round(100 * done / outcomes, 1)
    return figure, rate


def referral_days(scope: Scope, filters: Filters) -> Median:
    """Median days from sending to completion, over the referrals completed in the period."""
    start, end = _bounds(filters)
    pairs = ReferralEvent.objects.filter(
        scope.cases_q("referral__case__", filters),
        to_status=Referral.Status.COMPLETED,
        at__gte=start,
        at__lte=end,
        referral__sent_at__isnull=False,
    ).values_list("referral__sent_at", "at")
    days = [(done - sent).total_seconds() / 86400 for sent, done in pairs.iterator(chunk_size=5000) if sent and done]
    return _median(days, scope)


def contracts_by_outcome(scope: Scope, filters: Filters) -> Figure:
    """Social contracts starting in the period, by status."""
    q = Q(starts_on__gte=filters.start, starts_on__lte=filters.end)
    if scope.agency_ids is not None:
        q &= Q(agency_id__in=scope.agency_ids)
    if filters.region:
        q &= Q(agency__region_id=filters.region)
    rows = Contract.objects.filter(q).values("status").annotate(n=Count("id")).order_by()
    counts = {r["status"]: [r["n"]] for r in rows}
    keys = [(k, str(label)) for k, label in Contract.Status.choices]
    return _figure(keys, counts, ["contracts"], scope)


def protective_orders(scope: Scope, filters: Filters, *, today: date) -> Figure:
    """Protective measures issued in the period: in force on the period's last day (or today), or not."""
    day = min(filters.end, today)
    active = Q(issued_on__lte=day, ends_on__gte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    counts = ProtectiveMeasure.objects.filter(
        scope.cases_q("case__", filters), issued_on__gte=filters.start, issued_on__lte=filters.end
    ).aggregate(active=Count("id", filter=active), total=Count("id"))
    values = {"active": [counts["active"]], "expired": [counts["total"] - counts["active"]]}
    keys = [("active", _("in force")), ("expired", _("no longer in force"))]
    return _figure(keys, values, ["orders"], scope)


@dataclass
class Titled:
    """A figure with its title and column names, as the dashboard and the printed report show it."""

    title: str
    columns: list[str]
    figure: Figure


def titled(area: AreaFigures) -> list[Titled]:
    """The figures to draw, in order, with their titles: one list for the page and the report."""
    return [
        Titled(_("Cases opened and closed, by type"), [_("opened"), _("closed")], area.cases),
        Titled(_("Families by adaptation phase (latest assessment)"), [_("families")], area.phases),
        Titled(_("Referrals sent, by status"), [_("referrals")], area.referrals),
        Titled(_("Social contracts, by outcome"), [_("contracts")], area.contracts),
        Titled(_("Protective orders issued"), [_("orders")], area.orders),
    ]


def definitions() -> list[str]:
    """What each figure counts, in words: shown under the dashboard and printed in the report."""
    return [
        _("Cases: opened, and closed, on a day of the period, by case type."),
        _(
            "Families by phase: each family once, by its latest completed family adaptation assessment in the "
            "period (the phase the worker set, else the suggested one)."
        ),
        _(
            "Months to stabilisation: months from the move to the family's first assessment in stabilisation "
            "or integration, for the families who first reached it in the period."
        ),
        _(
            "Referrals: sent in the period, by their status today; the completion rate is the share completed "
            "of those with an outcome (completed, not completed or declined); days to completion count the "
            "referrals completed in the period."
        ),
        _("Social contracts: those starting in the period, by their status today."),
        _("Protective orders: issued in the period, and whether they are in force on its last day (or today)."),
        _("Restricted cases are counted like any other: as numbers, never as records."),
    ]


def area_figures(scope: Scope, filters: Filters, *, today: date) -> AreaFigures:
    """Every agency and region figure: eight queries."""
    referral_figure, rate = referrals(scope, filters)
    return AreaFigures(
        cases=cases_by_type(scope, filters),
        phases=families_by_phase(scope, filters),
        stabilisation=months_to_stabilisation(scope, filters),
        referrals=referral_figure,
        referral_rate=rate,
        referral_days=referral_days(scope, filters),
        contracts=contracts_by_outcome(scope, filters),
        orders=protective_orders(scope, filters, today=today),
    )
