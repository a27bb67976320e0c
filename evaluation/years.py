"""Years, their rule pack and their Directive 24 catalog: open, edit, lock."""

from __future__ import annotations

from sqlalchemy import exists, select

from evaluation.models import EvalYear, Review, ViolationTypeRow
from evaluation.rules import DEFAULT_CATALOG, AppliesTo, RulePack, Severity, ViolationType
from service.audit.operations import record
from service.auth.access import is_admin
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db

CATALOG_FIELDS = ("code", "group", "title", "applies_to", "severity")


def get_year(year: int) -> EvalYear:
    row = db.session.scalar(select(EvalYear).where(EvalYear.year == year))
    if row is None:
        raise NotFound(f"Năm {year} chưa được mở để đánh giá.")
    return row


def list_years() -> list[EvalYear]:
    return list(db.session.scalars(select(EvalYear).order_by(EvalYear.year.desc())))


def has_approved(year_row: EvalYear) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Review.year_id == year_row.id, Review.state == "approved"))
        )
    )


def pack_of(year_row: EvalYear) -> RulePack:
    return RulePack.from_dict(year_row.pack)


def catalog_of(year_row: EvalYear) -> dict[str, ViolationType]:
    rows = db.session.scalars(
        select(ViolationTypeRow).where(ViolationTypeRow.year_id == year_row.id)
    )
    return {
        r.code: ViolationType(
            code=r.code,
            title=r.title,
            group=r.group,
            applies_to=AppliesTo(r.applies_to),
            severity=Severity(r.severity),
        )
        for r in rows
    }


def open_year(user, year: int) -> EvalYear:
    """Open `year`: its pack and catalog copy the nearest earlier year, else the defaults."""
    if not is_admin(user):
        raise Forbidden("Chỉ quản trị viên được mở năm đánh giá.")
    if db.session.scalar(select(EvalYear.id).where(EvalYear.year == year)):
        raise Conflict(f"Năm {year} đã được mở.")
    previous = db.session.scalar(
        select(EvalYear).where(EvalYear.year < year).order_by(EvalYear.year.desc()).limit(1)
    )
    if previous is not None:
        pack = dict(previous.pack)
        source = f"năm {previous.year}"
        items = [
            {f: getattr(r, f) for f in CATALOG_FIELDS}
            for r in db.session.scalars(
                select(ViolationTypeRow).where(ViolationTypeRow.year_id == previous.id)
            )
        ]
    else:
        pack = RulePack().to_dict()
        source = "mặc định (RULES.md)"
        items = [
            {
                "code": v.code,
                "group": v.group,
                "title": v.title,
                "applies_to": str(v.applies_to),
                "severity": str(v.severity),
            }
            for v in DEFAULT_CATALOG.values()
        ]
    row = EvalYear(year=year, pack=pack, pack_source=source)
    db.session.add(row)
    db.session.flush()
    db.session.add_all(ViolationTypeRow(year_id=row.id, **item) for item in items)
    db.session.flush()
    record("open", "year", year, after={"pack_source": source, "catalog_items": len(items)})
    return row


def _editable(user, year_row: EvalYear, what: str) -> None:
    if not is_admin(user):
        raise Forbidden(f"Chỉ quản trị viên được sửa {what}.")
    if year_row.locked:
        raise Conflict(f"Năm {year_row.year} đã khóa: không sửa được {what}.")
    if has_approved(year_row):
        raise Conflict(
            f"Năm {year_row.year} đã có danh sách xếp loại được phê duyệt: không sửa được {what}."
        )


def update_pack(user, year_row: EvalYear, params: dict) -> EvalYear:
    _editable(user, year_row, "bộ quy tắc")
    merged = {**year_row.pack, **params}
    try:
        pack = RulePack.from_dict(merged)
    except (TypeError, ValueError) as err:
        raise ValidationError(str(err), {"params": [str(err)]}) from err
    problems = pack.validate()
    if problems:
        raise ValidationError("Bộ quy tắc không hợp lệ.", {"params": problems})
    before = dict(year_row.pack)
    year_row.pack = pack.to_dict()
    year_row.pack_source = "đã sửa"
    db.session.flush()
    changed = {k: v for k, v in year_row.pack.items() if before.get(k) != v}
    record(
        "update_pack",
        "year",
        year_row.year,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    return year_row


def catalog_item(year_row: EvalYear, code: str) -> ViolationTypeRow:
    row = db.session.scalar(
        select(ViolationTypeRow).where(
            ViolationTypeRow.year_id == year_row.id, ViolationTypeRow.code == code
        )
    )
    if row is None:
        raise NotFound(f"Không có biểu hiện vi phạm mã {code} trong danh mục năm {year_row.year}.")
    return row


def add_catalog_item(user, year_row: EvalYear, data: dict) -> ViolationTypeRow:
    _editable(user, year_row, "danh mục vi phạm")
    if db.session.scalar(
        select(ViolationTypeRow.id).where(
            ViolationTypeRow.year_id == year_row.id, ViolationTypeRow.code == data["code"]
        )
    ):
        raise Conflict(f"Mã {data['code']} đã có trong danh mục.", {"code": ["Mã đã tồn tại."]})
    row = ViolationTypeRow(year_id=year_row.id, **data)
    db.session.add(row)
    db.session.flush()
    record("create", "violation_type", f"{year_row.year}:{row.code}", after=data)
    return row


def update_catalog_item(user, year_row: EvalYear, row: ViolationTypeRow, data: dict):
    _editable(user, year_row, "danh mục vi phạm")
    before = {f: getattr(row, f) for f in CATALOG_FIELDS}
    for key, value in data.items():
        setattr(row, key, value)
    db.session.flush()
    record(
        "update",
        "violation_type",
        f"{year_row.year}:{row.code}",
        before=before,
        after={f: getattr(row, f) for f in CATALOG_FIELDS},
    )
    return row


def year_out(row: EvalYear) -> dict:
    return {
        "year": row.year,
        "pack": row.pack,
        "pack_source": row.pack_source,
        "locked": row.locked,
        "pack_locked": row.locked or has_approved(row),
        "computed_at": row.computed_at.strftime("%d/%m/%Y %H:%M") if row.computed_at else None,
    }
