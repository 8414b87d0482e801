"""Cohort charts drawn on the server as SVG text: mean score by months band per group, and the
time-to-stabilisation step curves. As in qadam/assessments/charts.py: no script, no inline style (classes
that qadam.css colours), every text escaped here. Withheld values are simply not drawn; the table
beneath each chart says why."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

LEFT, RIGHT, TOP, BOTTOM = 48, 190, 16, 44
PLOT_W, PLOT_H = 560, 240


@dataclass(frozen=True)
class Line:
    """One group's line: a CSS key, its label and its points (x, y), y None where withheld."""

    key: str
    label: str
    points: Sequence[tuple[float, float | None]]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _open(kind: str, title: str) -> list[str]:
    width, height = LEFT + PLOT_W + RIGHT, TOP + PLOT_H + BOTTOM
    chart_id = f"chart-{zlib.crc32(title.encode()):08x}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}">',
        f'<title id="{chart_id}">{_text(title)}</title>',
    ]


def _y_axis(parts: list[str], ticks: Sequence[tuple[float, str]], py: object) -> None:
    for value, label in ticks:
        y = py(value)  # type: ignore[operator]
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:g}" y2="{y:g}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:g}" text-anchor="end">{_text(label)}</text>')


def _legend(parts: list[str], index: int, cls: str, label: str) -> None:
    y = TOP + 10 + index * 18
    x = LEFT + PLOT_W + 12
    parts.append(f'<line class="{cls}" x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}"/>')
    parts.append(f'<text class="legend" x="{x + 22}" y="{y}">{_text(label)}</text>')


def _labels(parts: list[str], x_label: str, y_label: str) -> None:
    height = TOP + PLOT_H + BOTTOM
    parts.append(
        f'<text class="axis" x="{LEFT + PLOT_W / 2:g}" y="{height - 6}" text-anchor="middle">{_text(x_label)}</text>'
    )
    parts.append(f'<text class="axis" x="4" y="{TOP - 4}">{_text(y_label)}</text>')


def band_chart(lines: Sequence[Line], bands: Sequence[str], *, title: str, x_label: str, y_label: str) -> str:
    """Mean scores (0-100) per months band (x: the band's position), one line per group."""

    def px(x: float) -> float:
        return LEFT + (x + 0.5) / len(bands) * PLOT_W

    def py(y: float) -> float:
        return TOP + PLOT_H - y / 100 * PLOT_H

    parts = _open("cohort-chart", title)
    _y_axis(parts, [(t, str(t)) for t in (0, 20, 40, 60, 80, 100)], py)
    for index, band in enumerate(bands):
        parts.append(
            f'<text class="tick" x="{px(index):g}" y="{TOP + PLOT_H + 16}" text-anchor="middle">{_text(band)}</text>'
        )
    _labels(parts, x_label, y_label)
    for index, line in enumerate(lines):
        cls = f"series series-{_text(line.key)}"
        shown = [(px(x), py(y)) for x, y in line.points if y is not None]
        if len(shown) > 1:
            path = " ".join(f"{x:g},{y:g}" for x, y in shown)
            parts.append(f'<polyline class="{cls}" fill="none" points="{path}"/>')
        parts.extend(f'<circle class="{cls} point" cx="{x:g}" cy="{y:g}" r="3.5"/>' for x, y in shown)
        _legend(parts, index, cls, line.label)
    parts.append("</svg>")
    return "".join(parts)


def survival_chart(lines: Sequence[Line], *, title: str, x_label: str, y_label: str) -> str:
    """Step curves of the share not yet stabilised (1 to 0) over months since the move; a curve starts at
    (0, 1) and stops at its last shown step."""
    xs = [x for line in lines for x, y in line.points if y is not None] or [12.0]
    x_max = max(max(xs), 1.0)

    def px(x: float) -> float:
        return LEFT + x / x_max * PLOT_W

    def py(y: float) -> float:
        return TOP + PLOT_H - y * PLOT_H

    parts = _open("cohort-chart survival-chart", title)
    _y_axis(parts, [(t / 100, f"{t}%") for t in (0, 25, 50, 75, 100)], py)
    for tick in range(0, int(x_max) + 1, max(1, int(x_max) // 10)):
        parts.append(f'<text class="tick" x="{px(tick):g}" y="{TOP + PLOT_H + 16}" text-anchor="middle">{tick}</text>')
    _labels(parts, x_label, y_label)
    for index, line in enumerate(lines):
        cls = f"series series-{_text(line.key)}"
        path, level = [f"{px(0):g},{py(1.0):g}"], 1.0
        for x, y in line.points:
            if y is None:
                break
            path += [f"{px(x):g},{py(level):g}", f"{px(x):g},{py(y):g}"]
            level = y
        parts.append(f'<polyline class="{cls}" fill="none" points="{" ".join(path)}"/>')
        _legend(parts, index, cls, line.label)
    parts.append("</svg>")
    return "".join(parts)
