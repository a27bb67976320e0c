"""The import kind "initiatives" (TEMPLATES.md "Sáng kiến, mô hình"): all or nothing, cell
errors in the imports' report format, idempotent, scope, the template and the worked example."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from awards.models import Initiative, InitiativeAuthor
from service.extensions import db
from tests.service.test_imports import upload, xlsx

HEAD = [
    "Năm",
    "Loại",
    "Tên",
    "Cấp công nhận",
    "Mã tác giả",
    "Mã đơn vị",
    "Số quyết định",
    "Ngày quyết định",
]
EXAMPLE = Path("/work/shared/spec/examples/awards-small")
if not EXAMPLE.exists():  # the spec beside a fresh clone
    EXAMPLE = Path(__file__).resolve().parents[3] / "shared/spec/examples/awards-small"

GOOD = [
    [2025, "sáng kiến", "Số hóa hồ sơ", "cơ sở", "PA, PA1", None, "1/QĐ", "15/10/2025"],
    [2025, "mô hình", "Một cửa hiện đại", "thành phố", None, "A", "2/QĐ", "20/11/2025"],
    [2025, "Đề tài", "Chấm điểm hằng tháng", "toan quoc", "PA2", None, None, None],
]


def count(model=Initiative):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_creates_then_changes_nothing_the_second_time(client, tree):
    h = tree["headers"]["staff_a"]
    res = upload(client, h, "initiatives", xlsx([HEAD, *GOOD]))
    assert res.status_code == 201, res.json
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (3, 0, 0)
    assert count() == 3 and count(InitiativeAuthor) == 3
    listed = client.get("/api/v1/initiatives", headers=h).json["items"]
    by_title = {i["title"]: i for i in listed}
    assert [a["code"] for a in by_title["Số hóa hồ sơ"]["authors"]] == ["PA", "PA1"]
    assert by_title["Một cửa hiện đại"]["unit_code"] == "A"
    assert by_title["Chấm điểm hằng tháng"]["level"] == "toan_quoc"
    assert by_title["Số hóa hồ sơ"]["decision_date"] == "15/10/2025"

    res = upload(client, h, "initiatives", xlsx([HEAD, *GOOD]))
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 0, 3)

    changed = [row[:] for row in GOOD]
    changed[1][3] = "toàn quốc"
    res = upload(client, h, "initiatives", xlsx([HEAD, *changed]))
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 1, 2)
    model = db.session.scalar(select(Initiative).where(Initiative.kind == "mo_hinh"))
    assert model.level == "toan_quoc" and model.version == 2


def test_every_error_is_listed_and_nothing_is_saved(client, tree):
    h = tree["headers"]["staff_a"]
    bad = [
        *GOOD,
        [2025, "mô hình", "Không đơn vị", "cơ sở", None, None, None, None],
        [2025, "sáng kiến", "Không tác giả", "cơ sở", None, None, None, None],
        [2025, "sáng kiến", "Người lạ", "cơ sở", "PA, NOBODY", None, None, None],
        [2025, "sáng kiến", "Ngoài phạm vi", "cơ sở", "PB", None, None, None],
        [2025, "mô hình", "Đơn vị lạ", "cơ sở", None, "ZZ", None, None],
        [2025, "sáng kiến", "Cấp sai", "quận", "PA", None, None, None],
        [2025, "sáng kiến", "Ngày sai", "cơ sở", "PA", None, None, "31/02/2025"],
        [2025, "sáng kiến", "Số hóa hồ sơ", "cơ sở", "PA1, PA", None, None, None],  # GOOD[0]
    ]
    res = upload(client, h, "initiatives", xlsx([HEAD, *bad]))
    assert res.status_code == 400
    run = res.json["error"]["import"]
    errors = {(e["row"], e["column"]) for e in run["errors"]}
    assert errors >= {
        (5, "Mã đơn vị"),
        (6, "Mã tác giả"),
        (7, "Mã tác giả"),
        (8, "Mã tác giả"),
        (9, "Mã đơn vị"),
        (10, "Cấp công nhận"),
        (11, "Ngày quyết định"),
        (12, "Tên"),
        (2, "Tên"),
    }
    messages = {(e["row"]): e["message"] for e in run["errors"]}
    assert "NOBODY" in messages[7] and "PB" in messages[8]  # PB is outside staff_a's reach
    assert all(e["sheet"] for e in run["errors"])
    assert count() == 0
    # the same report as the other imports, downloadable
    dl = client.get(f"/api/v1/imports/runs/{run['id']}/errors.xlsx", headers=h)
    ws = openpyxl.load_workbook(io.BytesIO(dl.data)).active
    assert any("NOBODY" in str(c.value) for row in ws.iter_rows() for c in row)


def test_roles_that_may_import(client, tree):
    data = xlsx([HEAD, GOOD[0]])
    assert upload(client, tree["headers"]["committee_a"], "initiatives", data).status_code == 403
    assert upload(client, tree["headers"]["hr_r"], "initiatives", data).status_code == 403
    assert upload(client, tree["headers"]["staff_r"], "initiatives", data).status_code == 201


def test_blank_template_round_trips(client, tree):
    h = tree["headers"]["staff_a"]
    res = client.get("/api/v1/imports/templates/initiatives.xlsx", headers=h)
    assert res.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == ["Sáng kiến, mô hình", "Hướng dẫn"]
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    assert heads == HEAD
    assert ws.data_validations.dataValidation  # kind and level lists
    ws.cell(2, heads.index("Mã tác giả") + 1, "PA")
    buf = io.BytesIO()
    wb.save(buf)
    res = upload(client, h, "initiatives", buf.getvalue())
    assert res.status_code == 201, res.json
    assert res.json["created"] == 1


def test_worked_example_registry_imports(client, tree, bearer, create_user):
    admin = tree["headers"]["admin"]
    for name, kind in (("don_vi.xlsx", "units"), ("can_bo.xlsx", "people")):
        res = upload(client, admin, kind, (EXAMPLE / name).read_bytes())
        assert res.status_code == 201, res.json
    data = (EXAMPLE / "sang_kien_mo_hinh.xlsx").read_bytes()
    res = upload(client, admin, "initiatives", data)
    assert res.status_code == 201, res.json
    rows = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].max_row - 1
    assert res.json["created"] == rows == count()
    res = client.get("/api/v1/initiatives", query_string={"person": "HB00295"}, headers=admin)
    assert [i["title"] for i in res.json["items"]] == ["Đề tài 005: chấm điểm cán bộ hằng tháng"]
    assert upload(client, admin, "initiatives", data).json["unchanged"] == rows
