"""Large exports run as jobs (issue 14 item 3): above EXPORT_JOB_MIN_ROWS the export answers
202 with a job whose file is kept for the user who asked (others 404), removed once expired;
a full disk or a unit deleted meanwhile fails the job and leaves no file; HR's home lists the
exports and the recent jobs."""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
import time
import zipfile

import openpyxl
import pytest

from service.common import spreadsheets
from service.extensions import db
from service.jobs import get_progress, runners
from service.jobs.models import Job
from tests.evaluation import test_exports
from tests.evaluation.test_exports import HEADER_ROW, YEAR

ward = test_exports.ward  # the rating list's fixture: a ward, its office, two people, HR

API = f"/api/v1/years/{YEAR}/exports"


@pytest.fixture
def as_job(app, tmp_path):
    """Every export of more than one row written by a job; its files kept in tmp_path."""
    folder = tmp_path / "exports"
    keys = ("EXPORT_JOB_MIN_ROWS", "EXPORT_DIR")
    old = {k: app.config[k] for k in keys}
    app.config.update(EXPORT_JOB_MIN_ROWS=1, EXPORT_DIR=str(folder))
    yield folder
    app.config.update(old)


@pytest.fixture
def queued(monkeypatch):
    """Jobs are queued, not run inline: the test runs them with runners.run (as a worker)."""
    monkeypatch.setattr(runners, "runner", lambda: "thread")
    monkeypatch.setattr(runners, "_dispatch", lambda app, ids: None)


def fetch(client, url):
    """GET a download and close it (a file response holds its file open until closed)."""
    res = client.get(url)
    res.get_data()  # buffered before the file is closed
    res.close()
    return res


