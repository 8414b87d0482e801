"""The agency report: the dashboard's agency and region figures for a period and a region, as a PDF.

The numbers are `qadam.insights.area.area_figures` over the requester's scope (`Scope.for_user`): the same
figures, definitions and small-cell suppression as the dashboard shows for the same filters, so that a
printed report and the screen never disagree. For each figure a bar chart, then the numbers as a table.
Made in the background as an export job (qadam.documents.kinds).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qadam.accounts.models import Agency, User
from qadam.documents.pdf import QadamPDF, suppressed_text
from qadam.insights.area import AreaFigures, Median, Titled, area_figures, definitions, titled
from qadam.insights.scope import Cell, Filters, Scope
from qadam.kato.models import KatoUnit


def agency_report_pdf(*, user: User, filters: Filters, today: date) -> bytes:
    """The report of what `user` sees on the dashboard with these filters."""
    scope = Scope.for_user(user)
    area = area_figures(scope, filters, today=today)
    period = _("%(start)s to %(end)s") % {
        "start": date_format(filters.start, "DATE_FORMAT"),
        "end": date_format(filters.end, "DATE_FORMAT"),
    }
    pdf = QadamPDF(footer_text=_("Qadam · agency report · %(period)s") % {"period": period})
    pdf.set_title(_("Agency report"))
    pdf.title_line(_("Agency report"))
    pdf.paragraph(_covered(scope), bold=True)
    pdf.paragraph(_("Period: %(period)s") % {"period": period})
    if filters.region:
        region = KatoUnit.objects.filter(code=filters.region).first()
        pdf.paragraph(_("Region: %(region)s") % {"region": region.name if region else filters.region})
    made = date_format(timezone.localtime(timezone.now()), "DATETIME_FORMAT")
    pdf.small(_("Made by %(who)s on %(when)s.") % {"who": user.get_full_name() or user.username, "when": made})
    if scope.suppress:
        pdf.small(_("Counts below %(n)s are not shown, so that no family can be recognised.") % {"n": scope.threshold})
    _headlines(pdf, area)
    for figure in titled(area):
        _figure(pdf, figure)
    pdf.heading(_("What the figures count"))
    for line in definitions():
        pdf.small(line)
    return bytes(pdf.output())


def _covered(scope: Scope) -> str:
    if scope.agency_ids is None:
        return _("All agencies")
    return ", ".join(sorted(a.name for a in Agency.objects.filter(pk__in=scope.agency_ids)))


def _n(cell: Cell) -> str:
    return _("n = %(n)s") % {"n": suppressed_text() if cell.hidden else cell.value}


def _median(median: Median) -> str:
    value = "—" if median.value is None else f"{median.value:.1f}"
    return f"{value} ({_n(median.n)})"


def _headlines(pdf: QadamPDF, area: AreaFigures) -> None:
    rate = "—" if area.referral_rate is None else f"{area.referral_rate:.1f}%"
    pdf.facts(
        [
            (_("Median months from the move to stabilisation"), _median(area.stabilisation)),
            (_("Referrals completed, of those with an outcome"), rate),
            (_("Median days from sending a referral to its completion"), _median(area.referral_days)),
        ]
    )


def _figure(pdf: QadamPDF, item: Titled) -> None:
    figure = item.figure
    pdf.heading(f"{item.title} ({_n(figure.n)})")
    for column, name in enumerate(item.columns):
        title = f"{item.title}: {name}" if len(item.columns) > 1 else item.title
        pdf.bar_chart(title, [(row.label, row.cells[column].shown) for row in figure.rows])
    shown = [[row.label, *(suppressed_text() if c.hidden else str(c.value) for c in row.cells)] for row in figure.rows]
    each = 38 if len(item.columns) < 3 else 24
    widths = (178 - each * len(item.columns), *([each] * len(item.columns)))
    pdf.data_table([_("Group"), *item.columns], shown, widths=widths)
