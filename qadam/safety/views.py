"""Pages of the safety app. Records are fetched through `visible_to` (404 for what a user may not see);
a write, or the form of one, by someone who may read but not change answers 403.

Safety records are the case team's alone (qadam/safety/access.py): anyone else who can open the case,
or not, gets 404 from every page here, so that nothing tells them a plan or a measure exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.models import Case
from qadam.families.models import Person
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.safety.access import can_change_contact, can_change_safety, can_read_safety
from qadam.safety.forms import (
    EndForm,
    ExtendForm,
    MeasureForm,
    SafeContactForm,
    SafetyPlanForm,
    StayEndForm,
    StayForm,
    ViolationForm,
    add_errors,
)
from qadam.safety.models import CrisisStay, ProtectiveMeasure, SafeContact, SafetyPlan, SafetyPlanVersion
from qadam.safety.sections import SECTIONS
from qadam.safety.services import (
    measure_add,
    measure_end,
    measure_extend,
    safe_contact_of,
    safe_contact_set,
    safety_plan_write,
    stay_add,
    stay_end,
    violation_add,
)

# Safe contact -------------------------------------------------------------------------------------------


def contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The person's safe contact preferences (a change form: those who may change the person only)."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not can_change_contact(request.user, person):
        raise PermissionDenied
    if request.method == "GET":
        audit_read(actor=request.user, obj=person)
    current = safe_contact_of(person) or SafeContact(person=person)
    form = SafeContactForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            safe_contact_set(by=request.user, person=person, **{k: form.cleaned_data[k] for k in SafeContact.FIELDS})
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The safe contact preferences are saved."))
            return redirect(person)
    return render(request, "safety/contact_form.html", {"form": form, "person": person})


# The case's safety records -----------------------------------------------------------------------------


def _safety_case(request: AuthedRequest, pk: int, *, write: bool = False) -> Case:
    """The case, if the user may read its safety records (404 otherwise, even when the case itself is
    visible to them); 403 for a change by someone who may only read (an emergency access)."""
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("family", "person"), pk=pk)
    if not can_read_safety(request.user, case):
        raise Http404
    if (write or request.method != "GET") and not can_change_safety(request.user, case):
        raise PermissionDenied
    return case


def _plan(case: Case) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(case=case).first()


@require_GET
def case_safety(request: AuthedRequest, pk: int) -> HttpResponse:
    """The safety card htmx loads into the case page (plan status, measures in force with days left,
    crisis-centre stays), or, without JavaScript, a page of its own with every measure and violation."""
    case = _safety_case(request, pk)
    audit_read(actor=request.user, obj=case)
    plan = _plan(case)
    measures = list(
        ProtectiveMeasure.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("person")
        .prefetch_related("violations")
        .order_by("-issued_on", "-pk")
    )
    context = {
        "case": case,
        "plan": plan,
        "current": plan.current if plan is not None else None,
        "active_measures": [m for m in measures if m.is_active],
        "measures": measures,
        "stays": CrisisStay.objects.visible_to(request.user).filter(case=case).order_by("-from_on", "-pk"),
        "can_change": can_change_safety(request.user, case) and case.is_open,
        "today": timezone.localdate(),
    }
    template = "safety/_case.html" if is_htmx(request) else "safety/case_safety.html"
    return render(request, template, context)


@require_GET
def plan_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The current safety plan (or an earlier version, `?v=`), with the list of versions: who wrote each, when."""
    case = _safety_case(request, pk)
    plan = _plan(case)
    audit_read(actor=request.user, obj=plan or case)
    versions = list(plan.versions.select_related("written_by").order_by("-number")) if plan is not None else []
    shown = versions[0] if versions else None
    if request.GET.get("v") and versions:
        shown = next((v for v in versions if str(v.number) == request.GET["v"]), None)
        if shown is None:
            raise Http404
    context = {
        "case": case,
        "plan": plan,
        "versions": versions,
        "shown": shown,
        "sections": _sections(shown),
        "can_change": can_change_safety(request.user, case) and case.is_open,
    }
    return render(request, "safety/plan.html", context)


def _sections(version: SafetyPlanVersion | None) -> list[dict[str, Any]]:
    texts = version.texts if version is not None else {}
    return [{"section": s, "text": texts[s.key]} for s in SECTIONS if texts.get(s.key)]


