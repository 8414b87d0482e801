"""Writes to support plans: creating a plan from the assessment's suggestions, its versions, goals and actions,
the family's agreement and the reviews; each validated, atomic and audited. Approvals are in approvals.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qadam.accounts.models import User
from qadam.assessments.engine import Instrument
from qadam.assessments.models import Assessment
from qadam.audit.services import CHANGED, audit_record
from qadam.cases.models import Case
from qadam.cases.services import task_add, task_complete
from qadam.families.models import Person
from qadam.plans.models import Action, Approval, Dimension, Goal, PlanReview, SupportPlan

FAA = "faa"
STRENGTHS_SECTION = "strengths"
# A starting point for a goal the assessment suggests; the family says it in its own words and the worker
# writes that down instead (instruments.md §1.1: goals are written together, in the family's words).
SUGGESTED_WORDS = {
    "D1": gettext_lazy("We want steady work and an income that covers food, rent and bills."),
    "D2": gettext_lazy("We want our documents and registration in order, and to know the help we are entitled to."),
    "D3": gettext_lazy("We want to feel calmer and more at home in the city."),
    "D4": gettext_lazy("We want to find our way in the city: its language, offices, services and information."),
    "D5": gettext_lazy("We want to talk, decide and solve problems together as a family."),
    "D6": gettext_lazy("We want the care our health needs, and our children settled at school."),
    "D7": gettext_lazy("We want to set small goals for our family and reach them."),
}
SCAN_MAX_BYTES = 5 * 1024 * 1024
# What a scan may be, told by its first bytes rather than by its name.
SCAN_TYPES = {b"%PDF-": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}


@dataclass
class Suggestions:
    """What Qadam proposes for a new plan: strengths to open it and goals for the weakest dimensions."""

    assessment: Assessment | None
    language: str
    strengths: list[str]
    goals: list[dict[str, str]]


def latest_faa(case: Case) -> Assessment | None:
    return (
        Assessment.objects.completed()
        .filter(case=case, instrument__key=FAA)
        .select_related("instrument")
        .order_by("-assessed_on", "-id")
        .first()
    )


def family_language(case: Case, assessment: Assessment | None) -> str:
    """Kazakh or Russian: the assessment's language, else the index person's preferred one, else Kazakh."""
    for language in (assessment.language if assessment else "", case.person.preferred_language):
        if language in SupportPlan.Language.values:
            return language
    return SupportPlan.Language.KAZAKH


def plan_suggestions(case: Case, language: str | None = None) -> Suggestions:
    """Goals for the lowest-scoring dimensions of the case's latest completed FAA (its `goal_dimensions`), and
    the strengths the family named in it. The FAA context block records no priorities of the family: the
    worker adds them as goals of their own."""
    assessment = latest_faa(case)
    language = language or family_language(case, assessment)
    if assessment is None:
        return Suggestions(None, language, [], [])
    dims = (assessment.interpretation or {}).get("goal_dimensions", [])
    with translation.override(language):
        goals = [{"dimension": d, "words": str(SUGGESTED_WORDS[d])} for d in dims if d in SUGGESTED_WORDS]
    return Suggestions(assessment, language, _strengths(assessment, language), goals)


def _strengths(assessment: Assessment, language: str) -> list[str]:
    instrument = assessment.instrument.instrument
    section = next((s for s in instrument.sections if s.id == STRENGTHS_SECTION), None)
    if section is None:
        return []
    return [Instrument.text(i.text, language)[0] for i in section.items if assessment.answers.get(i.id) == 1]


def current_plan(case: Case) -> SupportPlan | None:
    return SupportPlan.objects.filter(case=case).order_by("-version").first()


def _check_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to change its plan."))


def _lock(plan: SupportPlan | int) -> SupportPlan:
    """The plan re-read under a row lock: what the caller holds may be stale (agreed or submitted since)."""
    pk = plan if isinstance(plan, int) else plan.pk
    return SupportPlan.objects.select_for_update(of=("self",)).select_related("case").get(pk=pk)


def _check_editable(plan: SupportPlan) -> None:
    if current_plan(plan.case) != plan:
        raise ValidationError(_("This is an earlier version of the plan; it stays as it was."))
    if not plan.is_editable:
        raise ValidationError(
            _("This version is agreed, approved or waiting for approval. Start a new version to change it.")
        )
    _check_open(plan.case)


def _clean_words(words: str) -> str:
    words = (words or "").strip()
    if not words:
        raise ValidationError({"words": _("Write the goal in the family's own words.")})
    return words


def _lines(strengths: list[str] | str) -> str:
    items = strengths.splitlines() if isinstance(strengths, str) else strengths
    return "\n".join(s.strip() for s in items if s.strip())


@transaction.atomic
def plan_create(
    *,
    by: User,
    case: Case,
    starts_on: date,
    review_on: date,
    language: str,
    goals: list[dict[str, str]],
    strengths: list[str] | str = "",
    assessment: Assessment | None = None,
) -> SupportPlan:
    """The case's first plan: strengths first, then the goals the family kept, and the first review date."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_open(case)
    if SupportPlan.objects.filter(case=case).exists():
        raise ValidationError(_("This case has a plan already. Start a new version of it instead."))
    if not goals:
        raise ValidationError(_("A plan needs at least one goal, in the family's own words."))
    if review_on <= starts_on:
        raise ValidationError({"review_on": _("The review date must come after the plan starts.")})
    plan = SupportPlan(
        case=case,
        version=1,
        starts_on=starts_on,
        language=language,
        strengths=_lines(strengths),
        assessment=assessment,
        created_by=by,
    )
    plan.full_clean()
    plan.save()
    for position, goal in enumerate(goals, start=1):
        _goal_save(plan, goal.get("words", ""), goal.get("dimension", ""), goal.get("origin", ""), position)
    audit_record(
        actor=by,
        action="plan_created",
        obj=case,
        changes={"plan": [None, plan.pk], "version": [None, 1], "goals": [None, len(goals)]},
    )
    review_schedule(by=by, plan=plan, due_on=review_on)
    return plan


