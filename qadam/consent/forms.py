from __future__ import annotations

from datetime import datetime
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.accounts.models import Agency
from qadam.consent.models import Consent
from qadam.directory.models import Organization
from qadam.lib.forms import SubmitOnceMixin


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker; the value travels in ISO form whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ConsentForm(SubmitOnceMixin, forms.ModelForm):
    """One decision of a person about one purpose, as the worker heard or read it."""

    decided_at = forms.DateTimeField(
        label=_("When the person decided"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave it empty if they decided just now. For a paper form, give the date on it."),
    )

    class Meta:
        model = Consent
        fields = ["purpose", "recipient", "recipient_organization", "decision", "how", "witness", "decided_at", "note"]
        labels = {
            "recipient": _("Receiving agency (only for sharing)"),
            "recipient_organization": _("Or an organisation of the service directory that does not use Qadam"),
        }
        help_texts = {
            "recipient_organization": _("Only for sharing, and only when no agency is chosen above."),
            "witness": _("For a decision given verbally: the name of the person who heard it with you."),
            "note": _("Optional. For example, what the person asked or which documents the consent covers."),
        }
        widgets = {
            "purpose": forms.RadioSelect,
            "decision": forms.RadioSelect,
            "how": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Empty means "just now", to the second: a time typed to the minute could fall before a decision
        # recorded a few seconds earlier and leave it in force.
        self.initial["decided_at"] = None
        for name in ("purpose", "decision", "how"):  # radio buttons need no "---------" choice
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [(value, label) for value, label in cast(list[tuple[str, str]], field.choices) if value]
        # Sharing inside the agency that keeps the record is not sharing: only other agencies are offered.
        recipient = cast(forms.ModelChoiceField, self.fields["recipient"])
        language = {"kk": "kk", "ru": "ru"}.get((get_language() or "")[:2], "en")
        recipient.queryset = Agency.objects.exclude(pk=self.instance.person.agency_id).order_by(f"name_{language}")
        # An organisation that is a Qadam agency is offered above, under its agency's name.
        organization = cast(forms.ModelChoiceField, self.fields["recipient_organization"])
        organization.queryset = Organization.objects.filter(agency__isnull=True).order_by("name")
        organization.label_from_instance = lambda o: o.display_name  # type: ignore[method-assign,assignment]

    def clean_decided_at(self) -> datetime:
        return self.cleaned_data.get("decided_at") or timezone.now()
