"""Forms of the plan pages; the services check the rules again (who is in the family, dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qadam.accounts.models import User
from qadam.cases.models import Case
from qadam.families.models import Person
from qadam.lib.forms import DateInput, SubmitOnceMixin
from qadam.plans.models import Action, Dimension, Goal, SupportPlan


class PlanForm(forms.Form):
    starts_on = forms.DateField(label=_("The plan starts on"), widget=DateInput())
    language = forms.ChoiceField(label=_("The family's language"), choices=SupportPlan.Language.choices)
    strengths = forms.CharField(
        label=_("The family's strengths, one a line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
        help_text=_("They open the plan. Write them as the family says them."),
    )


class PlanCreateForm(SubmitOnceMixin, PlanForm):
    review_on = forms.DateField(label=_("First review with the family on"), widget=DateInput())


class GoalRowForm(forms.Form):
    """A suggested or new goal on the page that makes the plan: kept, rewritten in the family's words, or dropped."""

    words = forms.CharField(
        label=_("The goal, in the family's words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    dimension = forms.ChoiceField(label=_("FAA dimension"), choices=Dimension.choices, required=False)
    origin = forms.ChoiceField(choices=Goal.Origin.choices, widget=forms.HiddenInput, required=False)
    drop = forms.BooleanField(label=_("Drop this goal"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        suggested = data.get("origin") == Goal.Origin.SUGGESTED
        if not data.get("drop") and not (data.get("words") or "").strip() and (suggested or data.get("dimension")):
            self.add_error("words", _("Write the goal in the family's own words, or drop it."))
        return data

    @property
    def goal(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if data.get("drop") or not (data.get("words") or "").strip():
            return None
        return {"words": data["words"], "dimension": data.get("dimension", ""), "origin": data.get("origin", "")}


GoalRowFormSet = forms.formset_factory(GoalRowForm, extra=0)


class GoalForm(SubmitOnceMixin, forms.Form):
    words = forms.CharField(
        label=_("The goal, in the family's words"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    dimension = forms.ChoiceField(label=_("FAA dimension"), choices=Dimension.choices, required=False)


PARTNER = "partner"


class ActionForm(SubmitOnceMixin, forms.Form):
    who = forms.ChoiceField(label=_("Who"))
    partner = forms.CharField(label=_("Partner organisation, if a partner does it"), max_length=200, required=False)
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    due_on = forms.DateField(label=_("By when"), widget=DateInput())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Person.objects.filter(memberships__family_id=case.family_id).order_by("birth_date", "pk")
        team = [case.owner, *(a.user for a in case.assignments.select_related("user"))]
        self.fields["who"].choices = [  # type: ignore[attr-defined]
            (_("Family"), [(f"person:{p.pk}", p.full_name) for p in members]),
            (_("Workers"), [(f"user:{u.pk}", u.get_full_name() or u.username) for u in team]),
            (PARTNER, _("A partner organisation (name it below)")),
        ]

    def party(self) -> dict[str, Any]:
        """The service's arguments for the chosen party."""
        value = self.cleaned_data["who"]
        if value == PARTNER:
            return {"who": Action.Who.PARTNER, "partner": self.cleaned_data["partner"]}
        kind, pk = value.split(":")
        if kind == "person":
            return {"who": Action.Who.FAMILY, "person": Person.objects.get(pk=pk)}
        return {"who": Action.Who.WORKER, "user": User.objects.get(pk=pk)}


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class AgreementForm(forms.Form):
    agreed_on = forms.DateField(label=_("Date of the agreement"), widget=DateInput(), initial=timezone.localdate)
    how = forms.ChoiceField(
        label=_("How the family agreed"), choices=SupportPlan.Agreement.choices, widget=forms.RadioSelect
    )
    witness = forms.CharField(label=_("Witness (for an agreement aloud)"), max_length=200, required=False)
    scan = forms.FileField(
        label=_("Scan of the signed plan (PDF, JPEG or PNG, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SubmitForm(SubmitOnceMixin, forms.Form):
    comment = forms.CharField(label=_("Note for the supervisor"), max_length=500, required=False)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=_("Required when you return the request: say what should change."),
    )


class ReviewForm(SubmitOnceMixin, forms.Form):
    done_on = forms.DateField(label=_("Reviewed on"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.CharField(
        label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    next_review_on = forms.DateField(label=_("Next review on"), widget=DateInput(), required=False)
