"""Imports of the "Đơn vị" and "Cán bộ" templates: all or nothing, idempotent, every error listed.

Everything is validated before anything is written, so a failed import changes no data; the
attempt itself is kept as an ImportRun so its error list can be downloaded."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from marshmallow import ValidationError as MError
from sqlalchemy import func, insert, select, update

from service.audit.operations import record
from service.auth.access import can, is_admin, scope_paths
from service.auth.models import User
from service.common.errors import Forbidden
from service.common.gcpause import gc_paused
from service.common.queries import bulk_insert, bulk_update, chunks, in_chunks
from service.common.spreadsheets import (
    CellError,
    SpreadsheetError,
    UploadLimits,
    parse_cell,
    read_rows,
)
from service.domains import org_changed
from service.extensions import db
from service.imports.models import ImportRun
from service.imports.schemas import PEOPLE_COLUMNS, UNIT_COLUMNS
from service.org.models import (
    CATEGORY_LABELS,
    GENDER_LABELS,
    PARTY_STATUS_LABELS,
    Person,
    Unit,
    sort_name_values,
    unit_name_values,
)
from service.org.operations import CODE_UNUSABLE
from service.org.schemas import check_person_consistency

LABEL = {c.key: c.label for c in PEOPLE_COLUMNS + UNIT_COLUMNS}
CHANGES_LISTED = 5000  # rows listed in a run's changes (its answer, page and report)
# a person's stored choices as a report names them (cong_chuc: công chức)
WORDS = {
    str(k): v for labels in (GENDER_LABELS, CATEGORY_LABELS, PARTY_STATUS_LABELS)
    for k, v in labels.items()
}  # fmt: skip
PERSON_KEYS = [
    "full_name",
    "birth_date",
    "gender",
    "position",
    "duty_group",
    "is_head",
    "category",
    "is_party_member",
    "admitted_on",
    "party_gap_days",
    "party_status",
    "seriously_ill",
]
# values for a new person when the file has no such column
DEFAULTS = {
    "full_name": "",
    "birth_date": None,
    "gender": None,
    "position": "",
    "duty_group": "",
    "is_head": False,
    "category": None,
    "is_party_member": False,
    "admitted_on": None,
    "party_gap_days": 0,
    "party_status": None,
    "seriously_ill": False,
}
CHUNK = 1000


def report_value(value, words: dict | None = None) -> str:
    """A value as an import's report writes it: 92,5 · Có · 05/03/2025 · trống."""
    if value is None or value == "":
        return "trống"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return (words or {}).get(text, text)


def row_change(
    rownum: int, code: str, before: dict | None, after: dict, labels: dict, words=None
) -> dict:
    """A row's entry in a run's changes: what a new row sets, or each value a row changed
    ("đổi Ngày sinh: 05/09/1990 → 06/09/1990"); `words` name stored choices (nu: Nữ)."""
    if before is None:
        parts = [
            f"{labels.get(k, k)}: {report_value(v, words)}"
            for k, v in after.items()
            if v not in (None, "", False)
        ]
        return {"row": rownum, "code": code, "action": "thêm mới", "text": "; ".join(parts)}
    parts = [
        f"đổi {labels.get(k, k)}: {report_value(before.get(k), words)} → {report_value(v, words)}"
        for k, v in after.items()
        if before.get(k) != v
    ]
    return {"row": rownum, "code": code, "action": "cập nhật", "text": "; ".join(parts)}


def finish_run(run: ImportRun, errors: list[CellError], max_errors: int) -> ImportRun:
    """Store the run's outcome: ok when there are no errors (the first `max_errors` kept)."""
    examples = {e.row for e in errors if e.message == EXAMPLE_ROW}
    if examples:  # the example row left in: that is all to say of its row (it is to go)
        errors = [e for e in errors if e.row not in examples or e.message == EXAMPLE_ROW]
    errors = sorted(errors, key=lambda e: e.row)  # in row order (the file's own errors first)
    run.total_errors = len(errors)
    run.errors = [e.as_dict() for e in errors[:max_errors]]
    run.ok = not errors
    db.session.add(run)
    db.session.flush()
    return run