def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Write a new version of the plan, starting from the current one."""
    case = _safety_case(request, pk, write=True)
    plan = _plan(case)
    if request.method == "GET":
        audit_read(actor=request.user, obj=plan or case)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = SafetyPlanForm(request.POST or None, current=plan.current if plan is not None else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        url = reverse("safety:plan", kwargs={"pk": case.pk})
        try:
            with transaction.atomic():
                safety_plan_write(
                    by=request.user,
                    case=case,
                    sections=form.sections(),
                    situation=data["situation"],
                    occasion=data["occasion"],
                    review_on=data["review_on"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=url)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The safety plan is saved."))
            return redirect(url)
    fields = [form[s.key] for s in SECTIONS]
    return render(request, "safety/plan_form.html", {"case": case, "form": form, "section_fields": fields})


@require_GET
def plan_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The survivor's own copy, made to be safe if someone else finds it: her words under plain headings,
    in her language; no agency, no case, no crisis centre, no address, nothing that names violence."""
    case = _safety_case(request, pk)
    plan = _plan(case)
    version = plan.current if plan is not None else None
    if plan is None or version is None:
        raise Http404
    audit_read(actor=request.user, obj=plan, action="printed")
    worker_language = get_language() or "en"
    language = request.GET.get("lang") or case.person.preferred_language
    if language not in ("kk", "ru", "en"):
        language = worker_language
    with translation.override(language):
        context = {
            "sections": _sections(version),
            "version": version,
            "print_language": language,
            "worker_language": worker_language,
        }
        return render(request, "safety/plan_print.html", context)


# Protective measures and crisis-centre stays ------------------------------------------------------------


def _back(case: Case) -> str:
    return reverse("safety:case", kwargs={"pk": case.pk})


def _form_page(request: AuthedRequest, case: Case, form: forms.Form, title: str, **extra: Any) -> HttpResponse:
    return render(request, "safety/form.html", {"case": case, "form": form, "title": title, **extra})


def measure_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _safety_case(request, pk, write=True)
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = MeasureForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                measure_add(
                    by=request.user,
                    case=case,
                    kind=data["kind"],
                    person=data["person"],
                    issued_on=data["issued_on"],
                    issued_by=data["issued_by"],
                    reference=data["reference"],
                    ends_on=data["ends_on"],
                    replaces=data["replaces"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=_back(case))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The protective measure is recorded; a reminder is set before it ends."))
            return redirect(_back(case))
    return _form_page(request, case, form, _("Record a protective measure"))


def _measure_for(request: AuthedRequest, pk: int) -> ProtectiveMeasure:
    measure = get_object_or_404(ProtectiveMeasure.objects.visible_to(request.user).select_related("case"), pk=pk)
    _safety_case(request, measure.case_id, write=True)
    if request.method == "GET":
        audit_read(actor=request.user, obj=measure.case)
    return measure


def measure_extend_view(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure_extend(by=request.user, measure=measure, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The new end date is saved; the reminder moved with it."))
            return redirect(_back(measure.case))
    return _form_page(request, measure.case, form, _("Extend a protective measure"), measure=measure)


def measure_end_view(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    form = EndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            measure_end(by=request.user, measure=measure, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The measure is recorded as ended."))
            return redirect(_back(measure.case))
    return _form_page(request, measure.case, form, _("A protective measure ended early"), measure=measure)


def violation_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = _measure_for(request, pk)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = ViolationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                violation_add(
                    by=request.user,
                    measure=measure,
                    occurred_on=data["occurred_on"],
                    what=data["what"],
                    reported_to_police=data["reported_to_police"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=_back(measure.case))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The violation is recorded."))
            return redirect(_back(measure.case))
    return _form_page(request, measure.case, form, _("Record a violation"), measure=measure)


def stay_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _safety_case(request, pk, write=True)
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = StayForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                stay_add(
                    by=request.user,
                    case=case,
                    person=data["person"],
                    centre=data["centre"],
                    from_on=data["from_on"],
                    to_on=data["to_on"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=_back(case))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The stay is recorded."))
            return redirect(_back(case))
    return _form_page(request, case, form, _("Record a crisis-centre stay"))


def stay_end_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stay = get_object_or_404(CrisisStay.objects.visible_to(request.user).select_related("case"), pk=pk)
    case = _safety_case(request, stay.case_id, write=True)
    if request.method == "GET":
        audit_read(actor=request.user, obj=case)
    form = StayEndForm(request.POST or None, initial={"to_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            stay_end(by=request.user, stay=stay, to_on=form.cleaned_data["to_on"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The end of the stay is recorded."))
            return redirect(_back(case))
    return _form_page(request, case, form, _("She left the crisis centre"))
