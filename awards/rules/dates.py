"""Calendar arithmetic of RULES.md P4: years and months added by the calendar, the day clamped
to the month's end (29/02 + 1 year = 28/02; 31/08 + 6 months = 28/02 or 29/02)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative goes back), the day of month clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= 28:  # every month has it: no need to look the month's length up
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def dmy(day: date | None) -> str:
    """dd/mm/yyyy (strftime's "%d/%m/%Y" for years from 1000, at about half its cost: a
    proposal writes one or more into most of a city's reasons), or "–" for no date."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else "–"


def dmy_or_none(day: date | None) -> str | None:
    """dd/mm/yyyy, or None (an answer's null) for no date."""
    return dmy(day) if day else None
