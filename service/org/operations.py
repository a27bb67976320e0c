"""Named actions on units and people: validate, authorize, change, audit, flush (no commit)."""

from __future__ import annotations

from marshmallow import ValidationError as MError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from service.audit.operations import record, snapshot
from service.auth.access import can, scope_filter
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.domains import org_changed
from service.extensions import db
from service.org.models import Category, Gender, PartyStatus, Person, Unit
from service.org.schemas import check_person_consistency

UNIT_FIELDS = ("code", "name", "kind", "quota_root", "path")
PERSON_FIELDS = (
    "code",
    "full_name",
    "birth_date",
    "gender",
    "unit_id",
    "position",
    "duty_group",
    "is_head",
    "category",
    "is_party_member",
    "party_unit_id",
    "admitted_on",
    "party_gap_days",
    "party_status",
    "seriously_ill",
)


def get_unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


UNIT_CHOICE_SEP = " — "


def unit_choice(unit: Unit) -> str:
    """How a unit reads in a unit picker (an input with a datalist): "CODE — Name"."""
    return f"{unit.code}{UNIT_CHOICE_SEP}{unit.name}"


def unit_from_choice(text: str | None) -> Unit | None:
    """The unit a picker's text names: "CODE — Name" as the list offers it, a code in any case,
    or a unit's exact name when only one unit has it."""
    text = (text or "").strip()
    if not text:
        return None
    code = text.split(UNIT_CHOICE_SEP, 1)[0].strip()
    unit = get_unit_by_code(code)
    if unit is None:
        folded = db.session.scalars(
            select(Unit).where(func.upper(Unit.code) == code.upper()).limit(2)
        ).all()
        unit = folded[0] if len(folded) == 1 else None  # ab beside AB: neither, as typed
    if unit is None:
        named = db.session.scalars(select(Unit).where(Unit.name == text).limit(2)).all()
        unit = named[0] if len(named) == 1 else None
    return unit


# A code taken outside the user's reach: refused without saying it exists or where (issue 15
# item 5); within reach the answer is 409 "đã tồn tại".
CODE_UNUSABLE = "Mã này không dùng được. Hãy chọn mã khác hoặc hỏi quản trị hệ thống."


def _not_found(code_or_id) -> str:
    """The same words whether the unit does not exist or lies outside the user's reach, naming
    what was typed (a code, at most 50 characters)."""
    typed = str(code_or_id).strip()[:50] if isinstance(code_or_id, str) else ""
    return f"Không tìm thấy đơn vị «{typed}»." if typed else "Không tìm thấy đơn vị."


def visible_unit_from_choice(user, text: str, action="unit.read") -> Unit:
    """The unit a picker's text names (unit_from_choice) that the user may see for `action`;
    anything else is 404 naming what was typed, 403 when seen but not for `action`."""
    found = unit_from_choice(text)
    if found is None or not can(user, "unit.read", found):
        raise NotFound(_not_found(text))
    return visible_unit(user, found.id, action)


def visible_unit(user, code_or_id, action="unit.read", lock=False) -> Unit:
    """Load a unit the user may see for `action`; anything else is 404. `lock`: its row is
    held until the transaction ends (a page's save compares it with what the page showed)."""
    if lock:
        key = Unit.id == code_or_id if isinstance(code_or_id, int) else Unit.code == code_or_id
        unit = db.session.scalar(
            select(Unit)
            .where(key)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE, as an UPDATE takes: rows
            .execution_options(populate_existing=True)  # referring to it are not held
        )
    elif isinstance(code_or_id, int):
        unit = db.session.get(Unit, code_or_id)
    else:
        unit = get_unit_by_code(code_or_id)
    if unit is None or not can(user, "unit.read", unit):
        raise NotFound(_not_found(code_or_id))
    if not can(user, action, unit):
        raise Forbidden()
    return unit


def visible_person(user, code: str, action="person.read", lock=False) -> Person:
    """Load a person the user may see for `action` (404 otherwise); `lock`: as visible_unit."""
    stmt = select(Person).where(Person.code == code).options(joinedload(Person.unit))
    if lock:
        # FOR NO KEY UPDATE: two saves take turns, but an insert referring to the person (a
        # job's ratings or nominations, held until it commits) does not hold the save
        stmt = stmt.with_for_update(of=Person, key_share=True)
        stmt = stmt.execution_options(populate_existing=True)
    person = db.session.scalar(stmt)
    if person is None or not can(user, "person.read", person.unit):
        raise NotFound("Không tìm thấy cán bộ.")
    if not can(user, action, person.unit):
        raise Forbidden()
    return person


def set_path(unit: Unit) -> None:
    parent = unit.parent
    unit.path = (parent.path if parent else "/") + f"{unit.id}/"
    unit.depth = (parent.depth + 1) if parent else 0


