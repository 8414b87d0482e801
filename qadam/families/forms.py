from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from qadam.families.models import Family, Membership, Move, Person
from qadam.kato.models import KatoUnit
from qadam.lib.crypto import iin_index
from qadam.lib.forms import DateInput, SubmitOnceMixin
from qadam.lib.iin import InvalidIIN, parse_iin
from qadam.lib.names import clean_name
from qadam.lib.text import digits

IIN_ERRORS = {
    "length": _("An IIN has exactly 12 digits."),
    "digits": _("An IIN has only digits."),
    "century": _("The 7th digit of an IIN must be from 1 to 6."),
    "date": _("The first six digits of an IIN are the date of birth (YYMMDD); this one is not a real date."),
    "checksum": _(
        "This IIN has a typing error: its last (control) digit does not match. Check it against the document."
    ),
}


class PersonForm(forms.ModelForm):
    """A person's identity. With an IIN, the date of birth and sex may be left empty: they are read from it."""

    class Meta:
        model = Person
        fields = Person.FIELDS
        widgets = {
            "birth_date": DateInput(),
            "iin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+7 7XX XXX XX XX"}),
        }
        help_texts = {"iin": _("12 digits. The date of birth and sex are checked against it.")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["birth_date"].required = False
        self.fields["sex"].required = False

    def clean_surname(self) -> str:
        return clean_name(self.cleaned_data["surname"])

    def clean_given_name(self) -> str:
        return clean_name(self.cleaned_data["given_name"])

    def clean_patronymic(self) -> str:
        return clean_name(self.cleaned_data["patronymic"])

    def clean_iin(self) -> str | None:
        value = re.sub(r"[\s-]", "", self.cleaned_data.get("iin") or "")
        if not value:
            return None
        try:
            parse_iin(value)
        except InvalidIIN as error:
            raise ValidationError(IIN_ERRORS[error.code], code=f"iin_{error.code}") from None
        existing = (
            Person.objects.filter(iin_index=iin_index(value))
            .exclude(pk=self.instance.pk)
            .select_related("agency")
            .first()
        )
        if existing is not None:
            self.existing_person = existing  # shown to the user as the record to open instead
            raise ValidationError(
                _(
                    "A person with this IIN is already registered (%(agency)s). "
                    "Open that record instead of creating a new one."
                ),
                code="iin_taken",
                params={"agency": existing.agency},
            )
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if not value:
            return ""
        number = digits(value)
        if len(number) == 11 and number[0] in "78":
            number = number[1:]
        if len(number) != 10 or not re.fullmatch(r"\+?[\d\s()\-]+", value):
            raise ValidationError(_("Enter a Kazakhstan phone number: 10 digits after +7, e.g. +7 701 234 56 78."))
        return f"+7{number}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        iin, born, sex = data.get("iin"), data.get("birth_date"), data.get("sex")
        if iin:
            facts = parse_iin(iin)
            if born and born != facts.birth_date:
                self.add_error(
                    "birth_date",
                    _("The date of birth does not match the IIN, which says %(date)s.")
                    % {"date": date_format(facts.birth_date, "SHORT_DATE_FORMAT")},
                )
            elif sex and sex != facts.sex:
                self.add_error("sex", _("The sex does not match the IIN."))
            else:
                data["birth_date"], data["sex"] = facts.birth_date, facts.sex
        else:
            if not born and "birth_date" not in self.errors:
                self.add_error("birth_date", _("Enter the date of birth, or the IIN."))
            if not sex and "sex" not in self.errors:
                self.add_error("sex", _("Choose the sex, or enter the IIN."))
        born = data.get("birth_date")
        if born and born > timezone.localdate():
            self.add_error("birth_date", _("The date of birth cannot be in the future."))
        elif born and born < date(1900, 1, 1):
            self.add_error("birth_date", _("Check the year of birth."))
        return data


class DuplicateCheckMixin(forms.Form):
    confirm_new = forms.BooleanField(
        label=_("None of these is the same person: register a new one."),
        required=False,
    )


class FamilyCreateForm(SubmitOnceMixin, DuplicateCheckMixin, PersonForm):
    """The head of a new household, and where the household lives."""

    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    housing = forms.ChoiceField(label=_("Housing"), choices=[("", "—"), *Family.Housing.choices], required=False)


class MemberForm(SubmitOnceMixin, DuplicateCheckMixin, PersonForm):
    """A new member of a household."""

    relationship = forms.ChoiceField(
        label=_("Relationship to the head"),
        choices=[c for c in Membership.Relationship.choices if c[0] != Membership.Relationship.HEAD],
    )


class KatoCodeField(forms.CharField):
    """A nine-digit KATO code of a district or settlement, looked up in the imported classifier."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("help_text", _("Optional: the 9-digit KATO code of the district or settlement."))
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]{9}", "autocomplete": "off"})

    def clean(self, value: str) -> KatoUnit | None:  # type: ignore[override]
        value = super().clean(value).strip()
        if not value:
            return None
        if not (len(value) == 9 and value.isdigit()):
            raise ValidationError(_("A KATO code has 9 digits."))
        unit = KatoUnit.objects.filter(code=value).first()
        if unit is None:
            raise ValidationError(_("There is no place with KATO code %(code)s."), params={"code": value})
        return unit


def region_field(label: Any, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        required=required,
        queryset=KatoUnit.objects.filter(level=KatoUnit.Level.REGION),
        error_messages={"invalid_choice": _("Choose a region from the list.")},
    )


class MoveForm(SubmitOnceMixin, forms.ModelForm):
    origin_region = region_field(_("Region of origin"), required=False)
    origin_locality = KatoCodeField(label=_("District or settlement of origin (KATO)"))
    destination_region = region_field(_("Region of destination"))
    destination_locality = KatoCodeField(label=_("District or settlement of destination (KATO)"))
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for moving"),
        choices=Move.Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Move
        fields = Move.FIELDS
        widgets = {"moved_on": DateInput(), "origin_area": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for side in ("origin", "destination"):
            region, locality = data.get(f"{side}_region"), data.get(f"{side}_locality")
            if region and locality and locality.region_code != region.region_code:
                self.add_error(f"{side}_locality", _("This KATO code is not in the chosen region."))
        if data.get("origin_region") and data.get("origin_country"):
            self.add_error("origin_country", _("Give either a region of Kazakhstan or a country, not both."))
        elif not data.get("origin_region") and not data.get("origin_country") and "origin_region" not in self.errors:
            self.add_error(
                "origin_region", _("Choose the region of origin, or name the country for a move from abroad.")
            )
        if data.get("origin_country") and data.get("origin_locality"):
            self.add_error("origin_locality", _("A KATO code is for places in Kazakhstan."))
        if "other" in data.get("reasons", []) and not data.get("reasons_other"):
            self.add_error("reasons_other", _("Say what the other reason was."))
        return data
