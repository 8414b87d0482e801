"""`qadam synth`: family plans written in bulk, for benchmarks at 100,000 to 1,000,000 families.

No services and no audit: rows go in a few thousand families per transaction, with ids handed out here so
that case numbers and foreign keys need no second pass. Search texts, the encrypted IIN and phone and their
blind indexes are computed as the services and the field compute them. Run it on a database that nothing
else writes to meanwhile.

Rows are plain tuples inserted with `executemany`, in the column order of the model's own fields and
through each field's own value adaptation. `bulk_create` was tried first: it spent six of every seven
seconds turning model instances into SQL, and made 100,000 families take four minutes instead of one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.assessments.models import Assessment, ScaleScore
from qadam.cases.models import Case, Note, StatusChange, Task
from qadam.demo.faa import FaaSynth
from qadam.demo.generator import CasePlan, FamilyGenerator, FamilyPlan, MovePlan, PersonPlan, StepPlan
from qadam.demo.load import at_work
from qadam.demo.names import FEMALE, MALE, Naming
from qadam.demo.staff import AGENCIES, agencies_ensure, staff_ensure
from qadam.families.models import Family, Membership, Move, Person
from qadam.families.services import person_search_text
from qadam.kato.regions import region_kato_code
from qadam.lib.crypto import encrypt, iin_index, phone_index
from qadam.lib.text import search_text

BATCH = 5000
CASELOAD = 120  # cases per synthetic worker, roughly: more workers join as the families grow
NAMED_WEIGHTS = [4, 2, 2]  # the named workers carry more; Aigerim (ast) has about four times the average
MODELS: list[type[models.Model]] = [
    Person,
    Family,
    Membership,
    Move,
    Case,
    StatusChange,
    Note,
    Task,
    Assessment,
    ScaleScore,
]
# Values of these field types need the backend's adaptation; the others go to the driver as they are.
ADAPTED = {"DateField", "DateTimeField", "JSONField"}


class Table:
    """One table's pending rows, in the order of the model's concrete fields; it hands out the ids."""

    def __init__(self, model: type[models.Model], now: Any) -> None:
        fields = model._meta.concrete_fields
        self.defaults = {f.attname: f.get_default() for f in fields}
        # The moment of the load, adapted once rather than per row.
        stamped = {f.attname for f in fields if f.attname in ("created_at", "updated_at")}
        self.defaults.update({f.attname: f.get_db_prep_save(now, connection) for f in fields if f.attname in stamped})
        self.adapted = [
            (i, f) for i, f in enumerate(fields) if f.get_internal_type() in ADAPTED and f.attname not in stamped
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column or f.attname) for f in fields)  # concrete fields always have a column
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model's own metadata, not from input.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        self.next_id = (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1
        self.rows: list[list[Any]] = []

    def add(self, **values: Any) -> int:
        """Queue a row given by field attnames (unnamed fields take their defaults); return its id."""
        if unknown := values.keys() - self.defaults.keys():
            raise TypeError(f"Unknown fields: {sorted(unknown)}")
        values["id"], self.next_id = self.next_id, self.next_id + 1
        self.rows.append([values.get(name, default) for name, default in self.defaults.items()])
        return values["id"]

    def flush(self, cursor: Any) -> None:
        for row in self.rows:
            for i, field in self.adapted:
                row[i] = field.get_db_prep_save(row[i], connection)
        if connection.vendor == "postgresql":
            # COPY: on PostgreSQL a third faster than executemany, which sends one INSERT per row.
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.sql, self.rows)
        self.rows.clear()


class Tables(dict[type[models.Model], Table]):
    """The tables a family plan writes to, flushed parents first so foreign keys hold at every step."""

    def __init__(self) -> None:
        now = timezone.now()
        super().__init__((model, Table(model, now)) for model in MODELS)

    @transaction.atomic
    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table in self.values():
                table.flush(cursor)


def synth(*, families: int, seed: int, progress: Callable[[int], None] = lambda done: None) -> None:
    """Add `families` synthetic families, a third to each demo agency, with their cases, notes, tasks and
    completed FAAs (qadam/demo/faa.py)."""
    agencies = agencies_ensure()
    staff = staff_ensure(agencies)
    taken = Person.objects.exclude(iin__isnull=True).values_list("iin", flat=True).iterator(chunk_size=20000)
    generator = FamilyGenerator(seed=seed, today=timezone.localdate(), taken_iins=taken)
    teams = {
        p.code: team_ensure(agencies[p.code], staff[p.code], generator, new_families=families // 3) for p in AGENCIES
    }
    faa = FaaSynth(generator.rng)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB of pages: the indexes outgrow the default 2 MB
    tables, done = Tables(), 0
    while done < families:
        for number in range(done, min(families, done + BATCH)):
            profile = AGENCIES[number % len(AGENCIES)]
            team = teams[profile.code]
            owner_id = generator.rng.choices(team.owner_ids, weights=team.weights)[0]
            plan = generator.family(profile)
            ids = family_rows(tables, plan, team=team, owner_id=owner_id)
            faa_rows(tables, faa, generator, plan, ids, owner_id=owner_id)
            done += 1
        tables.flush()
        progress(done)
    _after_load()


@dataclass(frozen=True)
class Team:
    """Who works the synthetic cases of one agency."""

    agency: Agency
    registrar_id: int
    owner_ids: list[int]
    weights: list[int]


def team_ensure(agency: Agency, staff: list[User], generator: FamilyGenerator, *, new_families: int) -> Team:
    """The agency's named workers and enough synthetic ones for about CASELOAD cases each."""
    named = [u for u in staff if u.role == User.Role.SOCIAL_WORKER]
    prefix = f"{agency.code}.sw"
    synthetic = list(User.objects.filter(username__startswith=prefix).order_by("id").values_list("pk", flat=True))
    total = Family.objects.filter(agency=agency).count() + new_families
    missing = max(0, math.ceil(total / CASELOAD) - len(named) - len(synthetic))
    if missing:
        password = make_password(None)  # synthetic workers never sign in
        new = [
            _synthetic_worker(agency, f"{prefix}{len(synthetic) + n + 1:05d}", password, generator)
            for n in range(missing)
        ]
        synthetic += [u.pk for u in User.objects.bulk_create(new)]  # SQLite and PostgreSQL return the ids
    registrar = next(u for u in staff if u.role == User.Role.REGISTRAR)
    weights = [NAMED_WEIGHTS[i] if i < len(NAMED_WEIGHTS) else 1 for i in range(len(named))]
    return Team(agency, registrar.pk, [u.pk for u in named] + synthetic, weights + [1] * len(synthetic))


