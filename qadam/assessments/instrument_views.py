"""The instruments Qadam holds, for administrators: every version with where it came from and how often it
was used; system administrators import packs and XLSForms here (as `qadam instruments import` does) and
decide which version is offered for new assessments.

Instruments are shared by every agency, so changing them is the system administrator's; agency
administrators read the list. Nothing here shows a person, family or case.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qadam.accounts.models import User
from qadam.assessments.engine import DefinitionError, Problem
from qadam.assessments.forms import InstrumentUploadForm, instrument_label
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import instrument_import, instrument_offer
from qadam.lib.http import AuthedRequest

READERS: frozenset[str] = frozenset({User.Role.AGENCY_ADMIN, User.Role.SYSTEM_ADMIN})
IMPORTERS: frozenset[str] = frozenset({User.Role.SYSTEM_ADMIN})


def _require(user: User, roles: frozenset[str]) -> None:
    if user.role not in roles:
        raise PermissionDenied


def instrument_list(request: AuthedRequest) -> HttpResponse:
    """Every instrument version: offered ones first, with the number of assessments made with each."""
    _require(request.user, READERS)
    versions = (
        InstrumentVersion.objects.annotate(uses=Count("assessments"))
        .select_related("imported_by")
        .order_by("key", "-imported_at")
    )
    rows = [{"version": v, "label": instrument_label(v)} for v in versions]
    can_import = request.user.role == User.Role.SYSTEM_ADMIN
    return render(
        request,
        "assessments/instrument_list.html",
        {"rows": rows, "can_import": can_import, "form": InstrumentUploadForm() if can_import else None},
    )


def instrument_import_view(request: AuthedRequest) -> HttpResponse:
    """Upload a pack or an XLSForm; every problem is listed with where it is, and nothing is half-imported.
    The result page lists what an XLSForm could not carry."""
    _require(request.user, IMPORTERS)
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    file_name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with tempfile.TemporaryDirectory(prefix="qadam-instrument-") as folder:
                # Read under the sender's own file name, so that every problem names their file.
                path = Path(folder) / get_valid_filename(Path(upload.name).name)
                with path.open("wb") as copy:
                    for chunk in upload.chunks():
                        copy.write(chunk)
                version, notes = instrument_import(path=path, by=request.user)
        except DefinitionError as error:
            problems, file_name = error.problems, Path(upload.name).name
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request,
                "assessments/instrument_imported.html",
                {"version": version, "label": instrument_label(version), "notes": notes},
            )
    return render(
        request, "assessments/instrument_import.html", {"form": form, "problems": problems, "file_name": file_name}
    )


@require_POST
def instrument_offer_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Offer a version for new assessments (the other versions of the instrument stop being offered), or
    stop offering it; assessments made with it keep reading as they were."""
    _require(request.user, IMPORTERS)
    version = get_object_or_404(InstrumentVersion, pk=pk)
    offered = request.POST.get("offered") == "1"
    instrument_offer(by=request.user, version=version, offered=offered)
    if offered:
        messages.success(request, _("%(instrument)s is offered for new assessments.") % {"instrument": version})
    else:
        messages.success(request, _("%(instrument)s is no longer offered.") % {"instrument": version})
    return redirect("assessments:instruments")
