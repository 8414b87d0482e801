"""The HSDS 3.0 read API: `/hsds/` (about the API), `/hsds/services` (pages of services in the HSDS page
envelope) and `/hsds/services/{id}` (one service, fully nested as the standard's OpenAPI describes).

The directory holds no personal data and HSDS APIs are meant to be public, so these views need no login
(and so no second factor). Empty values are left out rather than sent as null: the HSDS schemas type them
as strings or numbers. Qadam's translations and needs appear as the service's `attributes`, as in export.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from qadam.directory.models import (
    Attribute,
    Location,
    Service,
    ServiceAtLocation,
    ServiceNeed,
)
from qadam.directory.package import (
    HSDS_VERSION,
    attribute_id,
    json_value,
    need_code,
    qadam_taxonomy_rows,
    qadam_term_codes_by_id,
    tables,
    term_id,
    translation_code,
)
from qadam.directory.searching import search_services

OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE_URL = "https://docs.openreferral.org/en/latest/"
PER_PAGE = 50
MAX_PER_PAGE = 200


def flat(table: str, obj: Any) -> dict[str, Any]:
    """A record's own HSDS fields, without the empty ones."""
    result: dict[str, Any] = {}
    for column in tables()[table].columns:
        value = json_value(getattr(obj, column.attname))
        if value is not None:
            result[column.name] = value
    return result


def _terms() -> dict[Any, dict[str, Any]]:
    _taxonomy, own = qadam_taxonomy_rows()
    terms = {t["id"]: {k: json_value(v) for k, v in t.items()} for t in own}
    return {
        pk: {("taxonomy_id" if k == "taxonomy_detail_id" else k): v for k, v in t.items() if v is not None}
        for pk, t in terms.items()
    }


def _attributes(entity: str, obj: Any, needs: list[ServiceNeed] | None = None) -> list[dict[str, Any]]:
    """The attributes of one record: Qadam's (translations, needs) and any kept from an import."""
    own_terms = _terms()
    rows: list[dict[str, Any]] = []
    for field_name in ("name", "description"):
        for language in ("kk", "ru", "en"):
            if text := getattr(obj, f"{field_name}_{language}", ""):
                code = translation_code(field_name, language)
                rows.append({"id": attribute_id(obj.pk, code), "taxonomy_term_id": term_id(code), "value": text})
    for need in needs or []:
        rows.append({"id": need.pk, "taxonomy_term_id": term_id(need_code(need.kind, need.code)), "value": ""})
    result = [
        {
            "id": str(row["id"]),
            "link_id": str(obj.pk),
            "taxonomy_term_id": str(row["taxonomy_term_id"]),
            "link_entity": entity,
            **({"value": row["value"]} if row["value"] else {}),
            "taxonomy_term": own_terms[row["taxonomy_term_id"]],
        }
        for row in rows
    ]
    stored = Attribute.objects.filter(link_entity=entity, link_id=obj.pk).select_related("taxonomy_term")
    for attribute in stored.order_by("id"):
        item = flat("attribute", attribute)
        item["taxonomy_term"] = flat("taxonomy_term", attribute.taxonomy_term)
        result.append(item)
    return result


def _location(location: Location) -> dict[str, Any]:
    result = flat("location", location)
    result["languages"] = [flat("language", x) for x in location.languages.all()]
    result["addresses"] = [flat("address", x) for x in location.addresses.all()]
    result["contacts"] = [flat("contact", x) for x in location.contacts.all()]
    result["accessibility"] = [flat("accessibility", x) for x in location.accessibility.all()]
    result["phones"] = [flat("phone", x) for x in location.phones.all()]
    result["schedules"] = [flat("schedule", x) for x in location.schedules.all()]
    result["attributes"] = _attributes("location", location)
    return result


