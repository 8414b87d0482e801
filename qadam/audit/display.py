"""How audit entries read on a page: action names, field names, and which values are never shown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qadam.audit.models import AuditEntry

# Fields whose values the history never shows, before or after: only that they changed. Extend it with
# every field that is encrypted or that could reveal where a survivor lives.
SENSITIVE_FIELDS = frozenset({"iin", "phone", "text", "address", "alleged_perpetrator"})

# What each action code means; an action missing here is shown by its code.
ACTION_LABELS: dict[str, Promise] = {
    "viewed": _("viewed"),
    "printed": _("printed"),
    "exported": _("exported"),
    "agency_permissions_changed": _("changed who may use emergency access"),
    "person_registered": _("registered the person"),
    "person_changed": _("changed the person's details"),
    "family_registered": _("registered the family"),
    "member_added": _("added a household member"),
    "move_recorded": _("recorded a move"),
    "case_opened": _("opened the case"),
    "case_status_changed": _("changed the status"),
    "case_closed": _("closed the case"),
    "case_reopened": _("reopened the case"),
    "case_assigned": _("reassigned the case"),
    "note_added": _("added a note"),
    "task_added": _("added a task"),
    "task_done": _("completed a task"),
    "case_restricted": _("restricted the case"),
    "case_team_added": _("added a colleague to the team"),
    "case_team_removed": _("removed a colleague from the team"),
    "break_glass": _("opened the case in an emergency"),
    "perpetrator_recorded": _("recorded an alleged perpetrator"),
    "case_priority_raised": _("raised the case's priority"),
    "instrument_imported": _("imported an instrument"),
    "instrument_offered": _("offered an instrument version for new assessments"),
    "instrument_withdrawn": _("stopped offering an instrument version"),
    "assessment_started": _("started an assessment"),
    "assessment_completed": _("completed an assessment"),
    "phase_set": _("set the adaptation phase by hand"),
    "plan_created": _("made a support plan"),
    "plan_version_created": _("started a new version of the support plan"),
    "plan_changed": _("changed the support plan"),
    "plan_goal_added": _("added a goal to the support plan"),
    "plan_goal_changed": _("changed a goal of the support plan"),
    "plan_goal_removed": _("removed a goal from the support plan"),
    "plan_action_added": _("added an action to the support plan"),
    "plan_action_status_changed": _("changed the status of a plan action"),
    "plan_agreed": _("recorded the family's agreement to the plan"),
    "plan_review_scheduled": _("set a review date for the plan"),
    "plan_reviewed": _("reviewed the plan"),
    "plan_submitted": _("sent the plan for approval"),
    "closure_requested": _("asked to close the case"),
    "approval_given": _("approved"),
    "approval_returned": _("returned with a comment"),
    "safe_contact_changed": _("changed the safe contact preferences"),
    "safety_plan_written": _("wrote a version of the safety plan"),
    "protective_measure_recorded": _("recorded a protective measure"),
    "protective_measure_extended": _("extended a protective measure"),
    "protective_measure_ended": _("recorded the end of a protective measure"),
    "violation_recorded": _("recorded a violation of a protective measure"),
    "crisis_stay_recorded": _("recorded a crisis-centre stay"),
    "crisis_stay_ended": _("recorded the end of a crisis-centre stay"),
    "poverty_reference_added": _("added a poverty-line reference row"),
    "poverty_reference_changed": _("corrected a poverty-line reference row"),
    "income_added": _("recorded an income"),
    "income_removed": _("removed an income"),
    "income_test_recorded": _("recorded an income test"),
    "contract_created": _("prepared a social contract"),
    "contract_signed": _("brought a social contract into force"),
    "contract_measure_added": _("added a measure to the social contract"),
    "contract_monitored": _("recorded the monthly monitoring of the social contract"),
    "contract_extended": _("extended the social contract"),
    "contract_completed": _("completed the social contract"),
    "contract_terminated": _("terminated the social contract"),
    "referral_prepared": _("prepared a referral"),
    "referral_consent_overridden": _("allowed a referral without consent, giving a reason"),
    "referral_sent": _("sent a referral"),
    "referral_discarded": _("discarded a draft referral"),
    "referral_accepted": _("recorded that a referral was accepted"),
    "referral_declined": _("recorded that a referral was declined"),
    "referral_in_service": _("recorded that the person is in the service"),
    "referral_completed": _("recorded that a referral was completed"),
    "referral_not_completed": _("recorded that a referral was not completed"),
    "case_transfer_requested": _("asked another agency to take over the case"),
    "case_transferred": _("took over the case from another agency"),
    "case_transfer_rejected": _("declined to take over the case"),
    "family_transferred": _("moved the household to another agency"),
    "directory_imported": _("imported a service directory package"),
    "directory_record_created": _("added to the service directory"),
    "directory_record_changed": _("changed the service directory"),
    "directory_record_removed": _("removed from the service directory"),
    "cohort_requested": _("asked for cohort figures"),
    "export_requested": _("asked for an export"),
    "list_exported": _("exported a list"),
    "report_exported": _("made an agency report"),
    "consent_given": _("recorded a consent"),
    "consent_withdrawn": _("recorded a withdrawal of consent"),
    "login": _("signed in"),
    "logout": _("signed out"),
    "login_failed": _("failed to sign in"),
    "login_locked_out": _("was locked out after failed sign-ins"),
    "two_factor_enrolled": _("set up two-factor sign-in"),
    "two_factor_failed": _("entered a wrong two-factor code"),
    "two_factor_reset": _("had two-factor sign-in reset"),
    "language_changed": _("changed the interface language"),
}

# Record types by the short name URLs and filters use, and the model label entries store.
RECORD_TYPES = {"person": "families.person", "family": "families.family", "case": "cases.case", "user": "accounts.user"}
RECORD_PAGES = {
    "families.person": "families:person_detail",
    "families.family": "families:detail",
    "cases.case": "cases:detail",
}

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None  # None when the history shows no values for this field
    after: str | None
    masked: bool


@cache
def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


# Services record some changes of a record under the name of a neighbouring record's field (a move of a
# family, the note added to a case): where to find the field that labels the key and its choices.
RELATED_MODELS = {
    "families.family": ["families.move", "families.membership"],
    "families.person": ["consent.consent"],
    "cases.case": ["cases.note", "cases.task", "cases.caseassignment", "cases.breakglass"],
}
KEY_FIELDS = {
    "member": ("families.membership", "person"),
    "team": ("cases.caseassignment", "user"),
    "until": ("cases.breakglass", "expires_at"),
    "done": ("cases.task", "done_at"),
    "recipient": ("consent.consent", "recipient"),
}
# Keys that name a neighbouring record itself (its id is the value), labelled by that record's type.
KEY_MODELS = {
    "note": "cases.note",
    "task": "cases.task",
    "consent": "consent.consent",
    "alleged_perpetrator": "cases.allegedperpetrator",
}
KEY_LABELS = {"step": _("step")}
# JSON lists of choices, which Django fields cannot declare.
LIST_CHOICES = {("families.move", "reasons"): "Reason"}
VALUE_LABELS = {"enrolment": _("setting up"), "login": _("signing in"), True: _("yes"), False: _("no")}


def _own_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    """The field a change key names: the record's own, or a neighbour's that the service recorded."""
    field = _own_field(model, name)
    if field is not None or model is None:
        return field
    if name in KEY_FIELDS:
        label, field_name = KEY_FIELDS[name]
        return _own_field(_model(label), field_name)
    for label in RELATED_MODELS.get(model._meta.label_lower, []):
        if (found := _own_field(_model(label), name)) is not None:
            return found
    return None


def _shown(field: models.Field | None, value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool | str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if field is not None and (enum := LIST_CHOICES.get((field.model._meta.label_lower, field.name))):
        choices = dict(getattr(field.model, enum).choices)
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))


def _key_label(name: str) -> str:
    if name in KEY_MODELS and (model := _model(KEY_MODELS[name])) is not None:
        return str(model._meta.verbose_name)
    return str(KEY_LABELS.get(name, name))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def changes_of(entry: AuditEntry, *, values: bool = True) -> list[Change]:
    """The fields an entry changed, with their values before and after unless they are sensitive.

    Changes are stored as {field: [before, after]}; anything else under a field is its value after.
    """
    model = _model(entry.target_type)
    shown = []
    for name, value in sorted(entry.changes.items()):
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else _key_label(name)
        masked = name in SENSITIVE_FIELDS
        if masked or not values:
            shown.append(Change(name, label, None, None, masked))
            continue
        before, after = value if isinstance(value, list) and len(value) == 2 else (None, value)
        shown.append(Change(name, label, _shown(field, before), _shown(field, after), masked))
    return shown


def record_type_label(entry: AuditEntry) -> str:
    """The kind of record an entry is about, in the reader's language ("case")."""
    model = _model(entry.target_type)
    return str(model._meta.verbose_name) if model is not None else entry.target_type


def record_url(entry: AuditEntry) -> str | None:
    """Where the record's own page is (it answers 404 to those who may not see it), if it has one."""
    name = RECORD_PAGES.get(entry.target_type)
    return reverse(name, kwargs={"pk": entry.target_id}) if name else None
