"""Dashboard figures on the fixed dataset of tests/test_insights_data.py: the numbers counted by hand from
its records, scoping by role, small cells hidden from researchers, restricted cases only as counts,
filters, and a query count that does not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qadam.accounts.models import User
from qadam.insights.area import area_figures
from qadam.insights.figures import team_figures, worker_figures
from qadam.insights.scope import Cell, Filters, Scope, sections_for, suppress
from tests.conftest import make_agency, make_user
from tests.test_insights_data import Data, T, build, household, open_case

pytestmark = pytest.mark.django_db

EVERYTHING = Filters.default(T)


@pytest.fixture
def data(astana, almaty) -> Data:
    return build(astana, almaty)


def cells(figure, column: int = 0) -> dict[str, int | None]:
    """A figure's non-zero rows as {code: shown value}."""
    return {row.key: row.cells[column].shown for row in figure.rows if row.cells[column].value}


class TestWorker:
    def test_own_caseload_tasks_reassessments_and_referrals(self, data):
        figures = worker_figures(data.aigerim, today=T)
        # c1, c2, c3 and the restricted c4 are open (c5 closed); all still registered.
        assert figures.open_cases == 4
        assert figures.by_status == {"registered": 4}
        assert figures.by_priority == {3: 1, 2: 2, 4: 1}
        # Overdue: the task due T-3. This week: the task due T+2 and the waiting referral's follow-up (T+5).
        assert (figures.overdue, figures.due_this_week) == (1, 2)
        # c3's only FAA is 100 days old; c1's and c2's are from last month.
        assert figures.reassessments_due == 1
        assert figures.referrals_waiting == 1

    def test_the_reassessment_interval_is_a_parameter(self, data):
        assert worker_figures(data.aigerim, today=T, reassess_days=200).reassessments_due == 0

    def test_another_workers_cases_are_not_counted(self, data):
        figures = worker_figures(data.daulet, today=T)
        assert figures.open_cases == 2 and figures.overdue == 0 and figures.referrals_waiting == 0


class TestTeam:
    def test_caseload_balance_overdue_approvals_and_contact(self, data):
        team = team_figures(data.bolat, today=T)
        rows = {m.user.username: (m.open_cases, m.restricted, m.overdue, m.no_contact) for m in team.members}
        # Aigerim: c1-c3 open, c4 restricted; the T-3 task overdue; c1 and c3 without a note for 30 days.
        assert rows == {"aigerim": (3, 1, 1, 2), "daulet": (2, 0, 0, 0)}
        assert team.total == 6
        assert team.spread == {"min": 2, "mean": 3, "max": 4, "ratio": 1.33}
        assert team.approvals_pending == 1  # Aigerim asked to close c3
        assert team.restricted_without_contact == 1  # c4, opened T-45, no note

    def test_the_contact_gap_is_a_parameter(self, data):
        team = team_figures(data.bolat, today=T, no_contact_days=100)
        assert {m.user.username: m.no_contact for m in team.members} == {"aigerim": 1, "daulet": 0}
        assert team.restricted_without_contact == 0

    def test_a_supervisor_without_a_team_sees_an_empty_one(self, data, astana):
        lone = make_user("samat", astana, User.Role.SUPERVISOR)
        team = team_figures(lone, today=T)
        assert team.members == [] and team.total == 0 and team.approvals_pending == 0 and team.spread == {}


