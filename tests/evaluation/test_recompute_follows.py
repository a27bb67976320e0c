"""Every write that changes what a rating depends on queues its recompute itself, whoever calls
it: the ratings read after the request follow the quota override, the pack and the catalog as
they follow the inputs (the suite recomputes in the request's transaction)."""

from __future__ import annotations

import pytest

from tests.evaluation.test_api_flow import _enter_all, world  # noqa: F401 - fixture

YEAR = 2025
URL = f"/api/v1/years/{YEAR}"


def _officials(client, h) -> dict[str, dict]:
    body = client.get(f"{URL}/units/W-O/ratings", headers=h).get_json()
    return {i["code"]: i for i in body["items"] if i["kind"] == "official"}


def _xs(items: dict) -> int:
    return sum(1 for i in items.values() if i["level"] == "XS")


@pytest.fixture
def entered(client, world):  # noqa: F811 - the fixture imported above
    _enter_all(client, world["h"]["staff"])
    before = _officials(client, world["h"]["staff"])
    assert 0 < _xs(before) < len(before)  # A10 kept some XS, lowered others
    return world, before


def test_a_quota_override_recomputes_its_scope(client, entered):
    w, before = entered
    scope = next(iter(before.values()))["scope"]
    res = client.post(
        f"{URL}/quota-overrides",
        json={"scope": scope, "p": 100, "reason": "Hội đồng quyết định tỷ lệ khác"},
        headers=w["h"]["admin"],
    )
    assert res.status_code == 201, res.get_json()
    assert _xs(_officials(client, w["h"]["staff"])) > _xs(before)


def test_a_pack_change_recomputes_the_year(client, entered):
    w, before = entered
    res = client.patch(f"{URL}/pack", json={"params": {"a10_p": 100}}, headers=w["h"]["admin"])
    assert res.status_code == 200, res.get_json()
    assert _xs(_officials(client, w["h"]["staff"])) > _xs(before)


def test_a_catalog_change_recomputes_the_subjects_recorded_with_it(client, entered):
    h = entered[0]["h"]
    res = client.post(
        f"{URL}/violations",
        json={
            "person_code": "W00",
            "code": "1.03",
            "found_on": f"01/03/{YEAR}",
            "how_found": "inspection",
            "evidence": "Biên bản",
        },
        headers=h["staff"],
    )
    assert res.status_code == 201, res.get_json()
    minor = _officials(client, h["staff"])["W00"]
    res = client.patch(f"{URL}/catalog/1.03", json={"severity": "serious"}, headers=h["admin"])
    assert res.status_code == 200, res.get_json()
    serious = _officials(client, h["staff"])["W00"]
    assert (serious["score"], serious["level"]) != (minor["score"], minor["level"])


def test_moving_a_person_or_a_unit_recomputes_the_scopes_it_leaves_and_joins(client, entered):
    """A person moved to another unit (API, page or import) was still rated in the old unit's
    list until some input changed: the move recomputes both."""
    w, before = entered
    admin = w["h"]["admin"]
    body = {"code": "W-P", "name": "Phòng mới", "parent_code": "W"}
    res = client.post("/api/v1/units", json=body, headers=admin)
    assert res.status_code == 201, res.get_json()
    scope_before = before["W00"]["scope"]
    res = client.patch("/api/v1/people/W00", json={"unit_code": "W-P"}, headers=admin)
    assert res.status_code == 200, res.get_json()
    assert "W00" not in _officials(client, w["h"]["staff"])
    moved = client.get(f"{URL}/units/W-P/ratings", headers=w["h"]["staff"]).get_json()["items"]
    assert [i["code"] for i in moved if i["kind"] == "official"] == ["W00"]
    # the unit itself moved out of the ward's scope: its people leave the ward's list
    body = {"code": "Z", "name": "Phường khác", "quota_root": True}
    res = client.post("/api/v1/units", json=body, headers=admin)
    assert res.status_code == 201
    assert (
        client.patch("/api/v1/units/W-P", json={"parent_code": "Z"}, headers=admin).status_code
        == 200
    )
    ratings = client.get(f"{URL}/units/W-P/ratings", headers=admin).get_json()["items"]
    scopes = [i["scope"] for i in ratings if i["code"] == "W00"]
    assert scopes and all(s != scope_before for s in scopes), (scopes, scope_before)


def test_a_person_moved_by_the_people_import_is_rated_in_the_new_unit(client, entered):
    import io

    import openpyxl

    w, _before = entered
    admin = w["h"]["admin"]
    body = {"code": "W-Q", "name": "Tổ mới", "parent_code": "W"}
    assert client.post("/api/v1/units", json=body, headers=admin).status_code == 201
    wb = openpyxl.Workbook()
    wb.active.append(["Mã cán bộ", "Họ và tên", "Mã đơn vị"])
    wb.active.append(["W01", "Người W01", "W-Q"])
    buf = io.BytesIO()
    wb.save(buf)
    res = client.post(
        "/api/v1/imports/people",
        data={"file": (io.BytesIO(buf.getvalue()), "t.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert res.status_code == 201, res.get_json()
    assert "W01" not in _officials(client, w["h"]["staff"])
    moved = client.get(f"{URL}/units/W-Q/ratings", headers=admin).get_json()["items"]
    assert [i["code"] for i in moved if i["kind"] == "official"] == ["W01"]


def test_editing_what_a_rating_reads_of_a_person_recomputes_their_scope(client, entered):
    """A10's scope (and A1–A9's inputs): a person's group of duties (or category, head, party
    details) edited on the page or the API left their rating computed from the old values
    until some input changed: only a move recomputed (the people import recomputes any
    changed row)."""
    w, before = entered
    assert before["W00"]["scope"][2] == ""
    res = client.patch(
        "/api/v1/people/W00", json={"duty_group": "lãnh đạo"}, headers=w["h"]["admin"]
    )
    assert res.status_code == 200, res.get_json()
    assert _officials(client, w["h"]["staff"])["W00"]["scope"][2] == "lãnh đạo"


def test_marking_a_unit_for_quotas_recomputes_the_scopes_it_splits(client, entered):
    """A10: «Đơn vị tính tỷ lệ» ticked on a unit (page or API) left its people in the old
    quota scope's list until some input changed."""
    w, before = entered
    assert before["W00"]["scope"][1] == "W"
    res = client.patch("/api/v1/units/W-O", json={"quota_root": True}, headers=w["h"]["admin"])
    assert res.status_code == 200, res.get_json()
    assert _officials(client, w["h"]["staff"])["W00"]["scope"][1] == "W-O"
