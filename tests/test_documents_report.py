"""The agency report: figures for a period, computed here independently (hand-known numbers from the data
built below, checked against a plain Python count over every row), exact for an agency administrator, per
agency and summed with small counts suppressed for a regional coordinator; a real PDF; 403 for other roles;
audited."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.models import Assessment
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_close, case_open
from qadam.contracts.models import Contract
from qadam.contracts.services import contract_create
from qadam.directory.services import agency_organization
from qadam.documents.report import NOT_ASSESSED, report_figures, suppress_row, suppress_total
from qadam.families.models import Family
from qadam.families.services import family_register, person_register
from qadam.referrals.models import Referral
from qadam.safety.models import ProtectiveMeasure
from tests.conftest import login, make_agency, make_user
from tests.records import safety_records
from tests.test_documents_case_pdf import faa_completed, pdf_text
from tests.test_referrals import make_service, prepare, send, share_consent

pytestmark = pytest.mark.django_db

REPORT = reverse("documents:agency_report")


@pytest.fixture
def admin(astana) -> User:
    return make_user("saule", astana, User.Role.AGENCY_ADMIN)


@pytest.fixture
def almaty_admin(almaty) -> User:
    return make_user("asel", almaty, User.Role.AGENCY_ADMIN)


@pytest.fixture
def coordinator(astana, almaty) -> User:
    gulmira = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
    gulmira.coordinated_agencies.add(astana, almaty)
    return gulmira


@pytest.fixture
def sysadmin(astana) -> User:
    return make_user("timur", astana, User.Role.SYSTEM_ADMIN)


def period() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=60), today


def new_case(worker, surname: str, kind=Case.Kind.MIGRATION_ADAPTATION) -> Case:
    head = person_register(by=worker, surname=surname, given_name="Ерлан", birth_date=date(1980, 1, 1), sex="male")
    family = family_register(by=worker, head=head)
    return case_open(by=worker, family=family, person=head, kind=kind, owner=worker)


@pytest.fixture
def data(worker, supervisor, case, survivor_case, other_case, almaty):
    """Astana: migration cases (the Sadykovs, Әлиев, Бекова, and Нұров opened before the period), one
    poverty case with a draft contract, the survivor's restricted case with a police order; Бекова's case
    closed; an FAA for the Sadykovs; a referral sent to an Almaty service. Almaty: one DV case."""
    start, _end = period()
    new_case(worker, "Әлиев")
    bekova = new_case(worker, "Бекова")
    old = new_case(worker, "Нұров")
    Case.objects.filter(pk=old.pk).update(opened_on=start - timedelta(days=1))  # opened before the period
    poverty = new_case(worker, "Қасымова", kind=Case.Kind.POVERTY)
    contract_create(
        by=worker, case=poverty, representative=poverty.person, starts_on=timezone.localdate(), language="kk"
    )
    case_close(by=supervisor, case=bekova, reason=Case.ClosingReason.GOALS_MET)
    faa_completed(case, on=timezone.localdate() - timedelta(days=5))
    safety_records(survivor_case)
    service = make_service(agency_organization(almaty))
    share_consent(worker, case.person, recipient=almaty)
    send(worker, prepare(worker, case, service))
    return {"poverty": poverty, "bekova": bekova, "old": old}


def expected_counts(agency_id: int) -> dict[str, Counter]:
    """The figures counted in Python over every row, one object at a time (no aggregate query)."""
    start, end = period()
    cases = [c for c in Case.objects.all() if c.agency_id == agency_id]
    latest: dict[int, Assessment] = {}
    for a in Assessment.objects.select_related("instrument").order_by("assessed_on", "id"):
        if a.is_completed and a.instrument.key == "faa" and a.assessed_on <= end and a.family.agency_id == agency_id:
            latest[a.family_id] = a
    families = list(Family.objects.all())
    phases = Counter(
        (latest[f.pk].current_phase if f.pk in latest else NOT_ASSESSED) for f in families if f.agency_id == agency_id
    )
    referrals = Counter(
        r.status
        for r in Referral.objects.select_related("case")
        if r.case.agency_id == agency_id and r.sent_at and start <= timezone.localtime(r.sent_at).date() <= end
    )
    contracts = Counter(
        c.status
        for c in Contract.objects.all()
        if c.agency_id == agency_id and c.starts_on <= end and c.ends_on >= start
    )
    orders = Counter(
        m.kind
        for m in ProtectiveMeasure.objects.select_related("case")
        if m.case.agency_id == agency_id and any(m.is_active_on(start + timedelta(days=d)) for d in range(61))
    )
    return {
        "opened": Counter(c.kind for c in cases if start <= c.opened_on <= end),
        "closed": Counter(c.kind for c in cases if c.closed_on and start <= c.closed_on <= end),
        "phase": phases,
        "referrals": referrals,
        "contracts": contracts,
        "orders": orders,
    }


def test_the_figures_match_a_count_by_hand(data, astana, almaty, case):
    start, end = period()
    figures = {f.key: f.counts for f in report_figures([astana.pk, almaty.pk], start, end)}
    phase = Assessment.objects.get(case=case).current_phase
    # By hand, from the data fixture.
    assert figures["opened"][astana.pk] == Counter(migration_adaptation=3, poverty=1, domestic_violence=1)
    assert figures["closed"][astana.pk] == Counter(migration_adaptation=1)
    assert figures["phase"][astana.pk] == Counter({NOT_ASSESSED: 5, phase: 1})
    assert figures["referrals"][astana.pk] == Counter(sent=1)
    assert figures["contracts"][astana.pk] == Counter(draft=1)
    assert figures["orders"][astana.pk] == Counter(police_order=1)
    assert figures["opened"][almaty.pk] == Counter(domestic_violence=1)
    # And by a plain Python count over every row.
    for agency in (astana, almaty):
        expected = expected_counts(agency.pk)
        for key, counts in figures.items():
            assert +counts.get(agency.pk, Counter()) == +expected[key], (agency.code, key)


def test_a_period_that_holds_nothing_counts_nothing(data, astana):
    figures = report_figures([astana.pk], date(2020, 1, 1), date(2020, 12, 31))
    assert {f.key: sum(sum(c.values()) for c in f.counts.values()) for f in figures} == {
        "opened": 0,
        "closed": 0,
        "phase": 6,  # every family, none assessed by then
        "referrals": 0,
        "contracts": 0,
        "orders": 0,
    }


def after(strings: list[str], label: str) -> list[str]:
    """The cells that follow a row's label in the PDF's text (a table row reads label, value, ...)."""
    index = strings.index(label)
    return strings[index + 1 : index + 4]


def test_the_agency_administrator_gets_exact_figures_as_a_pdf(data, admin):
    start, end = period()
    response = login(admin).get(REPORT, {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pdf_text(response.content)
    assert pdf.pages >= 1 and pdf.has("Agency report") and pdf.has("ast en")
    # The first "migration adaptation" after the chart is the opened table's row: 3; the chart shows it too.
    rows = [i for i, s in enumerate(pdf.strings) if s == "migration adaptation"]
    values = [pdf.strings[i + 1] for i in rows]
    assert values[:4] == ["3", "3", "1", "1"]  # opened: chart bar, table; closed: chart bar, table
    assert "fewer than 10" not in pdf.text  # an agency sees its own small numbers
    assert not pdf.has("Садықов") and not pdf.has("Омарова")  # counts only
    entry = AuditEntry.objects.get(action="report_exported", actor=admin)
    assert entry.changes == {
        "report": "agency",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "agencies": [admin.agency_id],
    }


def test_the_coordinator_sees_each_agency_and_their_sum_with_small_counts_suppressed(data, coordinator, astana, almaty):
    start, end = period()
    pdf = pdf_text(login(coordinator).get(REPORT, {"start": start.isoformat(), "end": end.isoformat()}).content)
    assert pdf.has("ast en") and pdf.has("alm en") and pdf.has("All agencies")
    # Every count here is below 10: none is shown, only zeros.
    opened = pdf.strings[pdf.strings.index("All agencies") :]  # the first table: cases opened
    assert after(opened, "migration adaptation") == ["fewer than 10", "0", "fewer than 10"]
    assert after(opened, "domestic violence") == ["fewer than 10", "fewer than 10", "fewer than 10"]
    assert after(opened, "poverty and social assistance") == ["fewer than 10", "0", "fewer than 10"]
    entry = AuditEntry.objects.get(action="report_exported", actor=coordinator)
    assert sorted(entry.changes["agencies"]) == sorted([astana.pk, almaty.pk])


def test_with_a_smaller_minimum_what_is_large_enough_is_shown(data, coordinator, settings):
    settings.QADAM_MIN_CELL = 2
    start, end = period()
    pdf = pdf_text(login(coordinator).get(REPORT, {"start": start.isoformat(), "end": end.isoformat()}).content)
    strings = pdf.strings
    # Opened, table rows (after the chart's bars): migration 3 in Astana, 0 in Almaty, 3 in all; domestic
    # violence 1 and 1, both hidden, their sum 2 shown; poverty 1 and 0: one hidden, so the sum is hidden too.
    table_start = strings.index("All agencies")
    opened = strings[table_start:]
    assert after(opened, "migration adaptation") == ["3", "0", "3"]
    assert after(opened, "domestic violence") == ["fewer than 2", "fewer than 2", "2"]
    assert after(opened, "poverty and social assistance") == ["fewer than 2", "0", "fewer than 2"]


def test_suppression_hides_a_lone_small_cell_and_what_would_give_it_away():
    assert suppress_row([12, 3, 40], 10) == [None, None, 40]  # 12 hidden too, or 55 - 12 - 40 = 3
    assert suppress_row([12, 3, 4], 10) == [12, None, None]
    assert suppress_row([0, 0, 25], 10) == [0, 0, 25]
    assert suppress_total(3, [None, 0], 10) is None
    assert suppress_total(15, [None, 0], 10) is None  # the sum alone would reveal the one hidden cell
    assert suppress_total(15, [None, None], 10) == 15


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("worker", 403),
        ("supervisor", 403),
        ("registrar", 403),
        ("admin", 200),
        ("almaty_admin", 200),
        ("coordinator", 200),
        ("researcher", 403),
        ("sysadmin", 403),
    ],
)
def test_who_may_make_the_report(request, case, persona, expected):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert client.get(REPORT).status_code == expected  # the form
    start, end = period()
    assert client.get(REPORT, {"start": start.isoformat(), "end": end.isoformat()}).status_code == expected
    assert AuditEntry.objects.filter(action="report_exported", actor=user).count() == (1 if expected == 200 else 0)


def test_a_period_that_ends_before_it_starts_is_refused(admin):
    response = login(admin).get(REPORT, {"start": "2025-05-01", "end": "2025-04-01"})
    assert response.status_code == 422
    assert "The end of the period comes before its start." in response.content.decode()
    assert not AuditEntry.objects.filter(action="report_exported").exists()
