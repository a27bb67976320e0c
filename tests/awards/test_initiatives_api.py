"""The registry of initiatives through /api/v1/initiatives: create, list with filters, get,
patch with a version (409 when stale), delete with a reason; scope and validation."""

from __future__ import annotations

from sqlalchemy import select

from awards.models import Initiative
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards.conftest import initiative_body

URL = "/api/v1/initiatives"


def create(client, headers, **kw):
    return client.post(URL, json=initiative_body(**kw), headers=headers)


def test_create_and_get_a_co_authored_initiative(client, tree):
    h = tree["headers"]["staff_a"]
    res = create(client, h, person_codes=["PA", "PA1"])
    assert res.status_code == 201, res.json
    body = res.json
    assert body["kind_label"] == "sáng kiến" and body["level_label"] == "cơ sở"
    assert [a["code"] for a in body["authors"]] == ["PA", "PA1"]
    assert body["decision_date"] == "15/10/2025" and body["version"] == 1
    assert body["unit_code"] is None
    got = client.get(f"{URL}/{body['id']}", headers=h)
    assert got.status_code == 200 and got.json == body
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "initiative", AuditEntry.action == "create"
        )
    )
    assert entry.after["person_codes"] == ["PA", "PA1"]


def test_a_model_is_owned_by_a_unit(client, tree):
    h = tree["headers"]["staff_a"]
    res = create(client, h, kind="mo_hinh", person_codes=[], unit_code="A1", level="thanh_pho")
    assert res.status_code == 201, res.json
    assert res.json["unit_code"] == "A1" and res.json["authors"] == []


def test_shape_is_checked(client, tree):
    h = tree["headers"]["staff_a"]
    res = create(client, h, kind="mo_hinh", person_codes=["PA"])
    assert res.status_code == 400
    fields = res.json["error"]["fields"]
    assert "unit_code" in fields and "person_codes" in fields
    res = create(client, h, person_codes=[])
    assert res.status_code == 400 and "person_codes" in res.json["error"]["fields"]
    res = create(client, h, person_codes=["PA", "PA"])
    assert res.status_code == 400 and "lặp" in str(res.json["error"]["fields"])
    res = create(client, h, level="quận")
    assert res.status_code == 400 and "level" in res.json["error"]["fields"]
    res = create(client, h, decision_date="31/02/2025")
    assert res.status_code == 400 and "decision_date" in res.json["error"]["fields"]


def test_an_author_not_in_the_tree_is_refused(client, tree):
    h = tree["headers"]["staff_a"]
    res = create(client, h, person_codes=["PA", "NOBODY"])
    assert res.status_code == 400
    assert "NOBODY" in res.json["error"]["fields"]["person_codes"][0]
    # a person outside the user's reach reads as unknown
    res = create(client, h, person_codes=["PB"])
    assert res.status_code == 400 and "PB" in res.json["error"]["fields"]["person_codes"][0]
    assert db.session.scalar(select(Initiative.id)) is None


def test_writing_needs_every_author_in_reach(client, tree):
    # committee members and HR read but do not write (DOMAIN.md: HR exports and reads); staff
    # at R write anywhere below R
    res = create(client, tree["headers"]["committee_a"])
    assert res.status_code == 403
    assert create(client, tree["headers"]["hr_r"]).status_code == 403
    assert db.session.scalar(select(Initiative.id)) is None
    res = create(client, tree["headers"]["staff_r"], person_codes=["PA", "PB"])
    assert res.status_code == 201
    ini_id = res.json["id"]
    # staff at A reach PA but not PB: they see the entry and may not change it
    h = tree["headers"]["staff_a"]
    assert client.get(f"{URL}/{ini_id}", headers=h).status_code == 200
    res = client.patch(f"{URL}/{ini_id}", json={"title": "Mới", "version": 1}, headers=h)
    assert res.status_code == 403
    res = client.delete(f"{URL}/{ini_id}", json={"reason": "nhầm", "version": 1}, headers=h)
    assert res.status_code == 403


def test_the_natural_key_is_unique(client, tree):
    h = tree["headers"]["staff_a"]
    assert create(client, h, person_codes=["PA", "PA2"]).status_code == 201
    res = create(client, h, person_codes=["PA2", "PA"])
    assert res.status_code == 409
    # another owner, another year or another kind is another entry
    assert create(client, h, person_codes=["PA2"]).status_code == 201
    assert create(client, h, person_codes=["PA", "PA2"], year=2024).status_code == 201
    assert create(client, h, person_codes=["PA", "PA2"], kind="de_tai").status_code == 201


