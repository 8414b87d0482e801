from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qadam.accounts.models import User
from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import can_break_glass, can_change, can_see_history, on_team
from qadam.cases.forms import (
    AssignForm,
    CaseOpenForm,
    CloseForm,
    EmergencyForm,
    NoteForm,
    PerpetratorForm,
    ReopenForm,
    RestrictForm,
    StatusForm,
    TaskForm,
    TeamForm,
)
from qadam.cases.models import BreakGlass, Case, Note, Notification, Task
from qadam.cases.services import (
    case_assign,
    case_break_glass,
    case_change_status,
    case_open,
    case_reopen,
    case_restrict,
    case_team_add,
    case_team_remove,
    note_add,
    notification_read,
    perpetrator_record,
    task_add,
    task_complete,
)
from qadam.families.models import Family
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.lib.pagination import keyset_page

TIMELINE_LENGTH = 50


def _case_for(user: User, pk: int, *, write: bool = False) -> Case:
    """The case if the user may see it (404 otherwise); with `write`, also if they may change it (403)."""
    case = get_object_or_404(
        Case.objects.visible_to(user).select_related("family__head", "person", "owner", "agency"), pk=pk
    )
    if write and not can_change(user, case):
        raise PermissionDenied
    return case


def _case_read(request: AuthedRequest, pk: int, *, form: bool = False) -> Case:
    """The case for a page that shows it, the reading recorded in the audit log; a form of a change is
    shown only to those who may make it."""
    case = _case_for(request.user, pk, write=form)
    audit_read(actor=request.user, obj=case)
    return case


# What the home page shows of a case: its number and state, and the name of the family's head.
HOME_CASE_FIELDS = ["number", "kind", "status", "priority", "opened_on", "assigned_at", "family__head_id"]
HEAD_NAME = [
    "family__head__surname",
    "family__head__given_name",
    "family__head__patronymic",
    "family__head__restricted",
]


def home(request: AuthedRequest) -> HttpResponse:
    """The worker's day: open cases, tasks due soon or overdue, and cases assigned lately."""
    user = request.user
    today = timezone.localdate()
    cases = (
        Case.objects.visible_to(user)
        .filter(owner=user)
        .exclude(status=Case.Status.CLOSED)
        .select_related("family__head")
        .only(*HOME_CASE_FIELDS, *HEAD_NAME)
    )
    open_cases = list(cases.order_by("-priority", "-id")[:25])
    recent = list(cases.filter(assigned_at__gte=timezone.now() - timedelta(days=14)).order_by("-assigned_at")[:10])
    tasks = list(
        Task.objects.visible_to(user)
        .open()
        .filter(assignee=user, due_on__lte=today + timedelta(days=7))
        .select_related("case__family__head")
        .only("title", "due_on", "done_at", "case__number", "case__family__head_id", *(f"case__{f}" for f in HEAD_NAME))
        .order_by("due_on", "id")[:50]
    )
    notifications = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("actor", "case")
        .order_by("-id")[:20]
    )
    return render(
        request,
        "cases/home.html",
        {
            "notifications": notifications,
            "open_cases": open_cases,
            "recent": recent,
            "tasks": tasks,
            "today": today,
            "overdue": sum(1 for t in tasks if t.due_on < today),
        },
    )


def case_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    cases = Case.objects.visible_to(request.user).select_related("family__head", "owner")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    if request.GET.get("mine"):
        cases = cases.filter(owner=request.user)
    page = keyset_page(cases, after=request.GET.get("after"))
    template = "cases/_case_rows.html" if is_htmx(request) and request.GET.get("after") else "cases/case_list.html"
    return render(
        request,
        template,
        {"page": page, "status": status, "statuses": Case.Status.choices, "mine": bool(request.GET.get("mine"))},
    )


def case_create(request: AuthedRequest, family_pk: int) -> HttpResponse:
    family = get_object_or_404(Family.objects.visible_to(request.user).select_related("head"), pk=family_pk)
    if not request.user.writes_records or not (request.user.manages_cases or request.user.role == User.Role.REGISTRAR):
        raise PermissionDenied
    if request.method == "GET":
        audit_read(actor=request.user, obj=family)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        messages.info(request, _("This form was already sent; here is the case it opened."))
        return redirect(done)
    form = CaseOpenForm(request.POST or None, family=family, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                case = case_open(
                    by=request.user,
                    family=family,
                    person=data["person"],
                    kind=data["kind"],
                    owner=data["owner"],
                    priority=data["priority"],
                    grounds=data["grounds"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=case.get_absolute_url())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Case %(number)s is opened.") % {"number": case.number})
            if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
                return redirect(family)  # opened for a colleague's team: an intake worker does not follow it
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "family": family})


