"""Units tree (materialized path, moves, cycles) and people through the API."""

from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.extensions import db
from service.org.models import Person, Unit


def _admin_headers(create_user, bearer):
    return bearer(create_user(roles=[("admin", None)]))


def test_subtree_is_one_range_and_excludes_lookalike_ids(create_unit):
    root = create_unit("R")
    a = create_unit("A", root)
    a1 = create_unit("A1", a)
    others = [create_unit(parent=root) for _ in range(12)]  # ids 10.. share a prefix with 1
    inside = db.session.scalars(select(Unit.code).where(Unit.subtree_clause(a.path))).all()
    assert sorted(inside) == ["A", "A1"]
    assert a1.path == f"{root.path}{a.id}/{a1.id}/"
    assert all(not o.path.startswith(a.path) for o in others)


def test_move_unit_rewrites_subtree_paths(client, create_unit, create_user, bearer):
    h = _admin_headers(create_user, bearer)
    root, b = create_unit("R"), None
    a = create_unit("A", root)
    a1 = create_unit("A1", a)
    a11 = create_unit("A11", a1)
    b = create_unit("B", root)
    res = client.patch("/api/v1/units/A1", json={"parent_code": "B"}, headers=h)
    assert res.status_code == 200, res.get_json()
    db.session.expire_all()
    assert db.session.get(Unit, a1.id).path == f"{b.path}{a1.id}/"
    assert db.session.get(Unit, a11.id).path == f"{b.path}{a1.id}/{a11.id}/"
    assert db.session.get(Unit, a11.id).depth == 3
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == "A1")).all()[-1]
    assert entry.action == "update" and entry.before["path"] != entry.after["path"]


def test_move_unit_under_its_descendant_is_refused(client, create_unit, create_user, bearer):
    h = _admin_headers(create_user, bearer)
    root = create_unit("R")
    a = create_unit("A", root)
    create_unit("A1", a)
    for target in ("A1", "A"):
        res = client.patch("/api/v1/units/A", json={"parent_code": target}, headers=h)
        assert res.status_code == 400
        assert "vòng lặp" in res.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Unit, a.id).parent_id == root.id


def test_create_person_validates_in_vietnamese(client, create_unit, create_user, bearer):
    unit = create_unit("A")
    h = bearer(create_user(roles=[("staff", unit)]))
    res = client.post(
        "/api/v1/people",
        json={
            "code": "X1",
            "unit_code": "A",
            "birth_date": "31/02/1990",
            "gender": "khác",
            "bogus": 1,
        },
        headers=h,
    )
    assert res.status_code == 400
    err = res.get_json()["error"]
    assert err["fields"]["full_name"] == ["Bắt buộc nhập."]
    assert "dd/mm/yyyy" in err["fields"]["birth_date"][0]
    assert "Phải là một trong" in err["fields"]["gender"][0]
    assert err["fields"]["bogus"] == ["Trường không được hỗ trợ."]
    assert db.session.scalar(select(Person).where(Person.code == "X1")) is None


def test_person_crud_with_dates_dd_mm_yyyy(client, create_unit, create_user, bearer):
    unit = create_unit("A")
    cell = create_unit("A-CB", unit, kind="chi bộ")
    h = bearer(create_user(roles=[("staff", unit)]))
    body = {
        "code": "X1",
        "full_name": "Lê Thị Hoa",
        "unit_code": "A",
        "birth_date": "05/09/1990",
        "is_party_member": True,
        "party_unit_code": "A-CB",
        "admitted_on": "19/05/2015",
        "category": "cong_chuc",
        "gender": "nu",
    }
    res = client.post("/api/v1/people", json=body, headers=h)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["birth_date"] == "05/09/1990"
    assert client.post("/api/v1/people", json=body, headers=h).status_code == 409
    res = client.patch(
        "/api/v1/people/X1", json={"position": "Trưởng phòng", "is_head": True}, headers=h
    )
    assert res.status_code == 200 and res.get_json()["is_head"] is True
    res = client.patch("/api/v1/people/X1", json={"is_party_member": False}, headers=h)
    assert res.status_code == 400  # still has a party cell and admission date
    person = db.session.scalar(select(Person).where(Person.code == "X1"))
    assert person.party_unit_id == cell.id and person.position == "Trưởng phòng"
    assert client.delete("/api/v1/people/X1", headers=h).status_code == 204
    assert db.session.scalar(select(Person).where(Person.code == "X1")) is None


