"""The dashboard: one page with the sections of the user's role, and the worker's card on the home page.

These pages show counts, never a person, family or case, so they record no read in the audit log; the
figures are computed over what the role covers (qadam.insights.scope) and small counts are hidden from
roles that see no named record. A role without a section (the registrar) gets 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qadam.cases.models import Case
from qadam.insights.area import AreaFigures, Figure, area_figures, definitions, titled
from qadam.insights.charts import bar_chart
from qadam.insights.figures import TeamFigures, WorkerFigures, team_figures, worker_figures
from qadam.insights.forms import FilterForm
from qadam.insights.scope import Scope, min_cell, sections_for
from qadam.lib.http import AuthedRequest


def _hidden_text() -> str:
    return _("fewer than %(n)s") % {"n": min_cell()}


def _safe(svg: str) -> str:
    """Safe: bar_chart escapes every text it puts into the SVG."""
    return mark_safe(svg)


def _chart(figure: Figure, *, title: str, columns: list[str] | None = None) -> dict[str, Any]:
    """A figure as the template draws it: the SVG, then the same numbers as a table."""
    names = columns or [title]
    svg = bar_chart(
        [(row.label, [cell.shown for cell in row.cells]) for row in figure.rows],
        title=title,
        legend=names,
        hidden_text=_hidden_text(),
    )
    return {"title": title, "svg": _safe(svg), "columns": names, "rows": figure.rows, "n": figure.n}


def _area_context(area: AreaFigures) -> dict[str, Any]:
    charts = [_chart(t.figure, title=t.title, columns=t.columns if len(t.columns) > 1 else None) for t in titled(area)]
    return {"area": area, "charts": charts, "definitions": definitions()}


def _worker_chart(figures: WorkerFigures) -> dict[str, Any]:
    statuses = dict(Case.Status.choices)
    rows = [(str(label), [figures.by_status.get(code, 0)]) for code, label in statuses.items() if code != "closed"]
    title = _("My open cases by status")
    table = [(label, values[0]) for label, values in rows]
    priorities = [(str(label), figures.by_priority.get(code, 0)) for code, label in Case.Priority.choices]
    return {"svg": _safe(bar_chart(rows, title=title)), "title": title, "rows": table, "priorities": priorities}


def _team_chart(team: TeamFigures) -> dict[str, Any]:
    title = _("Open cases per worker")
    rows = [(str(m.user), [m.caseload]) for m in team.members]
    return {"svg": _safe(bar_chart(rows, title=title)), "title": title}


@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The figures of the user's role; the period and region filters apply to the agency and region ones."""
    user = request.user
    sections = sections_for(user)
    if not sections:
        raise PermissionDenied
    today = timezone.localdate()
    context: dict[str, Any] = {"sections": sections, "today": today}
    if "worker" in sections:
        figures = worker_figures(user, today=today)
        context.update(worker=figures, worker_chart=_worker_chart(figures))
    if "team" in sections:
        team = team_figures(user, today=today)
        context.update(team=team, team_chart=_team_chart(team))
    if "area" in sections:
        form = FilterForm(request.GET or None)
        filters = form.filters(today)
        scope = Scope.for_user(user)
        context.update(
            form=form,
            filters=filters,
            scope=scope,
            hidden_text=_hidden_text(),
            **_area_context(area_figures(scope, filters, today=today)),
        )
    return render(request, "insights/dashboard.html", context)


@require_GET
def card(request: AuthedRequest) -> HttpResponse:
    """The worker's figures in brief, loaded into the home page by htmx so the home page itself waits for none."""
    if "worker" not in sections_for(request.user):
        raise PermissionDenied
    figures = worker_figures(request.user, today=timezone.localdate())
    return render(request, "insights/_card.html", {"worker": figures})