def _timeline(case: Case, user: User) -> list[dict[str, Any]]:
    """Status changes, notes and tasks of a case, newest first."""
    events: list[dict[str, Any]] = []
    for change in case.status_changes.select_related("by").order_by("-at")[:TIMELINE_LENGTH]:
        events.append({"kind": "status", "at": change.at, "item": change})
    for note in case.notes.select_related("author").order_by("-id")[:TIMELINE_LENGTH]:
        events.append({"kind": "note", "at": note.created_at, "item": note})
    tasks = Task.objects.visible_to(user).filter(case=case).select_related("assignee", "created_by", "done_by")
    for task in tasks.order_by("-id")[:TIMELINE_LENGTH]:
        events.append({"kind": "task", "at": task.created_at, "item": task})
        if task.done_at:
            events.append({"kind": "task_done", "at": task.done_at, "item": task})
    from qadam.referrals.services import case_timeline_events  # referral outcomes return to the case

    events += case_timeline_events(case)
    events.sort(key=lambda e: e["at"], reverse=True)
    return events


def _case_context(request: AuthedRequest, case: Case, **forms: Any) -> dict[str, Any]:
    timeline = _timeline(case, request.user)
    open_tasks: list[Task] = [e["item"] for e in timeline if e["kind"] == "task" and e["item"].done_at is None]
    context = {
        "case": case,
        "timeline": timeline,
        "open_tasks": sorted(open_tasks, key=lambda t: t.due_on),
        "note_form": forms.get("note_form") or NoteForm(initial={"contact_on": timezone.localdate()}),
        "task_form": forms.get("task_form") or TaskForm(case=case),
        "status_form": StatusForm(),
        "close_form": CloseForm(),
        "reopen_form": ReopenForm(),
        "can_change": (changes := can_change(request.user, case)),
        "can_write_notes": changes and request.user.writes_case_notes,
        "can_manage": changes,
        "team": [case.owner, *(a.user for a in case.assignments.select_related("user"))],
        "on_team": on_team(request.user, case),
        "can_see_history": can_see_history(request.user, case),
        "emergency": BreakGlass.objects.active().filter(case=case, user=request.user).order_by("-expires_at").first(),
        "perpetrators": case.alleged_perpetrators.select_related("person") if case.restricted else [],
        "perpetrator_form": PerpetratorForm(user=request.user),
    }
    return context


def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_read(request, pk)
    return render(request, "cases/case_detail.html", _case_context(request, case))


def case_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case file as a document to print: what the reader may see of it, names masked as on the pages,
    and the printing recorded in the audit log as such."""
    case = _case_for(request.user, pk)
    audit_read(actor=request.user, obj=case, action="printed")
    context = _case_context(request, case)
    context["members"] = case.family.memberships.select_related("person").order_by("person__birth_date")
    context["printed_at"] = timezone.now()
    return render(request, "cases/case_print.html", context)


def _after_write(request: AuthedRequest, case: Case, **forms: Any) -> HttpResponse:
    """htmx gets the refreshed activity fragment; a plain form post gets the page."""
    if is_htmx(request):
        return render(request, "cases/_activity.html", {**_case_context(request, case, **forms), "fragment": True})
    if forms:
        return render(request, "cases/case_detail.html", _case_context(request, case, **forms), status=422)
    return redirect(case)


@require_POST
def note_create(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk, write=True)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return _after_write(request, case)
    form = NoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                note_add(
                    by=request.user,
                    case=case,
                    contact=data["contact"],
                    contact_on=data["contact_on"],
                    text=data["text"],
                    minutes=data["minutes"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=case.get_absolute_url())
        except ValidationError as error:
            form.add_error(None, error)
            return _after_write(request, case, note_form=form)
        messages.success(request, _("The note is added."))
        return _after_write(request, case)
    return _after_write(request, case, note_form=form)


def _action_form(request: AuthedRequest, case: Case, fragment: str, title: str, **context: Any) -> HttpResponse:
    """A case action's form: the fragment htmx loads into the case page, or a page of its own without JS."""
    context = {"case": case, "fragment": fragment, "title": title, **context}
    return render(request, fragment if is_htmx(request) else "cases/case_action.html", context)


