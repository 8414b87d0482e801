"""Tabular exports of the case and family lists, prepared in the background as export jobs: the rows (count
and ids) the list pages show the same user with the same filters, names masked as there, CSV and XLSX, a
download inside an AES-encrypted ZIP that opens only with its password, 403 for roles without named
records, and the audit trail: the request, one entry per list written naming the list, the filters and the
row count (never the data), and each download; never the password."""

import csv
import io
import uuid
import zipfile
from datetime import date

import pytest
import pyzipper
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_change_status, case_open
from qadam.exports.models import ExportJob
from qadam.families.services import family_register, person_register
from tests.conftest import login

pytestmark = pytest.mark.django_db

PASSWORD = "long enough secret 42"
CASES = reverse("documents:case_list_export")
FAMILIES = reverse("documents:family_list_export")


@pytest.fixture(autouse=True)
def _tasks_at_once(tasks_at_once):
    """Every test here runs its background tasks at once."""


@pytest.fixture
def more_cases(worker, family, case):
    """Three more families of Aigerim's, one case each; one of them moved on to assessment."""
    cases = []
    for index, surname in enumerate(["Әлиев", "Бекова", "Нұров"]):
        born = date(1980, 1, index + 1)
        head = person_register(by=worker, surname=surname, given_name="Ерлан", birth_date=born, sex="male")
        other = family_register(by=worker, head=head)
        cases.append(case_open(by=worker, family=other, person=head, kind=Case.Kind.POVERTY, owner=worker))
    case_change_status(by=worker, case=cases[0], to_status=Case.Status.ASSESSMENT)
    return cases


def listed(user, name, **params) -> list[int]:
    """The ids the list page shows this user with these filters (one page: the data set is small)."""
    page = login(user).get(reverse(name), params).context["page"]
    assert page.next_after is None
    return [obj.pk for obj in page.items]


def ask(user, url, *, fmt="csv", **filters):
    """Post the export form as the list's link would; the job runs at once (ImmediateBackend)."""
    client = login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"format": fmt, "form_token": str(uuid.uuid4()), **filters})
    return client, response


def download(user, url, *, fmt="csv", **filters) -> bytes:
    """Ask for the list, follow to the job's page, download the file; returns its bytes."""
    client, response = ask(user, url, fmt=fmt, **filters)
    job = ExportJob.objects.filter(requested_by=user).latest("id")
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    got = client.get(reverse("exports:download", args=[job.pk]))
    assert got.status_code == 200 and got["Cache-Control"] == "no-store"
    return b"".join(got.streaming_content)


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_case_csv_holds_the_rows_of_the_case_list(worker, more_cases, case):
    rows = csv_rows(download(worker, CASES))
    job = ExportJob.objects.get()
    assert job.kind == "case_list" and job.file_path == f"job-{job.pk}.csv" and job.message == "4 rows"
    assert rows[0][:3] == ["Id", "Case", "Family"]
    assert [int(r[0]) for r in rows[1:]] == listed(worker, "cases:list")
    assert len(rows) - 1 == 4
    assert [case.number, "Садықов Асқар Серікұлы"] in [r[1:3] for r in rows]


def test_the_filters_of_the_list_apply(worker, more_cases, supervisor):
    rows = csv_rows(download(worker, CASES, status="assessment"))
    assert [int(r[0]) for r in rows[1:]] == listed(worker, "cases:list", status="assessment") == [more_cases[0].pk]
    # Bolat supervises Aigerim: he sees her cases, but none is his own.
    assert csv_rows(download(supervisor, CASES, mine="1"))[1:] == []
    assert len(csv_rows(download(supervisor, CASES))) - 1 == len(listed(supervisor, "cases:list")) == 4
    entry = AuditEntry.objects.filter(action="list_exported", actor=worker).get()
    job = ExportJob.objects.get(requested_by=worker)
    assert entry.changes == {
        "list": "cases",
        "filters": {"status": "assessment"},
        "rows": 1,
        "format": "csv",
        "job": job.pk,
    }
    assert entry.target_type == "accounts.agency"
    assert AuditEntry.objects.filter(action="export_requested", actor=worker, target_id=job.pk).count() == 1
    assert AuditEntry.objects.filter(action="exported", actor=worker, target_id=job.pk).count() == 1


def test_the_family_xlsx_holds_the_rows_of_the_family_list(worker, more_cases, family):
    rows = xlsx_rows(download(worker, FAMILIES, fmt="xlsx"))
    assert rows[0][:2] == ["Id", "Head of household"]
    assert [r[0] for r in rows[1:]] == listed(worker, "families:list")
    sadykov = next(r for r in rows if r[0] == family.pk)
    assert sadykov[1:4] == ["Садықов Асқар Серікұлы", "850312300012", 2]
    searched = xlsx_rows(download(worker, FAMILIES, fmt="xlsx", q="Бекова"))
    assert [r[0] for r in searched[1:]] == listed(worker, "families:list", q="Бекова") and len(searched) == 2
    entry = AuditEntry.objects.filter(action="list_exported", changes__filters={"q": "Бекова"}).get()
    assert entry.changes["rows"] == 1 and "Садықов" not in str(entry.changes)


