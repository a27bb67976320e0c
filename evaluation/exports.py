"""Spreadsheets of the evaluation HR hands upward (TEMPLATES.md "Exports"). The domain only
produces rows; service.common.spreadsheets writes them. Rows are read from the database in
batches (never all at once), so a large export stays in constant memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from evaluation import queries as q
from evaluation.compute import explain
from evaluation.models import EvalYear, Rating, RatingDecision, Review
from evaluation.rules import GROUP_TITLES
from evaluation.rules.levels import LEVEL_WORDS, Level
from service.common.spreadsheets import (
    ExportChart,
    ExportColumn,
    ExportMeta,
    ExportSheet,
    write_export,
)
from service.extensions import db
from service.org.models import Person, Unit

BATCH = 2000
# levels in full, the code in the column beside (TEMPLATES.md, Exports)
WORDS = {code: Level(code).label for code in LEVEL_WORDS}


def _level(label: str) -> ExportColumn:
    return ExportColumn(label, "level", words=WORDS)


RESULT_COLUMNS = (
    ExportColumn("Điểm", "decimal"),
    _level("Mức tính theo quy tắc"),
    _level("Đề xuất của thủ trưởng"),
    _level("Mức xếp loại cuối cùng"),
    ExportColumn("Lý do điều chỉnh", max_width=60),
    ExportColumn("Giải thích", max_width=80),
    ExportColumn("Tạm tính", "bool"),
    ExportColumn("Đã phê duyệt", "yesno"),  # the list holding the rating: official or not yet
)
PERSON_COLUMNS = (
    ExportColumn("Mã cán bộ", "code"),
    ExportColumn("Họ và tên"),
    ExportColumn("Đơn vị"),
    ExportColumn("Nhóm nhiệm vụ"),
    *RESULT_COLUMNS,
    ExportColumn("Thiếu dữ liệu", "bool"),
)
UNIT_COLUMNS = (
    ExportColumn("Mã đơn vị", "code"),
    ExportColumn("Tên đơn vị"),
    ExportColumn("Đơn vị cấp trên"),
    *RESULT_COLUMNS,
)
SHEETS = (
    ("official", "Công chức, viên chức", "Kết quả xếp loại công chức, viên chức"),
    ("party", "Đảng viên", "Kết quả xếp loại đảng viên"),
    ("unit", "Tập thể", "Kết quả xếp loại tập thể"),
)


def _why(steps) -> str:
    """The explanation as the pages and the PDF write it (a decimal comma: 94,25)."""
    return " ".join(s["message_vi"] for s in explain(steps, decimal_comma=True))


# what a rating row reads of its result, and writes of it (RESULT_COLUMNS): the list holding
# it approved or not (its Review, joined by _with_review)
APPROVED = func.coalesce(Review.state == "approved", False).label("approved")
RESULT_FIELDS = (Rating.level, Rating.score, Rating.provisional, Rating.steps, APPROVED)


def _with_review(stmt):
    listed = (Review.year_id == Rating.year_id) & (Review.unit_id == Rating.list_unit_id)
    return stmt.outerjoin(Review, listed)


def change_reason(d: RatingDecision | None) -> str:
    """Why the level is not the computed one (A11): the head's proposal and the committee's
    final level, each with the reason it was given."""
    if d is None:
        return ""
    parts = []
    if d.proposed_level and d.proposal_reason:
        parts.append(f"Thủ trưởng đề xuất: {d.proposal_reason}")
    if d.final_level and d.final_reason:
        parts.append(f"Cấp có thẩm quyền quyết định: {d.final_reason}")
    return "; ".join(parts)


def _result(r, d: RatingDecision | None, why: Callable = _why) -> tuple:
    """RESULT_COLUMNS: score, computed, proposed and final level, the reason of a change, the
    explanation, provisional, approved."""
    proposed = d.proposed_level if d else None
    return (
        r.score, r.level, proposed, q.final_of(r, d), change_reason(d), why(r.steps),
        r.provisional, bool(r.approved),
    )  # fmt: skip


def _batches(stmt) -> Iterator[list]:
    """The statement's rows BATCH at a time (a server-side cursor where the driver has one)."""
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    yield from result.partitions(BATCH)


