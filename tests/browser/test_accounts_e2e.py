"""Every person sees their own result (issue 11), in headless Debian Chromium: the administrator
creates accounts for the people of a unit (picked by typing its name), reads the one-time
passwords once; a new account must change its password first, then lands on its own result."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import YEAR, browser, login, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


def test_a_newly_created_account_changes_its_password_and_sees_its_result(
    server,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
):
    admin = login(browser, server, "admin")
    admin.click("header nav >> text=Người dùng")
    admin.click("text=Tạo tài khoản cho cán bộ của một đơn vị")
    admin.fill("input[name=unit]", "DD-UB-KT — Phòng Kinh tế, Hạ tầng và Đô thị")
    admin.click("button:has-text('Tạo tài khoản')")
    created = admin.locator("#created-accounts tbody tr")
    assert created.count() == 59  # 60 people; the demo account canbo is one of them
    assert admin.locator("#download-accounts").get_attribute("download").endswith(".xlsx")
    code = created.nth(0).locator("td").nth(0).inner_text().strip()
    username = created.nth(0).locator("td").nth(2).inner_text().strip()
    password = created.nth(0).locator("code.password").inner_text().strip()
    admin.screenshot(path=str(tmp_path / "accounts.png"), full_page=True)
    admin.context.close()

    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/account/password" in url)
    assert "mật khẩu ban đầu" in page.inner_text("main")
    page.fill("input[name=current]", password)
    page.fill("input[name=new]", "matkhaucuatoi1")
    page.fill("input[name=confirm]", "matkhaucuatoi1")
    page.click("button:has-text('Đổi mật khẩu')")
    page.wait_for_url(f"**/evaluation/{YEAR}/people/{code}")
    main = page.inner_text("main")
    assert "Vì sao" in main and "Xếp loại cán bộ, công chức, viên chức" in main
    page.screenshot(path=str(tmp_path / "own-result-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
