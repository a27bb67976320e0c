"""HR (noivu) lands on "Xuất bảng tính", asks for a rating list big enough to be a job (the
production thread runner), follows the job page until "Tải về", downloads the file, and finds
the job among the recent exports of the page."""

from __future__ import annotations

import os

import openpyxl
import pytest

from service.config import TestConfig
from tests.browser.servers import demo_server
from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import YEAR, browser, login  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def export_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("export-e2e")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{base / 'eval.db'}"
        JOBS_RUN = "thread"  # as in production without Redis
        EXPORT_JOB_MIN_ROWS = 5  # the demo's rating list is larger: a job
        EXPORT_DIR = str(base / "exports")

    with demo_server(Cfg) as url:
        yield url, base / "exports"


def test_hr_exports_a_large_rating_list_through_a_job(browser, export_server, tmp_path):  # noqa: F811
    server, folder = export_server
    page = login(browser, server, "noivu")
    assert page.url.endswith(f"/evaluation/{YEAR}/exports")
    assert page.locator("#recent-exports").count() == 1
    page.click("a[data-export=ratings] >> nth=0")
    page.wait_for_url("**/jobs/**")
    link = page.locator("#job-download a")
    link.wait_for(state="visible", timeout=30_000)
    assert page.locator("#job-status").inner_text() == "hoàn thành"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith(f"ket_qua_xep_loai_{YEAR}_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = openpyxl.load_workbook(path)["Công chức, viên chức"]
    assert ws["A7"].value == "Mã cán bộ" and ws["A8"].value
    assert [p.suffix for p in folder.iterdir()] == [".xlsx"]  # kept whole, no partial file
    page.click("#job-back")
    page.wait_for_selector("#recent-exports a.button")
    assert "hoàn thành" in page.locator("#recent-exports").inner_text()
    page.context.close()
