"""The dashboard page and the home card: who gets which sections, in every language, with charts and their
tables, restricted cases only as counts, the filters, and a query count that does not grow."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from tests.conftest import login, make_user
from tests.test_insights_data import Data, T, build, household, open_case

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insights:dashboard")
CARD = reverse("insights:card")


@pytest.fixture
def data(astana, almaty) -> Data:
    return build(astana, almaty)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_section_renders_in_every_language(data, researcher, language):
    for user in (data.aigerim, data.bolat, data.aisha, researcher):
        response = login(user, language).get(DASHBOARD)
        assert response.status_code == 200, user
        html = response.content.decode()
        assert "<svg" in html and "<table" in html
        assert 'style="' not in html and "<script>" not in html


def test_who_gets_what(data, researcher, registrar, client):
    assert login(registrar).get(DASHBOARD).status_code == 403
    assert login(registrar).get(CARD).status_code == 403
    assert login(researcher).get(CARD).status_code == 403
    assert login(data.aisha).get(CARD).status_code == 403
    assert login(data.aigerim).get(CARD).status_code == 200
    assert client.get(DASHBOARD).status_code == 302  # to the login page
    assert login(data.aigerim).post(DASHBOARD).status_code == 405
    coordinator = make_user("saule", data.almaty, User.Role.REGIONAL_COORDINATOR)
    assert login(coordinator).get(DASHBOARD).status_code == 200
    sysadmin = make_user("root2", None, User.Role.SYSTEM_ADMIN)
    html = login(sysadmin).get(DASHBOARD).content.decode()
    assert "All agencies" in html and "fewer than 10" in html


def test_the_worker_sees_her_figures_and_the_supervisor_the_team(data):
    html = login(data.aigerim).get(DASHBOARD).content.decode()
    assert "My work" in html and "My team" not in html and "My agencies" not in html
    html = login(data.bolat).get(DASHBOARD).content.decode()
    assert "My team" in html and "Aigerim Test" in html and "Daulet Test" in html


def test_restricted_cases_appear_only_as_counts(data):
    survivor = data.survivor_case
    for user in (data.bolat, data.aisha):
        html = login(user).get(DASHBOARD).content.decode()
        assert survivor.number not in html
        assert survivor.family.head.surname not in html
    html = login(data.aisha).get(DASHBOARD).content.decode()
    assert "domestic violence" in html


def test_the_researcher_sees_small_counts_hidden(data, researcher):
    html = login(researcher).get(DASHBOARD).content.decode()
    assert "All agencies" in html and "fewer than 10" in html
    assert data.cases["c1"].number not in html


def test_filters_by_period_and_region(data, researcher, settings):
    settings.QADAM_MIN_CELL = 1
    client = login(researcher)
    html = client.get(DASHBOARD, {"region": "750000000"}).content.decode()
    assert "n = 2" in html  # Yerlan's two cases opened
    start = (T - timedelta(days=15)).isoformat()
    html = client.get(DASHBOARD, {"start": start, "end": T.isoformat()}).content.decode()
    assert "n = 2" in html  # c6 and c7
    bad = client.get(DASHBOARD, {"start": T.isoformat(), "end": (T - timedelta(days=1)).isoformat()})
    assert bad.status_code == 200 and "The period must end after it starts." in bad.content.decode()
    assert client.get(DASHBOARD, {"region": "nowhere"}).status_code == 200


def test_the_home_page_loads_the_card_without_computing_it(data):
    client = login(data.aigerim)
    with mock.patch("qadam.insights.views.worker_figures", side_effect=AssertionError):
        html = client.get(reverse("cases:home")).content.decode()
    assert f'hx-get="{CARD}"' in html
    card = client.get(CARD, HTTP_HX_REQUEST="true").content.decode()
    assert "Reassessments due" in card and "<html" not in card


def test_the_dashboard_records_no_read(data):
    before = AuditEntry.objects.count()
    login(data.aisha).get(DASHBOARD)
    login(data.bolat).get(DASHBOARD)
    assert AuditEntry.objects.exclude(action__in=["logged_in"]).count() == before


@pytest.mark.parametrize("who", ["aigerim", "bolat", "aisha"])
def test_the_page_costs_the_same_queries_however_much_data(data, who, django_assert_max_num_queries):
    user = User.objects.get(username=who)
    client = login(user)
    client.get(DASHBOARD)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(DASHBOARD)
    for i in range(6):
        open_case(data.aigerim, household(data.aigerim, f"Extra{i}"))
    with django_assert_max_num_queries(len(first)):
        assert client.get(DASHBOARD).status_code == 200
