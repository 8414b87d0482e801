"""Who may see and change safety records. The case rules themselves live in `qadam/cases/access.py`.

- A safety plan, protective measures and crisis-centre stays are seen by the case team only. An active
  emergency access (`case_break_glass`) may read them too: that access exists for a survivor in danger
  while her worker cannot be reached, and the plan (who to call, where to go) is what a colleague needs
  then; the access is already announced to the case worker and the agency administrators, and every read
  of the plan is audited. It never changes them. A supervisor or an agency administrator outside the team
  sees nothing, not even that a plan exists.
- They exist only on restricted cases (any restricted case, not only domestic violence: a child at risk,
  or a case restricted because violence came out later, needs one as much).
- Safe contact preferences are changed by whoever may change the person's record: a role that writes
  records and sees the person, and for a restricted person someone on the team of one of her household's
  restricted cases (an emergency access reads, it does not change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from qadam.accounts.models import User
from qadam.cases.access import emergency_q, named, on_team, team_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.cases.models import Case
    from qadam.families.models import Person


def safety_case_q(user: User | AnonymousUser) -> Q:
    """Cases whose safety records the user may read (a Q over Case)."""
    if not named(user):
        return Q(pk__in=[])
    assert isinstance(user, User)
    return Q(restricted=True) & (team_q(user) | emergency_q(user))


def safety_cases(user: User | AnonymousUser) -> QuerySet[Case]:
    from qadam.cases.models import Case

    return Case.objects.filter(safety_case_q(user))


def can_read_safety(user: User | AnonymousUser, case: Case) -> bool:
    return safety_cases(user).filter(pk=case.pk).exists()


def can_change_safety(user: User, case: Case) -> bool:
    """Writes: the case team of a restricted case, in a role that manages cases."""
    return case.restricted and user.writes_records and user.manages_cases and on_team(user, case)


def person_cases(person: Person) -> QuerySet[Case]:
    """The cases of a person: those where she is the index person, and those of her households."""
    from qadam.cases.models import Case

    return Case.objects.filter(Q(person_id=person.pk) | Q(family__memberships__person_id=person.pk)).distinct()


def on_team_of_person(user: User | AnonymousUser, person: Person) -> bool:
    if not named(user):
        return False
    assert isinstance(user, User)
    return person_cases(person).filter(team_q(user)).exists()


def can_change_contact(user: User, person: Person) -> bool:
    """Whether the user may change the person's contact preferences (the person is visible to them)."""
    from qadam.families.models import Person

    if not user.writes_records or not Person.objects.visible_to(user).filter(pk=person.pk).exists():
        return False
    return not person.restricted or person_cases(person).filter(restricted=True).filter(team_q(user)).exists()
