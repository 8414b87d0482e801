"""Tabular exports of the case and family lists: the rows (count and ids) the list pages show the same
user with the same filters, names masked as there, CSV streamed and XLSX from a write-only workbook,
an AES-encrypted ZIP that opens only with its password, 403 for roles without named records, and one audit
entry per export naming the list, the filters and the row count, never the data or the password."""

import csv
import io
import zipfile
from datetime import date

import pytest
import pyzipper
from django.urls import reverse
from openpyxl import load_workbook

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_change_status, case_open
from qadam.families.services import family_register, person_register
from tests.conftest import login, make_agency, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "long enough secret 42"
CASES = reverse("documents:case_list_export")
FAMILIES = reverse("documents:family_list_export")


@pytest.fixture
def admin(astana) -> User:
    return make_user("saule", astana, User.Role.AGENCY_ADMIN)


@pytest.fixture
def sysadmin(astana) -> User:
    return make_user("timur", astana, User.Role.SYSTEM_ADMIN)


@pytest.fixture
def coordinator(astana) -> User:
    gulmira = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
    gulmira.coordinated_agencies.add(astana)
    return gulmira


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


def download(user, url, *, fmt="csv", password="", **filters):
    return login(user).post(url, {"format": fmt, "password": password, **filters})


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_case_csv_holds_the_rows_of_the_case_list(worker, more_cases, case):
    response = download(worker, CASES)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv") and response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
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
    assert entry.changes == {
        "list": "cases",
        "filters": {"status": "assessment"},
        "rows": 1,
        "format": "csv",
        "encrypted": False,
    }
    assert entry.target_type == "accounts.agency"


def test_the_family_xlsx_holds_the_rows_of_the_family_list(worker, more_cases, family):
    response = download(worker, FAMILIES, fmt="xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert rows[0][:2] == ["Id", "Head of household"]
    assert [r[0] for r in rows[1:]] == listed(worker, "families:list")
    sadykov = next(r for r in rows if r[0] == family.pk)
    assert sadykov[1:4] == ["Садықов Асқар Серікұлы", "850312300012", 2]
    searched = xlsx_rows(b"".join(download(worker, FAMILIES, fmt="xlsx", q="Бекова").streaming_content))
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


def test_the_encrypted_zip_opens_with_its_password_only(worker, case):
    response = download(worker, CASES, fmt="xlsx", password=PASSWORD)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        assert name.endswith(".xlsx")
        with pytest.raises(RuntimeError):
            archive.read(name, pwd=b"wrong password, twelve+")
        archive.setpassword(PASSWORD.encode())
        rows = xlsx_rows(archive.read(name))
    assert [r[0] for r in rows[1:]] == [case.pk]
    with zipfile.ZipFile(io.BytesIO(content)) as plain, pytest.raises((RuntimeError, NotImplementedError)):
        plain.read(name)  # the standard library cannot read it without the password (and AES)
    entry = AuditEntry.objects.get(action="list_exported")
    assert entry.changes["encrypted"] is True and PASSWORD not in str(entry.changes)


def test_a_short_password_is_refused_and_nothing_is_exported(worker, case):
    response = download(worker, CASES, password="short")
    assert response.status_code == 422
    assert "at least 12 characters" in response.content.decode()
    assert "short" not in response.content.decode().split('name="password"')[1][:80]  # not shown back
    assert not AuditEntry.objects.filter(action="list_exported").exists()


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
        assert download(user, url).status_code == expected
    assert AuditEntry.objects.filter(action="list_exported", actor=user).count() == (2 if expected == 200 else 0)


def test_each_sees_their_own_rows_only(case, other_case, other_worker, coordinator, admin):
    assert [int(r[0]) for r in csv_rows(download(other_worker, CASES))[1:]] == [other_case.pk]
    assert [int(r[0]) for r in csv_rows(download(coordinator, CASES))[1:]] == [case.pk]  # read-only, Astana's
    assert [int(r[0]) for r in csv_rows(download(admin, CASES))[1:]] == listed(admin, "cases:list") == [case.pk]


def test_the_queries_do_not_grow_with_the_rows(worker, case, family):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        client = login(worker)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"format": "csv"})
            b"".join(response.streaming_content)
        return len(captured)

    few = (queries(CASES), queries(FAMILIES))
    for surname in ("Әлиев", "Бекова", "Нұров", "Оспанов"):
        head = person_register(by=worker, surname=surname, given_name="Ерлан", birth_date=date(1980, 1, 1), sex="male")
        case_open(by=worker, family=family_register(by=worker, head=head), person=head, kind="poverty", owner=worker)
    assert (queries(CASES), queries(FAMILIES)) == few
