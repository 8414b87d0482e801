"""Forms of referrals and case transfers: what the worker chooses, and the answers of the other side."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qadam.accounts.models import Agency, User
from qadam.cases.models import Case
from qadam.directory.models import Service
from qadam.directory.searching import search_services
from qadam.families.models import Person
from qadam.lib.forms import SubmitOnceMixin
from qadam.referrals.models import RECEIVING_ROLES, Referral
from qadam.referrals.sharing import faa_scores, latest_faa, perpetrator_person_ids

# How many services the form offers at once; a search narrows them.
SERVICES_SHOWN = 100


def services_for(case: Case, query: str = "") -> QuerySet[Service]:
    """Active services a case may be referred to (not its own agency's), narrowed by a search."""
    services = (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .exclude(organization__agency_id=case.agency_id)
        .select_related("organization")
    )
    return search_services(services, query).order_by("name", "id")


class ReferralForm(SubmitOnceMixin, forms.Form):
    """Whom to refer, to which service, and what the referral shares."""

    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person referred"))
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=_("Service"))
    items = forms.MultipleChoiceField(
        choices=Referral.Item.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("What the referral shares"),
        help_text=_("Share only what the service needs. You will see exactly what is shared before sending."),
    )
    summary = forms.CharField(
        label=_("Summary for the recipient"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Written for the recipient: what the person needs from the service. It is shared as written."),
    )
    faa_dimensions = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Adaptation scores shared"),
    )

    def __init__(self, *args: Any, case: Case, query: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Q(memberships__family_id=case.family_id) | Q(pk=case.person_id)
        person = cast(forms.ModelChoiceField, self.fields["person"])
        person.queryset = (
            Person.objects.filter(members)
            .exclude(pk__in=perpetrator_person_ids(case))
            .distinct()
            .order_by("birth_date")
        )
        person.label_from_instance = lambda p: p.full_name  # type: ignore[method-assign,assignment]
        self.initial.setdefault("person", case.person_id)
        service = cast(forms.ModelChoiceField, self.fields["service"])
        services = services_for(case, query)
        # Validation looks the choice up among all services; the page lists the first ones found.
        service.queryset = services if self.is_bound else services[:SERVICES_SHOWN]
        service.label_from_instance = lambda s: f"{s.display_name} · {s.organization.display_name}"  # type: ignore[method-assign,assignment]
        language = (get_language() or "en")[:2]
        dimensions = cast(forms.MultipleChoiceField, self.fields["faa_dimensions"])
        dimensions.choices = [
            (s["dimension"], f"{s['title'].get(language) or s['dimension']}: {s['score']}")
            for s in faa_scores(latest_faa(case))
        ]
        if case.restricted:
            self.fields["summary"].help_text = _(
                "Written for the recipient. Never name the alleged perpetrator or the person's relationship "
                "to them: the recipient does not see the case."
            )


class SendForm(forms.Form):
    """The confirmation: the digest of what the worker was shown."""

    checked = forms.CharField(widget=forms.HiddenInput, max_length=64)


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the information must be shared without the person's consent"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    """One step of the receiving side."""

    to_status = forms.ChoiceField(choices=Referral.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    handler = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Worker"))

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler = cast(forms.ModelChoiceField, self.fields["handler"])
        if referral.recipient_agency_id is not None:
            handler.queryset = User.objects.filter(
                agency_id=referral.recipient_agency_id, role__in=RECEIVING_ROLES, is_active=True
            ).order_by("last_name", "first_name")


class TransferForm(SubmitOnceMixin, forms.Form):
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Receiving agency"))
    reason = forms.CharField(
        label=_("Why the case is transferred"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    household = forms.BooleanField(
        label=_("The household record goes with the case"),
        required=False,
        initial=True,
        help_text=_("Leave it unticked when the household has other cases with your agency."),
    )
    override_reason = forms.CharField(
        label=_("Without the person's consent, because (supervisors and agency administrators only)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, case: Case, may_override: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = {"kk": "kk", "ru": "ru"}.get((get_language() or "")[:2], "en")
        agency = cast(forms.ModelChoiceField, self.fields["to_agency"])
        agency.queryset = Agency.objects.exclude(pk=case.agency_id).order_by(f"name_{language}")
        if not may_override:
            del self.fields["override_reason"]


class TransferAcceptForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("New case worker"))

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = User.objects.filter(agency_id=agency_id, role__in=RECEIVING_ROLES, is_active=True).order_by(
            "last_name", "first_name"
        )


class TransferRejectForm(forms.Form):
    reason = forms.CharField(label=_("Why the transfer is rejected"), max_length=500)
