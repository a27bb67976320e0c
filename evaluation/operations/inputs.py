"""Operations on the year's inputs: a person's and a unit's yearly evaluation, violation
records (D) and past years' history. Inputs change only while the year is unlocked and the
list holding the subject's rating is open."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select, update

from evaluation.counts import HISTORY as HISTORY_COUNTS
from evaluation.counts import PERSON_EVAL, CountRow, counts_changed
from evaluation.models import (
    PERSON_EVAL_FIELDS,
    UNIT_EVAL_FIELDS,
    EvalYear,
    History,
    PersonEval,
    UnitEval,
    Violation,
)
from evaluation.operations.recompute import units_changed
from evaluation.queries import (
    HISTORY_FIELDS,
    active_violations,
    award_inputs,
    catalog_rows,
    final_ratings,
    get_person_eval,
    get_unit_eval,
    get_year,
    list_unit_of_unit,
    person_inputs_out,
    review_state,
    unit_inputs_out,
)
from evaluation.schemas import person_input_errors, unit_input_errors
from service.audit.operations import record, snapshot
from service.auth.access import can
from service.common.errors import Conflict, Forbidden, ValidationError
from service.extensions import db
from service.org.models import Unit

LOCKED_STATES = {"submitted": "đã gửi duyệt", "approved": "đã được phê duyệt"}
STALE = (
    "Dòng này đã được người khác (hoặc ở cửa sổ khác) sửa sau khi bạn mở: dữ liệu của bạn chưa "
    "được lưu. Xem giá trị hiện tại rồi chọn giữ giá trị của bạn hoặc lấy giá trị mới."
)
VIOLATION_AUDIT = ("code", "found_on", "how_found", "evidence")
# an empty count means its default
_PERSON_DEFAULTS = {
    "tasks_total": 0,
    "tasks_late": 0,
    "tasks_exceeded": 0,
    "months_worked": 12,
    "initiatives_base": 0,
    "initiatives_city": 0,
}
_UNIT_DEFAULTS = {f: 0 for f in UNIT_EVAL_FIELDS if f.startswith(("targets", "subunits"))}


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


def check_violation_codes(year_row: EvalYear, codes, subject: str) -> list[str]:
    """Error messages for codes not in the year's catalog or not for this kind of subject."""
    usable = {r.code for r in catalog_rows(year_row) if r.applies_to in (subject, "both")}
    who = "cá nhân" if subject == "individual" else "tập thể"
    return [
        f"Mã vi phạm {code} không có trong danh mục năm {year_row.year} "
        f"(hoặc không áp dụng cho {who})."
        for code in codes
        if code not in usable
    ]


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


def _person_errors(row: PersonEval, year: int) -> dict[str, list[str]]:
    if row.discipline_date is not None and row.discipline_year is None:
        row.discipline_year = row.discipline_date.year
    if not row.discipline_form:
        row.discipline_form = None
    return person_input_errors(row, year)


def _unit_errors(row: UnitEval, _year: int) -> dict[str, list[str]]:
    return unit_input_errors(row)


# subject -> (audit object type, input columns, defaults of empty counts, cross-field check)
_INPUTS = {
    "person": ("person_eval", PERSON_EVAL_FIELDS, _PERSON_DEFAULTS, _person_errors),
    "unit": ("unit_eval", UNIT_EVAL_FIELDS, _UNIT_DEFAULTS, _unit_errors),
}


def _stale(year_row, *, person=None, unit=None) -> Conflict:
    """409 of a save whose version is not the row's: the message and the row as it is now."""
    current = (
        person_inputs_out(year_row, person)
        if person is not None
        else unit_inputs_out(year_row, unit)
    )
    return Conflict(
        STALE,
        {"version": [f"Phiên bản đã mở đã cũ; phiên bản hiện tại là {current['version']}."]},
        extra={"current": current},
    )


