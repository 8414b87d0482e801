"""The cohort rows (scope, consent, restricted cases, queries) and the cohort page, built through services."""

import json
from datetime import date

import pytest
from django.urls import reverse

from qadam.accounts.models import User
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import assessment_answer, assessment_complete, assessment_start
from qadam.cases.models import Case
from qadam.cases.services import case_open, case_restrict
from qadam.cohorts.analysis import ALL
from qadam.cohorts.rows import Filters, cohort_rows
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.families.models import Family, Membership, Move, Person
from qadam.families.services import family_add_member, family_register, move_record, person_register
from qadam.kato.models import KatoUnit
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db

REVERSE = {"D1_5", "D2_5", "D3_2", "D3_6", "D5_6", "D6_6", "D7_6"}


def answers(level: int) -> dict:
    """Every dimension item with item score `level` (0-4): each dimension then scores 25 * level."""
    return {f"D{d}_{k}": (4 - level if f"D{d}_{k}" in REVERSE else level) for d in range(1, 8) for k in range(1, 7)}


def complete(worker: User, case: Case, level: int, on: date):
    faa = InstrumentVersion.objects.get(key="faa", offered=True)
    assessment = assessment_start(by=worker, case=case, instrument=faa, language="kk")
    assessment_answer(by=worker, assessment=assessment, answers=answers(level))
    return assessment_complete(by=worker, assessment=assessment, assessed_on=on)


def a_family(worker: User, *, surname: str, moved_on: date = date(2025, 5, 20), children: int = 0) -> Case:
    head = person_register(by=worker, surname=surname, given_name="Ә", birth_date=date(1980, 1, 1), sex="male")
    family = family_register(by=worker, head=head)
    for k in range(children):
        child = person_register(by=worker, surname=surname, given_name=f"Б{k}", birth_date=date(2015, 1, 1), sex="male")
        family_add_member(by=worker, family=family, person=child, relationship=Membership.Relationship.CHILD)
    move_record(
        by=worker,
        family=family,
        origin_region=KatoUnit.objects.get(code="610000000"),
        origin_area=Move.Area.RURAL,
        destination_region=KatoUnit.objects.get(code=f"{worker.agency.region_id}"),
        moved_on=moved_on,
        programme=Move.Programme.KANDAS,
        reasons=["jobs", "housing"],
        registration=Move.Registration.TEMPORARY,
        housing=Family.Housing.RENTED,
    )
    return case_open(by=worker, family=family, person=head, kind=Case.Kind.MIGRATION_ADAPTATION, owner=worker)


def research_consent(worker: User, person: Person, decision: str = Consent.Decision.GIVEN) -> None:
    consent_record(by=worker, person=person, purpose="research", decision=decision, how="paper")


@pytest.fixture
def sysadmin(db) -> User:
    return make_user("sysadmin", None, User.Role.SYSTEM_ADMIN)


def test_a_row_has_the_months_phase_scores_and_groups_of_the_family(worker, family, case, sysadmin):
    assessment = complete(worker, case, 2, date(2025, 9, 25))
    (row,) = cohort_rows(sysadmin)
    # moved 20 May 2025, assessed 25 September 2025: four whole months
    assert (row.family, row.assessed_on, row.months) == (family.pk, date(2025, 9, 25), 4)
    assert row.phase == assessment.current_phase != ""
    assert row.scores == {f"D{d}": 50.0 for d in range(1, 8)}  # item score 2 of 4 everywhere
    assert row.groups == {
        "origin_region": ("610000000",),
        "origin_area": ("rural",),
        "programme": ("self_moving",),
        "household": ("couple",),  # Асқар and his wife
        "reason": ("jobs", "schools"),
    }


