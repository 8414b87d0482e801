from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from qadam.accounts.decorators import records_writer_required
from qadam.accounts.models import User
from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import can_see_history, team_family_ids
from qadam.cases.models import Case
from qadam.families.forms import FamilyCreateForm, MemberForm, MoveForm, PersonForm
from qadam.families.models import Family, Membership, Move, Person, identifier_lookup
from qadam.families.services import (
    family_add_member,
    family_register,
    likely_duplicates,
    move_record,
    person_register,
    person_update,
)
from qadam.lib.crypto import iin_index
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest
from qadam.lib.pagination import keyset_page


def _family_for(request: AuthedRequest, pk: int, *, form: bool = False) -> Family:
    """The family if the user may see it (404 otherwise), the reading of a page recorded in the audit log.
    A form of a change, and the change itself, are for roles that write (403 otherwise)."""
    family = get_object_or_404(Family.objects.visible_to(request.user).select_related("head", "agency"), pk=pk)
    _audit_or_refuse(request, family, form=form)
    return family


def _person_for(request: AuthedRequest, pk: int, *, form: bool = False) -> Person:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    _audit_or_refuse(request, person, form=form)
    return person


def _audit_or_refuse(request: AuthedRequest, obj: Family | Person, *, form: bool) -> None:
    if (form or request.method != "GET") and not request.user.writes_records:
        raise PermissionDenied
    if request.method == "GET":
        audit_read(actor=request.user, obj=obj)


def family_search(user: User, query: str):
    """The families a user may open that match a name, IIN or phone; the scope is part of the same query."""
    families = Family.objects.visible_to(user)
    query = query.strip()
    if lookup := identifier_lookup(query, prefix="person__"):
        # An IIN or phone is encrypted: it is found by its blind index, never in the full-text index.
        return families.filter(pk__in=Membership.objects.filter(**lookup).values("family_id"))
    return families.search(query)


def family_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    families = (
        family_search(request.user, query)
        .select_related("head")
        .prefetch_related(
            Prefetch("moves", queryset=Move.objects.select_related("origin_region")),
            Prefetch("memberships", queryset=Membership.objects.only("id", "family_id")),
        )
    )
    page = keyset_page(families, after=request.GET.get("after"))
    elsewhere = _iin_elsewhere(request.user, query) if not page.items else None
    template = (
        "families/_family_rows.html" if is_htmx(request) and request.GET.get("after") else "families/family_list.html"
    )
    if is_htmx(request) and not request.GET.get("after"):
        template = "families/_family_results.html"
    return render(request, template, {"page": page, "query": query, "elsewhere": elsewhere})


def _iin_elsewhere(user: User, query: str) -> Person | None:
    """The person an IIN belongs to when the user may not open them: the page says only whom to contact."""
    compact = query.replace(" ", "")
    if not (len(compact) == 12 and compact.isdigit()) or not user.sees_named_records:
        return None
    return Person.objects.filter(iin_index=iin_index(compact)).select_related("agency").first()


def _duplicates_for(form: PersonForm, user: User) -> list[tuple[Person, bool]]:
    """The person an entered IIN belongs to, or likely duplicates of a valid form's person; each with
    whether this user may open it."""
    valid = form.is_valid()  # cleaning finds the IIN's owner
    if hasattr(form, "existing_person"):
        found = [form.existing_person]
    elif valid:
        data = form.cleaned_data
        found = likely_duplicates(
            surname=data["surname"],
            given_name=data["given_name"],
            birth_date=data.get("birth_date"),
            iin=data.get("iin"),
            exclude=form.instance.pk,
        )
    else:
        return []
    visible = set(Person.objects.visible_to(user).filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True))
    return [(person, person.pk in visible) for person in found]


