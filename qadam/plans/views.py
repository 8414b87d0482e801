"""Support plan pages: the case card, making a plan from the assessment's suggestions, a version's page with
its goals and actions, the family's agreement and its scan, the printable copy, and reviews.

Every plan is fetched through `SupportPlan.objects.visible_to` (404 otherwise); writes and change forms also
need `can_change` on its case (403). Pages that show the plan record a read of its case in the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import can_change
from qadam.cases.models import Case
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.plans.approvals import plan_submit
from qadam.plans.forms import (
    ActionForm,
    ActionStatusForm,
    AgreementForm,
    GoalForm,
    GoalRowFormSet,
    PlanCreateForm,
    PlanForm,
    ReviewForm,
    SubmitForm,
)
from qadam.plans.models import Action, Approval, Goal, PlanReview, SupportPlan
from qadam.plans.services import (
    action_add,
    action_set_status,
    current_plan,
    goal_add,
    goal_remove,
    goal_update,
    plan_agree,
    plan_create,
    plan_new_version,
    plan_suggestions,
    plan_update,
    review_complete,
)

REVIEW_AFTER_DAYS = 90  # instruments.md §10.7: re-assessment at 3 months


def _case_for(request: AuthedRequest, pk: int, *, write: bool = False) -> Case:
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("family__head", "owner"), pk=pk)
    if write and not can_change(request.user, case):
        raise PermissionDenied
    return case


def _plan_for(request: AuthedRequest, pk: int, *, write: bool = False) -> SupportPlan:
    plan = get_object_or_404(
        SupportPlan.objects.visible_to(request.user).select_related("case__family__head", "case__owner"), pk=pk
    )
    if write and not can_change(request.user, plan.case):
        raise PermissionDenied
    return plan


def _errors(request: AuthedRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _form_errors(request: AuthedRequest, form: Any) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


# The case card ----------------------------------------------------------------------------------------------


def case_plans(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's plan, its versions and requests for approval: the card htmx loads into the case page, or a
    page of its own without JavaScript."""
    case = _case_for(request, pk)
    audit_read(actor=request.user, obj=case)
    versions = list(SupportPlan.objects.filter(case=case).order_by("-version"))
    approvals = list(
        Approval.objects.filter(case=case).select_related("plan", "requested_by", "decided_by").order_by("-id")[:5]
    )
    context = {
        "case": case,
        "plan": versions[0] if versions else None,
        "versions": versions,
        "approvals": approvals,
        "pending": [a for a in approvals if a.status == Approval.Status.PENDING],
        "returned": next((a for a in approvals if a.status == Approval.Status.RETURNED), None),
        "can_change": can_change(request.user, case) and case.is_open,
    }
    template = "plans/_case_plans.html" if is_htmx(request) else "plans/case_plans.html"
    return render(request, template, context)


# Making the plan --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_create_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Make the first plan: strengths and suggested goals from the latest FAA, kept, rewritten or dropped."""
    case = _case_for(request, pk, write=True)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    if (existing := current_plan(case)) is not None:
        return redirect(existing)
    suggestions = plan_suggestions(case)
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
        today = timezone.localdate()
        form = PlanCreateForm(
            initial={
                "starts_on": today,
                "review_on": today + timedelta(days=REVIEW_AFTER_DAYS),
                "language": suggestions.language,
                "strengths": "\n".join(suggestions.strengths),
            }
        )
        rows = [{**g, "origin": "suggested"} for g in suggestions.goals] + [{"origin": "family"}] * 3
        formset = GoalRowFormSet(initial=rows, prefix="goals")
    else:
        form = PlanCreateForm(request.POST)
        formset = GoalRowFormSet(request.POST, prefix="goals")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            goals = [g for row in formset.forms if (g := row.goal) is not None]
            try:
                with transaction.atomic():
                    plan = plan_create(
                        by=request.user,
                        case=case,
                        starts_on=data["starts_on"],
                        review_on=data["review_on"],
                        language=data["language"],
                        strengths=data["strengths"],
                        goals=goals,
                        assessment=suggestions.assessment,
                    )
                    form_submitted(token=data["form_token"], user=request.user, result_url=plan.get_absolute_url())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The plan is made. Add the actions: who does what, by when."))
                return redirect(plan)
    context = {"case": case, "form": form, "formset": formset, "suggestions": suggestions}
    return render(request, "plans/plan_create.html", context, status=422 if form.errors or formset.errors else 200)


# A version of the plan --------------------------------------------------------------------------------------


def _plan_context(request: AuthedRequest, plan: SupportPlan) -> dict[str, Any]:
    case = plan.case
    goals = list(plan.goals.prefetch_related("actions__person", "actions__user").order_by("position", "id"))
    changes = can_change(request.user, case) and case.is_open
    current = current_plan(case)
    return {
        "case": case,
        "plan": plan,
        "goals": goals,
        "is_current": current == plan,
        "current": current,
        "versions": SupportPlan.objects.filter(case=case).order_by("-version"),
        "can_change": changes,
        "can_edit": changes and current == plan and plan.is_editable,
        "approvals": plan.approvals.select_related("requested_by", "decided_by").order_by("-id"),
        "review": PlanReview.objects.filter(case=case, done_on__isnull=True).order_by("due_on").first(),
        "past_reviews": PlanReview.objects.filter(case=case, done_on__isnull=False).order_by("-done_on")[:5],
        "plan_form": PlanForm(
            initial={"starts_on": plan.starts_on, "language": plan.language, "strengths": plan.strengths}
        ),
        "goal_form": GoalForm(),
        "action_form": ActionForm(case=case) if changes else None,
        "status_form": ActionStatusForm(),
        "submit_form": SubmitForm(),
        "review_form": ReviewForm(),
    }


