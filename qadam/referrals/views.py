"""Referral and transfer pages.

The sending side reaches a referral through its case (`Case.objects.visible_to`, 404 otherwise; writes
need `can_change`, 403). The receiving side reaches it through `Referral.objects.visible_to`, and its
pages show only what was shared: they never load the case's records. Pages that show a case record the
reading on the case; the receiving side's pages record it on the referral or transfer they show.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qadam.accounts.models import User
from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import can_change
from qadam.cases.models import Case
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.referrals import services
from qadam.referrals.access import (
    may_answer,
    may_assign,
    may_decide_transfer,
    may_override,
    may_override_referral,
    may_refer,
)
from qadam.referrals.forms import (
    AnswerForm,
    OverrideForm,
    ReferralForm,
    SendForm,
    TransferAcceptForm,
    TransferForm,
    TransferRejectForm,
)
from qadam.referrals.models import CaseTransfer, Referral
from qadam.referrals.transfers import case_transfer_accept, case_transfer_reject, case_transfer_request

INBOX_LENGTH = 50


def _case_for(user: User, pk: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(user).select_related("family__head", "person", "owner"), pk=pk)


def _referral_for(user: User, pk: int) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(user).select_related(
            "case__agency", "person", "service", "organization", "recipient_agency", "handled_by", "created_by",
            "sent_by", "override_by",
        ),
        pk=pk,
    )  # fmt: skip


def _sees_case(user: User, referral: Referral) -> bool:
    return Case.objects.visible_to(user).filter(pk=referral.case_id).exists()


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# The case card --------------------------------------------------------------------------------------------


def case_referrals(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's referrals and transfers: the card htmx loads into the case page, or a page of its own."""
    case = _case_for(request.user, pk)
    audit_read(actor=request.user, obj=case)
    context = {
        "case": case,
        "referrals": case.referrals.select_related("organization", "service", "person").order_by("-id"),
        "transfers": case.transfers.select_related("to_agency", "from_agency").order_by("-id"),
        "may_refer": may_refer(request.user, case),
    }
    template = "referrals/_case_referrals.html" if is_htmx(request) else "referrals/case_referrals.html"
    return render(request, template, context)


# Preparing and sending -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def referral_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Choose whom to refer, to which service, and what to share; the next step shows it before sending."""
    case = _case_for(request.user, pk)
    if not may_refer(request.user, case):
        raise PermissionDenied
    query = request.GET.get("q", "")[:200]
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
        form = ReferralForm(case=case, query=query, initial={"service": request.GET.get("service")})
        return render(request, "referrals/referral_form.html", {"case": case, "form": form, "query": query})
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = ReferralForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral = services.referral_prepare(
                    by=request.user,
                    case=case,
                    person=data["person"],
                    service=data["service"],
                    items=data["items"],
                    summary=data["summary"],
                    faa_dimensions=data["faa_dimensions"],
                )
                url = reverse("referrals:confirm", args=[referral.pk])
                form_submitted(token=data["form_token"], user=request.user, result_url=url)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(url)
    return render(request, "referrals/referral_form.html", {"case": case, "form": form, "query": query}, status=422)


