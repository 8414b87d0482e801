"""A person's consent: the decisions in force, their history, and the form to record a new one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qadam.accounts.models import User
from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import team_family_ids
from qadam.consent.forms import ConsentForm
from qadam.consent.models import Consent
from qadam.consent.services import consent_current, consent_history, consent_record
from qadam.families.models import Person
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest


def _person_for(user: User, pk: int) -> Person:
    return get_object_or_404(Person.objects.visible_to(user), pk=pk)


def _may_record(user: User, person: Person) -> bool:
    """Recording is a write: not for read-only roles, and for a restricted person only for the team of
    one of its restricted cases (an emergency access is for reading)."""
    if not user.writes_records:
        return False
    if not person.restricted:
        return True
    return person.memberships.filter(family_id__in=team_family_ids(user)).exists()


def _states(current: list[Consent]) -> list[dict[str, Any]]:
    """One line per purpose; sharing has one per recipient named, or one line saying none is."""
    states = []
    for purpose, label in Consent.Purpose.choices:
        found = [c for c in current if c.purpose == purpose]
        states += [{"purpose": label, "recipient": c.recipient_display, "consent": c} for c in found]
        if not found:
            states.append({"purpose": label, "recipient": None, "consent": None})
    return states


def _show(request: AuthedRequest, person: Person, form: ConsentForm | None = None, status: int = 200) -> HttpResponse:
    """The consent section: the fragment htmx puts into the person page, or a page of its own without JS."""
    history = consent_history(person)
    may_record = _may_record(request.user, person)
    if form is None and may_record:
        form = ConsentForm(instance=Consent(person=person))
    context = {
        "person": person,
        "history": history,
        "states": _states(consent_current(person, history=history)),
        "form": form,
        "may_record": may_record,
    }
    if is_htmx(request):
        # htmx swaps only successful answers, so refused input comes back as 200 with its errors.
        return render(request, "consent/_person_consents.html", {**context, "fragment": True})
    return render(request, "consent/person_consents.html", context, status=status)


def _after_write(request: AuthedRequest, person: Person) -> HttpResponse:
    if is_htmx(request):
        return _show(request, person)
    return redirect("consent:person", pk=person.pk)


def _record(request: AuthedRequest, person: Person) -> HttpResponse:
    if not _may_record(request.user, person):
        raise PermissionDenied
    if form_result(token=request.POST.get("form_token"), user=request.user):
        messages.info(request, _("This form was already sent; the decision was recorded then."))
        return _after_write(request, person)
    form = ConsentForm(request.POST, instance=Consent(person=person))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                consent = consent_record(
                    by=request.user,
                    person=person,
                    purpose=data["purpose"],
                    recipient=data["recipient"],
                    recipient_organization=data.get("recipient_organization"),
                    decision=data["decision"],
                    how=data["how"],
                    witness=data["witness"],
                    decided_at=data["decided_at"],
                    note=data["note"],
                )
                result_url = reverse("consent:person", args=[person.pk])
                form_submitted(token=data["form_token"], user=request.user, result_url=result_url)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if consent.is_given:
                messages.success(request, _("The consent is recorded."))
            else:
                messages.success(request, _("The withdrawal is recorded and takes effect now."))
            return _after_write(request, person)
    return _show(request, person, form=form, status=422)


@require_http_methods(["GET", "POST"])
def person_consents(request: AuthedRequest, pk: int) -> HttpResponse:
    """A person's consent section (GET), or a decision recorded in it (POST)."""
    person = _person_for(request.user, pk)
    if request.method == "POST":
        return _record(request, person)  # audited as the change it makes
    audit_read(actor=request.user, obj=person)
    return _show(request, person)
