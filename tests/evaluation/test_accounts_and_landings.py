"""Every person sees their own result (issue 11 item 4): an administrator links an account to a
person (page, API, the "Tên đăng nhập" column of the "Cán bộ" import), creates accounts for the
people of a unit with one-time passwords shown once (and as xlsx) that must be changed at the
first login; "Kết quả của tôi" opens the latest year with a result; each role lands on its
work."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from service.auth.models import User
from service.extensions import db
from tests.service.test_imports import upload, xlsx

YEAR = 2025


def _csrf(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": _csrf(page)}
    )


@pytest.fixture
def world(client, create_unit, create_person, create_user, bearer, create_year):
    ward = create_unit("AW", name="Phường Ánh Dương", quota_root=True)
    office = create_unit("AW-VP", ward, name="Văn phòng phường Ánh Dương")
    people = [create_person(office, code=f"AW{i:02d}") for i in range(3)]
    create_year(YEAR)
    create_year(YEAR + 1)  # a newer year with no result for anyone yet
    admin = create_user("quantri", roles=[("admin", None)])
    body = {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": 90 for m in range(1, 13)}}
    res = client.put(
        f"/api/v1/years/{YEAR}/people/AW00/evaluation", json=body, headers=bearer(admin)
    )
    assert res.status_code == 200, res.get_json()
    return {
        "ward": ward,
        "office": office,
        "people": people,
        "admin": admin,
        "h": {"admin": bearer(admin)},
        "staff": create_user("nhaplieu", roles=[("staff", ward)]),
        "committee": create_user("thuongtruc", roles=[("committee", ward)]),
        "hr": create_user("noivu2", roles=[("hr", ward)]),
        "plain": create_user("taikhoan"),
    }


def test_api_links_an_account_to_a_person_who_then_sees_their_result(client, world, bearer):
    h = world["h"]["admin"]
    plain = world["plain"]
    res = client.patch(f"/api/v1/users/{plain.id}", json={"person_code": "AW00"}, headers=h)
    assert res.status_code == 200 and res.get_json()["person_code"] == "AW00"
    own = bearer(plain)
    res = client.get(f"/api/v1/years/{YEAR}/people/AW00/ratings", headers=own)
    assert res.status_code == 200 and res.get_json()["items"]
    # not someone else's
    assert client.get(f"/api/v1/years/{YEAR}/people/AW01/ratings", headers=own).status_code == 404
    # one account per person; an unknown code is refused; nothing changes
    other = world["staff"]
    res = client.patch(f"/api/v1/users/{other.id}", json={"person_code": "AW00"}, headers=h)
    assert res.status_code == 409 and "taikhoan" in res.get_json()["error"]["message"]
    res = client.patch(f"/api/v1/users/{other.id}", json={"person_code": "NOPE"}, headers=h)
    assert res.status_code == 400
    assert db.session.get(User, other.id).person_id is None
    res = client.patch(f"/api/v1/users/{plain.id}", json={"person_code": None}, headers=h)
    assert res.status_code == 200 and res.get_json()["person_code"] is None
    # administrators only
    staff = bearer(world["staff"])
    res = client.patch(f"/api/v1/users/{plain.id}", json={"person_code": "AW00"}, headers=staff)
    assert res.status_code == 403


def test_accounts_for_a_unit_one_time_passwords_changed_at_first_login(client, world):
    h = world["h"]["admin"]
    res = client.post("/api/v1/units/AW-VP/accounts", json={}, headers=h)
    assert res.status_code == 201, res.get_json()
    items = res.get_json()["items"]
    assert [i["username"] for i in items] == ["aw00", "aw01", "aw02"]
    # a second time: everyone has an account, nothing more is created
    again = client.post("/api/v1/units/AW-VP/accounts", json={}, headers=h).get_json()
    assert again["items"] == []
    first = items[0]
    res = _login(client, first["username"], first["password"])
    assert res.status_code == 302 and "/account/password" in res.location
    # every page leads to the password change until it is done
    res = client.get(f"/evaluation/{YEAR}/people/AW00")
    assert res.status_code == 302 and "/account/password" in res.location
    page = client.get("/account/password").get_data(as_text=True)
    assert "mật khẩu ban đầu" in page
    res = client.post(
        "/account/password",
        data={"current": "sai", "new": "matkhaumoi1", "confirm": "matkhaumoi1",
              "csrf_token": _csrf(page)},
    )  # fmt: skip
    assert res.status_code == 200 and "không đúng" in res.get_data(as_text=True)
    res = client.post(
        "/account/password",
        data={"current": first["password"], "new": "matkhaumoi1", "confirm": "matkhaumoi1",
              "csrf_token": _csrf(page)},
    )  # fmt: skip
    assert res.status_code == 302
    # lands on their own result, in the latest year that has one (not the empty newer year)
    res = client.get("/")
    assert res.status_code == 302 and res.location.endswith("/evaluation/me")
    res = client.get("/evaluation/me")
    assert res.location.endswith(f"/evaluation/{YEAR}/people/AW00")
    page = client.get(res.location).get_data(as_text=True)
    assert "Vì sao" in page and str(YEAR + 1) in page  # every year is listed


def test_accounts_page_shows_passwords_once_with_a_spreadsheet(client, world, login_session):
    login_session(client, world["admin"])
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert 'list="unit-choices"' in page and "AW-VP — Văn phòng phường Ánh Dương" in page
    res = client.post(
        "/admin/accounts",
        data={"unit": "AW-VP — Văn phòng phường Ánh Dương", "csrf_token": _csrf(page)},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "Đã tạo 3 tài khoản" in html
    data = re.search(r'href="data:[^;]+;base64,([^"]+)"', html).group(1)
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data)))
    rows = [
        r for r in wb.active.iter_rows(values_only=True) if r and r[0] and r[0].startswith("AW")
    ]
    assert [r[2] for r in rows] == ["aw00", "aw01", "aw02"] and all(len(r[3]) == 10 for r in rows)
    assert rows[0][3] in html
    users = db.session.scalars(select(User).where(User.username.in_(["aw00", "aw01"]))).all()
    assert all(u.must_change_password and u.person_id for u in users)
    # an unknown unit is refused, nothing created
    res = client.post("/admin/accounts", data={"unit": "Không có", "csrf_token": _csrf(page)})
    assert "Không tìm thấy đơn vị" in res.get_data(as_text=True)


def test_user_page_links_a_person_and_picks_a_role_unit_by_name(client, world, login_session):
    login_session(client, world["admin"])
    plain = world["plain"]
    page = client.get(f"/admin/users/{plain.id}").get_data(as_text=True)
    # no role is chosen by default
    assert '<option selected value="">— Chọn quyền —</option>' in page or (
        'value="">— Chọn quyền —' in page and 'selected value="admin"' not in page
    )
    res = client.post(
        f"/admin/users/{plain.id}",
        data={"action": "grant", "role-role": "staff", "role-unit_code": "aw-vp",
              "role-csrf_token": _csrf(page)},
    )  # fmt: skip
    assert res.status_code == 302
    res = client.post(
        f"/admin/users/{plain.id}",
        data={"action": "grant", "role-role": "committee",
              "role-unit_code": "AW — Phường Ánh Dương", "role-csrf_token": _csrf(page)},
    )  # fmt: skip
    assert res.status_code == 302
    user = db.session.get(User, plain.id)
    db.session.refresh(user)
    assert sorted((r.role.value, r.unit.code) for r in user.roles) == [
        ("committee", "AW"),
        ("staff", "AW-VP"),
    ]
    res = client.post(
        f"/admin/users/{plain.id}",
        data={"action": "link", "link-person_code": "AW02", "link-csrf_token": _csrf(page)},
    )
    assert res.status_code == 302
    page = client.get(f"/admin/users/{plain.id}").get_data(as_text=True)
    assert "AW02" in page and "Bỏ gắn" in page


def test_people_import_links_accounts_by_username_all_or_nothing(client, world, bearer):
    h = world["h"]["admin"]
    head = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Tên đăng nhập"]
    bad = xlsx([head, ["AW01", "Lê Văn Một", "AW-VP", "taikhoan"],
                ["AW02", "Lê Văn Hai", "AW-VP", "khongco"]])  # fmt: skip
    res = upload(client, h, "people", bad)
    assert res.status_code == 400, res.get_json()
    assert "khongco" in str(res.get_json())
    assert db.session.get(User, world["plain"].id).person_id is None
    good = xlsx([head, ["AW01", "Lê Văn Một", "AW-VP", "taikhoan"],
                 ["AW02", "Lê Văn Hai", "AW-VP", None]])  # fmt: skip
    res = upload(client, h, "people", good)
    assert res.status_code in (200, 201), res.get_json()
    user = db.session.get(User, world["plain"].id)
    db.session.refresh(user)
    assert user.person.code == "AW01"
    # staff may import people but not link accounts
    staff = bearer(world["staff"])
    res = upload(client, staff, "people", good)
    assert res.status_code == 400 and "quản trị" in str(res.get_json())


@pytest.mark.parametrize(
    ("who", "lands"),
    [
        ("staff", "/evaluation/work"),
        ("committee", "/evaluation/work"),
        ("hr", "/evaluation/exports"),
        ("admin", "/units"),
    ],
)
def test_each_role_lands_on_its_work(client, world, login_session, who, lands):
    login_session(client, world[who])
    res = client.get("/")
    assert res.status_code == 302 and res.location.endswith(lands)


def test_work_page_lists_lists_to_fill_and_lists_waiting(client, world, login_session):
    login_session(client, world["staff"])
    page = client.get("/evaluation/work").get_data(as_text=True)  # the newest year
    assert 'id="staff-lists"' in page and 'data-code="AW-VP"' in page and "0/3" in page
    page = client.get(f"/evaluation/work?year={YEAR}").get_data(as_text=True)
    assert "1/3" in page
    login_session(client, world["committee"])
    page = client.get("/evaluation/work").get_data(as_text=True)
    assert "Danh sách xếp loại chờ phê duyệt (0)" in page and 'id="staff-lists"' not in page
    assert 'id="no-work"' not in page
    login_session(client, world["hr"])  # reaches the page by its address: says there is none
    page = client.get("/evaluation/work").get_data(as_text=True)
    assert 'id="no-work"' in page and "xuất bảng tính" in page
