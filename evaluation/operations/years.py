"""Operations on a year, its rule pack, its Directive 24 catalog and its quota overrides."""

from __future__ import annotations

from sqlalchemy import select

from evaluation.compute import scope_key
from evaluation.models import (
    DEFAULT_SOURCE,
    EvalYear,
    QuotaOverride,
    Rating,
    Violation,
    ViolationTypeRow,
)
from evaluation.operations.recompute import units_changed, year_changed
from evaluation.queries import CATALOG_FIELDS, catalog_rows
from evaluation.rules import DEFAULT_CATALOG, RulePack
from service.audit.operations import record
from service.auth.access import is_admin
from service.common.errors import Conflict, Forbidden, ValidationError
from service.extensions import db
from service.org.models import Person


def open_year(user, year: int) -> EvalYear:
    """Open `year`: its pack and catalog copy the nearest earlier year, else the defaults."""
    if not EvalYear.can_open(user):
        raise Forbidden("Chỉ quản trị viên được mở năm đánh giá.")
    if not 2000 <= year <= 2100:
        raise ValidationError(
            "Năm phải trong khoảng 2000–2100.", {"year": ["Phải trong khoảng 2000–2100."]}
        )
    if db.session.scalar(select(EvalYear.id).where(EvalYear.year == year)):
        raise Conflict(f"Năm {year} đã được mở.")
    previous = db.session.scalar(
        select(EvalYear).where(EvalYear.year < year).order_by(EvalYear.year.desc()).limit(1)
    )
    if previous is not None:
        pack = dict(previous.pack)
        source = f"năm {previous.year}"
        items = [{f: getattr(r, f) for f in CATALOG_FIELDS} for r in catalog_rows(previous)]
    else:
        pack = RulePack().to_dict()
        source = DEFAULT_SOURCE
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
    record(
        "open", "year", year, after={"pack_source": source, "catalog_items": len(items)}, user=user
    )
    return row


def _check_pack_editable(user, year_row: EvalYear, what: str) -> None:
    if year_row.can_edit_pack(user):
        return
    if not is_admin(user):
        raise Forbidden(f"Chỉ quản trị viên được sửa {what}.")
    if year_row.locked:
        raise Conflict(f"Năm {year_row.year} đã khóa: không sửa được {what}.")
    raise Conflict(
        f"Năm {year_row.year} đã có danh sách xếp loại được phê duyệt: không sửa được {what}."
    )


def update_pack(user, year_row: EvalYear, params: dict) -> EvalYear:
    """Change some parameters of the year's pack (RulePack.validate checks the whole pack);
    every scope is recomputed."""
    _check_pack_editable(user, year_row, "bộ quy tắc")
    try:
        pack = RulePack.from_dict({**year_row.pack, **params})
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
        user=user,
    )
    if changed:
        year_changed(user, year_row)
    return year_row


def add_catalog_item(user, year_row: EvalYear, data: dict) -> ViolationTypeRow:
    """A new item of the year's Directive 24 catalog (nothing uses it yet: no recompute)."""
    _check_pack_editable(user, year_row, "danh mục vi phạm")
    if db.session.scalar(
        select(ViolationTypeRow.id).where(
            ViolationTypeRow.year_id == year_row.id, ViolationTypeRow.code == data["code"]
        )
    ):
        raise Conflict(f"Mã {data['code']} đã có trong danh mục.", {"code": ["Mã đã tồn tại."]})
    row = ViolationTypeRow(year_id=year_row.id, **data)
    db.session.add(row)
    db.session.flush()
    record("create", "violation_type", f"{year_row.year}:{row.code}", after=data, user=user)
    return row


def update_catalog_item(user, year_row: EvalYear, row: ViolationTypeRow, data: dict):
    """Edit a catalog item; unless only its title changed, the subjects with an active record of
    it are recomputed (D)."""
    _check_pack_editable(user, year_row, "danh mục vi phạm")
    before = {f: getattr(row, f) for f in CATALOG_FIELDS}
    for key, value in data.items():
        setattr(row, key, value)
    db.session.flush()
    after = {f: getattr(row, f) for f in CATALOG_FIELDS}
    record(
        "update", "violation_type", f"{year_row.year}:{row.code}", before=before, after=after,
        user=user,
    )  # fmt: skip
    if any(before[f] != after[f] for f in CATALOG_FIELDS if f != "title"):
        units_changed(year_row, _units_recording(year_row, row.code))
    return row


def _units_recording(year_row: EvalYear, code: str) -> set[int]:
    """The units whose people or who themselves hold an active record of `code`."""

    rows = db.session.execute(
        select(Violation.unit_id, Person.unit_id)
        .outerjoin(Person, Violation.person_id == Person.id)
        .where(
            Violation.year_id == year_row.id,
            Violation.code == code,
            Violation.removed_at.is_(None),
        )
    )
    return {unit_id or person_unit for unit_id, person_unit in rows}


def add_quota_override(user, year_row: EvalYear, scope: list, p: int, reason: str) -> dict:
    """A10: the council's other p for one quota scope and year; the scope is recomputed."""
    if not year_row.can_override_quota(user):
        raise Forbidden("Chỉ quản trị viên ghi nhận quyết định tỷ lệ khác của hội đồng.")
    if not scope or scope[0] not in ("official", "party", "unit"):
        raise ValidationError(
            "Phạm vi không hợp lệ.", {"scope": ["Bắt đầu bằng official, party hoặc unit."]}
        )
    key = scope_key(tuple(scope))
    row = db.session.scalar(
        select(QuotaOverride).where(
            QuotaOverride.year_id == year_row.id, QuotaOverride.scope == key
        )
    ) or QuotaOverride(year_id=year_row.id, scope=key)
    before = {"p": row.p, "reason": row.reason} if row.id else None
    row.p, row.reason = p, reason
    db.session.add(row)
    db.session.flush()
    after = {"scope": scope, "p": row.p, "reason": row.reason}
    record("quota_override", "year", year_row.year, before=before, after=after, user=user)
    units_changed(
        year_row,
        db.session.scalars(
            select(Rating.list_unit_id)
            .where(Rating.year_id == year_row.id, Rating.scope == key)
            .distinct()
        ),
    )
    return after