# an import run by a job tells its steps (read, checked, saved) to the job's progress: the
# job sets this to its progress callable (done, total, message); a request import has none
STEPS: ContextVar[Callable[[int, int, str], None] | None] = ContextVar("import_steps", default=None)
STEP_COUNT = 3


def saving() -> None:
    """An import's checks passed and its writes begin: the job's progress says so (an
    importer calls it before its first write)."""
    _step(2, "Đã kiểm tra, không có lỗi; đang lưu…")


def _step(done: int, message: str) -> None:
    tell = STEPS.get()
    if tell is not None:
        tell(done, STEP_COUNT, message)


def read_upload(run, data, columns, sheet):
    """Read an uploaded template: (parsed rows, errors); unknown columns become warnings."""
    try:
        config = current_app.config
        limits = UploadLimits.from_config(config)
        parsed = read_rows(data, columns, sheet, config["IMPORT_MAX_ERRORS"], limits)
    except SpreadsheetError as err:
        return None, [CellError("", 0, "", None, str(err))]
    run.warnings = [
        f"Cột «{c}» không có trong mẫu nên đã bị bỏ qua: dữ liệu của cột này không được nhập. "
        "Nếu đó là một cột của mẫu bị ghi khác tên (ví dụ «Tháng 1»), sửa tên cột theo mẫu "
        "rồi nhập lại."
        for c in parsed.unknown_columns
    ]
    _step(1, f"Đã đọc {len(parsed.rows):,} dòng; đang kiểm tra…".replace(",", "."))
    if not parsed.rows and not parsed.errors:
        return parsed, [CellError(parsed.sheet, 2, "", None, "Tệp không có dòng dữ liệu nào.")]
    return parsed, list(parsed.errors) + example_rows(parsed, columns)


EXAMPLE_ROW = (
    "Dòng này là dòng ví dụ của mẫu trống, chưa sửa gì: xóa dòng (hoặc ghi dữ liệu thật "
    "đè lên) rồi nhập lại."
)


def example_rows(parsed, columns) -> list[CellError]:
    """Rows left as the blank template's example row (every example value the file has, as
    the template wrote it): refused, so the example is never imported as data."""
    shown = {}
    for c in columns:
        if c.key in parsed.columns and c.example not in (None, "") and c.kind != "bool":
            try:
                shown[c.key] = parse_cell(c, c.example)
            except ValueError:
                continue
    if not shown:
        return []
    return [
        CellError(parsed.sheet, rownum, "", None, EXAMPLE_ROW)
        for rownum, values in parsed.rows
        if all(values.get(k) == v for k, v in shown.items())
    ]


def in_scope(path: str, paths) -> bool:
    """Is a unit path under one of `paths` (None: everywhere)?"""
    return paths is None or any(path.startswith(p) for p in paths)


class _Reach:
    """in_scope of a unit path for reading and for writing, asked once per path (a file's
    100,000 people are in a few thousand units)."""

    def __init__(self, read_paths, write_paths):
        self._paths = {"read": read_paths, "write": write_paths}
        self._known: dict[tuple[str, str], bool] = {}

    def _ask(self, what: str, path: str) -> bool:
        found = self._known.get((what, path))
        if found is None:
            found = self._known[what, path] = in_scope(path, self._paths[what])
        return found

    def read(self, path: str) -> bool:
        return self._ask("read", path)

    def write(self, path: str) -> bool:
        return self._ask("write", path)


