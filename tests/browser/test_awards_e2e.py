"""The registry of initiatives in headless Debian Chromium, at a phone's width (390 px): staff
open "Thi đua – Khen thưởng", add a co-authored sáng kiến, find it by year, edit it and
delete it with a reason; no page is wider than the screen."""

from __future__ import annotations

import os

import pytest

from tests.browser.servers import fits
from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import UNIT, browser, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


def test_staff_keep_the_registry_on_a_phone(server, browser, tmp_path):  # noqa: F811
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("input[name=username]", "tochuc")
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{server}/units/{UNIT}")
    codes = page.locator("table#people tbody tr td:first-child code").all_inner_texts()[:2]

    page.click("header nav >> text=Thi đua – Khen thưởng")
    page.click("text=Sáng kiến, đề tài, mô hình")
    # measured once the list has loaded (a page still loading, unstyled, can be wider)
    page.wait_for_url("**/awards/initiatives**")
    page.wait_for_load_state()
    fits(page)
    page.click("text=Thêm sáng kiến, đề tài, mô hình")
    page.fill("input[name=year]", "2024")
    page.select_option("select[name=kind]", "sang_kien")
    page.fill("input[name=title]", "Sáng kiến tiếp nhận phản ánh qua ứng dụng di động")
    page.select_option("select[name=level]", "thanh_pho")
    page.fill("input[name=person_codes]", ", ".join(codes))
    page.fill("input[name=decision_no]", "7/QĐ-UBND")
    page.fill("input[name=decision_date]", "15/10/2024")
    fits(page)
    page.click("button:has-text('Thêm')")
    page.wait_for_url("**/awards/initiatives?year=2024")
    row = page.locator("table#initiatives tbody tr", has_text="di động")
    assert row.count() == 1
    text = row.inner_text()
    assert "thành phố" in text and "15/10/2024" in text and codes[0] in text
    page.screenshot(path=str(tmp_path / "initiatives-390.png"), full_page=True)
    fits(page)

    row.locator("text=Sửa").click()
    page.select_option("select[name=level]", "toan_quoc")
    page.click("button:has-text('Lưu')")
    page.wait_for_url("**/awards/initiatives?year=2024")
    row = page.locator("table#initiatives tbody tr", has_text="di động")
    assert "toàn quốc" in row.inner_text()

    row.locator("input[name=reason]").fill("Ghi nhầm năm")
    row.locator("button:has-text('Xóa')").click()
    assert "Đã xóa sáng kiến" in page.inner_text("main")
    assert page.locator("table#initiatives tbody tr", has_text="di động").count() == 0
    context.close()
