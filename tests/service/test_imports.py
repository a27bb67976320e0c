"""Imports of "Đơn vị" and "Cán bộ" (TEMPLATES.md): all or nothing, idempotent, every error
listed with row and column, bad files answered with a clear message."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.imports.models import ImportRun
from service.org.models import Person, Unit

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples" / "ratings-small"
PEOPLE_HEAD = [
    "Mã cán bộ",
    "Họ và tên",
    "Ngày sinh",
    "Mã đơn vị",
    "Đảng viên",
    "Mã chi bộ",
    "Ngày vào Đảng",
]


def xlsx(rows, title="Sheet", formula_cell=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if formula_cell:
        ws[formula_cell] = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, headers, kind, data, name="tep.xlsx"):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


@pytest.fixture
def admin(create_user, bearer):
    return bearer(create_user(roles=[("admin", None)]))


@pytest.fixture
def tree(create_unit):
    r = create_unit("R")
    a = create_unit("A", r)
    create_unit("A-CB", a, kind="chi bộ")
    create_unit("B", r)
    return r


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_people_import_creates_then_is_idempotent(client, admin, tree):
    data = xlsx(
        [
            [
                " ma can bo ",
                "HỌ VÀ TÊN",
                "Ngày sinh",
                "Mã đơn vị",
                "Đảng viên",
                "Mã chi bộ",
                "Ngày vào Đảng",
                "Cột lạ",
            ],
            [
                "001",
                "Nguyễn Văn An",
                "05/09/1990",
                "A",
                "Có",
                "A-CB",
                dt.datetime(2015, 5, 19),
                "x",
            ],
            ["002", "Trần Thị Bình", dt.datetime(1985, 1, 2), "B", "", None, None, None],
        ]
    )
    res = upload(client, admin, "people", data)
    assert res.status_code == 201, res.json
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (2, 0, 0)
    assert any("Cột lạ" in w for w in res.json["warnings"])
    p = db.session.scalar(select(Person).where(Person.code == "001"))
    assert p.birth_date == dt.date(1990, 9, 5) and p.is_party_member
    assert p.admitted_on == dt.date(2015, 5, 19) and p.party_unit.code == "A-CB"
    res = upload(client, admin, "people", data)
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 0, 2)
    changed = xlsx([PEOPLE_HEAD[:4], ["001", "Nguyễn Văn An", "05/09/1990", "B"]])
    res = upload(client, admin, "people", changed)
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 1, 0)


def test_people_import_lists_every_error_and_saves_nothing(client, admin, tree):
    data = xlsx(
        [
            PEOPLE_HEAD,
            ["P1", "Người Một", "31/02/1990", "A", "Có", "A-CB", "01/01/2010"],  # bad date
            ["P2", "", "01/01/1990", "A", "Không", None, None],  # missing name
            ["P3", "Người Ba", "01/01/1990", "KHONGCO", "Không", None, None],  # unknown unit
            ["P4", "Người Bốn", "01/01/1990", "A", "có lẽ", None, None],  # bad yes/no
            ["P5", "Người Năm", "01/01/1990", "A", "Không", None, "01/01/2010"],  # not a member
            ["P6", "Người Sáu", "01/01/1990", "A", "Có", "A-CB", "01/01/2010"],
            ["P6", "Người Sáu bis", "01/01/1990", "A", "Có", "A-CB", "01/01/2010"],  # duplicate
            ["P7", "Người Bảy", "01/01/1990", "A", "Có", "KHONGCO", "01/01/2010"],  # unknown cell
        ]
    )
    res = upload(client, admin, "people", data)
    assert res.status_code == 400
    run = res.json["error"]["import"]
    got = {(e["row"], e["column"]) for e in run["errors"]}
    assert {
        (2, "Ngày sinh"),
        (3, "Họ và tên"),
        (4, "Mã đơn vị"),
        (5, "Đảng viên"),
        (6, "Ngày vào Đảng"),
        (7, "Mã cán bộ"),
        (8, "Mã cán bộ"),
        (9, "Mã chi bộ"),
    } <= got
    assert all(e["sheet"] == "Sheet" and e["message"] for e in run["errors"])
    assert count(Person) == 0
    # the error list downloads as a spreadsheet with the same rows
    dl = client.get(f"/api/v1/imports/runs/{run['id']}/errors.xlsx", headers=admin)
    assert dl.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(dl.data)).active
    assert ws.max_row >= len(run["errors"]) + 3


def test_a_number_under_one_in_a_date_column_is_a_cell_error(client, admin, tree):
    """Excel reads 0 or 0,5 in a date cell as a time of day: a cell error, not a crash (the
    reader raised AttributeError: a time has no .date(), and the upload answered 500)."""
    data = xlsx(
        [
            PEOPLE_HEAD,
            ["P1", "Người Một", 0, "A", "Không", None, None],
            ["P2", "Người Hai", 0.5, "A", "Không", None, None],
        ]
    )
    res = upload(client, admin, "people", data)
    assert res.status_code == 400
    errors = res.json["error"]["import"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "Ngày sinh"), (3, "Ngày sinh")]
    assert all("Ngày không hợp lệ" in e["message"] for e in errors)
    assert count(Person) == 0


def test_people_import_outside_reach_is_refused(client, create_user, bearer, tree):
    a = db.session.scalar(select(Unit).where(Unit.code == "A"))
    staff = bearer(create_user(roles=[("staff", a)]))
    data = xlsx([PEOPLE_HEAD[:4], ["Q1", "Ngoài phạm vi", None, "B"], ["Q2", "Trong", None, "A"]])
    res = upload(client, staff, "people", data)
    assert res.status_code == 400
    assert [e["column"] for e in res.json["error"]["import"]["errors"]] == ["Mã đơn vị"]
    assert count(Person) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Ma can bo,Ho va ten\n1,An\n", "không phải bảng tính"),
        (b"PK\x03\x04broken zip", "không phải bảng tính"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "mật khẩu"),
        (b"", "rỗng"),
    ],
    ids=["csv", "broken-zip", "password-or-xls", "empty"],
)
def test_bad_files_get_a_clear_message(client, admin, tree, data, message):
    res = upload(client, admin, "people", data)
    assert res.status_code == 400
    errors = res.json["error"]["import"]["errors"]
    assert message in errors[0]["message"]
    assert count(Person) == 0


def test_zip_that_is_not_a_workbook(client, admin, tree):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    res = upload(client, admin, "people", buf.getvalue())
    assert "không phải bảng tính" in res.json["error"]["import"]["errors"][0]["message"]


def test_wrong_sheet_and_zero_rows(client, admin, tree):
    res = upload(client, admin, "people", xlsx([["Tên", "Tuổi"], ["An", 3]]))
    assert "cột bắt buộc" in res.json["error"]["import"]["errors"][0]["message"]
    res = upload(client, admin, "people", xlsx([PEOPLE_HEAD]))
    assert "không có dòng dữ liệu" in res.json["error"]["import"]["errors"][0]["message"]


def test_formula_cell_is_reported(client, admin, tree):
    data = xlsx([PEOPLE_HEAD[:4], ["F1", "Có công thức", None, "A"]], formula_cell="B2")
    res = upload(client, admin, "people", data)
    err = res.json["error"]["import"]["errors"][0]
    assert (err["row"], err["column"]) == (2, "Họ và tên") and "công thức" in err["message"]


def test_oversized_upload_is_413_with_message(app, client, admin, tree):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        res = upload(client, admin, "people", b"x" * 4096)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert res.status_code == 413
    assert "quá lớn" in res.json["error"]["message"]


def test_units_import_any_order_and_idempotent(client, admin):
    head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị", "Đơn vị tính tỷ lệ"]
    data = xlsx(
        [
            head,
            ["C", "Con", "P", "phòng", "Không"],
            ["P", "Cha", None, "sở", "Có"],
            ["G", "Cháu", "C", "tổ", "x"],
        ]
    )
    res = upload(client, admin, "units", data)
    assert res.status_code == 201 and res.json["created"] == 3, res.json
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    assert units["G"].path == f"/{units['P'].id}/{units['C'].id}/{units['G'].id}/"
    assert units["P"].quota_root and units["G"].quota_root and not units["C"].quota_root
    res = upload(client, admin, "units", data)
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 0, 3)


@pytest.mark.parametrize(
    "rows, column, message",
    [
        ([["X", "Một", None], ["X", "Hai", None]], "Mã đơn vị", "trùng"),
        ([["X", "Một", "KHONGCO"]], "Mã đơn vị cấp trên", "Không có đơn vị cấp trên"),
        ([["X", "Một", "Y"], ["Y", "Hai", "X"]], "Mã đơn vị cấp trên", "vòng lặp"),
        ([["X", "Một", "X"]], "Mã đơn vị cấp trên", "chính nó"),
    ],
    ids=["duplicate", "unknown-parent", "cycle", "self-parent"],
)
def test_units_import_errors_save_nothing(client, admin, rows, column, message):
    res = upload(
        client, admin, "units", xlsx([["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], *rows])
    )
    assert res.status_code == 400
    errors = res.json["error"]["import"]["errors"]
    assert any(e["column"] == column and message in e["message"] for e in errors), errors
    assert count(Unit) == 0


def test_units_import_cycle_with_existing_tree(client, admin, tree):
    # R exists at the root; making R a child of A (which is under R) closes a loop
    res = upload(
        client,
        admin,
        "units",
        xlsx([["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], ["R", "Gốc", "A"]]),
    )
    assert res.status_code == 400 and "vòng lặp" in str(res.json)
    assert db.session.scalar(select(Unit).where(Unit.code == "R")).parent_id is None


def test_blank_templates_have_guide_and_validation(client, admin):
    for kind, first in (("people", "Mã cán bộ"), ("units", "Mã đơn vị")):
        res = client.get(f"/api/v1/imports/templates/{kind}.xlsx", headers=admin)
        wb = openpyxl.load_workbook(io.BytesIO(res.data))
        assert wb.sheetnames[1] == "Hướng dẫn"
        ws = wb.worksheets[0]
        assert ws["A1"].value == first and ws.max_row == 2
        assert ws.data_validations.dataValidation  # lists for yes/no and fixed values


def test_blank_template_round_trips(client, admin, tree):
    """The example row of the downloaded template imports (after pointing it at a real unit)."""
    res = client.get("/api/v1/imports/templates/people.xlsx", headers=admin)
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    ws.cell(2, heads.index("Mã đơn vị") + 1, "A")
    ws.cell(2, heads.index("Mã chi bộ") + 1, "A-CB")
    buf = io.BytesIO()
    wb.save(buf)
    res = upload(client, admin, "people", buf.getvalue())
    assert res.status_code == 201, res.json
    assert res.json["created"] == 1


def test_spec_example_units_and_people_import(client, admin):
    res = upload(client, admin, "units", (EXAMPLES / "don_vi.xlsx").read_bytes())
    assert res.status_code == 201, res.json
    res = upload(client, admin, "people", (EXAMPLES / "can_bo.xlsx").read_bytes())
    assert res.status_code == 201, res.json
    assert res.json["created"] == 237
    assert count(ImportRun) == 2


def test_empty_rows_between_and_after_data_are_skipped(client, admin, tree):
    data = xlsx(
        [
            PEOPLE_HEAD[:4],
            ["E1", "Một", None, "A"],
            [None, None, None, None],
            ["E2", "Hai", None, "A"],
            [None, "", None, None],
        ]
    )
    res = upload(client, admin, "people", data)
    assert res.status_code == 201, res.json
    assert res.json["created"] == 2
    bad = xlsx([PEOPLE_HEAD[:4], [None, None, None, None], ["E3", "", None, "A"]])
    errors = upload(client, admin, "people", bad).json["error"]["import"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "Họ và tên")]


def test_the_blank_templates_example_row_left_in_is_refused(client, admin):
    """The blank template's row 2 is an example (TEMPLATES.md): left in the file, it would have
    created «Nguyễn Văn An» in a unit «PX01»; it is refused, naming its row, and nothing saved."""
    res = client.get("/api/v1/imports/templates/units.xlsx", headers=admin)
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    example = [c.value for c in ws[2]]
    assert example[0] == "PX01"
    row = dict.fromkeys(head)
    row.update({"Mã đơn vị": "THAT", "Tên đơn vị": "Phường Thật"})
    ws.append([row[h] for h in head])
    buf = io.BytesIO()
    wb.save(buf)
    res = upload(client, admin, "units", buf.getvalue())
    assert res.status_code == 400, res.json
    (err,) = res.json["error"]["import"]["errors"]
    assert err["row"] == 2 and "dòng ví dụ" in err["message"], err
    assert count(Unit) == 0
    # the example row changed into real data is a row like any other
    ws["A2"] = "PX02"
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(client, admin, "units", buf.getvalue()).status_code == 201
    guide = [c.value for c in wb["Hướng dẫn"]["A"] if c.value]
    assert any("ví dụ" in str(v) for v in guide), guide


def test_errors_are_listed_in_row_order(client, admin, tree):
    """A cell error (read with the file) and a row error (checked after) come in row order
    (the row checks came after every cell error, whatever their rows)."""
    data = xlsx(
        [
            PEOPLE_HEAD[:4],
            ["E1", "An", None, "KHONGCO"],  # row 2: unknown unit (a row check)
            ["E2", "Bình", "31/02/1990", "A"],  # row 3: a bad date (a cell error)
            ["E3", "Cúc", None, "KHONGCO"],  # row 4
        ]
    )
    res = upload(client, admin, "people", data)
    assert res.status_code == 400
    rows = [e["row"] for e in res.json["error"]["import"]["errors"]]
    assert rows == [2, 3, 4], res.json["error"]["import"]["errors"]


def test_the_formula_message_names_excels_vietnamese_command(client, admin, tree):
    data = xlsx([PEOPLE_HEAD[:4], ["F1", "Có công thức", None, "A"]], formula_cell="B2")
    err = upload(client, admin, "people", data).json["error"]["import"]["errors"][0]
    assert "Paste Values" not in err["message"] and "Dán đặc biệt" in err["message"], err


def test_people_and_units_imports_list_what_each_row_did(client, admin, tree, login_session):
    """The «Cán bộ» and «Đơn vị» imports say, row by row, what they added and changed (they
    gave counts only), on the import page and in its report."""
    data = xlsx([PEOPLE_HEAD[:4], ["C1", "Lê Văn Cường", "05/09/1990", "A"]])
    res = upload(client, admin, "people", data)
    (added,) = res.json["changes"]
    assert (added["row"], added["code"], added["action"]) == (2, "C1", "thêm mới")
    assert "Lê Văn Cường" in added["text"] and "A" in added["text"]
    data = xlsx([PEOPLE_HEAD[:4], ["C1", "Lê Văn Cường", "06/09/1990", "B"]])
    res = upload(client, admin, "people", data)
    (changed,) = res.json["changes"]
    assert changed["action"] == "cập nhật"
    assert "Ngày sinh: 05/09/1990 → 06/09/1990" in changed["text"], changed
    assert "Mã đơn vị: A → B" in changed["text"] and "Họ và tên" not in changed["text"]
    head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
    res = upload(client, admin, "units", xlsx([head, ["A", "Phòng A mới", "R"], ["N", "Mới", "B"]]))
    by_code = {c["code"]: c for c in res.json["changes"]}
    assert by_code["A"]["action"] == "cập nhật" and "Tên đơn vị" in by_code["A"]["text"]
    assert "Phòng A mới" in by_code["A"]["text"]
    assert by_code["N"]["action"] == "thêm mới" and "B" in by_code["N"]["text"]
    assert set(by_code) == {"A", "N"}
    run_id = res.json["id"]
    report = client.get(f"/api/v1/imports/runs/{run_id}/errors.xlsx", headers=admin)
    assert report.status_code == 200
    cells = [
        c.value
        for row in openpyxl.load_workbook(io.BytesIO(report.data)).active.iter_rows()
        for c in row
    ]
    assert "Phòng A mới" in " ".join(str(v) for v in cells if v)


def test_a_rows_changes_name_choices_in_words(client, admin, tree):
    head = [*PEOPLE_HEAD[:4], "Giới tính", "Đối tượng"]
    res = upload(
        client, admin, "people", xlsx([head, ["W1", "Lê Thị Hà", None, "A", "Nữ", "công chức"]])
    )
    (added,) = res.json["changes"]
    assert "Nữ" in added["text"] and "công chức" in added["text"], added
    assert "cong_chuc" not in added["text"] and ": nu" not in added["text"]
    res = upload(
        client, admin, "people", xlsx([head, ["W1", "Lê Thị Hà", None, "A", "Nữ", "viên chức"]])
    )
    (changed,) = res.json["changes"]
    assert changed["text"] == "đổi Đối tượng: công chức → viên chức", changed


def test_the_example_row_left_in_is_told_once(client, admin, tree):
    """The people template's example row names a unit «PX01» nobody has: its only message is
    that it is the example row (a clerk told «Không có đơn vị» would try to fix the unit)."""
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/v1/imports/templates/people.xlsx", headers=admin).data)
    )
    buf = io.BytesIO()
    wb.save(buf)
    res = upload(client, admin, "people", buf.getvalue())
    errors = res.json["error"]["import"]["errors"]
    assert [(e["row"], "dòng ví dụ" in e["message"]) for e in errors] == [(2, True)], errors


def test_a_people_file_with_a_code_in_lower_case_updates_that_person(client, admin, tree):
    upload(client, admin, "people", xlsx([PEOPLE_HEAD[:4], ["LC1", "Lê Cường", None, "A"]]))
    res = upload(
        client, admin, "people", xlsx([PEOPLE_HEAD[:4], ["lc1", "Lê Văn Cường", None, "A"]])
    )
    assert (res.json["created"], res.json["updated"]) == (0, 1), res.json
    assert count(Person) == 1


def test_one_person_typed_in_two_cases_in_one_file_is_a_duplicate(client, admin, tree):
    """PW001 and pw001 (or pw001 and Pw001) in one file are the same person: refused as a
    duplicate (one row's values were silently lost, or a second person was added)."""
    upload(client, admin, "people", xlsx([PEOPLE_HEAD[:4], ["LC1", "Lê Cường", None, "A"]]))
    for a, b in (("LC1", "lc1"), ("lc1", "Lc1")):
        res = upload(
            client,
            admin,
            "people",
            xlsx([PEOPLE_HEAD[:4], [a, "Một", None, "A"], [b, "Hai", None, "A"]]),
        )
        assert res.status_code == 400, res.json
        assert "trùng trong tệp" in str(res.json), res.json
    assert count(Person) == 1


def test_an_account_linked_on_a_lower_case_code_row(client, admin, tree, create_user):
    """A «Tên đăng nhập» cell on a row whose code is typed in lower case failed with a 500."""
    upload(client, admin, "people", xlsx([PEOPLE_HEAD[:4], ["LC1", "Lê Cường", None, "A"]]))
    create_user("lecuong")
    head = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Tên đăng nhập"]
    for _ in range(2):  # linking again to the same person is no error either
        res = upload(client, admin, "people", xlsx([head, ["lc1", "Lê Cường", "A", "lecuong"]]))
        assert res.status_code in (200, 201), res.json
    assert count(Person) == 1


def test_units_import_reads_codes_whatever_their_case(client, admin, tree):
    """A code typed in another case is the unit stored under it, as on the unit pages and in
    the people import: `r` renamed R instead of adding a second unit beside it, and a parent
    `a` was refused as unknown."""
    head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
    before = count(Unit)
    res = upload(
        client,
        admin,
        "units",
        xlsx([head, ["r", "Gốc đổi tên", None], ["x", "Con mới", "a"], ["Y", "Cháu", "X"]]),
    )
    assert res.status_code == 201, res.json
    assert (res.json["created"], res.json["updated"]) == (2, 1)
    assert count(Unit) == before + 2
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    assert units["R"].name == "Gốc đổi tên" and "r" not in units
    assert units["x"].parent_id == units["A"].id and units["Y"].parent_id == units["x"].id
    res = upload(client, admin, "units", xlsx([head, ["Q", "Một", None], ["q", "Hai", None]]))
    assert res.status_code == 400 and "trùng" in str(res.json)
    assert count(Unit) == before + 2


def test_people_import_reads_unit_codes_whatever_their_case(client, admin, tree):
    """`a` and `a-cb` in the people file are the units A and A-CB; they were refused as
    unknown units."""
    res = upload(
        client,
        admin,
        "people",
        xlsx([PEOPLE_HEAD, ["PX1", "Hà Văn Một", "01/02/1990", "a", "Có", "a-cb", "19/05/2015"]]),
    )
    assert res.status_code == 201, res.json
    person = db.session.scalar(select(Person).where(Person.code == "PX1"))
    assert (person.unit.code, person.party_unit.code) == ("A", "A-CB")


@pytest.mark.parametrize("kind", ["units", "people"])
def test_an_import_says_it_is_saving_before_it_saves(tree, create_user, app_ctx, kind):
    """The job's progress read «đang lưu…» only once every row was saved (the step was told
    by finish_run, after the writes): a clerk watching a big file saw «đang kiểm tra» through
    the save."""
    from service.imports import operations
    from service.imports.registry import TEMPLATES

    files = {
        "units": xlsx([["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], ["N1", "Mới", "R"]]),
        "people": xlsx([PEOPLE_HEAD, ["PN1", "Hà Thị Mới", "01/02/1990", "A", "Không", None]]),
    }
    model = {"units": Unit, "people": Person}[kind]
    user = create_user(roles=[("admin", None)])
    before = count(model)
    told = []
    token = operations.STEPS.set(lambda done, total, message: told.append((done, count(model))))
    try:
        run = TEMPLATES[kind]["runner"](user, "tep.xlsx", files[kind])
    finally:
        operations.STEPS.reset(token)
    assert run.ok and count(model) == before + 1
    assert (2, before) in told, told  # told while nothing was written yet


def test_a_units_import_that_only_renames_recomputes_nothing(client, admin, tree, monkeypatch):
    """A rating reads a unit's place in the tree and its «tính tỷ lệ» mark, not its name or
    kind: a file that only renamed units queued a recompute of every scope they are in."""
    from service.imports import operations

    heard = []
    monkeypatch.setattr(operations, "org_changed", lambda ids: heard.append(set(ids)))
    head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị"]
    res = upload(client, admin, "units", xlsx([head, ["A", "Tên mới", "R", "phòng"]]))
    assert res.status_code == 201 and res.json["updated"] == 1, res.json
    assert heard == [set()] or heard == []
    res = upload(client, admin, "units", xlsx([head, ["A", "Tên mới", "B", "phòng"]]))
    assert res.json["updated"] == 1 and heard[-1] >= {tree.id}  # a move: the scopes it joins


def test_imports_fold_every_spelling_and_refuse_a_code_two_stored_units_share(
    client, admin, tree, create_unit
):
    """Two spellings of one unit code in a people file (`a-cb`, `A-cb`): one row was refused
    as an unknown unit. A code typed in a case that two stored units share (`ab` and `AB`,
    from before the codes were folded) went to either of them, by the rows' order."""
    rows = [
        ["PX1", "Hà Văn Một", "01/02/1990", "A", "Có", "a-cb", "19/05/2015"],
        ["PX2", "Hà Văn Hai", "01/02/1990", "A", "Có", "A-cb", "19/05/2015"],
    ]
    res = upload(client, admin, "people", xlsx([PEOPLE_HEAD, *rows]))
    assert res.status_code == 201, res.json
    create_unit("ab", tree)
    create_unit("AB", tree)
    before = count(Unit)
    head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
    res = upload(client, admin, "units", xlsx([head, ["Ab", "Đổi tên", "R"]]))
    assert res.status_code == 400 and "AB, ab" in str(res.json), res.json
    res = upload(client, admin, "units", xlsx([head, ["N9", "Mới", "aB"]]))
    assert res.status_code == 400 and "AB, ab" in str(res.json), res.json
    assert count(Unit) == before
    res = upload(client, admin, "people", xlsx([PEOPLE_HEAD, ["PX3", "Ba", None, "aB", "Không"]]))
    assert res.status_code == 400 and "AB, ab" in str(res.json), res.json