def import_people(user, filename: str, data: bytes) -> ImportRun:
    """Create or update people by person_code; units must exist and lie in the user's reach."""
    max_errors = current_app.config["IMPORT_MAX_ERRORS"]
    run = ImportRun(kind="people", filename=filename[:255], user_id=user.id)
    if not can(user, "import.people"):
        raise Forbidden()
    parsed, errors = read_upload(run, data, PEOPLE_COLUMNS, "Cán bộ")
    if parsed is None or (errors and not parsed.rows):
        return finish_run(run, errors, max_errors)
    present = set(parsed.columns)  # columns absent from the file keep their stored values
    with gc_paused():
        plan = _plan_people(user, parsed, errors)
        links = _account_links(user, parsed, parsed.sheet, errors) if "username" in present else {}
        if errors:
            return finish_run(run, errors, max_errors)
        saving()
        run.changes = plan.changes
        bulk_insert(Person.__table__, [sort_name_values(r) for r in plan.inserts])
        bulk_update(Person, [sort_name_values(r) for r in plan.updates])
        org_changed(plan.units)
    linked = _link_accounts(links)
    run.created, run.updated, run.unchanged = len(plan.inserts), len(plan.updates), plan.unchanged
    finish_run(run, [], max_errors)
    record(
        "import",
        "people",
        run.id,
        after={
            "file": filename,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "created_codes": [r["code"] for r in plan.inserts[:5000]],
            "updated_codes": plan.updated_codes[:5000],
            "linked_accounts": linked[:5000],
        },
    )
    return run


@dataclass
class _PeoplePlan:
    """What an import of people would write: new people's values, changed people's values
    (with their id), and how many rows change nothing."""

    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)
    units: set = field(default_factory=set)  # the units people join or leave (org_changed)
    # the first CHANGES_LISTED new or changed rows: (row, code, stored values or None, values)
    listed: list[tuple] = field(default_factory=list)


def _plan_people(user, parsed, errors: list[CellError]) -> _PeoplePlan:
    """Check every parsed row against the units, the people stored and the user's reach; the
    rows in error are added to `errors`, the others sorted into new, changed and unchanged."""
    sheet = parsed.sheet
    present = set(parsed.columns)
    reach = _Reach(scope_paths(user, "unit.read"), scope_paths(user, "import.people"))
    codes = Counter(v["person_code"] for _, v in parsed.rows if v.get("person_code"))
    folded = Counter(c.upper() for c in codes.elements())  # pw001 and PW001 are one person
    units, existing, clashes = _people_lookups(parsed, codes, reach)

    def err(rownum, key, value, message):
        errors.append(CellError(sheet, rownum, LABEL[key], value, message))

    # what the file sets, in this order: its person columns, the unit, the party cell if given
    keys = [k for k in PERSON_KEYS if k in present]
    defaults = [DEFAULTS[k] for k in keys]
    with_party = "party_unit_code" in present
    set_keys = [*keys, "unit_id", *(["party_unit_id"] if with_party else [])]
    first = 5  # the stored values of PERSON_KEYS in an `existing` row, after its five ids
    stored_at = [first + PERSON_KEYS.index(k) for k in keys] + [2] + ([3] if with_party else [])
    new_person = {**DEFAULTS, "party_unit_id": None}
    plan = _PeoplePlan()
    for rownum, v in parsed.rows:
        code = v.get("person_code")
        if not code:
            continue  # reported as a cell error already
        if folded[code.upper()] > 1:
            n = folded[code.upper()]
            err(rownum, "person_code", code, f"Mã cán bộ bị trùng trong tệp ({n} dòng).")
            continue
        clash = next((k for k in ("unit_code", "party_unit_code") if v.get(k) in clashes), None)
        if clash:
            err(rownum, clash, v[clash], _clash_message(clashes[v[clash]]))
            continue
        ucode = v.get("unit_code")
        unit = units.get(ucode) if ucode else None
        if ucode and (unit is None or not unit[1]):
            err(rownum, "unit_code", ucode, "Không có đơn vị với mã này.")
            continue
        if ucode and not unit[2]:
            err(rownum, "unit_code", ucode, "Đơn vị ngoài phạm vi bạn được nhập dữ liệu.")
            continue
        pcode = v.get("party_unit_code")
        party = units.get(pcode) if pcode else None
        if pcode and (party is None or not party[1]):
            err(rownum, "party_unit_code", pcode, "Không có chi bộ với mã này.")
            continue
        try:
            check_person_consistency(v)
        except MError as e:
            for key, msgs in e.messages.items():
                err(rownum, key, v.get(key), " ".join(msgs))
            continue
        if unit is None:
            continue  # missing required cell, reported already
        old = existing.get(code)
        if old is not None and not reach.read(old.path):
            # taken outside the user's reach: neither that it exists nor where (issue 15 item 5)
            err(rownum, "person_code", code, CODE_UNUSABLE)
            continue
        if old is not None and not reach.write(old.path):
            err(
                rownum,
                "person_code",
                code,
                "Cán bộ này thuộc đơn vị ngoài phạm vi bạn được nhập dữ liệu.",
            )
            continue
        given = [x if (x := v[k]) is not None else d for k, d in zip(keys, defaults, strict=True)]
        given.append(unit[0])
        if with_party:
            given.append(party[0] if party else None)
        if old is None:
            plan.inserts.append(
                {**new_person, **dict(zip(set_keys, given, strict=True)), "code": code}
            )
            stored = None
            plan.units.add(unit[0])
        elif any(old[i] != x for i, x in zip(stored_at, given, strict=True)):
            # stored enums are StrEnums: equal to the file's stored values
            plan.updates.append({**dict(zip(set_keys, given, strict=True)), "id": old.id})
            plan.updated_codes.append(code)
            stored = [old[i] for i in stored_at]
            plan.units.update((unit[0], old.unit_id))
        else:
            plan.unchanged += 1
            continue
        if len(plan.listed) < CHANGES_LISTED:
            plan.listed.append((rownum, code, stored, given))
    plan.changes = _people_changes(plan.listed, set_keys, units)
    return plan


