"""Writes to the service directory: each Qadam agency's organisation, and curation.

Agency administrators curate their own agency's organisation, system administrators any (`can_curate`).
Every change is validated (`full_clean`), atomic and audited. The audit log's `target_id` is an integer and
directory ids are UUIDs (HSDS), so entries point at an `AuditHandle` of the record; the record's type and
id are also in the entry's changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qadam.accounts.models import Agency, User
from qadam.audit.services import audit_record, field_changes
from qadam.cases.models import Case
from qadam.directory.models import (
    Address,
    AuditHandle,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceNeed,
)
from qadam.directory.package import FAA_DIMENSIONS
from qadam.directory.searching import organization_search_text, service_search_text
from qadam.kato.models import KatoUnit

TRANSLATIONS = [f"{f}_{lang}" for f in ("name", "description") for lang in ("kk", "ru", "en")]
ORGANIZATION_FIELDS = ["name", "alternate_name", "description", *TRANSLATIONS, "email", "website"]
SERVICE_FIELDS = [
    "name",
    "alternate_name",
    "description",
    *TRANSLATIONS,
    "status",
    "url",
    "email",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "application_process",
    "fees_description",
    "wait_time",
    "interpretation_services",
    "alert",
]
LOCATION_FIELDS = ["name", "description", *TRANSLATIONS, "location_type", "transportation", "latitude", "longitude"]
ADDRESS_FIELDS = ["address_1", "address_2", "city", "region", "state_province", "postal_code"]
# Languages a service may be offered in, with their HSDS `name` (English, as data).
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English", "uz": "Uzbek", "ky": "Kyrgyz", "tg": "Tajik"}


def can_curate(user: User, organization: Organization) -> bool:
    """System administrators curate every organisation, an agency administrator her own agency's."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == User.Role.SYSTEM_ADMIN:
        return True
    return (
        user.role == User.Role.AGENCY_ADMIN
        and organization.agency_id is not None
        and organization.agency_id == user.agency_id
    )


def _require(by: User, organization: Organization) -> None:
    if not can_curate(by, organization):
        raise PermissionDenied(_("Only this organisation's agency administrator can change it."))


def _audit(by: User | None, action: str, obj: models.Model, organization: Organization, changes: dict) -> None:
    handle, _created = AuditHandle.objects.get_or_create(
        record_type=obj._meta.label_lower, record_id=obj.pk, defaults={"agency_id": organization.agency_id}
    )
    audit_record(
        actor=by,
        action=action,
        obj=handle,
        changes={"record": obj._meta.label_lower, "id": str(obj.pk), **changes},
    )


def _plain(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: [str(x) if isinstance(x, Decimal | dt.date | dt.time) else x for x in v] for k, v in changes.items()}


def _assign(obj: models.Model, values: dict[str, Any], allowed: list[str]) -> list[str]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Not a curated field: {sorted(unknown)}")
    for name, value in values.items():
        setattr(obj, name, "" if value is None and not obj._meta.get_field(name).null else value)
    return list(values)


@transaction.atomic
def agency_organization(agency: Agency) -> Organization:
    """The directory organisation of a Qadam agency, created from the agency the first time it is asked for:
    every Qadam agency is also a directory organisation (referrals point at its services)."""
    existing = Organization.objects.select_for_update().filter(agency=agency).first()
    if existing is not None:
        return existing
    with translation.override("kk"):
        description = str(agency.get_kind_display())
    organization = Organization(
        agency=agency,
        name=agency.name_kk or agency.name_ru or agency.name_en,
        name_kk=agency.name_kk,
        name_ru=agency.name_ru,
        name_en=agency.name_en,
        description=description,
    )
    organization.search_words = organization_search_text(organization)
    organization.full_clean()
    organization.save()
    _audit(None, "directory_record_created", organization, organization, {"agency": agency.pk})
    return organization


@transaction.atomic
def organization_create(*, by: User, **values: Any) -> Organization:
    """A directory organisation that is not a Qadam agency (system administrators only)."""
    if by.role != User.Role.SYSTEM_ADMIN:
        raise PermissionDenied(_("Only a system administrator can add an organisation."))
    organization = Organization()
    _assign(organization, values, ORGANIZATION_FIELDS)
    organization.search_words = organization_search_text(organization)
    organization.full_clean()
    organization.save()
    _audit(
        by,
        "directory_record_created",
        organization,
        organization,
        _plain(field_changes(None, organization, ORGANIZATION_FIELDS)),
    )
    return organization


@transaction.atomic
def organization_update(*, by: User, organization: Organization, **values: Any) -> Organization:
    _require(by, organization)
    before = Organization.objects.get(pk=organization.pk)
    fields = _assign(organization, values, ORGANIZATION_FIELDS)
    organization.search_words = organization_search_text(organization)
    organization.full_clean()
    organization.save(update_fields=[*fields, "search_words"])
    changes = field_changes(before, organization, fields)
    if changes:
        _audit(by, "directory_record_changed", organization, organization, _plain(changes))
    return organization


