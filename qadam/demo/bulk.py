"""`qadam synth`: family plans written in bulk, for benchmarks at 100,000 to 1,000,000 families.

No services and no audit: rows go in with `bulk_create`, a few thousand families per transaction, with the
ids assigned here so that case numbers and foreign keys need no second pass. Search texts are computed as
the services compute them. Run it on a database that nothing else writes to meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.cases.models import Case, Note, StatusChange, Task
from qadam.demo.generator import CasePlan, FamilyGenerator, FamilyPlan
from qadam.demo.names import FEMALE, MALE, Naming
from qadam.demo.staff import AGENCIES, agencies_ensure, staff_ensure
from qadam.families.models import Family, Membership, Move, Person
from qadam.families.services import person_search_text
from qadam.kato.regions import region_kato_code
from qadam.lib.text import search_text

BATCH = 5000
CASELOAD = 120  # cases per synthetic worker, roughly: more workers join as the families grow
NAMED_WEIGHTS = [4, 2, 2]  # the named workers carry more; Aigerim (ast) has about four times the average
MODELS: list[type[models.Model]] = [Person, Family, Membership, Move, Case, StatusChange, Note, Task]


@dataclass
class Team:
    """Who works the synthetic cases of one agency."""

    agency: Agency
    registrar_id: int
    owner_ids: list[int]
    weights: list[float]


class Ids:
    """The next free id of each table, handed out here so rows can point at each other before insert."""

    def __init__(self) -> None:
        self._next = {m: (m.objects.aggregate(top=Max("id"))["top"] or 0) + 1 for m in MODELS}

    def take(self, model: type[models.Model]) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value


@dataclass
class Batch:
    """The rows of a few thousand families, inserted table by table in one transaction."""

    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=lambda: {m: [] for m in MODELS})

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)

    @transaction.atomic
    def save(self) -> None:
        for model, rows in self.rows.items():
            model.objects.bulk_create(rows, batch_size=2000)


def synth(*, families: int, seed: int, progress: Callable[[int], None] = lambda done: None) -> None:
    """Add `families` synthetic families, a third to each demo agency, with their cases, notes and tasks."""
    agencies = agencies_ensure()
    staff = staff_ensure(agencies)
    taken = Person.objects.exclude(iin=None).values_list("iin", flat=True).iterator(chunk_size=20000)
    generator = FamilyGenerator(seed=seed, today=timezone.localdate(), taken_iins=taken)
    teams = {p.code: team_ensure(agencies[p.code], staff[p.code], generator, new_families=families // 3)
             for p in AGENCIES}
    ids, done = Ids(), 0
    while done < families:
        batch = Batch()
        for number in range(done, min(families, done + BATCH)):
            profile = AGENCIES[number % len(AGENCIES)]
            team = teams[profile.code]
            owner_id = generator.rng.choices(team.owner_ids, weights=team.weights)[0]
            family_rows(batch, generator.family(profile), team=team, owner_id=owner_id, ids=ids)
            done += 1
        batch.save()
        progress(done)
    _after_load()


def team_ensure(agency: Agency, staff: list[User], generator: FamilyGenerator, *, new_families: int) -> Team:
    """The agency's named workers and enough synthetic ones for about CASELOAD cases each."""
    named = [u for u in staff if u.role == User.Role.SOCIAL_WORKER]
    prefix = f"{agency.code}.sw"
    synthetic = list(User.objects.filter(username__startswith=prefix).order_by("id").values_list("id", flat=True))
    total = Family.objects.filter(agency=agency).count() + new_families
    missing = max(0, math.ceil(total / CASELOAD) - len(named) - len(synthetic))
    if missing:
        password = make_password(None)  # synthetic workers never sign in
        new = [_synthetic_worker(agency, f"{prefix}{len(synthetic) + n + 1:05d}", password, generator)
               for n in range(missing)]
        synthetic += [u.pk for u in User.objects.bulk_create(new)]
        if not synthetic[-1]:  # a backend that does not return ids from a bulk insert
            synthetic = list(User.objects.filter(username__startswith=prefix).values_list("id", flat=True))
    registrar = next(u for u in staff if u.role == User.Role.REGISTRAR)
    weights = NAMED_WEIGHTS[: len(named)] + [1] * max(0, len(named) - len(NAMED_WEIGHTS)) + [1] * len(synthetic)
    return Team(agency, registrar.pk, [u.pk for u in named] + synthetic, weights)