def _people_changes(listed, set_keys, units) -> list[dict]:
    """The run's changes of a people import: the units by their codes, not their ids."""
    code_of = {u[0]: c for c, u in units.items() if u is not None}
    ids = {x for _, _, stored, _ in listed for x in _unit_ids(stored or (), set_keys)}
    missing = [i for i in ids if i not in code_of]
    for clause in in_chunks(Unit.id, missing):
        code_of.update(db.session.execute(select(Unit.id, Unit.code).where(clause)).all())
    as_code = {"unit_id": "unit_code", "party_unit_id": "party_unit_code"}
    keys = [as_code.get(k, k) for k in set_keys]

    def shown(values):
        return {
            key: code_of.get(v, v) if key.endswith("unit_code") else v
            for key, v in zip(keys, values, strict=True)
        }

    return [
        row_change(
            rownum, code, None if stored is None else shown(stored), shown(given), LABEL, WORDS
        )
        for rownum, code, stored, given in listed
    ]


def _unit_ids(values, set_keys):
    return [v for k, v in zip(set_keys, values, strict=False) if k.endswith("unit_id") and v]


def _people_lookups(parsed, codes, reach: _Reach) -> tuple[dict, dict, dict]:
    """The units the file names (a code -> (id, readable, writable)), the people stored under
    its codes (a code -> row: id, code, unit_id, party_unit_id, unit path, PERSON_KEYS) and the
    unit codes typed in a case two stored units share (a code -> those units' codes)."""
    unit_codes = {v.get("unit_code") for _, v in parsed.rows} | {
        v.get("party_unit_code") for _, v in parsed.rows
    }
    unit_codes.discard(None)
    units, clashes = {}, {}
    for clause in in_chunks(Unit.code, unit_codes):
        for uid, code, path in db.session.execute(
            select(Unit.id, Unit.code, Unit.path).where(clause)
        ):
            units[code] = (uid, reach.read(path), reach.write(path))
    # a unit code typed in another case (pw-kt) is the unit stored as PW-KT; every spelling of
    # the file is; one that two readable stored units share (ab, AB) is refused by its row
    missing = defaultdict(list)
    for c in unit_codes:
        if c not in units:
            missing[c.upper()].append(c)
    found = defaultdict(list)
    for clause in in_chunks(func.upper(Unit.code, type_=Unit.code.type), list(missing)):
        for uid, code, path in db.session.execute(
            select(Unit.id, Unit.code, Unit.path).where(clause)
        ):
            if reach.read(path):
                found[code.upper()].append((code, (uid, True, reach.write(path))))
    for upper, matches in found.items():
        for typed in missing[upper]:
            if len(matches) == 1:
                units[typed] = matches[0][1]
            else:
                clashes[typed] = ", ".join(sorted(code for code, _ in matches))
    existing = {}
    cols = [getattr(Person, k) for k in PERSON_KEYS]
    # 10,000 codes a statement: one result of 100,000 rows held whole by the driver is 70 MB
    clauses = [c for part in chunks(codes, 10_000) for c in in_chunks(Person.code, part)]

    def read(clauses):
        for clause in clauses:
            yield from db.session.execute(
                select(
                    Person.id, Person.code, Person.unit_id, Person.party_unit_id, Unit.path, *cols
                )
                .join(Unit, Person.unit_id == Unit.id)
                .where(clause)
            )

    for row in read(clauses):
        existing[row.code] = row
    # a code typed in lower case (pw001) is the person whose code is its upper case (PW001),
    # as in the evaluation imports: updated, not added a second time
    upper = {c.upper(): c for c in codes if c not in existing and c.upper() != c}
    for row in read(in_chunks(Person.code, list(upper))):
        existing[upper[row.code]] = row
    return units, existing, clashes


