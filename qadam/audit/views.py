from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from qadam.accounts.models import User
from qadam.audit.display import action_label, changes_of, record_type_label, record_url
from qadam.audit.forms import LogSearchForm
from qadam.audit.models import AuditEntry
from qadam.cases.access import can_see_history
from qadam.cases.models import Case
from qadam.families.models import Family, Person
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.lib.pagination import keyset_page

# The records whose history a page can show, by the short name in the URL.
HISTORY_MODELS: dict[str, Any] = {"person": Person, "family": Family, "case": Case}


def _record_for(user: User, target_type: str, target_id: int) -> models.Model:
    """The record, if the user may open it (404 otherwise) and see its history (403 otherwise)."""
    model = HISTORY_MODELS.get(target_type)
    if model is None:
        raise Http404
    record = get_object_or_404(model.objects.visible_to(user), pk=target_id)
    if not can_see_history(user, record):
        raise PermissionDenied
    return record


def _history_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    return [{"entry": e, "action": action_label(e.action), "changes": changes_of(e)} for e in entries]


def record_history(request: AuthedRequest, target_type: str, target_id: int) -> HttpResponse:
    """Who viewed or changed a record, and when: newest first, a page at a time.

    Not itself audited: it shows who did what, not the record's content, and auditing the audit would
    fill the log with itself.
    """
    record = _record_for(request.user, target_type, target_id)
    entries = AuditEntry.objects.for_record(record).select_related("actor", "agency")
    after = request.GET.get("after")
    page = keyset_page(entries, after=after, count=False)
    context = {"record": record, "target_type": target_type, "page": page, "rows": _history_rows(page.items)}
    if not is_htmx(request):
        return render(request, "audit/record_history.html", context)
    return render(request, "audit/_history_rows.html" if after else "audit/_history.html", context)


def _log_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    # Field names only: the log spans records the administrator may not open (restricted ones).
    return [
        {
            "entry": e,
            "action": action_label(e.action),
            "record_type": record_type_label(e),
            "record_url": record_url(e),
            "changes": changes_of(e, values=False),
        }
        for e in entries
    ]


def log_search(request: AuthedRequest) -> HttpResponse:
    """The agency's audit log for its administrator: what its people did, and what people of other agencies
    (a regional coordinator, a partner) did with its records; filtered, newest first."""
    user = request.user
    if user.role != User.Role.AGENCY_ADMIN or user.agency_id is None:
        raise PermissionDenied
    form = LogSearchForm(request.GET)  # every filter is optional: no filters is the whole log
    entries = AuditEntry.objects.filter(
        Q(agency_id=user.agency_id) | Q(record_agency_id=user.agency_id)
    ).select_related("actor", "agency")
    entries = form.filter(entries) if form.is_valid() else entries.none()
    page = keyset_page(entries, after=request.GET.get("after"))
    context = {"form": form, "page": page, "rows": _log_rows(page.items)}
    if is_htmx(request) and request.GET.get("after"):
        return render(request, "audit/_log_rows.html", context)
    return render(request, "audit/log_search.html", context)
