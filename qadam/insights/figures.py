"""The worker's and the supervisor's figures: a few aggregate queries each, whatever the caseload.

Each function reads through the scoped querysets (`visible_to`) and returns plain data for the page and the
home card. Counts only: no person, family or case is named, so these pages show no record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean

from django.db.models import Count, OuterRef, Q, Subquery

from qadam.accounts.models import User
from qadam.assessments.models import Assessment
from qadam.cases.models import Case, Note, Task
from qadam.plans.approvals import pending_for
from qadam.referrals.models import Referral

REASSESS_AFTER_DAYS = 90  # instruments.md §10.7: the FAA is repeated every three months
NO_CONTACT_DAYS = 30


@dataclass
class WorkerFigures:
    """A worker's own open caseload and what is waiting for them."""

    by_status: dict[str, int]
    by_priority: dict[int, int]
    open_cases: int
    due_this_week: int
    overdue: int
    reassessments_due: int
    referrals_waiting: int


def _latest_faa_on() -> Subquery:
    latest = (
        Assessment.objects.filter(
            family_id=OuterRef("family_id"), status=Assessment.Status.COMPLETED, instrument__key="faa"
        )
        .order_by("-assessed_on", "-id")
        .values("assessed_on")[:1]
    )
    return Subquery(latest)


def worker_figures(user: User, *, today: date, reassess_days: int = REASSESS_AFTER_DAYS) -> WorkerFigures:
    """Four queries: the caseload by status and priority, tasks, reassessments due, referrals waiting."""
    cases = Case.objects.visible_to(user).filter(owner_id=user.pk).exclude(status=Case.Status.CLOSED)
    by_status: dict[str, int] = {}
    by_priority: dict[int, int] = {}
    for row in cases.values("status", "priority").annotate(n=Count("id")).order_by():
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + row["n"]
    tasks = (
        Task.objects.visible_to(user)
        .open()
        .filter(assignee_id=user.pk)
        .aggregate(
            due=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=7))),
            overdue=Count("id", filter=Q(due_on__lt=today)),
        )
    )
    due = cases.annotate(last_faa=_latest_faa_on()).filter(last_faa__lt=today - timedelta(days=reassess_days)).count()
    waiting = Referral.objects.visible_to(user).filter(case__owner_id=user.pk, status=Referral.Status.SENT).count()
    return WorkerFigures(
        by_status=by_status,
        by_priority=by_priority,
        open_cases=sum(by_status.values()),
        due_this_week=tasks["due"],
        overdue=tasks["overdue"],
        reassessments_due=due,
        referrals_waiting=waiting,
    )


@dataclass
class TeamMember:
    """One supervisee's row: open cases (restricted ones as a count), overdue tasks, cases without contact."""

    user: User
    open_cases: int = 0
    restricted: int = 0
    overdue: int = 0
    no_contact: int = 0

    @property
    def caseload(self) -> int:
        return self.open_cases + self.restricted


@dataclass
class TeamFigures:
    """The supervisor's team: caseload and its balance, overdue work, approvals, contact gaps."""

    members: list[TeamMember]
    approvals_pending: int
    no_contact_days: int
    restricted_without_contact: int = 0
    spread: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(m.caseload for m in self.members)


def _balance(loads: list[int]) -> dict[str, float]:
    """How even the caseload is: the lightest, the mean, the heaviest, and the heaviest over the mean."""
    if not loads:
        return {}
    average = mean(loads)
    return {
        "min": min(loads),
        "mean": round(average, 1),
        "max": max(loads),
        "ratio": round(max(loads) / average, 2) if average else 0.0,
    }


def team_figures(user: User, *, today: date, no_contact_days: int = NO_CONTACT_DAYS) -> TeamFigures:
    """Five queries. Restricted cases of the team are counted but never read: only their number shows."""
    members = {u.pk: TeamMember(user=u) for u in User.objects.filter(supervisor_id=user.pk, is_active=True)}
    open_team = Case.objects.filter(owner_id__in=list(members)).exclude(status=Case.Status.CLOSED)
    cutoff = today - timedelta(days=no_contact_days)
    notes = Note.objects.filter(case_id=OuterRef("pk")).order_by("-contact_on")
    last_contact = Subquery(notes.values("contact_on")[:1])
    silent = Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True, opened_on__lt=cutoff)
    rows = open_team.values("owner_id", "restricted").annotate(n=Count("id")).order_by()
    for row in rows:
        member = members[row["owner_id"]]
        if row["restricted"]:
            member.restricted += row["n"]
        else:
            member.open_cases += row["n"]
    gaps = (
        open_team.annotate(last_contact=last_contact)
        .filter(silent)
        .values("owner_id", "restricted")
        .annotate(n=Count("id"))
        .order_by()
    )
    restricted_silent = 0
    for row in gaps:
        if row["restricted"]:
            restricted_silent += row["n"]
        else:
            members[row["owner_id"]].no_contact += row["n"]
    overdue = (
        Task.objects.open()
        .filter(assignee_id__in=list(members), due_on__lt=today)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in overdue:
        members[row["assignee_id"]].overdue = row["n"]
    ordered = sorted(members.values(), key=lambda m: (m.user.last_name, m.user.first_name, m.user.pk))
    return TeamFigures(
        members=ordered,
        approvals_pending=pending_for(user).count(),
        no_contact_days=no_contact_days,
        restricted_without_contact=restricted_silent,
        spread=_balance([m.caseload for m in ordered]),
    )
