# ruff: noqa: F811 - the fixtures imported from test_imports
"""Issue 15 item 4, uploads bounded in memory: before an xlsx is parsed, the uncompressed size of
each of its parts (and of all of them), of its shared strings and of any one cell is checked
against limits in config; a file past them is refused with a clear message and nothing saved.
(The real-size cases, a 512 MiB shared string and 1 GiB of whitespace, and the server's peak
memory are measured by bench/bench_upload_limits.py.)"""

from __future__ import annotations

import io
import zipfile

import pytest

from service.common.spreadsheets import Column, SpreadsheetError, UploadLimits, read_rows
from service.org.models import Person
from tests.service.test_imports import PEOPLE_HEAD, admin, count, tree, upload  # noqa: F401

COLUMNS = [Column("person_code", "Mã cán bộ", required=True), Column("full_name", "Họ và tên")]
SMALL = UploadLimits(
    part_bytes=200_000, total_bytes=400_000, shared_strings_bytes=50_000, cell_bytes=4_000
)


def rewrite(data: bytes, name: str, change) -> bytes:
    """The xlsx with one part's text changed by `change` (str -> str)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info)
            if info.filename == name:
                body = change(body.decode()).encode()
            dst.writestr(info.filename, body)
    return out.getvalue()


def people_file(rows=(("DD001", "An"),), head=("Mã cán bộ", "Họ và tên")) -> bytes:
    """As Excel writes it: strings in a shared strings part (xlsxwriter's default)."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("Cán bộ")
    for r, row in enumerate([head, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return out.getvalue()


def shared_strings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return next(n for n in zf.namelist() if n.endswith("sharedStrings.xml"))


def test_a_file_within_the_limits_is_read():
    parsed = read_rows(people_file(), COLUMNS, "Cán bộ", limits=SMALL)
    assert [v["person_code"] for _n, v in parsed.rows] == ["DD001"]


def test_a_huge_shared_string_is_refused_before_parsing():
    data = people_file()
    bomb = rewrite(
        data, shared_strings(data), lambda x: x.replace("<t>An</t>", "<t>" + "a" * 60_000 + "</t>")
    )
    assert len(bomb) < 10_000  # compressed it is tiny
    with pytest.raises(SpreadsheetError, match="sharedStrings.xml.*giới hạn"):
        read_rows(bomb, COLUMNS, "Cán bộ", limits=SMALL)


def test_a_cell_under_half_the_limit_passes():
    data = people_file()
    ok = rewrite(
        data, shared_strings(data), lambda x: x.replace("<t>An</t>", "<t>" + "b" * 1_990 + "</t>")
    )
    assert len(read_rows(ok, COLUMNS, "Cán bộ", limits=SMALL).rows) == 1


def test_one_cell_longer_than_the_limit_is_refused():
    data = people_file()
    long = rewrite(
        data, shared_strings(data), lambda x: x.replace("<t>An</t>", "<t>" + "b" * 5_000 + "</t>")
    )
    with pytest.raises(SpreadsheetError, match="một ô"):
        read_rows(long, COLUMNS, "Cán bộ", limits=SMALL)


def test_whitespace_between_tags_is_refused():
    data = people_file()
    ws = "xl/worksheets/sheet1.xml"
    padded = rewrite(data, ws, lambda x: x.replace("<sheetData>", "<sheetData>" + " " * 150_000))
    with pytest.raises(SpreadsheetError):
        read_rows(padded, COLUMNS, "Cán bộ", limits=SMALL)
    far = rewrite(data, ws, lambda x: x.replace("<sheetData>", "<sheetData>" + " " * 250_000))
    with pytest.raises(SpreadsheetError, match="sheet1.xml.*giới hạn"):
        read_rows(far, COLUMNS, "Cán bộ", limits=SMALL)


def test_all_parts_together_are_bounded():
    rows = [(f"DD{i:05d}", f"Người {i}") for i in range(3_000)]
    limits = UploadLimits(
        part_bytes=10**7, total_bytes=100_000, shared_strings_bytes=10**7, cell_bytes=4_000
    )
    with pytest.raises(SpreadsheetError, match="tổng"):
        read_rows(people_file(rows), COLUMNS, "Cán bộ", limits=limits)


def test_a_part_that_lies_about_its_size_is_refused():
    data = people_file()
    name = shared_strings(data)
    raw = bytearray(
        rewrite(data, name, lambda x: x.replace("<t>An</t>", "<t>" + "c" * 100_000 + "</t>"))
    )
    # declare the shared strings 300 bytes long in both headers (the data says otherwise)
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
        info = zf.getinfo(name)
        real = info.file_size
    needle = real.to_bytes(4, "little")
    assert raw.count(needle) == 2
    raw = raw.replace(needle, (300).to_bytes(4, "little"))
    with pytest.raises(SpreadsheetError):
        read_rows(bytes(raw), COLUMNS, "Cán bộ", limits=SMALL)


def test_the_import_answers_the_limit_and_saves_nothing(app, client, admin, tree):  # noqa: F811
    data = people_file([["DD001", "An", None, "A", "Không", None, None]], head=PEOPLE_HEAD)
    bomb = rewrite(
        data, shared_strings(data), lambda x: x.replace("<t>An</t>", "<t>" + "a" * 300_000 + "</t>")
    )
    old = app.config["IMPORT_MAX_CELL_KB"]
    app.config["IMPORT_MAX_CELL_KB"] = 64
    try:
        res = upload(client, admin, "people", bomb)
    finally:
        app.config["IMPORT_MAX_CELL_KB"] = old
    assert res.status_code == 400
    message = res.json["error"]["import"]["errors"][0]["message"]
    assert "một ô" in message, message
    assert count(Person) == 0


@pytest.fixture
def as_job(app, tmp_path):
    """Every upload imported by a job (inline runner in the suite), files kept in tmp_path."""
    old = app.config["IMPORT_JOB_MIN_KB"], app.config["IMPORT_UPLOAD_DIR"]
    app.config["IMPORT_JOB_MIN_KB"], app.config["IMPORT_UPLOAD_DIR"] = 0, str(tmp_path)
    yield tmp_path
    app.config["IMPORT_JOB_MIN_KB"], app.config["IMPORT_UPLOAD_DIR"] = old


GOOD = [["DD001", "An", None, "A", "Không", None, None]]


def test_a_big_file_is_imported_by_a_job_and_its_run_read_after(client, admin, tree, as_job):  # noqa: F811
    res = upload(client, admin, "people", people_file(GOOD, head=PEOPLE_HEAD))
    assert res.status_code == 202, res.get_json()
    job = res.get_json()["job"]
    assert job["kind"] == "import" and job["status"] == "done", job
    run_id = job["result"]["run_id"]
    assert job["result"]["ok"] is True
    run = client.get(f"/api/v1/imports/runs/{run_id}", headers=admin).get_json()
    assert run["created"] == 1 and count(Person) == 1
    assert list(as_job.iterdir()) == []  # the kept file is removed once read
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=admin).status_code == 200


def test_a_failed_file_imported_by_a_job_saves_nothing(client, admin, tree, as_job):  # noqa: F811
    bad = people_file(
        [["DD001", "An", None, "NO-SUCH-UNIT", "Không", None, None]], head=PEOPLE_HEAD
    )
    job = upload(client, admin, "people", bad).get_json()["job"]
    assert job["status"] == "done" and job["result"]["ok"] is False
    assert job["result"]["total_errors"] >= 1
    # it does not read «hoàn thành» (a browser walk: a refused import said so)
    assert job["status_label"] == "không thành công: tệp có lỗi, không lưu gì"
    assert count(Person) == 0
    run = client.get(f"/api/v1/imports/runs/{job['result']['run_id']}", headers=admin).get_json()
    assert run["ok"] is False and run["errors"]


def test_the_page_follows_the_job_then_shows_its_run(
    client, create_user, login_session, tree, as_job
):  # noqa: F811
    import re

    user = create_user(roles=[("admin", None)])
    login_session(client, user)
    page = client.get("/imports").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = people_file(GOOD, head=PEOPLE_HEAD)
    res = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "people", "file": (io.BytesIO(data), "lon.xlsx")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302 and "/jobs/" in res.location, res.get_data(as_text=True)[:500]
    assert "back=/imports?job%3D" in res.location
    job_id = int(re.search(r"/jobs/(\d+)", res.location).group(1))
    shown = client.get(f"/imports?job={job_id}").get_data(as_text=True)
    assert 'id="import-ok"' in shown and "lon.xlsx" in shown and count(Person) == 1
    other = create_user(roles=[("staff", tree)])
    login_session(client, other)
    hidden = client.get(f"/imports?job={job_id}").get_data(as_text=True)
    assert "Không tìm thấy lần nhập" in hidden and 'id="import-ok"' not in hidden


def test_an_import_jobs_progress_counts_the_files_rows_by_step(app, create_user, tree, as_job):
    """The job page said 0/1, then 1/1: it now says the rows read, checked and saved."""
    from service.imports.jobs import import_job, upload_dir

    user = create_user(roles=[("admin", None)])
    rows = [[f"DD{i:03d}", f"Người {i}", None, "A", "Không", None, None] for i in range(3)]
    steps = []
    params = {"kind": "people", "filename": "tep.xlsx", "file": "tep.xlsx", "user_id": user.id}
    with app.test_request_context():
        (upload_dir() / "tep.xlsx").write_bytes(people_file(rows, head=PEOPLE_HEAD))
        import_job(params, lambda done, total, message: steps.append((done, total, message)))
    assert [(d, t) for d, t, _m in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)], steps
    assert "Đã đọc 3 dòng" in steps[1][2] and "đang lưu" in steps[2][2], steps
    assert count(Person) == 3


def test_a_column_not_in_the_template_is_told_with_the_result_not_under_it(
    client,
    create_user,
    login_session,
    tree,  # noqa: F811
):
    """«Điểm tháng 1» for «Tháng 1»: the file was imported, its month lost, told by a small
    note under the list of changes. The result itself says a column was left out and that its
    data was not imported, before the changes."""
    import re

    user = create_user(roles=[("admin", None)])
    login_session(client, user)
    page = client.get("/imports").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = people_file([["DD001", "An", "A", "x"]], head=(*PEOPLE_HEAD[:2], "Mã đơn vị", "Điểm lạ"))
    res = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "people", "file": (io.BytesIO(data), "nho.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    shown = res.get_data(as_text=True)
    assert 'id="import-ok"' in shown, shown[shown.find("<main") :][:1500]
    ok = shown.index('id="import-ok"')
    told = shown.index("«Điểm lạ»")
    assert ok < told < shown.index("Thay đổi theo từng dòng")
    assert "không được nhập" in shown[told : told + 300]
