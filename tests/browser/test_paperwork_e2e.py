"""The commendation paperwork in headless Debian Chromium on the demo (issue 13): staff on a
phone (390 px) add a file to their list's dossier, remove it with a reason, and download the
tờ trình as a Word file; the committee at 1366×768 finds the demo's decision in the registry
and prints its certificates as one PDF, a page per recipient. No page is wider than the
screen."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from tests.browser.servers import fits
from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import browser, server  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(browser, base, username, width, height):  # noqa: F811
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_staff_keep_the_dossier_and_download_the_submission(server, browser, tmp_path):  # noqa: F811
    staff = login(browser, server, "tochuc", 390, 844)
    staff.click("header nav >> text=Thi đua – Khen thưởng")
    staff.click("text=Danh sách đề nghị khen thưởng")
    staff.click("table#lists a:has-text('Ủy ban nhân dân phường')")
    fits(staff, 390)
    memo = tmp_path / "to-trinh-ky.pdf"
    memo.write_bytes(PDF)
    staff.set_input_files("#attachment-upload input[type=file]", str(memo))
    staff.click("#attachment-upload button[type=submit]")
    staff.wait_for_selector("text=Đã thêm tệp «to-trinh-ky.pdf» vào hồ sơ.")
    row = staff.locator("#dossier tbody tr", has_text="to-trinh-ky.pdf")
    assert "Cán bộ tổ chức" in row.inner_text()
    fits(staff, 390)
    row.locator("input[name=reason]").fill("Tải nhầm bản chưa ký")
    row.locator("button:has-text('Gỡ')").click()
    staff.wait_for_load_state()
    assert "Chưa có tệp nào trong hồ sơ" in staff.inner_text("#dossier")
    staff.click("#dossier summary:has-text('Đã gỡ (1)')")
    assert "Tải nhầm bản chưa ký" in staff.inner_text("#dossier")  # kept, with its reason

    with staff.expect_download() as info:
        staff.click("#documents a:has-text('Tờ trình')")
    got = info.value
    assert got.suggested_filename.endswith(".docx")
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(Path(got.path()).read_bytes())).paragraphs
    )
    assert "TỜ TRÌNH" in text and "I. Cá nhân" in text
    staff.screenshot(path=str(tmp_path / "list-390.png"), full_page=True)


def test_committee_prints_a_decisions_certificates(server, browser):  # noqa: F811
    committee = login(browser, server, "capuy", 1366, 768)
    committee.goto(f"{server}/awards/decisions")
    committee.click("table#decisions a:has-text('120/QĐ-UBND')")
    awarded = int(committee.inner_text("#decision").split("Được khen thưởng:")[1].split()[0])
    fits(committee, 1366)
    with committee.expect_download(timeout=60_000) as info:
        committee.click("#certificates a:has-text('mẫu đầy đủ')")
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert len(pdf.pages) == awarded
    first = pdf.pages[0].extract_text()
    assert "120/QĐ-UBND" in first and "25/12/2024" in first
