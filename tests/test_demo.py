"""`qadam demo`, the data people see first, and `qadam synth`, the data the benchmarks run on."""

import io
import re
from datetime import timedelta

from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case, Note, StatusChange, Task
from qadam.demo.staff import DEMO_PASSWORD, URL
from qadam.families.models import Family, Move, Person
from qadam.families.services import family_search_text, person_register, person_search_text
from qadam.lib.iin import parse_iin

# The fewest that show every status in every agency (each agency's first six families do), for speed.
FAMILIES = 18


def run(command: str, **options: object) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def assert_iins_match(people: list[Person]) -> None:
    for person in people:
        facts = parse_iin(person.iin)
        assert (facts.birth_date, facts.sex) == (person.birth_date, person.sex), person.iin


def test_demo_loads_agencies_staff_and_families_with_cases_in_every_status(db):
    output = run("demo", families=FAMILIES)

    agencies = Agency.objects.all()
    assert sorted(a.region_id[:2] for a in agencies) == ["71", "75", "79"]
    working_roles = set(User.Role.values) - {User.Role.REGIONAL_COORDINATOR, User.Role.SYSTEM_ADMIN}
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    for agency in agencies:
        assert working_roles <= set(agency.users.values_list("role", flat=True))
        assert set(Case.objects.filter(agency=agency).values_list("status", flat=True)) == set(Case.Status.values)
    assert Family.objects.count() == FAMILIES
    assert not Case.objects.filter(status=Case.Status.CLOSED, closing_reason="").exists()
    sizes = Family.objects.annotate(size=Count("memberships")).values_list("size", flat=True)
    assert min(sizes) >= 2 and max(sizes) <= 6
    today = timezone.localdate()
    assert Task.objects.filter(done_at=None, due_on__lt=today).exists()
    assert Task.objects.exclude(done_at=None).exists()
    assert Note.objects.count() > FAMILIES
    assert "aigerim" in output and DEMO_PASSWORD in output and URL in output


def test_demo_people_have_valid_unique_iins_and_moves_into_their_agency_region(db):
    run("demo", families=FAMILIES)

    people = list(Person.objects.all())
    assert_iins_match(people)
    assert len({p.iin for p in people}) == len(people)
    for move in Move.objects.select_related("family__agency"):
        assert move.destination_region_id == move.family.agency.region_id != move.origin_region_id
        assert timezone.localdate() - timedelta(days=3 * 366) <= move.moved_on <= timezone.localdate()
        assert move.family.head.birth_date < move.moved_on


def test_demo_writes_through_the_services_so_everything_is_audited(db):
    run("demo", families=FAMILIES)

    actions = dict.fromkeys(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "person_registered",
        "family_registered",
        "member_added",
        "move_recorded",
        "case_opened",
        "case_status_changed",
        "case_closed",
        "note_added",
        "task_added",
        "task_done",
    } <= actions.keys()
    assert AuditEntry.objects.filter(action="case_opened").count() == Case.objects.count()
    assert StatusChange.objects.filter(from_status="").count() == Case.objects.count()


def test_demo_twice_changes_nothing_and_the_logins_work(db):
    run("demo", families=FAMILIES)
    before = table_counts()

    output = run("demo", families=FAMILIES)

    assert table_counts() == before
    assert "already loaded" in output and "aigerim" in output
    # Through the login page: django-axes weighs every login against its lockout, and needs the request.
    response = Client().post("/accounts/login/", {"username": "aigerim", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_synth_makes_families_with_members_and_cases_found_by_search(db):
    run("synth", families=200, seed=7)

    assert Family.objects.count() == 200 == Case.objects.count()
    assert min(Family.objects.annotate(size=Count("memberships")).values_list("size", flat=True)) >= 2
    assert not AuditEntry.objects.exists()
    person = Person.objects.order_by("id")[123]
    assert person_search_text(person) == person.search_text
    family = Family.objects.order_by("id")[45]
    assert family_search_text(family) == family.search_text
    assert person in Person.objects.search(person.surname[:4])
    assert_iins_match(list(Person.objects.all()))
    case = Case.objects.select_related("agency").order_by("id")[10]
    assert case.number == f"{case.agency.code.upper()}-{case.opened_on:%Y}-{case.pk:06d}"
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)


def test_synth_stores_completed_faas_as_completing_would(db):
    from qadam.assessments.models import Assessment
    from qadam.assessments.services import assessment_score, months_since_move

    run("synth", families=120, seed=11)

    faas = Assessment.objects.completed().select_related("family", "case").prefetch_related("scale_scores")
    assert 80 <= faas.count() <= 400  # about one per family: none for some, a reassessment every quarter for others
    assert len({a.phase for a in faas}) >= 3
    for assessment in faas.order_by("id")[:40]:
        on = assessment.assessed_on
        result, interpretation = assessment_score(assessment, on)  # the engine again, with the database's history
        assert assessment.result == result.as_dict()
        assert assessment.phase == interpretation.phase and assessment.strategy == interpretation.strategy
        assert assessment.index == (round(interpretation.ai) if interpretation.ai is not None else None)
        assert assessment.months_since_move == months_since_move(assessment.family, on)
        assert assessment.case.opened_on <= on <= (assessment.case.closed_on or timezone.localdate())
        stored = {s.scale: (s.score, s.valid) for s in assessment.scale_scores.all()}
        assert stored == {k: (s.score if s.valid else None, s.valid) for k, s in result.scales.items()}
    private = next(a for a in faas.order_by("id") if a.private_answers)
    assert "G1" in private.all_answers  # encrypted as the field encrypts, read back


def test_synth_adds_to_the_demo_without_clashing(db):
    run("demo", families=6)
    run("synth", families=60, seed=2026)  # the demo's own seed: the same IINs would come up if not checked

    assert Family.objects.count() == 66
    assert Person.objects.values("iin_index").distinct().count() == Person.objects.count()
    # Ids were handed out by synth; the database must carry on after them (PostgreSQL's sequences).
    worker = User.objects.get(username="aigerim")
    newest = Person.objects.order_by("-id").first()
    person = person_register(
        by=worker, surname="Сейітова", given_name="Әлия", birth_date=newest.birth_date, sex=Person.Sex.FEMALE
    )
    assert person.pk > newest.pk
    assert re.fullmatch(r"AST-\d{4}-\d{6}", Case.objects.filter(agency__code="ast").last().number)


def test_demo_history_is_dated_as_it_happened(db):
    run("demo", families=FAMILIES)
    from qadam.cases.models import Note

    notes = list(Note.objects.all())
    assert notes and all(timezone.localtime(n.created_at).date() == n.contact_on for n in notes)
