"""Working-day arithmetic of the public consultation window (issue 13 item 3) and the shipped
Vietnamese public holidays. Pure: dates and sets of dates in, dates and counts out.

A working day is a day that is neither a Saturday, a Sunday nor one of the given holidays. A
window of N working days published on day D:
- the publication day D itself never counts (even when it is a working day);
- it runs over the first N working days after D and ends at the end of the N-th one
  (`window_end`), so it is elapsed from the next day on (`window_elapsed`: today > end);
- published on a Saturday, a Sunday or a holiday, it starts counting at the next working day.
The holidays passed must cover every year the window touches (a window published late in
December runs into January: pass both years' holidays)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

CONSULTATION_WORKING_DAYS = 7  # the public consultation of state-level commendations
_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays: Collection[date]) -> date:
    """The n-th working day after `start` (`start` itself never counts); `start` when n = 0."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    while n:
        day += _DAY
        if is_working_day(day, holidays):
            n -= 1
    return day


def working_days_between(a: date, b: date, holidays: Collection[date]) -> int:
    """The working days d with a < d <= b (`a` excluded, `b` included); 0 when b <= a."""
    count, day = 0, a
    while day < b:
        day += _DAY
        if is_working_day(day, holidays):
            count += 1
    return count


def window_end(published: date, n: int, holidays: Collection[date]) -> date:
    """The last day of a window of `n` working days published on `published` (it runs to the
    end of that day)."""
    return add_working_days(published, n, holidays)


def window_elapsed(published: date, n: int, today: date, holidays: Collection[date]) -> bool:
    """True from the day after the window's last day."""
    return today > window_end(published, n, holidays)


def working_days_left(published: date, n: int, today: date, holidays: Collection[date]) -> int:
    """Working days of the window not yet over on `today` (today counts while it is one of
    them): n on the publication day, 0 once elapsed."""
    end = window_end(published, n, holidays)
    if today > end:
        return 0
    if today <= published:
        return n
    return working_days_between(today - _DAY, end, holidays)


# --- the shipped calendar --------------------------------------------------------------------
# Bộ luật Lao động 2019, art. 112: Tết Dương lịch 1/1; Tết Âm lịch 5 days; Giỗ Tổ Hùng Vương
# 10/3 âm lịch; Chiến thắng 30/4; Quốc tế lao động 1/5; Quốc khánh 2/9 and one adjacent day
# (before or after). Art. 111(3): a holiday on a weekly rest day is taken on the next working
# day (nghỉ bù). The Government announces the actual days off each year (the Tết days, which
# adjacent day of 2/9, swaps with a Saturday worked in exchange): these are only the defaults
# of a year, and the administrator edits each year's calendar. A Saturday worked in exchange
# (làm bù) cannot be expressed: the arithmetic keeps every Saturday off.

# Tết Nguyên đán and Giỗ Tổ follow the lunar calendar: the days off on working days of the
# years shipped (official announcements for 2024–2026; 2027 provisional: 29 tháng Chạp to mùng
# 4 with the two days falling on the weekend taken after). Other years: entered by the admin.
LUNAR_NEW_YEAR_DAYS_OFF = {
    2024: [date(2024, 2, d) for d in (8, 9, 12, 13, 14)],
    2025: [date(2025, 1, d) for d in (27, 28, 29, 30, 31)],
    2026: [date(2026, 2, d) for d in (16, 17, 18, 19, 20)],
    2027: [date(2027, 2, d) for d in (5, 8, 9, 10, 11)],
}
HUNG_KINGS_DAY = {  # 10/3 âm lịch in the solar calendar
    2024: date(2024, 4, 18),
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 26),
    2027: date(2027, 4, 16),
}
TET = "Tết Nguyên đán"
GIO_TO = "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
COMPENSATION = " (nghỉ bù)"


def _national_day_adjacent(year: int) -> date:
    """The day beside 2/9: the one that joins a weekend (1/9 a Monday, 3/9 a Friday), else a
    working day next to it (3/9 first)."""
    before, after = date(year, 9, 1), date(year, 9, 3)
    if before.weekday() == 0:
        return before
    if after.weekday() == 4:
        return after
    return after if after.weekday() < 5 else before


def _with_compensation(days: Iterable[tuple[date, str]]) -> list[tuple[date, str]]:
    """Each holiday on a Saturday or Sunday also gives the next working day that is not
    already a holiday (art. 111(3))."""
    out = dict(days)
    for day, name in sorted(out.copy().items()):
        if day.weekday() >= 5:
            extra = day + _DAY
            while extra.weekday() >= 5 or extra in out:
                extra += _DAY
            out[extra] = name + COMPENSATION
    return sorted(out.items())


def default_holidays(year: int) -> list[tuple[date, str]]:
    """The default public holidays of `year` (date, Vietnamese name), sorted: the solar ones
    every year, the lunar ones for the years shipped."""
    days = [
        (date(year, 1, 1), "Tết Dương lịch"),
        (date(year, 4, 30), "Ngày Chiến thắng (30/4)"),
        (date(year, 5, 1), "Ngày Quốc tế lao động (1/5)"),
        (date(year, 9, 2), "Quốc khánh (2/9)"),
        (_national_day_adjacent(year), "Quốc khánh (ngày liền kề)"),
    ]
    if year in HUNG_KINGS_DAY:
        days.append((HUNG_KINGS_DAY[year], GIO_TO))
    out = _with_compensation(days)
    taken = {d for d, _n in out}
    out += [(d, TET) for d in LUNAR_NEW_YEAR_DAYS_OFF.get(year, ()) if d not in taken]
    return sorted(out)