def _account_links(user, parsed, sheet, errors) -> dict[str, User]:
    """The "Tên đăng nhập" cells: person code -> the existing account to link to that person.
    Administrators only; a blank cell changes nothing; an unknown account, one named on two
    rows, or one already linked to another person is a cell error."""
    wanted = [
        (rownum, v["person_code"], v["username"]) for rownum, v in parsed.rows if v.get("username")
    ]
    if not wanted:
        return {}
    label = LABEL["username"]
    if not is_admin(user):
        for rownum, _code, name in wanted:
            errors.append(
                CellError(sheet, rownum, label, name, "Chỉ quản trị hệ thống được gắn tài khoản.")
            )
        return {}
    names = Counter(name for _r, _c, name in wanted)
    accounts = {}
    for chunk in chunks(list(names), CHUNK):
        for account in db.session.scalars(select(User).where(User.username.in_(chunk))):
            accounts[account.username] = account
    linked_to = {}
    ids = [a.person_id for a in accounts.values() if a.person_id]
    for chunk in chunks(ids, CHUNK):
        for pid, code in db.session.execute(
            select(Person.id, Person.code).where(Person.id.in_(chunk))
        ):
            linked_to[pid] = code
    out = {}
    for rownum, code, name in wanted:
        account = accounts.get(name)
        if account is None:
            message = f"Không có tài khoản «{name}»: tạo tài khoản trước."
        elif names[name] > 1:
            message = f"Tài khoản bị ghi cho {names[name]} cán bộ trong tệp."
        elif account.person_id and linked_to.get(account.person_id) not in (code, code.upper()):
            message = f"Tài khoản đã gắn với cán bộ {linked_to.get(account.person_id)}."
        else:
            out[code] = account
            continue
        errors.append(CellError(sheet, rownum, label, name, message))
    return out


def _link_accounts(links: dict[str, User]) -> list[dict]:
    """Link each account to its person (after the people are written); a person's earlier
    account is unlinked. Answers what changed."""
    if not links:
        return []
    ids = {}
    typed = list({*links, *(c.upper() for c in links)})  # a lower-case code: its upper case
    for chunk in chunks(typed, CHUNK):
        ids.update(
            db.session.execute(select(Person.code, Person.id).where(Person.code.in_(chunk))).all()
        )
    changed = []
    for code, account in links.items():
        pid = ids[code] if code in ids else ids[code.upper()]
        if account.person_id == pid:
            continue
        db.session.execute(update(User).where(User.person_id == pid).values(person_id=None))
        account.person_id = pid
        changed.append({"username": account.username, "person": code})
    db.session.flush()
    return changed


