"""Issue 15 item 5: answers to a user outside a unit's reach do not tell whether a code exists
there: 409 "đã tồn tại" only within reach; outside it a neutral refusal, the same wherever the
code is; the login's answer after repeated failures is the same for a real and an unknown
account."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from service.org.operations import CODE_UNUSABLE
from tests.service.test_auth import post_login


@pytest.fixture
def two_branches(create_unit, create_person, create_user, bearer):
    mine = create_unit("NA")
    other = create_unit("NB")
    create_person(mine, code="PNA1")
    create_person(other, code="PNB1")
    staff = create_user(roles=[("staff", mine)])
    return {"h": bearer(staff), "mine": mine, "other": other}


def new_person(code, unit_code="NA"):
    return {"code": code, "full_name": "Trần Thị Mới", "unit_code": unit_code}


def test_a_code_taken_within_reach_is_a_409(client, two_branches):
    res = client.post("/api/v1/people", json=new_person("PNA1"), headers=two_branches["h"])
    assert res.status_code == 409
    assert "đã tồn tại" in res.get_json()["error"]["message"]


def test_a_code_taken_outside_reach_is_a_neutral_refusal(client, two_branches):
    res = client.post("/api/v1/people", json=new_person("PNB1"), headers=two_branches["h"])
    assert res.status_code == 400
    body = res.get_json()["error"]
    assert body == {"status": 400, "message": CODE_UNUSABLE, "fields": {"code": [CODE_UNUSABLE]}}
    text = res.get_data(as_text=True)
    assert "tồn tại" not in text and "NB" not in text.replace("PNB1", "")
    # the person stays where it is, unseen
    assert client.get("/api/v1/people/PNB1", headers=two_branches["h"]).status_code == 404


def test_a_free_code_is_created(client, two_branches):
    res = client.post("/api/v1/people", json=new_person("PNA9"), headers=two_branches["h"])
    assert res.status_code == 201


def test_the_target_unit_is_checked_before_the_code(client, two_branches):
    """A unit outside reach answers as an unknown one, whatever the code."""
    answers = [
        client.post("/api/v1/people", json=new_person(code, unit), headers=two_branches["h"])
        for code, unit in (("PNB1", "NB"), ("PNZ9", "NB"), ("PNB1", "KHONGCO"))
    ]
    assert {a.status_code for a in answers} == {400}
    assert len({a.get_data() for a in answers}) == 1


def test_a_parent_outside_reach_answers_as_an_unknown_one(client, two_branches):
    unknown = client.post(
        "/api/v1/units",
        json={"code": "NC", "name": "Mới", "parent_code": "KHONGCO"},
        headers=two_branches["h"],
    )
    outside = client.post(
        "/api/v1/units",
        json={"code": "NC", "name": "Mới", "parent_code": "NB"},
        headers=two_branches["h"],
    )
    inside = client.post(
        "/api/v1/units",
        json={"code": "NC", "name": "Mới", "parent_code": "NA"},
        headers=two_branches["h"],
    )
    # staff write units nowhere: refused before any code is looked up, the same three times
    assert unknown.status_code == outside.status_code == inside.status_code == 403
    assert unknown.get_data() == outside.get_data() == inside.get_data()


def _people_xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cán bộ"
    ws.append(["Mã cán bộ", "Họ và tên", "Mã đơn vị"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import_errors(client, h, rows):
    res = client.post(
        "/api/v1/imports/people",
        data={"file": (io.BytesIO(_people_xlsx(rows)), "canbo.xlsx")},
        headers=h,
        content_type="multipart/form-data",
    )
    assert res.status_code == 400, res.get_json()
    return [e["message"] for e in res.get_json()["error"]["import"]["errors"]]


def test_the_people_import_does_not_say_a_person_is_in_a_unit_outside_reach(client, two_branches):
    messages = _import_errors(client, two_branches["h"], [["PNB1", "Trần Thị B", "NA"]])
    assert messages == [CODE_UNUSABLE]
    assert not any("ngoài phạm vi" in m or "tồn tại" in m for m in messages)


def test_the_people_import_still_names_a_person_seen_but_not_writable(
    client, create_unit, create_person, create_user, bearer
):
    """A committee member sees the unit; what it may not write is said as such."""
    unit = create_unit("NR")
    create_person(unit, code="PNR1")
    child = create_unit("NR1", unit)
    user = create_user(roles=[("committee", unit), ("staff", child)])
    messages = _import_errors(client, bearer(user), [["PNR1", "Lê Văn R", "NR1"]])
    assert any("ngoài phạm vi" in m for m in messages), messages


def _login_error(res) -> str:
    html = res.get_data(as_text=True)
    return re.search(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, re.S).group(1).strip()


def test_after_repeated_failures_a_real_and_an_unknown_account_read_the_same(
    app, client, create_user
):
    create_user("thatco")
    limit = app.config["LOGIN_MAX_FAILURES"]
    real, unknown = [], []
    for _ in range(limit + 2):
        real.append(post_login(client, "thatco", "sai-mat-khau"))
        unknown.append(post_login(client, "khongheco", "sai-mat-khau"))
    # the right password of the locked account reads the same too
    real.append(post_login(client, "thatco", "matkhau123"))
    unknown.append(post_login(client, "khongheco", "matkhau123"))
    for a, b in zip(real, unknown, strict=True):
        assert a.status_code == b.status_code == 401
        assert _login_error(a) == _login_error(b)
    assert "tạm khóa" in _login_error(real[-1])  # the message says a lock may be the cause


def test_a_party_cell_outside_reach_is_refused_by_the_api_as_an_unknown_one(
    client, two_branches, create_unit
):
    """The people page refused a party cell outside the clerk's reach; the API took it, so
    staff could name any unit of the city as a member's chi bộ (and probe its codes)."""
    create_unit("NB-CB", two_branches["other"], kind="chi bộ")
    h = two_branches["h"]
    body = {**new_person("PNA7"), "is_party_member": True, "admitted_on": "19/05/2015"}
    outside = client.post("/api/v1/people", json={**body, "party_unit_code": "NB-CB"}, headers=h)
    unknown = client.post("/api/v1/people", json={**body, "party_unit_code": "NOPE"}, headers=h)
    assert outside.status_code == unknown.status_code == 400
    assert outside.get_data() == unknown.get_data()
    assert client.get("/api/v1/people/PNA7", headers=h).status_code == 404
    patch = {"is_party_member": True, "admitted_on": "19/05/2015", "party_unit_code": "NB-CB"}
    res = client.patch("/api/v1/people/PNA1", json=patch, headers=h)
    assert res.status_code == 400
    assert res.get_json()["error"]["fields"] == {"party_unit_code": ["Không có chi bộ với mã này."]}


def test_resending_a_persons_stored_party_cell_outside_reach_is_not_refused(
    client, two_branches, create_unit
):
    """A member of the clerk's unit may belong to a party cell elsewhere (the district's); a
    PATCH that sends the stored values back (GET, change the position, PATCH) was refused for
    the cell the person already has."""
    from service.extensions import db
    from service.org.models import Person

    cell = create_unit("NB-CB", two_branches["other"], kind="chi bộ")
    person = db.session.query(Person).filter_by(code="PNA1").one()
    person.is_party_member, person.party_unit = True, cell
    db.session.commit()
    h = two_branches["h"]
    body = client.get("/api/v1/people/PNA1", headers=h).get_json()
    assert body["party_unit_code"] == "NB-CB"
    res = client.patch(
        "/api/v1/people/PNA1",
        json={"party_unit_code": body["party_unit_code"], "position": "Kế toán"},
        headers=h,
    )
    assert res.status_code == 200, res.get_json()