def test_list_filters_and_reach(client, tree):
    h = tree["headers"]["staff_r"]
    create(client, h, title="S1", person_codes=["PA"])
    create(client, h, title="S2", person_codes=["PA1"], year=2024, level="thanh_pho")
    create(client, h, title="M1", kind="mo_hinh", person_codes=[], unit_code="B")
    create(client, h, title="S3", person_codes=["PB", "PA"], kind="de_tai")

    def titles(headers, **args):
        res = client.get(URL, query_string=args, headers=headers)
        assert res.status_code == 200, res.json
        return sorted(i["title"] for i in res.json["items"])

    assert titles(h) == ["M1", "S1", "S2", "S3"]
    assert titles(h, year=2025) == ["M1", "S1", "S3"]
    assert titles(h, unit="A") == ["S1", "S2", "S3"]
    assert titles(h, unit="A1") == ["S2"]
    assert titles(h, unit="B") == ["M1", "S3"]
    assert titles(h, person="PA") == ["S1", "S3"]
    assert titles(h, kind="mo_hinh") == ["M1"]
    assert titles(h, level="thanh_pho") == ["S2"]
    assert titles(h, q="s3") == ["S3"]
    # staff at B see what belongs to B (their unit's model, entries a B person co-authored)
    assert titles(tree["headers"]["staff_b"]) == ["M1", "S3"]
    assert titles(tree["headers"]["committee_a"]) == ["S1", "S2", "S3"]
    res = client.get(URL, query_string={"unit": "A"}, headers=tree["headers"]["staff_b"])
    assert res.status_code == 404
    # a title typed without accents (a phone's keyboard) is found
    create(client, h, title="Số hoá hồ sơ một cửa", person_codes=["PA"])
    assert titles(h, q="so hoa ho so") == ["Số hoá hồ sơ một cửa"]


def test_patch_with_version_and_409_when_stale(client, tree):
    h = tree["headers"]["staff_a"]
    ini = create(client, h).json
    res = client.patch(
        f"{URL}/{ini['id']}",
        json={
            "title": "Tên mới",
            "person_codes": ["PA2", "PA"],
            "level": "toan_quoc",
            "version": 1,
        },
        headers=h,
    )
    assert res.status_code == 200, res.json
    assert res.json["version"] == 2 and res.json["title"] == "Tên mới"
    assert [a["code"] for a in res.json["authors"]] == ["PA2", "PA"]
    # the form opened at version 1 answers 409 and changes nothing
    res = client.patch(f"{URL}/{ini['id']}", json={"title": "Cũ", "version": 1}, headers=h)
    assert res.status_code == 409 and "version" in res.json["error"]["fields"]
    assert client.get(f"{URL}/{ini['id']}", headers=h).json["title"] == "Tên mới"
    # version is required
    res = client.patch(f"{URL}/{ini['id']}", json={"title": "X"}, headers=h)
    assert res.status_code == 400 and "version" in res.json["error"]["fields"]


def test_patch_turns_an_initiative_into_a_model_only_with_its_unit(client, tree):
    h = tree["headers"]["staff_a"]
    ini = create(client, h).json
    res = client.patch(f"{URL}/{ini['id']}", json={"kind": "mo_hinh", "version": 1}, headers=h)
    assert res.status_code == 400 and "unit_code" in res.json["error"]["fields"]
    res = client.patch(
        f"{URL}/{ini['id']}", json={"kind": "mo_hinh", "unit_code": "A", "version": 1}, headers=h
    )
    assert res.status_code == 200 and res.json["unit_code"] == "A" and res.json["authors"] == []


def test_delete_needs_a_reason_and_the_current_version(client, tree):
    h = tree["headers"]["staff_a"]
    ini = create(client, h).json
    url = f"{URL}/{ini['id']}"
    assert client.delete(url, json={"version": 1}, headers=h).status_code == 400
    assert client.delete(url, json={"reason": "  ", "version": 1}, headers=h).status_code == 400
    assert (
        client.delete(url, json={"reason": "Nhập trùng", "version": 2}, headers=h).status_code
        == 409
    )
    res = client.delete(url, json={"reason": "Nhập trùng", "version": 1}, headers=h)
    assert res.status_code == 204
    assert client.get(url, headers=h).status_code == 404
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "initiative", AuditEntry.action == "delete"
        )
    )
    assert entry.after == {"reason": "Nhập trùng"} and entry.before["title"] == ini["title"]


def test_outside_reach_is_404(client, tree):
    ini = create(client, tree["headers"]["staff_a"]).json
    h = tree["headers"]["staff_b"]
    url = f"{URL}/{ini['id']}"
    assert client.get(url, headers=h).status_code == 404
    assert client.patch(url, json={"title": "X", "version": 1}, headers=h).status_code == 404
    assert client.delete(url, json={"reason": "x", "version": 1}, headers=h).status_code == 404
    assert client.get(URL, headers={}).status_code == 401
