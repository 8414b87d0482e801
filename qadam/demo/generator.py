"""Plans of families for demo and synthetic data: who lives together, where they came from, their case.

A plan is plain data, made from a seeded `random.Random`, so that the same seed makes the same families.
`qadam demo` writes plans through the real services; `qadam synth` writes them in bulk.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from qadam.demo import places, texts
from qadam.demo.names import FEMALE, MALE, Naming, feminine
from qadam.demo.staff import AgencyProfile
from qadam.lib.iin import make_iin

STATUS_ORDER = ["registered", "assessment", "planning", "in_progress", "review"]
STATUS_WEIGHTS = {
    "registered": 10,
    "assessment": 16,
    "planning": 14,
    "in_progress": 30,
    "review": 10,
    "closed": 20,
}
CLOSING_REASONS = {
    "goals_met": 6,
    "moved_away": 2,
    "declined": 2,
    "transferred": 2,
    "no_contact": 2,
    "other": 1,
}
GROUNDS = {
    "migration_adaptation": [[], [], [], ["homelessness"]],
    "poverty": [[], ["disability"], ["no_self_care"], ["social_disease"]],
    "domestic_violence": [["ill_treatment"], ["ill_treatment"], ["ill_treatment", "homelessness"]],
    "child_wellbeing": [["neglect"], ["no_parental_care"], ["early_development"], ["disability"]],
    "other": [["released_from_prison"], ["probation"], ["trafficking"]],
}
PROGRAMMES = {"self_moving": 70, "kandas": 12, "quota_resettler": 6, "other": 12}
REASONS = {"jobs": 5, "income": 4, "housing": 3, "schools": 2, "health_care": 1, "family": 2, "other": 1}
REGISTRATIONS = {"permanent": 35, "temporary": 45, "none": 20}
HOUSING = {"rented": 40, "relatives": 25, "own": 8, "dormitory": 10, "social": 5, "temporary": 8, "none": 4}
CRISIS_HOUSING = {"temporary": 40, "relatives": 20, "rented": 30, "none": 10}
TASK_STATES = {"done": 4, "overdue": 2, "coming": 3}
MOBILE_CODES = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]


class IinAllocator:
    """Hands out valid, unique IINs: per birth date and sex a rising serial, skipping IINs already taken."""

    def __init__(self, rng: random.Random, taken: Iterable[str | None] = ()) -> None:
        self._rng = rng
        self._taken = {iin for iin in taken if iin}
        self._next: dict[tuple[date, str], int] = {}

    def issue(self, birth_date: date, sex: str) -> str:
        key = (birth_date, sex)
        # Serials start at a random point, as real ones look; issued IINs never recur, as serials only rise.
        serial = self._next.get(key) or self._rng.randrange(1, 5000)
        while True:
            if serial > 9999:
                raise RuntimeError(f"No IIN serials left for {birth_date} {sex}")
            iin = make_iin(birth_date=birth_date, sex=sex, serial=serial)
            serial = int(iin[7:11]) + 1
            if iin not in self._taken:
                self._next[key] = serial
                return iin


@dataclass
class PersonPlan:
    surname: str
    given_name: str
    patronymic: str
    birth_date: date
    sex: str
    relationship: str
    iin: str = ""
    citizenship: str = "citizen"
    preferred_language: str = "kk"
    phone: str = ""


@dataclass
class MovePlan:
    origin_region: str  # two-digit KATO region code
    origin_place: str
    origin_area: str
    destination_region: str
    moved_on: date
    programme: str
    reasons: list[str]
    reasons_other: str
    registration: str
    housing: str


@dataclass
class StepPlan:
    """A move of the case to `to_status` on `on`; "closed" ends the case."""

    to_status: str
    on: date
    comment: str = ""


@dataclass
class NotePlan:
    contact: str
    contact_on: date
    minutes: int | None
    text: str


@dataclass
class TaskPlan:
    title: str
    due_on: date
    done_on: date | None


@dataclass
class CasePlan:
    kind: str
    grounds: list[str]
    priority: int
    opened_on: date
    person_index: int  # which member of the family plan is the index person
    steps: list[StepPlan] = field(default_factory=list)
    closing_reason: str = ""
    notes: list[NotePlan] = field(default_factory=list)
    tasks: list[TaskPlan] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.steps[-1].to_status if self.steps else "registered"


@dataclass
class FamilyPlan:
    members: list[PersonPlan]  # the head first
    address: str
    housing: str
    move: MovePlan
    case: CasePlan
    language: str  # the family's language, which its notes are written in


def _days_ago(today: date, low: int, high: int, rng: random.Random) -> date:
    return today - timedelta(days=rng.randint(low, high))


def _birth_date(rng: random.Random, today: date, age_low: int, age_high: int) -> date:
    return _days_ago(today, age_low * 365 + 1, age_high * 365 + 364, rng)


def _phone(rng: random.Random) -> str:
    n = rng.randrange(10_000_000)
    return f"+7 {rng.choice(MOBILE_CODES)} {n // 10000:03d} {n // 100 % 100:02d} {n % 100:02d}"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class FamilyGenerator:
    """Makes family plans for one agency after another; the same seed and day make the same plans."""

    def __init__(self, *, seed: int, today: date, taken_iins: Iterable[str | None] = ()) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.iins = IinAllocator(self.rng, taken_iins)

    def family(self, agency: AgencyProfile, *, status: str = "") -> FamilyPlan:
        """A family served by `agency`, its case in `status` (by default a status drawn by its weight)."""
        rng = self.rng
        naming = Naming("ru") if rng.random() < agency.share_russian else Naming("kk", rng.random() < 0.15)
        language = "kk" if naming.culture == "kk" and rng.random() < 0.75 else "ru"
        crisis = agency.kind == "crisis_centre"
        members = self._household(naming, crisis=crisis)[:6]
        case = self._case(agency, members, language, status or _weighted(rng, STATUS_WEIGHTS))
        move = self._move(agency, case.opened_on, language, crisis=crisis, kazakh=naming.culture == "kk")
        for person in members:
            kandas = move.programme == "kandas" and person.birth_date < move.moved_on
            self._complete(person, language, kandas=kandas)
        housing = move.housing if rng.random() < 0.75 else _weighted(rng, HOUSING)
        address = places.address(rng, region=agency.region, language=language)
        return FamilyPlan(members, address, housing, move, case, language)

    def _complete(self, person: PersonPlan, language: str, *, kandas: bool) -> None:
        """IIN, language, citizenship and phone: what a person has besides a name and a birth date."""
        person.iin = self.iins.issue(person.birth_date, person.sex)
        person.preferred_language = language
        person.citizenship = "kandas" if kandas else "citizen"
        adult = (self.today - person.birth_date).days >= 18 * 365
        if adult and self.rng.random() < (0.95 if person.relationship == "head" else 0.7):
            person.phone = _phone(self.rng)

    # Households ---------------------------------------------------------------------------------------

    def _person(
        self,
        naming: Naming,
        surname: str,
        sex: str,
        born: date,
        *,
        father: str,
        relationship: str,
        name: str = "",
    ) -> PersonPlan:
        """Someone of `naming`'s family: `surname` is the family's in its male form, `father` is a name."""
        return PersonPlan(
            surname=naming.surname(surname, sex, father),
            given_name=name or naming.given_name(self.rng, sex),
            patronymic=naming.patronymic(father, sex),
            birth_date=born,
            sex=sex,
            relationship=relationship,
        )

    def _household(self, naming: Naming, *, crisis: bool) -> list[PersonPlan]:
        shape = _weighted(
            self.rng,
            {"couple": 2, "single_mother": 7, "extended": 1}
            if crisis
            else {"couple": 13, "single_mother": 3, "extended": 4},
        )
        if shape == "extended":
            return self._extended(naming)
        return self._nuclear(naming, couple=shape == "couple")

    def _nuclear(self, naming: Naming, *, couple: bool) -> list[PersonPlan]:
        """Parents (or a mother alone) and their children, sometimes with the head's mother."""
        rng = self.rng
        mother_age = rng.randint(20, 50)
        father_name, surname = naming.given_name(rng, MALE), naming.family_surname(rng)
        mother = self._person(
            naming,
            naming.family_surname(rng),
            FEMALE,
            _birth_date(rng, self.today, mother_age, mother_age),
            father=naming.given_name(rng, MALE),
            relationship="head",
        )
        members = self._couple(naming, surname, father_name, mother, mother_age) if couple else [mother]
        count = rng.choices([0, 1, 2, 3, 4], weights=[1, 3, 4, 2, 1])[0] if couple else rng.randint(1, 4)
        members += self._children(naming, surname, father_name, mother_age, count, relationship="child")
        if rng.random() < 0.2:
            members.append(self._elder(naming, members[0]))
        return members

    def _couple(
        self,
        naming: Naming,
        surname: str,
        name: str,
        wife: PersonPlan,
        wife_age: int,
    ) -> list[PersonPlan]:
        rng = self.rng
        age = max(20, wife_age + rng.randint(-2, 6))
        husband = self._person(
            naming,
            surname,
            MALE,
            _birth_date(rng, self.today, age, age),
            father=naming.given_name(rng, MALE),
            relationship="head",
            name=name,
        )
        # Many wives take the husband's surname; a "-қызы" surname is her own father's and stays.
        if not naming.father_name_surname and rng.random() < 0.6:
            wife.surname = feminine(surname)
        wife.relationship = "spouse"
        if rng.random() < 0.12:  # the wife is registered as the head of the household
            husband.relationship, wife.relationship = "spouse", "head"
            return [wife, husband]
        return [husband, wife]

    def _children(
        self,
        naming: Naming,
        surname: str,
        father: str,
        mother_age: int,
        count: int,
        *,
        relationship: str,
    ) -> list[PersonPlan]:
        """`count` children of a mother now `mother_age`, born when she was 19 to 42, eldest first."""
        rng = self.rng
        ages = sorted((mother_age - rng.randint(19, min(42, mother_age)) for _ in range(count)), reverse=True)
        children = []
        for age in ages:
            sex = rng.choice([MALE, FEMALE])
            born = _birth_date(rng, self.today, age, age)
            person = self._person(naming, surname, sex, born, father=father, relationship=relationship)
            children.append(person)
        return children

    def _elder(self, naming: Naming, head: PersonPlan) -> PersonPlan:
        """The head's mother, living with the family; a son's mother has his surname, a daughter's may not."""
        rng = self.rng
        age = min(88, (self.today - head.birth_date).days // 365 + rng.randint(20, 32))
        own = head.sex == MALE and not naming.father_name_surname
        surname = head.surname if own else naming.family_surname(rng)
        born = _birth_date(rng, self.today, age, age)
        father = naming.given_name(rng, MALE)
        return self._person(naming, surname, FEMALE, born, father=father, relationship="parent")

    def _extended(self, naming: Naming) -> list[PersonPlan]:
        """Three generations: the elder couple (or a widow), a married son, his wife and their children."""
        rng = self.rng
        age = rng.randint(52, 68)
        surname, husband = naming.family_surname(rng), naming.given_name(rng, MALE)
        born = _birth_date(rng, self.today, age, age)
        head = self._person(
            naming, naming.family_surname(rng), FEMALE, born, father=naming.given_name(rng, MALE), relationship="head"
        )
        members = self._couple(naming, surname, husband, head, age) if rng.random() < 0.6 else [head]
        son_age = age - rng.randint(21, 30)
        born = _birth_date(rng, self.today, son_age, son_age)
        son = self._person(naming, surname, MALE, born, father=husband, relationship="child")
        wife_age = max(19, son_age - rng.randint(0, 5))
        born = _birth_date(rng, self.today, wife_age, wife_age)
        wife = self._person(
            naming,
            naming.family_surname(rng),
            FEMALE,
            born,
            father=naming.given_name(rng, MALE),
            relationship="child_in_law",
        )
        grandchildren = self._children(
            naming, surname, son.given_name, wife_age, rng.randint(1, 2), relationship="grandchild"
        )
        return [*members, son, wife, *grandchildren]

    # The case ----------------------------------------------------------------------------------------

    def _case(self, agency: AgencyProfile, members: list[PersonPlan], language: str, status: str) -> CasePlan:
        rng = self.rng
        kind = _weighted(rng, agency.case_kinds)
        path, reason = self._path(status)
        # A step takes days to weeks; an open case waits since its last step, a closed one may be long closed.
        durations = [rng.randint(3, 40) for _ in path]
        tail = rng.randint(0, 300) if reason else rng.randint(0, 20 if status == "registered" else 45)
        opened_on = self.today - timedelta(days=sum(durations) + tail)
        case = CasePlan(
            kind=kind,
            grounds=list(rng.choice(GROUNDS[kind])),
            opened_on=opened_on,
            priority=rng.choices([1, 2, 3, 4], weights=[2, 6, 3, 2 if kind == "domestic_violence" else 1])[0],
            person_index=self._index_person(kind, members),
            closing_reason=reason,
        )
        day = opened_on
        for to_status, days in zip(path, durations, strict=True):
            day += timedelta(days=days)
            comment = texts.STATUS_COMMENTS[to_status][language] if rng.random() < 0.5 else ""
            case.steps.append(StepPlan(to_status, day, comment))
        contact = members[case.person_index]
        if contact.birth_date > self.today - timedelta(days=18 * 365):
            contact = members[0]  # a child's case is discussed with the head of the household
        case.notes = self._notes(case, language, contact.given_name)
        case.tasks = self._tasks(case, language)
        return case

    def _path(self, status: str) -> tuple[list[str], str]:
        """The statuses a case went through to reach `status`, and the closing reason if it is closed."""
        rng = self.rng
        if status != "closed":
            path = STATUS_ORDER[1 : STATUS_ORDER.index(status) + 1]
            if status in ("in_progress", "review") and rng.random() < 0.25:  # a review sent it back to work
                path += ["review", "in_progress"] if status == "in_progress" else ["in_progress", "review"]
            return path, ""
        reason = _weighted(rng, CLOSING_REASONS)
        last = {
            "goals_met": "review",
            "no_contact": rng.choice(STATUS_ORDER[:2]),
            "transferred": rng.choice(STATUS_ORDER[1:3]),
        }.get(reason) or rng.choice(STATUS_ORDER[1:])
        return [*STATUS_ORDER[1 : STATUS_ORDER.index(last) + 1], "closed"], reason

    def _index_person(self, kind: str, members: list[PersonPlan]) -> int:
        """The person the case is about: a child for child wellbeing, the woman for domestic violence."""
        adult_before = self.today - timedelta(days=18 * 365)
        if kind == "child_wellbeing":
            children = [i for i, m in enumerate(members) if m.birth_date > adult_before]
            return children[-1] if children else 0
        if kind == "domestic_violence":
            women = [i for i, m in enumerate(members[:2]) if m.sex == FEMALE]
            return women[0] if women else 0
        return 0

    def _case_end(self, case: CasePlan) -> date:
        return case.steps[-1].on if case.status == "closed" else self.today

    def _notes(self, case: CasePlan, language: str, name: str) -> list[NotePlan]:
        rng = self.rng
        count = rng.randint(0, 1) if case.status == "registered" else rng.randint(1, 4)
        choices = texts.NOTES["any"][language] + texts.NOTES.get(case.kind, {}).get(language, [])
        span = (self._case_end(case) - case.opened_on).days
        notes = []
        for offset in sorted(rng.randint(0, span) for _ in range(count)):
            contact, text = rng.choice(choices)
            low, high = (5, 20) if contact == "call" else (15, 90)
            minutes = rng.randint(low, high) if rng.random() < 0.9 else None
            day = case.opened_on + timedelta(days=offset)
            notes.append(NotePlan(contact, day, minutes, text.format(name=name)))
        return notes

    def _tasks(self, case: CasePlan, language: str) -> list[TaskPlan]:
        """Tasks of a closed case are done; an open case has done, overdue and coming ones."""
        rng = self.rng
        end = self._case_end(case)
        tasks = []
        count = rng.randint(0, 1 if case.status == "registered" else 3)
        for title in rng.sample(texts.TASKS[language], count):
            state = "done" if case.status == "closed" else _weighted(rng, TASK_STATES)
            if state == "coming":
                tasks.append(TaskPlan(title, self.today + timedelta(days=rng.randint(1, 30)), None))
                continue
            due_on = case.opened_on + timedelta(days=rng.randint(0, max(0, (end - case.opened_on).days - 1)))
            done_on = min(end, due_on + timedelta(days=rng.randint(-5, 3))) if state == "done" else None
            tasks.append(TaskPlan(title, due_on, max(case.opened_on, done_on) if done_on else None))
        return tasks

    # The move ----------------------------------------------------------------------------------------

    def _move(
        self,
        agency: AgencyProfile,
        opened_on: date,
        language: str,
        *,
        crisis: bool,
        kazakh: bool,
    ) -> MovePlan:
        rng = self.rng
        region, place, area = places.origin(rng, exclude=agency.region)
        reasons = self._reasons()
        # Kandas are ethnic Kazakhs returning to Kazakhstan; the move recorded is their move within it.
        programme = _weighted(rng, PROGRAMMES if kazakh else {**PROGRAMMES, "kandas": 0})
        return MovePlan(
            origin_region=region,
            origin_place=place,
            origin_area=area,
            destination_region=agency.region,
            moved_on=opened_on - timedelta(days=rng.randint(5, 365)),
            programme=programme,
            reasons=reasons,
            reasons_other=rng.choice(texts.REASONS_OTHER[language]) if "other" in reasons else "",
            registration=_weighted(rng, REGISTRATIONS),
            housing=_weighted(rng, CRISIS_HOUSING if crisis else HOUSING),
        )

    def _reasons(self) -> list[str]:
        """One to three reasons for moving, the common ones more often, in no particular order."""
        pool = dict(REASONS)
        reasons = []
        for _ in range(self.rng.choices([1, 2, 3], weights=[4, 4, 2])[0]):
            reasons.append(_weighted(self.rng, pool))
            del pool[reasons[-1]]
        return reasons