def _decisions(year_row: EvalYear, kind: str, column, ids) -> dict:
    if not ids:
        return {}
    stmt = select(RatingDecision).where(
        RatingDecision.year_id == year_row.id, RatingDecision.kind == kind, column.in_(ids)
    )
    return {d.person_id or d.unit_id: d for d in db.session.scalars(stmt)}


def person_rows(year_row: EvalYear, unit: Unit, kind: str, why: Callable = _why) -> Iterator[tuple]:
    """code, name, home unit, duty group, RESULT_COLUMNS, missing inputs; `why` writes the
    explanation from the stored steps (the printed list has its own)."""
    home = aliased(Unit)
    listed = aliased(Unit)
    stmt = (
        select(
            Rating.person_id,
            *RESULT_FIELDS,
            Person.code,
            Person.full_name,
            Person.duty_group,
            home.name,
        )
        .join(Person, Rating.person_id == Person.id)
        .join(home, Person.unit_id == home.id)
        .join(listed, Rating.list_unit_id == listed.id)
        .where(
            Rating.year_id == year_row.id,
            Rating.kind == kind,
            Unit.subtree_clause(unit.path, listed.path),
        )
        .order_by(listed.path, Person.sort_name, Person.code)
    )
    stmt = _with_review(stmt)
    for part in _batches(stmt):
        ids = [r.person_id for r in part]
        decisions = _decisions(year_row, kind, RatingDecision.person_id, ids)
        missing = q.missing_of(year_row, ids)
        for r in part:
            d = decisions.get(r.person_id)
            yield (
                r.code,
                r.full_name,
                r.name,
                r.duty_group,
                *_result(r, d, why),
                bool(missing.get(r.person_id)) and r.level != "NR",
            )


def unit_rows(year_row: EvalYear, unit: Unit, why: Callable = _why) -> Iterator[tuple]:
    """code, name, parent's name, RESULT_COLUMNS."""
    subject = aliased(Unit)
    parent = aliased(Unit)
    stmt = (
        select(
            Rating.unit_id,
            *RESULT_FIELDS,
            subject.code,
            subject.name,
            parent.name.label("parent_name"),
        )
        .join(subject, Rating.unit_id == subject.id)
        .outerjoin(parent, subject.parent_id == parent.id)
        .where(
            Rating.year_id == year_row.id,
            Rating.kind == "unit",
            Unit.subtree_clause(unit.path, subject.path),
        )
        .order_by(subject.path)
    )
    stmt = _with_review(stmt)
    for part in _batches(stmt):
        decisions = _decisions(year_row, "unit", RatingDecision.unit_id, [r.unit_id for r in part])
        for r in part:
            d = decisions.get(r.unit_id)
            yield (
                r.code,
                r.name,
                r.parent_name or "",
                *_result(r, d, why),
            )


def write_ratings(year_row: EvalYear, unit: Unit, user, target) -> int:
    """Kết quả xếp loại: one sheet per rating kind (official, party) plus the units."""
    sheets = []
    for kind, name, title in SHEETS:
        if kind == "unit":
            sheets.append(ExportSheet(name, UNIT_COLUMNS, unit_rows(year_row, unit), title))
        else:
            rows = person_rows(year_row, unit, kind)
            sheets.append(ExportSheet(name, PERSON_COLUMNS, rows, title))
    return write_export(target, _meta("Kết quả xếp loại", year_row, unit, user), sheets)


def load_year(year: int) -> EvalYear:
    """The year an export job writes for (NotFound when it is gone)."""
    return q.get_year(year)


def count_ratings(year_row: EvalYear, unit: Unit) -> int:
    from sqlalchemy import func

    listed = aliased(Unit)
    return db.session.scalar(
        select(func.count(Rating.id))
        .join(listed, Rating.list_unit_id == listed.id)
        .where(Rating.year_id == year_row.id, Unit.subtree_clause(unit.path, listed.path))
    )


# --- Tổng hợp (statistics) ----------------------------------------------------------------------

LEVEL_CODES = ("XS", "T", "HT", "KHT", "NR")
STAT_KINDS = (
    ("levels", "CCVC", "Tổng hợp kết quả xếp loại công chức, viên chức"),
    ("party_levels", "Đảng viên", "Tổng hợp kết quả xếp loại đảng viên"),
)


