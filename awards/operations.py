"""Named actions on the registry of initiatives: create, update, delete (with a reason). Each
validates, authorizes (initiative.write over every owning unit: a mô hình's unit, each
author's unit), changes, audits and flushes; the request boundary commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from awards.models import (
    KIND_LABELS,
    MODEL,
    SOURCE_LABELS,
    Initiative,
    InitiativeAuthor,
    owner_key,
)
from service.audit.operations import record
from service.auth.access import can
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db
from service.org.models import Person, Unit

STALE = (
    "Mục này đã được người khác (hoặc ở cửa sổ khác) sửa sau khi bạn mở: thay đổi của bạn chưa "
    "được lưu. Tải lại để xem giá trị hiện tại."
)
FIELDS = ("year", "kind", "title", "level", "decision_no", "decision_date")


def shape_errors(kind: str, unit_code, person_codes) -> dict[str, list[str]]:
    """A mô hình is owned by one unit and has no authors; a sáng kiến or đề tài has authors
    (codes without repeats) and no owning unit."""
    errors: dict[str, list[str]] = {}
    if kind == MODEL:
        if not unit_code:
            errors["unit_code"] = ["Mô hình cần mã đơn vị sở hữu."]
        if person_codes:
            errors["person_codes"] = ["Mô hình thuộc đơn vị, không ghi tác giả."]
    else:
        what = KIND_LABELS.get(kind, kind).capitalize()
        if not person_codes:
            errors["person_codes"] = [f"{what} cần ít nhất một mã tác giả."]
        if unit_code:
            errors["unit_code"] = [f"{what} ghi tác giả, không ghi đơn vị sở hữu."]
        repeated = sorted({c for c in person_codes if person_codes.count(c) > 1})
        if repeated:
            errors.setdefault("person_codes", []).append(
                f"Mã tác giả bị lặp: {', '.join(repeated)}."
            )
    return errors


def owner_units(ini: Initiative) -> list[Unit]:
    """The units an entry belongs to: a mô hình's unit, or its authors' units."""
    if ini.unit is not None:
        return [ini.unit]
    return [a.person.unit for a in ini.authors]


def may(user, action: str, ini: Initiative) -> bool:
    """Reading needs the action on one owning unit; writing on every one of them."""
    units = owner_units(ini)
    if action == "initiative.read":
        return any(can(user, action, u) for u in units)
    return bool(units) and all(can(user, action, u) for u in units)


def visible_initiative(user, initiative_id: int, action: str = "initiative.read") -> Initiative:
    """Load an entry the user may see (else 404) and may do `action` on (else 403)."""
    ini = db.session.scalar(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            joinedload(Initiative.unit),
            selectinload(Initiative.authors)
            .joinedload(InitiativeAuthor.person)
            .joinedload(Person.unit),
        )
    )
    if ini is None or not may(user, "initiative.read", ini):
        raise NotFound("Không tìm thấy sáng kiến, mô hình.")
    if action != "initiative.read" and not may(user, action, ini):
        raise Forbidden()
    if action != "initiative.read":
        fixed(ini)
    return ini


UNNAMED_FIXED = (
    "Mục không tên này được ghi từ cột số sáng kiến của «{source}» năm {year}: không sửa, không "
    "xóa ở đây. Sửa số ở «{source}» (nhập liệu hoặc tệp nhập), mục này đổi theo."
)


def fixed(ini: Initiative) -> None:
    """An unnamed entry (awards.unnamed) follows its count column: never edited by hand."""
    if ini.unnamed:
        raise Conflict(
            UNNAMED_FIXED.format(source=SOURCE_LABELS[ini.source], year=ini.year),
            {"source": [f"Nguồn: {SOURCE_LABELS[ini.source]}."]},
        )


def _owners(user, kind, unit_code, person_codes) -> tuple[Unit | None, list[Person]]:
    """The owning unit or the authors, each known, in the user's reach and writable by them.
    A code outside the user's reach reads as unknown (its existence is not told)."""
    errors = shape_errors(kind, unit_code, person_codes)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    if kind == MODEL:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None or not can(user, "unit.read", unit):
            raise ValidationError(fields={"unit_code": ["Không có đơn vị với mã này."]})
        if not can(user, "initiative.write", unit):
            raise Forbidden("Đơn vị ngoài phạm vi bạn được ghi sáng kiến, mô hình.")
        return unit, []
    found = {
        p.code: p
        for p in db.session.scalars(
            select(Person).where(Person.code.in_(person_codes)).options(joinedload(Person.unit))
        )
    }
    unknown = [
        c for c in person_codes if c not in found or not can(user, "person.read", found[c].unit)
    ]
    if unknown:
        raise ValidationError(
            fields={"person_codes": [f"Không có cán bộ với mã: {', '.join(unknown)}."]}
        )
    outside = [c for c in person_codes if not can(user, "initiative.write", found[c].unit)]
    if outside:
        raise Forbidden(
            f"Tác giả thuộc đơn vị ngoài phạm vi bạn được ghi sáng kiến: {', '.join(outside)}."
        )
    return None, [found[c] for c in person_codes]