def _touch(service: Service) -> None:
    service.last_modified = timezone.now()
    service.save(update_fields=["last_modified"])


def _check_needs(faa: Iterable[str], case_kinds: Iterable[str]) -> tuple[list[str], list[str]]:
    faa, case_kinds = sorted(set(faa)), sorted(set(case_kinds))
    if set(faa) - set(FAA_DIMENSIONS):
        raise ValidationError({"faa": _("Choose FAA dimensions D1 to D7.")})
    if set(case_kinds) - set(Case.Kind.values):
        raise ValidationError({"case_kinds": _("Choose kinds of case from the list.")})
    return faa, case_kinds


@transaction.atomic
def service_create(
    *,
    by: User,
    organization: Organization,
    faa: Iterable[str] = (),
    case_kinds: Iterable[str] = (),
    **values: Any,
) -> Service:
    _require(by, organization)
    service = Service(organization=organization)
    _assign(service, values, SERVICE_FIELDS)
    service.last_modified = timezone.now()
    service.search_words = service_search_text(service)
    service.full_clean()
    service.save()
    _audit(by, "directory_record_created", service, organization, _plain(field_changes(None, service, SERVICE_FIELDS)))
    if faa or case_kinds:
        service_needs_set(by=by, service=service, faa=faa, case_kinds=case_kinds)
    return service


@transaction.atomic
def service_update(*, by: User, service: Service, **values: Any) -> Service:
    _require(by, service.organization)
    before = Service.objects.get(pk=service.pk)
    fields = _assign(service, values, SERVICE_FIELDS)
    service.last_modified = timezone.now()
    service.search_words = service_search_text(service)
    service.full_clean()
    service.save(update_fields=[*fields, "search_words", "last_modified"])
    changes = field_changes(before, service, fields)
    if changes:
        _audit(by, "directory_record_changed", service, service.organization, _plain(changes))
    return service


@transaction.atomic
def service_needs_set(*, by: User, service: Service, faa: Iterable[str], case_kinds: Iterable[str]) -> None:
    """What the service helps with: FAA dimensions and kinds of case (replacing what it had)."""
    _require(by, service.organization)
    faa, case_kinds = _check_needs(faa, case_kinds)
    wanted = {("faa", c) for c in faa} | {("case", c) for c in case_kinds}
    had = set(service.needs.values_list("kind", "code"))
    if wanted == had:
        return
    service.needs.exclude(pk__in=[n.pk for n in service.needs.all() if (n.kind, n.code) in wanted]).delete()
    for kind, code in sorted(wanted - had):
        need = ServiceNeed(service=service, kind=kind, code=code)
        need.full_clean()
        need.save()
    _touch(service)
    _audit(
        by,
        "directory_record_changed",
        service,
        service.organization,
        {"needs": [sorted(f"{k}:{c}" for k, c in had), sorted(f"{k}:{c}" for k, c in wanted)]},
    )


@transaction.atomic
def service_languages_set(*, by: User, service: Service, codes: Iterable[str]) -> None:
    """The languages the service is offered in (ISO 639-1 codes from LANGUAGE_NAMES)."""
    _require(by, service.organization)
    wanted = sorted(set(codes))
    if set(wanted) - set(LANGUAGE_NAMES):
        raise ValidationError({"languages": _("Choose languages from the list.")})
    had = sorted(service.languages.values_list("code", flat=True))
    if wanted == had:
        return
    service.languages.exclude(code__in=wanted).delete()
    for code in sorted(set(wanted) - set(had)):
        language = Language(service=service, code=code, name=LANGUAGE_NAMES[code])
        language.full_clean()
        language.save()
    _touch(service)
    _audit(by, "directory_record_changed", service, service.organization, {"languages": [had, wanted]})


@transaction.atomic
def service_area_add(*, by: User, service: Service, kato: KatoUnit) -> ServiceArea:
    """A KATO place where the service is available (a region covers all of its districts and settlements)."""
    _require(by, service.organization)
    if service.service_areas.filter(kato=kato).exists():
        raise ValidationError({"kato": _("This area is already listed.")})
    with translation.override("kk"):
        name = kato.name
    area = ServiceArea(service=service, kato=kato, name=name, extent_type="", description="")
    area.full_clean()
    area.save()
    _touch(service)
    _audit(by, "directory_record_created", area, service.organization, {"service": str(service.pk), "kato": kato.code})
    return area