def _clash_message(codes: str) -> str:
    return (
        f"Mã này khớp nhiều đơn vị chỉ khác nhau chữ hoa, chữ thường ({codes}): gõ đúng mã "
        "của đơn vị cần chọn."
    )


def _spell_codes_as_stored(sheet, rows, stored, errors) -> None:
    """A unit code typed in another case names the unit stored under it (pw-vp is PW-VP, as
    on the unit pages and in the people import), and a code new to the system is spelled as
    its first row in the file spells it, so `q` beside `Q` is a duplicate, and a parent
    typed `x` is the new unit `X` of the file. A case two stored units share (ab, AB) is
    refused at its cell (the row is left out)."""
    stored_as = defaultdict(list)
    for code in sorted(stored):
        stored_as[code.upper()].append(code)
    spelling = {upper: codes[0] for upper, codes in stored_as.items() if len(codes) == 1}
    for _, v in rows:
        if v.get("unit_code") and v["unit_code"].upper() not in stored_as:
            spelling.setdefault(v["unit_code"].upper(), v["unit_code"])
    kept = []
    for rownum, v in rows:
        clash = None
        for key in ("unit_code", "parent_code"):
            code = v.get(key)
            if code and code not in stored:
                if len(stored_as.get(code.upper(), ())) > 1:
                    clash = clash or (key, code, ", ".join(stored_as[code.upper()]))
                v[key] = spelling.get(code.upper(), code)
        if clash:
            errors.append(
                CellError(sheet, rownum, LABEL[clash[0]], clash[1], _clash_message(clash[2]))
            )
        else:
            kept.append((rownum, v))
    rows[:] = kept


