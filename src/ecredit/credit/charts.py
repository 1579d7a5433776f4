"""The grade-history chart, drawn on the server as SVG: no script, no ``style=`` (the CSP allows
neither), only SVG presentation attributes. Pure: dataclasses and strings in, markup out; every
piece of text comes from the caller already translated, and is escaped here.

Each point is a stored evaluation's day and score; the background bands are the pack's grades, so a
reader sees at a glance which grade a score fell in. A point that rests on an extension of the pack
(Art. 25) is drawn hollow and says so in its tooltip (the SVG ``<title>``, which browsers show on hover).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Light fills for the grade bands, best grade first; a pack with more grades reuses the last.
BAND_FILLS = ("#e3f1e7", "#e6eef8", "#fdf1d8", "#f9e0de")
LINE = "#0b4f8a"
GRID = "#d0d7de"
TEXT = "#333333"


@dataclass(frozen=True)
class Point:
    day: dt.date
    score: float
    tooltip: str  # "2025-03-30 · 85 分 · B 基本诚信"
    extended: bool = False  # the evaluation rests on an extension of the pack


@dataclass(frozen=True)
class Band:
    code: str  # A
    label: str  # 诚信
    low: float  # the grade's lowest score


@dataclass(frozen=True)
class Frame:
    width: int = 640
    height: int = 220
    left: int = 44
    right: int = 92  # room for the grade labels
    top: int = 12
    bottom: int = 34


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def grade_history_svg(
    points: Sequence[Point],
    bands: Sequence[Band],
    *,
    floor: float,
    ceiling: float,
    title: str,
    description: str,
    element_id: str = "grade-history",
    frame: Frame | None = None,
) -> str:
    """The chart as one ``<svg>`` element. ``bands`` highest grade first (as a pack lists them);
    ``points`` in any order (drawn by day)."""
    f = frame or Frame()
    plot_w = f.width - f.left - f.right
    plot_h = f.height - f.top - f.bottom
    span = (ceiling - floor) or 1.0

    def y_of(score: float) -> float:
        clamped = min(max(score, floor), ceiling)
        return f.top + plot_h * (ceiling - clamped) / span

    ordered = sorted(points, key=lambda p: p.day)
    first = ordered[0].day.toordinal() if ordered else 0
    days = (ordered[-1].day.toordinal() - first) if ordered else 0

    def x_of(day: dt.date) -> float:
        if days == 0:
            return f.left + plot_w / 2
        return f.left + plot_w * (day.toordinal() - first) / days

    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="chart" role="img" '
        f'viewBox="0 0 {f.width} {f.height}" width="{f.width}" height="{f.height}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" font-size="12" fill="{TEXT}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    # Grade bands, from each grade's lowest score up to the next grade's (or the ceiling).
    upper = ceiling
    for index, band in enumerate(bands):
        low = max(band.low, floor)
        if low >= upper:
            continue
        top_y, low_y = y_of(upper), y_of(low)
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        out.append(
            f'<rect x="{f.left}" y="{top_y:.1f}" width="{plot_w}" height="{low_y - top_y:.1f}" fill="{fill}">'
            f"<title>{escape(band.code)} {escape(band.label)} ≥ {_num(band.low)}</title></rect>"
        )
        out.append(
            f'<text x="{f.left + plot_w + 8}" y="{(top_y + low_y) / 2 + 4:.1f}">'
            f"{escape(band.code)} {escape(band.label)}</text>"
        )
        out.append(f'<line x1="{f.left}" y1="{low_y:.1f}" x2="{f.left + plot_w}" y2="{low_y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{f.left - 6}" y="{low_y + 4:.1f}" text-anchor="end">{_num(low)}</text>')
        upper = low
    out.append(f'<text x="{f.left - 6}" y="{y_of(ceiling) + 4:.1f}" text-anchor="end">{_num(ceiling)}</text>')
    axis_y = f.top + plot_h
    out.append(f'<line x1="{f.left}" y1="{axis_y}" x2="{f.left + plot_w}" y2="{axis_y}" stroke="{TEXT}"/>')
    out.append(f'<line x1="{f.left}" y1="{f.top}" x2="{f.left}" y2="{axis_y}" stroke="{TEXT}"/>')
    if ordered:
        labelled = {ordered[0].day, ordered[-1].day}
        for day in sorted(labelled):
            anchor = "middle" if days == 0 else ("start" if day == ordered[0].day else "end")
            out.append(f'<text x="{x_of(day):.1f}" y="{axis_y + 20}" text-anchor="{anchor}">{day.isoformat()}</text>')
        if len(ordered) > 1:
            coords = " ".join(f"{x_of(p.day):.1f},{y_of(p.score):.1f}" for p in ordered)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for point in ordered:
            fill = "#ffffff" if point.extended else LINE
            out.append(
                f'<circle cx="{x_of(point.day):.1f}" cy="{y_of(point.score):.1f}" r="5" fill="{fill}" '
                f'stroke="{LINE}" stroke-width="2" data-day="{point.day.isoformat()}" '
                f'data-score="{_num(point.score)}"><title>{escape(point.tooltip)}</title></circle>'
            )
    out.append("</svg>")
    return "".join(out)
