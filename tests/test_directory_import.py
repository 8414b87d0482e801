"""HSDS package import and export: good packages, another directory's plain package, refused packages and
rows, idempotent re-import, and export → import → export identical."""

import csv
import io
import json
import shutil
import zipfile
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.directory.exporter import export_files, export_package
from qadam.directory.importer import import_package
from qadam.directory.models import (
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceNeed,
)
from qadam.directory.package import tables
from qadam.directory.reading import PackageRefused
from qadam.directory.services import (
    agency_organization,
    cost_option_add,
    location_create,
    phone_add,
    schedule_add,
    service_area_add,
    service_create,
    service_languages_set,
    service_location_link,
)
from qadam.kato.models import KatoUnit
from tests.conftest import make_user

ORG = "11111111-1111-4111-8111-111111111111"
SERVICE = "22222222-2222-4222-8222-222222222222"
LOCATION = "33333333-3333-4333-8333-333333333333"
PHONE = "44444444-4444-4444-8444-444444444444"


@pytest.fixture
def agency_admin(astana) -> User:
    return make_user("asel", astana, User.Role.AGENCY_ADMIN)


@pytest.fixture
def directory(agency_admin) -> Service:
    """The Astana centre's organisation with one fully described service, built through the services."""
    organization = agency_organization(agency_admin.agency)
    service = service_create(
        by=agency_admin,
        organization=organization,
        name="Психологиялық көмек",
        name_ru="Психологическая помощь",
        name_en="Psychological support",
        description="Жеке және отбасылық кеңес",
        description_ru="Индивидуальные и семейные консультации",
        eligibility_description="Families in a difficult life situation",
        minimum_age=Decimal(16),
        faa=["D3", "D5"],
        case_kinds=["domestic_violence"],
    )
    service_languages_set(by=agency_admin, service=service, codes=["kk", "ru"])
    service_area_add(by=agency_admin, service=service, kato=KatoUnit.objects.get(code="710000000"))
    schedule_add(by=agency_admin, service=service, byday=["MO", "WE"], opens_at=time(9), closes_at=time(18))
    cost_option_add(by=agency_admin, service=service, option="Free", amount=Decimal(0))
    phone_add(by=agency_admin, service=service, number="+7 7172 55 00 00")
    location = location_create(
        by=agency_admin,
        organization=organization,
        name="Орталық",
        name_ru="Центр",
        latitude=Decimal("51.128207"),
        longitude=Decimal("71.430411"),
        address={
            "address_1": "Абай даңғылы, 10",
            "city": "Астана",
            "state_province": "Астана",
            "postal_code": "010000",
        },
    )
    service_location_link(by=agency_admin, service=service, location=location)
    return service


