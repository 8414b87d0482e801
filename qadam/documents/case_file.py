"""The case file as a PDF: what the reader may see of the case, by the rules of the case page and of its
printed file (`cases:print`).

- Names go through the same masking as `{% person_name %}` (`masked`/`team_person_ids`): a survivor's name
  reads "О*** Г." for anyone outside her case team, emergency access included.
- The phone goes through `contact_details` (a safe phone, safe hours, no SMS...) and never carries the code
  word: this is paper, like the printed file.
- Safety plans, protective measures and the alleged perpetrator are not in it; neither is the address.
- Every related record is read through its own `visible_to` (tasks, assessments, plans, referrals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.assessments.engine import Instrument
from qadam.assessments.engine.faa import Phase
from qadam.assessments.models import Assessment, ScaleScore
from qadam.cases.access import on_team, team_person_ids
from qadam.cases.models import Case, Task
from qadam.cases.templatetags.qadam_people import masked
from qadam.documents.pdf import QadamPDF
from qadam.families.models import Person
from qadam.plans.models import SupportPlan
from qadam.referrals.models import Referral
from qadam.safety.services import contact_details

FAA = "faa"
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")


@dataclass
class Names:
    """Shows a person's name as `{% person_name %}` would to this reader: one query, however many names."""

    team_people: set[int] | None
    user: User

    def __call__(self, person: Person | None) -> str:
        if person is None:
            return ""
        if not person.restricted:
            return person.full_name
        if self.team_people is None:
            self.team_people = team_person_ids(self.user)
        return person.full_name if person.pk in self.team_people else masked(person)


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "—"


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


def contact_text(person: Person, user: User) -> str:
    """The contact line of the printed file, in words: the code word is never on paper."""
    contact = contact_details(person, user=user)
    if not (contact.phone or contact.instructions):
        return "—"
    parts = [contact.phone or "—"]
    if contact.safe_phone:
        parts[0] += " (" + _("safe phone") + ")"
    if contact.safe_hours:
        parts.append(_("safe hours %(hours)s") % {"hours": contact.safe_hours})
    if contact.no_sms and contact.no_voicemail:
        parts.append(_("no SMS, no voicemail"))
    elif contact.no_sms:
        parts.append(_("no SMS"))
    elif contact.no_voicemail:
        parts.append(_("no voicemail"))
    if contact.instructions:
        parts.append(contact.instructions)
    return " — ".join(parts)


def case_file_pdf(case: Case, user: User) -> bytes:
    """The case file for `user`, who fetched `case` through `Case.objects.visible_to(user)`."""
    names = Names(team_people=None, user=user)
    team = on_team(user, case)
    pdf = QadamPDF(footer_text=_("Qadam · case file %(number)s · confidential") % {"number": case.number})
    pdf.set_title(_("Case file %(number)s") % {"number": case.number})
    title = _("Case file %(number)s") % {"number": case.number}
    if case.restricted:
        title += " · " + _("restricted")
    pdf.title_line(title)
    pdf.small(
        _(
            "Printed by %(who)s on %(when)s. Confidential: keep it out of sight and destroy it when it is no "
            "longer needed."
        )
        % {"who": _who(user), "when": _when(timezone.now())}
    )
    _facts(pdf, case, user, names)
    _team_and_household(pdf, case, names)
    _assessments(pdf, case, user, team=team)
    _plan(pdf, case, user)
    _referrals(pdf, case, user, names)
    _tasks(pdf, case, user)
    _notes(pdf, case)
    return bytes(pdf.output())


def _facts(pdf: QadamPDF, case: Case, user: User, names: Names) -> None:
    pdf.heading(_("About the case"))
    rows = [
        (_("Family"), names(case.family.head)),
        (_("Index person"), names(case.person)),
        (_("Phone"), contact_text(case.person, user)),
        (_("Type"), case.get_kind_display()),
    ]
    if case.grounds:
        rows.append((_("Grounds"), "; ".join(case.get_grounds_display())))
    rows += [
        (_("Status"), case.get_status_display()),
        (_("Priority"), case.get_priority_display()),
        (_("Case worker"), _who(case.owner)),
        (_("Opened"), _day(case.opened_on)),
    ]
    if case.closed_on:
        rows.append((_("Closed"), f"{_day(case.closed_on)} · {case.get_closing_reason_display()}"))
    pdf.facts(rows)


def _team_and_household(pdf: QadamPDF, case: Case, names: Names) -> None:
    pdf.heading(_("Case team"))
    members = [case.owner, *(a.user for a in case.assignments.select_related("user").order_by("added_at"))]
    for index, member in enumerate(members):
        pdf.paragraph(_who(member) + (" (" + _("case worker") + ")" if index == 0 else ""))
    pdf.heading(_("Household"))
    memberships = case.family.memberships.select_related("person").order_by("person__birth_date")
    for membership in memberships:
        pdf.paragraph(f"{names(membership.person)} · {membership.get_relationship_display()}")


