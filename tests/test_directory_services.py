"""Directory models and services: every agency is an organisation, names in the reader's language,
curation rights, validation, and the audit entries of each change."""

from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.directory.models import AuditHandle, Organization, Service, ServiceNeed
from qadam.directory.services import (
    agency_organization,
    can_curate,
    cost_option_add,
    organization_update,
    schedule_add,
    service_area_add,
    service_create,
    service_needs_set,
    service_update,
)
from qadam.kato.models import KatoUnit
from tests import test_directory_import as base
from tests.conftest import make_user

agency_admin, directory = base.agency_admin, base.directory


def test_every_agency_is_one_directory_organisation(astana):
    organization = agency_organization(astana)
    assert agency_organization(astana) == organization
    assert Organization.objects.filter(agency=astana).count() == 1
    assert astana.directory_organization == organization
    assert (organization.name_kk, organization.name_ru, organization.name_en) == ("ast kk", "ast ru", "ast en")
    assert organization.description  # HSDS requires one
    assert AuditEntry.objects.filter(action="directory_record_created", changes__agency=astana.pk).count() == 1


def test_names_are_shown_in_the_readers_language(directory):
    for language, expected in (
        ("kk", "Психологиялық көмек"),
        ("ru", "Психологическая помощь"),
        ("en", "Psychological support"),
    ):
        with translation.override(language):
            assert str(directory) == expected
    directory.name_en = ""
    with translation.override("en"):
        assert str(directory) == "Психологиялық көмек"  # the published name when there is no translation


def test_who_curates(directory, agency_admin, worker, supervisor, almaty):
    organization = directory.organization
    other_admin = make_user("nurlan", almaty, User.Role.AGENCY_ADMIN)
    sysadmin = make_user("root", None, User.Role.SYSTEM_ADMIN)
    assert can_curate(agency_admin, organization)
    assert can_curate(sysadmin, organization)
    assert not can_curate(other_admin, organization)
    assert not can_curate(worker, organization)
    assert not can_curate(supervisor, organization)
    with pytest.raises(PermissionDenied):
        service_update(by=other_admin, service=directory, name="Hacked")
    with pytest.raises(PermissionDenied):
        service_create(by=worker, organization=organization, name="Mine")
    assert Service.objects.get(pk=directory.pk).name == "Психологиялық көмек"


def test_changes_are_audited_with_old_and_new_values(directory, agency_admin):
    organization_update(by=agency_admin, organization=directory.organization, website="https://ast.example.kz")
    entry = AuditEntry.objects.filter(action="directory_record_changed").latest("seq")
    assert entry.actor == agency_admin
    assert entry.changes["record"] == "directory.organization"
    assert entry.changes["website"] == ["", "https://ast.example.kz"]
    handle = AuditHandle.objects.get(pk=entry.target_id)
    assert (handle.record_id, handle.agency_id) == (directory.organization_id, agency_admin.agency_id)


def test_an_unchanged_save_writes_no_audit_entry(directory, agency_admin):
    before = AuditEntry.objects.count()
    service_update(by=agency_admin, service=directory, name=directory.name)
    assert AuditEntry.objects.count() == before


def test_needs_are_checked_and_replaced(directory, agency_admin):
    with pytest.raises(ValidationError):
        service_needs_set(by=agency_admin, service=directory, faa=["D9"], case_kinds=[])
    with pytest.raises(ValidationError):
        service_needs_set(by=agency_admin, service=directory, faa=[], case_kinds=["burglary"])
    assert ServiceNeed.objects.filter(service=directory).count() == 3
    service_needs_set(by=agency_admin, service=directory, faa=["D1"], case_kinds=["poverty"])
    assert sorted(directory.needs.values_list("kind", "code")) == [("case", "poverty"), ("faa", "D1")]


def test_bad_values_are_refused_with_nothing_saved(directory, agency_admin):
    with pytest.raises(ValidationError):
        service_update(by=agency_admin, service=directory, minimum_age=Decimal(30), maximum_age=Decimal(18))
    with pytest.raises(ValidationError):
        service_update(by=agency_admin, service=directory, status="open")
    with pytest.raises(ValidationError):
        cost_option_add(by=agency_admin, service=directory, option="Visit", amount=Decimal(-1))
    with pytest.raises(ValidationError):
        schedule_add(by=agency_admin, service=directory, byday=[], opens_at=time(9), closes_at=time(10))
    with pytest.raises(ValidationError):
        service_area_add(by=agency_admin, service=directory, kato=KatoUnit.objects.get(code="710000000"))
    with pytest.raises(ValidationError):
        service_create(by=agency_admin, organization=directory.organization, name="")
    directory.refresh_from_db()
    assert (directory.minimum_age, directory.status) == (16, "active")
    assert directory.cost_options.count() == 1 and directory.schedules.count() == 1
    assert Service.objects.count() == 1


def test_status_values_are_those_of_hsds():
    assert Service.Status.values == ["active", "inactive", "defunct", "temporarily closed"]
