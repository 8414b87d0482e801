"""Documents: the case file as a PDF (made at once: one case), and the forms that ask for the case list, the
family list and the agency report, which are prepared in the background as export jobs (qadam.documents.kinds)
and downloaded from the exports page. Every read goes through `visible_to` or the dashboard's scope; every
request and download is recorded in the audit log, naming what was exported and never its content."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.models import Case
from qadam.documents.case_file import case_file_pdf
from qadam.documents.forms import CaseFilterForm, FamilyFilterForm, ListFormatForm, ReportForm
from qadam.exports.registry import kinds_for
from qadam.exports.services import export_request
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


# Asking for a list or the report ---------------------------------------------------------------------------


def _ask(
    request: AuthedRequest, *, kind: str, forms: list[Form], template: str, context: dict[str, Any]
) -> HttpResponse:
    """GET shows the forms; POST queues the job (once per form token) and goes to its progress page."""
    if kind not in kinds_for(request.user):
        raise PermissionDenied
    context = {**context, "forms": forms}
    if request.method == "GET":
        return render(request, template, context)
    done = form_result(token=request.POST.get("form_token"), user=request.user)
    if done:
        return redirect(done)
    if all(form.is_valid() for form in forms):
        params: dict[str, Any] = {}
        for form in forms:
            params.update({k: v for k, v in form.cleaned_data.items() if k != "form_token"})
        try:
            with transaction.atomic():
                job = export_request(by=request.user, kind=kind, params=params)
                url = reverse("exports:detail", args=[job.pk])
                form_submitted(token=request.POST.get("form_token"), user=request.user, result_url=url)
        except ValidationError as error:
            forms[-1].add_error(None, error.messages)
        else:
            messages.success(request, _("It is being prepared. This page shows when it is ready to download."))
            return HttpResponseRedirect(url)
    return render(request, template, context, status=422)


def _list(request: AuthedRequest, *, kind: str, filter_form: type[Form]) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    filters = filter_form(source)
    fmt = ListFormatForm(request.POST if request.method == "POST" else None)
    return _ask(request, kind=kind, forms=[filters, fmt], template="documents/list_export.html",
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
    return _ask(request, kind="agency_report", forms=[form], template="documents/report_form.html",
                context={"form": form})  # fmt: skip
