"""The decision registry (issue 13 item 4): deciding a list records its decision (number, date,
level, signer, issuing unit and body); one decision of an upper unit may decide the lists of
several units; the registry is searchable by number and by nominee, shows each nominee's
result, and traces a person's award to its decision; read access follows the lists."""

from __future__ import annotations

import pytest

from awards.models import AwardList, Decision, Nomination
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import test_award_lists as base
from tests.awards.test_award_list_pages import login

YEAR = base.YEAR
year = base.year  # the fixture: 2025 rated, rating lists approved


@pytest.fixture
def committee_r(tree, create_user, bearer):
    user = create_user(username="committee_r", roles=[("committee", tree["units"]["R"])])
    return bearer(user)


def approved(client, tree, unit, committee):
    staff = tree["headers"]["staff_a" if unit == "A" else "staff_b"]
    base.propose(client, staff, unit)
    lst = base.the_list(client, staff, unit)
    lst = base.act(client, staff, lst, "submit").get_json()
    lst = base.approve(client, committee, lst)  # the council's vote (all yes), then approval
    assert lst["state"] == "approved", lst
    return lst


DECISION = {
    "decision_no": "15/QĐ-UBND",
    "decision_date": "20/12/2025",
    "decision_signer": "Nguyễn Văn Ký",
}


def test_deciding_a_list_records_its_decision_in_the_registry(client, tree, year):
    committee = tree["headers"]["committee_a"]
    lst = approved(client, tree, "A", committee)
    # a PA nomination refused by the council's vote is a result too
    pa2 = db.session.scalars(
        db.select(Nomination).where(
            Nomination.list_id == lst["id"], Nomination.person_id == tree["people"]["PA2"].id
        )
    ).first()
    pa2.passed = False
    db.session.commit()
    res = base.act(client, committee, lst, "decide", decision_level="co_so", **DECISION)
    assert res.status_code == 200, res.get_json()
    out = res.get_json()
    d = db.session.get(Decision, out["decision_id"])
    assert (d.number, d.signer, d.level, d.unit_id, d.issuer) == (
        "15/QĐ-UBND", "Nguyễn Văn Ký", "co_so", tree["units"]["A"].id, tree["units"]["A"].name,
    )  # fmt: skip
    audit = db.session.query(AuditEntry).filter_by(action="decide").one()
    assert audit.after["decision_id"] == d.id and audit.after["decision_level"] == "co_so"

    res = client.get(f"/api/v1/decisions/{d.id}", headers=committee)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["date"] == "20/12/2025" and body["lists"][0]["id"] == lst["id"]
    results = {(r["code"], r["award"]): r for r in body["recipients"]}
    assert results[("PA", "LDTT")]["awarded"] is True
    assert results[("PA2", "LDTT")]["awarded"] is False
    assert results[("PA2", "LDTT")]["result"] == "Không đạt biểu quyết"
    assert body["refused"] >= 1 and body["awarded"] == sum(
        1 for r in body["recipients"] if r["awarded"]
    )

    # searchable by number, by nominee (code or name), by level and year
    def found(**query):
        res = client.get("/api/v1/decisions", query_string=query, headers=committee)
        assert res.status_code == 200, res.get_json()
        return [x["id"] for x in res.get_json()["items"]]

    assert found(q="15/qđ") == [d.id]
    assert found(q="nguyen van ky") == [d.id]  # the signer, typed without accents
    assert found(person="PA") == [d.id] and found(person="bình") == [d.id]
    # typed without accents (a phone's keyboard), or in capitals: Trần Thị Bình still found
    assert found(person="tran thi binh") == [d.id] and found(person="TRẦN THỊ") == [d.id]
    assert found(person="binh") == [d.id] and found(person="binhh") == []
    assert found(person="PB") == [] and found(q="99/QĐ") == []
    assert found(level="co_so", year=YEAR) == [d.id] and found(level="huyen") == []

    # a person's award traced to its decision
    res = client.get("/api/v1/people/PA/decisions", headers=committee)
    traced = res.get_json()["items"]
    assert [(t["award"], t["number"], t["date"], t["awarded"]) for t in traced] == [
        ("LDTT", "15/QĐ-UBND", "20/12/2025", True)
    ]