@records_writer_required
def family_create(request: AuthedRequest) -> HttpResponse:
    """Register a household by its head, after showing the people it might already be."""
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        messages.info(request, _("This form was already sent; here is the family it registered."))
        return redirect(done)
    form = FamilyCreateForm(request.POST or None)
    duplicates = _duplicates_for(form, request.user) if form.is_bound else []
    if form.is_bound and form.is_valid() and (not duplicates or form.cleaned_data["confirm_new"]):
        with transaction.atomic():
            head = person_register(by=request.user, **{k: form.cleaned_data[k] for k in Person.FIELDS})
            family = family_register(
                by=request.user,
                head=head,
                address=form.cleaned_data["address"],
                housing=form.cleaned_data["housing"],
            )
            form_submitted(
                token=form.cleaned_data["form_token"], user=request.user, result_url=family.get_absolute_url()
            )
        messages.success(request, _("The family is registered. Add its members and how it moved."))
        return redirect(family)
    return render(request, "families/family_form.html", {"form": form, "duplicates": duplicates})


def family_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    family = _family_for(request, pk)
    members = family.memberships.select_related("person").order_by("person__birth_date")
    moves = family.moves.select_related(
        "origin_region", "origin_locality", "destination_region", "destination_locality"
    )
    cases = (
        Case.objects.visible_to(request.user).filter(family=family).select_related("owner", "person").order_by("-id")
    )
    return render(
        request,
        "families/family_detail.html",
        {
            "family": family,
            "members": members,
            "moves": moves,
            "cases": cases,
            "can_see_history": can_see_history(request.user, family),
            # A survivor's address (a shelter, a crisis centre) never leaves the case team, emergency or not.
            "show_address": not family.restricted or family.pk in team_family_ids(request.user),
        },
    )


def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    family = _family_for(request, pk, form=True)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        messages.info(request, _("This form was already sent; the member was added then."))
        return redirect(done)
    form = MemberForm(request.POST or None)
    duplicates = _duplicates_for(form, request.user) if form.is_bound else []
    if form.is_bound and form.is_valid() and (not duplicates or form.cleaned_data["confirm_new"]):
        try:
            with transaction.atomic():
                person = person_register(by=request.user, **{k: form.cleaned_data[k] for k in Person.FIELDS})
                family_add_member(
                    by=request.user, family=family, person=person, relationship=form.cleaned_data["relationship"]
                )
                form_submitted(
                    token=form.cleaned_data["form_token"], user=request.user, result_url=family.get_absolute_url()
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is added to the household.") % {"name": person.full_name})
            return redirect(family)
    return render(request, "families/member_form.html", {"form": form, "family": family, "duplicates": duplicates})


def move_add(request: AuthedRequest, pk: int) -> HttpResponse:
    family = _family_for(request, pk, form=True)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        messages.info(request, _("This form was already sent; the move was recorded then."))
        return redirect(done)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            with transaction.atomic():
                move_record(by=request.user, family=family, **fields)
                form_submitted(
                    token=form.cleaned_data["form_token"], user=request.user, result_url=family.get_absolute_url()
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The move is recorded."))
            return redirect(family)
    return render(request, "families/move_form.html", {"form": form, "family": family})


def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person_for(request, pk)
    memberships = person.memberships.filter(family__in=Family.objects.visible_to(request.user)).select_related(
        "family__head"
    )
    return render(
        request,
        "families/person_detail.html",
        {"person": person, "memberships": memberships, "can_see_history": can_see_history(request.user, person)},
    )


def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person_for(request, pk, form=True)
    # The form edits a copy, so that the page keeps showing the saved name while errors are corrected.
    form = PersonForm(request.POST or None, instance=copy.copy(person))
    if request.method == "POST" and form.is_valid():
        person_update(by=request.user, person=form.instance, **{k: form.cleaned_data[k] for k in Person.FIELDS})
        messages.success(request, _("The changes are saved."))
        return redirect("families:person_detail", pk=pk)
    return render(request, "families/person_form.html", {"form": form, "person": person})


def person_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    people = Person.objects.visible_to(request.user)
    lookup = identifier_lookup(query)
    found = people.filter(**lookup) if lookup else people.search(query)
    page = keyset_page(found, after=request.GET.get("after"))
    return render(request, "families/person_list.html", {"page": page, "query": query})
