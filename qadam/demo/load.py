"""`qadam demo`: family plans written through the real services, so the demo has a true audit trail."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from qadam.accounts.models import User
from qadam.cases.models import Case, Note, StatusChange, Task
from qadam.cases.services import (
    case_change_status,
    case_close,
    case_open,
    note_add,
    task_add,
    task_complete,
)
from qadam.demo.directory import demo_directory
from qadam.demo.generator import CasePlan, FamilyGenerator, FamilyPlan
from qadam.demo.staff import AGENCIES, agencies_ensure, staff_ensure
from qadam.families.models import Family, Person
from qadam.families.services import family_add_member, family_register, move_record, person_register
from qadam.kato.models import KatoUnit

DEMO_SEED = 2026
DEMO_FAMILIES = 300
STATUSES = list(Case.Status.values)


@dataclass(frozen=True)
class Team:
    """The people of one agency who do the demo's work."""

    registrar: User
    workers: list[User]
    supervisor: User

    @classmethod
    def of(cls, staff: list[User]) -> Team:
        by_role = {role: [u for u in staff if u.role == role] for role in User.Role.values}
        return cls(by_role[User.Role.REGISTRAR][0], by_role[User.Role.SOCIAL_WORKER], by_role[User.Role.SUPERVISOR][0])


def worker_weights(count: int) -> list[int]:
    """The first named worker of an agency carries the biggest caseload, as someone always does."""
    return [5, 3, 2, 1][:count] + [1] * max(0, count - 4)


@transaction.atomic
def demo_load(*, families: int = DEMO_FAMILIES, seed: int = DEMO_SEED, today: date | None = None) -> None:
    """Create the demo agencies, their staff and `families` families (a third per agency) with cases."""
    agencies = agencies_ensure()
    staff = staff_ensure(agencies)
    teams = {code: Team.of(users) for code, users in staff.items()}
    taken = Person.objects.exclude(iin__isnull=True).values_list("iin", flat=True)
    generator = FamilyGenerator(seed=seed, today=today or timezone.localdate(), taken_iins=taken)
    regions = {unit.code[:2]: unit for unit in KatoUnit.objects.filter(level=KatoUnit.Level.REGION)}
    for number in range(families):
        profile = AGENCIES[number % len(AGENCIES)]
        team = teams[profile.code]
        owner = generator.rng.choices(team.workers, weights=worker_weights(len(team.workers)))[0]
        # Each agency's first families show every status, however few families are asked for.
        status = STATUSES[number // len(AGENCIES)] if number < len(AGENCIES) * len(STATUSES) else ""
        family_write(generator.family(profile, status=status), team=team, owner=owner, regions=regions)
    demo_directory(agencies)


def family_write(plan: FamilyPlan, *, team: Team, owner: User, regions: dict[str, KatoUnit]) -> Family:
    by = team.registrar
    people = [person_register(by=by, **_person_fields(asdict(member))) for member in plan.members]
    family = family_register(by=by, head=people[0], address=plan.address, housing=plan.housing)
    for person, member in zip(people[1:], plan.members[1:], strict=True):
        family_add_member(by=by, family=family, person=person, relationship=member.relationship)
    move = asdict(plan.move)
    move["origin_region"] = regions[move["origin_region"]]
    move["destination_region"] = regions[move["destination_region"]]
    move_record(by=by, family=family, **move)
    _case_write(plan.case, family=family, person=people[plan.case.person_index], team=team, owner=owner)
    return family


def _person_fields(member: dict[str, Any]) -> dict[str, Any]:
    member.pop("relationship")
    member["iin"] = member["iin"] or None
    return member


def _case_write(plan: CasePlan, *, family: Family, person: Person, team: Team, owner: User) -> Case:
    case = case_open(
        by=team.registrar,
        family=family,
        person=person,
        kind=plan.kind,
        owner=owner,
        priority=plan.priority,
        grounds=plan.grounds,
        opened_on=plan.opened_on,
    )
    for note in plan.notes:
        added = note_add(
            by=owner, case=case, contact=note.contact, contact_on=note.contact_on, text=note.text, minutes=note.minutes
        )
        # Written up on the day of the contact, as the demo's history has it.
        Note.objects.filter(pk=added.pk).update(created_at=at_work(note.contact_on, 240))
    for task_plan in plan.tasks:
        task = task_add(by=owner, case=case, title=task_plan.title, due_on=task_plan.due_on, assignee=owner)
        set_on = max(plan.opened_on, min(task_plan.due_on, timezone.localdate()) - timedelta(days=14))
        Task.objects.filter(pk=task.pk).update(created_at=at_work(set_on, 60))
        if task_plan.done_on:
            task = task_complete(by=owner, task=task)
            _backdate_task(task, task_plan.done_on)
    for step in plan.steps:
        if step.to_status == Case.Status.CLOSED:
            case = case_close(by=owner, case=case, reason=plan.closing_reason, comment=step.comment)
        else:
            case = case_change_status(by=owner, case=case, to_status=step.to_status, comment=step.comment)
    _backdate_history(case, plan)
    return case


def at_work(day: date, minute: int) -> datetime:
    """A moment of the working day `day` (09:00 plus `minute`), never later than now."""
    moment = timezone.make_aware(datetime.combine(day, time(9)) + timedelta(minutes=minute))
    return min(moment, timezone.now())


# The services stamp changes with the present moment, which is right for real work; a demo loaded in
# one minute would then show every case moving on the same day, so its history is dated as planned.
def _backdate_history(case: Case, plan: CasePlan) -> None:
    changes = list(StatusChange.objects.filter(case=case).order_by("id"))
    days = [plan.opened_on] + [step.on for step in plan.steps]
    for number, (change, day) in enumerate(zip(changes, days, strict=True)):
        change.at = at_work(day, 30 + number * 7)
    StatusChange.objects.bulk_update(changes, ["at"])
    case.assigned_at = changes[0].at
    fields = ["assigned_at"]
    if case.status == Case.Status.CLOSED:
        case.closed_on = plan.steps[-1].on
        fields.append("closed_on")
    case.save(update_fields=fields)


def _backdate_task(task: Task, done_on: date) -> None:
    task.done_at = at_work(done_on, 120 + task.pk % 300)
    task.save(update_fields=["done_at"])
