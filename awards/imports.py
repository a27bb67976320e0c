"""The import of the registry (TEMPLATES.md "Sáng kiến, mô hình"), kind "initiatives".

As the other imports: all or nothing (every row is checked before anything is written), every
error listed with its row and column, idempotent (a row is matched by year, kind, title and
owner; the answer counts created, updated and unchanged rows) and set-based (people, units and
the years' entries are read in a few queries, rows written in bulk). The checks are the API's
(awards.operations): a mô hình names its unit, a sáng kiến or đề tài its authors, each known,
in the user's reach and within their import.initiatives scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from flask import current_app
from sqlalchemy import insert, select, update

from awards.models import KIND_LABELS, LEVEL_LABELS, Initiative, InitiativeAuthor, owner_key
from awards.operations import shape_errors
from service.audit.operations import record
from service.auth.access import can, scope_paths
from service.common.errors import Forbidden
from service.common.queries import chunks
from service.common.spreadsheets import CellError, Column
from service.extensions import db
from service.imports.models import ImportRun
from service.imports.operations import finish_run, in_scope, read_upload, saving
from service.imports.schemas import YEAR_COLUMN
from service.org.models import Person, Unit

SHEET = "Sáng kiến, mô hình"
CHANGES_LISTED = 5000
INITIATIVE_COLUMNS = [
    replace(YEAR_COLUMN, help="Năm được công nhận (năm đã qua hoặc năm đang đánh giá)."),
    Column(
        "kind",
        "Loại",
        "choice",
        required=True,
        choices={label: code for code, label in KIND_LABELS.items()},
        help="sáng kiến, đề tài (có tác giả) hoặc mô hình (của một đơn vị).",
        example="sáng kiến",
    ),
    Column(
        "title",
        "Tên",
        "text",
        required=True,
        max_len=500,
        help="Tên sáng kiến, đề tài, mô hình.",
        example="Sáng kiến tiếp nhận phản ánh qua ứng dụng",
    ),
    Column(
        "level",
        "Cấp công nhận",
        "choice",
        required=True,
        choices={label: code for code, label in LEVEL_LABELS.items()},
        help="cơ sở, thành phố hoặc toàn quốc.",
        example="cơ sở",
    ),
    Column(
        "person_codes",
        "Mã tác giả",
        "text",
        max_len=2000,
        help="Mã cán bộ của các tác giả sáng kiến, đề tài, cách nhau bởi dấu phẩy "
        "(để trống cho mô hình).",
        example="PX00001",
    ),
    Column(
        "unit_code",
        "Mã đơn vị",
        "code",
        max_len=50,
        help="Đơn vị sở hữu mô hình (để trống cho sáng kiến, đề tài).",
    ),
    Column("decision_no", "Số quyết định", "text", max_len=100, example="15/QĐ-UBND"),
    Column("decision_date", "Ngày quyết định", "date", example="15/10/2025"),
]
VALUE_KEYS = ("level", "decision_no", "decision_date")


def split_person_codes(text) -> list[str]:
    """'HB00295, HB00296' -> ['HB00295', 'HB00296'] (commas or semicolons; repeats kept so
    that they can be reported)."""
    return [t.strip() for t in str(text or "").replace(";", ",").split(",") if t.strip()]


def _people(codes) -> dict:
    out = {}
    for chunk in chunks(codes):
        for row in db.session.execute(
            select(Person.code, Person.id, Unit.path)
            .join(Unit, Person.unit_id == Unit.id)
            .where(Person.code.in_(chunk))
        ):
            out[row.code] = row
    return out


def _units(codes) -> dict:
    out = {}
    for chunk in chunks(codes):
        for row in db.session.execute(
            select(Unit.code, Unit.id, Unit.path).where(Unit.code.in_(chunk))
        ):
            out[row.code] = row
    return out


def _existing(years) -> dict[tuple, object]:
    """(year, kind, title, owner_key) -> the stored entry's id and values, for the years."""
    return {
        (r.year, r.kind, r.title, r.owner_key): r
        for r in db.session.execute(
            select(
                Initiative.id,
                Initiative.year,
                Initiative.kind,
                Initiative.title,
                Initiative.owner_key,
                Initiative.version,
                *(getattr(Initiative, k) for k in VALUE_KEYS),
            ).where(Initiative.year.in_(list(years)))
        )
    }


