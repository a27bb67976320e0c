"""HR (noivu) on a phone (390 px) exports biểu 0601 of TT 02/2023 for a period from the
exports page: the page fits the screen with the period inputs, the file is the period's form."""

from __future__ import annotations

import os

import openpyxl
import pytest

from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import YEAR, browser, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


def test_hr_exports_a_statistical_form_of_a_period_on_a_phone(browser, server, tmp_path):  # noqa: F811
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("input[name=username]", "noivu")
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{server}/evaluation/{YEAR}/exports")
    page.fill("form.card input[name=unit]", "DD")
    page.click("form.card button[type=submit]")
    form = page.locator("form[data-export-period=tt02_0601]")
    form.wait_for()
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "exports-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.locator("input[name=from]").fill(f"01/07/{YEAR}")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    download = info.value
    # named by its period: half of the year
    assert download.suggested_filename == f"bieu_0601_{YEAR}0701-{YEAR}1231_DD.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = openpyxl.load_workbook(path)["Biểu 0601"]
    assert ws["A1"].value == "Biểu số 0601.N/BNV-TĐKT"
    assert ws["A5"].value == f"Từ ngày 01/07/{YEAR} đến ngày 31/12/{YEAR}"
    context.close()


def test_hr_and_admin_pages_fit_a_phone(browser, server, tmp_path):  # noqa: F811
    """The unit tree (a browser walk: 421 px wide at 390, the whole page scrolled sideways)
    and the other pages HR and the administrator open, at 390 px."""
    from tests.browser.servers import fits
    from tests.browser.test_evaluation_e2e import login

    out = os.environ.get("SHOTS") or str(tmp_path)
    for user, paths in (
        ("noivu", ["/units", f"/evaluation/{YEAR}/exports", "/awards/badges"]),
        ("admin", ["/units", "/admin/users", f"/evaluation/{YEAR}/pack", "/imports"]),
    ):
        page = login(browser, server, user)
        page.set_viewport_size({"width": 390, "height": 844})
        for path in paths:
            page.goto(server + path)
            page.screenshot(path=f"{out}/{user}{path.replace('/', '_')}.png")
            fits(page)
        page.context.close()


def test_the_browsers_own_field_checks_speak_vietnamese(browser, server):  # noqa: F811
    """A field the browser checks itself (required, a number's range) was refused in the
    browser's language: «Please fill out this field.» on a ward office's English Chromium,
    before any Vietnamese message of the service could show."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "/login")
    page.click("button[type=submit]")  # nothing typed: the browser stops it
    assert "/login" in page.url
    message = page.evaluate("document.querySelector('input[name=username]').validationMessage")
    assert message == "Vui lòng nhập ô này."
    page.fill("input[name=username]", "admin")  # typing clears it
    assert page.evaluate("document.querySelector('input[name=username]').validity.valid")
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(server + "/evaluation/years")
    year = page.locator("input[name=year]")
    year.fill("1999")
    page.evaluate("document.querySelector('input[name=year]').form.reportValidity()")
    assert year.evaluate("el => el.validationMessage") == "Giá trị nhỏ nhất là 2000."
    # a field set by a script after its refusal (no input event) is checked afresh when sent
    year.evaluate("el => { el.value = '2090'; }")
    assert not year.evaluate("el => el.validity.valid")  # still the old refusal …
    year.evaluate(
        """el => {
            el.form.addEventListener('submit', e => e.preventDefault(), {once: true});
            el.form.querySelector('[type=submit]').click();
        }"""
    )  # sent, but held back here: the test opens no year
    assert year.evaluate("el => el.validity.valid")  # … until the form is sent
    context.close()


def test_answering_a_refused_radio_group_clears_all_of_it(browser, server):  # noqa: F811
    """A required yes/no refused as unanswered kept its message on «yes» when «no» was
    chosen, so the form stayed refused for an answered question."""
    page = browser.new_page()
    page.goto(server + "/login")
    page.evaluate(
        """() => {
            const form = document.createElement('form');
            form.id = 'probe';
            for (const v of ['yes', 'no']) {
                const r = document.createElement('input');
                r.type = 'radio'; r.name = 'q'; r.value = v; r.required = true; r.id = 'q-' + v;
                form.appendChild(r);
            }
            document.querySelector('main').appendChild(form);
            form.reportValidity();
        }"""
    )
    assert page.evaluate("document.getElementById('q-yes').validationMessage") == (
        "Vui lòng chọn một trong các lựa chọn."
    )
    page.click("#q-no")
    assert page.evaluate("document.getElementById('probe').checkValidity()")
    page.close()
