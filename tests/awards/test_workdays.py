"""Working-day arithmetic of the consultation window (issue 13 item 3): weekends, Tết, a
holiday on a Friday or a Monday, the year's end, a window published on a Saturday; and the
shipped default calendar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awards.rules.workdays import (
    add_working_days,
    default_holidays,
    is_working_day,
    window_elapsed,
    window_end,
    working_days_between,
    working_days_left,
)


def _days(*pairs):
    return {date(y, m, d) for y, m, d in pairs}


def holidays_of(*years):
    return {d for y in years for d, _n in default_holidays(y)}


NONE: set = set()
TET_2026 = holidays_of(2026)  # 16–20/02/2026 (Mon–Fri) off
FRIDAY_OFF = _days((2026, 5, 1))  # 1/5/2026 is a Friday
MONDAY_OFF = _days((2026, 4, 27))  # Giỗ Tổ 26/4/2026 (Sunday), taken on Monday 27/4

# (case, published, n, holidays, expected last day of the window)
WINDOWS = [
    ("weekdays only", date(2026, 3, 2), 3, NONE, date(2026, 3, 5)),  # Mon → Thu
    ("over a weekend", date(2026, 3, 5), 7, NONE, date(2026, 3, 16)),  # Thu → Mon+1
    ("published on a Friday", date(2026, 3, 6), 1, NONE, date(2026, 3, 9)),
    ("published on a Saturday", date(2026, 3, 7), 1, NONE, date(2026, 3, 9)),
    ("published on a Sunday", date(2026, 3, 8), 7, NONE, date(2026, 3, 17)),
    ("Tết: five days off in a row", date(2026, 2, 12), 7, TET_2026, date(2026, 3, 2)),
    ("published during Tết", date(2026, 2, 17), 1, TET_2026, date(2026, 2, 23)),
    ("a holiday on a Friday", date(2026, 4, 28), 3, FRIDAY_OFF, date(2026, 5, 4)),
    ("a holiday on a Monday", date(2026, 4, 24), 1, MONDAY_OFF, date(2026, 4, 28)),
    ("year boundary", date(2026, 12, 28), 7, holidays_of(2026, 2027), date(2027, 1, 7)),
    ("zero days", date(2026, 3, 7), 0, NONE, date(2026, 3, 7)),
]


@pytest.mark.parametrize(("case", "published", "n", "holidays", "end"), WINDOWS)
def test_window_end(case, published, n, holidays, end):
    assert window_end(published, n, holidays) == end, case
    assert add_working_days(published, n, holidays) == end
    if n:
        assert working_days_between(published, end, holidays) == n
        assert working_days_between(published, end - (end - published) // 2, holidays) < n or n == 1


def test_the_window_is_elapsed_only_the_day_after_its_last_day():
    published = date(2026, 12, 28)  # Monday; 1/1/2027 (Friday) is a holiday
    holidays = holidays_of(2026, 2027)
    end = window_end(published, 7, holidays)
    assert end == date(2027, 1, 7)
    assert not window_elapsed(published, 7, end, holidays)
    assert window_elapsed(published, 7, date(2027, 1, 8), holidays)
    assert working_days_left(published, 7, published, holidays) == 7
    assert working_days_left(published, 7, date(2026, 12, 29), holidays) == 7  # Tue counts
    assert working_days_left(published, 7, date(2026, 12, 30), holidays) == 6
    assert working_days_left(published, 7, date(2027, 1, 2), holidays) == 4  # Saturday
    assert working_days_left(published, 7, end, holidays) == 1
    assert working_days_left(published, 7, date(2027, 1, 8), holidays) == 0


BETWEEN = [
    ("same day", date(2026, 3, 2), date(2026, 3, 2), NONE, 0),
    ("backwards", date(2026, 3, 5), date(2026, 3, 2), NONE, 0),
    ("a full week", date(2026, 3, 1), date(2026, 3, 8), NONE, 5),
    ("Friday to Monday", date(2026, 3, 6), date(2026, 3, 9), NONE, 1),
    ("Tết week", date(2026, 2, 13), date(2026, 2, 23), TET_2026, 1),
    ("across the new year", date(2026, 12, 31), date(2027, 1, 4), holidays_of(2027), 1),
]


@pytest.mark.parametrize(("case", "a", "b", "holidays", "count"), BETWEEN)
def test_working_days_between(case, a, b, holidays, count):
    assert working_days_between(a, b, holidays) == count, case


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1, NONE)


def test_the_default_calendar_of_2026():
    got = dict(default_holidays(2026))
    assert got[date(2026, 1, 1)] == "Tết Dương lịch"
    assert all(got[date(2026, 2, d)] == "Tết Nguyên đán" for d in (16, 17, 18, 19, 20))
    assert date(2026, 4, 26) in got and "nghỉ bù" in got[date(2026, 4, 27)]
    assert {date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)} <= set(got)
    assert date(2026, 9, 3) in got  # 2/9/2026 is a Wednesday: the day after
    assert len(got) == len(default_holidays(2026))  # one name per day


@pytest.mark.parametrize(
    ("year", "adjacent", "compensation"),
    [
        (2024, date(2024, 9, 3), None),  # 2/9 Monday (1/9 is a Sunday)
        (2025, date(2025, 9, 1), None),  # 2/9 Tuesday: the Monday before
        (2027, date(2027, 9, 3), None),  # 2/9 Thursday: the Friday after
        (2028, date(2028, 9, 1), date(2028, 9, 4)),  # 2/9 Saturday: Friday, and Monday in lieu
    ],
)
def test_national_day_and_its_adjacent_day(year, adjacent, compensation):
    got = dict(default_holidays(year))
    assert adjacent in got and date(year, 9, 2) in got
    if compensation:
        assert "nghỉ bù" in got[compensation]


def test_a_year_without_shipped_lunar_dates_has_the_solar_holidays_only():
    names = {n for _d, n in default_holidays(2030)}
    assert "Tết Nguyên đán" not in names and not any("Giỗ Tổ" in n for n in names)
    assert "Tết Dương lịch" in names


_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 20))
_CALENDAR = holidays_of(2024, 2025, 2026, 2027, 2028)


@given(published=_DAYS, n=st.integers(0, 30), extra=st.sets(_DAYS, max_size=20))
def test_the_window_holds_exactly_n_working_days_and_ends_on_one(published, n, extra):
    holidays = _CALENDAR | extra
    end = window_end(published, n, holidays)
    assert working_days_between(published, end, holidays) == n
    if n:
        assert end > published and is_working_day(end, holidays)
        assert working_days_left(published, n, published, holidays) == n


@given(published=_DAYS, n=st.integers(1, 15), extra=_DAYS)
def test_a_holiday_more_never_ends_the_window_earlier(published, n, extra):
    assert window_end(published, n, _CALENDAR | {extra}) >= window_end(published, n, _CALENDAR)


@given(published=_DAYS, n=st.integers(1, 15), a=_DAYS, b=_DAYS)
def test_days_left_never_grow_as_days_pass(published, n, a, b):
    a, b = min(a, b), max(a, b)
    left_a = working_days_left(published, n, a, _CALENDAR)
    left_b = working_days_left(published, n, b, _CALENDAR)
    assert left_b <= left_a
    assert (left_b == 0) == window_elapsed(published, n, b, _CALENDAR)
