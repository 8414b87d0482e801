"""Assessment pages: start one from the case, answer it a section at a time, complete it, read the result,
print the family's copy, and follow the family's adaptation over time.

Every assessment is fetched through `Assessment.objects.visible_to` (404 otherwise); writes also need
`can_change` on its case (403). Pages that show a case or family record a read in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qadam.assessments import charts
from qadam.assessments.engine import DECLINED, NA, Instrument, explain
from qadam.assessments.engine.definition import Section
from qadam.assessments.engine.faa import Band, Confidence, FamilyCardLevel, Phase, Strategy, TypicalPeriod
from qadam.assessments.forms import PhaseForm, SectionForm, StartForm
from qadam.assessments.models import Assessment
from qadam.assessments.services import (
    assessment_answer,
    assessment_complete,
    assessment_phase_override,
    assessment_start,
    previous_answers,
)
from qadam.audit.services import audit_read
from qadam.cases.access import can_change, on_team, team_q
from qadam.cases.models import Case
from qadam.families.models import Family
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest

DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
ACCULTURATION = ("H", "U", "R")
STRENGTHS_SCALE, STRENGTHS_SECTION = "B", "strengths"
FAA = "faa"
# Steps of the calculation that tell of the safety check: for the case team alone.
SAFETY_CODES = {"trigger_fired", "trigger_unanswered"}


# Access -----------------------------------------------------------------------------------------------------


def _assessment_for(user: Any, pk: int, *, write: bool = False) -> Assessment:
    """The assessment if the user may see its case (404 otherwise); with `write`, if they may change it (403)."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "case__family__head", "case__owner", "instrument", "informant"
        ),
        pk=pk,
    )
    if write and not can_change(user, assessment.case):
        raise PermissionDenied
    return assessment


def _read(request: AuthedRequest, pk: int, *, write: bool = False, action: str = "viewed") -> Assessment:
    assessment = _assessment_for(request.user, pk, write=write)
    audit_read(actor=request.user, obj=assessment.case, action=action)
    return assessment


# Starting ---------------------------------------------------------------------------------------------------


