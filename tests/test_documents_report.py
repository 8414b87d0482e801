"""The agency report: the dashboard's agency and region figures for a period, as a PDF made by a background
export job. Its numbers are the dashboard's (one definition per figure): checked by hand on a small data set,
against the dashboard page for the same user and filters, exact for the agencies a user covers and with small
counts suppressed for the national view; 403 for roles without those figures; the request, the making and
the download audited."""

import uuid
from datetime import date, timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.engine.faa import Phase
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_close, case_open
from qadam.contracts.services import contract_create
from qadam.directory.services import agency_organization
from qadam.exports.models import ExportJob
from qadam.families.services import family_register, person_register
from tests.conftest import login, make_agency, make_user
from tests.records import safety_records
from tests.test_documents_case_pdf import faa_completed, pdf_text
from tests.test_referrals import make_service, prepare, send, share_consent

pytestmark = pytest.mark.django_db

REPORT = reverse("documents:agency_report")


@pytest.fixture(autouse=True)
def _tasks_at_once(tasks_at_once):
    """Every test here runs its background tasks at once."""


@pytest.fixture
def almaty_admin(almaty) -> User:
    return make_user("asel", almaty, User.Role.AGENCY_ADMIN)


@pytest.fixture
def coordinator(astana, almaty) -> User:
    gulmira = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
    gulmira.coordinated_agencies.add(astana, almaty)
    return gulmira


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


def make_report(user, start: date, end: date, region: str = ""):
    """Ask for the report, let the job run, download it: (the ask's response, the PDF or None)."""
    client = login(user)
    params = {"start": start.isoformat(), "end": end.isoformat(), "region": region, "form_token": str(uuid.uuid4())}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(REPORT, params)
    if response.status_code != 302:
        return response, None
    job = ExportJob.objects.filter(requested_by=user).latest("id")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file_path.endswith(".pdf"), job.error
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.pdf"')
    return response, pdf_text(b"".join(download.streaming_content))


TITLES = [
    "Cases opened and closed, by type",
    "Families by adaptation phase (latest assessment)",
    "Referrals sent, by status",
    "Social contracts, by outcome",
    "Protective orders issued",
    "What the figures count",
]


def table_row(strings: list[str], label: str, cells: int = 1, *, title: str = "") -> list[str]:
    """The values of a table row: the cells after the label's last occurrence in the figure's section (its
    charts come first; "in force" is both a contract status and an order's state, so the section matters)."""
    starts = [i for i, s in enumerate(strings) if any(s.startswith(t) for t in TITLES)]
    begin = next((i for i in starts if strings[i].startswith(title)), 0) if title else 0
    end = next((i for i in starts if i > begin and not strings[i].startswith(strings[begin][:20])), len(strings))
    section = strings[begin:end] if title else strings
    index = len(section) - 1 - section[::-1].index(label)
    return section[index + 1 : index + 1 + cells]


def test_the_figures_are_those_counted_by_hand(data, admin, case):
    start, end = period()
    _response, pdf = make_report(admin, start, end)
    assert pdf.pages >= 1 and pdf.has("Agency report") and pdf.has("ast en")
    strings = pdf.strings
    # Opened in the period: Sadykov, Әлиев, Бекова (Нұров before it); closed: Бекова.
    assert table_row(strings, "migration adaptation", 2) == ["3", "1"]
    assert table_row(strings, "poverty and social assistance", 2) == ["1", "0"]
    assert table_row(strings, "domestic violence", 2) == ["1", "0"]
    phase = str(Phase(Case.objects.get(pk=case.pk).assessments.get().current_phase).label)
    assert table_row(strings, phase) == ["1"]  # one family assessed in the period
    assert table_row(strings, "sent, waiting for an answer") == ["1"]
    assert table_row(strings, "prepared, not signed") == ["1"]  # the contract starting today
    orders = "Protective orders issued"
    assert table_row(strings, "in force", title=orders) == ["1"]
    assert table_row(strings, "no longer in force", title=orders) == ["0"]
    assert "fewer than 10" not in pdf.text  # an agency sees its own small numbers
    assert not pdf.has("Садықов") and not pdf.has("Омарова")  # counts only


def test_the_report_shows_what_the_dashboard_shows_for_the_same_filters(data, admin):
    start, end = period()
    _response, pdf = make_report(admin, start, end)
    page = login(admin).get(reverse("insights:dashboard"), {"start": start.isoformat(), "end": end.isoformat()})
    for chart in page.context["charts"]:
        for row in chart["rows"]:
            values = [str(cell.value) for cell in row.cells]
            got = table_row(pdf.strings, row.label, len(values), title=chart["title"])
            assert got == values, (chart["title"], row.label)
    area = page.context["area"]
    assert pdf.has(f"{area.stabilisation.value:.1f}" if area.stabilisation.value is not None else "—")