def import_units(user, filename: str, data: bytes) -> ImportRun:
    """Create or update units by unit_code; parents may come later in the file; no cycles."""
    max_errors = current_app.config["IMPORT_MAX_ERRORS"]
    if not can(user, "import.units"):
        raise Forbidden()
    run = ImportRun(kind="units", filename=filename[:255], user_id=user.id)
    parsed, errors = read_upload(run, data, UNIT_COLUMNS, "Đơn vị")
    if parsed is None or (errors and not parsed.rows):
        return finish_run(run, errors, max_errors)
    sheet = parsed.sheet
    db_units = {
        r.code: r
        for r in db.session.execute(
            select(Unit.id, Unit.code, Unit.parent_id, Unit.name, Unit.kind, Unit.quota_root)
        )
    }
    id_to_code = {r.id: c for c, r in db_units.items()}
    _spell_codes_as_stored(sheet, parsed.rows, db_units, errors)
    codes = Counter(v["unit_code"] for _, v in parsed.rows if v.get("unit_code"))
    parent_of = {c: id_to_code.get(r.parent_id) for c, r in db_units.items()}
    file_rows = {}
    for rownum, v in parsed.rows:
        code = v.get("unit_code")
        if not code:
            continue
        if codes[code] > 1:
            errors.append(
                CellError(
                    sheet,
                    rownum,
                    LABEL["unit_code"],
                    code,
                    f"Mã đơn vị bị trùng trong tệp ({codes[code]} dòng).",
                )
            )
            continue
        pcode = v.get("parent_code")
        if pcode and pcode not in codes and pcode not in db_units:
            errors.append(
                CellError(
                    sheet,
                    rownum,
                    LABEL["parent_code"],
                    pcode,
                    "Không có đơn vị cấp trên với mã này (trong tệp hoặc hệ thống).",
                )
            )
            continue
        if pcode == code:
            errors.append(
                CellError(
                    sheet,
                    rownum,
                    LABEL["parent_code"],
                    pcode,
                    "Đơn vị không thể là cấp trên của chính nó.",
                )
            )
            continue
        file_rows[code] = (rownum, v)
        parent_of[code] = pcode
    # cycles in the resulting tree
    for code, (rownum, v) in file_rows.items():
        seen, cur = {code}, parent_of.get(code)
        while cur is not None:
            if cur in seen:
                errors.append(
                    CellError(
                        sheet,
                        rownum,
                        LABEL["parent_code"],
                        v.get("parent_code"),
                        "Tạo vòng lặp trong cây đơn vị.",
                    )
                )
                break
            seen.add(cur)
            cur = parent_of.get(cur)
    if errors:
        return finish_run(run, errors, max_errors)
    saving()
    created = updated = unchanged = 0
    new_codes = [c for c in file_rows if c not in db_units]
    if new_codes:
        db.session.execute(
            insert(Unit),
            [
                {
                    "code": c,
                    "name": file_rows[c][1]["name"],
                    "kind": file_rows[c][1].get("kind") or "",
                    "quota_root": bool(file_rows[c][1].get("quota_root")),
                    "path": "",
                    "depth": 0,
                }
                for c in new_codes
            ],
        )
        created = len(new_codes)
    ids = {code: uid for uid, code in db.session.execute(select(Unit.id, Unit.code))}
    changes, listed = [], []
    placed = set()  # new units, and those moved or (un)marked «tính tỷ lệ»: what a rating reads
    for code, (rownum, v) in file_rows.items():
        row = db_units.get(code)
        values = {
            "name": v["name"],
            "kind": v.get("kind") or "",
            "quota_root": bool(v.get("quota_root")),
            "parent_id": ids[v["parent_code"]] if v.get("parent_code") else None,
        }
        if row is None:
            changes.append({"id": ids[code], **values})
            placed.add(ids[code])
            before = None
        elif (row.name, row.kind, row.quota_root, row.parent_id) != tuple(values.values()):
            changes.append({"id": ids[code], **values})
            if (row.quota_root, row.parent_id) != (values["quota_root"], values["parent_id"]):
                placed.add(ids[code])
            updated += 1
            before = {
                "name": row.name, "kind": row.kind, "quota_root": row.quota_root,
                "parent_code": id_to_code.get(row.parent_id),
            }  # fmt: skip
        else:
            unchanged += 1
            continue
        if len(listed) < CHANGES_LISTED:
            after = {**values, "parent_code": v.get("parent_code")}
            del after["parent_id"]
            listed.append(row_change(rownum, code, before, after, LABEL))
    run.changes = listed
    if changes:
        db.session.execute(update(Unit), [unit_name_values(c) for c in changes])
    rebuild_paths()
    old_parents = {r.parent_id for r in db_units.values() if r.id in placed}
    org_changed(placed | old_parents)  # the scopes units left and joined (a rename: none)
    run.created, run.updated, run.unchanged = created, updated, unchanged
    finish_run(run, [], max_errors)
    record(
        "import",
        "units",
        run.id,
        after={
            "file": filename,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "codes": list(file_rows)[:5000],
        },
    )
    return run


def rebuild_paths() -> int:
    """Recompute every unit's materialized path and depth from parent_id; write changed ones."""
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.path, Unit.depth)).all()
    parent = {r.id: r.parent_id for r in rows}
    path: dict[int, str] = {}

    def compute(uid):
        chain = []
        cur = uid
        while cur is not None and cur not in path:
            chain.append(cur)
            cur = parent[cur]
        prefix = path[cur] if cur is not None else "/"
        for node in reversed(chain):
            prefix = prefix + f"{node}/"
            path[node] = prefix
        return path[uid]

    changed = []
    for r in rows:
        p = compute(r.id)
        depth = p.count("/") - 2
        if p != r.path or depth != r.depth:
            changed.append({"id": r.id, "path": p, "depth": depth})
    if changed:
        db.session.execute(update(Unit), changed)
    db.session.expire_all()
    return len(changed)
