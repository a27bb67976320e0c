"""Writing the year's inputs: individual and unit evaluations, violation records, history.

Every operation is called with an object the user may reach (see service.org.operations
visible_*), checks that the year and the unit's list are still open, validates across fields,
writes, audits and flushes; the request commits. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from evaluation.models import EvalYear, PersonEval, Review, UnitEval, Violation, ViolationTypeRow
from evaluation.schemas import MONTH_KEYS
from service.audit.operations import record, snapshot
from service.common.errors import Conflict, NotFound, ValidationError
from service.extensions import db
from service.org.models import Person, Unit

PERSON_EVAL_FIELDS = (
    "ct",
    "dd",
    "tp",
    "kl",
    *MONTH_KEYS,
    "task_points",
    "tasks_total",
    "tasks_late",
    "tasks_exceeded",
    "months_worked",
    "maternity",
    "discipline_form",
    "discipline_year",
    "discipline_date",
    "party_discipline",
    "counted_before",
    "self_remedied",
    "under_review",
    "initiatives_base",
    "initiatives_city",
)
UNIT_EVAL_FIELDS = (
    "ct",
    "dd",
    "tp",
    "kl",
    "k1",
    "k2",
    "k3",
    "k4",
    "task_points",
    "targets_total",
    "targets_done",
    "targets_late",
    "targets_exceeded",
    "subunits_total",
    "subunits_disciplined",
    "leadership_disciplined",
    "corruption_case",
    "under_review",
)
# an empty count means its default
_PERSON_DEFAULTS = {
    "tasks_total": 0,
    "tasks_late": 0,
    "tasks_exceeded": 0,
    "months_worked": 12,
    "initiatives_base": 0,
    "initiatives_city": 0,
}
_UNIT_COUNTS = {
    "targets_total",
    "targets_done",
    "targets_late",
    "targets_exceeded",
    "subunits_total",
    "subunits_disciplined",
}
LOCKED_STATES = {"submitted": "đã gửi duyệt", "approved": "đã được phê duyệt"}


def list_unit_of_unit(unit: Unit) -> int:
    """The unit whose list holds `unit`'s own rating: its parent, or itself at the top."""
    return unit.parent_id or unit.id


def review_state(year_row: EvalYear, unit_id: int) -> str:
    state = db.session.scalar(
        select(Review.state).where(Review.year_id == year_row.id, Review.unit_id == unit_id)
    )
    return state or "open"


def check_writable(year_row: EvalYear, list_unit_id: int, unit_name: str = "") -> None:
    """Inputs may change only while the year is unlocked and the list is open."""
    if year_row.locked:
        raise Conflict(f"Năm {year_row.year} đã khóa: không sửa được dữ liệu đánh giá.")
    state = review_state(year_row, list_unit_id)
    if state in LOCKED_STATES:
        raise Conflict(
            f"Danh sách xếp loại của đơn vị {unit_name} {LOCKED_STATES[state]}: không sửa được "
            "dữ liệu. Cần trả lại (hoặc mở lại) danh sách trước."
        )


def _catalog_codes(year_row: EvalYear, subject: str) -> dict[str, str]:
    """code -> applies_to of the catalog items usable for an individual or a collective."""
    rows = db.session.execute(
        select(ViolationTypeRow.code, ViolationTypeRow.applies_to).where(
            ViolationTypeRow.year_id == year_row.id
        )
    )
    return {code: applies for code, applies in rows if applies in (subject, "both")}


def check_violation_codes(year_row: EvalYear, codes, subject: str) -> list[str]:
    """Error messages for codes not in the year's catalog or not for this kind of subject."""
    usable = _catalog_codes(year_row, subject)
    who = "cá nhân" if subject == "individual" else "tập thể"
    errors = []
    for code in codes:
        if code not in usable:
            errors.append(
                f"Mã vi phạm {code} không có trong danh mục năm {year_row.year} "
                f"(hoặc không áp dụng cho {who})."
            )
    return errors


def active_violations(year_row: EvalYear, *, person_id=None, unit_id=None) -> list[Violation]:
    stmt = select(Violation).where(Violation.year_id == year_row.id, Violation.removed_at.is_(None))
    if person_id is not None:
        stmt = stmt.where(Violation.person_id == person_id)
    else:
        stmt = stmt.where(Violation.unit_id == unit_id)
    return list(db.session.scalars(stmt.order_by(Violation.id)))


def sync_violations(
    user, year_row, codes, reason, *, person=None, unit=None, how_found="other", evidence=""
) -> tuple[int, int]:
    """Make the active records of a subject list exactly `codes` (with repeats): add the missing
    ones, remove the extra ones (removal needs a reason). Returns (added, removed)."""
    current = active_violations(
        year_row,
        person_id=person.id if person else None,
        unit_id=unit.id if unit else None,
    )
    want = Counter(codes)
    have = Counter(v.code for v in current)
    to_add = want - have
    to_remove = have - want
    if to_remove and not (reason and reason.strip()):
        raise ValidationError(
            "Gỡ biểu hiện vi phạm cần có lý do.",
            {"violations_removal_reason": ["Cần lý do khi gỡ vi phạm đã ghi nhận."]},
        )
    removed = 0
    for v in reversed(current):
        if to_remove[v.code] > 0:
            to_remove[v.code] -= 1
            _remove(user, year_row, v, reason)
            removed += 1
    added = 0
    for code, n in to_add.items():
        for _ in range(n):
            add_violation(
                user,
                year_row,
                {"code": code, "how_found": how_found, "evidence": evidence, "found_on": None},
                person=person,
                unit=unit,
                checked=True,
            )
            added += 1
    return added, removed