def test_a_period_that_holds_nothing_counts_nothing(data, admin):
    _response, pdf = make_report(admin, date(2020, 1, 1), date(2020, 12, 31))
    assert table_row(pdf.strings, "migration adaptation", 2) == ["0", "0"]
    assert table_row(pdf.strings, "sent, waiting for an answer") == ["0"]


def test_the_coordinator_sees_the_figures_of_the_agencies_coordinated(data, coordinator):
    start, end = period()
    _response, pdf = make_report(coordinator, start, end)
    assert pdf.has("alm en, ast en") or pdf.has("ast en, alm en")
    # Astana's three migration cases and the Almaty DV case with Astana's survivor case: exact, as on the dashboard.
    assert table_row(pdf.strings, "migration adaptation", 2) == ["3", "1"]
    assert table_row(pdf.strings, "domestic violence", 2) == ["2", "0"]


def test_the_national_view_hides_small_counts(data, sysadmin, settings):
    start, end = period()
    _response, pdf = make_report(sysadmin, start, end)
    assert pdf.has("All agencies")
    assert table_row(pdf.strings, "migration adaptation", 2) == ["fewer than 10", "fewer than 10"]
    settings.QADAM_MIN_CELL = 2
    _response, pdf = make_report(sysadmin, start, end)
    # Opened: migration 3 shown; closed: the single 1 hidden, and with it the next smallest, so none is guessed.
    assert table_row(pdf.strings, "migration adaptation", 2)[0] == "3"
    assert table_row(pdf.strings, "migration adaptation", 2)[1] == "fewer than 2"


def test_making_the_report_is_audited(data, admin):
    start, end = period()
    make_report(admin, start, end)
    job = ExportJob.objects.get()
    entry = AuditEntry.objects.get(action="report_exported", actor=admin)
    assert entry.changes == {
        "report": "agency",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "region": "",
        "job": job.pk,
    }
    assert AuditEntry.objects.filter(action="export_requested", target_id=job.pk).count() == 1
    assert AuditEntry.objects.filter(action="exported", target_id=job.pk).count() == 1


def test_the_report_is_written_in_the_language_of_whoever_asked(data, admin):
    admin.language = "ru"
    admin.save()
    start, end = period()
    _response, pdf = make_report(admin, start, end)
    assert ExportJob.objects.get().language == "ru"
    assert pdf.has("Отчёт организации") and not pdf.has("Agency report")


def test_the_dashboard_links_to_the_report_with_its_filters(admin):
    page = login(admin).get(reverse("insights:dashboard"), {"start": "2026-01-01", "end": "2026-03-31"})
    assert f'href="{REPORT}?start=2026-01-01&amp;end=2026-03-31&amp;region="' in page.content.decode()
    form = login(admin).get(REPORT, {"start": "2026-01-01", "end": "2026-03-31"}).content.decode()
    assert 'value="2026-01-01"' in form and 'value="2026-03-31"' in form


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("worker", 403),
        ("supervisor", 403),
        ("registrar", 403),
        ("admin", 200),
        ("almaty_admin", 200),
        ("coordinator", 200),
        ("researcher", 200),
        ("sysadmin", 200),
    ],
)
def test_who_may_make_the_report(request, case, persona, expected):
    user = request.getfixturevalue(persona)
    assert login(user).get(REPORT).status_code == expected  # the form
    start, end = period()
    response, _pdf = make_report(user, start, end)
    assert response.status_code == (302 if expected == 200 else 403)
    assert AuditEntry.objects.filter(action="report_exported", actor=user).count() == (1 if expected == 200 else 0)


def test_a_period_that_ends_before_it_starts_is_refused(admin):
    response, _pdf = make_report(admin, date(2025, 5, 1), date(2025, 4, 1))
    assert response.status_code == 422
    assert "The period must end after it starts." in response.content.decode()
    assert not ExportJob.objects.exists() and not AuditEntry.objects.filter(action="report_exported").exists()


def test_a_period_longer_than_ten_years_is_refused(admin):
    response, _pdf = make_report(admin, date(2000, 1, 1), date(2025, 1, 1))
    assert response.status_code == 422 and "at most ten years" in response.content.decode()
