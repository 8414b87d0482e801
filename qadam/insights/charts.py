"""Count charts for the dashboards, drawn on the server as SVG like qadam.assessments.charts.

Horizontal bars, one group per row and one bar per column (opened and closed cases side by side). A count
hidden as too small draws no bar, only the words the table beneath shows. Every text is escaped here; the
templates mark the result safe only because it comes from this function.
"""

from __future__ import annotations

from collections.abc import Sequence

from qadam.assessments.charts import _id, _text


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int | None]]],
    *,
    title: str,
    legend: Sequence[str] = (),
    hidden_text: str = "",
    label_width: int = 300,
) -> str:
    """Bars of counts scaled to the largest; None draws `hidden_text` instead of a bar."""
    columns = max((len(values) for _, values in rows), default=1)
    bar_h, gap, top, plot_w = 16, 10, 8 + 18 * (len(legend) if columns > 1 else 0), 400
    group_h = bar_h * columns + gap
    largest = max((v for _, values in rows for v in values if v), default=0) or 1
    width, height = label_width + plot_w + 80, top + group_h * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart count-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_id(title)}">',
        f'<title id="{_id(title)}">{_text(title)}</title>',
    ]
    if columns > 1:
        for index, name in enumerate(legend):
            y = 4 + index * 18
            parts.append(f'<rect class="bar count-{index}" x="{label_width}" y="{y}" width="14" height="12"/>')
            parts.append(f'<text class="legend" x="{label_width + 20}" y="{y + 11}">{_text(name)}</text>')
    for row_index, (label, values) in enumerate(rows):
        y0 = top + row_index * group_h
        label_y = y0 + bar_h * columns / 2 + 4
        parts.append(
            f'<text class="label" x="{label_width - 8}" y="{label_y:g}" text-anchor="end">{_text(label)}</text>'
        )
        for index, value in enumerate(values):
            y = y0 + index * bar_h
            if value is None:
                parts.append(f'<text class="missing" x="{label_width + 4}" y="{y + 12}">{_text(hidden_text)}</text>')
                continue
            length = value / largest * plot_w
            parts.append(
                f'<rect class="bar count-{index}" x="{label_width}" y="{y + 1}" width="{length:g}" '
                f'height="{bar_h - 2}"/>'
            )
            parts.append(f'<text class="value" x="{label_width + length + 6:g}" y="{y + 12}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
