"""The agency report as a PDF: for each figure a bar chart and the numbers as a table beneath it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.documents.pdf import QadamPDF, suppressed_text
from qadam.documents.report import Figure, agency_names, min_cell, report_figures, suppress_row, suppress_total


def figure_titles() -> dict[str, str]:
    return {
        "opened": _("Cases opened, by type"),
        "closed": _("Cases closed, by type"),
        "phase": _("Families by adaptation phase (latest assessment)"),
        "referrals": _("Referrals sent in the period, by status today"),
        "contracts": _("Social contracts in force during the period, by status"),
        "orders": _("Protective orders in force during the period, by kind"),
    }


def definitions() -> str:
    return _(
        "Cases opened and closed count the opening and closing dates in the period. Families are counted by "
        "the phase of their latest family adaptation assessment made by the last day of the period. "
        "Referrals count those sent in the period, by their status today. Contracts and protective orders "
        "count those in force on any day of the period. Restricted cases are included in the counts."
    )


def _show(value: int | None) -> str:
    return suppressed_text() if value is None else str(value)


def agency_report_pdf(*, user: User, agency_ids: list[int], start: date, end: date, suppress: bool) -> bytes:
    """The report over `agency_ids`. With `suppress` (a coordinator's cross-agency view) every table has a
    column per agency and their sum, small counts hidden; otherwise one column of exact counts."""
    names = agency_names(agency_ids)
    period = _("%(start)s to %(end)s") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end, "DATE_FORMAT"),
    }
    pdf = QadamPDF(footer_text=_("Qadam · agency report · %(period)s") % {"period": period})
    pdf.set_title(_("Agency report"))
    pdf.title_line(_("Agency report"))
    pdf.paragraph(", ".join(names.values()), bold=True)
    pdf.paragraph(_("Period: %(period)s") % {"period": period})
    pdf.small(
        _("Made by %(who)s on %(when)s.")
        % {
            "who": user.get_full_name() or user.username,
            "when": date_format(timezone.localtime(timezone.now()), "DATETIME_FORMAT"),
        }
    )
    if suppress:
        pdf.small(
            _("Counts below %(k)s are suppressed in this view across agencies; each agency sees its own exact figures.")
            % {"k": min_cell()}
        )
    pdf.small(definitions())
    titles = figure_titles()
    for figure in report_figures(agency_ids, start, end):
        pdf.heading(titles[figure.key])
        if suppress:
            _coordinator_figure(pdf, figure, names)
        else:
            _agency_figure(pdf, figure)
    return bytes(pdf.output())


def _agency_figure(pdf: QadamPDF, figure: Figure) -> None:
    counts: Counter[str] = Counter()
    for agency_counts in figure.counts.values():
        counts.update(agency_counts)
    rows = [(str(label), counts[code]) for code, label in figure.categories]
    pdf.bar_chart(_("Chart"), list(rows))
    total = sum(n for _label, n in rows)
    pdf.data_table(
        [_("Category"), _("Count")],
        [[label, str(n)] for label, n in rows] + [[_("Total"), str(total)]],
        widths=(140, 38),
    )


def _coordinator_figure(pdf: QadamPDF, figure: Figure, names: dict[int, str]) -> None:
    k = min_cell()
    agency_ids = list(names)
    table_rows: list[list[str]] = []
    bars: list[tuple[str, int | None]] = []
    for code, label in figure.categories:
        values = [figure.counts.get(a, Counter())[code] for a in agency_ids]
        shown = suppress_row(values, k)
        total = suppress_total(sum(values), shown, k)
        bars.append((str(label), total))
        table_rows.append([str(label), *(_show(v) for v in shown), _show(total)])
    pdf.bar_chart(_("Chart: all agencies together"), bars)
    widths = _widths(len(agency_ids))
    pdf.data_table([_("Category"), *names.values(), _("All agencies")], table_rows, widths=widths)


def _widths(agencies: int) -> tuple[int, ...]:
    """A label column and equal columns for each agency and the sum, across the page's 178 mm."""
    label = 60 if agencies < 4 else 44
    each = max(12, (178 - label) // (agencies + 1))
    return (label, *([each] * (agencies + 1)))
