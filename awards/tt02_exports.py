"""The statistical forms of Thông tư 02/2023/TT-BNV (biểu 0601–0605, awards.tt02) as export
kinds of the exports page and API (service.common.exports): for a unit's subtree and a period
(?from=dd/mm/yyyy&to=dd/mm/yyyy, default the whole year), read from the decision registry in
one query, written through the spreadsheet layer (write_stat_forms). Large scopes run as export
jobs (the count is the awards read; their progress is heard once they are read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from awards import tt02
from awards.catalog_year import catalog_of
from awards.decisions import VOTABLE
from awards.models import AwardList, Decision, Nomination
from awards.rules.dates import dmy_or_none as _dmy
from service.common.errors import ValidationError
from service.common.spreadsheets import (
    ROWS_WRITTEN,
    FormColumn,
    FormRow,
    StatForm,
    parse_date,
    write_stat_forms,
)
from service.extensions import db
from service.org.models import Gender, Person, Unit

BASIS = "Ban hành kèm theo Thông tư số 02/2023/TT-BNV của Bộ trưởng Bộ Nội vụ"
RECEIVER = "Bộ Nội vụ"  # a root unit reports to the ministry
PERMISSION = "award.read"
PERIOD_FORM = "awards/_export_period.html"


# --- the period (the kinds' options) ---------------------------------------------------------


def _day(args, key: str, label: str, errors: dict) -> str | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:  # dd/mm/yyyy as everywhere, or yyyy-mm-dd from a date input
        day = dt.date.fromisoformat(raw) if "-" in raw else parse_date(raw)
    except ValueError:
        errors[key] = [f"{label} không hợp lệ (dd/mm/yyyy)."]
        return None
    return day.isoformat()


def period_options(args) -> dict:
    """The period of the query arguments `from`, `to` (dd/mm/yyyy), each optional (the year's
    first or last day), as ISO dates; `from` after `to` is refused."""
    errors: dict[str, list[str]] = {}
    start = _day(args, "from", "Từ ngày", errors)
    end = _day(args, "to", "Đến ngày", errors)
    if start and end and start > end:
        errors["to"] = ["Đến ngày phải từ «Từ ngày» trở đi."]
    if errors:
        raise ValidationError("Kỳ báo cáo không hợp lệ.", errors)
    return {"start": start, "end": end}


def period(year: int, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    return (
        dt.date.fromisoformat(start) if start else dt.date(year, 1, 1),
        dt.date.fromisoformat(end) if end else dt.date(year, 12, 31),
    )


# --- reading the registry ---------------------------------------------------------------------


def _scope(unit: Unit, start: dt.date, end: dt.date, *what):
    """`what` over the decisions dated within [start, end] and the lists of `unit`'s subtree
    they decide."""
    listed = aliased(Unit)
    return (
        select(*what)
        .select_from(Decision)
        .join(AwardList, AwardList.decision_id == Decision.id)
        .join(listed, listed.id == AwardList.unit_id)
        .where(
            Decision.decided_on >= start,
            Decision.decided_on <= end,
            Unit.subtree_clause(unit.path, listed.path),
        )
    )


def _awarded(stmt):
    return stmt.join(Nomination, Nomination.list_id == AwardList.id).where(
        Nomination.status.in_(VOTABLE), Nomination.passed.is_not(False), Nomination.award != ""
    )


@dataclass
class Scope:
    awards: list[tt02.Awarded]
    units: list[tuple[int, str]]  # the units whose lists were decided, in path order
    decisions: list[tuple[int, str]]  # (id, level)


def count_awards(unit: Unit, start: dt.date, end: dt.date) -> int:
    return db.session.scalar(_awarded(_scope(unit, start, end, func.count(Nomination.id)))) or 0


def load(unit: Unit, start: dt.date, end: dt.date) -> Scope:
    """The awarded recipients of the period in `unit`'s subtree, with their decisions and the
    units whose lists those decisions decided."""
    stmt = _awarded(
        _scope(
            unit,
            start,
            end,
            Decision.id,
            Decision.level,
            AwardList.unit_id,
            Nomination.subject,
            Nomination.award,
            Person.gender,
            Person.is_head,
            Person.category,
        )
    ).outerjoin(Person, Person.id == Nomination.person_id)
    awards = [
        tt02.Awarded(
            decision_id=d_id,
            level=level,
            list_unit_id=unit_id,
            subject=subject,
            award=award,
            female=gender == Gender.FEMALE,
            head=bool(head),
            category=str(category) if category is not None else None,
        )
        for d_id, level, unit_id, subject, award, gender, head, category in db.session.execute(stmt)
    ]
    listed = aliased(Unit, name="listed_unit")
    units = db.session.execute(
        select(listed.id, listed.code, listed.name)
        .where(listed.id.in_(_scope(unit, start, end, AwardList.unit_id)))
        .order_by(listed.path)
    ).all()
    decisions = db.session.execute(
        _scope(unit, start, end, Decision.id, Decision.level).distinct()
    ).all()
    return Scope(
        awards,
        [(uid, f"{code} — {name}") for uid, code, name in units],
        [(d_id, level) for d_id, level in decisions],
    )


# --- the forms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    code: str  # 0601
    title: str
    columns: tuple[FormColumn, ...]
    rows: Callable  # (scope, names) -> [FormRow]
    row_heading: str
    notes: tuple[str, ...]


_SUM = "Mã số 01 (Tổng số) = tổng các mã số bên dưới."
_WHO = "Chỉ tính người, tập thể được khen thưởng (không tính đề nghị không đạt biểu quyết)."
FORMS = {
    "0601": Form(
        "0601",
        "KHEN THƯỞNG THEO ĐƠN VỊ TRÌNH",
        tt02.COLUMNS_0601,
        lambda s, names: tt02.form_0601(s.awards, s.units),
        "Đơn vị trình khen thưởng",
        (_SUM, "Cột 1 = cột 2 + cột 3 = cột 4 + cột 5.", _WHO),
    ),
    "0602": Form(
        "0602",
        "DANH HIỆU THI ĐUA",
        tt02.COLUMNS_BY_AWARD,
        lambda s, names: tt02.form_0602(s.awards, names),
        "Danh hiệu thi đua",
        (_SUM, "Cột 1 = cột 2 + cột 3; cột 4, cột 5 là một phần của cột 2.", _WHO),
    ),
    "0603": Form(
        "0603",
        "HÌNH THỨC KHEN THƯỞNG",
        tt02.COLUMNS_BY_AWARD,
        lambda s, names: tt02.form_0603(s.awards, names),
        "Hình thức khen thưởng",
        (_SUM, "Cột 1 = cột 2 + cột 3; cột 4, cột 5 là một phần của cột 2.", _WHO),
    ),
    "0604": Form(
        "0604",
        "KHEN THƯỞNG THEO ĐỐI TƯỢNG",
        tt02.COLUMNS_0604,
        lambda s, names: tt02.form_0604(s.awards),
        "Đối tượng được khen thưởng",
        (
            "Mã số 01 = mã số 02 + mã số 09; mã số 02 = tổng các mã số 03 đến 08.",
            "Người giữ chức vụ lãnh đạo, quản lý chỉ tính ở mã số 03.",
            "Cột 1 = tổng các cột 2 đến 5 (cấp của quyết định khen thưởng).",
            _WHO,
        ),
    ),
    "0605": Form(
        "0605",
        "KHEN THƯỞNG THEO CẤP QUYẾT ĐỊNH VÀ HÌNH THỨC",
        tt02.COLUMNS_0605,
        lambda s, names: tt02.form_0605(s.awards, s.decisions),
        "Cấp quyết định khen thưởng",
        (
            _SUM,
            "Cột 1: số quyết định khen thưởng; cột 2 = cột 3 + cột 4 = cột 5 + cột 6.",
            _WHO,
        ),
    ),
}


def stat_forms(unit: Unit, start: dt.date, end: dt.date, codes) -> list[StatForm]:
    """The forms `codes` of `unit`'s subtree for the period, counted from the registry."""
    scope = load(unit, start, end)
    report = ROWS_WRITTEN.get()
    if report is not None and scope.awards:
        report(len(scope.awards))
    names = {code: t.name for code, t in catalog_of(end.year).items()}
    receiver = unit.parent.name if unit.parent is not None else RECEIVER
    out = []
    for code in codes:
        form = FORMS[code]
        rows: list[FormRow] = form.rows(scope, names)
        out.append(
            StatForm(
                sheet=f"Biểu {code}",
                number=f"Biểu số {code}.N/BNV-TĐKT",
                basis=BASIS,
                title=form.title,
                period=f"Từ ngày {_dmy(start)} đến ngày {_dmy(end)}",
                unit=unit.name,
                receiver=receiver,
                columns=form.columns,
                rows=rows,
                row_heading=form.row_heading,
                notes=form.notes,
                place=current_app.config.get("DOCUMENT_PLACE") or "",
            )
        )
    return out


