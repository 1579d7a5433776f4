"""Deadlines in working days follow China's official calendar, make-up workdays included."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecredit.credit.calendar import CalendarNotCovered, add_working_days, is_workday, working_days_between


def test_it_skips_the_national_day_holiday_and_counts_its_make_up_saturday() -> None:
    # 2026: National Day and Mid-Autumn 10-01 … 10-07 off; Saturday 10-10 a make-up workday.
    assert not is_workday(dt.date(2026, 10, 5))
    assert is_workday(dt.date(2026, 10, 10))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)


def test_it_gives_fifteen_working_days_from_an_ordinary_week() -> None:
    assert add_working_days(dt.date(2026, 11, 27), 15) == dt.date(2026, 12, 18)


def test_it_refuses_a_date_past_the_librarys_coverage() -> None:
    with pytest.raises(CalendarNotCovered) as refused:
        add_working_days(dt.date(2026, 12, 20), 15)
    assert "2027" in str(refused.value)


@given(st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 11, 1)), st.integers(0, 20))
def test_it_counts_back_the_days_it_added(start: dt.date, days: int) -> None:
    assert working_days_between(start, add_working_days(start, days)) == days