def _synthetic_worker(agency: Agency, username: str, password: str, generator: FamilyGenerator) -> User:
    rng = generator.rng
    naming, sex = Naming("kk" if rng.random() < 0.8 else "ru"), rng.choice([MALE, FEMALE])
    surname = naming.surname(naming.family_surname(rng), sex, naming.given_name(rng, MALE))
    return User(
        username=username,
        password=password,
        first_name=naming.given_name(rng, sex),
        last_name=surname,
        agency=agency,
        role=User.Role.SOCIAL_WORKER,
    )


@dataclass(frozen=True)
class FamilyIds:
    family: int
    head: int
    case: int


def family_rows(tables: Tables, plan: FamilyPlan, *, team: Team, owner_id: int) -> FamilyIds:
    """The rows of one family plan: its people, household, move and case."""
    texts = [_person_text(member) for member in plan.members]
    members = zip(plan.members, texts, strict=True)
    # As case_open does: a survivor's or a child's case restricts its whole household.
    restricted = plan.case.kind in Case.RESTRICTED_KINDS
    people = [
        _person_row(tables, member, text, agency_id=team.agency.pk, restricted=restricted) for member, text in members
    ]
    family_id = tables[Family].add(
        restricted=restricted,
        agency_id=team.agency.pk,
        head_id=people[0],
        address=encrypt(plan.address, context="families.family.address") if plan.address else "",
        housing=plan.housing,
        created_by_id=team.registrar_id,
        search_text=search_text(*texts),
    )
    for person_id, member in zip(people, plan.members, strict=True):
        tables[Membership].add(family_id=family_id, person_id=person_id, relationship=member.relationship)
    _move_row(tables, plan.move, family_id=family_id)
    case_id = case_rows(
        tables,
        plan.case,
        agency=team.agency,
        family_id=family_id,
        person_id=people[plan.case.person_index],
        owner_id=owner_id,
    )
    return FamilyIds(family=family_id, head=people[0], case=case_id)


def _person_text(member: PersonPlan) -> str:
    return person_search_text(
        Person(surname=member.surname, given_name=member.given_name, patronymic=member.patronymic)
    )


def _sealed(name: str, value: str) -> str:
    """A value as the encrypted field stores it: rows here bypass the field's own conversion."""
    return encrypt(value, context=f"families.person.{name}")


