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


def test_the_printable_list_says_it_is_being_made_and_is_asked_for_once(browser, server):  # noqa: F811
    """A ward's PDF takes minutes (a browser walk: 89 s, nothing on the page meanwhile, and
    clicking again started another): the link counts the seconds, a second click sends
    nothing, the file is saved when ready."""
    page = login(browser, server, "noivu")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/exports/ratings.pdf" in r.url else None)
    page.goto(f"{server}/evaluation/{YEAR}/exports?unit=DD-UB")
    link = page.locator("a[data-export-pdf=ratings]")
    with page.expect_download(timeout=120_000) as info:
        link.evaluate("el => { el.click(); el.click(); }")  # impatient: twice at once
        note = page.locator(".pdf-status")
        note.wait_for()
        assert "Đang tạo bản in" in note.inner_text() or "Đã tạo bản in" in note.inner_text()
    assert info.value.suggested_filename == f"ket_qua_xep_loai_{YEAR}_DD-UB.pdf"
    page.locator(".pdf-status", has_text="Đã tạo bản in").wait_for()
    assert len(asked) == 1, asked
    page.context.close()
