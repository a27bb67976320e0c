"""End to end in headless Debian Chromium: log in, open the tree, import a people file through the
page, see the error table for a broken file."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from service.config import TestConfig
from tests.browser.servers import demo_server, fits

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"

    with demo_server(Cfg) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def people_file(tmp_path, rows, name):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã cán bộ", "Họ và tên", "Ngày sinh", "Mã đơn vị", "Đảng viên"])
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def test_login_tree_import_and_error_table(server, browser, tmp_path):
    page = browser.new_page()
    page.goto(server + "/")
    page.fill("input[name=username]", "tochuc")
    page.fill("input[name=password]", "sai")
    page.click("button[type=submit]")
    assert "không đúng" in page.inner_text("main")
    page.fill("input[name=username]", "tochuc")
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url("**/evaluation/work")  # staff land on their work
    assert "Danh sách xếp loại cần nhập và gửi duyệt" in page.inner_text("main")
    page.click("header nav >> text=Đơn vị")  # the tree is one click away
    page.wait_for_url("**/units")
    tree = page.inner_text("#unit-tree")
    assert "Ủy ban nhân dân phường" in tree and "Phòng Văn hóa – Xã hội" in tree
    assert "Công an phường" not in tree  # outside this staff member's unit

    page.click("text=Phòng Văn hóa – Xã hội")
    assert "Cán bộ (kể cả đơn vị cấp dưới): 55" in page.inner_text("main")
    page.set_viewport_size({"width": 390, "height": 844})  # the unit's people on a phone
    fits(page, 390)
    page.set_viewport_size({"width": 1366, "height": 768})

    page.click("text=Nhập dữ liệu")
    good = people_file(
        tmp_path,
        [
            ["E2E001", "Vũ Thị Hạnh", "12/03/1991", "DD-UB-VH", "Không"],
            ["E2E002", "Ngô Văn Toàn", "01/01/1980", "DD-UB-KT", "Có"],
        ],
        "tot.xlsx",
    )
    page.select_option("select[name=kind]", "people")
    # the file picker speaks Vietnamese (Chromium's own said «Choose File», «No file chosen»)
    picker = page.locator("#import-form .file-pick")
    assert "Chọn tệp" in picker.inner_text() and "Chưa chọn tệp" in picker.inner_text()
    page.set_input_files("input[name=file]", str(good))
    assert "tot.xlsx" in picker.inner_text()
    page.click("#import-form button[type=submit]")
    assert "thêm mới 2" in page.inner_text("#import-ok")

    bad = people_file(
        tmp_path,
        [
            ["E2E003", "", "31/02/1990", "DD-UB-VH", "Có"],
            ["E2E004", "Ngoài phạm vi", "01/01/1990", "DD-CA", "Không"],
        ],
        "loi.xlsx",
    )
    page.set_input_files("input[name=file]", str(bad))
    page.click("#import-form button[type=submit]")
    assert "không lưu dòng nào" in page.inner_text("#import-failed")
    table = page.inner_text("#import-errors")
    assert "Họ và tên" in table and "Ngày sinh" in table and "Mã đơn vị" in table
    page.set_viewport_size({"width": 390, "height": 844})  # the error list on a phone
    fits(page, 390)
    # the result above the form, focused: on a phone it was below the screen
    box = page.locator("#import-failed").bounding_box()
    assert box is not None and box["y"] + box["height"] < 844, box
    assert page.evaluate("document.activeElement.id") == "import-failed"
    page.set_viewport_size({"width": 1366, "height": 768})
    with page.expect_download() as dl:
        page.click("text=Tải danh sách lỗi (.xlsx)")
    data = Path(dl.value.path()).read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.active.title == "Lỗi nhập"
    messages = [r[4] for r in wb.active.iter_rows(min_row=5, values_only=True)]
    assert "Bắt buộc nhập." in messages
    page.screenshot(path=str(tmp_path / "import-errors.png"), full_page=True)

    # the imported person is there; the broken file saved nothing
    page.goto(server + "/units/DD-UB?q=E2E")
    assert "Vũ Thị Hạnh" in page.inner_text("#people")
    assert "E2E003" not in page.inner_text("#people")
    page.close()