@transaction.atomic
def schedule_add(
    *,
    by: User,
    service: Service,
    byday: Iterable[str],
    opens_at: dt.time,
    closes_at: dt.time,
    description: str = "",
) -> Schedule:
    """Weekly opening hours: these days, from opens_at to closes_at."""
    _require(by, service.organization)
    days = [d for d in Schedule.Weekday.values if d in set(byday)]
    if not days:
        raise ValidationError({"byday": _("Choose at least one day.")})
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": _("Closing time must be after opening time.")})
    schedule = Schedule(
        service=service,
        freq=Schedule.Freq.WEEKLY,
        wkst=Schedule.Weekday.MO,
        byday=",".join(days),
        opens_at=opens_at,
        closes_at=closes_at,
        description=description,
    )
    schedule.full_clean()
    schedule.save()
    _touch(service)
    _audit(
        by,
        "directory_record_created",
        schedule,
        service.organization,
        {"service": str(service.pk), "byday": schedule.byday, "opens_at": str(opens_at), "closes_at": str(closes_at)},
    )
    return schedule


@transaction.atomic
def cost_option_add(
    *, by: User, service: Service, option: str, amount: Decimal | None, amount_description: str = ""
) -> CostOption:
    """A fee in tenge (no amount: free, or the amount is described in words)."""
    _require(by, service.organization)
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("A fee cannot be negative.")})
    fee = CostOption(
        service=service, option=option, amount=amount, currency="KZT", amount_description=amount_description
    )
    fee.full_clean()
    fee.save()
    _touch(service)
    _audit(
        by,
        "directory_record_created",
        fee,
        service.organization,
        {"service": str(service.pk), "option": option, "amount": str(amount) if amount is not None else None},
    )
    return fee


@transaction.atomic
def phone_add(*, by: User, service: Service, number: str, description: str = "") -> Phone:
    _require(by, service.organization)
    phone = Phone(service=service, number=number.strip(), description=description)
    phone.full_clean()
    phone.save()
    _touch(service)
    _audit(
        by,
        "directory_record_created",
        phone,
        service.organization,
        {"service": str(service.pk), "number": phone.number},
    )
    return phone


# What a curator may remove from a service, by the name used in URLs.
SERVICE_PARTS: dict[str, type[models.Model]] = {
    "schedule": Schedule,
    "fee": CostOption,
    "area": ServiceArea,
    "phone": Phone,
    "location": ServiceAtLocation,
}


@transaction.atomic
def service_part_remove(*, by: User, service: Service, part: models.Model) -> None:
    """Remove hours, a fee, an area, a phone or a location link from a service."""
    _require(by, service.organization)
    if getattr(part, "service_id", None) != service.pk:
        raise PermissionDenied
    _audit(by, "directory_record_removed", part, service.organization, {"service": str(service.pk)})
    part.delete()
    _touch(service)


@transaction.atomic
def location_create(
    *, by: User, organization: Organization, address: dict[str, str] | None = None, **values: Any
) -> Location:
    """A place of the organisation, with its street address when it has one."""
    _require(by, organization)
    location = Location(organization=organization)
    _assign(location, values, LOCATION_FIELDS)
    location.full_clean()
    location.save()
    if address:
        _address_save(location, address)
    _audit(
        by, "directory_record_created", location, organization, _plain(field_changes(None, location, LOCATION_FIELDS))
    )
    return location


@transaction.atomic
def location_update(*, by: User, location: Location, address: dict[str, str] | None = None, **values: Any) -> Location:
    organization = location.organization
    if organization is None:
        raise PermissionDenied
    _require(by, organization)
    before = Location.objects.get(pk=location.pk)
    fields = _assign(location, values, LOCATION_FIELDS)
    location.full_clean()
    location.save(update_fields=fields)
    changes = field_changes(before, location, fields)
    if address is not None:
        changes.update(_address_save(location, address))
    if changes:
        _audit(by, "directory_record_changed", location, organization, _plain(changes))
    return location


def _address_save(location: Location, values: dict[str, str]) -> dict[str, Any]:
    unknown = set(values) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Not an address field: {sorted(unknown)}")
    address = location.addresses.first() or Address(location=location, country="KZ")
    before = {f: getattr(address, f) for f in ADDRESS_FIELDS}
    for name, value in values.items():
        setattr(address, name, value or "")
    try:
        address.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {f"address_{k}" if k in ADDRESS_FIELDS else k: v for k, v in error.message_dict.items()}
        ) from None
    address.save()
    return {
        f"address_{f}": [before[f], getattr(address, f)] for f in ADDRESS_FIELDS if before[f] != getattr(address, f)
    }


@transaction.atomic
def service_location_link(*, by: User, service: Service, location: Location) -> ServiceAtLocation:
    """Offer the service at one of its organisation's locations."""
    _require(by, service.organization)
    if location.organization_id != service.organization_id:
        raise ValidationError({"location": _("Choose a location of this organisation.")})
    if service.service_at_locations.filter(location=location).exists():
        raise ValidationError({"location": _("The service is already offered there.")})
    link = ServiceAtLocation(service=service, location=location)
    link.full_clean()
    link.save()
    _touch(service)
    _audit(
        by,
        "directory_record_created",
        link,
        service.organization,
        {"service": str(service.pk), "location": str(location.pk)},
    )
    return link
