"""The documents made in the background as export jobs: the case and family lists (CSV or XLSX) and the
agency report (PDF). Registered in apps.ready(); the job framework (qadam.exports) queues them, shows their
progress and offers the file, optionally inside an encrypted ZIP, to the requester alone.

The rows and figures are read when the job runs, through the requester's own scope at that moment
(`visible_to`, `Scope.for_user`), not when it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from qadam.accounts.models import User
from qadam.audit.services import audit_record
from qadam.documents.forms import CaseFilterForm, FamilyFilterForm, ListFormatForm, ReportForm
from qadam.documents.report import agency_report_pdf
from qadam.documents.tabular import WRITERS, Export, case_list_export, family_list_export
from qadam.exports.models import ExportJob
from qadam.exports.registry import EXPORT_KINDS, ExportKind, Progress, register_kind
from qadam.insights.scope import Filters, sections_for


def _checked(form: Any) -> dict[str, Any]:
    """The form's cleaned data, or its errors as one ValidationError."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def _requester(job: ExportJob) -> User:
    """Who asked, still allowed to ask: an account closed or a role changed meanwhile gets nothing."""
    user = job.requested_by
    if user is None or not user.is_active or not EXPORT_KINDS[job.kind].allowed(user):
        raise PermissionDenied("The requester may no longer have this export.")
    return user


# Lists -----------------------------------------------------------------------------------------------------


def lists_allowed(user: User) -> bool:
    """Whoever sees named records may take the lists they see; researchers and system administrators not."""
    return user.sees_named_records


def _list_params(
    filter_form: type[CaseFilterForm] | type[FamilyFilterForm],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def clean(raw: dict[str, Any]) -> dict[str, Any]:
        filters = _checked(filter_form(raw))
        fmt = _checked(ListFormatForm(raw))["format"]
        return {**{k: str(v) for k, v in filters.items() if v}, "format": fmt}

    return clean


def _list_writer(builder: Callable[[User, dict[str, str]], Export]) -> Callable[[ExportJob, Path, Progress], str]:
    def write(job: ExportJob, folder: Path, progress: Progress) -> str:
        user = _requester(job)
        params = dict(job.parameters)
        fmt = params.pop("format")
        export = builder(user, params)
        total = export.count()
        progress(1, gettext_noop("Writing the rows"))

        def advance(done: int) -> None:
            progress(1 + 98 * done // max(total, 1), gettext_noop("Writing the rows"))

        with (folder / f"{export.file_stem()}.{fmt}").open("wb") as target:
            WRITERS[fmt](export, target, advance)
        # One entry naming the list, its filters and how many rows it holds: never the rows.
        audit_record(
            actor=user,
            action="list_exported",
            obj=user.agency,  # type: ignore[arg-type]
            changes={"list": export.name, "filters": export.filters, "rows": total, "format": fmt, "job": job.pk},
        )
        return f"{total} rows"

    return write


# The agency report -----------------------------------------------------------------------------------------


def report_allowed(user: User) -> bool:
    """Whoever has the agency and region figures on their dashboard may print them."""
    return "area" in sections_for(user)


def report_params(raw: dict[str, Any]) -> dict[str, Any]:
    data = _checked(ReportForm(raw))
    return {"start": data["start"].isoformat(), "end": data["end"].isoformat(), "region": data["region"] or ""}


def report_write(job: ExportJob, folder: Path, progress: Progress) -> str:
    user = _requester(job)
    params = report_params(job.parameters)
    start, end = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
    progress(5, gettext_noop("Counting"))
    content = agency_report_pdf(user=user, filters=Filters(start, end, params["region"]), today=timezone.localdate())
    (folder / f"agency-report-{start:%Y%m%d}-{end:%Y%m%d}.pdf").write_bytes(content)
    audit_record(
        actor=user,
        action="report_exported",
        obj=user.agency,  # type: ignore[arg-type]
        changes={"report": "agency", **params, "job": job.pk},
    )
    return f"{start} – {end}"


def register() -> None:
    register_kind(
        "case_list",
        ExportKind(
            label=gettext_lazy("Case list"),
            allowed=lists_allowed,
            clean_params=_list_params(CaseFilterForm),
            writer=_list_writer(case_list_export),
        ),
    )
    register_kind(
        "family_list",
        ExportKind(
            label=gettext_lazy("Family list"),
            allowed=lists_allowed,
            clean_params=_list_params(FamilyFilterForm),
            writer=_list_writer(family_list_export),
        ),
    )
    register_kind(
        "agency_report",
        ExportKind(
            label=gettext_lazy("Agency report"),
            allowed=report_allowed,
            clean_params=report_params,
            writer=report_write,
        ),
    )