def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    audit_read(actor=request.user, obj=plan.case)
    return render(request, "plans/plan_detail.html", _plan_context(request, plan))


@require_POST
def plan_update_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk, write=True)
    form = PlanForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    try:
        plan_update(by=request.user, plan=plan, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The plan is updated."))
    return redirect(plan)


@require_POST
def plan_new_version_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk, write=True)
    try:
        new = plan_new_version(by=request.user, plan=plan)
    except ValidationError as error:
        _errors(request, error)
        return redirect(plan)
    messages.success(request, _("A new version of the plan is started from the last one."))
    return redirect(new)


@require_POST
def goal_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk, write=True)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(plan)
    form = GoalForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    try:
        with transaction.atomic():
            goal_add(
                by=request.user, plan=plan, words=form.cleaned_data["words"], dimension=form.cleaned_data["dimension"]
            )
            form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=plan.get_absolute_url())
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The goal is added."))
    return redirect(plan)


@require_POST
def goal_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.filter(plan__in=SupportPlan.objects.visible_to(request.user)), pk=pk)
    plan = _plan_for(request, goal.plan_id, write=True)
    form = GoalForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    try:
        goal_update(
            by=request.user, goal=goal, words=form.cleaned_data["words"], dimension=form.cleaned_data["dimension"]
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The goal is changed."))
    return redirect(plan)


@require_POST
def goal_remove_view(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.filter(plan__in=SupportPlan.objects.visible_to(request.user)), pk=pk)
    plan = _plan_for(request, goal.plan_id, write=True)
    try:
        goal_remove(by=request.user, goal=goal)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The goal is removed."))
    return redirect(plan)


@require_POST
def action_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.filter(plan__in=SupportPlan.objects.visible_to(request.user)), pk=pk)
    plan = _plan_for(request, goal.plan_id, write=True)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(plan)
    form = ActionForm(request.POST, case=plan.case)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            action_add(by=request.user, goal=goal, what=data["what"], due_on=data["due_on"], **form.party())
            form_submitted(token=data["form_token"], user=request.user, result_url=plan.get_absolute_url())
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The action is added."))
    return redirect(plan)


@require_POST
def action_status_view(request: AuthedRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.filter(goal__plan__in=SupportPlan.objects.visible_to(request.user)).select_related("goal"),
        pk=pk,
    )
    plan = _plan_for(request, action.goal.plan_id, write=True)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    try:
        action_set_status(by=request.user, action=action, status=form.cleaned_data["status"])
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The action is updated."))
    return redirect(plan)


@require_POST
def plan_submit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk, write=True)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(plan)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(plan)
    try:
        with transaction.atomic():
            plan_submit(by=request.user, plan=plan, comment=form.cleaned_data["comment"])
            form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=plan.get_absolute_url())
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The plan is sent to the supervisor for approval."))
    return redirect(plan)


# The family's agreement -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agreement_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk, write=True)
    if request.method == "GET":
        audit_read(actor=request.user, obj=plan.case)
        form = AgreementForm()
    else:
        form = AgreementForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan_agree(
                    by=request.user,
                    plan=plan,
                    agreed_on=data["agreed_on"],
                    how=data["how"],
                    witness=data["witness"],
                    scan=data["scan"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The family's agreement is recorded."))
                return redirect(plan)
    status = 422 if form.errors else 200
    return render(request, "plans/agreement_form.html", {"plan": plan, "case": plan.case, "form": form}, status=status)


def agreement_scan(request: AuthedRequest, pk: int) -> FileResponse:
    """The scan of the signed plan, only to those who may open the case; never from a public address."""
    plan = _plan_for(request, pk)
    if not plan.scan:
        raise Http404
    audit_read(actor=request.user, obj=plan.case)
    extension = (plan.scan.name or "").rsplit(".", 1)[-1]
    content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(plan.scan.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


def plan_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The family's copy to take home, in its language: strengths first, goals in its words, who does what by
    when, the review date. Nothing of the case type or of a restriction is on it."""
    plan = _plan_for(request, pk)
    language = request.GET.get("language", plan.language)
    if language not in SupportPlan.Language.values:
        language = plan.language
    audit_read(actor=request.user, obj=plan.case, action="printed")
    goals = plan.goals.prefetch_related("actions__person", "actions__user").order_by("position", "id")
    review = PlanReview.objects.filter(case=plan.case, done_on__isnull=True).order_by("due_on").first()
    with translation.override(language):
        context = {"plan": plan, "goals": goals, "review": review, "print_language": language}
        return render(request, "plans/plan_print.html", context)


# Reviews ----------------------------------------------------------------------------------------------------


@require_POST
def review_done(request: AuthedRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(PlanReview.objects.visible_to(request.user).select_related("case"), pk=pk)
    case = _case_for(request, review.case_id, write=True)
    plan = current_plan(case)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(plan or case)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                review_complete(
                    by=request.user,
                    review=review,
                    outcome=data["outcome"],
                    done_on=data["done_on"],
                    next_review_on=data["next_review_on"],
                )
                form_submitted(
                    token=data["form_token"], user=request.user, result_url=(plan or case).get_absolute_url()
                )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The review is recorded."))
    return redirect(plan or case)
