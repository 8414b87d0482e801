from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qadam.cases.models import Case
from qadam.lib.forms import DateInput

PASSWORD_MIN = 12
# A report is counts over dates: a decade is more than any agency asks for, and bounds the work.
LONGEST_PERIOD_DAYS = 3660


class ExportForm(forms.Form):
    """How to download a list: the format, and a password if the file is to be an encrypted ZIP. The
    password is used once to encrypt and never stored, logged or shown again."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (text, opens in any spreadsheet)")), ("xlsx", _("Excel workbook (XLSX)"))],
    )
    password = forms.CharField(
        label=_("Password for an encrypted ZIP (optional)"),
        help_text=_(
            "At least 12 characters. Leave it empty for a plain file. Give the password to the reader "
            "apart from the file."
        ),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password and len(password) < PASSWORD_MIN:
            raise forms.ValidationError(
                _("The password needs at least %(n)s characters."), params={"n": PASSWORD_MIN}, code="short"
            )
        return password


class CaseFilterForm(forms.Form):
    """The filters of the case list, carried to the export as they were on the list."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Case.Status.choices], required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)


class FamilyFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, IIN or phone"), required=False, max_length=200)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start", date(today.year, 1, 1))
            self.initial.setdefault("end", today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period comes before its start."), code="order")
            if (end - start).days > LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most ten years."), code="long")
        return data