def _goal_save(plan: SupportPlan, words: str, dimension: str, origin: str, position: int) -> Goal:
    goal = Goal(
        plan=plan,
        words=_clean_words(words),
        dimension=dimension or "",
        origin=origin or Goal.Origin.FAMILY,
        position=position,
    )
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def plan_new_version(*, by: User, plan: SupportPlan) -> SupportPlan:
    """A new draft that starts from the current version's content; the earlier one stays as it was."""
    case = Case.objects.select_for_update().get(pk=plan.case_id)
    plan = _lock(plan)
    _check_open(case)
    if current_plan(case) != plan:
        raise ValidationError(_("Start the new version from the current one."))
    if plan.is_editable:
        raise ValidationError(_("This version is still a draft: change it as it is."))
    new = SupportPlan(
        case=case,
        version=plan.version + 1,
        based_on=plan,
        starts_on=plan.starts_on,
        language=plan.language,
        strengths=plan.strengths,
        assessment=plan.assessment,
        created_by=by,
    )
    new.full_clean()
    new.save()
    for goal in plan.goals.prefetch_related("actions").order_by("position", "id"):
        copy = Goal.objects.create(
            plan=new, position=goal.position, words=goal.words, dimension=goal.dimension, origin=goal.origin
        )
        Action.objects.bulk_create(
            Action(
                goal=copy,
                who=a.who,
                person_id=a.person_id,
                user_id=a.user_id,
                partner=a.partner,
                what=a.what,
                due_on=a.due_on,
                status=a.status,
            )
            for a in goal.actions.all()
        )
    # A version waiting for approval is replaced: its request is no longer needed.
    for approval in Approval.objects.filter(plan=plan, status=Approval.Status.PENDING):
        settle_approval(approval, by=by, status=Approval.Status.WITHDRAWN)
    audit_record(
        actor=by, action="plan_version_created", obj=case, changes={"plan": [plan.pk, new.pk], "version": new.version}
    )
    return new


@transaction.atomic
def plan_update(
    *, by: User, plan: SupportPlan, starts_on: date, language: str, strengths: list[str] | str
) -> SupportPlan:
    plan = _lock(plan)
    _check_editable(plan)
    before = {"starts_on": plan.starts_on, "language": plan.language}
    plan.starts_on, plan.language, plan.strengths = starts_on, language, _lines(strengths)
    earliest = Action.objects.filter(goal__plan=plan).order_by("due_on").values_list("due_on", flat=True).first()
    if earliest is not None and earliest < starts_on:
        raise ValidationError({"starts_on": _("An action of this plan is due before that date.")})
    plan.full_clean()
    plan.save(update_fields=["starts_on", "language", "strengths", "updated_at"])
    changes: dict[str, Any] = {k: [str(v), str(getattr(plan, k))] for k, v in before.items() if v != getattr(plan, k)}
    changes["plan"] = plan.pk
    changes["strengths"] = CHANGED
    audit_record(actor=by, action="plan_changed", obj=plan.case, changes=changes)
    return plan


