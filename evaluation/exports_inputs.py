"""The evaluation's inputs as the import files that read them (TEMPLATES.md "Đánh giá cá nhân",
"Đánh giá tập thể"): exactly the import's columns, the header in the first row, a list on the
choice and yes/no cells, the stored values written as the import reads them, so importing the
exported file back changes nothing. The rows are the stored inputs of the year of the people
(by their unit) and units of a subtree, read in batches; the violations cell lists the active
records' codes (the import adds codes missing from the records, never removes one)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from evaluation.exports import _batches, _meta
from evaluation.import_columns import PERSON_EVAL_COLUMNS, UNIT_EVAL_COLUMNS
from evaluation.models import (
    EvalYear,
    PersonEval,
    UnitEval,
    Violation,
    ViolationTypeRow,
)
from service.common.spreadsheets import ExportColumn, ExportSheet, write_export
from service.extensions import db
from service.imports.schemas import export_columns
from service.org.models import Person, Unit


@dataclass(frozen=True)
class _Inputs:
    sheet: str  # the import's sheet name
    columns: list  # the import's columns
    model: type
    fk: str  # person_id | unit_id
    subject: str  # individual | collective (the violation catalog)


PERSON = _Inputs("Đánh giá cá nhân", PERSON_EVAL_COLUMNS, PersonEval, "person_id", "individual")
UNIT = _Inputs("Đánh giá tập thể", UNIT_EVAL_COLUMNS, UnitEval, "unit_id", "collective")


def _statement(spec: _Inputs, year_row: EvalYear, unit: Unit, *what):
    model = spec.model
    if spec.fk == "person_id":
        stmt = select(*what).join(Person, model.person_id == Person.id)
        stmt = stmt.join(Unit, Person.unit_id == Unit.id)
        order = (Unit.path, Person.code)
    else:
        stmt = select(*what).join(Unit, model.unit_id == Unit.id)
        order = (Unit.path,)
    stmt = stmt.where(model.year_id == year_row.id, Unit.subtree_clause(unit.path))
    return stmt, order


def _codes(spec: _Inputs, year_row: EvalYear, ids: list[int]) -> dict[int, str]:
    """subject id -> the codes of its active violation records, in recording order."""
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        fk = getattr(Violation, spec.fk)
        for subject_id, code in db.session.execute(
            select(fk, Violation.code)
            .where(Violation.year_id == year_row.id, fk.in_(ids), Violation.removed_at.is_(None))
            .order_by(Violation.id)
        ):
            out[subject_id].append(code)
    return {k: ", ".join(v) for k, v in out.items()}


def input_rows(spec: _Inputs, year_row: EvalYear, unit: Unit) -> Iterator[tuple]:
    """One row per stored input of the subtree, by the import's columns."""
    model = spec.model
    code = Person.code if spec.fk == "person_id" else Unit.code
    name = Person.full_name if spec.fk == "person_id" else Unit.name
    keys = [c.key for c in spec.columns]
    stored = [k for k in keys if hasattr(model, k)]
    stmt, order = _statement(
        spec,
        year_row,
        unit,
        getattr(model, spec.fk).label("subject_id"),
        code.label("subject_code"),
        name.label("subject_name"),
        *(getattr(model, k) for k in stored),
    )
    code_key = keys[1]  # person_code | unit_code, after the year
    for part in _batches(stmt.order_by(*order)):
        violations = _codes(spec, year_row, [r.subject_id for r in part])
        for r in part:
            values = r._mapping
            row = [
                year_row.year
                if k == "year"
                else r.subject_code
                if k == code_key
                else violations.get(r.subject_id)
                if k == "violations"
                else values[k]
                for k in keys
            ]
            row.insert(2, r.subject_name)  # the name beside the code (NAME_COLUMN)
            yield tuple(row)


def count_inputs(spec: _Inputs, year_row: EvalYear, unit: Unit) -> int:
    stmt, _order = _statement(spec, year_row, unit, func.count(spec.model.id))
    return db.session.scalar(stmt)


def catalog_codes(year_row: EvalYear, subject: str) -> list[str]:
    """The year's violation codes usable for an individual or a collective."""
    return list(
        db.session.scalars(
            select(ViolationTypeRow.code)
            .where(
                ViolationTypeRow.year_id == year_row.id,
                ViolationTypeRow.applies_to.in_((subject, "both")),
            )
            .order_by(ViolationTypeRow.code)
        )
    )


def write_inputs(spec: _Inputs, year_row: EvalYear, unit: Unit, user, target) -> int:
    """The data sheet in the import's shape (header in the first row), each person's or
    unit's name beside its code (the import skips it, spreadsheets.INFO_LABELS); the title
    block (unit, year, when, who) on a sheet of its own after it."""
    columns = list(
        export_columns(spec.columns, {"violations": catalog_codes(year_row, spec.subject)})
    )
    name = "Họ và tên" if spec.fk == "person_id" else "Tên đơn vị"
    columns.insert(2, ExportColumn(name, max_width=40))
    sheet = ExportSheet(spec.sheet, columns, input_rows(spec, year_row, unit), layout="import")
    notes = ExportSheet(
        "Thông tin",
        (ExportColumn("Ghi chú", max_width=100),),
        [(line,) for line in NOTES],
        total_row=(),
    )
    meta = _meta(spec.sheet, year_row, unit, user)
    return write_export(target, meta, [sheet, notes]) - len(NOTES)


NOTES = (
    "Trang đầu là dữ liệu, đúng mẫu nhập: sửa rồi nhập lại qua trang «Nhập dữ liệu».",
    "Cột họ tên (hoặc tên đơn vị) chỉ để đọc; khi nhập, dòng được khớp theo năm và mã.",
    "Vi phạm đã ghi nhận không bị gỡ khi nhập lại; ô trống: giữ nguyên giá trị đã lưu.",
)


def write_person_evals(year_row: EvalYear, unit: Unit, user, target) -> int:
    """Đánh giá cá nhân: the people's inputs of the subtree, as the import reads them."""
    return write_inputs(PERSON, year_row, unit, user, target)


def write_unit_evals(year_row: EvalYear, unit: Unit, user, target) -> int:
    """Đánh giá tập thể: the units' inputs of the subtree, as the import reads them."""
    return write_inputs(UNIT, year_row, unit, user, target)


def count_person_evals(year_row: EvalYear, unit: Unit) -> int:
    return count_inputs(PERSON, year_row, unit)


def count_unit_evals(year_row: EvalYear, unit: Unit) -> int:
    return count_inputs(UNIT, year_row, unit)
