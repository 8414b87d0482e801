"""Directory pages: search by need, area, language and words; service pages; curation by agency
administrators (their own organisation only) and system administrators, each change audited."""

from datetime import time

import pytest
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.directory.models import CostOption, Organization, Schedule, Service
from qadam.directory.services import agency_organization, schedule_add, service_area_add, service_create
from qadam.kato.models import KatoUnit
from tests import test_directory_import as base
from tests.conftest import login, make_user

agency_admin, directory = base.agency_admin, base.directory


@pytest.fixture
def other_admin(almaty) -> User:
    return make_user("nurlan", almaty, User.Role.AGENCY_ADMIN)


@pytest.fixture
def sysadmin(db) -> User:
    return make_user("root", None, User.Role.SYSTEM_ADMIN)


@pytest.fixture
def almaty_service(other_admin) -> Service:
    organization = agency_organization(other_admin.agency)
    service = service_create(
        by=other_admin, organization=organization, name="Шелтер", name_en="Crisis shelter", case_kinds=["poverty"]
    )
    service_area_add(by=other_admin, service=service, kato=KatoUnit.objects.get(code="750000000"))
    return service


def names(response) -> list[str]:
    return sorted(str(s) for s in response.context["page"].object_list)


def test_workers_of_every_agency_see_every_service(directory, almaty_service, other_worker):
    response = login(other_worker).get(reverse("directory:search"))
    assert response.status_code == 200
    assert names(response) == ["Crisis shelter", "Psychological support"]


def test_search_by_need(directory, almaty_service, worker):
    client = login(worker)
    assert names(client.get(reverse("directory:search"), {"need": "faa:D3"})) == ["Psychological support"]
    assert names(client.get(reverse("directory:search"), {"need": "case:poverty"})) == ["Crisis shelter"]
    assert names(client.get(reverse("directory:search"), {"need": "faa:D1"})) == []


def test_search_by_area_finds_services_covering_the_place(directory, almaty_service, worker):
    client = login(worker)
    assert names(client.get(reverse("directory:search"), {"area": "710000000"})) == ["Psychological support"]
    assert names(client.get(reverse("directory:search"), {"area": "750000000"})) == ["Crisis shelter"]
    # A city inside a region: the region's services cover it.
    city = KatoUnit.objects.filter(parent__code="750000000", is_city=True).first()
    if city is not None:
        assert names(client.get(reverse("directory:search"), {"area": city.code})) == ["Crisis shelter"]


def test_search_by_language_and_words(directory, almaty_service, worker):
    client = login(worker)
    assert names(client.get(reverse("directory:search"), {"language": "ru"})) == ["Psychological support"]
    assert names(client.get(reverse("directory:search"), {"language": "en"})) == []
    # Kazakh letters typed on a Russian keyboard, and the organisation's name, find it too.
    assert names(client.get(reverse("directory:search"), {"q": "психологиялык"})) == ["Psychological support"]
    assert names(client.get(reverse("directory:search"), {"q": "alm"})) == ["Crisis shelter"]


def test_closed_services_are_left_out_unless_asked_for(directory, agency_admin, worker):
    from qadam.directory.services import service_update

    service_update(by=agency_admin, service=directory, status="temporarily closed")
    client = login(worker)
    assert names(client.get(reverse("directory:search"))) == []
    assert names(client.get(reverse("directory:search"), {"inactive": "on"})) == ["Psychological support"]