@transaction.atomic
def goal_add(*, by: User, plan: SupportPlan, words: str, dimension: str = "", origin: str = "") -> Goal:
    plan = _lock(plan)
    _check_editable(plan)
    position = (plan.goals.aggregate(m=Max("position"))["m"] or 0) + 1
    goal = _goal_save(plan, words, dimension, origin, position)
    audit_record(actor=by, action="plan_goal_added", obj=plan.case, changes={"plan": plan.pk, "goal": [None, goal.pk]})
    return goal


@transaction.atomic
def goal_update(*, by: User, goal: Goal, words: str, dimension: str = "") -> Goal:
    """Rewrite a goal of a draft in the family's words; its actions stay with it."""
    plan = _lock(goal.plan_id)
    _check_editable(plan)
    goal.words, goal.dimension = _clean_words(words), dimension or ""
    goal.full_clean()
    goal.save(update_fields=["words", "dimension"])
    audit_record(actor=by, action="plan_goal_changed", obj=plan.case, changes={"goal": goal.pk, "words": CHANGED})
    return goal


@transaction.atomic
def goal_remove(*, by: User, goal: Goal) -> None:
    plan = _lock(goal.plan_id)
    _check_editable(plan)
    if plan.goals.count() == 1:
        raise ValidationError(_("A plan needs at least one goal, in the family's own words."))
    audit_record(
        actor=by, action="plan_goal_removed", obj=plan.case, changes={"plan": plan.pk, "goal": [goal.pk, None]}
    )
    goal.delete()


def _party(case: Case, who: str, person: Person | None, user: User | None, partner: str) -> dict[str, Any]:
    """The one party an action is for, checked against the case: a member of its family, a worker of its
    agency, or a partner organisation named."""
    if who == Action.Who.FAMILY:
        if person is None or not case.family.memberships.filter(person=person).exists():
            raise ValidationError({"person": _("Choose a member of this family.")})
        return {"person": person}
    if who == Action.Who.WORKER:
        if user is None or user.agency_id != case.agency_id or not user.is_active:
            raise ValidationError({"user": _("Choose an active worker of the case's agency.")})
        return {"user": user}
    if who == Action.Who.PARTNER:
        if not partner.strip():
            raise ValidationError({"partner": _("Name the partner organisation.")})
        return {"partner": partner.strip()}
    raise ValidationError({"who": _("Say who will do it.")})


@transaction.atomic
def action_add(
    *,
    by: User,
    goal: Goal,
    who: str,
    what: str,
    due_on: date,
    person: Person | None = None,
    user: User | None = None,
    partner: str = "",
) -> Action:
    plan = _lock(goal.plan_id)
    _check_editable(plan)
    if not (what or "").strip():
        raise ValidationError({"what": _("Say what will be done.")})
    if due_on < plan.starts_on:
        raise ValidationError({"due_on": _("An action cannot be due before the plan starts.")})
    action = Action(
        goal=goal, who=who, what=what.strip(), due_on=due_on, **_party(plan.case, who, person, user, partner)
    )
    action.full_clean()
    action.save()
    audit_record(
        actor=by,
        action="plan_action_added",
        obj=plan.case,
        changes={"plan": plan.pk, "action": [None, action.pk], "who": [None, who], "due_on": [None, str(due_on)]},
    )
    return action


@transaction.atomic
def action_set_status(*, by: User, action: Action, status: str) -> Action:
    """How an action went. Progress is recorded on the current version even once it is agreed: it changes
    nothing the family agreed to."""
    plan = _lock(action.goal.plan_id)
    _check_open(plan.case)
    if current_plan(plan.case) != plan:
        raise ValidationError(_("This is an earlier version of the plan; it stays as it was."))
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    before = action.status
    if before != status:
        action.status = status
        action.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="plan_action_status_changed",
            obj=plan.case,
            changes={"action": action.pk, "status": [before, status]},
        )
    return action


def _check_scan(scan: UploadedFile) -> str:
    """The file's extension by its content; refused when it is too large or not a PDF, JPEG or PNG."""
    if scan.size is None or scan.size > SCAN_MAX_BYTES:
        raise ValidationError({"scan": _("The scan is too large: at most 5 MB.")})
    scan.seek(0)
    head = scan.read(8)
    scan.seek(0)
    for magic, extension in SCAN_TYPES.items():
        if head.startswith(magic):
            return extension
    raise ValidationError({"scan": _("The scan must be a PDF, JPEG or PNG file.")})


