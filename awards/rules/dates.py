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
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "–"


def dmy_or_none(day: date | None) -> str | None:
    """dd/mm/yyyy, or None (an answer's null) for no date."""
    return day.strftime("%d/%m/%Y") if day else None
