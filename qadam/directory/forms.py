"""Forms of the directory pages: search, and curation of organisations, services and locations."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qadam.cases.models import Case
from qadam.directory.models import CostOption, Location, Organization, Schedule, Service
from qadam.directory.needs import faa_title, need_choices
from qadam.directory.package import FAA_DIMENSIONS
from qadam.directory.services import (
    ADDRESS_FIELDS,
    LANGUAGE_NAMES,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    SERVICE_FIELDS,
)
from qadam.kato.models import KatoUnit
from qadam.lib.forms import SubmitOnceMixin

LANGUAGE_LABELS = {
    "kk": _("Kazakh"),
    "ru": _("Russian"),
    "en": _("English"),
    "uz": _("Uzbek"),
    "ky": _("Kyrgyz"),
    "tg": _("Tajik"),
}


def language_choices() -> list[tuple[str, Any]]:
    return [(code, LANGUAGE_LABELS[code]) for code in LANGUAGE_NAMES]


def area_queryset() -> Any:
    """Places one picks as an area: regions and cities."""
    return KatoUnit.objects.filter(Q(level=KatoUnit.Level.REGION) | Q(is_city=True)).order_by("code")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    need = forms.ChoiceField(label=_("Need"), required=False)
    area = AreaChoiceField(label=_("Area"), required=False, queryset=KatoUnit.objects.none(), to_field_name="code")
    language = forms.ChoiceField(label=_("Language"), required=False)
    inactive = forms.BooleanField(label=_("Also closed services"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["need"]).choices = [("", _("Any need")), *need_choices()]
        cast(forms.ChoiceField, self.fields["language"]).choices = [("", _("Any language")), *language_choices()]
        area = cast(AreaChoiceField, self.fields["area"])
        area.queryset = area_queryset()
        area.empty_label = str(_("Anywhere"))


TEXT_WIDGETS = {
    name: forms.Textarea(attrs={"rows": 3})
    for name in (
        "description",
        "description_kk",
        "description_ru",
        "description_en",
        "eligibility_description",
        "application_process",
        "transportation",
    )
}
LINE_WIDGETS = {
    name: forms.TextInput()
    for name in (
        "name",
        "name_kk",
        "name_ru",
        "name_en",
        "alternate_name",
        "fees_description",
        "wait_time",
        "interpretation_services",
        "alert",
    )
}


def _formfield(field: Any, **kwargs: Any) -> Any:
    """Model fields as form fields; a web address typed without a scheme is taken as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class OrganizationForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        formfield_callback = _formfield
        model = Organization
        fields = ORGANIZATION_FIELDS
        widgets = {**TEXT_WIDGETS, **LINE_WIDGETS}
        help_texts = {
            "name": _("As the organisation publishes it; the translations below are shown to readers of each language.")
        }


class ServiceForm(SubmitOnceMixin, forms.ModelForm):
    faa = forms.MultipleChoiceField(
        label=_("Adaptation dimensions it helps with (FAA)"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    case_kinds = forms.MultipleChoiceField(
        label=_("Kinds of case it helps with"),
        choices=Case.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages it is offered in"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        formfield_callback = _formfield
        model = Service
        fields = SERVICE_FIELDS
        widgets = {**TEXT_WIDGETS, **LINE_WIDGETS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["faa"]).choices = [
            (d, f"{d} · {faa_title(d)}") for d in FAA_DIMENSIONS
        ]
        cast(forms.MultipleChoiceField, self.fields["languages"]).choices = language_choices()
        if self.instance.pk and not self.is_bound:
            needs = list(self.instance.needs.values_list("kind", "code"))
            self.initial["faa"] = [c for k, c in needs if k == "faa"]
            self.initial["case_kinds"] = [c for k, c in needs if k == "case"]
            self.initial["languages"] = list(self.instance.languages.values_list("code", flat=True))


class LocationForm(SubmitOnceMixin, forms.ModelForm):
    address_1 = forms.CharField(label=_("Street address"), required=False, max_length=300)
    address_2 = forms.CharField(label=_("Address, second line"), required=False, max_length=300)
    city = forms.CharField(label=_("City or settlement"), required=False, max_length=200)
    region = forms.CharField(label=_("District"), required=False, max_length=200)
    state_province = forms.CharField(label=_("Region"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)

    class Meta:
        formfield_callback = _formfield
        model = Location
        fields = LOCATION_FIELDS
        widgets = {**TEXT_WIDGETS, **LINE_WIDGETS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        if self.instance.pk and not self.is_bound and (address := self.instance.addresses.first()):
            for name in ADDRESS_FIELDS:
                self.initial[name] = getattr(address, name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in ADDRESS_FIELDS if data.get(name)]
        if given:
            for name in ("address_1", "city", "state_province", "postal_code"):
                if not data.get(name):
                    self.add_error(name, _("Needed for an address."))
        return data

    def address(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not any(data.get(name) for name in ADDRESS_FIELDS):
            return None
        return {name: data.get(name) or "" for name in ADDRESS_FIELDS}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class ScheduleForm(SubmitOnceMixin, forms.Form):
    byday = forms.MultipleChoiceField(
        label=_("Days"), choices=Schedule.Weekday.choices, widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(label=_("Opens at"), widget=TimeInput())
    closes_at = forms.TimeField(label=_("Closes at"), widget=TimeInput())
    description = forms.CharField(label=_("Note"), required=False, max_length=300)


class FeeForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = CostOption
        fields = ["option", "amount", "amount_description"]
        widgets = {"option": forms.TextInput(), "amount_description": forms.TextInput()}
        labels = {"option": _("What is paid for"), "amount": _("Amount in tenge")}


class AreaForm(SubmitOnceMixin, forms.Form):
    kato = AreaChoiceField(label=_("Region or city"), queryset=KatoUnit.objects.none(), to_field_name="code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AreaChoiceField, self.fields["kato"]).queryset = area_queryset()


class PhoneForm(SubmitOnceMixin, forms.Form):
    number = forms.CharField(label=_("Phone number"), max_length=100)
    description = forms.CharField(label=_("Note"), required=False, max_length=300)


class LocationLinkForm(SubmitOnceMixin, forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Location.objects.filter(organization=service.organization).exclude(
            service_at_locations__service=service
        )
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = queryset
