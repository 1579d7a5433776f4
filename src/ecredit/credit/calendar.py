"""Working days on China's official calendar (statutory holidays and make-up workdays), from the
maintained ``chinese-calendar`` library. Pure: no Django, no I/O.

A deadline counted past the library's coverage is an explicit error, never a guess: the State
Council publishes each year's holidays in the preceding autumn and the library follows.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar  # type: ignore[import-untyped]  # the library ships no type hints


class CalendarNotCovered(ValueError):
    """The holiday library does not know this year yet."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        super().__init__(
            f"节假日日历尚未覆盖 {day.year} 年（{day.isoformat()}），无法按工作日计算期限；"
            "请升级 chinese-calendar 节假日库后再试。"
        )


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarNotCovered(day) from None


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day on which ``days`` working days after ``start`` have passed (``start`` itself is not
    counted: an objection filed on Friday 2026-09-25 with 1 working day is due Monday 2026-09-28)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