def writer(codes):
    def write(year_row, unit, user, target, start=None, end=None) -> int:
        first, last = period(year_row.year, start, end)
        return write_stat_forms(target, stat_forms(unit, first, last, codes))

    return write


def name_part(year: int, start=None, end=None) -> str:
    """The file name's part for the period: its year when it is one whole year, else its
    first and last days (bieu_0602_2024_DD.xlsx, bieu_0602_20240101-20240630_DD.xlsx)."""
    first, last = period(year, start, end)
    if first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31):
        return str(first.year)
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def counter(year_row, unit, start=None, end=None) -> int:
    first, last = period(year_row.year, start, end)
    return count_awards(unit, first, last)


def default_period_year(year: int, decided: list[int]) -> int:
    """The year the exports page of `year` points a form's period to: that year when it has
    a decision (or none has any), else the latest year before it that has one (the page
    says so beside the period, which stays the page's year)."""
    if not decided or year in decided:
        return year
    return max((y for y in decided if y <= year), default=year)


def init_app(app) -> None:
    """Register the five forms (and all five in one workbook) as export kinds."""
    from awards.decisions import years as decision_years
    from evaluation.exports import load_year  # the exports page and API are the year's
    from service.common.exports import register_export

    app.add_template_global(
        lambda year: default_period_year(year, decision_years()), "tt02_period_year"
    )

    for code, form in FORMS.items():
        register_export(
            app, f"tt02_{code}", f"Biểu {code}: {form.title.capitalize()} (TT 02/2023/TT-BNV)",
            f"bieu_{code}", PERMISSION, writer([code]), count=counter, year=load_year,
            options=period_options, form=PERIOD_FORM, name_part=name_part,
        )  # fmt: skip
    register_export(
        app, "tt02", "Biểu 0601–0605 thống kê thi đua, khen thưởng (TT 02/2023/TT-BNV)",
        "bieu_0601_0605", PERMISSION, writer(list(FORMS)), count=counter, year=load_year,
        options=period_options, form=PERIOD_FORM, name_part=name_part,
    )  # fmt: skip