def _check_unique(ini: Initiative) -> None:
    taken = db.session.scalar(
        select(Initiative.id).where(
            Initiative.year == ini.year,
            Initiative.kind == ini.kind,
            Initiative.title == ini.title,
            Initiative.owner_key == ini.owner_key,
            Initiative.id != (ini.id or 0),
        )
    )
    if taken:
        raise Conflict(
            f"Đã có {KIND_LABELS[ini.kind]} «{ini.title}» năm {ini.year} của cùng chủ sở hữu.",
            {"title": ["Trùng năm, loại, tên và tác giả (hoặc đơn vị)."]},
        )


def snapshot_of(ini: Initiative) -> dict:
    out = {f: getattr(ini, f) for f in FIELDS}
    out["unit_code"] = ini.unit.code if ini.unit else None
    out["person_codes"] = [a.person.code for a in ini.authors]
    return out


def _audit_unit(ini: Initiative) -> int | None:
    units = owner_units(ini)
    return units[0].id if units else None


def _set_owners(ini: Initiative, unit: Unit | None, people: list[Person]) -> None:
    ini.unit = unit
    wanted = [p.id for p in people]
    if [a.person_id for a in ini.authors] != wanted:
        if ini.authors:
            # the old links go first: a kept author's new link has the same primary key
            ini.authors.clear()
            db.session.flush()
        ini.authors.extend(InitiativeAuthor(person=p, position=i) for i, p in enumerate(people))
    ini.owner_key = owner_key(ini.kind, unit.id if unit else None, wanted)


def create_initiative(user, data: dict) -> Initiative:
    """Record a recognized sáng kiến, đề tài or mô hình (RULES.md C counts it)."""
    unit, people = _owners(user, data["kind"], data.get("unit_code"), data["person_codes"])
    ini = Initiative(version=1, **{f: data.get(f) for f in FIELDS})
    ini.decision_no = (data.get("decision_no") or "").strip()
    ini.title = data["title"].strip()
    _set_owners(ini, unit, people)
    _check_unique(ini)
    db.session.add(ini)
    db.session.flush()
    record("create", "initiative", ini.id, after=snapshot_of(ini), unit_id=_audit_unit(ini))
    return ini


def stale(ini: Initiative) -> Conflict:
    return Conflict(
        STALE, {"version": [f"Phiên bản đã mở đã cũ; phiên bản hiện tại là {ini.version}."]}
    )


def _bump(ini: Initiative, expected: int) -> None:
    """+1 on the version, only if it is still the one the change was made from (of two racing
    changes of the same version one finds no row: 409)."""
    done = db.session.execute(
        update(Initiative)
        .where(Initiative.id == ini.id, Initiative.version == expected)
        .values(version=Initiative.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.refresh(ini, ["version"])
        raise stale(ini)
    db.session.refresh(ini, ["version"])


def update_initiative(user, ini: Initiative, data: dict) -> Initiative:
    """Change an entry loaded at `data["version"]`; a stale version answers 409."""
    if not may(user, "initiative.write", ini):
        raise Forbidden()
    fixed(ini)
    expected = data["version"]
    if expected != ini.version:
        raise stale(ini)
    before = snapshot_of(ini)
    kind = data.get("kind", ini.kind)
    if "kind" in data and (kind == MODEL) != (ini.kind == MODEL):
        # switching between a unit's mô hình and authored entries needs the other owner
        unit_code = data.get("unit_code")
        person_codes = data.get("person_codes", [])
    else:
        unit_code = data["unit_code"] if "unit_code" in data else before["unit_code"]
        person_codes = data.get("person_codes", before["person_codes"])
    unit, people = _owners(user, kind, unit_code, person_codes)
    for f in FIELDS:
        if f in data:
            setattr(ini, f, data[f].strip() if f in ("title", "decision_no") else data[f])
    _set_owners(ini, unit, people)
    _check_unique(ini)
    after = snapshot_of(ini)
    if after == before:
        return ini
    db.session.flush()
    _bump(ini, expected)
    record("update", "initiative", ini.id, before=before, after=after, unit_id=_audit_unit(ini))
    return ini


def delete_initiative(user, ini: Initiative, reason: str, version: int) -> None:
    """Remove an entry (recognized by mistake, entered twice): the reason stays in the audit."""
    if not may(user, "initiative.write", ini):
        raise Forbidden()
    fixed(ini)
    if not (reason and reason.strip()):
        raise ValidationError("Xóa cần có lý do.", {"reason": ["Cần nhập lý do."]})
    if version != ini.version:
        raise stale(ini)
    before = snapshot_of(ini)
    unit_id = _audit_unit(ini)
    _bump(ini, version)  # a change made meanwhile is not deleted unseen
    record(
        "delete",
        "initiative",
        ini.id,
        before=before,
        after={"reason": reason.strip()},
        unit_id=unit_id,
    )
    db.session.delete(ini)
    db.session.flush()
