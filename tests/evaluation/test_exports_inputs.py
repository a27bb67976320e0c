"""Exports of the evaluation's inputs (issue 14 item 2): "Đánh giá cá nhân" and "Đánh giá tập
thể" as the import files, read back by the import with nothing changed (round trip); the header
in the first row, lists on choice cells, text never a formula; 404 on an unknown year or unit;
0 rows is a file with its header; listed on the exports page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from evaluation import operations
from evaluation.import_columns import PERSON_EVAL_COLUMNS, UNIT_EVAL_COLUMNS
from evaluation.models import PERSON_EVAL_FIELDS, UNIT_EVAL_FIELDS, PersonEval, UnitEval, Violation
from service.audit.models import AuditEntry
from service.common.spreadsheets import ExportColumn, ExportMeta, ExportSheet, write_export
from service.extensions import db

YEAR = 2025
API = f"/api/v1/years/{YEAR}/exports"


@pytest.fixture
def inputs(app, create_unit, create_person, create_user, create_year, create_person_inputs,
           create_violation, eval_admin, bearer):  # fmt: skip
    w = create_unit("IW", quota_root=True, name="Phường Nhập")
    office = create_unit("IW-O", w, name="Văn phòng")
    team = create_unit("IW-T", office, name="Tổ một")
    create_unit("IW-E", w, name="Trống")
    year_row = create_year(YEAR)
    a = create_person(office, code="IW01")
    b = create_person(team, code="-IW02")  # a code that looks like a formula stays text
    create_person(office, code="IW03")  # no inputs: not exported (importing it would add a row)
    create_person_inputs(
        year_row, a, ct=Decimal("4.25"), m3=Decimal("87.5"), tasks_total=10, tasks_late=2,
        tasks_exceeded=1, months_worked=8, maternity=True, discipline_form="khien_trach",
        discipline_date=dt.date(YEAR, 6, 5), discipline_year=YEAR, party_discipline=True,
        initiatives_base=2,
    )  # fmt: skip
    create_person_inputs(year_row, b, m1=None, m2=None, task_points=Decimal("60.5"))
    create_violation(year_row, person=a, code="1.03")
    create_violation(year_row, person=a, code="1.03")
    create_violation(year_row, person=a, code="1.04")
    with app.test_request_context():
        for unit, extra in ((office, {"k2": False, "targets_total": 5}), (team, {})):
            values = {"ct": 5, "dd": Decimal("4.5"), "tp": 5, "kl": 5, "k1": True,
                      "k2": True, "k3": True, "k4": False, "task_points": Decimal("65.25"),
                      **extra}  # fmt: skip
            operations.save_unit_inputs(eval_admin, year_row, unit, values)
    db.session.commit()
    create_violation(year_row, unit=team, code="3.01")
    user = create_user(roles=[("staff", w), ("hr", w)])
    return {"ward": w, "year": year_row, "user": user, "h": bearer(user)}


def _open(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(res.data))


def _state(model, fields):
    """Every stored input row (all its fields and its version) and every violation record."""
    rows = db.session.scalars(select(model).order_by(model.id))
    inputs = [(r.id, r.version, *(getattr(r, f) for f in fields)) for r in rows]
    violations = db.session.execute(
        select(
            Violation.id,
            Violation.code,
            Violation.person_id,
            Violation.unit_id,
            Violation.removed_at,
        ).order_by(Violation.id)  # fmt: skip
    ).all()
    return inputs, violations


def _import(client, h, kind, data):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), f"{kind}.xlsx")},
        headers=h,
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("kind", "model", "fields", "columns", "codes"),
    [
        ("person_evals", PersonEval, PERSON_EVAL_FIELDS, PERSON_EVAL_COLUMNS, ["IW01", "-IW02"]),
        ("unit_evals", UnitEval, UNIT_EVAL_FIELDS, UNIT_EVAL_COLUMNS, ["IW-O", "IW-T"]),
    ],
)
def test_inputs_export_imports_back_with_nothing_changed(
    client, inputs, kind, model, fields, columns, codes
):
    res = client.get(f"{API}/{kind}.xlsx?unit=IW", headers=inputs["h"])
    file = res.data
    wb = _open(res)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    # the import's header in the first row, and the name beside the code for the reader
    labels = [c.label for c in columns]
    name = "Họ và tên" if kind == "person_evals" else "Tên đơn vị"
    assert rows[0] == (*labels[:2], name, *labels[2:])
    assert [r[1] for r in rows[1:]] == codes  # no title block, no totals row
    assert all(r[2] for r in rows[1:])  # every row names its person or unit
    # the title block on a sheet of its own: what, which unit and year, when, who
    info = [r[0] for r in wb.worksheets[1].iter_rows(values_only=True) if r[0]]
    assert info[1] == "Đơn vị: IW — Phường Nhập" and info[2] == f"Năm đánh giá: {YEAR}"
    assert info[3].startswith("Ngày xuất: ") and info[4].startswith("Người xuất: ")
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    before = _state(model, fields)
    audits = db.session.query(AuditEntry).count()
    answer = _import(client, inputs["h"], kind, file)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, len(codes)), body
    assert body["warnings"] == []  # the name column is read as what it is, not "unsupported"
    db.session.expire_all()
    assert _state(model, fields) == before
    assert db.session.query(AuditEntry).count() - audits <= 1  # at most the run's own entry


def test_person_inputs_are_written_as_the_import_reads_them(client, inputs):
    ws = _open(client.get(f"{API}/person_evals.xlsx?unit=IW", headers=inputs["h"])).worksheets[0]
    assert ws.title == "Đánh giá cá nhân" and ws.freeze_panes == "A2"
    header, *rows = ws.iter_rows(values_only=True)
    a = dict(zip(header, rows[0], strict=True))
    assert a["Năm"] == YEAR and a["Chính trị tư tưởng"] == 4.25 and a["Tháng 3"] == 87.5
    assert a["Biểu hiện vi phạm"] == "1.03, 1.03, 1.04"
    assert a["Nghỉ thai sản"] == "Có" and a["Tự phát hiện, khắc phục"] == "Không"
    assert a["Hình thức kỷ luật"] == "khiển trách"
    assert a["Ngày quyết định kỷ luật"] == dt.datetime(YEAR, 6, 5)
    assert a["Số tháng công tác"] == 8 and a["Sáng kiến cấp cơ sở"] == 2
    b = dict(zip(header, rows[1], strict=True))
    assert b["Tháng 1"] is None and b["Điểm nhiệm vụ"] == 60.5 and b["Biểu hiện vi phạm"] is None
    # one list per column, from the first data row down: {column letter: validation}
    by_col = {str(v.sqref).split(":")[0][:-1]: v for v in ws.data_validations.dataValidation}
    col = {label: openpyxl.utils.get_column_letter(i + 1) for i, label in enumerate(header)}
    assert by_col[col["Nghỉ thai sản"]].formula1 == '"Có,Không"'
    assert "khiển trách" in by_col[col["Hình thức kỷ luật"]].formula1
    violations = by_col[col["Biểu hiện vi phạm"]]
    assert "1.03" in violations.formula1 and violations.errorStyle == "information"
    assert by_col[col["Hình thức kỷ luật"]].errorStyle in (None, "stop")


def test_unknown_year_or_unit_is_404_in_vietnamese(client, inputs):
    for kind in ("person_evals", "unit_evals"):
        res = client.get(f"/api/v1/years/1999/exports/{kind}.xlsx?unit=IW", headers=inputs["h"])
        assert res.status_code == 404 and "Năm 1999" in res.get_json()["error"]["message"]
        res = client.get(f"{API}/{kind}.xlsx?unit=NOPE", headers=inputs["h"])
        assert res.status_code == 404, res.get_json()
        assert "đơn vị" in res.get_json()["error"]["message"].lower()


def test_a_subtree_without_inputs_is_a_file_with_only_the_header(client, inputs):
    for kind, columns in (("person_evals", PERSON_EVAL_COLUMNS), ("unit_evals", UNIT_EVAL_COLUMNS)):
        ws = _open(client.get(f"{API}/{kind}.xlsx?unit=IW-E", headers=inputs["h"])).worksheets[0]
        ((*header,),) = ws.iter_rows(values_only=True)
        assert [h for h in header if h not in ("Họ và tên", "Tên đơn vị")] == [
            c.label for c in columns
        ]


def test_text_beginning_with_formula_characters_is_written_as_text():
    cols = (ExportColumn("Mã", "code"), ExportColumn("Ghi chú"))
    rows = [("=1+2", '=HYPERLINK("http://x")'), ("+84", "-5"), ("@SUM(A1)", "x")]
    buf = io.BytesIO()
    meta = ExportMeta("Thử", "U — Đơn vị", YEAR, "hr")
    write_export(buf, meta, [ExportSheet("Thử", cols, rows, layout="import")])
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    assert list(ws.iter_rows(min_row=2, values_only=True)) == rows
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row)


def test_exports_page_lists_the_input_exports(client, inputs, login_session):
    login_session(client, inputs["user"])
    page = client.get(f"/evaluation/{YEAR}/exports?unit=IW-O — Văn phòng").get_data(as_text=True)
    assert "Đánh giá cá nhân" in page and "Đánh giá tập thể" in page
    assert f"/evaluation/{YEAR}/exports/person_evals.xlsx?unit=IW-O" in page
    assert f"/evaluation/{YEAR}/exports/unit_evals.xlsx?unit=IW-O" in page
    res = client.get(f"/evaluation/{YEAR}/exports/person_evals.xlsx?unit=IW")
    assert res.status_code == 200 and "danh_gia_ca_nhan_2025_IW.xlsx" in res.headers[
        "Content-Disposition"]  # fmt: skip


@pytest.mark.parametrize(("kind", "rows"), [("person_evals", 2), ("unit_evals", 2)])
def test_a_large_inputs_export_is_a_job_whose_file_imports_back(client, inputs, app, tmp_path,
                                                                 kind, rows):  # fmt: skip
    old = {k: app.config[k] for k in ("EXPORT_JOB_MIN_ROWS", "EXPORT_DIR")}
    app.config.update(EXPORT_JOB_MIN_ROWS=1, EXPORT_DIR=str(tmp_path))
    try:
        res = client.get(f"{API}/{kind}.xlsx?unit=IW", headers=inputs["h"])
        assert res.status_code == 202, res.get_data(as_text=True)[:300]
        job = res.get_json()["job"]
        assert job["status"] == "done" and job["result"]["rows"] == rows, job
        got = client.get(job["download_url"], headers=inputs["h"])
        data = got.data
        got.close()
    finally:
        app.config.update(old)
    body = _import(client, inputs["h"], kind, data).get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, rows), body
