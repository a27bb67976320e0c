"""Imports of the yearly evaluation templates (TEMPLATES.md): "Đánh giá cá nhân" (person_evals),
"Đánh giá tập thể" (unit_evals) and "Lịch sử" (history).

As the other imports: all or nothing (every row is checked before anything is written), every
error listed with its row and column, idempotent (rows matched by year and code; the answer
counts created, updated and unchanged rows) and set-based (existing rows are read in chunks and
written in bulk, never one query per row). The checks are the API's (evaluation.operations and
evaluation.schemas): ranges, task counts, discipline, the year's violation catalog, the user's
reach and the state of the year and of the rating list that holds each row.

An import adds and updates, it never removes a violation record (RULES.md D: removal is a page
or API action with a reason): codes of the violations cell not yet recorded for the subject are
added (with repeats: "1.01, 1.01" holds two), recorded codes not in the cell stay, and a blank
cell changes nothing. Records added by an import say which file they came from. Columns absent
from a file keep the stored values. A changed row gets a new version (a grid opened before it
answers 409), and the run lists per row what it added and changed (`ImportRun.changes`)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased
from unidecode import unidecode

from evaluation.counts import CountRow
from evaluation.import_columns import HISTORY_COLUMNS, PERSON_EVAL_COLUMNS, UNIT_EVAL_COLUMNS
from evaluation.models import (
    PERSON_EVAL_FIELDS,
    UNIT_EVAL_FIELDS,
    EvalYear,
    History,
    PersonEval,
    Review,
    UnitEval,
    Violation,
    ViolationTypeRow,
)
from evaluation.operations.bulk import Batch, save_imported_rows
from evaluation.operations.inputs import LOCKED_STATES, VIOLATION_AUDIT, future_history_year
from evaluation.rules import DISCIPLINE_FORMS
from evaluation.schemas import (
    AWARD_CODES,
    MAX_VIOLATIONS,
    TOO_MANY_VIOLATIONS,
    person_input_errors,
    unit_input_errors,
)
from service.auth.access import can, scope_paths
from service.common.errors import Forbidden
from service.common.queries import chunks
from service.common.spreadsheets import CellError
from service.extensions import db
from service.imports.models import ImportRun
from service.imports.operations import (
    finish_run,
    in_scope,
    read_upload,
    report_value,
    saving,
)
from service.org.models import Person, Unit

CENT = Decimal("0.01")
CHANGES_LISTED = 5000  # rows listed in a run's changes (its answer and report)
DECIMAL_KEYS = {"ct", "dd", "tp", "kl", "task_points", *(f"m{m}" for m in range(1, 13))}


def split_codes(text) -> list[str]:
    """'1.01, 2.03;3.04' -> ['1.01', '2.03', '3.04'] (repeats kept). A code typed as a number
    loses its trailing zero in Excel (1.10 reads 1.1): catalog codes have two decimals."""
    out = []
    for token in re.split(r"[,;]", str(text or "")):
        token = token.strip()
        if re.fullmatch(r"\d\.\d", token):
            token += "0"
        if token:
            out.append(token)
    return out


def _parent_path(path: str) -> str:
    """'/1/5/9/' -> '/1/5/' (the root's own path for a root)."""
    inner = path.rstrip("/")
    cut = inner.rfind("/")
    return path if cut <= 0 else inner[: cut + 1]


@dataclass(frozen=True)
class _Subject:
    """A person or unit a row is about, with what the checks need."""

    id: int
    path: str  # reach is checked on it (a person's unit)
    enter_paths: tuple[str, ...]  # any of these in the user's evaluation.enter reach suffices
    list_unit_id: int  # the list holding the row's rating (check_writable)
    list_name: str
    note_unit_id: int  # its scope is recomputed when the row changes
    code: str


@dataclass(frozen=True)
class _Spec:
    kind: str
    sheet: str
    columns: list
    code_key: str
    model: type
    fk: str  # person_id | unit_id
    fields: tuple[str, ...]
    subject: str  # individual | collective (violation catalog)


PERSON_SPEC = _Spec(
    "person_evals",
    "Đánh giá cá nhân",
    PERSON_EVAL_COLUMNS,
    "person_code",
    PersonEval,
    "person_id",
    PERSON_EVAL_FIELDS,
    "individual",
)
UNIT_SPEC = _Spec(
    "unit_evals",
    "Đánh giá tập thể",
    UNIT_EVAL_COLUMNS,
    "unit_code",
    UnitEval,
    "unit_id",
    UNIT_EVAL_FIELDS,
    "collective",
)


def _defaults(spec: _Spec) -> dict:
    """A new row's values (as evaluation.operations creates one) before the file's cells."""
    out = {}
    for key in spec.fields:
        if key in DECIMAL_KEYS or key in ("discipline_form", "discipline_year", "discipline_date"):
            out[key] = None
        elif key == "months_worked":
            out[key] = 12
        elif key.startswith(("tasks", "targets", "subunits", "initiatives")):
            out[key] = 0
        else:
            out[key] = False
    return out


def _load_people(codes) -> dict[str, _Subject]:
    out = {}
    for chunk in chunks(codes):
        for pid, code, unit_id, path, name in db.session.execute(
            select(Person.id, Person.code, Person.unit_id, Unit.path, Unit.name)
            .join(Unit, Person.unit_id == Unit.id)
            .where(Person.code.in_(chunk))
        ):
            out[code] = _Subject(pid, path, (path,), unit_id, name, unit_id, code)
    return out


def _load_units(codes) -> dict[str, _Subject]:
    """Units with their list holder (the parent, or the unit itself at the top): entering a
    unit's inputs needs evaluation.enter on the holder or the unit (as the API's save)."""
    parent = aliased(Unit)
    out = {}
    for chunk in chunks(codes):
        for uid, code, path, name, parent_id, parent_name in db.session.execute(
            select(Unit.id, Unit.code, Unit.path, Unit.name, parent.id, parent.name)
            .outerjoin(parent, Unit.parent_id == parent.id)
            .where(Unit.code.in_(chunk))
        ):
            holder = parent_id or uid
            out[code] = _Subject(
                uid,
                path,
                (_parent_path(path), path),
                holder,
                parent_name if parent_id else name,
                uid,
                code,
            )
    return out


def _catalogs(year_rows, subject: str) -> dict[int, set[str]]:
    """year_id -> codes of the catalog usable for an individual or a collective."""
    out: dict[int, set[str]] = {y.id: set() for y in year_rows}
    if out:
        for year_id, code, applies in db.session.execute(
            select(
                ViolationTypeRow.year_id, ViolationTypeRow.code, ViolationTypeRow.applies_to
            ).where(ViolationTypeRow.year_id.in_(list(out)))
        ):
            if applies in (subject, "both"):
                out[year_id].add(code)
    return out


def _locked_lists(year_rows) -> dict[tuple[int, int], str]:
    """(year_id, list unit id) -> state, for the lists that no longer take inputs."""
    ids = [y.id for y in year_rows]
    if not ids:
        return {}
    return {
        (year_id, unit_id): state
        for year_id, unit_id, state in db.session.execute(
            select(Review.year_id, Review.unit_id, Review.state).where(
                Review.year_id.in_(ids), Review.state.in_(list(LOCKED_STATES))
            )
        )
    }


def _open_years(years) -> dict[int, EvalYear]:
    years = list(years)
    if not years:
        return {}
    return {y.year: y for y in db.session.scalars(select(EvalYear).where(EvalYear.year.in_(years)))}


COUNTS = ("initiatives_base", "initiatives_city")  # evaluation.counts


def _counts_moved(before: dict | None, after: dict) -> bool:
    """Whether a written row changes its initiative counts (a new row: when it has some)."""
    if before is None:
        return any(after[k] for k in COUNTS)
    return any((before[k] or 0) != (after[k] or 0) for k in COUNTS)


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b


def shown(value) -> str:
    """A stored value as the report writes it: 92,5 · Có · 05/03/2025 · trống."""
    return report_value(value, DISCIPLINE_FORMS)


def change_text(label: dict, before: dict | None, after: dict, added: list[str]) -> str:
    """What one row did, e.g. "thêm vi phạm 1.06; đổi Chính trị tư tưởng: 4 → 5"."""
    parts = []
    if added:
        parts.append("thêm vi phạm " + ", ".join(added))
    if before is not None:
        parts.extend(
            f"đổi {label.get(k, k)}: {shown(before[k])} → {shown(after[k])}"
            for k in after
            if not _same(before[k], after[k])
        )
    return "; ".join(parts)


def _codes_in_upper_case(rows, key: str, subjects: dict, load) -> None:
    """A code typed in lower case (pa1) that no one has, when its upper case (PA1) is some
    person's or unit's: the row is theirs, its code written as stored (so the same person
    typed both ways is one person's two rows, refused as a duplicate)."""
    wanted = {v[key].upper() for _, v in rows if v[key] not in subjects}
    missing = wanted - set(subjects)
    found = {**(load(missing) if missing else {}), **subjects}
    for _, v in rows:
        if v[key] not in subjects and v[key].upper() in found:
            v[key] = v[key].upper()
    subjects.update(found)


def import_person_evals(user, filename: str, data: bytes) -> ImportRun:
    """The "Đánh giá cá nhân" file: one row per person and year."""
    return _import_evals(user, filename, data, PERSON_SPEC)


def import_unit_evals(user, filename: str, data: bytes) -> ImportRun:
    """The "Đánh giá tập thể" file: one row per unit and year."""
    return _import_evals(user, filename, data, UNIT_SPEC)


def _import_evals(user, filename: str, data: bytes, spec: _Spec) -> ImportRun:
    max_errors = current_app.config["IMPORT_MAX_ERRORS"]
    if not can(user, "import.evaluations"):
        raise Forbidden()
    run = ImportRun(kind=spec.kind, filename=filename[:255], user_id=user.id)
    parsed, errors = read_upload(run, data, spec.columns, spec.sheet)
    if parsed is None or (errors and not parsed.rows):
        return finish_run(run, errors, max_errors)
    sheet = parsed.sheet
    label = {c.key: c.label for c in spec.columns}
    present = [k for k in spec.fields if k in parsed.columns]
    with_violations = "violations" in parsed.columns
    is_person = spec.fk == "person_id"
    read_paths = scope_paths(user, "person.read" if is_person else "unit.read")
    enter_paths = scope_paths(user, "evaluation.enter")

    def err(rownum, key, value, message):
        errors.append(CellError(sheet, rownum, label[key], value, message))

    rows = [(n, v) for n, v in parsed.rows if v.get(spec.code_key) and v.get("year")]
    load = _load_people if is_person else _load_units
    subjects = load({v[spec.code_key] for _, v in rows})
    _codes_in_upper_case(rows, spec.code_key, subjects, load)
    keys = Counter((v["year"], v[spec.code_key]) for _, v in rows)
    year_rows = _open_years({v["year"] for _, v in rows})
    catalogs = _catalogs(year_rows.values(), spec.subject)
    locked = _locked_lists(year_rows.values())

    # existing rows and active violation records of the subjects, per year
    wanted: dict[int, set[int]] = defaultdict(set)
    for _, v in rows:
        year_row, subj = year_rows.get(v["year"]), subjects.get(v[spec.code_key])
        if year_row is not None and subj is not None:
            wanted[year_row.id].add(subj.id)
    fk = getattr(spec.model, spec.fk)
    vfk = getattr(Violation, spec.fk)
    existing: dict[tuple[int, int], object] = {}
    active: dict[tuple[int, int], list] = defaultdict(list)
    cols = [getattr(spec.model, f) for f in spec.fields]
    for year_id, ids in wanted.items():
        for chunk in chunks(ids):
            for row in db.session.execute(
                select(spec.model.id, spec.model.version, fk.label("subject_id"), *cols).where(
                    spec.model.year_id == year_id, fk.in_(chunk)
                )
            ):
                existing[(year_id, row.subject_id)] = row
            if with_violations:
                for row in db.session.execute(
                    select(
                        Violation.id,
                        vfk.label("subject_id"),
                        *(getattr(Violation, f) for f in VIOLATION_AUDIT),
                    )
                    .where(
                        Violation.year_id == year_id,
                        vfk.in_(chunk),
                        Violation.removed_at.is_(None),
                    )
                    .order_by(Violation.id)
                ):
                    active[(year_id, row.subject_id)].append(row)

    batch = Batch(spec.kind, spec.model, filename, spec.fk)
    run_changes: list[dict] = []
    for rownum, v in rows:
        year, code = v["year"], v[spec.code_key]
        if keys[(year, code)] > 1:
            what = "Mã cán bộ" if is_person else "Mã đơn vị"
            err(
                rownum,
                spec.code_key,
                code,
                f"{what} bị trùng trong tệp cho năm {year} ({keys[(year, code)]} dòng).",
            )
            continue
        subj = subjects.get(code)
        if subj is None or not in_scope(subj.path, read_paths):
            err(
                rownum,
                spec.code_key,
                code,
                "Không có cán bộ với mã này." if is_person else "Không có đơn vị với mã này.",
            )
            continue
        if not any(in_scope(p, enter_paths) for p in subj.enter_paths):
            err(
                rownum,
                spec.code_key,
                code,
                "Cán bộ thuộc đơn vị ngoài phạm vi bạn được nhập dữ liệu đánh giá."
                if is_person
                else "Đơn vị ngoài phạm vi bạn được nhập dữ liệu đánh giá.",
            )
            continue
        year_row = year_rows.get(year)
        if year_row is None:
            err(rownum, "year", year, f"Năm {year} chưa được mở để đánh giá.")
            continue
        if year_row.locked:
            err(rownum, "year", year, f"Năm {year} đã khóa: không sửa được dữ liệu đánh giá.")
            continue
        state = locked.get((year_row.id, subj.list_unit_id))
        if state is not None:
            err(
                rownum,
                spec.code_key,
                code,
                f"Danh sách xếp loại của đơn vị {subj.list_name} {LOCKED_STATES[state]}: không "
                "sửa được dữ liệu. Cần trả lại (hoặc mở lại) danh sách trước.",
            )
            continue
        row_ok = True
        wanted_codes = None
        if with_violations and split_codes(v.get("violations")):  # blank: no change
            wanted_codes = split_codes(v.get("violations"))
            usable = catalogs[year_row.id]
            who = "cá nhân" if is_person else "tập thể"
            if len(wanted_codes) > MAX_VIOLATIONS:
                err(rownum, "violations", v.get("violations"), TOO_MANY_VIOLATIONS)
                row_ok = False
            for bad in dict.fromkeys(c for c in wanted_codes if c not in usable):
                err(
                    rownum,
                    "violations",
                    v.get("violations"),
                    f"Mã vi phạm {bad} không có trong danh mục năm {year} "
                    f"(hoặc không áp dụng cho {who}).",
                )
                row_ok = False
        old = existing.get((year_row.id, subj.id))
        current = {f: getattr(old, f) for f in spec.fields} if old is not None else None
        defaults = _defaults(spec)
        merged = dict(current or defaults)
        for key in present:
            value = v.get(key)
            if value is None:
                value = defaults[key]
            elif key in DECIMAL_KEYS:
                value = value.quantize(CENT, rounding=ROUND_HALF_UP)
            merged[key] = value
        if is_person:
            if merged["discipline_date"] is not None and merged["discipline_year"] is None:
                merged["discipline_year"] = merged["discipline_date"].year
            problems = person_input_errors(SimpleNamespace(**merged), year_row.year)
        else:
            problems = unit_input_errors(SimpleNamespace(**merged))
        for key, messages in problems.items():
            err(rownum, key, merged.get(key), " ".join(messages))
            row_ok = False
        if not row_ok or errors:
            continue  # after the first error only errors are collected

        added: list[str] = []
        if wanted_codes is not None:  # never removes: recorded codes not in the cell stay
            held = Counter(r.code for r in active.get((year_row.id, subj.id), []))
            added = sorted((Counter(wanted_codes) - held).elements())
            batch.adds.extend((vcode, subj, year_row) for vcode in added)
        if old is None:
            batch.inserts.append({**merged, "year_id": year_row.id, spec.fk: subj.id, "version": 1})
            batch.created_codes.append(f"{year}:{code}")
            action = "thêm mới"
        elif added or any(not _same(current[k], merged[k]) for k in spec.fields):
            batch.updates.append({**merged, "id": old.id, "version": old.version + 1})
            batch.updated_codes.append(f"{year}:{code}")
            action = "cập nhật"
        else:
            continue
        batch.changed[year_row].add(subj.note_unit_id)
        if is_person and _counts_moved(current, merged):
            base, city = merged["initiatives_base"], merged["initiatives_city"]
            batch.counts.append(CountRow(year, subj.id, None, base or 0, city or 0))
        if len(run_changes) < CHANGES_LISTED:
            run_changes.append(
                {
                    "row": rownum,
                    "year": year,
                    "code": code,
                    "action": action,
                    "text": change_text(label, current, merged, added),
                }
            )
    if errors:
        return finish_run(run, errors, max_errors)
    saving()
    run.created, run.updated = len(batch.inserts), len(batch.updated_codes)
    run.unchanged = len(rows) - run.created - run.updated
    run.changes = run_changes
    finish_run(run, [], max_errors)
    save_imported_rows(user, run, batch)
    return run


# --- history ("Lịch sử") ---------------------------------------------------------------------

HISTORY_FIELDS = ("official_level", "party_level", "awards", "initiatives_base", "initiatives_city")
HISTORY_DEFAULTS = {
    "official_level": None,
    "party_level": None,
    "awards": [],
    "initiatives_base": 0,
    "initiatives_city": 0,
}


def _award_key(text: str) -> str:
    """'CSTĐ_TP' == 'cstd tp' == 'CSTD-TP': letters and digits only, upper case, no diacritics."""
    return re.sub(r"[^0-9A-Z]", "", unidecode(text).upper())


AWARDS_BY_KEY = {_award_key(code): code for code in AWARD_CODES}


def parse_awards(text) -> tuple[list[str], list[str]]:
    """(award codes in order without repeats, the tokens that are not award codes)."""
    codes, bad = [], []
    for token in re.split(r"[,;]", str(text or "")):
        token = token.strip()
        if not token:
            continue
        code = AWARDS_BY_KEY.get(_award_key(token))
        if code is None:
            bad.append(token)
        elif code not in codes:
            codes.append(code)
    return codes, bad


def import_history(user, filename: str, data: bytes) -> ImportRun:
    """The "Lịch sử" file: a past year's levels, titles and initiatives of a person or unit,
    one row per (year, code); never for a year the service evaluates (an open year)."""
    max_errors = current_app.config["IMPORT_MAX_ERRORS"]
    if not can(user, "import.history"):
        raise Forbidden()
    run = ImportRun(kind="history", filename=filename[:255], user_id=user.id)
    parsed, errors = read_upload(run, data, HISTORY_COLUMNS, "Lịch sử")
    if parsed is None or (errors and not parsed.rows):
        return finish_run(run, errors, max_errors)
    sheet = parsed.sheet
    label = {c.key: c.label for c in HISTORY_COLUMNS}
    present = [k for k in HISTORY_FIELDS if k in parsed.columns]
    write_paths = scope_paths(user, "import.history")
    person_read = scope_paths(user, "person.read")
    unit_read = scope_paths(user, "unit.read")

    def err(rownum, key, value, message):
        errors.append(CellError(sheet, rownum, label[key], value, message))

    rows = [(n, v) for n, v in parsed.rows if v.get("code") and v.get("year")]
    person_rows = [(n, v) for n, v in rows if not v.get("is_unit")]
    unit_rows = [(n, v) for n, v in rows if v.get("is_unit")]
    people = _load_people({v["code"] for _, v in person_rows})
    units = _load_units({v["code"] for _, v in unit_rows})
    _codes_in_upper_case(person_rows, "code", people, _load_people)
    _codes_in_upper_case(unit_rows, "code", units, _load_units)
    keys = Counter((v["year"], bool(v.get("is_unit")), v["code"]) for _, v in rows)
    open_years = set(_open_years({v["year"] for _, v in rows}))
    years = list({v["year"] for _, v in rows})
    existing: dict[tuple[int, str, int], object] = {}
    cols = [getattr(History, f) for f in HISTORY_FIELDS]
    for column, subjects, tag in (
        (History.person_id, people, "person"),
        (History.unit_id, units, "unit"),
    ):
        for chunk in chunks(s.id for s in subjects.values()):
            for row in db.session.execute(
                select(History.id, History.year, column.label("subject_id"), *cols).where(
                    column.in_(chunk), History.year.in_(years)
                )
            ):
                existing[(row.year, tag, row.subject_id)] = row

    batch = Batch("history", History, filename)
    for rownum, v in rows:
        year, code, is_unit = v["year"], v["code"], bool(v.get("is_unit"))
        if keys[(year, is_unit, code)] > 1:
            err(
                rownum,
                "code",
                code,
                f"Mã bị trùng trong tệp cho năm {year} ({keys[(year, is_unit, code)]} dòng).",
            )
            continue
        subj = (units if is_unit else people).get(code)
        if subj is None or not in_scope(subj.path, unit_read if is_unit else person_read):
            err(
                rownum,
                "code",
                code,
                "Không có đơn vị với mã này." if is_unit else "Không có cán bộ với mã này.",
            )
            continue
        if not in_scope(subj.path, write_paths):
            err(rownum, "code", code, "Ngoài phạm vi bạn được nhập dữ liệu.")
            continue
        if year in open_years:
            err(
                rownum,
                "year",
                year,
                f"Năm {year} đang đánh giá trong hệ thống, không nhập lịch sử.",
            )
            continue
        future = future_history_year(year)
        if future:
            err(rownum, "year", year, future)
            continue
        values = {}
        for key in present:
            value = v.get(key)
            if key == "awards":
                value, bad = parse_awards(value)
                if bad:
                    err(
                        rownum,
                        "awards",
                        v.get("awards"),
                        f"Mã danh hiệu, khen thưởng không hợp lệ: {', '.join(bad)}. "
                        f"Dùng các mã: {', '.join(AWARD_CODES)}.",
                    )
                    continue
            values[key] = HISTORY_DEFAULTS[key] if value is None else value
        if errors:
            continue
        tag = "unit" if is_unit else "person"
        old = existing.get((year, tag, subj.id))
        stored = HISTORY_DEFAULTS if old is None else {k: getattr(old, k) for k in COUNTS}
        wanted = {k: values.get(k, stored[k]) for k in COUNTS}
        if _counts_moved(None if old is None else stored, wanted):
            batch.counts.append(
                CountRow(
                    year, None if is_unit else subj.id, subj.id if is_unit else None,
                    wanted["initiatives_base"] or 0, wanted["initiatives_city"] or 0,
                )
            )  # fmt: skip
        if old is None:
            batch.inserts.append(
                {
                    **HISTORY_DEFAULTS,
                    **values,
                    "year": year,
                    "person_id": None if is_unit else subj.id,
                    "unit_id": subj.id if is_unit else None,
                }
            )
            batch.created_codes.append(f"{year}:{code}")
        elif any(not _same(getattr(old, k), values[k]) for k in values):
            batch.updates.append({**values, "id": old.id})
            batch.updated_codes.append(f"{year}:{code}")
    if errors:
        return finish_run(run, errors, max_errors)
    saving()
    run.created, run.updated = len(batch.inserts), len(batch.updates)
    run.unchanged = len(rows) - run.created - run.updated
    finish_run(run, [], max_errors)
    save_imported_rows(user, run, batch)
    return run
