"""Whose figures a user sees, over which period and region, and how small counts are hidden.

The agency and region figures are aggregates over every case of the agencies a role covers, restricted
ones included (a restricted case counts, it is never shown): an agency administrator covers their agency,
a regional coordinator the agencies they coordinate (qadam.cases.access.record_agency_ids), researchers
and system administrators all agencies, but since they see no named record, every count below
QADAM_MIN_CELL is shown as "fewer than N" for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from qadam.accounts.models import User
from qadam.cases.access import record_agency_ids

# Roles whose dashboard has the agency and region figures, and for whom they are suppressed.
AREA_ROLES = (User.Role.AGENCY_ADMIN, User.Role.REGIONAL_COORDINATOR, User.Role.RESEARCHER, User.Role.SYSTEM_ADMIN)
NATIONAL_ROLES = (User.Role.RESEARCHER, User.Role.SYSTEM_ADMIN)
CASE_ROLES = (User.Role.SOCIAL_WORKER, User.Role.SUPERVISOR, User.Role.AGENCY_ADMIN)
DEFAULT_PERIOD_DAYS = 365


def min_cell() -> int:
    return int(getattr(settings, "QADAM_MIN_CELL", 10))


def sections_for(user: User) -> list[str]:
    """The dashboard sections of the user's role, in the order the page shows them."""
    sections = []
    if user.role in (User.Role.SOCIAL_WORKER, User.Role.SUPERVISOR) and user.sees_named_records:
        sections.append("worker")
    if user.role == User.Role.SUPERVISOR and user.sees_named_records:
        sections.append("team")
    if user.role in AREA_ROLES and (user.sees_named_records or user.role in NATIONAL_ROLES):
        sections.append("area")
    return sections


@dataclass(frozen=True)
class Filters:
    """The period (both ends included) and the KATO region (level 1 code, or "" for every region)."""

    start: date
    end: date
    region: str = ""

    @classmethod
    def default(cls, today: date) -> Filters:
        return cls(start=today - timedelta(days=DEFAULT_PERIOD_DAYS), end=today)


@dataclass(frozen=True)
class Scope:
    """The agencies counted (None: all of them) and whether small counts are suppressed."""

    agency_ids: tuple[int, ...] | None
    suppress: bool
    threshold: int = field(default_factory=min_cell)

    @classmethod
    def for_user(cls, user: User) -> Scope:
        if user.role in NATIONAL_ROLES:
            return cls(agency_ids=None, suppress=True)
        if user.sees_named_records and user.role in AREA_ROLES:
            return cls(agency_ids=tuple(sorted(set(record_agency_ids(user)))), suppress=False)
        return cls(agency_ids=(), suppress=False)

    def cases_q(self, prefix: str = "", filters: Filters | None = None) -> Q:
        """A Q over a model reaching a case by `prefix` (e.g. "case__"): the agencies and the region."""
        q = Q()
        if self.agency_ids is not None:
            q &= Q(**{f"{prefix}agency_id__in": self.agency_ids})
        if filters is not None and filters.region:
            q &= Q(**{f"{prefix}agency__region_id": filters.region})
        return q


@dataclass(frozen=True)
class Cell:
    """One count as shown: the number, or None when it is too small to show to this user."""

    value: int
    hidden: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.value


def suppress(counts: Iterable[int], scope: Scope) -> list[Cell]:
    """Counts of one figure as cells. For a suppressing scope, counts from 1 to threshold-1 are hidden, and
    when just one is hidden the next smallest too, so that it cannot be worked out from the total."""
    values = list(counts)
    if not scope.suppress:
        return [Cell(v) for v in values]
    hidden = {i for i, v in enumerate(values) if 0 < v < scope.threshold}
    if len(hidden) == 1:
        rest = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v > 0)
        if rest:
            hidden.add(rest[0][1])
    return [Cell(v, i in hidden) for i, v in enumerate(values)]


def small(value: int | None, scope: Scope) -> bool:
    """Whether a figure computed from `value` cases (a median, a rate) must not be shown to this user."""
    return scope.suppress and value is not None and value < scope.threshold
