from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qadam.cases.models import Case
from qadam.insights.forms import FilterForm
from qadam.lib.forms import DateInput, SubmitOnceMixin

# A report is counts over dates: a decade is more than any agency asks for, and bounds the work.
LONGEST_PERIOD_DAYS = 3660
FORMATS = [("csv", _("CSV (text, opens in any spreadsheet)")), ("xlsx", _("Excel workbook (XLSX)"))]


class ListFormatForm(SubmitOnceMixin):
    """How a list is to be written. Whether the download is an encrypted ZIP is chosen when downloading."""

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)


class CaseFilterForm(forms.Form):
    """The filters of the case list, carried to the export as they were on the list."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Case.Status.choices], required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)


class FamilyFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, IIN or phone"), required=False, max_length=200)


class ReportForm(SubmitOnceMixin, FilterForm):
    """The dashboard's period and region, both ends of the period required."""

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start", today.replace(month=1, day=1))
            self.initial.setdefault("end", today)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."), code="long")
        return data
