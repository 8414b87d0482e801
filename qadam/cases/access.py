"""Who may see and change what. Every `visible_to` in Qadam asks this module, so the rules live here once.

- Named records (people, families, cases) are for the roles that work with families; researchers and
  system administrators see none.
- A case is visible to its team (its case worker and the colleagues assigned to it), to the supervisor of
  its case worker, to roles whose scope covers its agency (an agency administrator: their agency; a
  regional coordinator: the agencies they coordinate, read-only), and to someone holding an active
  emergency access to it.
- A restricted case is visible only to its team and to active emergency access.
- Families and people are visible within the agencies a role covers, except restricted ones (a household
  with a restricted case): those only to whoever may open one of its restricted cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from qadam.accounts.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.cases.models import Case

NOTHING = Q(pk__in=[])


def named(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.sees_named_records  # type: ignore[union-attr]


def record_agency_ids(user: User) -> list[int]:
    """The agencies whose families and people the user's role covers."""
    if user.role == User.Role.REGIONAL_COORDINATOR:
        return [user.agency_id, *user.coordinated_agencies.values_list("pk", flat=True)]  # type: ignore[list-item]
    return [user.agency_id]  # type: ignore[list-item]


def team_q(user: User) -> Q:
    """Cases whose team the user is on (a Q over Case)."""
    from qadam.cases.models import CaseAssignment

    return Q(owner_id=user.pk) | Q(pk__in=CaseAssignment.objects.filter(user_id=user.pk).values("case_id"))


def emergency_q(user: User) -> Q:
    from qadam.cases.models import BreakGlass

    return Q(pk__in=BreakGlass.objects.active().filter(user_id=user.pk).values("case_id"))


def case_q(user: User | AnonymousUser) -> Q:
    if not named(user):
        return NOTHING
    assert isinstance(user, User)
    # Each alternative can use an index (owner, agency, id), so that a list or a subquery never scans
    # every case: no join to the users table, no OR nested inside an AND.
    supervised = User.objects.filter(supervisor_id=user.pk).values("pk")
    visible = team_q(user) | emergency_q(user) | (Q(restricted=False) & Q(owner_id__in=supervised))
    if user.role in {User.Role.AGENCY_ADMIN, User.Role.REGIONAL_COORDINATOR}:
        visible |= Q(restricted=False) & Q(agency_id__in=record_agency_ids(user))
    return visible


def _restricted_cases_seen(user: User) -> QuerySet[Case]:
    from qadam.cases.models import Case

    return Case.objects.filter(restricted=True).filter(team_q(user) | emergency_q(user))


def family_q(user: User | AnonymousUser) -> Q:
    if not named(user):
        return NOTHING
    assert isinstance(user, User)
    opened = Q(pk__in=_restricted_cases_seen(user).values("family_id"))
    return Q(agency_id__in=record_agency_ids(user)) & (Q(restricted=False) | opened)


def person_q(user: User | AnonymousUser) -> Q:
    if not named(user):
        return NOTHING
    assert isinstance(user, User)
    from qadam.families.models import Membership

    families = _restricted_cases_seen(user).values("family_id")
    opened = Q(pk__in=Membership.objects.filter(family_id__in=families).values("person_id"))
    return Q(agency_id__in=record_agency_ids(user)) & (Q(restricted=False) | opened)


def on_team(user: User, case: Case) -> bool:
    return case.owner_id == user.pk or case.assignments.filter(user_id=user.pk).exists()


def team_person_ids(user: User) -> set[int]:
    """People of those households: one query, however many names a page shows."""
    from qadam.families.models import Membership

    families = _restricted_cases_seen_by_team(user).values("family_id")
    return set(Membership.objects.filter(family_id__in=families).values_list("person_id", flat=True))


def _restricted_cases_seen_by_team(user: User) -> QuerySet[Case]:
    from qadam.cases.models import Case

    return Case.objects.filter(restricted=True).filter(team_q(user))


def team_family_ids(user: User) -> set[int]:
    """Households with a restricted case the user is on the team of: there survivors' names are shown."""

    return set(_restricted_cases_seen_by_team(user).values_list("family_id", flat=True))


def can_change(user: User, case: Case) -> bool:
    """Writes to a case the user can see: not for read-only roles, nor through an emergency access alone."""
    if not (user.writes_records and user.manages_cases):
        return False
    return not case.restricted or on_team(user, case)


def can_break_glass(user: User, case: Case) -> bool:
    return (
        case.restricted
        and user.agency_id == case.agency_id
        and user.role in (case.agency.break_glass_roles or [])
        and not on_team(user, case)
    )


def can_see_history(user: User, obj: object) -> bool:
    """Who viewed or changed a record is shown to the team of its cases and to those who supervise them."""
    from qadam.cases.models import Case
    from qadam.families.models import Family, Person

    if not named(user):
        return False
    if user.role in {User.Role.SUPERVISOR, User.Role.AGENCY_ADMIN}:
        return True
    if isinstance(obj, Case):
        cases = Case.objects.filter(pk=obj.pk)
    elif isinstance(obj, Family):
        cases = Case.objects.filter(family=obj)
    elif isinstance(obj, Person):
        cases = Case.objects.filter(family__memberships__person=obj)
    else:
        return False
    return cases.filter(team_q(user)).exists()


def separation_conflict(user: User, case: Case) -> bool:
    """Whether putting the user on this case's team would let one worker see both a survivor and the
    person she named as the one who harmed her: the user is on the team of a case of one of them, and
    this case belongs to the other (by its index person)."""
    from qadam.cases.models import AllegedPerpetrator, Case

    users_cases = Case.objects.filter(team_q(user))
    # This case is the survivor's, and the user works with a person named in it.
    named_here = AllegedPerpetrator.objects.filter(case_id=case.pk, person_id__isnull=False).values("person_id")
    if users_cases.filter(person_id__in=named_here).exists():
        return True
    # This case is of a person named in a survivor's case the user works on.
    return AllegedPerpetrator.objects.filter(case__in=users_cases, person_id=case.person_id).exists()