def _check_version(year_row, row, data, codes, shown, *, person=None, unit=None) -> None:
    """A save carrying the version it was loaded with (0: no row yet) fails on any other; a
    save of violation codes carrying the codes it showed (violations_shown) fails when the
    records are not those any more (recorded elsewhere meanwhile, even without an input
    row), so it never removes a record the clerk did not see."""
    expected = data.get("version")
    if expected is not None and expected != (row.version if row is not None else 0):
        raise _stale(year_row, person=person, unit=unit)
    if codes is not None and shown is not None:
        current = active_violations(
            year_row,
            person_id=person.id if person else None,
            unit_id=unit.id if unit else None,
        )
        if Counter(v.code for v in current) != Counter(c.strip() for c in shown if c.strip()):
            raise _stale(year_row, person=person, unit=unit)


def _bump_version(year_row, row, expected, *, person=None, unit=None) -> None:
    """+1 on the row's version, with one conditional UPDATE when the save carried a version
    (of two racing saves of the same version one finds no row: 409)."""
    model = type(row)
    stmt = update(model).where(model.id == row.id).values(version=model.version + 1)
    if expected is not None:
        stmt = stmt.where(model.version == expected)
    if db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount != 1:
        raise _stale(year_row, person=person, unit=unit)
    db.session.refresh(row, ["version"])


def touch_inputs(year_row, *, person=None, unit=None) -> None:
    """A violation record of the subject changed: its input row (if any) gets a new version, so
    a grid opened before answers 409 instead of saving over it."""
    model, column = (
        (PersonEval, PersonEval.person_id) if person is not None else (UnitEval, UnitEval.unit_id)
    )
    db.session.execute(
        update(model)
        .where(model.year_id == year_row.id, column == (person or unit).id)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )


def _save_inputs(user, year_row, row, created, data, violations, *, person=None, unit=None):
    """Set the given fields of a person's or unit's input row (an empty count: its default),
    check it across fields, flush, sync the violation records; then audit the changed fields
    (all of them for a new row), give the row a new version and recompute the subject's
    scope."""
    kind, fields, defaults, check = _INPUTS["person" if person is not None else "unit"]
    code, unit_id = (person.code, person.unit_id) if person is not None else (unit.code, unit.id)
    expected = data.pop("version", None)
    before = None if created else snapshot(row, fields)
    for key, value in data.items():
        if value is None and key in defaults:
            value = defaults[key]
        setattr(row, key, value)
    errors = check(row, year_row.year)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    if created:
        db.session.add(row)
    db.session.flush()
    after = snapshot(row, fields)
    changes = after if before is None else {k: v for k, v in after.items() if before[k] != v}
    codes, reason = violations
    if codes is not None and any(
        sync_violations(user, year_row, codes, reason, person=person, unit=unit)
    ):
        changes["violations"] = codes
    if changes and not created:
        _bump_version(year_row, row, expected, person=person, unit=unit)
    if person is not None and {"initiatives_base", "initiatives_city"} & changes.keys():
        counts_changed(PERSON_EVAL, [_counts(year_row.year, row, person_id=person.id)])
    if changes:
        record(
            "update" if before is not None else "create",
            kind,
            f"{year_row.year}:{code}",
            before=None if before is None else {k: before[k] for k in changes if k in before},
            after=changes,
            unit_id=unit_id,
            user=user,
        )
        units_changed(year_row, [unit_id])
    return row


def save_person_inputs(user, year_row: EvalYear, person, data: dict) -> PersonEval:
    """Create or update a person's yearly inputs (only the given fields change), and make the
    person's active violation records the given codes; the person's scope is recomputed.
    With `version` (the row's version when it was loaded, 0: no row yet) a row changed since
    then is refused (409 with the current row); without it the save goes through."""
    if not can(user, "evaluation.enter", person.unit):
        raise Forbidden()
    data = dict(data)
    check_writable(year_row, person.unit_id, person.unit.name)
    violations = _pop_violations(year_row, data, "individual")
    shown = data.pop("violations_shown", None)
    row = get_person_eval(year_row, person)
    _check_version(year_row, row, data, violations[0], shown, person=person)
    if row is not None:
        return _save_inputs(user, year_row, row, False, data, violations, person=person)
    row = PersonEval(year_id=year_row.id, person_id=person.id, version=1, **_PERSON_DEFAULTS)
    return _save_inputs(user, year_row, row, True, data, violations, person=person)


