"""The cohort page: how families adapt by months since the move, in groups large enough to show.

Aggregates only: no page here names a family. The figures are computed from the rows of
`rows.cohort_rows` (the user's scope, consent, never restricted cases) by `analysis.analyse`, which
withholds small cells; this module only words and draws what it returns.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qadam.assessments.engine import Instrument
from qadam.assessments.engine.faa import Phase
from qadam.assessments.models import InstrumentVersion
from qadam.cohorts import charts
from qadam.cohorts.analysis import ALL, BANDS, DIMENSIONS, PHASES, Cohort, Curve, Split
from qadam.cohorts.models import CohortRun
from qadam.cohorts.rows import ABROAD, UNKNOWN, Filters, may_see_cohorts
from qadam.cohorts.services import cohort_run_request, min_cell
from qadam.cohorts.store import load
from qadam.families.models import Move
from qadam.kato.models import KatoUnit
from qadam.lib.forms import DateInput
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest

ATTRIBUTE_LABELS = {
    ALL: gettext_lazy("no split: all families"),
    "origin_region": gettext_lazy("region of origin"),
    "origin_area": gettext_lazy("rural or urban origin"),
    "programme": gettext_lazy("programme"),
    "household": gettext_lazy("household type"),
    "reason": gettext_lazy("reason for moving"),
}
HOUSEHOLD_LABELS = {
    "single": gettext_lazy("single adult"),
    "couple": gettext_lazy("couple without children"),
    "with_children": gettext_lazy("with children"),
    "extended": gettext_lazy("extended household"),
}


class CohortFilterForm(forms.Form):
    assessed_from = forms.DateField(label=gettext_lazy("Assessed from"), required=False, widget=DateInput())
    assessed_to = forms.DateField(label=gettext_lazy("Assessed until"), required=False, widget=DateInput())
    region = forms.ChoiceField(label=gettext_lazy("Region of destination"), required=False)
    split = forms.ChoiceField(label=gettext_lazy("Split by"), required=False, choices=list(ATTRIBUTE_LABELS.items()))
    dimension = forms.ChoiceField(label=gettext_lazy("Dimension in the chart"), required=False)

    def __init__(self, *args: Any, dimensions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [(u.code, u.name) for u in KatoUnit.objects.filter(level=KatoUnit.Level.REGION)]
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("All regions")), *regions]
        cast(forms.ChoiceField, self.fields["dimension"]).choices = dimensions

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("assessed_from"), data.get("assessed_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period must come before its end."))
        return data


@require_GET
def overview(request: AuthedRequest) -> HttpResponse:
    """The cohort figures for the user's scope and the chosen filters, once the background task has
    computed them; until then the page says so and asks again every few seconds (htmx)."""
    if not may_see_cohorts(request.user):
        raise PermissionDenied
    titles = _dimension_titles()
    form = CohortFilterForm(request.GET or None, dimensions=list(titles.items()))
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    context: dict[str, Any] = {"form": form, "min_cell": min_cell(), "valid": valid}
    if valid:
        filters = Filters(data.get("assessed_from"), data.get("assessed_to"), data.get("region") or None)
        run = cohort_run_request(by=request.user, filters=filters)
        context["run"] = run
        if run.status == CohortRun.Status.DONE:
            attribute = data.get("split") or ALL
            dimension = data.get("dimension") or DIMENSIONS[0]
            context.update(_figures(load(run.result), attribute, dimension, titles))
    template = "cohorts/_figures.html" if is_htmx(request) else "cohorts/overview.html"
    return render(request, template, context)


def _dimension_titles() -> dict[str, str]:
    """D1-D7 with their titles in the reader's language, from the FAA version offered now."""
    version = InstrumentVersion.objects.filter(key="faa", offered=True).order_by("-id").first()
    scales = version.instrument.scales if version is not None else {}
    language = (get_language() or "en")[:2]
    return {d: f"{d} {Instrument.text(scales[d].title, language)[0]}" if d in scales else d for d in DIMENSIONS}


def _group_labels(attribute: str, groups: list[str]) -> dict[str, str]:
    special = {UNKNOWN: _("not recorded"), ABROAD: _("from abroad"), "none": _("no reason given"), ALL: _("All")}
    names: dict[str, Any]
    if attribute == "origin_region":
        names = {u.code: u.name for u in KatoUnit.objects.filter(code__in=groups)}
    else:
        names = {
            "origin_area": dict(Move.Area.choices),
            "programme": dict(Move.Programme.choices),
            "household": HOUSEHOLD_LABELS,
            "reason": dict(Move.Reason.choices),
        }.get(attribute, {})
    return {g: str(special.get(g) or names.get(g) or g) for g in groups}


