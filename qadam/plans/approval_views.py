"""Approval pages: the supervisor's list of requests waiting (the home page card), one request with its
decision form, and the decisions. A request is seen through its case's scope (404 otherwise); only who may
decide on it opens its form or decides (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qadam.audit.services import audit_read
from qadam.cases.models import Case
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.plans.approvals import approval_approve, approval_return, may_decide, pending_for
from qadam.plans.forms import DecisionForm
from qadam.plans.models import Approval


def approval_list(request: AuthedRequest) -> HttpResponse:
    """Requests waiting for the user's decision: the home page card (htmx) or a page of its own. It shows
    case numbers and who asked, as the home page's lists do; each case records its reading when opened."""
    pending = list(
        pending_for(request.user).select_related("case", "requested_by", "plan").order_by("created_at", "id")[:50]
    )
    template = "plans/_approvals.html" if is_htmx(request) else "plans/approval_list.html"
    return render(request, template, {"pending": pending})


def _approval_for(request: AuthedRequest, pk: int) -> Approval:
    approval = get_object_or_404(
        Approval.objects.visible_to(request.user).select_related(
            "case__family__head", "case__owner__supervisor", "plan", "requested_by"
        ),
        pk=pk,
    )
    if not may_decide(request.user, approval):
        raise PermissionDenied
    return approval


def approval_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    approval = _approval_for(request, pk)
    audit_read(actor=request.user, obj=approval.case)
    goals = approval.plan.goals.prefetch_related("actions").order_by("position", "id") if approval.plan else []
    reason = dict(Case.ClosingReason.choices).get(approval.closing_reason, "")
    context = {"approval": approval, "case": approval.case, "goals": goals, "reason": reason, "form": DecisionForm()}
    return render(request, "plans/approval_detail.html", context)


def _decide(request: AuthedRequest, pk: int, *, approve: bool) -> HttpResponse:
    approval = _approval_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(approval)
    try:
        if approve:
            approval_approve(by=request.user, approval=approval, comment=form.cleaned_data["comment"])
        else:
            approval_return(by=request.user, approval=approval, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(approval)
    messages.success(request, _("Approved.") if approve else _("Returned to the worker with your comment."))
    return redirect(approval.case)


@require_POST
def approval_approve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
def approval_return_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
