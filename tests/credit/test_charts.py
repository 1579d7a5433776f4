"""The grade-history chart: plain SVG with attributes only (the CSP forbids inline styles and scripts)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ecredit.credit.charts import Band, Point, grade_history_svg

SVG = "{http://www.w3.org/2000/svg}"
BANDS = [Band("A", "诚信", 90), Band("B", "基本诚信", 75), Band("C", "警示", 60), Band("D", "失信", 0)]


def chart(points: list[Point], title: str = "信用等级历史") -> ET.Element:
    svg = grade_history_svg(points, BANDS, floor=0, ceiling=110, title=title, description="说明")
    assert "style=" not in svg and "<script" not in svg
    return ET.fromstring(svg)  # noqa: S314 -- our own output


def test_it_draws_each_day_by_its_date_and_score_with_a_tooltip() -> None:
    root = chart(
        [
            Point(dt.date(2025, 3, 30), 67.0, "2025-03-30 · 67 分 · C 警示"),
            Point(dt.date(2024, 4, 30), 85.0, "2024-04-30 · 85 分 · B 基本诚信"),
            Point(dt.date(2026, 11, 28), 90.0, "2026-11-28 · 90 分 · A 诚信 · 依据政策包延期", extended=True),
        ]
    )
    circles = root.findall(f"{SVG}circle")
    assert [c.get("data-day") for c in circles] == ["2024-04-30", "2025-03-30", "2026-11-28"]
    xs = [float(c.get("cx", "0")) for c in circles]
    ys = [float(c.get("cy", "0")) for c in circles]
    assert xs[0] < xs[1] < xs[2] and ys[2] < ys[0] < ys[1]  # higher scores sit higher
    assert [c.get("fill") for c in circles] == ["#0b4f8a", "#0b4f8a", "#ffffff"]  # hollow: an extension
    assert circles[2].findtext(f"{SVG}title", "").endswith("依据政策包延期")
    assert len(root.findall(f"{SVG}rect")) == 4 and root.find(f"{SVG}polyline") is not None


def test_it_centres_a_single_point_and_escapes_text() -> None:
    root = chart([Point(dt.date(2025, 3, 30), 120.0, "<b>&</b>")], title='南安 "<script>"')
    (circle,) = root.findall(f"{SVG}circle")
    assert circle.get("cx") == str(44 + (640 - 44 - 92) / 2) and float(circle.get("cy", "0")) == 12.0  # clamped
    assert circle.findtext(f"{SVG}title") == "<b>&</b>" and root.findtext(f"{SVG}title") == '南安 "<script>"'
    assert root.find(f"{SVG}polyline") is None


def test_it_draws_an_empty_history_as_bands_only() -> None:
    root = chart([])
    assert root.findall(f"{SVG}circle") == [] and len(root.findall(f"{SVG}rect")) == 4