def test_researchers_count_only_families_whose_head_consented_to_research(worker, family, case, researcher):
    complete(worker, case, 2, date(2025, 9, 25))
    assert list(cohort_rows(researcher)) == []  # no decision: no consent
    wife = family.memberships.get(relationship="spouse").person
    research_consent(worker, wife)
    assert list(cohort_rows(researcher)) == []  # a member's consent is not the household's
    research_consent(worker, family.head)
    assert [r.family for r in cohort_rows(researcher)] == [family.pk]
    research_consent(worker, family.head, Consent.Decision.WITHDRAWN)
    assert list(cohort_rows(researcher)) == []


def test_restricted_cases_are_never_counted(worker, family, case, sysadmin, researcher):
    complete(worker, case, 2, date(2025, 9, 25))
    research_consent(worker, family.head)
    case_restrict(by=worker, case=case, reason="Зорлық-зомбылық туралы айтты")
    assert list(cohort_rows(sysadmin)) == []
    assert list(cohort_rows(researcher)) == []


def test_each_role_counts_its_own_scope(worker, case, other_worker, astana, almaty, supervisor, sysadmin):
    complete(worker, case, 2, date(2025, 9, 25))
    other = a_family(other_worker, surname="Ерланов")
    complete(other_worker, other, 3, date(2025, 10, 1))
    admin_almaty = make_user("almaty_admin", almaty, User.Role.AGENCY_ADMIN)
    coordinator = make_user("gulmira", almaty, User.Role.REGIONAL_COORDINATOR)
    coordinator.coordinated_agencies.add(astana)
    families = {u.username: {r.family for r in cohort_rows(u)} for u in (supervisor, admin_almaty, coordinator)}
    assert families == {
        "bolat": {case.family_id},
        "almaty_admin": {other.family_id},
        "gulmira": {case.family_id, other.family_id},
    }
    assert {r.family for r in cohort_rows(sysadmin)} == {case.family_id, other.family_id}
    assert list(cohort_rows(worker)) == []  # a social worker has no cohort figures
    only_almaty = Filters(destination_region="750000000")
    assert {r.family for r in cohort_rows(sysadmin, only_almaty)} == {other.family_id}
    assert list(cohort_rows(sysadmin, Filters(assessed_from=date(2025, 9, 26)))) != []
    assert {r.family for r in cohort_rows(sysadmin, Filters(assessed_to=date(2025, 9, 30)))} == {case.family_id}


def test_the_rows_take_four_queries_however_many_there_are(worker, sysadmin, django_assert_num_queries):
    cases = []
    for k in range(5):
        cases.append(a_family(worker, surname=f"Отбасы{k}", children=k % 2))
        complete(worker, cases[-1], k, date(2025, 6, 25))
    cases[2].family.moves.all().delete()  # in between, a family whose move was removed
    # assessments, scores, moves and members, each streamed in chunks
    with django_assert_num_queries(4):
        rows = list(cohort_rows(sysadmin, chunk=2))
    found = {r.family: (r.groups["household"][0], r.groups["programme"][0], r.scores["D1"]) for r in rows}
    assert found == {
        c.family_id: ("with_children" if k % 2 else "single", "unknown" if k == 2 else "kandas", 25.0 * k)
        for k, c in enumerate(cases)
    }


# The page --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _tasks_at_once(tasks_at_once):
    """Every test here runs its background tasks at once."""


@pytest.fixture
def figures(django_capture_on_commit_callbacks):
    """The page once its background task has run: the first answer says the figures are being computed."""

    def get(client, params=None):
        url = reverse("cohorts:overview")
        with django_capture_on_commit_callbacks(execute=True):
            first = client.get(url, params or {})
        assert "being computed in the background" in first.content.decode()
        return client.get(url, params or {})

    return get


