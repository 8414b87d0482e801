from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qadam.accounts.models import User
from qadam.cases.models import AllegedPerpetrator, Case, Note, Task
from qadam.families.models import Family, Person
from qadam.lib.crypto import iin_index
from qadam.lib.forms import DateInput, SubmitOnceMixin


def workers_of(agency_id: int) -> QuerySet[User]:
    """The people of an agency who may carry a case."""
    return User.objects.filter(
        agency_id=agency_id,
        is_active=True,
        role__in=[User.Role.SOCIAL_WORKER, User.Role.SUPERVISOR, User.Role.AGENCY_ADMIN],
    ).order_by("last_name", "first_name")


def agency_workers(agency_id: int) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Case worker"), queryset=workers_of(agency_id))


class CaseOpenForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Case type"), choices=Case.Kind.choices)
    person = forms.ModelChoiceField(label=_("Index person"), queryset=Person.objects.none())
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Case.Priority.choices, coerce=int, initial=Case.Priority.NORMAL
    )
    grounds = forms.MultipleChoiceField(
        label=_("Grounds of a difficult life situation"),
        choices=Case.Ground.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: object, family: Family, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = Person.objects.filter(memberships__family=family).order_by("birth_date")
        self.fields["person"].initial = family.head_id
        self.fields["owner"] = agency_workers(family.agency_id)
        if user.manages_cases:
            self.fields["owner"].initial = user.pk


class NoteForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["contact", "contact_on", "minutes", "text"]
        widgets = {
            "contact_on": DateInput(),
            "text": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.NumberInput(attrs={"min": 1, "max": 1440}),
        }

    def clean_minutes(self) -> int | None:
        minutes = self.cleaned_data.get("minutes")
        if minutes is not None and not 1 <= minutes <= 1440:
            raise forms.ValidationError(_("A contact lasts from 1 to 1440 minutes."))
        return minutes


class TaskForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "due_on", "assignee"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            User.objects.filter(agency_id=case.agency_id, is_active=True)
            .exclude(role=User.Role.RESEARCHER)
            .order_by("last_name", "first_name")
        )
        self.fields["assignee"].initial = case.owner_id


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class CloseForm(forms.Form):
    closing_reason = forms.ChoiceField(label=_("Closing reason"), choices=Case.ClosingReason.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class ReopenForm(forms.Form):
    comment = forms.CharField(label=_("Why the case is reopened"), max_length=500)


class AssignForm(forms.Form):
    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"] = agency_workers(case.agency_id)
        self.fields["owner"].initial = case.owner_id


class TeamForm(forms.Form):
    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        others = workers_of(case.agency_id).exclude(pk=case.owner_id).exclude(case_assignments__case=case)
        field = forms.ModelChoiceField(label=_("Colleague"), queryset=others)
        self.fields["user"] = field


class PerpetratorForm(forms.Form):
    """Whom the survivor names: found in the registry by IIN when they are there, or described."""

    relationship = forms.ChoiceField(
        label=_("Relationship to the survivor"), choices=AllegedPerpetrator.Relationship.choices
    )
    iin = forms.CharField(
        label=_("IIN, if they are in the registry"),
        required=False,
        max_length=20,
        help_text=_("Only a person you can open in Qadam is found."),
    )
    description = forms.CharField(
        label=_("What is known of them"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=AllegedPerpetrator._meta.get_field("description").help_text,
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_iin(self) -> Person | None:
        value = "".join(self.cleaned_data["iin"].split())
        if not value:
            return None
        found = Person.objects.visible_to(self.user).filter(iin_index=iin_index(value)).first()
        if found is None:
            raise forms.ValidationError(_("No person with this IIN that you can open; describe them instead."))
        return found


class RestrictForm(forms.Form):
    reason = forms.CharField(label=_("Why the case is restricted"), max_length=300)


class EmergencyForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=32)
    reason = forms.CharField(
        label=_("What is the emergency?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The case worker and the agency administrator are told at once, with this text."),
    )