def test_one_upper_decision_decides_the_lists_of_two_units(client, tree, year, committee_r):
    a = approved(client, tree, "A", committee_r)
    b = approved(client, tree, "B", committee_r)
    a1 = tree["units"]["A1"]
    db.session.add(
        Nomination(
            list_id=a["id"], year=YEAR, subject="unit", subject_key=f"u{a1.id}", unit_id=a1.id,
            award="GK", source="manual", status="manual", rule="C9", reason="Tập thể tiêu biểu",
        )
    )  # fmt: skip
    db.session.commit()
    res = base.act(client, committee_r, a, "decide", decision_unit="R", **DECISION)
    assert res.status_code == 200, res.get_json()
    # the same number of R with another date is refused, nothing changed
    other = {**DECISION, "decision_date": "21/12/2025"}
    res = base.act(client, committee_r, b, "decide", decision_unit="R", **other)
    assert res.status_code == 400 and "decision_no" in res.get_json()["error"]["fields"]
    assert db.session.get(AwardList, b["id"]).state == "approved"
    # an issuing unit outside the list's line is refused
    res = base.act(client, committee_r, b, "decide", decision_unit="A", **DECISION)
    assert res.status_code == 400 and "decision_unit" in res.get_json()["error"]["fields"]
    res = base.act(client, committee_r, b, "decide", decision_unit="R", **DECISION)
    assert res.status_code == 200, res.get_json()
    assert db.session.query(Decision).count() == 1
    d = db.session.query(Decision).one()
    assert d.unit_id == tree["units"]["R"].id and {lst.id for lst in d.lists} == {a["id"], b["id"]}
    body = client.get(f"/api/v1/decisions/{d.id}", headers=committee_r).get_json()
    assert {r["code"] for r in body["recipients"]} >= {"PA", "PB"}
    subjects = [r["subject"] for r in body["recipients"]]
    assert "unit" in subjects and subjects == sorted(subjects), subjects  # people first


def test_registry_reading_follows_the_lists(client, tree, year, committee_r):
    a = approved(client, tree, "A", committee_r)
    base.act(client, committee_r, a, "decide", **DECISION)
    d = db.session.query(Decision).one()
    hr = tree["headers"]["hr_r"]
    assert client.get(f"/api/v1/decisions/{d.id}", headers=hr).status_code == 200
    # staff of B do not read A's list: the decision is not theirs to see
    h = tree["headers"]["staff_b"]
    assert client.get(f"/api/v1/decisions/{d.id}", headers=h).status_code == 404
    assert client.get("/api/v1/decisions", headers=h).get_json()["items"] == []
    assert client.get("/api/v1/decisions/999999", headers=h).status_code == 404


def test_registry_pages_search_and_show_results(client, tree, year, committee_r):
    a = approved(client, tree, "A", committee_r)
    base.act(client, committee_r, a, "decide", **DECISION)
    d = db.session.query(Decision).one()
    login(client, tree["users"]["staff_a"])
    page = client.get("/awards/decisions?person=PA").get_data(as_text=True)
    assert "15/QĐ-UBND" in page and "20/12/2025" in page
    # the decision opens on the nominee searched for, not on its first page of recipients
    assert f'href="/awards/decisions/{d.id}?q=PA"' in page, page
    assert "Chưa có quyết định nào" in client.get("/awards/decisions?q=zzz").get_data(as_text=True)
    page = client.get(f"/awards/decisions/{d.id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Được khen thưởng" in page
    page = client.get("/awards/people/PA/titles").get_data(as_text=True)
    assert f"/awards/decisions/{d.id}" in page and "Số 15/QĐ-UBND" in page
    page = client.get(f"/awards/lists/{a['id']}").get_data(as_text=True)
    assert f"/awards/decisions/{d.id}" in page