def add_violation(user, year_row, data, *, person=None, unit=None, checked=False) -> Violation:
    if not checked:
        errors = check_violation_codes(
            year_row, [data["code"]], "individual" if person else "collective"
        )
        if errors:
            raise ValidationError(errors[0], {"code": errors})
        if data.get("found_on") and data["found_on"].year != year_row.year:
            raise ValidationError(
                "Ngày phát hiện phải thuộc năm đánh giá.",
                {"found_on": [f"Ngày phát hiện phải trong năm {year_row.year}."]},
            )
        if person is not None:
            check_writable(year_row, person.unit_id, person.unit.name)
        else:
            check_writable(year_row, list_unit_of_unit(unit), unit.name)
    v = Violation(
        year_id=year_row.id,
        person_id=person.id if person else None,
        unit_id=unit.id if unit else None,
        code=data["code"],
        found_on=data.get("found_on"),
        how_found=data.get("how_found") or "other",
        evidence=data.get("evidence") or "",
        recorded_by=getattr(user, "id", None),
    )
    db.session.add(v)
    db.session.flush()
    record(
        "create",
        "violation",
        v.id,
        after={
            "year": year_row.year,
            "person": person.code if person else None,
            "unit": unit.code if unit else None,
            **snapshot(v, ("code", "found_on", "how_found", "evidence")),
        },
        unit_id=person.unit_id if person else unit.id,
    )
    return v


def _remove(user, year_row, v: Violation, reason: str) -> None:
    v.removed_at = dt.datetime.now()
    v.removed_by = getattr(user, "id", None)
    v.removed_reason = reason.strip()
    db.session.flush()
    record(
        "remove",
        "violation",
        v.id,
        before=snapshot(v, ("code", "found_on", "how_found", "evidence")),
        after={"removed_reason": v.removed_reason},
        unit_id=v.unit_id or (v.person.unit_id if v.person else None),
    )


def remove_violation(user, year_row, v: Violation, reason: str) -> Violation:
    if v.removed_at is not None:
        raise Conflict("Vi phạm này đã được gỡ trước đó.")
    if v.person is not None:
        check_writable(year_row, v.person.unit_id, v.person.unit.name)
    else:
        check_writable(year_row, list_unit_of_unit(v.unit), v.unit.name)
    _remove(user, year_row, v, reason)
    return v


def get_violation(year_row, violation_id: int) -> Violation:
    v = db.session.get(Violation, violation_id)
    if v is None or v.year_id != year_row.id:
        raise NotFound("Không tìm thấy bản ghi vi phạm.")
    return v


def _pop_violations(year_row, data: dict, subject: str) -> tuple[list[str] | None, str | None]:
    """Take the violation codes (checked against the year's catalog) and the removal reason out
    of a save's data; codes None means "leave the records as they are"."""
    codes = data.pop("violations", None)
    reason = data.pop("violations_removal_reason", None)
    if codes is not None:
        codes = [c.strip() for c in codes if c and c.strip()]
        bad = check_violation_codes(year_row, codes, subject)
        if bad:
            raise ValidationError("Mã vi phạm không hợp lệ.", {"violations": bad})
    return codes, reason


def _person_consistency(row: PersonEval) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    total = row.tasks_total or 0
    if (row.tasks_late or 0) > total:
        errors["tasks_late"] = [f"Số nhiệm vụ chậm không được lớn hơn tổng số nhiệm vụ ({total})."]
    if (row.tasks_exceeded or 0) > total:
        errors["tasks_exceeded"] = [
            f"Số nhiệm vụ vượt không được lớn hơn tổng số nhiệm vụ ({total})."
        ]
    if row.discipline_date is not None:
        if row.discipline_year is not None and row.discipline_year != row.discipline_date.year:
            errors["discipline_year"] = ["Năm quyết định kỷ luật khác năm của ngày quyết định."]
    if (row.discipline_year or row.discipline_date) and not row.discipline_form:
        errors["discipline_form"] = ["Có năm/ngày quyết định kỷ luật thì phải có hình thức."]
    return errors


def get_person_eval(year_row: EvalYear, person: Person) -> PersonEval | None:
    return db.session.scalar(
        select(PersonEval).where(
            PersonEval.year_id == year_row.id, PersonEval.person_id == person.id
        )
    )


