"""The dashboard's filters: a period and a KATO region, read from the query string."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qadam.insights.scope import Filters
from qadam.kato.models import KatoUnit


class FilterForm(forms.Form):
    """Period and region of the agency and region figures; empty fields keep the last twelve months."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = KatoUnit.objects.filter(level=KatoUnit.Level.REGION).order_by("code")
        choices = [("", _("All regions")), *((r.code, r.name) for r in regions)]
        self.fields["region"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must end after it starts."))
        return data

    def filters(self, today: date) -> Filters:
        """The chosen filters, or the default ones where a field is empty or the form is not valid."""
        default = Filters.default(today)
        if not self.is_bound or not self.is_valid():
            return default
        data = self.cleaned_data
        return Filters(start=data["start"] or default.start, end=data["end"] or default.end, region=data["region"])