def full_service(service: Service) -> dict[str, Any]:
    """One service with everything about it, as `GET /services/{id}` answers."""
    result = flat("service", service)
    result["phones"] = [_phone(x) for x in service.phones.all()]
    result["schedules"] = [flat("schedule", x) for x in service.schedules.all()]
    result["service_areas"] = [flat("service_area", x) for x in service.service_areas.all()]
    result["service_at_locations"] = [
        {
            **flat("service_at_location", link),
            "contacts": [flat("contact", x) for x in link.contacts.all()],
            "phones": [_phone(x) for x in link.phones.all()],
            "schedules": [flat("schedule", x) for x in link.schedules.all()],
            "location": _location(link.location),
        }
        for link in service.service_at_locations.all()
    ]
    result["languages"] = [flat("language", x) for x in service.languages.all()]
    organization = flat("organization", service.organization)
    organization["attributes"] = _attributes("organization", service.organization)
    result["organization"] = organization
    result["funding"] = [flat("funding", x) for x in service.funding.all()]
    result["cost_options"] = [flat("cost_option", x) for x in service.cost_options.all()]
    if service.program is not None:
        result["program"] = flat("program", service.program)
    result["required_documents"] = [flat("required_document", x) for x in service.required_documents.all()]
    result["contacts"] = [
        {**flat("contact", x), "phones": [_phone(p) for p in x.phones.all()]} for x in service.contacts.all()
    ]
    result["attributes"] = _attributes("service", service, list(service.needs.all()))
    result["metadata"] = []
    return result


def _phone(phone: Any) -> dict[str, Any]:
    return {**flat("phone", phone), "languages": [flat("language", x) for x in phone.languages.all()]}


def full_services() -> QuerySet[Service]:
    """Services with what `full_service` reads, fetched in a fixed number of queries."""
    return Service.objects.select_related("organization", "program").prefetch_related(
        "phones__languages",
        "schedules",
        "service_areas",
        "languages",
        "funding",
        "cost_options",
        "required_documents",
        "contacts__phones__languages",
        "needs",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "contacts",
                "phones__languages",
                "schedules",
                "location__languages",
                "location__addresses",
                "location__contacts",
                "location__accessibility",
                "location__phones",
                "location__schedules",
            ),
        ),
    )


def _integer(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number") from None
    if value < 1:
        raise ValidationError(f"{name} must be 1 or more")
    return value


@login_not_required
@require_GET
def meta(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@login_not_required
@require_GET
def services(request: HttpRequest) -> JsonResponse:
    """A page of services with their one-to-one fields; `search`, `organization_id`, `taxonomy_term_id`."""
    try:
        page = _integer(request, "page", 1)
        per_page = min(_integer(request, "per_page", PER_PAGE), MAX_PER_PAGE)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    queryset = Service.objects.all()
    if query := request.GET.get("search", "").strip():
        queryset = search_services(queryset, query)
    if organization_id := request.GET.get("organization_id", "").strip():
        queryset = queryset.filter(organization_id__in=_uuids(organization_id))
    if term := request.GET.get("taxonomy_term_id", "").strip():
        queryset = _with_term(queryset, term)
    total = queryset.count()
    pages = max(math.ceil(total / per_page), 1)
    rows = list(queryset.order_by("id")[(page - 1) * per_page : page * per_page])
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(rows),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not rows,
            "contents": [flat("service", s) for s in rows],
        }
    )


def _uuids(raw: str) -> list[Any]:
    result = []
    for part in raw.split(","):
        try:
            result.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return result


def _with_term(queryset: QuerySet[Service], raw: str) -> QuerySet[Service]:
    """Services linked to any of the given taxonomy terms: Qadam's need terms or an imported directory's."""
    ids = _uuids(raw)
    codes = qadam_term_codes_by_id()
    condition = Q(pk__in=Attribute.objects.filter(link_entity="service", taxonomy_term_id__in=ids).values("link_id"))
    for code in (codes[i] for i in ids if i in codes):
        parts = code.split(":")
        if parts[1] == "need":
            condition |= Q(pk__in=ServiceNeed.objects.filter(kind=parts[2], code=parts[3]).values("service_id"))
    return queryset.filter(condition)


@login_not_required
@require_GET
def service(request: HttpRequest, pk: Any) -> JsonResponse:
    found = full_services().filter(pk=pk).first()
    if found is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(full_service(found))