def save_unit_inputs(user, year_row: EvalYear, unit: Unit, data: dict) -> UnitEval:
    """A unit's yearly inputs, entered by its parent (evaluation.enter at the list's unit, or at
    the unit itself); the unit's scope is recomputed."""
    holder = db.session.get(Unit, list_unit_of_unit(unit))
    if not (can(user, "evaluation.enter", holder) or can(user, "evaluation.enter", unit)):
        raise Forbidden()
    data = dict(data)
    check_writable(year_row, holder.id, holder.name)
    violations = _pop_violations(year_row, data, "collective")
    shown = data.pop("violations_shown", None)
    row = get_unit_eval(year_row, unit)
    _check_version(year_row, row, data, violations[0], shown, unit=unit)
    if row is not None:
        return _save_inputs(user, year_row, row, False, data, violations, unit=unit)
    row = UnitEval(year_id=year_row.id, unit_id=unit.id, version=1)
    for key in UNIT_EVAL_FIELDS:
        if key not in ("ct", "dd", "tp", "kl", "task_points"):
            setattr(row, key, 0 if key.startswith(("targets", "subunits")) else False)
    return _save_inputs(user, year_row, row, True, data, violations, unit=unit)


# --- violation records -----------------------------------------------------------------------


def _subject_list(v_person, v_unit) -> tuple[int, str, int]:
    """(list unit id, its name for messages, the unit to recompute) of a record's subject."""
    if v_person is not None:
        return v_person.unit_id, v_person.unit.name, v_person.unit_id
    return list_unit_of_unit(v_unit), v_unit.name, v_unit.id


def _may_enter_for(user, person=None, unit=None) -> bool:
    if person is not None:
        return can(user, "evaluation.enter", person.unit)
    return can(user, "evaluation.enter", unit)


def add_violation(user, year_row, data, *, person=None, unit=None) -> Violation:
    """Record a Directive 24 violation of a person or a unit (D); its scope is recomputed."""
    if not _may_enter_for(user, person, unit):
        raise Forbidden()
    missing = {
        key: [message]
        for key, message in (
            ("found_on", "Nhập ngày phát hiện."),
            ("how_found", "Chọn cách phát hiện."),
            ("evidence", "Nhập chứng cứ."),
        )
        if not (str(data.get(key) or "")).strip()
    }
    if missing:
        raise ValidationError("Vi phạm cần có ngày phát hiện, cách phát hiện và chứng cứ.", missing)
    errors = check_violation_codes(
        year_row, [data["code"]], "individual" if person else "collective"
    )
    if errors:
        raise ValidationError(errors[0], {"code": errors})
    if data.get("found_on") and data["found_on"].year != year_row.year:
        raise ValidationError(
            "Chưa ghi nhận vi phạm.",
            {"found_on": [f"Ngày phát hiện phải trong năm {year_row.year}."]},
        )
    list_id, name, recompute_id = _subject_list(person, unit)
    check_writable(year_row, list_id, name)
    _refuse_a_second_record(year_row, data, person, unit)
    v = _add(user, year_row, data, person=person, unit=unit)
    touch_inputs(year_row, person=person, unit=unit)
    units_changed(year_row, [recompute_id])
    return v


def _refuse_a_second_record(year_row, data, person, unit) -> None:
    """The same finding recorded again (code, day and evidence, not removed): a form sent
    twice, which would be deducted twice. Another day or other evidence is another finding."""
    subject = Violation.person_id == person.id if person else Violation.unit_id == unit.id
    same = db.session.scalar(
        select(Violation.id).where(
            Violation.year_id == year_row.id,
            subject,
            Violation.code == data["code"],
            Violation.found_on == data["found_on"],
            Violation.evidence == (data.get("evidence") or ""),
            Violation.removed_at.is_(None),
        )
    )
    if same is not None:
        raise Conflict(
            f"Vi phạm {data['code']} ngày {data['found_on']:%d/%m/%Y} với chứng cứ này đã được "
            "ghi nhận: không ghi thêm lần nữa (mỗi lần ghi bị trừ điểm một lần).",
            {"code": ["Đã được ghi nhận."]},
        )


