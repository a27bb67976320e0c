"""Clerks type names without tones and marks («nguyen van hung», «dong da»), also on phones:
every search of people, units, accounts and the registry finds the names written with them."""

from __future__ import annotations

from service.auth.models import User
from service.extensions import db


def test_people_searches_find_names_typed_without_accents(
    client, create_unit, create_person, create_user, bearer, login_session
):
    root = create_unit("R", name="Phường Đống Đa")
    a = create_unit("A", root, name="Trường Mầm non Hoa Sữa")
    create_person(a, code="P1", full_name="Nguyễn Văn Hùng")
    create_person(a, code="P2", full_name="Đỗ Thị Ước")
    create_person(root, code="P3", full_name="Trần Minh")
    hr = create_user(roles=[("hr", root)])
    h = bearer(hr)

    def codes(url):
        res = client.get(url, headers=h)
        assert res.status_code == 200, res.get_json()
        return sorted(p["code"] for p in res.get_json()["items"])

    assert codes("/api/v1/units/R/people?q=nguyen van hung") == ["P1"]
    assert codes("/api/v1/units/R/people?q=DO THI UOC") == ["P2"]
    assert codes("/api/v1/people?q=uoc") == ["P2"]
    assert codes("/api/v1/people?q=p3") == ["P3"]  # codes still found as typed
    assert codes("/api/v1/people?q=Hùng") == ["P1"]  # and names with their accents
    res = client.get("/api/v1/units?q=dong da", headers=h).get_json()
    assert [u["code"] for u in res["items"]] == ["R"]
    res = client.get("/api/v1/units?q=hoa sua", headers=h).get_json()
    assert [u["code"] for u in res["items"]] == ["A"]

    login_session(client, hr)
    html = client.get("/units/R?q=nguyen").get_data(as_text=True)
    assert "Nguyễn Văn Hùng" in html and "Trần Minh" not in html


def test_account_searches_find_names_typed_without_accents(
    client, create_user, bearer, login_session
):
    admin = create_user(username="quantri", roles=[("admin", None)])
    target = create_user(username="nv.lan")
    target.full_name = "Phạm Thị Lan Hương"
    db.session.commit()
    res = client.get("/api/v1/users?q=lan huong", headers=bearer(admin)).get_json()
    assert [u["username"] for u in res["items"]] == ["nv.lan"]
    login_session(client, admin)
    html = client.get("/admin/users?q=pham thi").get_data(as_text=True)
    assert "nv.lan" in html
    assert db.session.get(User, target.id).full_name == "Phạm Thị Lan Hương"


def test_every_write_of_a_name_keeps_its_search_name(
    client, create_unit, create_person, create_user, bearer
):
    """The folded names the searches compare are kept with the names on every path that
    writes one: the ORM (pages, API), the imports' Core inserts and updates."""
    import io

    import openpyxl
    from sqlalchemy import select

    from service.common.vietnamese import fold
    from service.org.models import Person, Unit

    def xlsx(rows):
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def upload(kind, rows):
        res = client.post(
            f"/api/v1/imports/{kind}",
            data={"file": (io.BytesIO(xlsx(rows)), "tep.xlsx")},
            headers=h,
            content_type="multipart/form-data",
        )
        assert res.status_code == 201, res.get_json()

    def consistent():
        db.session.expire_all()
        for u in db.session.scalars(select(Unit)):
            assert u.search_name == fold(u.name), u.code
        for p in db.session.scalars(select(Person)):
            assert p.search_name == fold(p.full_name), p.code

    root = create_unit("R", name="Phường Đống Đa")
    create_person(root, code="P0", full_name="Lê Thị Hà")
    h = bearer(create_user(roles=[("admin", None)]))
    consistent()
    units_head = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"]
    upload("units", [units_head, ["U1", "Trường Tiểu học Ánh Dương", "R"]])
    upload("units", [units_head, ["U1", "Trường Tiểu học Đống Đa", "R"]])  # renamed
    people_head = ["Mã cán bộ", "Họ và tên", "Mã đơn vị"]
    upload("people", [people_head, ["P1", "Ngô Bảo Châu", "U1"]])
    upload("people", [people_head, ["P1", "Ngô Thị Bảo Châu", "U1"]])  # renamed
    res = client.patch("/api/v1/people/P0", json={"full_name": "Lê Thị Hải Yến"}, headers=h)
    assert res.status_code == 200, res.get_json()
    res = client.patch("/api/v1/units/U1", json={"name": "Trường Ước Mơ"}, headers=h)
    assert res.status_code == 200, res.get_json()
    res = client.post(
        "/api/v1/people",
        json={"code": "P2", "full_name": "Đinh Văn Ẩn", "unit_code": "U1"},
        headers=h,
    )
    assert res.status_code == 201, res.get_json()
    consistent()
    found = client.get("/api/v1/people?q=ngo thi bao chau", headers=h).get_json()["items"]
    assert [p["code"] for p in found] == ["P1"]
    found = client.get("/api/v1/units?q=uoc mo", headers=h).get_json()["items"]
    assert [u["code"] for u in found] == ["U1"]