def files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_large_export_is_a_job_whose_file_only_its_owner_downloads(
    client, ward, as_job, login_session, create_user
):
    login_session(client, ward["hr"])
    res = client.get(f"{API}/ratings.xlsx?unit=EW")
    assert res.status_code == 202, res.get_data(as_text=True)[:500]
    job = res.get_json()["job"]
    assert job["kind"] == "export" and job["status"] == "done", job
    assert job["done"] == job["total"] >= 3 and job["percent"] == 100
    assert job["result"]["filename"] == f"ket_qua_xep_loai_{YEAR}_EW.xlsx"
    assert job["download_url"] == f"/api/v1/exports/{job['id']}.xlsx"
    assert [n for n in files(as_job) if not n.endswith(".xlsx")] == []  # no partial file
    assert len(files(as_job)) == 1
    got = fetch(client, job["download_url"])
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    assert f"ket_qua_xep_loai_{YEAR}_EW.xlsx" in got.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(got.data))["Công chức, viên chức"]
    codes = [r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    assert sorted(codes[:-1]) == ["EW01", "EW02"] and codes[-1] == "Tổng số"
    assert client.get(f"/api/v1/jobs/{job['id']}").get_json()["download_url"]
    mine = client.get("/api/v1/exports/jobs").get_json()["items"]
    assert [j["id"] for j in mine] == [job["id"]]
    # the same reach, an administrator: the file is not theirs
    for other in (create_user(roles=[("hr", ward["ward"])]), create_user(roles=[("admin", None)])):
        login_session(client, other)
        assert fetch(client, job["download_url"]).status_code == 404
        assert client.get("/api/v1/exports/jobs").get_json()["items"] == []
    login_session(client, create_user(roles=[("hr", ward["ward"])]))
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 404


def test_under_the_threshold_the_file_comes_at_once(client, ward, as_job, login_session):
    login_session(client, ward["hr"])
    res = client.get(f"{API}/ratings.xlsx?unit=EW-E")  # no rows: under EXPORT_JOB_MIN_ROWS
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    res = client.get(f"{API}/statistics.xlsx?unit=EW")  # a few rows whatever the subtree
    assert res.status_code == 200
    assert db.session.query(Job).filter_by(kind="export").count() == 0
    assert files(as_job) == []


def test_expired_files_are_removed_by_the_next_export_and_the_command(
    app, client, ward, as_job, login_session
):
    login_session(client, ward["hr"])
    first = client.get(f"{API}/ratings.xlsx?unit=EW").get_json()["job"]
    (kept,) = files(as_job)
    old = time.time() - 25 * 3600
    os.utime(as_job / kept, (old, old))
    (as_job / ".dead.xlsx.part").write_bytes(b"half")  # a crashed job's partial file
    os.utime(as_job / ".dead.xlsx.part", (old, old))
    second = client.get(f"{API}/ratings.xlsx?unit=EW").get_json()["job"]  # the next export
    assert files(as_job) == [second["result"]["file"]]
    assert fetch(client, first["download_url"]).status_code == 404  # its file is gone
    os.utime(as_job / second["result"]["file"], (old, old))
    out = app.test_cli_runner().invoke(args=["exports-cleanup"])
    assert out.exit_code == 0 and "Đã xóa 1 tệp" in out.output, out.output
    assert files(as_job) == []
    # a file still there but past its keeping time is not served (and goes)
    third = client.get(f"{API}/ratings.xlsx?unit=EW").get_json()["job"]
    row = db.session.get(Job, third["id"])
    past = (dt.datetime.now() - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
    row.result = {**row.result, "expires_at": past}
    db.session.commit()
    assert client.get(f"/api/v1/jobs/{third['id']}").get_json()["download_url"] is None
    assert fetch(client, third["download_url"]).status_code == 404
    assert files(as_job) == []


def _start(client, ward, login_session, unit="EW"):
    login_session(client, ward["hr"])
    res = client.get(f"{API}/ratings.xlsx?unit={unit}")
    assert res.status_code == 202, res.get_data(as_text=True)[:300]
    job = res.get_json()["job"]
    assert job["status"] == "queued"
    return job["id"]


def test_a_queued_export_reports_its_progress_and_ends_with_the_file(
    app, client, ward, as_job, login_session, queued, monkeypatch
):
    job_id = _start(client, ward, login_session)
    monkeypatch.setattr(spreadsheets, "PROGRESS_EVERY", 1)
    seen = []
    real = spreadsheets._write_row

    def watching(*args, **kwargs):
        real(*args, **kwargs)
        seen.append(get_progress(job_id))

    monkeypatch.setattr(spreadsheets, "_write_row", watching)
    with app.app_context():
        runners.run(job_id)
    job = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "done", job
    assert any(p and p[0] >= 1 and p[2].startswith("Đã ghi") for p in seen), seen
    assert fetch(client, job["download_url"]).status_code == 200
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Tải về" in page and job["download_url"] in page


def test_a_full_disk_fails_the_job_and_leaves_no_half_file(
    app, client, ward, as_job, login_session, queued, monkeypatch
):
    job_id = _start(client, ward, login_session)
    calls = []

    def full_disk(real):
        def write(self, *args, **kwargs):
            calls.append(1)
            if len(calls) > 2:  # some bytes are on disk already
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, *args, **kwargs)

        return write

    for name in ("write", "writestr"):
        monkeypatch.setattr(zipfile.ZipFile, name, full_disk(getattr(zipfile.ZipFile, name)))
    with app.app_context():
        runners.run(job_id)
    monkeypatch.undo()
    job = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "failed" and "Hết dung lượng đĩa" in job["message"], job
    assert job["download_url"] is None and len(calls) > 2
    assert files(as_job) == []
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Hết dung lượng đĩa" in page


def test_an_export_job_for_a_unit_deleted_meanwhile_fails_cleanly(
    app, client, ward, as_job, login_session, queued
):
    app.config["EXPORT_JOB_MIN_ROWS"] = -1  # even an empty unit's export is a job
    job_id = _start(client, ward, login_session, unit="EW-E")
    db.session.delete(ward["empty"])
    db.session.commit()
    with app.app_context():
        runners.run(job_id)
    job = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "failed" and "EW-E đã bị xóa" in job["message"], job
    assert files(as_job) == []


def test_the_page_buttons_follow_the_job_and_hr_home_lists_exports_and_jobs(
    client, ward, as_job, login_session
):
    login_session(client, ward["hr"])
    assert client.get("/").location.endswith("/evaluation/exports")
    home = client.get(f"/evaluation/{YEAR}/exports").get_data(as_text=True)
    link = f"/evaluation/{YEAR}/exports/ratings.xlsx?unit=EW"
    assert link in home and f"/evaluation/{YEAR}/exports/statistics.xlsx?unit=EW" in home
    assert "Chưa có lần xuất nào" in home
    res = client.get(link)
    assert res.status_code == 302 and "/jobs/" in res.location, res.get_data(as_text=True)[:300]
    job_id = int(re.search(r"/jobs/(\d+)", res.location).group(1))
    page = client.get(res.location).get_data(as_text=True)
    assert "Tải về" in page and f"/api/v1/exports/{job_id}.xlsx" in page
    home = client.get(f"/evaluation/{YEAR}/exports").get_data(as_text=True)
    assert 'id="recent-exports"' in home and f"/api/v1/exports/{job_id}.xlsx" in home
    assert "hoàn thành" in home
    small = client.get(f"/evaluation/{YEAR}/exports/ratings.xlsx?unit=EW-E")
    assert small.status_code == 200 and small.mimetype.endswith("spreadsheetml.sheet")