def remove_violation(user, year_row, v: Violation, reason: str) -> Violation:
    """Remove a record with a reason (kept, with who, when and why); its scope is recomputed."""
    if not _may_enter_for(user, v.person, v.unit):
        raise Forbidden()
    if not (reason and reason.strip()):
        raise ValidationError("Gỡ vi phạm cần có lý do.", {"reason": ["Cần nhập lý do."]})
    if v.removed_at is not None:
        raise Conflict("Vi phạm này đã được gỡ trước đó.")
    list_id, name, recompute_id = _subject_list(v.person, v.unit)
    check_writable(year_row, list_id, name)
    _remove(user, v, reason)
    touch_inputs(year_row, person=v.person, unit=v.unit)
    units_changed(year_row, [recompute_id])
    return v


def sync_violations(
    user, year_row, codes, reason, *, person=None, unit=None, how_found="other", evidence=""
) -> tuple[int, int]:
    """Make the active records of a subject exactly `codes` (with repeats): add the missing
    ones, remove the extra ones (removal needs a reason). Returns (added, removed); the caller
    (a save of the subject's inputs) has checked the codes, the reach and the list."""
    current = active_violations(
        year_row,
        person_id=person.id if person else None,
        unit_id=unit.id if unit else None,
    )
    to_add = Counter(codes) - Counter(v.code for v in current)
    to_remove = Counter(v.code for v in current) - Counter(codes)
    if to_remove and not (reason and reason.strip()):
        named = ", ".join(sorted(to_remove.elements()))
        raise ValidationError(
            f"Gỡ vi phạm đã ghi nhận ({named}) cần có lý do.",
            {"violations_removal_reason": [f"Cần lý do khi gỡ vi phạm {named}."]},
        )
    removed = 0
    for v in reversed(current):
        if to_remove[v.code] > 0:
            to_remove[v.code] -= 1
            _remove(user, v, reason)
            removed += 1
    # codes typed in the grid come without date or evidence: the day they were entered
    today = dt.date.today()
    data = {
        "how_found": how_found,
        "evidence": evidence or f"Nhập trên bảng đánh giá ngày {today:%d/%m/%Y}",
        "found_on": recorded_on(year_row, today),
    }
    added = 0
    for code, n in to_add.items():
        for _ in range(n):
            _add(user, year_row, {**data, "code": code}, person=person, unit=unit)
            added += 1
    return added, removed


def recorded_on(year_row, today: dt.date | None = None) -> dt.date:
    """The date of a record entered by its code alone (grid, import): the day it was entered,
    kept within the evaluation year (31/12 when entered after it) like a date typed in."""
    today = today or dt.date.today()
    return min(max(today, dt.date(year_row.year, 1, 1)), dt.date(year_row.year, 12, 31))


def _add(user, year_row, data, *, person=None, unit=None) -> Violation:
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
            **snapshot(v, VIOLATION_AUDIT),
        },
        unit_id=person.unit_id if person else unit.id,
        user=user,
    )
    return v


def _remove(user, v: Violation, reason: str) -> None:
    v.removed_at = dt.datetime.now()
    v.removed_by = getattr(user, "id", None)
    v.removed_reason = reason.strip()
    db.session.flush()
    record(
        "remove",
        "violation",
        v.id,
        before=snapshot(v, VIOLATION_AUDIT),
        after={"removed_reason": v.removed_reason},
        unit_id=v.unit_id or (v.person.unit_id if v.person else None),
        user=user,
    )


# --- history ---------------------------------------------------------------------------------


def future_history_year(year: int, today: dt.date | None = None) -> str | None:
    """Why `year` cannot be history: a year still to come (none: it can)."""
    today = today or dt.date.today()
    if year > today.year:
        return f"Năm {year} chưa tới: lịch sử chỉ nhập cho các năm đã qua (đến {today.year})."
    return None


