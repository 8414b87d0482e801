"""Downloads: the case file as PDF, the case and family lists as CSV/XLSX (optionally an encrypted ZIP), and
the agency report. Every one is fetched through `visible_to` (or counts over the reader's agencies) and
recorded in the audit log, naming what was exported and never its content."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from qadam.accounts.models import User
from qadam.audit.services import audit_read, audit_record
from qadam.cases.models import Case
from qadam.documents.case_file import case_file_pdf
from qadam.documents.forms import CaseFilterForm, ExportForm, FamilyFilterForm, ReportForm
from qadam.documents.report_pdf import agency_report_pdf
from qadam.documents.tabular import (
    CONTENT_TYPES,
    Export,
    case_list_export,
    csv_lines,
    encrypted_zip,
    family_list_export,
    spooled,
    stream,
)
from qadam.lib.http import AuthedRequest

REPORT_ROLES = {User.Role.AGENCY_ADMIN, User.Role.REGIONAL_COORDINATOR}


def _private(response: HttpResponse | StreamingHttpResponse | FileResponse) -> Any:
    """A download of confidential records is kept by no cache on the way."""
    response["Cache-Control"] = "no-store"
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


# The case file ---------------------------------------------------------------------------------------------


@require_GET
def case_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case file as a PDF, by the rules of the printed file; recorded as an export of the case."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("family__head", "person", "owner", "agency"), pk=pk
    )
    audit_read(actor=request.user, obj=case, action="exported")
    return _pdf(case_file_pdf(case, request.user), f"case-{case.number}.pdf")


# Lists -----------------------------------------------------------------------------------------------------


def index(request: AuthedRequest) -> HttpResponse:
    """What this user may download: the lists for those who see named records, the report for its roles."""
    user = request.user
    context = {"lists": user.sees_named_records, "report": user.role in REPORT_ROLES and user.sees_named_records}
    return render(request, "documents/index.html", context)


def _exporter(user: User) -> None:
    """Researchers and system administrators see no named record, so they export none (403)."""
    if not user.sees_named_records:
        raise PermissionDenied


def _list_export(request: AuthedRequest, *, kind: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    _exporter(request.user)
    filter_class = CaseFilterForm if kind == "cases" else FamilyFilterForm
    source = request.POST if request.method == "POST" else request.GET
    filters = filter_class(source)
    filters.is_valid()  # an unknown status is ignored, as the list ignores it
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        params = {k: str(v) for k, v in filters.cleaned_data.items() if v}
        builder = case_list_export if kind == "cases" else family_list_export
        export = builder(request.user, params)
        return _download(request, export, form.cleaned_data["format"], form.cleaned_data["password"])
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "filters": filters, "kind": kind}
    return render(request, "documents/list_export.html", context, status=status)


def _download(request: AuthedRequest, export: Export, fmt: str, password: str) -> StreamingHttpResponse | FileResponse:
    rows = export.count()
    # One entry naming the list, its filters and how many rows left: never the rows, never the password.
    audit_record(
        actor=request.user,
        action="list_exported",
        obj=request.user.agency,  # type: ignore[arg-type]
        changes={
            "list": export.name,
            "filters": export.filters,
            "rows": rows,
            "format": fmt,
            "encrypted": bool(password),
        },
    )
    if password:
        response: StreamingHttpResponse | FileResponse = FileResponse(
            encrypted_zip(export, fmt, password),
            as_attachment=True,
            filename=f"{export.file_stem()}.zip",
            content_type=CONTENT_TYPES["zip"],
        )
    elif fmt == "csv":
        response = StreamingHttpResponse(stream(csv_lines(export)), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{export.file_stem()}.csv"'
    else:
        response = FileResponse(
            spooled(export, "xlsx"),
            as_attachment=True,
            filename=f"{export.file_stem()}.xlsx",
            content_type=CONTENT_TYPES["xlsx"],
        )
    return _private(response)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def case_list_export_view(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse | FileResponse:
    return _list_export(request, kind="cases")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def family_list_export_view(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse | FileResponse:
    return _list_export(request, kind="families")


# The agency report -----------------------------------------------------------------------------------------


def _report_agencies(user: User) -> tuple[list[int], bool]:
    """The agencies the report covers and whether small counts are suppressed (a coordinator's view)."""
    if not user.sees_named_records or user.role not in REPORT_ROLES:
        raise PermissionDenied
    if user.role == User.Role.REGIONAL_COORDINATOR:
        return sorted(user.coordinated_agencies.values_list("pk", flat=True)), True
    return [user.agency_id], False  # type: ignore[list-item]


@require_GET
def agency_report(request: AuthedRequest) -> HttpResponse:
    """The form for a period, and with a valid period the report as a PDF (counts only, audited)."""
    agency_ids, suppress = _report_agencies(request.user)
    form = ReportForm(request.GET if "start" in request.GET else None)
    if not agency_ids:
        form.is_valid()
        return render(request, "documents/report_form.html", {"form": form, "no_agencies": True})
    if not form.is_bound or not form.is_valid():
        return render(request, "documents/report_form.html", {"form": form}, status=422 if form.is_bound else 200)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    audit_record(
        actor=request.user,
        action="report_exported",
        obj=request.user.agency,  # type: ignore[arg-type]
        changes={"report": "agency", "from": start.isoformat(), "to": end.isoformat(), "agencies": agency_ids},
    )
    content = agency_report_pdf(user=request.user, agency_ids=agency_ids, start=start, end=end, suppress=suppress)
    return _pdf(content, f"agency-report-{start:%Y%m%d}-{end:%Y%m%d}.pdf")
