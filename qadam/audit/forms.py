from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qadam.audit.display import ACTION_LABELS, RECORD_TYPES
from qadam.audit.models import AuditEntryQuerySet
from qadam.lib.forms import DateInput


def _record_type_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Any record")),
        *((key, apps.get_model(label)._meta.verbose_name) for key, label in RECORD_TYPES.items()),
    ]


def _action_choices() -> list[tuple[str, Any]]:
    return [("", _("Any action")), *ACTION_LABELS.items()]


def _start_of(day: date) -> datetime:
    """Midnight in Almaty (the current time zone) at the start of a day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


class LogSearchForm(forms.Form):
    """What an agency administrator may narrow the audit log by."""

    since = forms.DateField(label=pgettext_lazy("start of a period", "From"), required=False, widget=DateInput)
    until = forms.DateField(label=pgettext_lazy("end of a period", "To"), required=False, widget=DateInput)
    actor = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    record_type = forms.ChoiceField(label=_("Record type"), required=False, choices=_record_type_choices)
    record_id = forms.IntegerField(label=_("Record ID"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        if data.get("record_id") and not data.get("record_type"):
            self.add_error("record_type", _("Choose the type of the record too."))
        return data

    def filter(self, entries: AuditEntryQuerySet) -> AuditEntryQuerySet:
        """The entries that match the valid filters."""
        data = self.cleaned_data
        if data.get("since"):
            entries = entries.filter(at__gte=_start_of(data["since"]))
        if data.get("until"):
            entries = entries.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        if data.get("actor"):
            entries = entries.filter(actor__username=data["actor"].strip())
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("record_type"):
            entries = entries.filter(target_type=RECORD_TYPES[data["record_type"]])
        if data.get("record_id"):
            entries = entries.filter(target_id=data["record_id"])
        return entries