def save_history(user, year: int, data: dict, *, person=None, unit=None) -> History:
    """Create or replace one past year's outcome of a person or a unit (never an open year:
    its results are computed here). History feeds no rating of an open year: no recompute."""
    unit_of = person.unit if person is not None else unit
    if not can(user, "evaluation.enter", unit_of):
        raise Forbidden()
    if not 1950 <= year <= 2100:
        raise ValidationError("Năm không hợp lệ.", {"year": ["Phải trong khoảng 1950–2100."]})
    future = future_history_year(year)
    if future:
        raise ValidationError(future, {"year": [future]})
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
    before = snapshot(row, HISTORY_FIELDS) if row is not None else None
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
    counts = ("initiatives_base", "initiatives_city")
    if before is None or any(before[k] != getattr(row, k) for k in counts):
        counts_changed(
            HISTORY_COUNTS, [_counts(year, row, person_id=row.person_id, unit_id=row.unit_id)]
        )
    record(
        "update" if before else "create",
        "history",
        f"{year}:{person.code if person is not None else unit.code}",
        before=before,
        after=snapshot(row, HISTORY_FIELDS),
        unit_id=unit_of.id,
        user=user,
    )
    return row


def _counts(year: int, row, *, person_id=None, unit_id=None) -> CountRow:
    """The initiative counts of a row of person inputs or history (evaluation.counts)."""
    return CountRow(year, person_id, unit_id, row.initiatives_base or 0, row.initiatives_city or 0)


def record_awards(user, year: int, unit, people: dict, units: dict) -> int:
    """Decided awards of an evaluated `year` into its history (issue 12: a decision becomes the
    history next year's multi-year rules read). `people` / `units`: subject id -> award codes.
    Each subject's History row of the year is made when missing, with the year's final
    official and party levels (A11) and its unnamed initiative counts (a copy of the inputs':
    the registry's unnamed entries stay those of the inputs, evaluation.counts, nothing is
    announced); the codes are added to those already there (never removed). `unit`: the
    subtree the decision covers (the subjects lie in it); the user approves ratings there.
    Returns the number of rows touched."""
    from service.common.queries import in_chunks

    if not can(user, "evaluation.approve", unit):
        raise Forbidden()
    year_row = get_year(year)
    if not (people or units):
        return 0
    # the subjects lie under `unit`: its subtree's levels and inputs only
    finals = {
        (r.kind, r.person_id or r.unit_id): r.level for r in final_ratings(year_row, unit.path)
    }
    person_inputs, _unit_inputs = award_inputs(year_row, unit.path)
    counts = {r.person_id: r for r in person_inputs if r.person_id in people}
    touched = 0
    for column, wanted in ((History.person_id, people), (History.unit_id, units)):
        if not wanted:
            continue
        found = {}
        for clause in in_chunks(column, list(wanted)):
            for row in db.session.scalars(select(History).where(History.year == year, clause)):
                found[getattr(row, column.key)] = row
        for subject_id, codes in wanted.items():
            row = found.get(subject_id)
            if row is None:
                row = History(year=year, awards=[], initiatives_base=0, initiatives_city=0)
                setattr(row, column.key, subject_id)
                if column is History.person_id:
                    row.official_level = finals.get(("official", subject_id))
                    row.party_level = finals.get(("party", subject_id))
                    got = counts.get(subject_id)
                    if got is not None:
                        row.initiatives_base = got.initiatives_base or 0
                        row.initiatives_city = got.initiatives_city or 0
                else:
                    row.official_level = finals.get(("unit", subject_id))
                db.session.add(row)
            row.awards = sorted(set(row.awards or ()) | set(codes))
            touched += 1
    db.session.flush()
    record(
        "record_awards", "history", f"{year}:{unit.code}",
        after={"people": len(people), "units": len(units)}, unit_id=unit.id, user=user,
    )  # fmt: skip
    return touched
