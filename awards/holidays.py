"""The working-day calendar of each year (issue 13 item 3): its public holidays, the shipped
defaults (awards.rules.workdays.default_holidays) until an administrator edits the year, and
the one operation that replaces a year's holidays (the page's add and remove go through it).
Every year reads (a window runs into the next year); the API and the page know an open
evaluation year and the calendar year after it (the lists of year Y are published and submitted
during Y and early Y+1); another year answers 404."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from awards.consultation_models import HolidayCalendar, PublicHoliday
from awards.rules.workdays import default_holidays
from evaluation.models import EvalYear
from service.audit.operations import record
from service.auth.access import is_admin
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.queries import bulk_insert
from service.extensions import db

STALE = (
    "Lịch nghỉ lễ của năm đã được người khác (hoặc ở cửa sổ khác) sửa sau khi bạn mở: thay đổi "
    "của bạn chưa được lưu. Tải lại để xem lịch hiện tại."
)


def _calendar(year: int) -> HolidayCalendar | None:
    return db.session.get(HolidayCalendar, year)


def holidays_of(year: int) -> list[tuple[dt.date, str]]:
    """The holidays of `year` (date, name) by date: the edited ones, else the defaults."""
    found = _calendar(year)
    if found is None:
        return default_holidays(year)
    rows = db.session.execute(
        select(PublicHoliday.day, PublicHoliday.name)
        .where(PublicHoliday.year == year)
        .order_by(PublicHoliday.day)
    )
    return [(r.day, r.name) for r in rows]


def holiday_days(years) -> set[dt.date]:
    return {day for y in sorted(set(years)) for day, _name in holidays_of(y)}


def has_calendar(year: int) -> bool:
    """Whether `year` has a calendar: it or the year before it is an open evaluation year."""
    found = db.session.scalar(
        select(EvalYear.id).where(EvalYear.year.in_([year, year - 1])).limit(1)
    )
    return found is not None


def known_year(year: int) -> None:
    """404 unless `year` or the year before it is an open evaluation year."""
    if not has_calendar(year):
        raise NotFound(f"Năm {year} không có lịch nghỉ lễ (năm {year} và {year - 1} chưa mở).")


def calendar_out(user, year: int) -> dict:
    """A year's calendar as the API and the page read it (404 for an unknown year)."""
    known_year(year)
    found = _calendar(year)
    return {
        "year": year,
        "edited": found is not None,
        "version": found.version if found is not None else 1,
        "editable": is_admin(user),
        "items": [{"date": d, "name": n} for d, n in holidays_of(year)],
    }


def _checked(year: int, items: list[dict]) -> list[tuple[dt.date, str]]:
    errors: dict[str, list[str]] = {}
    seen: set[dt.date] = set()
    out = []
    for i, item in enumerate(items):
        day, name = item["date"], (item.get("name") or "").strip()
        where = f"Dòng {i + 1} ({day.strftime('%d/%m/%Y')})"
        if day.year != year:
            errors.setdefault("items", []).append(f"{where}: không thuộc năm {year}.")
        elif day in seen:
            errors.setdefault("items", []).append(f"{where}: ngày bị trùng.")
        if not name:
            errors.setdefault("items", []).append(f"{where}: cần nhập tên ngày nghỉ.")
        seen.add(day)
        out.append((day, name))
    if errors:
        raise ValidationError("Lịch nghỉ lễ không hợp lệ.", errors)
    return sorted(out)


def _dmy(days) -> list[str]:
    return [f"{d.strftime('%d/%m/%Y')} {n}" for d, n in days]


def replace_holidays(user, year: int, items: list[dict], version: int) -> dict:
    """Set the holidays of `year` (administrators; an open year) from the calendar loaded at
    `version` (a stale one answers 409): validated (dates of the year, no day twice, a name
    each), audited, and the consultation windows that run through the year follow."""
    known_year(year)
    if not is_admin(user):
        raise Forbidden("Chỉ quản trị viên được sửa lịch nghỉ lễ.")
    days = _checked(year, items)
    found = _calendar(year)
    current = found.version if found is not None else 1
    if version != current:
        raise _stale(current)
    before = holidays_of(year)
    if days == before:
        return calendar_out(user, year)
    now = dt.datetime.now()
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    HolidayCalendar(year=year, version=2, updated_at=now, updated_by_id=user.id)
                )
        except IntegrityError:  # another first edit of the same year went in meanwhile
            raise _stale(2) from None
    else:
        done = db.session.execute(
            update(HolidayCalendar)
            .where(HolidayCalendar.year == year, HolidayCalendar.version == version)
            .values(version=HolidayCalendar.version + 1, updated_at=now, updated_by_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            db.session.refresh(found, ["version"])
            raise _stale(found.version)
        db.session.refresh(found, ["version"])
    db.session.execute(delete(PublicHoliday).where(PublicHoliday.year == year))
    bulk_insert(PublicHoliday.__table__, [{"year": year, "day": d, "name": n} for d, n in days])
    db.session.flush()
    record(
        "update", "holiday_calendar", year, before={"days": _dmy(before)},
        after={"days": _dmy(days)}, user=user,
    )  # fmt: skip
    from awards.consultation import refresh_windows

    refresh_windows(year)
    return calendar_out(user, year)


def add_holiday(user, year: int, day: dt.date, name: str, version: int) -> dict:
    """One more day off in `year` (the page's form)."""
    items = [{"date": d, "name": n} for d, n in holidays_of(year)]
    if any(i["date"] == day for i in items):
        raise ValidationError(
            "Ngày này đã có trong lịch nghỉ lễ.", {"day": ["Ngày đã có trong lịch."]}
        )
    return replace_holidays(user, year, [*items, {"date": day, "name": name}], version)


def remove_holiday(user, year: int, day: dt.date, version: int) -> dict:
    items = [{"date": d, "name": n} for d, n in holidays_of(year) if d != day]
    return replace_holidays(user, year, items, version)


def _stale(version: int) -> Conflict:
    return Conflict(
        STALE, {"version": [f"Phiên bản đã mở đã cũ; phiên bản hiện tại là {version}."]}
    )