def save_person_eval(user, year_row: EvalYear, person: Person, data: dict) -> PersonEval:
    """Create or update a person's yearly inputs (only the given fields change)."""
    data = dict(data)
    check_writable(year_row, person.unit_id, person.unit.name)
    codes, reason = _pop_violations(year_row, data, "individual")
    row = get_person_eval(year_row, person)
    created = row is None
    if created:
        row = PersonEval(
            year_id=year_row.id,
            person_id=person.id,
            tasks_total=0,
            tasks_late=0,
            tasks_exceeded=0,
            months_worked=12,
            initiatives_base=0,
            initiatives_city=0,
        )
        before = None
    else:
        before = snapshot(row, PERSON_EVAL_FIELDS)
    for key, value in data.items():
        if value is None and key in _PERSON_DEFAULTS:
            value = _PERSON_DEFAULTS[key]
        setattr(row, key, value)
    if row.discipline_date is not None and row.discipline_year is None:
        row.discipline_year = row.discipline_date.year
    if not row.discipline_form:
        row.discipline_form = None
    errors = _person_consistency(row)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    if created:
        db.session.add(row)
    db.session.flush()
    after = snapshot(row, PERSON_EVAL_FIELDS)
    changes = after if before is None else {k: v for k, v in after.items() if before[k] != v}
    if codes is not None:
        added, removed = sync_violations(user, year_row, codes, reason, person=person)
        if added or removed:
            changes["violations"] = codes
    if changes:
        record(
            "create" if created else "update",
            "person_eval",
            f"{year_row.year}:{person.code}",
            before=None if before is None else {k: before[k] for k in changes if k in before},
            after=changes,
            unit_id=person.unit_id,
        )
        from evaluation.compute import note_change

        note_change(year_row, person.unit_id)
    return row


def get_unit_eval(year_row: EvalYear, unit: Unit) -> UnitEval | None:
    return db.session.scalar(
        select(UnitEval).where(UnitEval.year_id == year_row.id, UnitEval.unit_id == unit.id)
    )


def _unit_consistency(row: UnitEval) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    total = row.targets_total or 0
    for key, label in (
        ("targets_done", "hoàn thành"),
        ("targets_late", "chậm"),
        ("targets_exceeded", "vượt"),
    ):
        if (getattr(row, key) or 0) > total:
            errors[key] = [f"Số chỉ tiêu {label} không được lớn hơn tổng chỉ tiêu ({total})."]
    if (row.subunits_disciplined or 0) > (row.subunits_total or 0):
        errors["subunits_disciplined"] = [
            "Số đơn vị trực thuộc bị kỷ luật không được lớn hơn số đơn vị trực thuộc."
        ]
    return errors


def save_unit_eval(user, year_row: EvalYear, unit: Unit, data: dict) -> UnitEval:
    data = dict(data)
    holder = db.session.get(Unit, list_unit_of_unit(unit))
    check_writable(year_row, holder.id, holder.name)
    codes, reason = _pop_violations(year_row, data, "collective")
    row = get_unit_eval(year_row, unit)
    created = row is None
    if created:
        row = UnitEval(year_id=year_row.id, unit_id=unit.id)
        for key in UNIT_EVAL_FIELDS:
            if key not in ("ct", "dd", "tp", "kl", "task_points"):
                setattr(row, key, 0 if key.startswith(("targets", "subunits")) else False)
        before = None
    else:
        before = snapshot(row, UNIT_EVAL_FIELDS)
    for key, value in data.items():
        if value is None and key in _UNIT_COUNTS:
            value = 0
        setattr(row, key, value)
    errors = _unit_consistency(row)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    if created:
        db.session.add(row)
    db.session.flush()
    after = snapshot(row, UNIT_EVAL_FIELDS)
    changes = after if before is None else {k: v for k, v in after.items() if before[k] != v}
    if codes is not None:
        added, removed = sync_violations(user, year_row, codes, reason, unit=unit)
        if added or removed:
            changes["violations"] = codes
    if changes:
        record(
            "create" if created else "update",
            "unit_eval",
            f"{year_row.year}:{unit.code}",
            before=None if before is None else {k: before[k] for k in changes if k in before},
            after=changes,
            unit_id=unit.id,
        )
        from evaluation.compute import note_change

        note_change(year_row, unit.id)
    return row


def person_eval_out(row: PersonEval | None, violations: list[str]) -> dict:
    out: dict = {}
    for key in PERSON_EVAL_FIELDS:
        value = getattr(row, key) if row is not None else None
        if key == "discipline_date" and value is not None:
            value = value.strftime("%d/%m/%Y")
        elif value is not None and not isinstance(value, (bool, int)):
            value = str(value)
        out[key] = value
    out["violations"] = violations
    out["exists"] = row is not None
    return out


def unit_eval_out(row: UnitEval | None, violations: list[str]) -> dict:
    out: dict = {}
    for key in UNIT_EVAL_FIELDS:
        value = getattr(row, key) if row is not None else None
        if value is not None and not isinstance(value, (bool, int)):
            value = str(value)
        out[key] = value
    out["violations"] = violations
    out["exists"] = row is not None
    return out