def _synthetic_worker(agency: Agency, username: str, password: str, generator: FamilyGenerator) -> User:
    rng = generator.rng
    naming, sex = Naming("kk" if rng.random() < 0.8 else "ru"), rng.choice([MALE, FEMALE])
    surname = naming.surname(naming.family_surname(rng), sex, naming.given_name(rng, MALE))
    return User(username=username, password=password, first_name=naming.given_name(rng, sex), last_name=surname,
                agency=agency, role=User.Role.SOCIAL_WORKER)


def family_rows(batch: Batch, plan: FamilyPlan, *, team: Team, owner_id: int, ids: Ids) -> None:
    """The rows of one family plan: its people, household, move and case."""
    agency = team.agency
    people = [
        Person(id=ids.take(Person), agency=agency, iin=m.iin or None, surname=m.surname, given_name=m.given_name,
               patronymic=m.patronymic, birth_date=m.birth_date, sex=m.sex, citizenship=m.citizenship,
               preferred_language=m.preferred_language, phone=m.phone)
        for m in plan.members
    ]
    for person in people:
        person.search_text = person_search_text(person)
        batch.add(person)
    family = Family(id=ids.take(Family), agency=agency, head=people[0], address=plan.address, housing=plan.housing,
                    created_by_id=team.registrar_id,
                    search_text=search_text(*(p.search_text for p in people), plan.address))
    batch.add(family)
    for person, member in zip(people, plan.members, strict=True):
        batch.add(Membership(id=ids.take(Membership), family=family, person=person, relationship=member.relationship))
    move = plan.move
    batch.add(Move(
        id=ids.take(Move), family=family, origin_region_id=region_kato_code(move.origin_region),
        origin_place=move.origin_place, origin_area=move.origin_area, moved_on=move.moved_on,
        destination_region_id=region_kato_code(move.destination_region), programme=move.programme,
        reasons=move.reasons, reasons_other=move.reasons_other, registration=move.registration, housing=move.housing,
    ))
    case_rows(batch, plan.case, family=family, person=people[plan.case.person_index], owner_id=owner_id, ids=ids)


def case_rows(batch: Batch, plan: CasePlan, *, family: Family, person: Person, owner_id: int, ids: Ids) -> None:
    """A case with its whole status history, notes and tasks, all by its worker."""
    pk = ids.take(Case)
    closed = plan.status == Case.Status.CLOSED
    case = Case(
        id=pk, agency=family.agency, number=f"{family.agency.code.upper()}-{plan.opened_on:%Y}-{pk:06d}",
        family=family, person=person, kind=plan.kind, grounds=plan.grounds, status=plan.status, owner_id=owner_id,
        priority=plan.priority, opened_on=plan.opened_on, closed_on=plan.steps[-1].on if closed else None,
        closing_reason=plan.closing_reason,
    )
    batch.add(case)
    before = ""
    for number, (to_status, day, comment) in enumerate(
        [("registered", plan.opened_on, ""), *((s.to_status, s.on, s.comment) for s in plan.steps)]
    ):
        batch.add(StatusChange(id=ids.take(StatusChange), case=case, from_status=before, to_status=to_status,
                               at=_at(day, 30 + number * 7), by_id=owner_id, comment=comment))
        before = to_status
    for note in plan.notes:
        batch.add(Note(id=ids.take(Note), case=case, contact=note.contact, contact_on=note.contact_on,
                       minutes=note.minutes, text=note.text, author_id=owner_id, search_text=search_text(note.text)))
    for task in plan.tasks:
        batch.add(Task(id=ids.take(Task), case=case, title=task.title, due_on=task.due_on, assignee_id=owner_id,
                       created_by_id=owner_id, done_at=_at(task.done_on, 120) if task.done_on else None,
                       done_by_id=owner_id if task.done_on else None))


def _at(day: date, minute: int) -> datetime:
    """A moment of the working day `day` in Kazakhstan (09:00 plus `minute`), never later than now."""
    moment = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone()) + timedelta(minutes=minute)
    return min(moment, timezone.now())


def _after_load() -> None:
    """Move PostgreSQL's id sequences past the ids given here, and refresh the planner's statistics."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
