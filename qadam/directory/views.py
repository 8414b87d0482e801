"""Directory pages: search by need, area, language and words; a service and an organisation; curation.

Everyone who works with named records reads the whole directory (it holds no personal data), and so do
system administrators, who curate it; researchers do not. Curation is for the agency administrator of the
organisation's agency and for system administrators: others get 403 on its forms. Reading is not recorded
in the audit log: there is no person, family or case here, and the same data is public at /hsds/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qadam.accounts.models import User
from qadam.audit.services import form_result, form_submitted
from qadam.directory import forms as f
from qadam.directory import services as s
from qadam.directory.models import Location, Organization, Service
from qadam.directory.needs import need_label
from qadam.directory.searching import find_services
from qadam.lib.http import AuthedRequest

PAGE_SIZE = 25


def _require_reader(user: User) -> None:
    if not (user.sees_named_records or user.role == User.Role.SYSTEM_ADMIN):
        raise PermissionDenied


def _organization(request: AuthedRequest, pk: Any, *, curate: bool = False) -> Organization:
    _require_reader(request.user)
    organization = get_object_or_404(Organization.objects.select_related("agency"), pk=pk)
    if curate and not s.can_curate(request.user, organization):
        raise PermissionDenied
    return organization


def _service(request: AuthedRequest, pk: Any, *, curate: bool = False) -> Service:
    _require_reader(request.user)
    service = get_object_or_404(Service.objects.select_related("organization__agency"), pk=pk)
    if curate and not s.can_curate(request.user, service.organization):
        raise PermissionDenied
    return service


@require_http_methods(["GET"])
def search(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form = f.SearchForm(request.GET or None)
    services = Service.objects.select_related("organization")
    if form.is_valid():
        data = form.cleaned_data
        services = find_services(
            services,
            query=data["q"],
            need=data["need"],
            area=data["area"],
            language=data["language"],
            inactive=data["inactive"],
        )
    else:
        services = find_services(services)
    page = Paginator(services.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    own = None
    if request.user.role == User.Role.AGENCY_ADMIN and request.user.agency is not None:
        own = s.agency_organization(request.user.agency)
    return render(
        request,
        "directory/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "own": own},
    )


def _parts(service: Service) -> dict[str, Any]:
    return {
        "needs": [need_label(n.kind, n.code) for n in service.needs.order_by("kind", "code")],
        "languages": [f.LANGUAGE_LABELS.get(x.code, x.name or x.code) for x in service.languages.order_by("code")],
        "areas": service.service_areas.select_related("kato").order_by("name", "id"),
        "schedules": service.schedules.order_by("byday", "opens_at", "id"),
        "fees": service.cost_options.order_by("option", "id"),
        "phones": service.phones.order_by("number", "id"),
        "places": service.service_at_locations.select_related("location")
        .prefetch_related("location__addresses")
        .order_by("location__name", "id"),
    }


@require_http_methods(["GET"])
def service_detail(request: AuthedRequest, pk: Any) -> HttpResponse:
    service = _service(request, pk)
    return render(
        request,
        "directory/service_detail.html",
        {"service": service, "can_curate": s.can_curate(request.user, service.organization), **_parts(service)},
    )


@require_http_methods(["GET"])
def organization_detail(request: AuthedRequest, pk: Any) -> HttpResponse:
    organization = _organization(request, pk)
    return render(
        request,
        "directory/organization_detail.html",
        {
            "organization": organization,
            "services": organization.services.order_by("name", "id"),
            "locations": organization.locations.prefetch_related("addresses").order_by("name", "id"),
            "can_curate": s.can_curate(request.user, organization),
        },
    )


def _form_page(request: AuthedRequest, form: Any, title: str, back: str, **context: Any) -> HttpResponse:
    return render(request, "directory/form.html", {"form": form, "title": title, "back": back, **context})


def _run(form: Any, action: Any) -> Any:
    """Run a service for a valid form; its ValidationError goes onto the form. Returns None on error."""
    try:
        with transaction.atomic():
            return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@require_http_methods(["GET", "POST"])
def organization_create(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    if request.user.role != User.Role.SYSTEM_ADMIN:
        raise PermissionDenied
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = f.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in s.ORGANIZATION_FIELDS}

        def create() -> Organization:
            organization = s.organization_create(by=request.user, **values)
            url = reverse("directory:organization", args=[organization.pk])
            form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=url)
            return organization

        if (organization := _run(form, create)) is not None:
            messages.success(request, _("The organisation is added."))
            return redirect("directory:organization", organization.pk)
    return _form_page(request, form, _("Add an organisation"), reverse("directory:search"))


@require_http_methods(["GET", "POST"])
def organization_edit(request: AuthedRequest, pk: Any) -> HttpResponse:
    organization = _organization(request, pk, curate=True)
    form = f.OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=organization.pk))
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in s.ORGANIZATION_FIELDS}
        if _run(form, lambda: s.organization_update(by=request.user, organization=organization, **values)):
            messages.success(request, _("The organisation is saved."))
            return redirect("directory:organization", organization.pk)
    back = reverse("directory:organization", args=[organization.pk])
    return _form_page(request, form, _("Edit the organisation"), back)


def _service_values(form: Any) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in s.SERVICE_FIELDS}


@require_http_methods(["GET", "POST"])
def service_create(request: AuthedRequest, pk: Any) -> HttpResponse:
    organization = _organization(request, pk, curate=True)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = f.ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> Service:
            service = s.service_create(
                by=request.user,
                organization=organization,
                faa=data["faa"],
                case_kinds=data["case_kinds"],
                **_service_values(form),
            )
            s.service_languages_set(by=request.user, service=service, codes=data["languages"])
            url = reverse("directory:service", args=[service.pk])
            form_submitted(token=data["form_token"], user=request.user, result_url=url)
            return service

        if (service := _run(form, create)) is not None:
            messages.success(request, _("The service is added."))
            return redirect("directory:service", service.pk)
    back = reverse("directory:organization", args=[organization.pk])
    return _form_page(request, form, _("Add a service"), back, organization=organization)


@require_http_methods(["GET", "POST"])
def service_edit(request: AuthedRequest, pk: Any) -> HttpResponse:
    service = _service(request, pk, curate=True)
    form = f.ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> Service:
            s.service_update(by=request.user, service=service, **_service_values(form))
            s.service_needs_set(by=request.user, service=service, faa=data["faa"], case_kinds=data["case_kinds"])
            s.service_languages_set(by=request.user, service=service, codes=data["languages"])
            return service

        if _run(form, save) is not None:
            messages.success(request, _("The service is saved."))
            return redirect("directory:service", service.pk)
    return _form_page(request, form, _("Edit the service"), reverse("directory:service", args=[service.pk]))


# What can be added to a service: its form, the service that adds it, and the page title.
ADDITIONS: dict[str, tuple[Any, Any, Any]] = {
    "hours": (
        f.ScheduleForm,
        lambda by, service, d: s.schedule_add(
            by=by,
            service=service,
            byday=d["byday"],
            opens_at=d["opens_at"],
            closes_at=d["closes_at"],
            description=d["description"],
        ),
        _("Add opening hours"),
    ),
    "fee": (
        f.FeeForm,
        lambda by, service, d: s.cost_option_add(
            by=by, service=service, option=d["option"], amount=d["amount"], amount_description=d["amount_description"]
        ),
        _("Add a fee"),
    ),
    "area": (
        f.AreaForm,
        lambda by, service, d: s.service_area_add(by=by, service=service, kato=d["kato"]),
        _("Add an area"),
    ),
    "phone": (
        f.PhoneForm,
        lambda by, service, d: s.phone_add(by=by, service=service, number=d["number"], description=d["description"]),
        _("Add a phone number"),
    ),
    "location": (
        f.LocationLinkForm,
        lambda by, service, d: s.service_location_link(by=by, service=service, location=d["location"]),
        _("Offer it at a location"),
    ),
}


@require_http_methods(["GET", "POST"])
def service_add(request: AuthedRequest, pk: Any, kind: str) -> HttpResponse:
    """Add opening hours, a fee, an area, a phone number or a location to a service."""
    if kind not in ADDITIONS:
        raise Http404
    service = _service(request, pk, curate=True)
    back = reverse("directory:service", args=[service.pk])
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form_class, action, title = ADDITIONS[kind]
    extra = {"service": service} if kind == "location" else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():

        def add() -> Any:
            added = action(request.user, service, form.cleaned_data)
            form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=back)
            return added

        if _run(form, add) is not None:
            messages.success(request, _("Saved."))
            return redirect(back)
    return _form_page(request, form, title, back, service=service)


@require_POST
def service_remove(request: AuthedRequest, pk: Any, kind: str, part_pk: Any) -> HttpResponse:
    """Remove hours, a fee, an area, a phone number or a location from a service."""
    service = _service(request, pk, curate=True)
    model = s.SERVICE_PARTS.get(kind)
    if model is None:
        raise Http404
    part = get_object_or_404(model, pk=part_pk, service=service)
    s.service_part_remove(by=request.user, service=service, part=part)
    messages.success(request, _("Removed."))
    return redirect("directory:service", service.pk)


@require_http_methods(["GET", "POST"])
def location_create(request: AuthedRequest, pk: Any) -> HttpResponse:
    organization = _organization(request, pk, curate=True)
    back = reverse("directory:organization", args=[organization.pk])
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = f.LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in s.LOCATION_FIELDS}

        def create() -> Location:
            location = s.location_create(by=request.user, organization=organization, address=form.address(), **values)
            form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=back)
            return location

        if _run(form, create) is not None:
            messages.success(request, _("The location is added."))
            return redirect(back)
    return _form_page(request, form, _("Add a location"), back, organization=organization)


@require_http_methods(["GET", "POST"])
def location_edit(request: AuthedRequest, pk: Any) -> HttpResponse:
    _require_reader(request.user)
    location = get_object_or_404(Location.objects.select_related("organization"), pk=pk)
    if location.organization is None or not s.can_curate(request.user, location.organization):
        raise PermissionDenied
    back = reverse("directory:organization", args=[location.organization.pk])
    form = f.LocationForm(request.POST or None, instance=Location.objects.get(pk=location.pk))
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in s.LOCATION_FIELDS}
        address = form.address()
        if _run(form, lambda: s.location_update(by=request.user, location=location, address=address, **values)):
            messages.success(request, _("The location is saved."))
            return redirect(back)
    return _form_page(request, form, _("Edit the location"), back)