def test_people_listing_pages_and_searches(client, create_unit, create_person, create_user, bearer):
    root = create_unit("R")
    a = create_unit("A", root)
    for i in range(7):
        create_person(a, code=f"A{i}", full_name=f"Trần Văn {chr(65 + i)}")
    create_person(root, code="R0", full_name="Đỗ Thị Mai")
    h = bearer(create_user(roles=[("hr", root)]))
    res = client.get("/api/v1/units/R/people?per_page=3&page=2", headers=h).get_json()
    assert res["total"] == 8 and res["pages"] == 3 and len(res["items"]) == 3
    res = client.get("/api/v1/units/A/people?q=mai", headers=h).get_json()
    assert res["total"] == 0
    res = client.get("/api/v1/units/R/people?q=%C4%90%E1%BB%97", headers=h).get_json()
    assert [p["code"] for p in res["items"]] == ["R0"]
    res = client.get("/api/v1/units/R/people?per_page=0", headers=h)
    assert res.status_code == 400


def test_delete_unit_with_people_is_409(client, create_unit, create_person, create_user, bearer):
    h = _admin_headers(create_user, bearer)
    a = create_unit("A")
    create_person(a)
    assert client.delete("/api/v1/units/A", headers=h).status_code == 409


def test_unit_page_counts_people_under_each_child(
    client, create_unit, create_person, create_user, login_session
):
    root = create_unit("R")
    a = create_unit("A", root)
    a1 = create_unit("A1", a)
    b = create_unit("B", root)
    create_unit("C", root)
    for unit, n in ((a, 1), (a1, 2), (b, 3), (root, 1)):
        for _ in range(n):
            create_person(unit)
    login_session(client, create_user(roles=[("hr", root)]))
    html = client.get("/units/R").get_data(as_text=True)
    import re

    rows = dict(re.findall(r"<code>(A|B|C)</code>.*?<td class=\"num\"[^>]*>(\d+)</td>", html, re.S))
    assert rows == {"A": "3", "B": "3", "C": "0"}
    assert "Cán bộ (kể cả đơn vị cấp dưới): 7" in html


def test_search_treats_like_wildcards_as_text(
    client, create_unit, create_person, create_user, bearer
):
    a = create_unit("A")
    create_person(a, code="W1", full_name="Lê Văn Hùng")
    create_person(a, code="W_2", full_name="Trần 100% Đạt")
    h = bearer(create_user(roles=[("hr", a)]))
    found = client.get("/api/v1/units/A/people?q=%25", headers=h).json["items"]
    assert [p["code"] for p in found] == ["W_2"]
    found = client.get("/api/v1/people?q=_", headers=h).json["items"]
    assert [p["code"] for p in found] == ["W_2"]


def test_a_save_that_changes_nothing_writes_no_audit_entry(
    client, create_unit, create_person, create_user, bearer
):
    """The audit log is what changed: a PATCH of the values already stored (a clerk pressing
    «Lưu» twice) added an «update» entry with before equal to after."""
    h = _admin_headers(create_user, bearer)
    unit = create_unit("A")
    create_person(unit, code="X1", position="Chuyên viên")

    def entries():
        return db.session.scalar(select(func.count(AuditEntry.id)))

    db.session.commit()
    start = entries()
    assert (
        client.patch("/api/v1/people/X1", json={"position": "Chuyên viên"}, headers=h).status_code
        == 200
    )
    assert client.patch("/api/v1/units/A", json={"name": unit.name}, headers=h).status_code == 200
    assert entries() == start
    assert (
        client.patch("/api/v1/people/X1", json={"position": "Kế toán"}, headers=h).status_code
        == 200
    )
    assert entries() == start + 1


def test_removing_a_party_cell_names_its_members(
    client, create_unit, create_person, create_user, bearer
):
    """Removing a party cell that members still belong to was refused with their number only
    («chi bộ của 7 đảng viên»): the clerk had to search the city for them. The first five are
    named, with how many more."""
    h = _admin_headers(create_user, bearer)
    unit = create_unit("A")
    cell = create_unit("A-CB", unit, kind="chi bộ")
    for i in range(7):
        person = create_person(unit, code=f"M{i}", full_name=f"Đảng Viên {i}")
        person.is_party_member, person.party_unit = True, cell
    db.session.commit()
    res = client.delete("/api/v1/units/A-CB", headers=h)
    assert res.status_code == 409
    message = res.get_json()["error"]["message"]
    assert "Đảng Viên 0 (M0), Đảng Viên 1 (M1)" in message and "Đảng Viên 4 (M4)" in message
    assert "Đảng Viên 5" not in message and "và 2 người khác" in message