def create_unit(user, data: dict) -> Unit:
    if not can(user, "unit.write"):  # anywhere at all: answered before any code is looked up
        raise Forbidden()
    parent = None
    if data.get("parent_code"):
        parent = get_unit_by_code(data["parent_code"])
        if parent is None or not can(user, "unit.read", parent):
            # a parent outside the user's reach is reported like an unknown one
            raise ValidationError(fields={"parent_code": ["Không có đơn vị cấp trên với mã này."]})
    if not can(user, "unit.write", parent):
        raise Forbidden()
    taken = get_unit_by_code(data["code"]) or db.session.scalar(
        select(Unit).where(func.upper(Unit.code) == data["code"].upper()).limit(1)
    )  # pw-vp beside PW-VP would be the same unit to a clerk (and to the imports)
    if taken is not None:
        if not can(user, "unit.read", taken):
            raise ValidationError(CODE_UNUSABLE, {"code": [CODE_UNUSABLE]})
        same = "" if taken.code == data["code"] else f" ({taken.code} — {taken.name})"
        raise Conflict(
            f"Mã đơn vị {data['code']} đã tồn tại{same}.", {"code": [f"Mã đã tồn tại{same}."]}
        )
    unit = Unit(
        code=data["code"],
        name=data["name"],
        kind=data.get("kind") or "",
        quota_root=data.get("quota_root", False),
        parent=parent,
    )
    db.session.add(unit)
    db.session.flush()
    set_path(unit)
    db.session.flush()
    record("create", "unit", unit.code, after=snapshot(unit, UNIT_FIELDS), unit_id=unit.id)
    return unit


def move_unit(unit: Unit, new_parent: Unit | None) -> None:
    """Re-hang a unit and its subtree; a unit cannot go under itself or its descendants."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError(
            "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó (tạo vòng lặp).",
            {"parent_code": ["Tạo vòng lặp trong cây đơn vị."]},
        )
    old_path, old_depth = unit.path, unit.depth
    new_path = (new_parent.path if new_parent else "/") + f"{unit.id}/"
    new_depth = (new_parent.depth + 1) if new_parent else 0
    unit.parent = new_parent
    db.session.flush()
    db.session.execute(
        update(Unit)
        .where(Unit.subtree_clause(old_path))
        .values(
            path=new_path + func.substr(Unit.path, len(old_path) + 1),
            depth=Unit.depth + (new_depth - old_depth),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def update_unit(user, unit: Unit, data: dict) -> Unit:
    if not can(user, "unit.write", unit):
        raise Forbidden()
    before = snapshot(unit, UNIT_FIELDS)
    for key in ("name", "kind", "quota_root"):
        if key in data:
            setattr(unit, key, data[key])
    if "parent_code" in data:
        parent = None
        if data["parent_code"]:
            parent = get_unit_by_code(data["parent_code"])
            if parent is None:
                raise ValidationError(
                    fields={"parent_code": ["Không có đơn vị cấp trên với mã này."]}
                )
            if not can(user, "unit.write", parent):
                raise Forbidden()
        if parent is not unit.parent:
            old_parent = unit.parent_id
            move_unit(unit, parent)
            org_changed({old_parent, unit.id})  # the scopes it leaves and joins
    if "quota_root" in data and bool(data["quota_root"]) != bool(before.get("quota_root")):
        org_changed({unit.parent_id, unit.id})  # the scope it splits from or merges into
    db.session.flush()
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:  # the log holds what changed: a save of the same values adds nothing
        record("update", "unit", unit.code, before=before, after=after, unit_id=unit.id)
    return unit


def delete_unit(user, unit: Unit) -> None:
    if not can(user, "unit.write", unit):
        raise Forbidden()
    if db.session.scalar(select(func.count()).where(Unit.parent_id == unit.id)):
        raise Conflict("Không thể xóa: đơn vị còn đơn vị trực thuộc.")
    if db.session.scalar(select(func.count()).where(Person.unit_id == unit.id)):
        raise Conflict("Không thể xóa: đơn vị còn cán bộ.")
    members = db.session.scalar(select(func.count()).where(Person.party_unit_id == unit.id))
    if members:
        raise Conflict(
            f"Không thể xóa: đơn vị là chi bộ của {members} đảng viên"
            f"{_some_members(user, unit, members)}; chuyển họ sang chi bộ khác trước."
        )
    record("delete", "unit", unit.code, before=snapshot(unit, UNIT_FIELDS), unit_id=None)
    try:
        with db.session.begin_nested():
            db.session.delete(unit)
            db.session.flush()
    except IntegrityError:  # a record the domains keep (an award decision it issued) names it
        raise Conflict(
            "Không thể xóa: đơn vị còn hồ sơ gắn với nó (như quyết định khen thưởng đã ban "
            "hành), cần giữ lại để tra cứu. Có thể đổi tên hoặc chuyển đơn vị thay vì xóa."
        ) from None


def _some_members(user, cell: Unit, count: int, shown: int = 5) -> str:
    """«: A (P1), B (P2) … và N người khác»: the first party members of `cell` by name that
    the user may read (the others are only counted)."""
    rows = db.session.execute(
        select(Person.full_name, Person.code)
        .join(Unit, Person.unit_id == Unit.id)
        .where(Person.party_unit_id == cell.id, scope_filter(user, "person.read"))
        .order_by(Person.sort_name, Person.code)
        .limit(shown)
    ).all()
    named = [f"{name} ({code})" for name, code in rows]
    if not named:
        return ""
    rest = count - len(named)
    return ": " + ", ".join(named) + (f" và {rest} người khác" if rest else "")


def _person_unit(user, code: str) -> Unit:
    """The unit a person is written into: one the user may write people in."""
    unit = get_unit_by_code(code)
    if unit is None or not can(user, "unit.read", unit):
        # a unit outside the user's reach is reported like an unknown one
        raise ValidationError(fields={"unit_code": ["Không có đơn vị với mã này."]})
    if not can(user, "person.write", unit):
        raise Forbidden()
    return unit


def _apply_person(user, person: Person, data: dict) -> None:
    if "unit_code" in data:
        person.unit = _person_unit(user, data["unit_code"])
    if "party_unit_code" in data:
        pu = None
        if data["party_unit_code"]:
            pu = get_unit_by_code(data["party_unit_code"])
            # outside reach: as an unknown unit, but for the cell the person already has (a
            # PATCH sending the stored values back)
            if pu is None or (pu.id != person.party_unit_id and not can(user, "unit.read", pu)):
                raise ValidationError(fields={"party_unit_code": ["Không có chi bộ với mã này."]})
        person.party_unit = pu
    enums = {"gender": Gender, "category": Category, "party_status": PartyStatus}
    for key in PERSON_FIELDS:
        if key in data and key not in ("unit_id", "party_unit_id"):
            value = data[key]
            if key in enums and value is not None:
                value = enums[key](value)
            setattr(person, key, value)


def create_person(user, data: dict) -> Person:
    """A person in the unit `data` names (checked by check_new_person), audited."""
    check_new_person(user, data)
    person = Person()
    _apply_person(user, person, data)
    db.session.add(person)
    db.session.flush()
    org_changed({person.unit_id})
    after = snapshot(person, PERSON_FIELDS)
    record("create", "person", person.code, after=after, unit_id=person.unit_id)
    return person


def check_new_person(user, data: dict) -> None:
    """The target unit's reach first (outside it: as an unknown unit), then the code: 409 when
    taken within the user's reach, a neutral refusal when taken outside it."""
    _person_unit(user, data["unit_code"])
    taken = db.session.scalar(
        select(Person).where(Person.code == data["code"]).options(joinedload(Person.unit))
    ) or db.session.scalar(
        select(Person)
        .where(func.upper(Person.code) == data["code"].upper())
        .options(joinedload(Person.unit))
        .limit(1)
    )  # pw001 beside PW001: the same person to a clerk (and to the imports)
    if taken is not None:
        if not can(user, "person.read", taken.unit):
            raise ValidationError(CODE_UNUSABLE, {"code": [CODE_UNUSABLE]})
        same = "" if taken.code == data["code"] else f" ({taken.code})"
        raise Conflict(
            f"Mã cán bộ {data['code']} đã tồn tại{same}.", {"code": [f"Mã đã tồn tại{same}."]}
        )


