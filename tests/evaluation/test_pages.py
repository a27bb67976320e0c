"""Evaluation pages: years and rule pack, dashboard, entry grid, rating list with its actions,
a person's own result, reach and CSRF."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from service.extensions import db

YEAR = 2025


@pytest.fixture
def ward(create_unit, create_person, create_user, create_year):
    w = create_unit("PW", quota_root=True)
    office = create_unit("PW-O", w)
    people = [create_person(office, code=f"PW{i:02d}", is_party_member=i < 2) for i in range(4)]
    admin = create_user(roles=[("admin", None)])
    create_year(YEAR)
    return {
        "ward": w,
        "office": office,
        "people": people,
        "admin": admin,
        "staff": create_user(roles=[("staff", w)]),
        "committee": create_user(roles=[("committee", w)]),
        "outsider": create_user(roles=[("staff", create_unit("OTHER"))]),
    }


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _enter(client, code, score):
    html = client.get(f"/evaluation/{YEAR}/units/PW-O/entry").get_data(as_text=True)
    body = {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": score for m in range(1, 13)}}
    res = client.put(
        f"/api/v1/years/{YEAR}/people/{code}/evaluation",
        json=body,
        headers={"X-CSRFToken": _csrf(html)},
    )
    assert res.status_code == 200, res.get_json()


def test_admin_opens_a_year_and_edits_the_pack_with_validation(client, ward, login_session):
    login_session(client, ward["admin"])
    html = client.get("/evaluation/").get_data(as_text=True)
    assert "Mở năm đánh giá mới" in html and str(YEAR) in html
    # a year refused (open already) is told at the form, the year typed kept
    res = client.post("/evaluation/years", data={"year": str(YEAR), "csrf_token": _csrf(html)})
    page = res.get_data(as_text=True)
    assert (
        res.status_code == 400
        and f'name="year" min="2000" max="2100" required value="{YEAR}"' in page
    )
    assert 'class="field-error"' in page
    res = client.post("/evaluation/years", data={"year": "2026", "csrf_token": _csrf(html)})
    assert res.status_code == 302 and res.location.endswith("/evaluation/2026/pack")
    page = client.get("/evaluation/2026/pack").get_data(as_text=True)
    assert "A10 tỷ lệ XS so với T (%)" in page and "1.01" in page
    res = client.post("/evaluation/2026/pack", data={"a10_p": "150", "csrf_token": _csrf(page)})
    assert res.status_code == 400 and "phải từ 0 đến 100" in res.get_data(as_text=True)
    res = client.post("/evaluation/2026/pack", data={"a10_p": "25", "csrf_token": _csrf(page)})
    assert res.status_code == 302
    assert 'value="25"' in client.get("/evaluation/2026/pack").get_data(as_text=True)
    # without the CSRF token nothing changes
    res = client.post("/evaluation/2026/pack", data={"a10_p": "30"})
    assert res.status_code == 400
    assert 'value="25"' in client.get("/evaluation/2026/pack").get_data(as_text=True)


def test_staff_sees_grid_results_and_only_the_allowed_actions(client, ward, login_session):
    login_session(client, ward["staff"])
    page = client.get(f"/evaluation/{YEAR}/units/PW-O/entry").get_data(as_text=True)
    assert page.count(' data-url="/api/v1/years/2025/people/') == 4
    assert "Chưa nhập" in page and "grid.js" in page
    for i, score in enumerate((95, 80, 70, 20)):
        _enter(client, f"PW{i:02d}", score)
    page = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    assert page.count('<tr data-code="PW0') == 4 + 2  # official + party ratings
    assert 'data-action="submit"' in page and 'data-action="approve"' not in page
    assert "A2: điểm" in page  # the why, in Vietnamese, with its figures
    # the page shows the API's "why", word for word but for the decimal comma (no codes here)
    api = client.get(f"/api/v1/years/{YEAR}/units/PW-O/ratings").get_json()
    messages = [s["message_vi"] for it in api["items"] for s in it["why"]]
    assert any("→ Xuất sắc" in m for m in messages)
    for m in messages:
        assert str(escape(re.sub(r"(\d)\.(\d)", r"\1,\2", m))) in page, m
    dash = client.get(f"/evaluation/{YEAR}?unit=PW").get_data(as_text=True)
    assert "Đang nhập" in dash and ">4<" in dash
    me = client.get(f"/evaluation/{YEAR}/people/PW03").get_data(as_text=True)
    assert "Không hoàn thành nhiệm vụ" in me and "A3" in me


def test_committee_pages_show_approve_and_return_only_when_submitted(client, ward, login_session):
    login_session(client, ward["staff"])
    for i in range(4):
        _enter(client, f"PW{i:02d}", 80)
    page = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/units/PW-O/review/submit", data={"csrf_token": _csrf(page)}
    )
    assert res.status_code == 302
    login_session(client, ward["committee"])
    page = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    assert 'data-action="approve"' in page and 'data-action="return"' in page
    assert 'data-action="submit"' not in page
    res = client.post(
        f"/evaluation/{YEAR}/units/PW-O/review/return",
        data={"csrf_token": _csrf(page), "reason": ""},
        follow_redirects=True,
    )
    assert "cần có lý do" in res.get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/units/PW-O/review/approve",
        data={"csrf_token": _csrf(page)},
        follow_redirects=True,
    )
    assert "Đã phê duyệt" in res.get_data(as_text=True)


def test_pages_outside_reach_are_not_found(client, ward, login_session):
    login_session(client, ward["outsider"])
    assert client.get(f"/evaluation/{YEAR}/units/PW-O/entry").status_code == 404
    assert client.get(f"/evaluation/{YEAR}/units/PW-O").status_code == 404
    assert client.get(f"/evaluation/{YEAR}/people/PW00").status_code == 404
    assert client.get(f"/evaluation/{YEAR}?unit=PW").status_code == 404


def test_a_person_sees_their_own_result(client, ward, create_user, login_session):
    login_session(client, ward["staff"])
    _enter(client, "PW01", 85)
    own = create_user()  # no role at all, linked to their own record
    own.person_id = ward["people"][1].id
    db.session.commit()
    login_session(client, own)
    res = client.get("/evaluation/me")
    assert res.status_code == 302 and res.location.endswith(f"/evaluation/{YEAR}/people/PW01")
    page = client.get(res.location).get_data(as_text=True)
    assert "Hoàn thành tốt nhiệm vụ" in page and "A2: điểm" in page
    assert "A3: mức Tốt từ 70 đến dưới 90 điểm; điểm" in page
    # no link leads them to a refusal: the year's page and the unit tree need a role
    assert f'href="/evaluation/{YEAR}"' not in page and 'href="/units"' not in page
    # and nobody else's
    assert client.get(f"/evaluation/{YEAR}/people/PW00").status_code == 404


def test_recompute_button_shows_the_job_progress_page(client, ward, login_session):
    login_session(client, ward["admin"])
    page = client.get(f"/evaluation/{YEAR}?unit=PW").get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/compute",
        data={"csrf_token": _csrf(page), "unit": "PW", "back": "/evaluation/2025?unit=PW"},
    )
    assert res.status_code == 302 and "/jobs/" in res.location
    job = client.get(res.location).get_data(as_text=True)
    assert "hoàn thành" in job and "<progress" in job


def test_violation_recorded_and_removed_from_the_person_page(client, ward, login_session):
    login_session(client, ward["staff"])
    _enter(client, "PW02", 90)
    page = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    assert 'id="add-violation"' in page
    res = client.post(
        f"/evaluation/{YEAR}/people/PW02/violations",
        data={
            "csrf_token": _csrf(page),
            "code": "1.03",
            "found_on": f"03/04/{YEAR}",
            "how_found": "complaint",
            "evidence": "Đơn phản ánh ngày 02/04",
        },
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Đã ghi nhận vi phạm 1.03" in html and "03/04/2025" in html
    assert "phản ánh, khiếu nại" in html and "A5" in html  # the rating changed with it
    bad = client.post(
        f"/evaluation/{YEAR}/people/PW02/violations",
        data={"csrf_token": _csrf(page), "code": "1.03", "found_on": "31/02/2025"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Ngày không hợp lệ" in bad
    from evaluation.models import Violation

    vid = db.session.scalar(db.select(Violation.id).where(Violation.code == "1.03"))
    res = client.post(
        f"/evaluation/{YEAR}/violations/{vid}/remove",
        data={"csrf_token": _csrf(page), "reason": "Đã xác minh: không vi phạm"},
        follow_redirects=True,
    )
    assert "đã gỡ (Đã xác minh: không vi phạm)" in res.get_data(as_text=True)


def test_history_through_the_api_and_on_the_person_page(client, ward, bearer, login_session):
    h = bearer(ward["staff"])
    url = "/api/v1/people/PW00/history"
    body = {"official_level": "XS", "party_level": "XS", "awards": ["CSTDCS", "LDTT"]}
    res = client.put(f"{url}/2023", json={**body, "initiatives_base": 1}, headers=h)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["awards"] == ["CSTDCS", "LDTT"]
    assert client.put(f"{url}/2024", json={"awards": ["XYZ"]}, headers=h).status_code == 400
    assert client.put(f"{url}/2024", json={"official_level": "A"}, headers=h).status_code == 400
    # an open year is computed here, not imported as history
    assert client.put(f"{url}/{YEAR}", json=body, headers=h).status_code == 409
    res = client.put(f"{url}/2031", json=body, headers=h)  # a year still to come
    assert res.status_code == 400 and "chưa tới" in res.get_json()["error"]["message"]
    assert [i["year"] for i in client.get(url, headers=h).get_json()["items"]] == [2023]
    login_session(client, ward["staff"])
    page = client.get(f"/evaluation/{YEAR}/people/PW00").get_data(as_text=True)
    assert "Kết quả các năm trước" in page
    assert "Chiến sĩ thi đua cơ sở; Lao động tiên tiến" in page  # names, not codes


def test_admin_edits_the_catalog_until_a_list_is_approved(client, ward, login_session):
    login_session(client, ward["admin"])
    page = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/catalog/1.04",
        data={
            "csrf_token": _csrf(page),
            "title": "Sử dụng thời gian làm việc để làm việc riêng (nguyên văn phụ lục)",
            "applies_to": "individual",
            "severity": "serious",
        },
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Đã lưu mục 1.04" in html and "(nguyên văn phụ lục)" in html
    res = client.post(
        f"/evaluation/{YEAR}/catalog/1.04",
        data={"csrf_token": _csrf(page), "title": "", "applies_to": "x", "severity": "minor"},
        follow_redirects=True,
    )
    assert "Phải là một trong" in res.get_data(as_text=True)
    from evaluation.models import ViolationTypeRow

    row = db.session.scalar(db.select(ViolationTypeRow).where(ViolationTypeRow.code == "1.04"))
    assert row.severity == "serious" and row.title.endswith("(nguyên văn phụ lục)")