@transaction.atomic
def plan_agree(
    *,
    by: User,
    plan: SupportPlan,
    agreed_on: date,
    how: str,
    witness: str = "",
    scan: UploadedFile | None = None,
) -> SupportPlan:
    """Record the family's agreement to this version: on signed paper (its scan kept privately) or aloud,
    before a witness. The version then no longer changes."""
    plan = SupportPlan.objects.select_for_update(of=("self",)).select_related("case").get(pk=plan.pk)
    _check_open(plan.case)
    if current_plan(plan.case) != plan:
        raise ValidationError(_("This is an earlier version of the plan; it stays as it was."))
    if plan.is_agreed:
        raise ValidationError(_("The family's agreement to this version is recorded already."))
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The date of the agreement cannot be in the future.")})
    if agreed_on < timezone.localdate(plan.created_at):
        raise ValidationError({"agreed_on": _("The family cannot have agreed before this version was written.")})
    extension = ""
    if how == SupportPlan.Agreement.PAPER:
        if scan is None:
            raise ValidationError({"scan": _("Upload the scan of the signed plan.")})
        extension = _check_scan(scan)
        witness = ""
    elif how == SupportPlan.Agreement.VERBAL:
        if not witness.strip():
            raise ValidationError({"witness": _("Name the witness of the family's agreement.")})
    else:
        raise ValidationError({"agreement": _("Say how the family agreed.")})
    plan.agreed_on, plan.agreement, plan.witness, plan.agreement_recorded_by = agreed_on, how, witness.strip(), by
    plan.full_clean(exclude=["scan"])
    if scan is not None and extension:
        plan.scan.save(f"{uuid.uuid4().hex}{extension}", scan, save=False)
    plan.save(update_fields=["agreed_on", "agreement", "witness", "agreement_recorded_by", "scan", "updated_at"])
    audit_record(
        actor=by,
        action="plan_agreed",
        obj=plan.case,
        changes={"plan": plan.pk, "agreed_on": [None, str(agreed_on)], "how": [None, how], "witness": CHANGED},
    )
    return plan


@transaction.atomic
def review_schedule(*, by: User, plan: SupportPlan, due_on: date) -> PlanReview:
    """A review date on the plan, and a task for the case worker to hold it."""
    case = plan.case
    if due_on < timezone.localdate():
        raise ValidationError({"review_on": _("The review date cannot be in the past.")})
    if PlanReview.objects.filter(case=case, done_on__isnull=True).exists():
        raise ValidationError({"review_on": _("A review of this plan is planned already.")})
    task = task_add(
        by=by,
        case=case,
        title=_("Review the support plan with the family"),
        due_on=due_on,
        assignee=case.owner,
        private=case.restricted,
    )
    review = PlanReview(case=case, plan=plan, due_on=due_on, task=task)
    review.full_clean()
    review.save()
    audit_record(
        actor=by, action="plan_review_scheduled", obj=case, changes={"review": [None, review.pk], "due_on": str(due_on)}
    )
    return review


@transaction.atomic
def review_complete(
    *, by: User, review: PlanReview, outcome: str, done_on: date | None = None, next_review_on: date | None = None
) -> PlanReview:
    """The review held: what it found is kept, its task is done, and the next review may be set."""
    review = PlanReview.objects.select_for_update(of=("self",)).select_related("case", "task").get(pk=review.pk)
    if review.done_on is not None:
        raise ValidationError(_("This review is recorded already."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what the review found.")})
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date of the review cannot be in the future.")})
    if next_review_on is not None and next_review_on <= done_on:
        raise ValidationError({"next_review_on": _("The next review must come after this one.")})
    plan = current_plan(review.case)
    review.plan = plan or review.plan
    review.done_on, review.done_by, review.outcome = done_on, by, outcome.strip()
    review.full_clean()
    review.save(update_fields=["plan", "done_on", "done_by", "outcome"])
    if review.task is not None:
        task_complete(by=by, task=review.task)
    audit_record(actor=by, action="plan_reviewed", obj=review.case, changes={"review": review.pk, "outcome": CHANGED})
    if next_review_on is not None:
        review_schedule(by=by, plan=review.plan, due_on=next_review_on)
    return review


def settle_approval(approval: Approval, *, by: User, status: str, comment: str = "") -> Approval:
    approval.status, approval.decided_by, approval.decided_at = status, by, timezone.now()
    approval.decision_comment = comment
    approval.full_clean()
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    return approval


def dimension_label(code: str) -> str:
    return str(dict(Dimension.choices).get(code, ""))
