"""Nothing removed unless asked (issue 11): an import adds and updates, never removes a
violation record, and says per row what it added and changed; every save of a person's or a
unit's inputs may carry the version it was loaded with, and a stale one answers 409 with the
current row; a violation recorded elsewhere makes a grid's row stale."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from evaluation.models import Rating, Violation
from service.extensions import db

YEAR = 2025
PUT_PERSON = f"/api/v1/years/{YEAR}/people/{{}}/evaluation"
PUT_UNIT = f"/api/v1/years/{YEAR}/units/{{}}/evaluation"


def xlsx(rows: list[dict]) -> bytes:
    header = list(dict.fromkeys(k for r in rows for k in r))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(k) for k in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, headers, data, kind="person_evals", name="tep.xlsx"):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def active_codes(person):
    return sorted(
        db.session.scalars(
            select(Violation.code).where(
                Violation.person_id == person.id, Violation.removed_at.is_(None)
            )
        )
    )


def official(person):
    return db.session.scalar(
        select(Rating).where(Rating.person_id == person.id, Rating.kind == "official")
    )


@pytest.fixture
def ward(app_ctx, create_unit, create_person, create_user, bearer, create_year):
    root = create_unit("W", quota_root=True)
    unit = create_unit("W1", root)
    person = create_person(unit, code="DD00057")
    staff = create_user(roles=[("staff", root)])
    return {
        "year": create_year(YEAR),
        "root": root,
        "unit": unit,
        "person": person,
        "h": bearer(staff),
    }


def row(code="DD00057", **extra):
    return {
        "Năm": YEAR,
        "Mã cán bộ": code,
        "Chính trị tư tưởng": 5,
        "Đạo đức, lối sống": 5,
        "Tác phong, lề lối": 5,
        "Ý thức tổ chức kỷ luật": 5,
        **{f"Tháng {m}": 90 for m in range(1, 13)},
        **extra,
    }


def test_import_with_a_blank_violations_cell_keeps_the_records_and_the_rating(
    client, ward, create_person_inputs, create_violation
):
    year, person = ward["year"], ward["person"]
    create_person_inputs(year, person)
    create_violation(year, person, code="1.01", how_found="inspection", evidence="Biên bản 12")
    create_violation(year, person, code="1.03", evidence="Sổ chấm công")
    create_violation(year, person, code="2.03", evidence="Phiếu giao việc")
    before = official(person)
    assert before is not None and before.level not in ("XS", "T")  # 1.01 is serious
    level = before.level
    res = upload(client, ward["h"], xlsx([row(**{"Biểu hiện vi phạm": None})]))
    assert res.status_code == 201, res.get_json()
    assert (res.json["created"], res.json["updated"], res.json["unchanged"]) == (0, 0, 1)
    assert active_codes(person) == ["1.01", "1.03", "2.03"]
    assert official(person).level == level


def test_import_adds_codes_never_removes_and_reports_per_person(
    client, ward, create_person_inputs, create_violation, login_session
):
    year, person = ward["year"], ward["person"]
    create_person_inputs(year, person, m1=80)
    create_violation(year, person, code="1.03", evidence="Sổ chấm công")
    data = xlsx([row(**{"Tháng 1": 85, "Biểu hiện vi phạm": "1.06"})])
    res = upload(client, ward["h"], data, name="lan2.xlsx")
    assert res.status_code == 201, res.get_json()
    assert res.json["updated"] == 1
    assert active_codes(person) == ["1.03", "1.06"]  # 1.03 is not in the cell and stays
    (change,) = res.json["changes"]
    assert change["code"] == "DD00057" and change["action"] == "cập nhật" and change["row"] == 2
    assert change["text"] == "thêm vi phạm 1.06; đổi Tháng 1: 80 → 85"
    # the downloadable report lists the same
    report = client.get(f"/api/v1/imports/runs/{res.json['id']}/errors.xlsx", headers=ward["h"])
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.data)).active
    cells = [c for r in sheet.iter_rows(values_only=True) for c in r]
    assert "thêm vi phạm 1.06; đổi Tháng 1: 80 → 85" in cells and "DD00057" in cells
    # the same file again changes nothing (1.06 is recorded now)
    again = upload(client, ward["h"], data, name="lan2.xlsx")
    assert again.json["unchanged"] == 1 and again.json["changes"] == []
    assert active_codes(person) == ["1.03", "1.06"]


def test_stale_person_save_answers_409_with_the_current_row(client, ward, create_person_inputs):
    create_person_inputs(ward["year"], ward["person"])
    url, h = PUT_PERSON.format("DD00057"), ward["h"]
    loaded = client.get(url, headers=h).json
    assert loaded["version"] >= 1
    first = client.put(url, json={"m3": 70, "version": loaded["version"]}, headers=h)
    assert first.status_code == 200 and first.json["version"] == loaded["version"] + 1
    stale = client.put(url, json={"m3": 60, "version": loaded["version"]}, headers=h)
    assert stale.status_code == 409
    err = stale.json["error"]
    assert err["status"] == 409 and "version" in err["fields"] and "đã được" in err["message"]
    assert err["current"]["m3"] == "70.00" and err["current"]["version"] == first.json["version"]
    assert client.get(url, headers=h).json["m3"] == "70.00"
    # If-Match carries the version too; the current one goes through
    assert client.put(url, json={"m3": 60}, headers={**h, "If-Match": '"1"'}).status_code == 409
    ok = client.put(url, json={"m3": 60}, headers={**h, "If-Match": f'"{first.json["version"]}"'})
    assert ok.status_code == 200 and ok.json["m3"] == "60.00"
    bad = client.put(url, json={"m3": 60}, headers={**h, "If-Match": "abc"})
    assert bad.status_code == 400
    # without a version (an old client) the save goes through
    assert client.put(url, json={"m3": 50}, headers=h).status_code == 200


def test_a_row_created_since_loading_is_stale(client, ward, create_person_inputs):
    url, h = PUT_PERSON.format("DD00057"), ward["h"]
    assert client.get(url, headers=h).json["version"] == 0
    create_person_inputs(ward["year"], ward["person"])
    assert client.put(url, json={"ct": 4, "version": 0}, headers=h).status_code == 409


def test_stale_unit_save_answers_409(client, ward):
    url, h = PUT_UNIT.format("W1"), ward["h"]
    created = client.put(url, json={"ct": 4, "version": 0}, headers=h)
    assert created.status_code == 200 and created.json["version"] == 1
    assert client.put(url, json={"ct": 5, "version": 1}, headers=h).status_code == 200
    stale = client.put(url, json={"ct": 3, "version": 1}, headers=h)
    assert stale.status_code == 409
    assert stale.json["error"]["current"]["ct"] == "5.00"
    assert stale.json["error"]["current"]["unit_code"] == "W1"


def test_a_violation_recorded_elsewhere_makes_the_grid_row_stale(
    client, ward, create_person_inputs
):
    """The grid opened before 1.06 was recorded in another tab: changing one monthly score
    must not remove 1.06 (it answered with a prompt for a reason, then removed it)."""
    year, person, h = ward["year"], ward["person"], ward["h"]
    create_person_inputs(year, person)
    grid = client.get(f"/api/v1/years/{YEAR}/units/W1/people-evaluations", headers=h).json
    (shown,) = grid["items"]
    assert shown["violations"] == []
    added = client.post(
        f"/api/v1/years/{YEAR}/violations",
        json={
            "person_code": "DD00057",
            "code": "1.06",
            "evidence": "Phản ánh",
            "found_on": f"01/03/{YEAR}",
            "how_found": "complaint",
        },
        headers=h,
    )
    assert added.status_code == 201
    # what the grid sends when one monthly score changed: the cells it changed, its version
    res = client.put(
        PUT_PERSON.format("DD00057"), json={"m5": 80, "version": shown["version"]}, headers=h
    )
    assert res.status_code == 409
    assert res.json["error"]["current"]["violations"] == ["1.06"]
    assert active_codes(person) == ["1.06"]
    # keeping the clerk's value: saved again with the current version, 1.06 stays
    current = res.json["error"]["current"]["version"]
    res = client.put(PUT_PERSON.format("DD00057"), json={"m5": 80, "version": current}, headers=h)
    assert res.status_code == 200 and res.json["m5"] == "80.00"
    assert active_codes(person) == ["1.06"]


def test_removing_a_code_in_a_save_names_it(client, ward, create_person_inputs, create_violation):
    create_person_inputs(ward["year"], ward["person"])
    create_violation(ward["year"], ward["person"], code="1.06", evidence="x")
    res = client.put(PUT_PERSON.format("DD00057"), json={"violations": []}, headers=ward["h"])
    assert res.status_code == 400
    assert "1.06" in res.json["error"]["message"]
    assert "1.06" in " ".join(res.json["error"]["fields"]["violations_removal_reason"])


def test_the_import_page_lists_what_each_row_did(
    client, ward, create_person_inputs, create_violation, create_user, login_session
):
    year, person = ward["year"], ward["person"]
    create_person_inputs(year, person, m1=80)
    create_violation(year, person, code="1.03", evidence="Sổ chấm công")
    login_session(client, create_user(roles=[("staff", ward["root"])]))
    page = client.get("/imports").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert "không bao giờ bị gỡ qua tệp" in page
    data = xlsx([row(**{"Tháng 1": 85, "Biểu hiện vi phạm": "1.06"})])
    res = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "person_evals", "file": (io.BytesIO(data), "t.xlsx")},
        content_type="multipart/form-data",
    )
    html = res.get_data(as_text=True)
    assert 'id="import-changes"' in html
    assert "thêm vi phạm 1.06; đổi Tháng 1: 80 → 85" in html
    assert "Tải báo cáo thay đổi" in html


def test_a_save_never_removes_a_violation_it_did_not_show_even_without_an_input_row(client, ward):
    """The person had no input row (version 0) when the grid opened; 1.06 is recorded in another
    tab; the clerk then types 1.01 in the violations cell: the save carries the codes it showed
    ([]) and is refused with the current records instead of replacing 1.06."""
    person, h = ward["person"], ward["h"]
    added = client.post(
        f"/api/v1/years/{YEAR}/violations",
        json={"person_code": "DD00057", "code": "1.06", "found_on": "02/03/2025",
              "how_found": "other", "evidence": "Phản ánh của người dân"},
        headers=h,
    )  # fmt: skip
    assert added.status_code == 201, added.json
    body = {"violations": ["1.01"], "violations_shown": [], "version": 0}
    res = client.patch(PUT_PERSON.format("DD00057"), json=body, headers=h)
    assert res.status_code == 409, res.json
    assert res.json["error"]["current"]["violations"] == ["1.06"]
    assert active_codes(person) == ["1.06"]
    # having seen 1.06, the clerk adds 1.01 beside it
    body = {"violations": ["1.06", "1.01"], "violations_shown": ["1.06"], "version": 0}
    res = client.patch(PUT_PERSON.format("DD00057"), json=body, headers=h)
    assert res.status_code == 200, res.json
    assert sorted(active_codes(person)) == ["1.01", "1.06"]