def test_a_survivor_is_masked_in_both_lists_under_emergency_access(survivor_case, worker, supervisor):
    login(supervisor).post(
        reverse("cases:emergency"),
        {"number": survivor_case.number, "reason": "Полиция сообщает о новой угрозе, нужен адрес убежища"},
    )
    cases = csv_rows(download(supervisor, CASES))
    families = csv_rows(download(supervisor, FAMILIES))
    assert survivor_case.pk in [int(r[0]) for r in cases[1:]]
    assert survivor_case.family_id in [int(r[0]) for r in families[1:]]
    text = str(cases) + str(families)
    assert "О*** Г." in text and "Омарова" not in text and "Гүлнар" not in text
    assert survivor_case.person.iin not in text  # the IIN would identify her as well as her name
    # Her case team sees her name, as on the lists.
    assert "Омарова Гүлнар" in str(csv_rows(download(worker, CASES)))


def test_the_download_inside_an_encrypted_zip_opens_with_its_password_only(worker, case):
    client, _response = ask(worker, CASES, fmt="xlsx")
    job = ExportJob.objects.get()
    page = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert 'type="password"' in page
    response = client.post(reverse("exports:download", args=[job.pk]), {"password": PASSWORD})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.zip"')
    content = b"".join(response.streaming_content)
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        assert name == f"qadam-case-list-{job.pk}.xlsx"
        with pytest.raises(RuntimeError):
            archive.read(name, pwd=b"wrong password, twelve+")
        archive.setpassword(PASSWORD.encode())
        rows = xlsx_rows(archive.read(name))
    assert [r[0] for r in rows[1:]] == [case.pk]
    with zipfile.ZipFile(io.BytesIO(content)) as plain, pytest.raises((RuntimeError, NotImplementedError)):
        plain.read(name)  # the standard library cannot read it without the password (and AES)
    assert AuditEntry.objects.filter(action="exported", target_id=job.pk).count() == 1
    assert PASSWORD not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_short_password_is_refused_and_nothing_is_downloaded(worker, case):
    client, _response = ask(worker, CASES)
    job = ExportJob.objects.get()
    response = client.post(reverse("exports:download", args=[job.pk]), {"password": "short"})
    assert response.status_code == 422
    assert "at least 12 characters" in response.content.decode()
    assert 'value="short"' not in response.content.decode()  # not shown back
    assert not AuditEntry.objects.filter(action="exported").exists()


def test_a_second_submit_of_the_form_makes_no_second_job(worker, case):
    client = login(worker)
    token = str(uuid.uuid4())
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(CASES, {"format": "csv", "form_token": token})
        again = client.post(CASES, {"format": "csv", "form_token": token})
    assert again.status_code == 302 and again["Location"] == first["Location"] and ExportJob.objects.count() == 1


def test_an_unknown_format_is_refused_with_the_form(worker, case):
    _client, response = ask(worker, CASES, fmt="pdf")
    assert response.status_code == 422 and not ExportJob.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_the_list_pages_link_to_their_export_with_their_filters(worker, case):
    client = login(worker)
    page = client.get(reverse("cases:list"), {"status": "planning", "mine": "1"}).content.decode()
    assert f'href="{CASES}?status=planning&amp;mine=1"' in page
    assert (
        f'href="{FAMILIES}?q=%D0%A1%D0%B0%D0%B4"' in client.get(reverse("families:list"), {"q": "Сад"}).content.decode()
    )


def test_the_form_keeps_the_filters_of_the_list(worker):
    page = login(worker).get(CASES, {"status": "planning", "mine": "1"}).content.decode()
    assert 'value="planning" selected' in page and 'name="mine"' in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("worker", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("registrar", 200),
        ("coordinator", 200),
        ("other_worker", 200),
        ("researcher", 403),
        ("sysadmin", 403),
    ],
)
def test_who_may_export(request, case, persona, expected):
    user = request.getfixturevalue(persona)
    for url in (CASES, FAMILIES):
        assert login(user).get(url).status_code == expected
        _client, response = ask(user, url)
        assert response.status_code == (302 if expected == 200 else 403)
    assert AuditEntry.objects.filter(action="list_exported", actor=user).count() == (2 if expected == 200 else 0)


def test_each_sees_their_own_rows_only(case, other_case, other_worker, coordinator, admin):
    assert [int(r[0]) for r in csv_rows(download(other_worker, CASES))[1:]] == [other_case.pk]
    assert [int(r[0]) for r in csv_rows(download(coordinator, CASES))[1:]] == [case.pk]  # read-only, Astana's
    assert [int(r[0]) for r in csv_rows(download(admin, CASES))[1:]] == listed(admin, "cases:list") == [case.pk]


def test_the_queries_do_not_grow_with_the_rows(worker, case, family):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            download(worker, url)
        return len(captured)

    few = (queries(CASES), queries(FAMILIES))
    for surname in ("Әлиев", "Бекова", "Нұров", "Оспанов"):
        head = person_register(by=worker, surname=surname, given_name="Ерлан", birth_date=date(1980, 1, 1), sex="male")
        case_open(by=worker, family=family_register(by=worker, head=head), person=head, kind="poverty", owner=worker)
    assert (queries(CASES), queries(FAMILIES)) == few


def test_a_job_of_an_account_closed_meanwhile_writes_nothing(worker, case):
    from qadam.exports.services import export_request
    from qadam.exports.tasks import run_export

    job = export_request(by=worker, kind="case_list", params={"format": "csv"})  # queued, not yet run
    User.objects.filter(pk=worker.pk).update(is_active=False)
    run_export.call(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file_path
    assert not AuditEntry.objects.filter(action="list_exported").exists()
