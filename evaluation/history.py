"""Past years' outcomes (RULES.md: imported as history, never recomputed)."""

from __future__ import annotations

from sqlalchemy import select

from evaluation.models import EvalYear, History
from service.audit.operations import record, snapshot
from service.common.errors import Conflict
from service.extensions import db

FIELDS = ("official_level", "party_level", "awards", "initiatives_base", "initiatives_city")


def history_of(*, person_id=None, unit_id=None) -> list[History]:
    stmt = select(History).order_by(History.year.desc())
    if person_id is not None:
        stmt = stmt.where(History.person_id == person_id)
    else:
        stmt = stmt.where(History.unit_id == unit_id)
    return list(db.session.scalars(stmt))


def save_history(user, year: int, data: dict, *, person=None, unit=None) -> History:
    """Create or replace one past year's outcome of a person or a unit."""
    if db.session.scalar(select(EvalYear.id).where(EvalYear.year == year)):
        raise Conflict(
            f"Năm {year} đang được đánh giá trong hệ thống: kết quả của năm này do hệ thống tính, "
            "không nhập như lịch sử."
        )
    stmt = select(History).where(History.year == year)
    stmt = stmt.where(
        History.person_id == person.id if person is not None else History.unit_id == unit.id
    )
    row = db.session.scalar(stmt)
    before = snapshot(row, FIELDS) if row is not None else None
    if row is None:
        row = History(
            year=year,
            person_id=person.id if person is not None else None,
            unit_id=unit.id if unit is not None else None,
        )
        db.session.add(row)
    row.official_level = data.get("official_level")
    row.party_level = data.get("party_level")
    row.awards = sorted(set(data.get("awards") or []))
    row.initiatives_base = data.get("initiatives_base") or 0
    row.initiatives_city = data.get("initiatives_city") or 0
    db.session.flush()
    code = person.code if person is not None else unit.code
    record(
        "update" if before else "create",
        "history",
        f"{year}:{code}",
        before=before,
        after=snapshot(row, FIELDS),
        unit_id=person.unit_id if person is not None else unit.id,
    )
    return row


def history_out(row: History) -> dict:
    return {"year": row.year, **{f: getattr(row, f) for f in FIELDS}}
