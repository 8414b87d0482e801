"""A survivor and the person she names as the one who harmed her are kept apart.

Гүлнар (Aigerim's restricted case) names Ерік, whom Marat supports on a case of his own in the same agency.
Aigerim sees the link on Гүлнар's case; nothing Marat can open, search or read in a history points back
to Гүлнар, and no worker may hold cases of both.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import AllegedPerpetrator, Case
from qadam.cases.services import case_assign, case_open, case_team_add, perpetrator_record
from qadam.families.services import family_register, person_register
from qadam.lib.iin import make_iin
from tests.conftest import login, make_user

ERIK_IIN = make_iin(birth_date=date(1988, 7, 1), sex="male", serial=41)


@pytest.fixture
def marat(astana) -> User:
    return make_user("marat", astana, User.Role.SOCIAL_WORKER)


@pytest.fixture
def erik_case(marat) -> Case:
    erik = person_register(
        by=marat, surname="Нұрланов", given_name="Ерік", iin=ERIK_IIN, birth_date=date(1988, 7, 1), sex="male"
    )
    family = family_register(by=marat, head=erik, address="Астана, Есіл ауданы")
    return case_open(by=marat, family=family, person=erik, kind=Case.Kind.POVERTY, owner=marat)


def record(worker, survivor_case, **data):
    form = {"relationship": "former_partner", "iin": ERIK_IIN, "description": "Бұрынғы күйеуі, қалада тұрады"}
    return login(worker).post(reverse("cases:perpetrator_add", args=[survivor_case.pk]), {**form, **data})


def test_the_survivors_team_records_and_sees_the_alleged_perpetrator(worker, survivor_case, erik_case):
    assert record(worker, survivor_case).status_code == 302
    perpetrator = AllegedPerpetrator.objects.get(case=survivor_case)
    assert perpetrator.person == erik_case.person
    page = login(worker).get(survivor_case.get_absolute_url()).content.decode()
    assert "Нұрланов Ерік" in page and "Бұрынғы күйеуі" in page
    entry = AuditEntry.objects.for_record(survivor_case).get(action="perpetrator_recorded")
    assert entry.changes == {"alleged_perpetrator": "changed"}  # not who


def test_nothing_the_perpetrators_worker_sees_points_to_the_survivor(worker, marat, survivor_case, erik_case):
    record(worker, survivor_case)
    client = login(marat)
    erik = erik_case.person
    pages = [
        reverse("families:person_detail", args=[erik.pk]),
        reverse("families:detail", args=[erik_case.family_id]),
        erik_case.get_absolute_url(),
        reverse("audit:history", args=["person", erik.pk]),
        reverse("audit:history", args=["case", erik_case.pk]),
        reverse("cases:home"),
        reverse("cases:list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for trace in ("Омарова", "Гүлнар", survivor_case.number, "Дағдарыс", "perpetrator"):
            assert trace not in page, (url, trace)
    assert client.get(survivor_case.get_absolute_url()).status_code == 404
    for url, query in ((reverse("families:list"), "Омарова"), (reverse("families:people"), "Гүлнар")):
        assert list(client.get(url, {"q": query}).context["page"].items) == []


def test_no_worker_holds_cases_of_both(worker, marat, supervisor, survivor_case, erik_case):
    record(worker, survivor_case)
    with pytest.raises(ValidationError) as refused:
        case_team_add(by=worker, case=survivor_case, user=marat)
    assert "Ерік" not in str(refused.value) and "Омарова" not in str(refused.value)  # the reason stays unsaid
    with pytest.raises(ValidationError):
        case_assign(by=supervisor, case=erik_case, owner=worker)
    with pytest.raises(ValidationError):
        case_team_add(by=marat, case=erik_case, user=worker)
    with pytest.raises(ValidationError):
        case_open(by=worker, family=erik_case.family, person=erik_case.person, kind=Case.Kind.OTHER, owner=worker)
    assert Case.objects.filter(person=erik_case.person).count() == 1  # nothing half-opened


def test_naming_someone_the_team_already_works_with_is_refused(worker, survivor_case, erik_case, marat):
    case_team_add(by=marat, case=erik_case, user=worker)
    response = record(worker, survivor_case)
    assert response.status_code == 302
    assert not AllegedPerpetrator.objects.exists()


def test_only_a_restricted_case_records_one_and_something_must_be_said(worker, case, survivor_case):
    with pytest.raises(ValidationError):
        perpetrator_record(by=worker, case=case, relationship="partner", description="Күйеуі")
    with pytest.raises(ValidationError):
        perpetrator_record(by=worker, case=survivor_case, relationship="partner", description="  ")
    with pytest.raises(ValidationError):
        perpetrator_record(by=worker, case=survivor_case, relationship="partner", person=survivor_case.person)
    perpetrator_record(by=worker, case=survivor_case, relationship="partner", description="Аты белгісіз")
    assert AllegedPerpetrator.objects.count() == 1


def test_an_iin_the_worker_cannot_open_is_not_found(worker, survivor_case, other_worker):
    hidden = make_iin(birth_date=date(1980, 1, 1), sex="male", serial=77)
    person_register(
        by=other_worker, surname="Басқа", given_name="Адам", iin=hidden, birth_date=date(1980, 1, 1), sex="male"
    )
    record(worker, survivor_case, iin=hidden)
    assert not AllegedPerpetrator.objects.exists()