class TestAgency:
    def test_golden_numbers_for_the_agency_administrator(self, data):
        area = area_figures(Scope.for_user(data.aisha), EVERYTHING, today=T)
        # Opened in the year: migration c1-c3, poverty c5-c7, domestic violence c4 (restricted, counted).
        assert cells(area.cases, 0) == {"migration_adaptation": 3, "poverty": 3, "domestic_violence": 1}
        assert cells(area.cases, 1) == {"poverty": 1}  # c5
        assert area.cases.n.value == 7
        # Latest FAA per family: c1 and c6 stabilisation, c2 integration, c3 crisis (c1's crisis is older).
        assert cells(area.phases) == {"stabilisation": 2, "integration": 1, "crisis": 1}
        # First stable assessment: c1 at 14 months, c2 at 8, c6 at 20.
        assert (area.stabilisation.value, area.stabilisation.n.value) == (14.0, 3)
        # Referrals: two completed (after 6 and 12 days), one declined, one waiting.
        assert cells(area.referrals) == {"completed": 2, "declined": 1, "sent": 1}
        assert area.referral_rate == 66.7
        assert (area.referral_days.value, area.referral_days.n.value) == (9.0, 2)
        assert cells(area.contracts) == {"draft": 1, "active": 1}
        assert cells(area.orders) == {"active": 1, "expired": 1}

    def test_another_agency_is_never_counted(self, data):
        area = area_figures(Scope.for_user(data.aisha), EVERYTHING, today=T)
        # Yerlan's c8 (integration) and c9 (closed migration case) are Almaty's.
        assert cells(area.cases, 1) == {"poverty": 1}
        assert cells(area.phases)["integration"] == 1

    def test_a_coordinator_sees_the_agencies_coordinated_only(self, data, almaty):
        shymkent = make_agency("shy", "79")
        saule = make_user("saule", shymkent, User.Role.REGIONAL_COORDINATOR)
        saule.coordinated_agencies.add(almaty)
        area = area_figures(Scope.for_user(saule), EVERYTHING, today=T)
        assert cells(area.cases, 0) == {"migration_adaptation": 2}
        assert cells(area.cases, 1) == {"migration_adaptation": 1}
        assert cells(area.phases) == {"integration": 1}
        assert area.referrals.n.value == 0 and area.orders.n.value == 0
        assert not Scope.for_user(saule).suppress

    def test_date_range_filter(self, data):
        recent = Filters(start=T - timedelta(days=15), end=T)
        area = area_figures(Scope.for_user(data.aisha), recent, today=T)
        assert cells(area.cases, 0) == {"poverty": 2}  # c6, c7
        assert cells(area.cases, 1) == {"poverty": 1}
        assert cells(area.referrals) == {"completed": 1, "declined": 1, "sent": 1}  # r2 was sent T-20
        assert cells(area.orders) == {"active": 1}
        assert area.phases.n.value == 0  # the assessments are a month old or more

    def test_region_filter(self, data):
        sysadmin = make_user("root2", None, User.Role.SYSTEM_ADMIN)
        scope = Scope(agency_ids=None, suppress=False)
        almaty_only = Filters(start=EVERYTHING.start, end=T, region="750000000")
        area = area_figures(scope, almaty_only, today=T)
        assert cells(area.cases, 0) == {"migration_adaptation": 2}
        assert area.contracts.n.value == 0
        astana_only = Filters(start=EVERYTHING.start, end=T, region="710000000")
        assert area_figures(scope, astana_only, today=T).cases.n.value == 7
        assert Scope.for_user(sysadmin).suppress


class TestSmallCells:
    def test_the_researcher_sees_every_agency_with_small_counts_hidden(self, data, researcher):
        scope = Scope.for_user(researcher)
        assert scope.agency_ids is None and scope.suppress and scope.threshold == 10
        area = area_figures(scope, EVERYTHING, today=T)
        assert all(row.cells[0].shown is None for row in area.cases.rows if row.cells[0].value)
        assert area.cases.n.hidden and area.stabilisation.value is None and area.referral_rate is None

    def test_the_threshold_is_a_setting_and_a_lone_hidden_cell_takes_another_with_it(self, data, researcher, settings):
        settings.QADAM_MIN_CELL = 2
        area = area_figures(Scope.for_user(researcher), EVERYTHING, today=T)
        # Opened: migration 5 (c1-c3, c8, c9), poverty 3, domestic violence 1 (hidden), so poverty too.
        assert cells(area.cases, 0) == {"migration_adaptation": 5, "poverty": None, "domestic_violence": None}
        assert area.cases.n.shown == 9
        # Phases: stabilisation 2, integration 2, crisis 1 -> crisis hidden, and one of the twos.
        shown = cells(area.phases)
        assert shown["crisis"] is None and sorted(v for v in shown.values() if v is not None) == [2]

    @pytest.mark.parametrize(
        ("counts", "hidden"),
        [
            ([12, 3, 0], [True, True, False]),  # the lone small cell takes the only other non-zero one
            ([12, 3, 11], [False, True, True]),  # ... or the smallest of the others
            ([12, 3, 4], [False, True, True]),  # two small cells: nothing more to hide
            ([12, 30], [False, False]),
        ],
    )
    def test_suppression_rule(self, counts, hidden, settings):
        settings.QADAM_MIN_CELL = 10
        result = suppress(counts, Scope(agency_ids=None, suppress=True))
        assert [c.hidden for c in result] == hidden
        assert suppress(counts, Scope(agency_ids=(), suppress=False)) == [Cell(v) for v in counts]


class TestScopes:
    def test_sections_by_role(self, data, researcher, registrar):
        assert sections_for(data.aigerim) == ["worker"]
        assert sections_for(data.bolat) == ["worker", "team"]
        assert sections_for(data.aisha) == ["area"]
        assert sections_for(researcher) == ["area"]
        assert sections_for(registrar) == []

    def test_a_worker_has_no_agency_scope(self, data):
        assert Scope.for_user(data.aigerim).agency_ids == ()


class TestQueries:
    def test_the_figures_cost_the_same_queries_however_much_data(self, data):
        def count(run) -> int:
            with CaptureQueriesContext(connection) as queries:
                run()
            return len(queries)

        runs = [
            lambda: area_figures(Scope.for_user(data.aisha), EVERYTHING, today=T),
            lambda: worker_figures(data.aigerim, today=T),
            lambda: team_figures(data.bolat, today=T),
        ]
        before = [count(run) for run in runs]
        for i in range(5):
            open_case(data.aigerim, household(data.aigerim, f"Extra{i}"))
            open_case(data.daulet, household(data.daulet, f"More{i}"))
        assert [count(run) for run in runs] == before
        assert before[0] <= 8
