"""Writes to families and people: each one validated, in a transaction, and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import audit_record, field_changes
from qadam.families.models import Family, Membership, Move, Person
from qadam.lib.crypto import iin_index
from qadam.lib.text import names_are_close, search_text


def person_search_text(person: Person) -> str:
    # No IIN or phone: they are encrypted, and found by exact value through their blind indexes.
    return search_text(person.surname, person.given_name, person.patronymic)


def family_search_text(family: Family) -> str:
    people = [m.person for m in family.memberships.select_related("person")]
    # Names only: an address is identifying, and a survivor's is secret.
    return search_text(*(person_search_text(p) for p in people))


def _save_person(person: Person, *, fields: list[str] | None) -> None:
    person.index_identifiers()  # before full_clean, which then checks that the IIN is not taken
    person.full_clean()
    person.search_text = person_search_text(person)
    indexed = ["search_text", "iin_index", "phone_index", "updated_at"]
    person.save(update_fields=[*fields, *indexed] if fields is not None else None)


def _refresh_families_of(person: Person) -> None:
    for family in Family.objects.filter(memberships__person=person):
        family.search_text = family_search_text(family)
        family.save(update_fields=["search_text", "updated_at"])


def _agency_of(user: User) -> int:
    if user.agency_id is None:
        raise ValidationError(_("Only people who work in an agency register families."))
    return user.agency_id


@transaction.atomic
def person_register(*, by: User, **data: Any) -> Person:
    person = Person(agency_id=_agency_of(by), **data)
    _save_person(person, fields=None)
    audit_record(actor=by, action="person_registered", obj=person, changes=field_changes(None, person, Person.FIELDS))
    return person


@transaction.atomic
def person_update(*, by: User, person: Person, **data: Any) -> Person:
    before = Person.objects.get(pk=person.pk)
    for name, value in data.items():
        setattr(person, name, value)
    changes = field_changes(before, person, Person.FIELDS)
    if not changes:
        return person
    _save_person(person, fields=list(data))
    _refresh_families_of(person)
    audit_record(actor=by, action="person_changed", obj=person, changes=changes)
    return person


@transaction.atomic
def family_register(*, by: User, head: Person, address: str = "", housing: str = "") -> Family:
    family = Family(agency_id=_agency_of(by), head=head, address=address, housing=housing, created_by=by)
    family.full_clean()
    family.save()
    Membership.objects.create(family=family, person=head, relationship=Membership.Relationship.HEAD)
    family.search_text = family_search_text(family)
    family.save(update_fields=["search_text", "updated_at"])
    audit_record(actor=by, action="family_registered", obj=family, changes={"head": [None, head.pk]})
    return family


def family_restrict(*, family: Family) -> None:
    """Mark a household and its people restricted: only the teams of its restricted cases see them."""
    Family.objects.filter(pk=family.pk).update(restricted=True)
    Person.objects.filter(memberships__family=family).update(restricted=True)
    family.restricted = True


@transaction.atomic
def family_add_member(*, by: User, family: Family, person: Person, relationship: str) -> Membership:
    if relationship == Membership.Relationship.HEAD:
        raise ValidationError(_("A household has one head; add this person with another relationship."))
    if family.memberships.filter(person=person).exists():
        raise ValidationError(_("This person is already a member of this household."))
    membership = Membership(family=family, person=person, relationship=relationship)
    membership.full_clean()
    membership.save()
    if family.restricted:
        Person.objects.filter(pk=person.pk).update(restricted=True)
    family.search_text = family_search_text(family)
    family.save(update_fields=["search_text", "updated_at"])
    audit_record(
        actor=by,
        action="member_added",
        obj=family,
        changes={"member": [None, person.pk], "relationship": [None, relationship]},
    )
    return membership


def move_validate(*, family: Family, moved_on: date) -> None:
    """The checks of a move that need more than its own fields."""
    if moved_on > timezone.localdate():
        raise ValidationError({"moved_on": _("The date of the move cannot be in the future.")})
    if family.head.birth_date > moved_on:
        raise ValidationError({"moved_on": _("The head of the household was born after this date of the move.")})


@transaction.atomic
def move_record(*, by: User, family: Family, **data: Any) -> Move:
    move = Move(family=family, **data)
    move_validate(family=family, moved_on=move.moved_on)
    move.full_clean()
    move.save()
    audit_record(actor=by, action="move_recorded", obj=family, changes=field_changes(None, move, Move.FIELDS))
    return move


def likely_duplicates(
    *, surname: str, given_name: str, birth_date: date | None, iin: str | None, exclude: int | None = None
) -> list[Person]:
    """People who are probably the one being registered: the same IIN, or the same birth date and a close name.

    Searches every agency, because one person registered twice is a risk whoever did it; the caller
    shows only what the user may open.
    """
    found: dict[int, Person] = {}
    if iin:
        for person in Person.objects.filter(iin_index=iin_index(iin)).select_related("agency"):
            found[person.pk] = person
    if birth_date:
        for person in Person.objects.filter(birth_date=birth_date).select_related("agency")[:500]:
            if names_are_close(person.surname, surname) and names_are_close(person.given_name, given_name):
                found[person.pk] = person
    found.pop(exclude or 0, None)
    return list(found.values())