def update_person(user, person: Person, data: dict) -> Person:
    if not can(user, "person.write", person.unit):
        raise Forbidden()
    if "code" in data and data["code"] != person.code:
        raise ValidationError(fields={"code": ["Không được đổi mã cán bộ."]})
    before = snapshot(person, PERSON_FIELDS)
    old_unit, old_party_unit = person.unit_id, person.party_unit_id
    merged = {
        "is_party_member": data.get("is_party_member", person.is_party_member),
        "birth_date": data.get("birth_date", person.birth_date),
        "admitted_on": data.get("admitted_on", person.admitted_on),
    }
    if not merged["is_party_member"]:
        merged["party_unit_code"] = data.get("party_unit_code") or (
            person.party_unit.code if person.party_unit and "party_unit_code" not in data else None
        )
    try:
        check_person_consistency(merged)
    except MError as err:
        raise ValidationError("Dữ liệu không hợp lệ.", err.messages) from None
    _apply_person(user, person, data)
    db.session.flush()
    after = snapshot(person, PERSON_FIELDS)
    if after != before:  # a move, or what a rating reads of the person (group, category, party)
        org_changed({old_unit, person.unit_id, old_party_unit, person.party_unit_id})
        record("update", "person", person.code, before=before, after=after, unit_id=person.unit_id)
    return person


def other_heads(person: Person) -> list[Person]:
    """The other people marked head of the person's unit."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.unit_id == person.unit_id, Person.is_head, Person.id != person.id)
            .order_by(Person.code)
        )
    )


def delete_person(user, person: Person) -> None:
    if not can(user, "person.write", person.unit):
        raise Forbidden()
    record(
        "delete",
        "person",
        person.code,
        before=snapshot(person, PERSON_FIELDS),
        unit_id=person.unit_id,
    )
    unit_id = person.unit_id
    db.session.delete(person)
    db.session.flush()
    org_changed({unit_id})
