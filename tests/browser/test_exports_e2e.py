"""HR (noivu) lands on the year's dashboard, follows "Xuất bảng tính", picks a unit and
downloads the rating list; the file opens with openpyxl."""

from __future__ import annotations

import os

import openpyxl
import pytest

from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import YEAR, browser, login, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


def test_hr_downloads_the_rating_list_from_the_exports_page(browser, server, tmp_path):  # noqa: F811
    page = login(browser, server, "noivu")
    assert f"/evaluation/{YEAR}" in page.url
    page.click("text=Xuất bảng tính >> nth=0")
    page.wait_for_url(f"**/evaluation/{YEAR}/exports**")
    page.fill("input[name=unit]", "DD")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("a[data-export=ratings]")
    with page.expect_download() as info:
        page.click("a[data-export=ratings]")
    download = info.value
    assert download.suggested_filename == f"ket_qua_xep_loai_{YEAR}_DD.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Công chức, viên chức"]
    assert ws["A1"].value == "Kết quả xếp loại công chức, viên chức"
    assert ws["A7"].value == "Mã cán bộ" and ws["A8"].value  # the demo's people are rated
    page.context.close()
