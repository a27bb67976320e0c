"""People lists in Vietnamese name order (people.sort_name), kept in sync on every write."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.common.vietnamese import vi_sort_key
from service.extensions import db
from service.org.models import Person
from tests.service.test_imports import PEOPLE_HEAD, upload, xlsx

NAMES = {
    "V1": "Vũ Văn An",
    "D1": "Đỗ Thị An",
    "D2": "Đinh Văn An",
    "D3": "Đặng Văn An",
    "D0": "Dương Văn An",
    "L1": "Lý Văn Bình",
    "L2": "Lương Thị Bình",
}
EXPECTED = ["D0", "D3", "D2", "D1", "V1", "L2", "L1"]


def _people(create_unit, create_person):
    root = create_unit("R")
    a = create_unit("A", root)
    for code, name in NAMES.items():
        create_person(a if code < "E" else root, code=code, full_name=name)
    return root


def test_api_lists_people_in_vietnamese_order(
    client, create_unit, create_person, create_user, bearer
):
    root = _people(create_unit, create_person)
    h = bearer(create_user(roles=[("hr", root)]))
    for url in ("/api/v1/units/R/people", "/api/v1/people"):
        items = client.get(url, headers=h).get_json()["items"]
        assert [p["code"] for p in items] == EXPECTED, url


def test_unit_page_lists_people_in_vietnamese_order(
    client, create_unit, create_person, create_user, login_session
):
    root = _people(create_unit, create_person)
    login_session(client, create_user(roles=[("hr", root)]))
    html = client.get("/units/R").get_data(as_text=True)
    found = re.findall(r"<td[^>]*><code>(\w+)</code></td><td[^>]*><a", html)
    codes = [c for c in found if c in NAMES]
    assert codes == EXPECTED


def test_renamed_person_moves(client, create_unit, create_person, create_user, bearer):
    _people(create_unit, create_person)
    h = bearer(create_user(roles=[("admin", None)]))
    res = client.patch("/api/v1/people/V1", json={"full_name": "Vũ Văn Cường"}, headers=h)
    assert res.status_code == 200, res.get_json()
    items = client.get("/api/v1/units/R/people", headers=h).get_json()["items"]
    assert [p["code"] for p in items] == ["D0", "D3", "D2", "D1", "L2", "L1", "V1"]
    # "Ân" comes after every "An" and before "Bình"
    res = client.patch("/api/v1/people/V1", json={"full_name": "Vũ Văn Ân"}, headers=h)
    items = client.get("/api/v1/units/R/people", headers=h).get_json()["items"]
    assert [p["code"] for p in items] == ["D0", "D3", "D2", "D1", "V1", "L2", "L1"]
    db.session.expire_all()
    assert db.session.get(Person, items[4]["id"]).sort_name == vi_sort_key("Vũ Văn Ân")


def test_import_sets_and_updates_sort_name(client, create_unit, create_user, bearer):
    create_unit("A")
    h = bearer(create_user(roles=[("admin", None)]))
    data = xlsx([PEOPLE_HEAD[:4], ["I1", "Đặng Văn An", "", "A"], ["I2", "Vũ Văn An", "", "A"]])
    assert upload(client, h, "people", data).status_code == 201
    renamed = xlsx([PEOPLE_HEAD[:4], ["I2", "Vũ Văn Bảo", "", "A"]])
    assert upload(client, h, "people", renamed).status_code == 201
    db.session.expire_all()
    rows = dict(db.session.execute(select(Person.code, Person.sort_name)).all())
    assert rows == {"I1": vi_sort_key("Đặng Văn An"), "I2": vi_sort_key("Vũ Văn Bảo")}
