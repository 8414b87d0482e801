"""Charts drawn on the server as SVG text: the profile bars of one assessment and a family's trajectory.

No JavaScript and no inline style (the Content-Security-Policy forbids both): shapes carry classes that
qadam.css colours. Every text put into the SVG is escaped here; templates mark the result safe only
because it comes from these functions.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# The FAA bands (0-19, 20-39, ...), drawn behind the bars so a score is read against its band.
BANDS = (
    (0, 20, "crisis"),
    (20, 40, "vulnerable"),
    (40, 60, "coping"),
    (60, 80, "building_capacity"),
    (80, 101, "thriving"),
)


@dataclass(frozen=True)
class Bar:
    """One score to draw: its label, its value (None: not enough answers) and the band it falls in."""

    label: str
    score: float | None
    band: str = ""
    note: str = ""  # what to write when there is no score


@dataclass(frozen=True)
class Series:
    """One line of the trajectory: a name and (x, y) points, y None where there was no score."""

    key: str
    label: str
    points: Sequence[tuple[float, float | None]]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def profile_chart(bars: Sequence[Bar], *, title: str, bands: bool = True, label_width: int = 260) -> str:
    """Horizontal 0-100 bars, one per score, with the bands shaded behind them."""
    row, top, scale = 28, 24, 4.0  # 4 px per point: the bar area is 400 px wide
    width = label_width + 100 * scale + 60
    height = top + row * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart profile-chart" viewBox="0 0 {width:g} {height}" '
        f'role="img" aria-labelledby="{_id(title)}">',
        f'<title id="{_id(title)}">{_text(title)}</title>',
    ]
    x0 = label_width
    if bands:
        for low, high, code in BANDS:
            parts.append(
                f'<rect class="band band-{code}" x="{x0 + low * scale:g}" y="{top - 4}" '
                f'width="{(min(high, 100) - low) * scale:g}" height="{row * len(bars) + 4}"/>'
            )
    for tick in (0, 20, 40, 60, 80, 100):
        parts.append(f'<text class="tick" x="{x0 + tick * scale:g}" y="{top - 8}" text-anchor="middle">{tick}</text>')
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(f'<text class="label" x="{x0 - 8}" y="{y + 17}" text-anchor="end">{_text(bar.label)}</text>')
        if bar.score is None:
            parts.append(f'<text class="missing" x="{x0 + 6}" y="{y + 17}">{_text(bar.note)}</text>')
            continue
        length = max(float(bar.score), 0) * scale
        parts.append(
            f'<rect class="bar bar-{_text(bar.band or "plain")}" x="{x0}" y="{y + 4}" width="{length:g}" height="18"/>'
        )
        parts.append(f'<text class="value" x="{x0 + length + 6:g}" y="{y + 17}">{_number(float(bar.score))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trajectory_chart(series: Sequence[Series], *, title: str, x_label: str, y_label: str) -> str:
    """Lines of scores (0-100) over months since the move; a point per completed assessment."""
    left, right, top, bottom = 48, 150, 16, 44
    plot_w, plot_h = 560, 240
    xs = [x for s in series for x, y in s.points if y is not None] or [0.0]
    x_min, x_max = min(xs), max(xs)
    span = (x_max - x_min) or 1.0

    def px(x: float) -> float:
        return left + (x - x_min) / span * plot_w if x_max != x_min else left + plot_w / 2

    def py(y: float) -> float:
        return top + plot_h - y / 100 * plot_h

    width, height = left + plot_w + right, top + plot_h + bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trajectory-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_id(title)}">',
        f'<title id="{_id(title)}">{_text(title)}</title>',
    ]
    for tick in (0, 20, 40, 60, 80, 100):
        parts.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{py(tick):g}" y2="{py(tick):g}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{py(tick) + 4:g}" text-anchor="end">{tick}</text>')
    for x in sorted(set(xs)):
        parts.append(
            f'<text class="tick" x="{px(x):g}" y="{top + plot_h + 16}" text-anchor="middle">{_number(x)}</text>'
        )
    parts.append(
        f'<text class="axis" x="{left + plot_w / 2:g}" y="{height - 6}" text-anchor="middle">{_text(x_label)}</text>'
    )
    parts.append(f'<text class="axis" x="4" y="{top - 4}">{_text(y_label)}</text>')
    for index, line in enumerate(series):
        points = [(px(x), py(float(y))) for x, y in line.points if y is not None]
        cls = f"series series-{_text(line.key.lower())}"
        if len(points) > 1:
            path = " ".join(f"{x:g},{y:g}" for x, y in points)
            parts.append(f'<polyline class="{cls}" fill="none" points="{path}"/>')
        for x, y in points:
            parts.append(f'<circle class="{cls} point" cx="{x:g}" cy="{y:g}" r="3.5"/>')
        legend_y = top + 10 + index * 18
        x1, y1 = left + plot_w + 12, legend_y - 4
        parts.append(f'<line class="{cls}" x1="{x1}" x2="{x1 + 18}" y1="{y1}" y2="{y1}"/>')
        parts.append(f'<text class="legend" x="{left + plot_w + 34}" y="{legend_y}">{_text(line.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _id(title: str) -> str:
    """A stable id for the <title>, from its text (two charts on a page have different titles)."""
    return f"chart-{zlib.crc32(title.encode()):08x}"
