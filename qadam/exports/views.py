"""Exports: the list of one's own export jobs with their progress, asking for a research export, downloads
(as they are, or in a ZIP locked with a password)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.exports.forms import EncryptForm, ResearchExportForm
from qadam.exports.models import ExportJob
from qadam.exports.registry import kinds_for
from qadam.exports.services import encrypted_copy, export_file, export_request, keep_days
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest

LIST_SIZE = 50


def _own_job(request: AuthedRequest, pk: int) -> ExportJob:
    """A job of the user's own: anyone else's answers 404, as if it did not exist."""
    return get_object_or_404(ExportJob.objects.filter(requested_by=request.user), pk=pk)


@require_GET
def job_list(request: AuthedRequest) -> HttpResponse:
    """The user's own exports, newest first; exempt from read auditing: it shows no family's records."""
    jobs = ExportJob.objects.filter(requested_by=request.user).order_by("-id")[:LIST_SIZE]
    context = {"jobs": jobs, "kinds": kinds_for(request.user), "keep_days": keep_days()}
    return render(request, "exports/exportjob_list.html", context)


@require_GET
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One job's progress: the fragment htmx polls every 2 s while it runs, or a page of its own."""
    job = _own_job(request, pk)
    template = "exports/_job.html" if is_htmx(request) else "exports/exportjob_detail.html"
    return render(request, template, {"job": job, "encrypt": EncryptForm(), "keep_days": keep_days()})


def ask_for_export(
    request: AuthedRequest, *, kind: str, forms: list[Form], template: str, context: dict[str, Any]
) -> HttpResponse:
    """The page that asks for an export of `kind`: GET shows the forms; POST queues the job with their cleaned
    data as its parameters (once per form token) and goes to its progress page. Every kind is asked for here."""
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
            messages.success(request, _("The export is being prepared. This page shows when it is ready."))
            return redirect(url)
    return render(request, template, context, status=422)


@require_http_methods(["GET", "POST"])
def research_request(request: AuthedRequest) -> HttpResponse:
    """The form that asks for a de-identified research export (GET), and asking for it (POST)."""
    form = ResearchExportForm(request.POST if request.method == "POST" else None)
    return ask_for_export(
        request, kind="research", forms=[form], template="exports/research_form.html", context={"form": form}
    )


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def download(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The finished file, streamed, only to whoever asked for it: as it is (GET), or inside a ZIP locked
    with the password posted (never stored). Each download is audited as an export."""
    job = _own_job(request, pk)
    if not job.is_downloadable:
        raise Http404
    path = export_file(job)
    if not path.exists():
        raise Http404
    name = f"qadam-{job.kind.replace('_', '-')}-{job.pk}{path.suffix}"
    if request.method == "POST":
        form = EncryptForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "exports/exportjob_detail.html",
                {"job": job, "encrypt": form, "keep_days": keep_days()},
                status=422,
            )
        audit_read(actor=request.user, obj=job, action="exported")
        handle = encrypted_copy(path, name, form.cleaned_data["password"])
        response = FileResponse(handle, as_attachment=True, filename=f"{Path(name).stem}.zip")
    else:
        audit_read(actor=request.user, obj=job, action="exported")
        response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