def write_package(folder: Path, files: dict[str, list[list[str]]], descriptor: dict | None = None) -> Path:
    """A hand-made package: CSV files from rows (the first row is the header) and a datapackage.json that
    lists them (by default with the standard's paths and no schemas)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    if descriptor is None:
        by_path = {t.path: t.name for t in tables().values()}
        descriptor = {
            "name": "test",
            "resources": [{"name": by_path.get(name, name[:-4]), "path": name} for name in files],
        }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def plain_package(folder: Path, **changes: list[list[str]]) -> Path:
    """Another directory's package in the plain HSDS shape: the three core tables and phones, an extra
    column the standard does not know, no attributes or taxonomy."""
    files = {
        "organizations.csv": [
            ["id", "name", "description", "website", "x_internal_code"],
            [ORG, "Shelter Foundation", "A shelter for women and children", "https://shelter.example.org", "A17"],
        ],
        "services.csv": [
            ["id", "organization_id", "name", "status", "description", "minimum_age"],
            [SERVICE, ORG, "Crisis shelter", "active", "Safe stay up to 6 months", "18"],
        ],
        "locations.csv": [
            ["id", "location_type", "organization_id", "name", "latitude", "longitude"],
            [LOCATION, "physical", ORG, "Main house", "43.238949", "76.889709"],
        ],
        "phones.csv": [["id", "service_id", "number"], [PHONE, SERVICE, "+7 727 000 00 00"]],
    }
    files.update(changes)
    return write_package(folder, files)


def test_a_plain_hsds_package_from_another_directory_imports(db, tmp_path):
    report = import_package(plain_package(tmp_path / "pkg"))
    assert report.refused == []
    assert [str(p) for p in report.ignored] == [
        "organizations.csv row 1: Column “x_internal_code” is not in HSDS; it was ignored."
    ]
    service = Service.objects.get(pk=SERVICE)
    assert service.organization.name == "Shelter Foundation"
    assert service.minimum_age == 18
    assert str(service) == "Crisis shelter"  # no translation: the published name
    assert Location.objects.get(pk=LOCATION).latitude == Decimal("43.238949")
    assert Phone.objects.get(pk=PHONE).service == service
    assert report.created["service"] == 1


def test_reimporting_the_same_package_updates_by_id(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    import_package(folder)
    plain_package(
        folder,
        **{"services.csv": [["id", "organization_id", "name", "status"], [SERVICE, ORG, "Crisis shelter", "inactive"]]},
    )
    report = import_package(folder)
    assert report.created["service"] == 0 and report.updated["service"] == 1
    assert Service.objects.count() == 1
    assert Service.objects.get(pk=SERVICE).status == "inactive"


def test_a_zip_with_the_package_in_a_folder_imports(db, tmp_path):
    plain_package(tmp_path / "directory")
    archive = shutil.make_archive(str(tmp_path / "directory"), "zip", tmp_path, "directory")
    import_package(Path(archive))
    assert Service.objects.filter(pk=SERVICE).exists()


def test_export_import_export_is_identical(directory, tmp_path):
    first = export_files()
    export_package(tmp_path / "out")
    report = import_package(tmp_path / "out")
    assert report.refused == [] and report.ignored == []
    assert export_files() == first
    # Into an empty directory too: everything Qadam knows travels in the package.
    for model in (ServiceNeed, Attribute):
        model.objects.all().delete()
    Service.objects.all().delete()
    Organization.objects.all().delete()
    Location.objects.all().delete()
    assert export_files() != first
    import_package(tmp_path / "out")
    assert export_files() == first


def test_translations_needs_and_kato_travel_as_attributes(directory, tmp_path):
    export_package(tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        attributes = list(csv.DictReader(io.TextIOWrapper(archive.open("attributes.csv"), encoding="utf-8")))
        terms = {r["id"]: r["code"] for r in csv.DictReader(io.TextIOWrapper(archive.open("taxonomy_terms.csv")))}
    values = {(terms[a["taxonomy_term_id"]], a["link_entity"], a["value"]) for a in attributes}
    assert ("qadam:name_ru", "service", "Психологическая помощь") in values
    assert ("qadam:need:faa:D3", "service", "") in values
    assert ("qadam:need:case:domestic_violence", "service", "") in values
    assert ("qadam:kato", "service_area", "710000000") in values
    ServiceNeed.objects.all().delete()
    import_package(tmp_path / "out.zip")
    assert sorted(directory.needs.values_list("code", flat=True)) == ["D3", "D5", "domestic_violence"]


def test_the_import_is_audited(db, tmp_path):
    import_package(plain_package(tmp_path / "pkg"))
    entry = AuditEntry.objects.get(action="directory_imported")
    assert entry.changes["created"]["service"] == 1


def test_a_package_without_datapackage_json_is_refused(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    (folder / "datapackage.json").unlink()
    with pytest.raises(PackageRefused, match=r"no datapackage\.json"):
        import_package(folder)
    assert not Organization.objects.exists()


def test_a_broken_datapackage_json_is_refused(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    (folder / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PackageRefused, match="not valid JSON"):
        import_package(folder)


def test_a_missing_file_refuses_the_whole_package(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    (folder / "phones.csv").unlink()
    with pytest.raises(PackageRefused) as refused:
        import_package(folder)
    assert [(p.file, p.message) for p in refused.value.problems] == [
        ("phones.csv", "The file is listed in datapackage.json but missing.")
    ]
    assert not Organization.objects.exists() and not Service.objects.exists()


def test_a_package_without_a_core_table_is_refused(db, tmp_path):
    folder = tmp_path / "pkg"
    write_package(folder, {"organizations.csv": [["id", "name", "description"], [ORG, "A", "B"]]})
    with pytest.raises(PackageRefused, match="core HSDS table “service”"):
        import_package(folder)
    assert not Organization.objects.exists()


def test_a_header_without_a_required_column_refuses_the_package(db, tmp_path):
    folder = plain_package(
        tmp_path / "pkg",
        **{"services.csv": [["id", "organization_id", "title", "status"], [SERVICE, ORG, "x", "active"]]},
    )
    with pytest.raises(PackageRefused) as refused:
        import_package(folder)
    problem = refused.value.problems[0]
    assert (problem.file, problem.message) == ("services.csv", "The header lacks the columns: name.")
    assert not Organization.objects.exists()


def test_a_header_that_differs_from_the_packages_own_schema_refuses_it(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"][3]["schema"] = {"fields": [{"name": "id"}, {"name": "number"}, {"name": "type"}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(PackageRefused, match="lacks the columns: type"):
        import_package(folder)


def test_broken_references_and_bad_values_are_refused_row_by_row(db, tmp_path):
    other_service = "55555555-5555-4555-8555-555555555555"
    missing_org = "99999999-9999-4999-8999-999999999999"
    folder = plain_package(
        tmp_path / "pkg",
        **{
            "services.csv": [
                ["id", "organization_id", "name", "status", "minimum_age", "email"],
                [SERVICE, ORG, "Crisis shelter", "active", "18", ""],
                [other_service, missing_org, "Orphan", "active", "", ""],
                ["not-a-uuid", ORG, "Bad id", "active", "", ""],
                ["66666666-6666-4666-8666-666666666666", ORG, "Bad status", "open", "", ""],
                ["77777777-7777-4777-8777-777777777777", ORG, "Bad age", "active", "eighteen", "not-an-email"],
            ],
            "phones.csv": [
                ["id", "service_id", "number"],
                [PHONE, SERVICE, "+7 727 000 00 00"],
                ["88888888-8888-4888-8888-888888888888", other_service, "+7 727 111 11 11"],
                ["aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", SERVICE, ""],
            ],
        },
    )
    report = import_package(folder)
    refused = [(p.file, p.row, p.field, p.message) for p in report.refused]
    assert refused == [
        ("services.csv", 4, "id", "“not-a-uuid” is not a UUID."),
        ("services.csv", 5, "status", "“open” is not one of: active, inactive, defunct, temporarily closed."),
        ("services.csv", 6, "minimum_age", "“eighteen” is not a number."),
        ("services.csv", 6, "email", "“not-an-email” is not an email address."),
        ("phones.csv", 4, "number", "A value is required."),
        (
            "services.csv",
            3,
            "organization_id",
            f"It refers to organization {missing_org}, which is neither in the package nor in the directory.",
        ),
        ("phones.csv", 3, "service_id", f"It refers to service {other_service}, whose row was refused."),
    ]
    assert list(Service.objects.values_list("pk", flat=True)) == [__import__("uuid").UUID(SERVICE)]
    assert Phone.objects.count() == 1


def test_a_reference_to_a_record_already_in_the_directory_is_good(db, tmp_path):
    import_package(plain_package(tmp_path / "one"))
    folder = plain_package(
        tmp_path / "two",
        **{"phones.csv": [["id", "service_id", "number"], ["88888888-8888-4888-8888-888888888888", SERVICE, "1"]]},
    )
    report = import_package(folder)
    assert report.refused == [] and Phone.objects.count() == 2


def test_a_zip_bomb_is_refused_unread(db, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps({"resources": []}))
        archive.writestr("services.csv", b"0" * (20 * 1024 * 1024))
    with pytest.raises(PackageRefused, match="compressed suspiciously well"):
        import_package(path)


def test_a_resource_path_outside_the_package_is_refused(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../../etc/passwd"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(PackageRefused, match="no path inside the package"):
        import_package(folder)


def test_the_command_reports_refused_rows_and_refused_packages(db, tmp_path, capsys):
    folder = plain_package(
        tmp_path / "pkg",
        **{"phones.csv": [["id", "service_id", "number"], [PHONE, "not-a-uuid", "1"]]},
    )
    call_command("directory", "import", str(folder))
    out = capsys.readouterr().out
    assert "Refused: phones.csv row 2 [service_id]: “not-a-uuid” is not a UUID." in out
    assert "service: 1 added, 0 updated." in out
    (folder / "services.csv").unlink()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory", "import", str(folder))
    call_command("directory", "export", str(tmp_path / "out.zip"))
    assert zipfile.is_zipfile(tmp_path / "out.zip")


def test_languages_schedules_and_areas_are_imported(directory, tmp_path):
    export_package(tmp_path / "out")
    Language.objects.all().delete()
    Schedule.objects.all().delete()
    ServiceArea.objects.all().delete()
    import_package(tmp_path / "out")
    assert sorted(directory.languages.values_list("code", flat=True)) == ["kk", "ru"]
    schedule = Schedule.objects.get()
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == ("MO,WE", time(9), time(18))
    assert ServiceArea.objects.get().kato_id == "710000000"


def test_unknown_tables_are_ignored_and_reported(db, tmp_path):
    folder = plain_package(tmp_path / "pkg", **{"extras.csv": [["id", "x"], ["1", "2"]]})
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"][-1]["name"] = "our_extras"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    report = import_package(folder)
    assert "Resource “our_extras” is not an HSDS table; it was ignored." in [p.message for p in report.ignored]
    assert Service.objects.count() == 1


def test_a_row_with_the_wrong_number_of_cells_is_refused(db, tmp_path):
    folder = plain_package(
        tmp_path / "pkg", **{"phones.csv": [["id", "service_id", "number"], [PHONE, SERVICE, "1", "extra"]]}
    )
    report = import_package(folder)
    assert [(p.file, p.row, p.message) for p in report.refused] == [
        ("phones.csv", 2, "The row has 4 cells, the header 3.")
    ]


def test_a_file_over_the_size_cap_refuses_the_package(db, tmp_path, monkeypatch):
    from qadam.directory import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    with pytest.raises(PackageRefused, match="larger than the limit"):
        import_package(plain_package(tmp_path / "pkg"))
    assert not Organization.objects.exists()


def test_a_file_that_is_not_utf8_refuses_the_package(db, tmp_path):
    folder = plain_package(tmp_path / "pkg")
    (folder / "phones.csv").write_bytes("id,service_id,number\r\n1,2,\xff\r\n".encode("latin-1"))
    with pytest.raises(PackageRefused, match="not UTF-8"):
        import_package(folder)