def _phase_label(assessment: Assessment, *, team: bool) -> str:
    """As on the family's profile: "safety first" tells of the safety check, so it is for the team alone."""
    if Phase.SAFETY_FIRST in (assessment.phase, assessment.current_phase) and not team:
        return _("shown only to the case team")
    phase = assessment.current_phase
    return str(Phase(phase).label) if phase in Phase.values else "—"


def _assessments(pdf: QadamPDF, case: Case, user: User, *, team: bool) -> None:
    pdf.heading(_("Assessments"))
    assessments = list(
        Assessment.objects.visible_to(user).filter(case=case).select_related("instrument").order_by("-created_at")
    )
    if not assessments:
        pdf.muted(_("No assessment yet."))
        return
    language = get_language() or "en"
    rows = [
        [
            Instrument.text(a.instrument.title, language)[0] if isinstance(a.instrument.title, dict) else str(a),
            _day(a.assessed_on) if a.is_completed else a.get_status_display(),
        ]
        for a in assessments
    ]
    pdf.data_table([_("Instrument"), _("Date")], rows, widths=(130, 48))
    latest = next((a for a in assessments if a.is_completed and a.instrument.key == FAA), None)
    if latest is None:
        return
    pdf.paragraph(_("Latest family adaptation assessment, %(day)s") % {"day": _day(latest.assessed_on)}, bold=True)
    facts = [(_("Adaptation phase"), _phase_label(latest, team=team))]
    if latest.months_since_move is not None:
        facts.append((_("Months since the move"), str(latest.months_since_move)))
    if latest.index is not None:
        facts.append((_("Adaptation index"), str(latest.index)))
    pdf.facts(facts)
    scores = {s.scale: s for s in ScaleScore.objects.filter(assessment=latest, scale__in=DIMENSIONS)}
    scales = latest.instrument.instrument.scales
    rows = []
    for dimension in DIMENSIONS:
        title = Instrument.text(scales[dimension].title, language)[0] if dimension in scales else dimension
        score = scores.get(dimension)
        value = f"{score.score:.0f}" if score and score.valid and score.score is not None else _("not enough answers")
        rows.append([f"{dimension} {title}", value])
    pdf.data_table([_("Dimension"), _("Score (0 to 100)")], rows, widths=(130, 48))


def _plan(pdf: QadamPDF, case: Case, user: User) -> None:
    pdf.heading(_("Support plan"))
    plan = SupportPlan.objects.visible_to(user).filter(case=case).order_by("-version").first()
    if plan is None:
        pdf.muted(_("No support plan yet."))
        return
    pdf.paragraph(
        _("Version %(version)s, %(status)s, from %(day)s")
        % {"version": plan.version, "status": plan.get_status_display(), "day": _day(plan.starts_on)}
    )
    goals = plan.goals.order_by("position", "id")
    rows = [[goal.words, goal.get_dimension_display() if goal.dimension else "—"] for goal in goals]
    if rows:
        pdf.data_table([_("Goal, in the family's words"), _("Dimension")], rows, widths=(120, 58))
    else:
        pdf.muted(_("No goal yet."))


def _referrals(pdf: QadamPDF, case: Case, user: User, names: Names) -> None:
    pdf.heading(_("Referrals"))
    referrals = (
        Referral.objects.visible_to(user)
        .filter(case=case)
        .select_related("service", "organization", "person")
        .order_by("-id")
    )
    rows = [
        [
            r.service.display_name,
            r.organization.display_name,
            names(r.person),
            r.get_status_display(),
            _day(timezone.localtime(r.sent_at).date()) if r.sent_at else "—",
        ]
        for r in referrals
    ]
    if not rows:
        pdf.muted(_("No referral yet."))
        return
    pdf.data_table(
        [_("Service"), _("Organisation"), _("Person referred"), _("Status"), _("Sent")],
        rows,
        widths=(44, 44, 34, 30, 26),
    )


def _tasks(pdf: QadamPDF, case: Case, user: User) -> None:
    pdf.heading(_("Tasks"))
    tasks = Task.objects.visible_to(user).filter(case=case).select_related("assignee").order_by("due_on", "id")
    rows = [
        [t.title, _who(t.assignee), _day(t.due_on), _day(timezone.localtime(t.done_at).date()) if t.done_at else "—"]
        for t in tasks
    ]
    if not rows:
        pdf.muted(_("No task yet."))
        return
    pdf.data_table([_("Task"), _("Assigned to"), _("Due"), _("Done")], rows, widths=(80, 40, 29, 29))


def _notes(pdf: QadamPDF, case: Case) -> None:
    pdf.heading(_("Notes"))
    notes = case.notes.select_related("author").order_by("contact_on", "id")
    found = False
    for note in notes.iterator(chunk_size=200):
        found = True
        minutes = (
            " · " + ngettext("%(n)s minute", "%(n)s minutes", note.minutes) % {"n": note.minutes}
            if note.minutes
            else ""
        )
        pdf.paragraph(
            f"{note.get_contact_display()}, {_day(note.contact_on)}{minutes} · {_who(note.author)}", bold=True
        )
        pdf.paragraph(note.text)
        pdf.ln(1)
    if not found:
        pdf.muted(_("No note yet."))
