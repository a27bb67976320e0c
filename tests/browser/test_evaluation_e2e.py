"""End to end in headless Debian Chromium, with the production job runner (in-process thread,
recompute queued after each save): staff enter monthly scores in the grid (keyboard, an invalid
cell shown inline), results appear with their "why", staff submit, the committee returns the
list with a reason, staff resubmit, the committee approves."""

from __future__ import annotations

import contextlib
import os
import time

import pytest

from service import create_app
from service.config import TestConfig
from service.extensions import db
from tests.browser.servers import serving
from tests.browser.test_e2e import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]

YEAR = 2025
UNIT = "DD-UB-VP"


@contextlib.contextmanager
def demo_server(tmp_path_factory, **settings):
    """The demo on a server of its own (thread jobs, recompute by job), `settings` on top."""

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'eval.db'}"
        JOBS_RUN = "thread"  # as in production without Redis
        EVAL_RECOMPUTE = "job"

    for name, value in settings.items():
        setattr(Cfg, name, value)
    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
        from evaluation.demo import DEMO_YEAR
        from service.demo import load_demo

        load_demo()  # opens DEMO_YEAR, computes it, leaves UNIT without inputs
        assert DEMO_YEAR == YEAR
        db.session.commit()
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def paste(page, block):
    """Paste a block of cells (rows of strings) into the focused grid cell, as Excel puts it
    on the clipboard (tabs and CRLF)."""
    text = "\r\n".join("\t".join(r) for r in block) + "\r\n"
    page.evaluate(
        """([text]) => {
            const dt = new DataTransfer();
            dt.setData('text/plain', text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
        }""",
        [text],
    )


def login(browser, server, username):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # each role's landing
    return page


def ratings_page(page, server, expected_rows, timeout=20):
    """Open the list page, reloading until the background recompute has stored the results."""
    deadline = time.time() + timeout
    while True:
        page.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}")
        rows = page.locator("table.ratings[data-kind=official] tbody tr").count()
        if rows >= expected_rows or time.time() > deadline:
            return rows
        time.sleep(0.3)