def test_the_service_page_shows_it_in_the_readers_language(directory, worker):
    response = login(worker, "ru").get(reverse("directory:service", args=[directory.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Психологическая помощь" in content
    assert "MO,WE 09:00–18:00" in content
    assert "Абай даңғылы, 10" in content
    assert reverse("directory:service_edit", args=[directory.pk]) not in content


def test_researchers_do_not_use_the_directory(directory, researcher):
    client = login(researcher)
    assert client.get(reverse("directory:search")).status_code == 403
    assert client.get(reverse("directory:service", args=[directory.pk])).status_code == 403


def test_an_unknown_service_is_404(worker):
    url = reverse("directory:service", args=["00000000-0000-4000-8000-000000000000"])
    assert login(worker).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["worker", "supervisor", "registrar", "other_admin"])
def test_only_the_agency_admin_curates_her_organisation(request, directory, persona):
    client = login(request.getfixturevalue(persona))
    service = directory
    organization = service.organization
    assert client.get(reverse("directory:service", args=[service.pk])).status_code == 200
    for url in (
        reverse("directory:service_edit", args=[service.pk]),
        reverse("directory:organization_edit", args=[organization.pk]),
        reverse("directory:service_create", args=[organization.pk]),
        reverse("directory:location_create", args=[organization.pk]),
        reverse("directory:service_add", args=[service.pk, "hours"]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("directory:service_edit", args=[service.pk]), {"name": "Hacked", "status": "active"})
    assert response.status_code == 403
    schedule = Schedule.objects.get(service=service)
    remove = reverse("directory:service_remove", args=[service.pk, "schedule", schedule.pk])
    assert client.post(remove).status_code == 403
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert Service.objects.get(pk=service.pk).name == "Психологиялық көмек"


def test_the_agency_admin_edits_her_service_and_it_is_audited(directory, agency_admin):
    client = login(agency_admin)
    url = reverse("directory:service_edit", args=[directory.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "form_token"}
    data.update({"name_en": "Counselling", "faa": ["D3"], "case_kinds": [], "languages": ["kk", "ru", "en"]})
    data["minimum_age"] = "16"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    directory.refresh_from_db()
    assert directory.name_en == "Counselling"
    assert sorted(directory.needs.values_list("code", flat=True)) == ["D3"]
    assert sorted(directory.languages.values_list("code", flat=True)) == ["en", "kk", "ru"]
    entries = AuditEntry.objects.filter(actor=agency_admin, action="directory_record_changed").order_by("seq")
    changes = [e.changes for e in entries if e.changes.get("id") == str(directory.pk)]
    assert any(c.get("name_en") == ["Psychological support", "Counselling"] for c in changes)
    assert any("needs" in c for c in changes) and any("languages" in c for c in changes)
    assert entries.last().agency_id == agency_admin.agency_id


def test_bad_curation_input_is_refused_and_nothing_saved(directory, agency_admin):
    client = login(agency_admin)
    url = reverse("directory:service_add", args=[directory.pk, "hours"])
    response = client.post(url, {"byday": ["TU"], "opens_at": "18:00", "closes_at": "09:00"})
    assert response.status_code == 200
    assert "Closing time must be after opening time." in response.content.decode()
    assert Schedule.objects.filter(service=directory).count() == 1
    response = client.post(
        reverse("directory:service_add", args=[directory.pk, "fee"]), {"option": "Visit", "amount": "-5"}
    )
    assert response.status_code == 200 and CostOption.objects.filter(service=directory).count() == 1
    edit = client.post(
        reverse("directory:service_edit", args=[directory.pk]),
        {"name": "X", "status": "active", "minimum_age": "30", "maximum_age": "18"},
    )
    assert edit.status_code == 200 and Service.objects.get(pk=directory.pk).name == "Психологиялық көмек"


def test_the_agency_admin_adds_a_service_with_hours_fee_and_area(agency_admin):
    client = login(agency_admin)
    organization = agency_organization(agency_admin.agency)
    response = client.post(
        reverse("directory:service_create", args=[organization.pk]),
        {
            "name": "Заң кеңесі",
            "status": "active",
            "case_kinds": ["poverty"],
            "languages": ["kk"],
            "form_token": "5b1c7e8a-1111-4222-8333-444455556666",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Заң кеңесі")
    again = client.post(
        reverse("directory:service_create", args=[organization.pk]),
        {"name": "Заң кеңесі", "status": "active", "form_token": "5b1c7e8a-1111-4222-8333-444455556666"},
    )
    assert again.status_code == 302 and Service.objects.filter(name="Заң кеңесі").count() == 1
    base = reverse("directory:service_add", args=[service.pk, "hours"])
    assert client.post(base, {"byday": ["MO", "TU"], "opens_at": "09:00", "closes_at": "13:00"}).status_code == 302
    fee = reverse("directory:service_add", args=[service.pk, "fee"])
    assert client.post(fee, {"option": "Consultation", "amount": "1500"}).status_code == 302
    area = reverse("directory:service_add", args=[service.pk, "area"])
    assert client.post(area, {"kato": "710000000"}).status_code == 302
    assert service.schedules.get().opens_at == time(9)
    assert service.cost_options.get().amount == 1500
    assert service.service_areas.get().kato_id == "710000000"
    assert AuditEntry.objects.filter(actor=agency_admin, action="directory_record_created").count() == 4


def test_the_agency_admin_adds_and_edits_a_location(agency_admin):
    client = login(agency_admin)
    organization = agency_organization(agency_admin.agency)
    data = {
        "name": "Филиал",
        "location_type": "physical",
        "address_1": "Достық 5",
        "city": "Астана",
        "state_province": "Астана",
        "postal_code": "010000",
    }
    assert client.post(reverse("directory:location_create", args=[organization.pk]), data).status_code == 302
    location = organization.locations.get()
    assert location.addresses.get().address_1 == "Достық 5"
    data["address_1"] = "Достық 7"
    assert client.post(reverse("directory:location_edit", args=[location.pk]), data).status_code == 302
    assert location.addresses.get().address_1 == "Достық 7"
    incomplete = {"name": "Без адреса", "location_type": "physical", "city": "Астана"}
    response = client.post(reverse("directory:location_create", args=[organization.pk]), incomplete)
    assert response.status_code == 200 and organization.locations.count() == 1


def test_a_system_admin_curates_any_organisation_and_adds_new_ones(directory, sysadmin):
    client = login(sysadmin)
    assert client.get(reverse("directory:service_edit", args=[directory.pk])).status_code == 200
    response = client.post(reverse("directory:organization_create"), {"name": "Қамқор", "description": "Қоғамдық қор"})
    assert response.status_code == 302
    assert Organization.objects.filter(name="Қамқор", agency=None).exists()


def test_only_a_system_admin_adds_organisations(agency_admin):
    assert login(agency_admin).get(reverse("directory:organization_create")).status_code == 403


def test_removing_hours_is_audited(directory, agency_admin):
    schedule = schedule_add(by=agency_admin, service=directory, byday=["FR"], opens_at=time(10), closes_at=time(12))
    url = reverse("directory:service_remove", args=[directory.pk, "schedule", schedule.pk])
    assert login(agency_admin).post(url).status_code == 302
    assert not Schedule.objects.filter(pk=schedule.pk).exists()
    assert AuditEntry.objects.filter(action="directory_record_removed", changes__id=str(schedule.pk)).exists()