def _confirm_page(request: AuthedRequest, referral: Referral, *, status: int = 200, **extra: Any) -> HttpResponse:
    content = services.referral_preview(referral=referral, user=request.user)
    context = {
        "referral": referral,
        "case": referral.case,
        "content": content,
        "send_form": SendForm(initial={"checked": services.content_digest(content)}),
        "consented": services.consent_given(referral),
        "may_override": may_override_referral(request.user, referral),
        "override_form": extra.pop("override_form", None) or OverrideForm(),
        **extra,
    }
    return render(request, "referrals/referral_confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
def referral_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    """Exactly what the referral shares, whether the person consented, and the button that sends it."""
    referral = _referral_for(request.user, pk)
    if not _sees_case(request.user, referral):
        raise PermissionDenied
    if not referral.is_draft:
        return redirect("referrals:detail", pk=referral.pk)
    if not may_refer(request.user, referral.case):
        raise PermissionDenied
    if request.method == "GET":
        audit_read(actor=request.user, obj=referral.case)
        return _confirm_page(request, referral)
    form = SendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Check what the referral shares, then send it."))
        services.referral_send(by=request.user, referral=referral, checked=form.cleaned_data["checked"])
    except ValidationError as error:
        return _confirm_page(request, referral, status=422, send_error=_errors(error))
    messages.success(request, _("The referral is sent."))
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def referral_override_view(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request.user, pk)
    if not _sees_case(request.user, referral) or not may_override_referral(request.user, referral):
        raise PermissionDenied
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.referral_override(by=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your decision is recorded: the referral may be sent without consent."))
            return redirect("referrals:confirm", pk=referral.pk)
    return _confirm_page(request, referral, status=422, override_form=form)


@require_POST
def referral_discard_view(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request.user, pk)
    if not _sees_case(request.user, referral) or not may_refer(request.user, referral.case):
        raise PermissionDenied
    case = referral.case
    try:
        services.referral_discard(by=request.user, referral=referral)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, _("The referral is discarded; nothing was shared."))
    return redirect(case)


# Following a referral ------------------------------------------------------------------------------------


def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A sent referral: the sending side sees it with its case; the receiving side sees only what was shared."""
    referral = _referral_for(request.user, pk)
    sender = _sees_case(request.user, referral)
    if sender and referral.is_draft:
        return redirect("referrals:confirm", pk=referral.pk)
    audit_read(actor=request.user, obj=referral.case if sender else referral)
    answering = may_answer(request.user, referral)
    context = {
        "referral": referral,
        "sender": sender,
        "case": referral.case if sender else None,
        "content": referral.shared_content,
        "events": referral.events.select_related("by").order_by("at", "id"),
        "next_statuses": referral.next_statuses() if answering else [],
        "answer_form": AnswerForm(referral=referral) if answering else None,
        "may_assign": answering and referral.answered_in_qadam and may_assign(request.user),
    }
    return render(request, "referrals/referral_detail.html", context)


@require_POST
def referral_answer_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """A step of the receiving side: accept (and assign), decline, in service, completed, not completed."""
    referral = _referral_for(request.user, pk)
    if not may_answer(request.user, referral):
        raise PermissionDenied
    form = AnswerForm(request.POST, referral=referral)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("referrals:detail", pk=referral.pk)
    data = form.cleaned_data
    try:
        services.referral_answer(
            by=request.user,
            referral=referral,
            to_status=data["to_status"],
            reason=data["reason"],
            handler=data["handler"],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The referral is updated."))
    return redirect("referrals:detail", pk=referral.pk)


def inbox(request: AuthedRequest) -> HttpResponse:
    """Referrals sent to the user's agency, and transfers it is asked to take: a page, or the home page card."""
    received = Referral.objects.received_by(request.user).select_related("service", "organization", "case__agency")
    waiting = list(received.filter(status=Referral.Status.SENT).order_by("sent_at", "id")[:INBOX_LENGTH])
    open_ = list(
        received.filter(status__in=[Referral.Status.ACCEPTED, Referral.Status.IN_SERVICE])
        .select_related("handled_by")
        .order_by("-id")[:INBOX_LENGTH]
    )
    transfers = list(
        CaseTransfer.objects.received_by(request.user)
        .filter(status=CaseTransfer.Status.REQUESTED)
        .select_related("from_agency", "case")
        .order_by("id")[:INBOX_LENGTH]
    )
    context = {"waiting": waiting, "open": open_, "transfers": transfers}
    template = "referrals/_inbox.html" if is_htmx(request) else "referrals/inbox.html"
    return render(request, template, context)


# Case transfers ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def transfer_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask another agency to take the case over."""
    case = _case_for(request.user, pk)
    if not can_change(request.user, case) or not case.is_open:
        raise PermissionDenied
    overrides = may_override(request.user, case, case.owner)
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
        form = TransferForm(case=case, may_override=overrides)
        return render(request, "referrals/transfer_form.html", {"case": case, "form": form})
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = TransferForm(request.POST, case=case, may_override=overrides)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                transfer = case_transfer_request(
                    by=request.user,
                    case=case,
                    to_agency=data["to_agency"],
                    reason=data["reason"],
                    household=data["household"],
                    override_reason=data.get("override_reason", ""),
                )
                url = reverse("referrals:transfer", args=[transfer.pk])
                form_submitted(token=data["form_token"], user=request.user, result_url=url)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The transfer is asked for. The receiving agency will answer."))
            return redirect(url)
    return render(request, "referrals/transfer_form.html", {"case": case, "form": form}, status=422)


def _transfer_for(user: User, pk: int) -> CaseTransfer:
    return get_object_or_404(
        CaseTransfer.objects.visible_to(user).select_related(
            "case__agency", "from_agency", "to_agency", "requested_by", "new_owner", "decided_by"
        ),
        pk=pk,
    )


def transfer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A transfer: with its case for the sending side; for the receiving agency, what the request says."""
    transfer = _transfer_for(request.user, pk)
    sees_case = Case.objects.visible_to(request.user).filter(pk=transfer.case_id).exists()
    audit_read(actor=request.user, obj=transfer.case if sees_case else transfer)
    deciding = may_decide_transfer(request.user, transfer)
    context = {
        "transfer": transfer,
        "sees_case": sees_case,
        "accept_form": TransferAcceptForm(agency_id=transfer.to_agency_id) if deciding else None,
        "reject_form": TransferRejectForm() if deciding else None,
    }
    return render(request, "referrals/transfer_detail.html", context)


@require_POST
def transfer_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = _transfer_for(request.user, pk)
    if not may_decide_transfer(request.user, transfer):
        raise PermissionDenied
    form = TransferAcceptForm(request.POST, agency_id=transfer.to_agency_id)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the new case worker."))
        case_transfer_accept(by=request.user, transfer=transfer, owner=form.cleaned_data["owner"])
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("referrals:transfer", pk=transfer.pk)
    messages.success(request, _("The case is now with your agency."))
    if Case.objects.visible_to(request.user).filter(pk=transfer.case_id).exists():
        return redirect("cases:detail", pk=transfer.case_id)
    return redirect("referrals:inbox")


@require_POST
def transfer_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = _transfer_for(request.user, pk)
    if not may_decide_transfer(request.user, transfer):
        raise PermissionDenied
    form = TransferRejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the transfer is rejected."))
        case_transfer_reject(by=request.user, transfer=transfer, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("referrals:transfer", pk=transfer.pk)
    messages.success(request, _("The transfer is rejected; the sending agency is told why."))
    return redirect("referrals:inbox")