@pytest.mark.parametrize("role", ["social_worker", "registrar"])
def test_roles_without_cohort_figures_get_403(astana, role):
    response = login(make_user("someone", astana, role)).get(reverse("cohorts:overview"))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(db):
    from django.test import Client

    response = Client().get(reverse("cohorts:overview"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_nav_shows_cohorts_to_researchers_and_not_to_workers(worker, researcher):
    url = reverse("cohorts:overview")
    assert url in login(researcher).get(reverse("cohorts:overview")).content.decode()
    assert url not in login(worker).get(reverse("cases:home")).content.decode()


def test_small_cohorts_are_withheld_on_the_page(worker, family, case, researcher, figures):
    complete(worker, case, 2, date(2025, 9, 25))
    research_consent(worker, family.head)
    response = figures(login(researcher))
    assert response.status_code == 200
    page = response.content.decode()
    assert "fewer than 10" in page
    assert "50.0" not in page  # the one family's score is withheld
    assert "Садықов" not in page and 'style="' not in page


def test_the_page_shows_the_figures_and_their_n(worker, case, researcher, settings, figures):
    settings.QADAM_MIN_CELL = 1
    complete(worker, case, 2, date(2025, 6, 25))  # month 1
    complete(worker, case, 3, date(2025, 9, 25))  # month 4
    research_consent(worker, case.family.head)
    response = figures(login(researcher), {"split": "programme", "dimension": "D3"})
    assert response.status_code == 200
    rows = {(r["group"], r["band"]): (r["n"], r["cells"]) for r in response.context["score_rows"]}
    assert rows["moved on their own", "0-3"] == ("1", ["50.0"] * 4)
    assert rows["moved on their own", "4-6"] == ("1", ["75.0"] * 4)
    assert response.context["cohort"].splits[ALL].families[ALL, "4-6"] == 1
    assert "<svg" in response.content.decode()


def test_a_period_that_ends_before_it_starts_is_refused(researcher):
    response = login(researcher).get(
        reverse("cohorts:overview"), {"assessed_from": "2025-10-01", "assessed_to": "2025-09-01"}
    )
    assert response.status_code == 200
    assert "The start of the period must come before its end." in response.content.decode()
    assert "cohort" not in response.context


def test_a_request_is_audited_and_shared_by_users_of_the_same_scope(
    astana, researcher, django_capture_on_commit_callbacks
):
    from qadam.audit.models import AuditEntry
    from qadam.cohorts.models import CohortRun

    colleague = make_user("aliya", astana, User.Role.RESEARCHER)
    with django_capture_on_commit_callbacks(execute=True):
        login(researcher).get(reverse("cohorts:overview"), {"assessed_from": "2025-01-01"})
    (run,) = CohortRun.objects.all()
    assert run.status == CohortRun.Status.DONE and run.filters == {"from": "2025-01-01"}
    entry = AuditEntry.objects.get(action="cohort_requested")
    assert (entry.actor, entry.target_id) == (researcher, run.pk)
    login(colleague).get(reverse("cohorts:overview"), {"assessed_from": "2025-01-01"})
    assert CohortRun.objects.count() == 1  # the same scope and filters: the recent run is reused
    login(colleague).get(reverse("cohorts:overview"))
    assert CohortRun.objects.count() == 2


def test_the_stored_figures_read_back_the_same(worker, case, sysadmin):
    from qadam.cohorts.analysis import analyse
    from qadam.cohorts.store import dump, load

    complete(worker, case, 2, date(2025, 6, 25))
    complete(worker, case, 4, date(2025, 9, 25))
    cohort = analyse(cohort_rows(sysadmin), min_cell=1)
    assert load(json.loads(json.dumps(dump(cohort)))) == cohort


def test_runs_of_earlier_days_are_deleted_when_the_next_one_is_computed(sysadmin):
    from datetime import timedelta

    from django.utils import timezone

    from qadam.cohorts.models import CohortRun
    from qadam.cohorts.services import cohort_run_compute

    old = CohortRun.objects.create(scope="all", min_cell=10, requested_by=sysadmin, status=CohortRun.Status.DONE)
    recent = CohortRun.objects.create(scope="all", min_cell=10, requested_by=sysadmin, status=CohortRun.Status.DONE)
    CohortRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    new = CohortRun.objects.create(scope="all", min_cell=10, requested_by=sysadmin)
    cohort_run_compute(run_id=new.pk)
    assert set(CohortRun.objects.values_list("pk", flat=True)) == {recent.pk, new.pk}
