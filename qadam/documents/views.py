"""Documents: the case file as a PDF (made at once: one case), and the forms that ask for the case list, the
family list and the agency report, which are prepared in the background as export jobs (qadam.documents.kinds)
and downloaded from the exports page. Every read goes through `visible_to` or the dashboard's scope; every
request and download is recorded in the audit log, naming what was exported and never its content."""

from __future__ import annotations

from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from qadam.audit.services import audit_read
from qadam.cases.models import Case
from qadam.documents.case_file import case_file_pdf
from qadam.documents.forms import CaseFilterForm, FamilyFilterForm, ListFormatForm, ReportForm
from qadam.exports.registry import kinds_for
from qadam.exports.views import ask_for_export
from qadam.lib.http import AuthedRequest


def _private(response: HttpResponse) -> HttpResponse:
    """A download of confidential records is kept by no cache on the way."""
    response["Cache-Control"] = "no-store"
    return response


# The case file ---------------------------------------------------------------------------------------------


@require_GET
def case_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case file as a PDF, by the rules of the printed file; recorded as an export of the case."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("family__head", "person", "owner", "agency"), pk=pk
    )
    audit_read(actor=request.user, obj=case, action="exported")
    response = HttpResponse(case_file_pdf(case, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.number}.pdf"'
    return _private(response)


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    """What this user may ask for: the lists for those who see named records, the report for its roles."""
    kinds = kinds_for(request.user)
    context = {"lists": "case_list" in kinds, "report": "agency_report" in kinds}
    return render(request, "documents/index.html", context)


# Asking for a list or the report (exports.views.ask_for_export) ----------------------------------------------


def _list(request: AuthedRequest, *, kind: str, filter_form: type[Form]) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    filters = filter_form(source)
    fmt = ListFormatForm(request.POST if request.method == "POST" else None)
    return ask_for_export(request, kind=kind, forms=[filters, fmt], template="documents/list_export.html",
                context={"kind": kind, "filters": filters, "form": fmt})  # fmt: skip


@require_http_methods(["GET", "POST"])
def case_list_export_view(request: AuthedRequest) -> HttpResponse:
    return _list(request, kind="case_list", filter_form=CaseFilterForm)


@require_http_methods(["GET", "POST"])
def family_list_export_view(request: AuthedRequest) -> HttpResponse:
    return _list(request, kind="family_list", filter_form=FamilyFilterForm)


@require_http_methods(["GET", "POST"])
def agency_report(request: AuthedRequest) -> HttpResponse:
    """The period and region (the dashboard's, when it links here), then the report as a background job."""
    if request.method == "POST":
        form = ReportForm(request.POST)
    else:
        form = ReportForm(initial={k: v for k, v in request.GET.items() if k in ("start", "end", "region") and v})
    return ask_for_export(request, kind="agency_report", forms=[form], template="documents/report_form.html",
                context={"form": form})  # fmt: skip
