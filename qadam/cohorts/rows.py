"""The rows the cohort figures are computed from, streamed in chunks in the user's scope.

Who sees which families' assessments (aggregates only, never a row on a page):

- researchers and system administrators: every agency; regional coordinators: their own agency and the
  agencies they coordinate; agency administrators and supervisors: their agency. Other roles: none.
- For researchers, only families whose **head of household** has research consent in force (the latest
  "research" decision is "given", as `consent_allows` reads it, in one correlated subquery rather than a
  query per person). The head is who consents for the household in Qadam's registration; another member's
  decision does not bring the family in or take it out.
- Assessments of restricted cases, and of households with a restricted case, are never included.

Only completed Family Adaptation Assessments count. The grouping attributes are the family's, from its
latest move (origin region at oblast level, or "abroad"; rural or urban origin; programme; reasons) and
its members (`analysis.household_type`); a family with no move is in the "unknown" group of each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from qadam.accounts.models import User
from qadam.assessments.models import Assessment, ScaleScore
from qadam.cases.access import record_agency_ids
from qadam.cohorts.analysis import DIMENSIONS, Row, household_type
from qadam.consent.models import Consent
from qadam.families.models import Membership, Move

CHUNK = 2000
UNKNOWN = "unknown"
ABROAD = "abroad"
ROLES = frozenset(
    {
        User.Role.RESEARCHER,
        User.Role.SYSTEM_ADMIN,
        User.Role.REGIONAL_COORDINATOR,
        User.Role.AGENCY_ADMIN,
        User.Role.SUPERVISOR,
    }
)


def may_see_cohorts(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in ROLES)


@dataclass(frozen=True)
class Filters:
    """What the page lets a user narrow the cohort by."""

    assessed_from: date | None = None
    assessed_to: date | None = None
    destination_region: str | None = None  # a KATO region code

    def as_json(self) -> dict[str, str]:
        values = {"from": self.assessed_from, "to": self.assessed_to, "region": self.destination_region}
        return {k: str(v) for k, v in values.items() if v}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Filters:
        start, end = data.get("from"), data.get("to")
        return cls(
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
            data.get("region") or None,
        )


def scope_key(user: User) -> str:
    """What determines the rows a user's figures count: users with the same key may share a computation."""
    if user.role == User.Role.RESEARCHER:
        return "all:research-consent"
    if user.role == User.Role.SYSTEM_ADMIN:
        return "all"
    if user.role == User.Role.REGIONAL_COORDINATOR:
        return "agencies:" + ",".join(str(pk) for pk in sorted(set(record_agency_ids(user))))
    return f"agencies:{user.agency_id}"


def _scope(user: User) -> Q:
    """The families whose assessments count for this user (see the module's docstring)."""
    if user.role in {User.Role.RESEARCHER, User.Role.SYSTEM_ADMIN}:
        return Q()
    if user.role == User.Role.REGIONAL_COORDINATOR:
        return Q(family__agency_id__in=record_agency_ids(user))
    if user.role in {User.Role.AGENCY_ADMIN, User.Role.SUPERVISOR} and user.agency_id is not None:
        return Q(family__agency_id=user.agency_id)
    return Q(pk__in=[])


def assessments_for(user: User, filters: Filters | None = None) -> QuerySet[Assessment]:
    """Completed FAAs in the user's scope, without restricted cases, with consent where it is needed."""
    filters = filters or Filters()
    found = Assessment.objects.filter(
        _scope(user),
        status=Assessment.Status.COMPLETED,
        instrument__key="faa",
        case__restricted=False,
        family__restricted=False,
    )
    if not may_see_cohorts(user):
        found = found.none()
    if user.role == User.Role.RESEARCHER:
        latest = Consent.objects.filter(person_id=OuterRef("family__head_id"), purpose=Consent.Purpose.RESEARCH)
        decision = Subquery(latest.order_by(*Consent.NEWEST_FIRST).values("decision")[:1])
        found = found.annotate(research=decision).filter(research=Consent.Decision.GIVEN)
    if filters.assessed_from:
        found = found.filter(assessed_on__gte=filters.assessed_from)
    if filters.assessed_to:
        found = found.filter(assessed_on__lte=filters.assessed_to)
    if filters.destination_region:
        moves = Move.objects.filter(family_id=OuterRef("family_id")).order_by("-moved_on", "-id")
        found = found.annotate(destination=Subquery(moves.values("destination_region_id")[:1]))
        found = found.filter(destination=filters.destination_region)
    return found