def import_initiatives(user, filename: str, data: bytes) -> ImportRun:
    """The "Sáng kiến, mô hình" file: one row per recognized entry."""
    max_errors = current_app.config["IMPORT_MAX_ERRORS"]
    if not can(user, "import.initiatives"):
        raise Forbidden()
    run = ImportRun(kind="initiatives", filename=filename[:255], user_id=user.id)
    parsed, errors = read_upload(run, data, INITIATIVE_COLUMNS, SHEET)
    if parsed is None or (errors and not parsed.rows):
        return finish_run(run, errors, max_errors)
    sheet = parsed.sheet
    label = {c.key: c.label for c in INITIATIVE_COLUMNS}
    write_paths = scope_paths(user, "import.initiatives")
    person_read = scope_paths(user, "person.read")
    unit_read = scope_paths(user, "unit.read")

    def err(rownum, key, value, message):
        errors.append(CellError(sheet, rownum, label[key], value, message))

    rows = [
        (n, v, split_person_codes(v.get("person_codes")))
        for n, v in parsed.rows
        if v.get("year") and v.get("kind") and v.get("title") and v.get("level")
    ]
    people = _people({c for _, _, codes in rows for c in codes})
    units = _units({v["unit_code"] for _, v, _ in rows if v.get("unit_code")})
    existing = _existing({v["year"] for _, v, _ in rows})

    wanted: list[tuple[int, tuple, dict, list[int]]] = []  # (row, key, values, author ids)
    for rownum, v, codes in rows:
        problems = shape_errors(v["kind"], v.get("unit_code"), codes)
        for key, messages in problems.items():
            err(rownum, key, v.get(key), " ".join(messages))
        if problems:
            continue
        if v["kind"] == "mo_hinh":
            unit = units.get(v["unit_code"])
            if unit is None or not in_scope(unit.path, unit_read):
                err(rownum, "unit_code", v["unit_code"], "Không có đơn vị với mã này.")
                continue
            if not in_scope(unit.path, write_paths):
                err(rownum, "unit_code", v["unit_code"], "Đơn vị ngoài phạm vi bạn được nhập.")
                continue
            key = (v["year"], v["kind"], v["title"].strip(), owner_key(v["kind"], unit.id, ()))
            wanted.append((rownum, key, v, []))
            continue
        unknown = [c for c in codes if c not in people or not in_scope(people[c].path, person_read)]
        if unknown:
            err(
                rownum,
                "person_codes",
                v.get("person_codes"),
                f"Không có cán bộ với mã: {', '.join(unknown)}.",
            )
            continue
        outside = [c for c in codes if not in_scope(people[c].path, write_paths)]
        if outside:
            err(
                rownum,
                "person_codes",
                v.get("person_codes"),
                f"Tác giả thuộc đơn vị ngoài phạm vi bạn được nhập: {', '.join(outside)}.",
            )
            continue
        ids = [people[c].id for c in codes]
        key = (v["year"], v["kind"], v["title"].strip(), owner_key(v["kind"], None, ids))
        wanted.append((rownum, key, v, ids))

    seen = Counter(key for _, key, _, _ in wanted)
    for rownum, key, v, _ in wanted:
        if seen[key] > 1:
            err(
                rownum,
                "title",
                v["title"],
                f"Trùng năm, loại, tên và tác giả (hoặc đơn vị) với {seen[key] - 1} dòng khác "
                "trong tệp.",
            )
    if errors:
        return finish_run(run, errors, max_errors)
    saving()
    inserts, authors, updates, changes = [], [], [], []
    for rownum, key, v, ids in wanted:
        values = {
            "level": v["level"],
            "decision_no": (v.get("decision_no") or "").strip(),
            "decision_date": v.get("decision_date"),
        }
        old = existing.get(key)
        if old is None:
            year, kind, title, okey = key
            inserts.append(
                {
                    "year": year,
                    "kind": kind,
                    "title": title,
                    "owner_key": okey,
                    "unit_id": units[v["unit_code"]].id if kind == "mo_hinh" else None,
                    "version": 1,
                    **values,
                }
            )
            authors.append(ids)
            action = "thêm mới"
        elif any(getattr(old, k) != values[k] for k in VALUE_KEYS):
            updates.append({"id": old.id, "version": old.version + 1, **values})
            action = "cập nhật"
        else:
            continue
        if len(changes) < CHANGES_LISTED:
            changes.append(
                {
                    "row": rownum,
                    "year": key[0],
                    "code": v.get("unit_code") or ", ".join(split_person_codes(v["person_codes"])),
                    "action": action,
                    "text": f"{KIND_LABELS[key[1]]} «{key[2]}»",
                }
            )
    _write(inserts, authors, updates)
    run.created, run.updated = len(inserts), len(updates)
    run.unchanged = len(wanted) - run.created - run.updated
    run.changes = changes
    finish_run(run, [], max_errors)
    record(
        "import",
        "initiatives",
        run.id,
        after={
            "file": filename,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "updated_ids": [u["id"] for u in updates[:CHANGES_LISTED]],
        },
    )
    return run


def _write(inserts: list[dict], authors: list[list[int]], updates: list[dict]) -> None:
    """The new entries (their ids back in order, then their authors) and the changed ones."""
    for batch, batch_authors in zip(chunks(inserts, 2000), chunks(authors, 2000), strict=True):
        ids = db.session.scalars(
            insert(Initiative)
            .returning(Initiative.id, sort_by_parameter_order=True)
            .execution_options(render_nulls=True),
            batch,
        ).all()
        links = [
            {"initiative_id": ini_id, "person_id": pid, "position": i}
            for ini_id, pids in zip(ids, batch_authors, strict=True)
            for i, pid in enumerate(pids)
        ]
        if links:
            db.session.execute(insert(InitiativeAuthor), links)
    for batch in chunks(updates, 2000):
        db.session.execute(update(Initiative), batch)