def test_enter_submit_return_resubmit_approve(server, browser, tmp_path):
    staff = login(browser, server, "tochuc")
    staff.click("text=Đánh giá, xếp loại")
    staff.wait_for_url(f"**/evaluation/{YEAR}*")
    staff.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}/entry")
    rows = staff.locator("#people-grid tbody tr[data-url]")
    assert rows.count() == 45
    codes = [rows.nth(i).get_attribute("data-code") for i in range(4)]

    # three people: criteria and twelve months typed cell by cell, Enter saves the row
    scores = [96, 88, 91]
    for i, score in enumerate(scores):
        row = rows.nth(i)
        for name, value in (("ct", "5"), ("dd", "5"), ("tp", "4,5"), ("kl", "5")):
            row.locator(f"input[name={name}]").fill(value)
        for m in range(1, 13):
            row.locator(f"input[name=m{m}]").fill(str(score))
        row.locator("input[name=tasks_total]").fill("10")
        row.locator("input[name=tasks_exceeded]").fill("4")
        row.locator("input[name=m12]").press("Enter")
    for i in range(3):
        rows.nth(i).locator(".row-status.ok").wait_for(timeout=5000)

    # keyboard: ArrowDown moves to the same column of the next row
    rows.nth(0).locator("input[name=m3]").focus()
    staff.keyboard.press("ArrowDown")
    assert staff.evaluate("document.activeElement.name") == "m3"
    assert staff.evaluate("document.activeElement.closest('tr').dataset.code") == codes[1]

    # an invalid cell is shown in place with its message, and nothing is saved
    bad = rows.nth(3)
    bad.locator("input[name=ct]").fill("5")
    bad.locator("input[name=m1]").fill("150")
    bad.locator("input[name=m1]").press("Enter")
    bad.locator(".row-status.error").wait_for(timeout=5000)
    assert "Tháng 1" in bad.locator(".row-status").inner_text()
    assert bad.locator("input[name=m1]").get_attribute("aria-invalid") == "true"
    bad.locator("input[name=m1]").fill("85")
    bad.locator("input[name=m1]").press("Control+s")
    bad.locator(".row-status.ok").wait_for(timeout=5000)
    assert bad.locator("input[name=m1]").get_attribute("aria-invalid") is None
    staff.screenshot(path=str(tmp_path / "entry-grid.png"), full_page=True)

    # the results appear (background recompute) with their why
    assert ratings_page(staff, server, 4) == 4
    table = staff.locator("table.ratings[data-kind=official]")
    first = table.locator(f"tbody tr[data-code={codes[0]}]")
    assert first.count() == 1
    first.locator("summary").click()
    assert "A2" in first.locator("ol.why").inner_text()
    # the fourth has CT and one month only: rated, and flagged as computed from too little
    fourth = table.locator(f"tbody tr[data-code={codes[3]}]")
    assert "chưa đủ dữ liệu" in fourth.inner_text()
    # 3 of 45 entered: the submission is refused, naming who is missing, with links
    assert "Đã nhập 3/45" in staff.locator("#entry-status").inner_text()
    staff.click("button[data-action=submit]")
    assert staff.locator("#review-state").inner_text() == "Đang nhập"
    assert "Chưa thể gửi duyệt: đã nhập 3/45 người" in staff.inner_text("main")
    assert staff.locator("ul.missing-people li").count() == 42
    # the clerk pastes the other 42 rows from a spreadsheet and saves them all
    staff.locator("details.missing summary").click()
    staff.locator("ul.missing-people li a").first.click()
    staff.wait_for_url("**/entry#row-*")
    rows.nth(3).locator("input[name=ct]").focus()
    paste(staff, [["5", "5", "4", "4", "80"] for _ in range(42)])
    staff.locator("button[data-save-all=people-grid]").click()
    rows.nth(44).locator(".row-status.ok").wait_for(timeout=30000)
    for i in range(3, 45):
        rows.nth(i).locator(".row-status.ok").wait_for(timeout=10000)
    assert ratings_page(staff, server, 45) == 45
    assert "Đã nhập 45/45" in staff.locator("#entry-status").inner_text()
    staff.click("button[data-action=submit]")
    assert staff.locator("#review-state").inner_text() == "Đã gửi duyệt"
    # a submitted list is read-only in the grid
    staff.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}/entry")
    assert staff.locator("#people-grid input[name=ct]").first.is_disabled()

    committee = login(browser, server, "capuy")
    committee.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}")
    assert committee.locator("#review-state").inner_text() == "Đã gửi duyệt"
    assert committee.locator("button[data-action=submit]").count() == 0
    committee.fill("input[name=reason]", "Bổ sung điểm tháng cho các đồng chí còn lại")
    committee.click("button[data-action=return]")
    assert committee.locator("#review-state").inner_text() == "Đang nhập"
    assert committee.locator("[data-action=approve]").count() == 0

    staff.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}")
    assert "Bổ sung điểm tháng" in staff.inner_text("main")
    staff.click("button[data-action=submit]")
    assert staff.locator("#review-state").inner_text() == "Đã gửi duyệt"

    committee.goto(f"{server}/evaluation/{YEAR}/units/{UNIT}")
    committee.click("a[data-action=approve]")  # asks first, with the counts per level
    committee.wait_for_url("**/review/approve/confirm")
    summary = committee.locator("#confirm-summary tr[data-kind=official]").inner_text()
    assert "45" in summary
    committee.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
    committee.click("button[data-action=approve]")
    assert committee.locator("#review-state").inner_text() == "Đã phê duyệt"
    assert "Đã thực hiện: Phê duyệt" in committee.inner_text("main")
    committee.screenshot(path=str(tmp_path / "approved.png"), full_page=True)

    # the dashboard shows the list approved and the counts per level
    committee.goto(f"{server}/evaluation/{YEAR}?unit=DD-UB")
    row = committee.locator("#dashboard tbody tr", has_text=UNIT)
    assert "Đã phê duyệt" in row.inner_text()
    staff.context.close()
    committee.context.close()


def test_dashboard_charts_are_drawn_beside_their_tables_on_a_phone(server, browser):
    """Issue 14 item 5: the committee opens the year's dashboard at 390 px; every chart is drawn
    by the vendored Chart.js (no CDN, no inline script), each with its table, nothing wider
    than the screen."""
    page = login(browser, server, "capuy")
    page.set_viewport_size({"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/evaluation/{YEAR}")
    page.wait_for_function("typeof Chart !== 'undefined'")
    figures = page.locator("figure.chart")
    assert figures.count() == 8
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => !!Chart.getChart(c) && c.width > 0 && c.height > 0)"
    )
    assert drawn and all(drawn), drawn
    assert page.locator("figure.chart table.chart-table").count() == 8
    total = page.locator("#chart-total-official table tfoot th.num").first.inner_text()
    assert int(total) > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    page.context.close()