def _person_row(tables: Tables, m: PersonPlan, text: str, *, agency_id: int, restricted: bool) -> int:
    return tables[Person].add(
        restricted=restricted,
        agency_id=agency_id,
        iin=_sealed("iin", m.iin) if m.iin else None,
        iin_index=iin_index(m.iin),
        surname=m.surname,
        given_name=m.given_name,
        patronymic=m.patronymic,
        birth_date=m.birth_date,
        sex=m.sex,
        citizenship=m.citizenship,
        preferred_language=m.preferred_language,
        phone=_sealed("phone", m.phone) if m.phone else "",
        phone_index=phone_index(m.phone),
        search_text=text,
    )


def _move_row(tables: Tables, move: MovePlan, *, family_id: int) -> None:
    tables[Move].add(
        family_id=family_id,
        origin_region_id=region_kato_code(move.origin_region),
        origin_place=move.origin_place,
        origin_area=move.origin_area,
        moved_on=move.moved_on,
        destination_region_id=region_kato_code(move.destination_region),
        programme=move.programme,
        reasons=move.reasons,
        reasons_other=move.reasons_other,
        registration=move.registration,
        housing=move.housing,
    )


def case_rows(
    tables: Tables,
    plan: CasePlan,
    *,
    agency: Agency,
    family_id: int,
    person_id: int,
    owner_id: int,
) -> int:
    """A case with its whole status history, notes and tasks, all by its worker; returns its id."""
    case = tables[Case]
    # The number as case_open makes it: the agency, the year opened and the id.
    case_id = case.add(
        number=f"{agency.code.upper()}-{plan.opened_on:%Y}-{case.next_id:06d}",
        agency_id=agency.pk,
        family_id=family_id,
        person_id=person_id,
        kind=plan.kind,
        restricted=plan.kind in Case.RESTRICTED_KINDS,
        grounds=plan.grounds,
        status=plan.status,
        owner_id=owner_id,
        priority=plan.priority,
        opened_on=plan.opened_on,
        closing_reason=plan.closing_reason,
        closed_on=plan.steps[-1].on if plan.status == Case.Status.CLOSED else None,
        assigned_at=at_work(plan.opened_on, 30),
    )
    before = ""
    for number, step in enumerate([StepPlan(Case.Status.REGISTERED, plan.opened_on), *plan.steps]):
        tables[StatusChange].add(
            case_id=case_id,
            from_status=before,
            to_status=step.to_status,
            at=at_work(step.on, 30 + number * 7),
            by_id=owner_id,
            comment=step.comment,
        )
        before = step.to_status
    for note in plan.notes:
        tables[Note].add(
            case_id=case_id,
            contact=note.contact,
            contact_on=note.contact_on,
            minutes=note.minutes,
            text=encrypt(note.text, context="cases.note.text"),
            author_id=owner_id,
            search_text="" if plan.kind in Case.RESTRICTED_KINDS else search_text(note.text),
        )
    for task in plan.tasks:
        done_at = at_work(task.done_on, 120) if task.done_on else None
        tables[Task].add(
            case_id=case_id,
            title=task.title,
            due_on=task.due_on,
            assignee_id=owner_id,
            created_by_id=owner_id,
            done_at=done_at,
            done_by_id=owner_id if done_at else None,
        )
    return case_id


def faa_rows(
    tables: Tables, faa: FaaSynth, generator: FamilyGenerator, plan: FamilyPlan, ids: FamilyIds, *, owner_id: int
) -> None:
    """The completed FAAs of a family's case, from soon after it opened until it closed (or today)."""
    until = plan.case.steps[-1].on if plan.case.status == Case.Status.CLOSED else generator.today
    language = plan.language if plan.language in ("kk", "ru") else "ru"
    for a in faa.trajectory(generator.rng, moved_on=plan.move.moved_on, opened_on=plan.case.opened_on, until=until):
        assessment_id = tables[Assessment].add(
            case_id=ids.case,
            family_id=ids.family,
            informant_id=ids.head,
            instrument_id=faa.version.pk,
            language=language,
            status=Assessment.Status.COMPLETED,
            started_by_id=owner_id,
            completed_by_id=owner_id,
            assessed_on=a.assessed_on,
            answers=a.answers,
            private_answers=a.private_answers,
            result=a.result,
            interpretation=a.interpretation,
            safety=a.safety,
            months_since_move=a.months_since_move,
            index=a.index,
            phase=a.phase,
            strategy=a.strategy,
        )
        for scale, value, valid in a.scales:
            tables[ScaleScore].add(assessment_id=assessment_id, scale=scale, score=value, valid=valid)


def _after_load() -> None:
    """Move PostgreSQL's id sequences past the ids given here, and refresh the planner's statistics."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
