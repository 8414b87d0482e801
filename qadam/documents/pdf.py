"""The PDF page Qadam prints on: DejaVu Sans (Kazakh and Russian letters), a running footer, and the few
building blocks the documents need (headings, label/value facts, tables, a horizontal bar chart drawn with
fpdf2's own primitives, so that no image library or browser is involved)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

# fontTools logs every subset it makes at INFO: noise in the server log, once per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "qadam" / "fonts"
FONT = "dejavu"
# Bar colours: the palette of qadam.css (the same blue the SVG charts use), then a muted grey.
BAR_RGB = (31, 94, 140)
GRID_RGB = (200, 200, 200)


class QadamPDF(FPDF):
    """An A4 page with Qadam's font and a footer that says what the paper is and which page it is."""

    def __init__(self, *, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        # Unicode TrueType fonts vendored with Qadam: the built-in PDF fonts have no Cyrillic.
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.set_creator("Qadam")
        self.add_page()
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(110, 110, 110)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, f"{self.footer_text} · {page}", align="C")
        self.set_text_color(0, 0, 0)

    # Text --------------------------------------------------------------------------------------------------

    def title_line(self, text: str) -> None:
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(FONT, size=10)

    def small(self, text: str) -> None:
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", 12)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_draw_color(*GRID_RGB)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, size=10)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", 10)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(FONT, size=10)

    def muted(self, text: str) -> None:
        self.set_text_color(110, 110, 110)
        self.paragraph(text)
        self.set_text_color(0, 0, 0)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label and value pairs, the label in bold in a narrow column (like the page's <dl class="facts">)."""
        self.data_table([], rows, widths=(45, 133), borders="NONE", bold_first_column=True)

    def data_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[int] | None = None,
        borders: str = "HORIZONTAL_LINES",
        bold_first_column: bool = False,
    ) -> None:
        """A plain table; fpdf2's table() repeats the header on a new page and wraps long cells."""
        if not header and not rows:
            return
        self.set_font(FONT, size=9)
        bold = FontFace(emphasis="BOLD")
        with self.table(
            col_widths=tuple(widths) if widths else None,
            line_height=5,
            borders_layout=borders,
            first_row_as_headings=bool(header),
            headings_style=bold,
            text_align="LEFT",
        ) as grid:
            if header:
                heading = grid.row()
                for text in header:
                    heading.cell(text)
            for values in rows:
                row = grid.row()
                for index, value in enumerate(values):
                    row.cell(value or "—", style=bold if bold_first_column and index == 0 else None)
        self.set_font(FONT, size=10)
        self.ln(2)

    # Chart -------------------------------------------------------------------------------------------------

    def bar_chart(self, title: str, bars: Sequence[tuple[str, int | None]]) -> None:
        """Horizontal bars with their label and value; a suppressed value (None) is drawn as no bar and
        written as such. The numbers are also in the table beneath every chart."""
        if not bars:
            return
        label_width, value_width, bar_height, gap = 62, 16, 4.5, 1.5
        needed = 8 + len(bars) * (bar_height + gap)
        if self.get_y() + needed > self.h - 20:
            self.add_page()
        self.set_font(FONT, "B", 9)
        self.multi_cell(0, 5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(FONT, size=8)
        largest = max((value or 0 for _label, value in bars), default=0) or 1
        track = self.w - self.l_margin - self.r_margin - label_width - value_width
        for label, value in bars:
            y = self.get_y()
            self.set_xy(self.l_margin, y)
            self.cell(label_width - 2, bar_height, _fit(self, label, label_width - 2), align="R")
            x0 = self.l_margin + label_width
            self.set_draw_color(*GRID_RGB)
            self.line(x0, y, x0, y + bar_height)
            if value:
                self.set_fill_color(*BAR_RGB)
                self.rect(x0, y + 0.5, track * value / largest, bar_height - 1, style="F")
            self.set_xy(x0 + track + 1, y)
            self.cell(value_width - 1, bar_height, suppressed_text() if value is None else str(value))
            self.set_y(y + bar_height + gap)
        self.set_font(FONT, size=10)
        self.ln(1)


def suppressed_text() -> str:
    """What a suppressed cell shows instead of its number."""
    return _("fewer than %(n)s") % {"n": _min_cell()}


def _min_cell() -> int:
    from django.conf import settings

    return int(getattr(settings, "QADAM_MIN_CELL", 10))


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The label shortened with an ellipsis until it fits its column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"