def cohort_rows(user: User, filters: Filters | None = None, *, chunk: int = CHUNK) -> Iterator[Row]:
    """The rows, ordered by family and date, in four streamed queries whatever their number.

    The assessments, their scores, the families' moves and their members are each read in `chunk`-sized
    batches (`.iterator()`), all four in the same order of families, and merged as they go: memory holds
    one family at a time, never the cohort."""
    found = assessments_for(user, filters)
    columns = ("pk", "family_id", "assessed_on", "months_since_move", "phase", "phase_override")
    assessments = found.order_by("family_id", "assessed_on", "id").values_list(*columns)
    scores = (
        ScaleScore.objects.filter(assessment__in=found.values("pk"), scale__in=DIMENSIONS)
        .order_by("assessment__family_id", "assessment__assessed_on", "assessment_id")
        .values_list("assessment_id", "scale", "score")
    )
    families = found.values("family_id")
    moves = (
        Move.objects.filter(family_id__in=families)
        .order_by("family_id", "-moved_on", "-id")
        .values_list("family_id", "origin_region_id", "origin_area", "programme", "reasons")
    )
    members = Membership.objects.filter(family_id__in=families).order_by("family_id", "id")
    score_stream = _Ahead(scores.iterator(chunk_size=chunk * len(DIMENSIONS)))
    move_stream = _Ahead(moves.iterator(chunk_size=chunk), skip=True)
    member_stream = _Ahead(members.values_list("family_id", "relationship").iterator(chunk_size=chunk), skip=True)
    family_id, groups = None, {}
    for pk, family, assessed_on, months, phase, override in assessments.iterator(chunk_size=chunk):
        if family != family_id:
            family_id = family
            family_moves = move_stream.take(family)
            relationships = [r for _, r in member_stream.take(family)]
            groups = _groups(family_moves[0] if family_moves else None, relationships)
        row_scores = {scale: score for _, scale, score in score_stream.take(pk)}
        yield Row(family, assessed_on, months, override or phase, row_scores, groups)


class _Ahead:
    """A stream of tuples read one ahead: `take(key)` returns the next tuples whose first item is `key`.
    A stream sorted by that key (`skip=True`) first passes over smaller keys; none are expected, since
    the streams follow the same families, but a row added meanwhile must not stall the merge."""

    def __init__(self, stream: Iterator[tuple], *, skip: bool = False) -> None:
        self.stream, self.skip = stream, skip
        self.next: tuple | None = next(stream, None)

    def take(self, key: Any) -> list[tuple]:
        taken = []
        while self.skip and self.next is not None and _before(self.next[0], key):
            self.next = next(self.stream, None)
        while self.next is not None and self.next[0] == key:
            taken.append(self.next)
            self.next = next(self.stream, None)
        return taken


def _before(a: Any, b: Any) -> bool:
    return bool(a < b)


def _groups(move: tuple | None, relationships: list[str]) -> dict[str, tuple[str, ...]]:
    """A family's group in every attribute, from its latest move and its members."""
    household = (household_type(["head", *relationships]),)
    if move is None:
        unknown: tuple[str, ...] = (UNKNOWN,)
        return {
            "origin_region": unknown,
            "origin_area": unknown,
            "programme": unknown,
            "reason": unknown,
            "household": household,
        }
    _, region, area, programme, reasons = move
    return {
        "origin_region": (f"{region[:2]}0000000" if region else ABROAD,),
        "origin_area": (area or UNKNOWN,),
        "programme": (programme or UNKNOWN,),
        "household": household,
        "reason": tuple(reasons) if reasons else ("none",),
    }
