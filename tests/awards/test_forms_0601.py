"""Biểu 0601 (TT 02/2023, issue 13 item 6) through the exports API as HR takes it: the title
block, row and column codes, totals against the hand count of forms_fixtures; the period's
boundaries (a decision on the last day counts, one on the day after does not); a unit outside
the chosen subtree, a refused, a removed nomination and a party badge not counted; the user's
reach; a bad period refused; a large scope written by an export job."""

from __future__ import annotations

import io

import openpyxl

from service.extensions import db
from service.jobs.models import Job
from tests.awards import forms_fixtures
from tests.awards import test_award_lists as base
from tests.awards.forms_fixtures import API, export, read_form, values

year = base.year
decided = forms_fixtures.decided

# hand count: [tổng số, tập thể, cá nhân, danh hiệu thi đua, hình thức khen thưởng]
LIST_A = [6, 2, 4, 4, 2]
LIST_B = [2, 1, 1, 2, 0]


def test_0601_by_submitting_unit_with_its_codes_and_totals(client, decided):
    res = export(client, decided["hr"], "tt02_0601", "R", "01/01/2025", "31/12/2025")
    assert "bieu_0601_2025_R.xlsx" in res.headers["Content-Disposition"]
    form = read_form(res.data, "0601")
    texts = form["texts"]
    assert "Biểu số 0601.N/BNV-TĐKT" in texts
    assert "KHEN THƯỞNG THEO ĐƠN VỊ TRÌNH" in texts
    assert "Từ ngày 01/01/2025 đến ngày 31/12/2025" in texts
    assert "Đơn vị báo cáo: Đơn vị R" in texts
    assert "Người lập biểu" in texts and "Thủ trưởng đơn vị" in texts
    assert any(t.startswith("Hà Nội, ngày ") and " tháng " in t and " năm " in t for t in texts)
    assert form["codes"] == ["1", "2", "3", "4", "5"]
    # B's list was decided on 01/01/2026, the day after the period: not a row
    assert form["rows"] == {"01": ("Tổng số", LIST_A), "02": ("A — Đơn vị A", LIST_A)}


def test_0601_the_day_after_counts_in_the_next_period(client, decided):
    res = export(client, decided["hr"], "tt02_0601", "R", "01/01/2025", "01/01/2026")
    got = read_form(res.data, "0601")["rows"]
    assert got["02"] == ("A — Đơn vị A", LIST_A) and got["03"] == ("B — Đơn vị B", LIST_B)
    assert got["01"] == ("Tổng số", [a + b for a, b in zip(LIST_A, LIST_B, strict=True)])
    # a period that starts the day after A's decision: only B
    res = export(client, decided["hr"], "tt02_0601", "R", "01/01/2026", "31/12/2026")
    assert values(read_form(res.data, "0601")) == {"01": LIST_B, "02": LIST_B}
    # a period that ends the day before it: nothing
    res = export(client, decided["hr"], "tt02_0601", "R", "01/01/2025", "30/12/2025")
    assert values(read_form(res.data, "0601")) == {"01": [0, 0, 0, 0, 0]}


def test_0601_a_unit_outside_the_subtree_is_not_counted(client, decided):
    res = export(client, decided["hr"], "tt02_0601", "A", "01/01/2025", "31/12/2026")
    assert values(read_form(res.data, "0601")) == {"01": LIST_A, "02": LIST_A}
    res = export(client, decided["hr"], "tt02_0601", "B", "01/01/2025", "31/12/2026")
    assert values(read_form(res.data, "0601")) == {"01": LIST_B, "02": LIST_B}


def test_the_default_period_is_the_year(client, decided):
    res = export(client, decided["hr"], "tt02_0601", "R")
    form = read_form(res.data, "0601")
    assert "Từ ngày 01/01/2025 đến ngày 31/12/2025" in form["texts"]
    assert values(form)["01"] == LIST_A


def test_a_bad_period_is_refused_and_the_reach_is_checked(client, tree, decided):
    hr = decided["hr"]
    res = client.get(f"{API}/tt02_0601.xlsx?unit=R&from=31/12/2025&to=01/01/2025", headers=hr)
    assert res.status_code == 400 and "to" in res.get_json()["error"]["fields"], res.get_json()
    res = client.get(f"{API}/tt02_0601.xlsx?unit=R&from=32/01/2025", headers=hr)
    assert res.status_code == 400 and "from" in res.get_json()["error"]["fields"]
    # staff of B may not export A's subtree
    res = client.get(f"{API}/tt02_0601.xlsx?unit=A", headers=tree["headers"]["staff_b"])
    assert res.status_code in (403, 404)


def test_all_five_forms_in_one_workbook(client, decided):
    res = export(client, decided["hr"], "tt02", "R", "01/01/2025", "31/12/2025")
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == ["Biểu 0601", "Biểu 0602", "Biểu 0603", "Biểu 0604", "Biểu 0605"]


def test_a_large_scope_is_an_export_job_downloaded_by_its_owner(app, client, decided, tmp_path):
    old = {k: app.config[k] for k in ("EXPORT_JOB_MIN_ROWS", "EXPORT_DIR")}
    app.config.update(EXPORT_JOB_MIN_ROWS=1, EXPORT_DIR=str(tmp_path / "exports"))
    try:
        res = client.get(
            f"{API}/tt02_0605.xlsx?unit=R&from=01/01/2025&to=31/12/2025", headers=decided["hr"]
        )
        assert res.status_code == 202, res.get_data(as_text=True)[:500]
        job = res.get_json()["job"]
        # its progress counts the awards read (the party badge too, which no form counts)
        assert job["status"] == "done" and job["done"] == job["total"] == 7, job
        stored = db.session.get(Job, job["id"])
        assert stored.params["options"] == {"start": "2025-01-01", "end": "2025-12-31"}
        got = client.get(job["download_url"], headers=decided["hr"])
        assert got.status_code == 200
        data = got.get_data()
        got.close()
        form = read_form(data, "0605")
        assert values(form)["01"] == [1, 6, 2, 4, 4, 2]
    finally:
        app.config.update(old)