@require_http_methods(["GET", "POST"])
def task_create(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _case_read(request, pk, form=True)
        return _action_form(request, case, "cases/_task_form.html", _("Add a task"), task_form=TaskForm(case=case))
    case = _case_for(request.user, pk, write=True)
    if form_result(token=request.POST.get("form_token"), user=request.user):
        return _after_write(request, case)
    form = TaskForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                task_add(
                    by=request.user, case=case, title=data["title"], due_on=data["due_on"], assignee=data["assignee"]
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=case.get_absolute_url())
        except ValidationError as error:
            form.add_error(None, error)
            return _after_write(request, case, task_form=form)
        messages.success(request, _("The task is added."))
        return _after_write(request, case)
    return _after_write(request, case, task_form=form)


@require_POST
def task_done(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.visible_to(request.user).select_related("case"), pk=pk)
    _case_for(request.user, task.case_id, write=True)
    task_complete(by=request.user, task=task)
    if request.POST.get("next") == "home":
        return redirect("cases:home")
    return _after_write(request, _case_for(request.user, task.case_id))


def _status_action(request: AuthedRequest, pk: int, form_class: type, action: Any) -> HttpResponse:
    """A change made from a small form on the case page: done and told in a message, then back to the case."""
    case = _case_for(request.user, pk, write=True)
    form: forms.Form
    if form_class in (AssignForm, TeamForm):
        form = form_class(request.POST, case=case)
    elif form_class is PerpetratorForm:
        form = form_class(request.POST, user=request.user)
    else:
        form = form_class(request.POST)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The case is updated."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(case)


@require_POST
def case_status(request: AuthedRequest, pk: int) -> HttpResponse:
    return _status_action(
        request,
        pk,
        StatusForm,
        lambda case, d: case_change_status(by=request.user, case=case, to_status=d["to_status"], comment=d["comment"]),
    )


@require_POST
def case_close_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Supervisors and agency administrators close the case; a social worker's closing waits for approval
    (qadam/plans/approvals.py)."""
    from qadam.plans.approvals import case_close_or_request

    case = _case_for(request.user, pk, write=True)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(case)
    data = form.cleaned_data
    try:
        done = case_close_or_request(by=request.user, case=case, reason=data["closing_reason"], comment=data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        closed = isinstance(done, Case)
        messages.success(request, _("The case is closed.") if closed else _("Closing the case waits for approval."))
    return redirect(case)


@require_POST
def case_reopen_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _status_action(
        request, pk, ReopenForm, lambda case, d: case_reopen(by=request.user, case=case, comment=d["comment"])
    )


@require_http_methods(["GET", "POST"])
def case_assign_view(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _case_read(request, pk, form=True)
        return _action_form(request, case, "cases/_assign_form.html", _("Reassign"), assign_form=AssignForm(case=case))
    return _status_action(
        request, pk, AssignForm, lambda case, d: case_assign(by=request.user, case=case, owner=d["owner"])
    )


def note_search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    notes = Note.objects.visible_to(request.user).select_related("case__family__head", "author")
    page = keyset_page(notes.search(query), after=request.GET.get("after")) if query.strip() else None
    return render(request, "cases/note_search.html", {"page": page, "query": query})


@require_http_methods(["GET", "POST"])
def case_team_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _case_read(request, pk, form=True)
        return _action_form(
            request, case, "cases/_team_form.html", _("Add a colleague to the team"), team_form=TeamForm(case=case)
        )
    return _status_action(
        request, pk, TeamForm, lambda case, d: case_team_add(by=request.user, case=case, user=d["user"])
    )


@require_POST
def case_team_remove_view(request: AuthedRequest, pk: int, user_pk: int) -> HttpResponse:
    case = _case_for(request.user, pk, write=True)
    case_team_remove(by=request.user, case=case, user=get_object_or_404(User, pk=user_pk))
    messages.success(request, _("The case is updated."))
    return redirect(case)


@require_POST
def case_restrict_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _status_action(
        request, pk, RestrictForm, lambda case, d: case_restrict(by=request.user, case=case, reason=d["reason"])
    )


@require_POST
def perpetrator_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record on the survivor's case whom she names as the one who harmed her."""

    def record(case: Case, data: dict[str, Any]) -> None:
        perpetrator_record(
            by=request.user,
            case=case,
            relationship=data["relationship"],
            person=data["iin"],
            description=data["description"],
        )

    return _status_action(request, pk, PerpetratorForm, record)


@require_http_methods(["GET", "POST"])
def emergency(request: AuthedRequest) -> HttpResponse:
    """Open a restricted case in an emergency, by its number, giving a reason that its case worker will read."""
    user = request.user
    if user.agency is None or not user.sees_named_records or user.role not in user.agency.break_glass_roles:
        raise PermissionDenied
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        case = Case.objects.filter(agency=user.agency, number=number, restricted=True).select_related("agency").first()
        if case is None or not can_break_glass(user, case):
            form.add_error("number", _("Your agency has no restricted case with this number that you may open."))
        else:
            try:
                case_break_glass(by=user, case=case, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(case)
    return render(request, "cases/emergency.html", {"form": form})


@require_POST
def notification_done(request: AuthedRequest, pk: int) -> HttpResponse:
    notification_read(user=request.user, notification_id=pk)
    return redirect("cases:home")