@require_POST
def assessment_start_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("family__head"), pk=pk)
    if not can_change(request.user, case):
        raise PermissionDenied
    form = StartForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(case)
    data = form.cleaned_data
    try:
        assessment = assessment_start(
            by=request.user,
            case=case,
            instrument=data["instrument"],
            language=data["language"],
            informant=data["informant"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(case)
    return redirect("assessments:section", pk=assessment.pk, n=1)


def case_assessments(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's assessments and the form to start one: the card htmx loads into the case page, or a page
    of its own without JavaScript."""
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("family__head"), pk=pk)
    audit_read(actor=request.user, obj=case)
    assessments = (
        Assessment.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("instrument")
        .order_by("-created_at")
    )
    language = get_language() or "en"
    rows = [{"assessment": a, "title": _title(a.instrument.instrument, language)} for a in assessments]
    can_start = can_change(request.user, case) and case.is_open
    context = {"case": case, "assessment_rows": rows, "start_form": StartForm(case=case) if can_start else None}
    template = "assessments/_case_assessments.html" if is_htmx(request) else "assessments/case_assessments.html"
    return render(request, template, context)


# Answering --------------------------------------------------------------------------------------------------


def _title(instrument: Instrument, language: str) -> dict[str, Any]:
    text, fallback = Instrument.text(instrument.title, language)
    return {"text": text, "fallback": fallback, "status": instrument.status}


def _section_form(
    request: AuthedRequest, assessment: Assessment, section: Section, data: Any = None
) -> SectionForm | None:
    """The section's form; None for a private section shown to someone outside the case team, who may
    neither read the answers given nor overwrite them."""
    if section.private and not on_team(request.user, assessment.case):
        return None
    saved = assessment.all_answers if section.private else assessment.answers
    return SectionForm(
        data,
        section=section,
        instrument=assessment.instrument.instrument,
        language=assessment.language,
        saved=saved,
        previous={} if section.private else previous_answers(assessment),
    )


@require_http_methods(["GET", "POST"])
def section_view(request: AuthedRequest, pk: int, n: int) -> HttpResponse:
    if request.method == "GET":
        assessment = _read(request, pk, write=True)
    else:
        assessment = _assessment_for(request.user, pk, write=True)
    if assessment.is_completed:
        return redirect("assessments:detail", pk=assessment.pk)
    instrument = assessment.instrument.instrument
    sections = instrument.sections
    if not 1 <= n <= len(sections):
        return redirect("assessments:review", pk=assessment.pk)
    section = sections[n - 1]
    form = _section_form(request, assessment, section, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = form is None or _save(request, assessment, form)
        if saved:
            return _after_section(request, assessment, n, len(sections))
    status = 422 if form is not None and form.is_bound else 200
    context = {
        "assessment": assessment,
        "instrument": instrument,
        "title": _title(instrument, assessment.language),
        "section": section,
        "section_title": Instrument.text(section.title, assessment.language),
        "section_why": Instrument.text(section.why, assessment.language),
        "n": n,
        "count": len(sections),
        "form": form,
        "questions": form.questions() if form is not None else [],
        "translation_needed": instrument.needs_translation(assessment.language),
    }
    return render(request, "assessments/assessment_section.html", context, status=status)


def _save(request: AuthedRequest, assessment: Assessment, form: SectionForm) -> bool:
    if not form.is_valid():
        return False
    try:
        assessment_answer(by=request.user, assessment=assessment, answers=form.answers())
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _after_section(request: AuthedRequest, assessment: Assessment, n: int, count: int) -> HttpResponse:
    go = request.POST.get("go", "next")
    if go == "later":
        messages.success(request, _("The answers are saved. You can continue the assessment later."))
        return redirect(assessment.case)
    if go == "back":
        return redirect("assessments:section", pk=assessment.pk, n=max(n - 1, 1))
    if n >= count:
        return redirect("assessments:review", pk=assessment.pk)
    return redirect("assessments:section", pk=assessment.pk, n=n + 1)


def _section_counts(assessment: Assessment, team: bool) -> list[dict[str, Any]]:
    """Per section: answered, "prefer not to answer" / not applicable, and skipped questions."""
    instrument = assessment.instrument.instrument
    answers = assessment.all_answers if team else assessment.answers
    rows = []
    for number, section in enumerate(instrument.sections, start=1):
        items = [i for i in section.items if i.answerable]
        values = [answers.get(i.id) for i in items]
        declined = sum(1 for v in values if v in (NA, DECLINED))
        skipped = sum(1 for v in values if v is None)
        rows.append(
            {
                "n": number,
                "title": Instrument.text(section.title, assessment.language)[0],
                "private": section.private,
                "hidden": section.private and not team,
                "answered": len(items) - declined - skipped,
                "declined": declined,
                "skipped": skipped,
                "total": len(items),
            }
        )
    return rows


def review_view(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = _read(request, pk, write=True)
    if assessment.is_completed:
        return redirect("assessments:detail", pk=assessment.pk)
    instrument = assessment.instrument.instrument
    context = {
        "assessment": assessment,
        "title": _title(instrument, assessment.language),
        "sections": _section_counts(assessment, on_team(request.user, assessment.case)),
        "count": len(instrument.sections),
    }
    return render(request, "assessments/assessment_review.html", context)


@require_POST
def complete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request.user, pk, write=True)
    try:
        assessment = assessment_complete(by=request.user, assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:detail" if assessment.is_completed else "assessments:review", pk=assessment.pk)
    messages.success(request, _("The assessment is completed."))
    return redirect("assessments:detail", pk=assessment.pk)


# Reading the result -----------------------------------------------------------------------------------------


def _band_label(code: str | None) -> str:
    return str(Band(code).label) if code in Band.values else ""


def _item_text(instrument: Instrument, item_id: str, language: str) -> str:
    item = instrument.items.get(item_id)
    return Instrument.text(item.text, language)[0] if item else item_id


def _scores(assessment: Assessment, language: str) -> list[dict[str, Any]]:
    """Each reported score with what it rests on: answered / needed, and the questions missing from it."""
    result = assessment.scored
    if result is None:
        return []
    instrument = assessment.instrument.instrument
    rows = []
    for scale_id, scale in instrument.scales.items():
        found = result.scales.get(scale_id)
        if found is None or not scale.report:
            continue
        missing = [
            {"id": i, "text": _item_text(instrument, i, language), "why": why}
            for why, ids in (("skipped", found.skipped), ("declined", found.declined), ("na", found.na))
            for i in ids
        ]
        rows.append(
            {
                "id": scale_id,
                "title": Instrument.text(scale.title, language)[0] or scale_id,
                "score": found.score if found.valid else None,
                "band": _band_label(found.band),
                "band_code": found.band or "",
                "found": found,
                "missing": missing,
            }
        )
    return rows


def _bars(rows: list[dict[str, Any]], ids: tuple[str, ...]) -> list[charts.Bar]:
    by_id = {row["id"]: row for row in rows}
    return [
        charts.Bar(
            label=by_id[i]["title"],
            score=by_id[i]["score"],
            band=by_id[i]["band_code"],
            note=_("not enough answers"),
        )
        for i in ids
        if i in by_id
    ]


def _strengths(assessment: Assessment, language: str) -> list[str]:
    instrument = assessment.instrument.instrument
    section = next((s for s in instrument.sections if s.id == STRENGTHS_SECTION), None)
    if section is None:
        return []
    return [Instrument.text(i.text, language)[0] for i in section.items if assessment.answers.get(i.id) == 1]


def _profile(assessment: Assessment, language: str) -> dict[str, Any]:
    """What the result page, the family profile and the printed copy share."""
    rows = _scores(assessment, language)
    by_id = {row["id"]: row for row in rows}
    profile_title = _("Adaptation profile: seven dimensions, 0 to 100")
    acculturation_title = _("Heritage and urban orientation, 0 to 100")
    return {
        "scores": rows,
        "strength_scale": by_id.get(STRENGTHS_SCALE),
        "strengths": _strengths(assessment, language),
        "dimension_rows": [by_id[d] for d in DIMENSIONS if d in by_id],
        "acculturation_rows": [by_id[d] for d in ACCULTURATION if d in by_id],
        "ai_row": by_id.get("AI"),
        "profile_svg": mark_safe(charts.profile_chart(_bars(rows, DIMENSIONS), title=profile_title)),
        "acculturation_svg": mark_safe(
            charts.profile_chart(_bars(rows, ("H", "U")), title=acculturation_title, bands=False)
        ),
    }


def _safety_first(assessment: Assessment) -> bool:
    return Phase.SAFETY_FIRST in (assessment.phase, assessment.current_phase)


def _phase_label(assessment: Assessment, *, team: bool) -> str:
    """The phase as shown; "safety first" tells of the safety check, so it is for the case team alone."""
    if _safety_first(assessment) and not team:
        return _("shown only to the case team")
    phase = assessment.current_phase
    return str(Phase(phase).label) if phase in Phase.values else ""


def _interpretation(assessment: Assessment, *, team: bool) -> dict[str, Any] | None:
    interpreted = assessment.interpreted
    if interpreted is None:
        return None
    hidden = _safety_first(assessment) and not team
    instrument = assessment.instrument.instrument
    choices = {
        "phase": Phase,
        "strategy": Strategy,
        "confidence": Confidence,
        "card": FamilyCardLevel,
        "typical": TypicalPeriod,
    }

    def label(kind: str, value: str | None) -> str:
        enum = choices[kind]
        return str(enum(value).label) if value in enum.values else ""

    return {
        "it": interpreted,
        "phase": _phase_label(assessment, team=team),
        "rules_phase": "" if hidden else label("phase", assessment.phase),
        "strategy": label("strategy", interpreted.strategy),
        "confidence": label("confidence", interpreted.strategy_confidence),
        "card": label("card", interpreted.family_card_level),
        "band": _band_label(interpreted.ai_band),
        "typical": label("typical", interpreted.typical_period),
        "explanation": [
            explain(entry, instrument)
            for entry in interpreted.explanation
            if not (hidden and entry.get("code") == "phase_rule")
        ],
    }


def detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = _read(request, pk)
    if not assessment.is_completed:
        if can_change(request.user, assessment.case):
            return redirect("assessments:section", pk=assessment.pk, n=1)
        return render(request, "assessments/assessment_pending.html", {"assessment": assessment})
    language = get_language() or "en"
    instrument = assessment.instrument.instrument
    team = on_team(request.user, assessment.case)
    result = assessment.scored
    context = {
        "assessment": assessment,
        "instrument": instrument,
        "title": _title(instrument, language),
        "interpretation": _interpretation(assessment, team=team),
        "can_change": can_change(request.user, assessment.case),
        # The safety check is for the case team alone: not for supervisors or administrators who see the case.
        "show_safety": team,
        "safety_alerts": _safety_alerts(assessment, language) if team else [],
        "phase_form": PhaseForm(initial={"phase": assessment.current_phase}),
        "scoring_steps": [
            explain(e, instrument)
            for e in (result.explanation if result else ())
            if team or e.get("code") not in SAFETY_CODES
        ],
        **_profile(assessment, language),
    }
    return render(request, "assessments/assessment_detail.html", context)


def _safety_alerts(assessment: Assessment, language: str) -> list[str]:
    result = assessment.scored
    instrument = assessment.instrument.instrument
    labels = {t.id: t.label for t in instrument.triggers}
    return [Instrument.text(labels.get(t.id), language)[0] for t in result.triggers] if result else []


@require_POST
def phase_view(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request.user, pk, write=True)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessments:detail", pk=assessment.pk)
    try:
        assessment_phase_override(
            by=request.user, assessment=assessment, phase=form.cleaned_data["phase"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The phase is set."))
    return redirect("assessments:detail", pk=assessment.pk)


def print_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The family's own copy, in the language of its assessment: strengths first, scores in words and bars;
    no safety questions and nothing of the case."""
    assessment = _read(request, pk, action="printed")
    if not assessment.is_completed:
        return redirect("assessments:detail", pk=assessment.pk)
    with translation.override(assessment.language):
        instrument = assessment.instrument.instrument
        context = {
            "assessment": assessment,
            "title": _title(instrument, assessment.language),
            # A printed copy may be seen by anyone at home: nothing that tells of the safety check.
            "interpretation": _interpretation(assessment, team=False),
            "print_language": assessment.language,
            **_profile(assessment, assessment.language),
        }
        return render(request, "assessments/assessment_print.html", context)


# The family's trajectory ------------------------------------------------------------------------------------


def family_profile(request: AuthedRequest, pk: int) -> HttpResponse:
    family = get_object_or_404(Family.objects.visible_to(request.user).select_related("head"), pk=pk)
    audit_read(actor=request.user, obj=family)
    language = get_language() or "en"
    assessments = list(
        Assessment.objects.visible_to(request.user)
        .completed()
        .filter(family=family, instrument__key=FAA)
        .select_related("instrument", "case")
        .order_by("assessed_on", "id")
    )
    latest = assessments[-1] if assessments else None
    # The family's cases whose team the reader is on, in one query rather than one per assessment.
    team_cases = set(Case.objects.filter(team_q(request.user), family=family).values_list("pk", flat=True))
    points = [_point(a, team=a.case_id in team_cases) for a in assessments]
    context = {
        "family": family,
        "latest": latest,
        "points": points,
        "dimension_titles": _dimension_titles(latest, language),
        "trajectory_svg": mark_safe(_trajectory(points, latest, language)) if points else "",
        **(_profile(latest, language) if latest else {}),
    }
    return render(request, "assessments/family_profile.html", context)


def _point(assessment: Assessment, *, team: bool) -> dict[str, Any]:
    result = assessment.scored
    return {
        "assessment": assessment,
        "months": assessment.months_since_move,
        "ai": result.score_of("AI") if result else None,
        "dims": [result.score_of(d) if result else None for d in DIMENSIONS],
        "phase": _phase_label(assessment, team=team),
    }


def _dimension_titles(assessment: Assessment | None, language: str) -> list[str]:
    if assessment is None:
        return []
    scales = assessment.instrument.instrument.scales
    return [Instrument.text(scales[d].title, language)[0] if d in scales else d for d in DIMENSIONS]


def _trajectory(points: list[dict[str, Any]], latest: Assessment | None, language: str) -> str:
    # Without a recorded move the months are unknown: the assessments are then placed in order, 1, 2, 3.
    xs = [p["months"] if p["months"] is not None else index for index, p in enumerate(points, start=1)]
    titles = _dimension_titles(latest, language)
    series = [charts.Series("ai", _("Adaptation index"), list(zip(xs, [p["ai"] for p in points], strict=True)))]
    for index, dimension in enumerate(DIMENSIONS):
        values = [p["dims"][index] for p in points]
        series.append(charts.Series(dimension, titles[index], list(zip(xs, values, strict=True))))
    return charts.trajectory_chart(
        series,
        title=_("Adaptation over time: the index and each dimension"),
        x_label=_("Months since the move"),
        y_label=_("Score (0 to 100)"),
    )


def family_profile_url(family: Family) -> str:
    return reverse("assessments:family", kwargs={"pk": family.pk})
