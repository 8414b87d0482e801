"""Forms of the safety app; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qadam.cases.models import Case
from qadam.families.models import Person
from qadam.lib.forms import DateInput, SubmitOnceMixin
from qadam.safety.models import ProtectiveMeasure, SafeContact, SafetyPlanVersion
from qadam.safety.sections import SECTIONS


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's error on the form: on its field when the form has one, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SafeContactForm(forms.ModelForm):
    class Meta:
        model = SafeContact
        fields = SafeContact.FIELDS
        widgets = {
            "code_word": forms.TextInput(attrs={"autocomplete": "off"}),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }


class SafetyPlanForm(SubmitOnceMixin):
    situation = forms.ChoiceField(label=_("Her situation"), choices=SafetyPlanVersion.Situation.choices)
    occasion = forms.ChoiceField(
        label=_("Why it is written now"), choices=[("", "—"), *SafetyPlanVersion.Occasion.choices], required=False
    )
    review_on = forms.DateField(label=_("Look at it again on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, current: SafetyPlanVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        texts = current.texts if current is not None else {}
        for section in SECTIONS:
            self.fields[section.key] = forms.CharField(
                label=section.title,
                help_text=section.prompt,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.initial.setdefault(section.key, texts.get(section.key, ""))
        if current is not None:
            self.initial.setdefault("situation", current.situation)
        else:
            self.initial.setdefault("situation", SafetyPlanVersion.Situation.NOT_SAID)

    def sections(self) -> dict[str, str]:
        return {section.key: self.cleaned_data.get(section.key, "") for section in SECTIONS}


def _members(case: Case) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.filter(memberships__family_id=case.family_id).order_by("pk")
    )
    field.initial = case.person_id
    return field


class MeasureForm(SubmitOnceMixin):
    kind = forms.ChoiceField(label=_("Measure"), choices=ProtectiveMeasure.Kind.choices)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())
    issued_by = forms.CharField(label=_("Issued by"), max_length=200, help_text=_("The police unit or the court."))
    reference = forms.CharField(label=_("Document number"), max_length=60, required=False)
    ends_on = forms.DateField(
        label=_("In force until"),
        required=False,
        widget=DateInput(),
        help_text=_("A police order: leave empty for 30 days. Court requirements: 3 to 12 months."),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"), queryset=ProtectiveMeasure.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = _members(case)
        self.fields["person"].label = _("Protected person")
        self.fields["replaces"].queryset = case.protective_measures.filter(ended_on__isnull=True).order_by("-issued_on")  # type: ignore[attr-defined]
        self.order_fields(["kind", "person", "issued_on", "issued_by", "reference", "ends_on", "replaces"])


class ExtendForm(forms.Form):
    ends_on = forms.DateField(label=_("New end date"), widget=DateInput())


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())


class ViolationForm(SubmitOnceMixin):
    occurred_on = forms.DateField(label=_("When"), widget=DateInput())
    what = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    reported_to_police = forms.BooleanField(label=_("Reported to the police"), required=False)


class StayForm(SubmitOnceMixin):
    centre = forms.CharField(label=_("Crisis centre"), max_length=200)
    from_on = forms.DateField(label=_("From"), widget=DateInput())
    to_on = forms.DateField(
        label=_("Until"), required=False, widget=DateInput(), help_text=_("Leave empty while she is there.")
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = _members(case)
        self.order_fields(["person", "centre", "from_on", "to_on"])


class StayEndForm(forms.Form):
    to_on = forms.DateField(label=_("Left on"), widget=DateInput())
