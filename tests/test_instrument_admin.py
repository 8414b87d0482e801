"""The instruments page: administrators read the versions; system administrators import packs and XLSForms
through the browser, with the same checks as `qadam instruments import`, and choose the offered version."""

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qadam.accounts.models import User
from qadam.assessments.models import InstrumentVersion
from qadam.audit.models import AuditEntry
from tests.conftest import login, make_user
from tests.test_assessments import PACK
from tests.test_xlsform_import import AGREE, FORM, NEEDS, SETTINGS, xlsform


@pytest.fixture
def sysadmin(astana) -> User:
    return make_user("timur", astana, User.Role.SYSTEM_ADMIN)


def upload(client, name: str, content: bytes):
    return client.post(reverse("assessments:instrument_import"), {"file": SimpleUploadedFile(name, content)})


def pack_bytes(pack: dict) -> bytes:
    return yaml.safe_dump(pack, allow_unicode=True).encode()


def test_a_system_administrator_imports_a_pack_and_it_is_offered_and_audited(sysadmin):
    response = upload(login(sysadmin), "our-pack.yaml", pack_bytes(PACK))
    assert response.status_code == 200
    assert "Instrument imported" in response.content.decode()
    version = InstrumentVersion.objects.get(key="demo-pack")
    assert version.offered and version.file_name == "our-pack.yaml" and version.imported_by == sysadmin
    entry = AuditEntry.objects.get(action="instrument_imported")
    assert entry.actor == sysadmin and entry.target_id == version.pk


def test_a_broken_pack_lists_every_problem_under_its_own_file_name_and_keeps_nothing(sysadmin):
    broken = json.loads(json.dumps(PACK))
    broken["sections"][0]["items"][1]["id"] = "Q1"
    broken["scales"][0]["items"] = ["Q1", "Q9"]
    page = upload(login(sysadmin), "broken.yaml", pack_bytes(broken)).content.decode()
    assert "broken.yaml was not imported: 2 problems" in page and "Q9" in page and "Q1" in page
    assert "tmp" not in page.split("error-summary")[1].split("</div>")[0]
    assert not InstrumentVersion.objects.filter(key="demo-pack").exists()


def test_a_file_of_another_kind_or_too_large_is_refused_by_the_form(sysadmin):
    client = login(sysadmin)
    page = upload(client, "notes.docx", b"PK\x03\x04").content.decode()
    assert "this file is neither" in page
    big = upload(client, "big.json", b" " * (5 * 1024 * 1024 + 1)).content.decode()
    assert "larger than 5 MB" in big
    assert InstrumentVersion.objects.exclude(source="shipped").count() == 0


def test_a_corrupt_spreadsheet_is_refused_with_a_message(sysadmin):
    page = upload(login(sysadmin), "form.xlsx", b"not a spreadsheet at all").content.decode()
    assert "form.xlsx was not imported" in page and "not an Excel workbook" in page
    assert InstrumentVersion.objects.exclude(source="shipped").count() == 0


def test_an_xlsform_is_imported_with_what_it_could_not_carry(sysadmin, tmp_path):
    path = xlsform(tmp_path, FORM, AGREE + NEEDS, SETTINGS, name="home.xlsx")
    page = upload(login(sysadmin), "home.xlsx", path.read_bytes()).content.decode()
    assert "Instrument imported" in page and "does not carry" in page
    assert InstrumentVersion.objects.get(key="home_check").source == InstrumentVersion.Source.XLSFORM


def test_the_same_version_with_other_content_is_refused(sysadmin):
    client = login(sysadmin)
    upload(client, "pack.yaml", pack_bytes(PACK))
    changed = {**PACK, "title": {"en": "Another title"}}
    page = upload(client, "pack.yaml", pack_bytes(changed)).content.decode()
    assert "new version number" in page
    assert InstrumentVersion.objects.get(key="demo-pack").title == {"en": "Placeholder pack"}


def test_offering_a_version_stops_offering_the_others_and_old_assessments_keep_theirs(sysadmin):
    client = login(sysadmin)
    upload(client, "pack.yaml", pack_bytes(PACK))
    upload(client, "pack2.yaml", pack_bytes({**PACK, "version": "1.1.0"}))
    first, second = InstrumentVersion.objects.filter(key="demo-pack").order_by("version")
    first.refresh_from_db()
    assert not first.offered and second.offered
    client.post(reverse("assessments:instrument_offer", args=[first.pk]), {"offered": "1"})
    first.refresh_from_db(), second.refresh_from_db()
    assert first.offered and not second.offered
    client.post(reverse("assessments:instrument_offer", args=[first.pk]), {"offered": "0"})
    first.refresh_from_db()
    assert not first.offered
    actions = list(AuditEntry.objects.filter(target_id=first.pk).values_list("action", flat=True))
    assert "instrument_offered" in actions and "instrument_withdrawn" in actions


def test_the_list_shows_every_version_to_administrators(sysadmin, astana):
    admin = make_user("saule", astana, User.Role.AGENCY_ADMIN)
    page = login(admin).get(reverse("assessments:instruments")).content.decode()
    assert "faa" in page and "brfss-ace" in page and "Check and import" not in page
    assert "Check and import" in login(sysadmin).get(reverse("assessments:instruments")).content.decode()


def test_only_system_administrators_change_instruments(astana, worker, supervisor):
    admin = make_user("saule", astana, User.Role.AGENCY_ADMIN)
    faa = InstrumentVersion.objects.get(key="faa", offered=True)
    for user in (worker, supervisor, admin):
        client = login(user)
        assert upload(client, "pack.yaml", pack_bytes(PACK)).status_code == 403
        assert client.post(reverse("assessments:instrument_offer", args=[faa.pk]), {"offered": "0"}).status_code == 403
    assert login(worker).get(reverse("assessments:instruments")).status_code == 403
    faa.refresh_from_db()
    assert faa.offered and not InstrumentVersion.objects.filter(key="demo-pack").exists()