def _stat_columns() -> tuple:
    return (
        ExportColumn("Mã đơn vị", "code"),
        ExportColumn("Tên đơn vị"),
        *(ExportColumn(f"{WORDS[lv]} ({lv})", "int") for lv in LEVEL_CODES),
        ExportColumn("Tổng số", "int"),
        *(ExportColumn(f"Tỷ lệ {lv}", "percent") for lv in LEVEL_CODES),
    )


def _stat_row(code: str, name: str, counts: dict) -> tuple:
    total = sum(counts.get(lv, 0) for lv in LEVEL_CODES)
    shares = (counts.get(lv, 0) / total if total else 0 for lv in LEVEL_CODES)
    return (code, name, *(counts.get(lv, 0) for lv in LEVEL_CODES), total, *shares)


def violation_counts(year_row: EvalYear, unit: Unit) -> tuple[dict, dict]:
    """Active violations of the people and units of the subtree: by catalog group, by the
    month they were found."""
    from sqlalchemy import or_

    from evaluation.models import Violation, ViolationTypeRow

    subject = aliased(Unit)
    owner = aliased(Person)
    stmt = (
        select(Violation.found_on, ViolationTypeRow.group)
        .outerjoin(
            ViolationTypeRow,
            (ViolationTypeRow.year_id == Violation.year_id)
            & (ViolationTypeRow.code == Violation.code),
        )
        .outerjoin(owner, Violation.person_id == owner.id)
        .join(subject, or_(subject.id == Violation.unit_id, subject.id == owner.unit_id))
        .where(
            Violation.year_id == year_row.id,
            Violation.removed_at.is_(None),
            Unit.subtree_clause(unit.path, subject.path),
        )
    )
    by_group: dict = {}
    by_month = dict.fromkeys(range(1, 13), 0)
    for found_on, group in db.session.execute(stmt):
        by_group[group] = by_group.get(group, 0) + 1
        if found_on is not None:
            by_month[found_on.month] += 1
    return by_group, by_month


def write_statistics(year_row: EvalYear, unit: Unit, user, target) -> int:
    """Tổng hợp: per unit (the direct subunits, each with its subtree) and in total, the count
    and share of each final level per rating kind, with a stacked bar and a pie; violations
    by group and by month."""
    from evaluation.stats import dashboard_rows

    rows = dashboard_rows(year_row, unit)
    total, per_unit = rows[0], rows[1:] or rows[:1]
    columns = _stat_columns()
    levels = range(2, 2 + len(LEVEL_CODES))
    sheets = []
    for key, name, title in STAT_KINDS:
        sheets.append(
            ExportSheet(
                f"Tổng hợp {name}",
                columns,
                [_stat_row(r["unit_code"], r["name"], r[key]) for r in per_unit],
                title,
                total_row=("Tổng cộng", "", *_stat_row("", "", total[key])[2:]),
                charts=(
                    ExportChart("stacked_bar", "Mức xếp loại theo đơn vị", levels, category=1),
                    ExportChart("pie", "Tỷ lệ các mức (toàn bộ)", levels),
                ),
            )
        )
    by_group, by_month = violation_counts(year_row, unit)
    sheets.append(
        ExportSheet(
            "Vi phạm theo nhóm",
            (
                ExportColumn("Nhóm vi phạm", "int"),
                ExportColumn("Nội dung nhóm", max_width=60),
                ExportColumn("Số vi phạm", "int"),
            ),
            [  # the group's title beside its number, as the page's chart table writes it
                (g, GROUP_TITLES.get(g, ""), n)
                for g, n in sorted(by_group.items(), key=lambda x: (x[0] is None, x[0] or 0))
            ],
            "Vi phạm Chỉ thị 24 theo nhóm",
            total_row=("Tổng cộng", "", sum(by_group.values())),
        )
    )
    sheets.append(
        ExportSheet(
            "Vi phạm theo tháng",
            (ExportColumn("Tháng", "int"), ExportColumn("Số vi phạm", "int")),
            list(by_month.items()),
            "Vi phạm Chỉ thị 24 theo tháng phát hiện",
            total_row=("Tổng cộng", sum(by_month.values())),
        )
    )
    return write_export(target, _meta("Tổng hợp", year_row, unit, user), sheets)


def _meta(title: str, year_row: EvalYear, unit: Unit, user) -> ExportMeta:
    return ExportMeta(
        title, f"{unit.code} — {unit.name}", year_row.year, user.full_name or user.username
    )