def shown(value: float | None, places: int = 0) -> str:
    """A figure as the locale writes it, or what the page says instead of a withheld one."""
    if value is None:
        return _("fewer than {n}").format(n=min_cell())
    return formats.number_format(value, places, use_l10n=True)


def _figures(cohort: Cohort, attribute: str, dimension: str, titles: dict[str, str]) -> dict[str, Any]:
    split = cohort.splits[attribute]
    labels = _group_labels(attribute, split.groups)
    phase_labels = {p: str(Phase(p).label) for p in PHASES}
    return {
        "cohort": cohort,
        "assessments_n": shown(cohort.assessments if cohort.assessments >= cohort.min_cell else None),
        "families_n": shown(cohort.families if cohort.families >= cohort.min_cell else None),
        "attribute_label": ATTRIBUTE_LABELS[attribute],
        "dimension_title": titles[dimension],
        "bands": [b for b, _low, _high in BANDS],
        "phase_labels": [phase_labels[p] for p in PHASES],
        "trajectory_svg": mark_safe(_trajectory_chart(split, labels, dimension, titles[dimension])),
        "score_rows": _score_rows(split, labels, dimension),
        "phase_rows": _phase_rows(split, labels),
        "survival_svg": mark_safe(_survival_chart(cohort.curves[attribute], labels)),
        "curves": [_curve_rows(curve, labels) for curve in cohort.curves[attribute]],
        "transition_rows": _transition_rows(cohort, phase_labels),
        "transitions_total": shown(cohort.transitions_total),
        "overlapping": attribute == "reason",
    }


def _trajectory_chart(split: Split, labels: dict[str, str], dimension: str, title: str) -> str:
    lines = [
        charts.Line(
            f"g{index % 8}",
            labels[group],
            [(i, split.stats[group, band, dimension].mean) for i, (band, _l, _h) in enumerate(BANDS)],
        )
        for index, group in enumerate(split.groups)
    ]
    return charts.band_chart(
        lines,
        [b for b, _l, _h in BANDS],
        title=_("Mean score by months since the move: {dimension}").format(dimension=title),
        x_label=_("Months since the move"),
        y_label=_("Mean score (0 to 100)"),
    )


def _score_rows(split: Split, labels: dict[str, str], dimension: str) -> list[dict[str, Any]]:
    """The chart's numbers: n, mean and quartiles of the dimension per group and band."""
    rows = []
    for group in split.groups:
        for band, _low, _high in BANDS:
            stat = split.stats[group, band, dimension]
            figures = [stat.mean, stat.q1, stat.median, stat.q3]
            cells = [shown(v, 1) for v in figures]
            rows.append({"group": labels[group], "band": band, "n": shown(stat.n), "cells": cells})
    return rows


def _phase_rows(split: Split, labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "group": labels[group],
            "band": band,
            "n": shown(split.families[group, band]),
            "cells": [shown(split.phases[group, band, phase]) for phase in PHASES],
        }
        for group in split.groups
        for band, _low, _high in BANDS
    ]


def _survival_chart(curves: list[Curve], labels: dict[str, str]) -> str:
    lines = [
        charts.Line(f"g{index % 8}", labels[c.group], [(s.months, s.survival) for s in c.steps])
        for index, c in enumerate(curves)
    ]
    return charts.survival_chart(
        lines,
        title=_("Families not yet stabilised, by months since the move"),
        x_label=_("Months since the move"),
        y_label=_("Not yet stabilised"),
    )


def _curve_rows(curve: Curve, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "group": labels[curve.group],
        "families": shown(curve.families),
        "stabilised": shown(curve.stabilised),
        "censored": shown(curve.censored),
        "median": curve.median,
        "steps": [
            {
                "months": step.months,
                "at_risk": shown(step.at_risk),
                "events": shown(step.events) if step.at_risk is not None else shown(None),
                "survival": shown(step.survival * 100, 1) if step.survival is not None else shown(None),
            }
            for step in curve.steps
        ],
    }


def _transition_rows(cohort: Cohort, phase_labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "phase": phase_labels[before],
            "cells": [shown(cohort.transitions[before, after]) for after in PHASES],
            "total": shown(cohort.transition_totals[before]),
        }
        for before in PHASES
    ]
