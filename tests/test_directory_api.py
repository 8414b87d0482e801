"""The public HSDS read API: its JSON validates against the HSDS 3.0 schemas kept in the repository."""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from qadam.directory import package
from qadam.directory.services import agency_organization, service_create
from tests import test_directory_import as base
from tests.test_directory_import import ORG, SERVICE, import_package, plain_package

agency_admin, directory = base.agency_admin, base.directory

SCHEMAS = Path(package.__file__).parent / "hsds" / "schema"
BASE = "https://qadam.test/hsds/schema/"


def validator(name: str) -> Draft202012Validator:
    """A validator for one HSDS schema, whose `$ref`s ("phone.json") resolve to the other schema files."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    registry = Registry().with_resources(resources)
    schema = {"$ref": BASE + name}
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def page_schema() -> dict:
    openapi = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    return openapi["components"]["schemas"]["Page"]


def errors(validator: Draft202012Validator, instance: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_the_api_is_public_and_says_what_it_is(db):
    response = Client().get(reverse("hsds:meta"))
    assert response.status_code == 200
    assert response.json()["version"] == "3.0.0"
    assert response.json()["openapi_url"].endswith("openapi.json")


def test_a_full_service_validates_against_the_hsds_schema(directory):
    response = Client().get(reverse("hsds:service", args=[directory.pk]))
    assert response.status_code == 200
    body = response.json()
    assert errors(validator("service.json"), body) == []
    assert body["organization"]["id"] == str(directory.organization_id)
    assert body["languages"][0]["code"] in {"kk", "ru"}
    assert body["schedules"][0]["byday"] == "MO,WE"
    assert body["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Астана"
    assert body["cost_options"][0]["amount"] == 0
    assert body["minimum_age"] == 16
    values = {(a["taxonomy_term"]["code"], a.get("value")) for a in body["attributes"]}
    assert ("qadam:name_ru", "Психологическая помощь") in values
    assert ("qadam:need:faa:D3", None) in values


def test_an_imported_service_validates_too(db, tmp_path):
    import_package(plain_package(tmp_path / "pkg"))
    body = Client().get(reverse("hsds:service", args=[SERVICE])).json()
    assert errors(validator("service.json"), body) == []
    assert body["organization"]["website"] == "https://shelter.example.org"


def test_services_come_in_the_hsds_page_envelope(directory, agency_admin):
    organization = agency_organization(agency_admin.agency)
    for number in range(4):
        service_create(by=agency_admin, organization=organization, name=f"Кеңес {number}", status="active")
    response = Client().get(reverse("hsds:services"), {"per_page": 2, "page": 2})
    body = response.json()
    assert errors(Draft202012Validator(page_schema()), body) == []
    assert {k: body[k] for k in body if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 2,
        "size": 2,
        "first_page": False,
        "last_page": False,
        "empty": False,
    }
    service_validator = validator("service.json")
    for item in body["contents"]:
        assert errors(service_validator, item) == []
    last = Client().get(reverse("hsds:services"), {"per_page": 2, "page": 3}).json()
    assert (last["size"], last["last_page"]) == (1, True)
    beyond = Client().get(reverse("hsds:services"), {"per_page": 2, "page": 9}).json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


def test_services_can_be_searched_and_filtered(directory, agency_admin):
    search = Client().get(reverse("hsds:services"), {"search": "психологическая"}).json()
    assert [s["id"] for s in search["contents"]] == [str(directory.pk)]
    assert Client().get(reverse("hsds:services"), {"search": "плавание"}).json()["total_items"] == 0
    by_need = (
        Client().get(reverse("hsds:services"), {"taxonomy_term_id": str(package.term_id("qadam:need:faa:D5"))}).json()
    )
    assert by_need["total_items"] == 1
    by_org = Client().get(reverse("hsds:services"), {"organization_id": ORG}).json()
    assert by_org["total_items"] == 0


@pytest.mark.parametrize("params", [{"page": "x"}, {"per_page": "0"}])
def test_bad_paging_is_a_400(db, params):
    assert Client().get(reverse("hsds:services"), params).status_code == 400


def test_an_unknown_service_is_a_404(db):
    response = Client().get(reverse("hsds:service", args=["00000000-0000-4000-8000-000000000000"]))
    assert response.status_code == 404


def test_the_validator_does_follow_the_nested_schemas(directory):
    body = Client().get(reverse("hsds:service", args=[directory.pk])).json()
    del body["phones"][0]["number"]
    body["service_at_locations"][0]["location"]["location_type"] = "cave"
    found = errors(validator("service.json"), body)
    assert any("'number' is a required property" in e for e in found)
    assert any("'cave' is not one of" in e for e in found)
