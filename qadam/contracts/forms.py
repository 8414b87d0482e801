"""Forms of the income test, the social contract and the poverty-line reference table: input only; the
rules are checked again by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qadam.cases.models import Case
from qadam.contracts.models import Contract, Income, IncomeTest, Measure, Monitoring, PovertyLineReference
from qadam.families.models import Person
from qadam.kato.models import KatoUnit
from qadam.lib.forms import DateInput, SubmitOnceMixin


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the case's family; names are shown as the case team may see them."""

    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        return f"{obj.full_name} ({obj.birth_date:%Y})"


def family_people(case: Case) -> Any:
    return Person.objects.filter(memberships__family_id=case.family_id).order_by("birth_date", "pk")


def people_field(form: forms.Form, name: str, case: Case, user: Any) -> None:
    """Offer the family's members; accept anyone the user may see, so that the service, not the form, says
    clearly that a person is not in the family."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = Person.objects.visible_to(user) if form.is_bound else family_people(case)


class IncomeForm(SubmitOnceMixin):
    person = MemberChoiceField(label=_("Family member"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Kind of income"), choices=Income.Kind.choices)
    # No min/max here: the service gives the clear message for a negative or absurd amount.
    monthly_amount = forms.DecimalField(label=_("Amount a month, tenge"), max_digits=12, decimal_places=2)
    first_month = forms.DateField(label=_("Received from (any day of the month)"), widget=DateInput())
    last_month = forms.DateField(
        label=_("Received until (any day of the month)"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty if it is still received."),
    )

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people_field(self, "person", case, user)


class ApplicationDateForm(forms.Form):
    applied_on = forms.DateField(label=_("Date of application"), widget=DateInput())


class ContractForm(SubmitOnceMixin):
    representative = MemberChoiceField(label=_("Adult representing the family"), queryset=Person.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DateInput(), required=False, help_text=_("Empty: six months from the start.")
    )
    language = forms.ChoiceField(label=_("Language of the printed contract"), choices=Contract.Language.choices)
    income_test = forms.ModelChoiceField(label=_("Income test"), queryset=IncomeTest.objects.none(), required=False)
    obligations = forms.CharField(
        label=_("Obligations of the family"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people_field(self, "representative", case, user)
        tests = IncomeTest.objects.filter(case=case).order_by("-applied_on", "-id")
        self.fields["income_test"].queryset = tests  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())
            self.initial.setdefault(
                "language", case.person.preferred_language if case.person.preferred_language in ("kk", "ru") else "kk"
            )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())


class MeasureForm(SubmitOnceMixin):
    person = MemberChoiceField(label=_("For"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Measure"), choices=Measure.Kind.choices)
    details = forms.CharField(label=_("Details"), max_length=1000, required=False)
    due_on = forms.DateField(label=_("By"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people_field(self, "person", case, user)


class MonitoringForm(SubmitOnceMixin):
    checked_on = forms.DateField(label=_("Date of the check"), widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=Monitoring.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class ExtendForm(forms.Form):
    new_end = forms.DateField(label=_("New end date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=500)


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Contract.TerminationReason.choices)
    text = forms.CharField(
        label=_("In words"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class ReferenceForm(SubmitOnceMixin, forms.ModelForm):
    class Meta:
        model = PovertyLineReference
        fields = PovertyLineReference.FIELDS
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = KatoUnit.objects.filter(level=KatoUnit.Level.REGION)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The model is checked by the service (which also refuses overlapping periods), not twice here.
        pass
