"""The council of a unit and year and its voting sessions (RULES.md C10): members managed by
the unit's committee, sessions draft → open → closed → published with a frozen ballot, paper
totals, C10 thresholds over all council members, the approval block, role and unit scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from awards import council
from awards.council_models import CouncilMember, VotingItem, VotingSession
from awards.models import Nomination
from awards.rules import DEFAULT_AWARDS
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import T0, YEAR, api_session, nominate, opened, step, vote

clock, council_setup = cf.clock, cf.council_setup  # the fixtures

COUNCIL = f"/api/v1/years/{YEAR}/units/A/council"


# --- C10 thresholds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "award, yes, members, passed",
    [
        ("LDTT", 3, 5, True),  # 60 % > 50 %
        ("LDTT", 2, 5, False),  # 40 %
        ("LDTT", 2, 4, False),  # exactly 50 %: not more than half
        ("LDTT", 3, 4, True),
        ("CSTDCS", 1, 1, True),
        ("CSTDCS", 0, 1, False),
        ("CSTD_TP", 9, 10, True),  # exactly 90 %: enough
        ("CSTD_TP", 8, 10, False),
        ("CSTD_TP", 4, 5, False),  # 80 %
        ("CSTD_TP", 5, 5, True),
        ("CO_TP", 18, 20, True),
        ("CO_TP", 17, 20, False),
        ("LDTT", 0, 0, False),  # no council: nothing passes
    ],
)
def test_C10_thresholds_over_all_members(award, yes, members, passed):
    assert DEFAULT_AWARDS[award].passes(yes, members) is passed


def _paper_published(client, setup, yes_by_nom: dict):
    sid = opened(client, setup, mode="paper")
    assert step(client, setup, sid, "close").status_code == 200
    rows = [{"nomination_id": n.id, "yes": y, "no": 5 - y} for n, y in yes_by_nom.items()]
    res = client.put(
        f"/api/v1/voting-sessions/{sid}/paper-totals",
        json={"items": rows},
        headers=setup["headers"]["hd.thuky"],
    )
    assert res.status_code == 200, res.get_json()
    res = step(client, setup, sid, "publish")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_C10_publish_sets_passed_over_all_five_members(client, council_setup):
    s = council_setup
    noms = s["noms"]
    body = _paper_published(client, s, {noms["PA"]: 3, noms["PA2"]: 2, noms["A1"]: 5})
    by_id = {i["nomination_id"]: i for i in body["items"]}
    assert (by_id[noms["PA"].id]["yes"], by_id[noms["PA"].id]["passed"]) == (3, True)
    assert by_id[noms["PA2"].id]["passed"] is False  # 2 of 5
    assert by_id[noms["A1"].id]["passed"] is True
    db.session.expire_all()
    assert db.session.get(Nomination, noms["PA"].id).passed is True
    assert db.session.get(Nomination, noms["PA2"].id).passed is False
    assert db.session.get(Nomination, noms["PA1"].id).passed is None  # over cap: not voted on


def test_C10_ninety_percent_award_needs_all_five(client, council_setup):
    s = council_setup
    s["noms"]["PA"].award = "CSTD_TP"
    hi = nominate(s["list"], "CSTD_TP", person=s["people"]["PB"])
    db.session.commit()
    body = _paper_published(
        client, s, {s["noms"]["PA"]: 4, hi: 5, s["noms"]["PA2"]: 3, s["noms"]["A1"]: 3}
    )
    by_id = {i["nomination_id"]: i["passed"] for i in body["items"]}
    assert by_id[s["noms"]["PA"].id] is False  # 4/5 = 80 % < 90 %
    assert by_id[hi.id] is True


def test_C10_counts_all_members_not_only_voters(client, council_setup, clock):
    """Two of five vote, both yes: 2/5 is not more than half (LĐTT fails)."""
    s = council_setup
    sid = opened(client, s)
    everything = {s["noms"][k]: True for k in ("PA", "PA2", "A1")}
    for who in ("hd.thuky", "hd.uyvien1"):
        assert vote(client, s, sid, who, everything).status_code == 201
    assert step(client, s, sid, "close").status_code == 200
    body = step(client, s, sid, "publish").get_json()
    assert body["members_count"] == 5 and body["voters_count"] == 2
    pa2 = next(i for i in body["items"] if i["nomination_id"] == s["noms"]["PA2"].id)
    assert (pa2["yes"], pa2["no"], pa2["passed"]) == (2, 0, False)


# --- members ---------------------------------------------------------------------------------


def test_committee_adds_and_removes_members_with_audit(client, council_setup, create_user):
    s = council_setup
    create_user(username="hd.moi")
    h = s["headers"]["committee_a"]
    res = client.post(COUNCIL, json={"username": "hd.moi", "role": "member"}, headers=h)
    assert res.status_code == 201, res.get_json()
    mid = res.get_json()["id"]
    listing = client.get(COUNCIL, headers=h).get_json()
    assert listing["count"] == 6
    assert [m["role"] for m in listing["items"]][:2] == ["chair", "secretary"]
    # a second chair, the same account twice: refused
    res = client.post(COUNCIL, json={"username": "staff_a", "role": "chair"}, headers=h)
    assert res.status_code == 409
    res = client.post(COUNCIL, json={"username": "hd.moi"}, headers=h)
    assert res.status_code == 409
    res = client.post(COUNCIL, json={"username": "khongco"}, headers=h)
    assert res.status_code == 400
    assert client.delete(f"/api/v1/council-members/{mid}", headers=h).status_code == 204
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "council_member", AuditEntry.object_id == str(mid)
        )
    ).all()
    assert sorted(actions) == ["create", "delete"]


def test_members_scope_403_and_404(client, council_setup):
    s = council_setup
    h = s["headers"]
    # staff of A may read the council but not change it
    assert client.get(COUNCIL, headers=h["staff_a"]).status_code == 200
    res = client.post(COUNCIL, json={"username": "staff_a"}, headers=h["staff_a"])
    assert res.status_code == 403
    # the committee of B does not see unit A
    assert client.get(COUNCIL, headers=h["committee_b"]).status_code == 404
    res = client.post(COUNCIL, json={"username": "staff_a"}, headers=h["committee_b"])
    assert res.status_code == 404
    mid = s["members"]["hd.uyvien3"].id
    member = db.session.scalar(select(CouncilMember).where(CouncilMember.user_id == mid))
    assert (
        client.delete(f"/api/v1/council-members/{member.id}", headers=h["committee_b"]).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/council-members/{member.id}", headers=h["staff_a"]).status_code
        == 403
    )
    # a council member without a role reads nothing of the unit's council
    assert client.get(COUNCIL, headers=h["hd.uyvien1"]).status_code == 404


def test_members_frozen_while_a_session_is_open(client, council_setup, create_user):
    s = council_setup
    opened(client, s)
    create_user(username="hd.tre")
    res = client.post(COUNCIL, json={"username": "hd.tre"}, headers=s["headers"]["committee_a"])
    assert res.status_code == 409
    assert "chưa công bố" in res.get_json()["error"]["message"]


# --- sessions --------------------------------------------------------------------------------


def test_session_states_and_approval_block(client, council_setup, clock):
    s = council_setup
    assert "chưa được hội đồng" in council.approval_block(s["list"])  # never put to the vote
    res = api_session(client, s)
    assert res.status_code == 201
    body = res.get_json()
    assert body["state"] == "draft" and body["items"] == []
    sid = body["id"]
    assert "chờ kết quả bỏ phiếu" in council.approval_block(s["list"])
    # a second unpublished session on the same list
    assert api_session(client, s).status_code == 409
    # close before open: refused
    assert step(client, s, sid, "close").status_code == 409
    assert step(client, s, sid, "open").status_code == 200
    assert step(client, s, sid, "open").status_code == 409
    assert step(client, s, sid, "publish").status_code == 409
    assert step(client, s, sid, "close").status_code == 200
    assert council.approval_block(s["list"]) is not None
    assert step(client, s, sid, "publish").status_code == 200
    assert council.approval_block(s["list"]) is None
    audit = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "voting_session", AuditEntry.object_id == str(sid)
        )
    ).all()
    assert sorted(audit) == ["close", "create", "open", "publish"]


def test_session_window_must_be_ordered(client, council_setup):
    s = council_setup
    res = api_session(client, s, hours=0)
    assert res.status_code == 400
    assert "sau thời điểm mở" in res.get_json()["error"]["message"]


def test_ballot_frozen_once_open(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    frozen = {s["noms"][k].id for k in ("PA", "PA2", "A1")}
    late = nominate(s["list"], "LDTT", person=s["people"]["PB"])  # added after opening
    s["noms"]["PA2"].status = "removed"  # removed after opening
    db.session.commit()
    body = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["staff_a"]).get_json()
    assert {i["nomination_id"] for i in body["items"]} == frozen
    on_ballot = set(
        db.session.scalars(select(VotingItem.nomination_id).where(VotingItem.session_id == sid))
    )
    assert late.id not in on_ballot and on_ballot == frozen
    mine = client.get(f"/api/v1/voting-sessions/{sid}/ballot", headers=s["headers"]["hd.thuky"])
    assert {i["nomination_id"] for i in mine.get_json()["items"]} == frozen


def test_totals_hidden_while_open(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    yes_all = {s["noms"][k]: True for k in ("PA", "PA2", "A1")}
    assert vote(client, s, sid, "hd.thuky", yes_all).status_code == 201
    for who in ("committee_a", "admin", "hd.thuky", "staff_a"):
        body = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"][who]).get_json()
        assert body["totals_shown"] is False
        assert all(
            i["yes"] is None and i["no"] is None and i["passed"] is None for i in body["items"]
        )
        assert body["voters_count"] == 1
    assert step(client, s, sid, "close").status_code == 200
    body = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["staff_a"]).get_json()
    assert body["totals_shown"] is True
    assert all(i["yes"] == 1 and i["no"] == 0 for i in body["items"])
    assert all(i["passed"] is None for i in body["items"])  # not published yet


def test_paper_mode(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s, mode="paper")
    # no electronic vote in a paper session
    res = vote(client, s, sid, "hd.thuky", {s["noms"][k]: True for k in ("PA", "PA2", "A1")})
    assert res.status_code == 400
    url = f"/api/v1/voting-sessions/{sid}/paper-totals"
    rows = [{"nomination_id": s["noms"]["PA"].id, "yes": 4, "no": 1}]
    # not before closing
    assert (
        client.put(url, json={"items": rows}, headers=s["headers"]["hd.thuky"]).status_code == 400
    )
    assert step(client, s, sid, "close").status_code == 200
    # an ordinary member does not count; more votes than members refused
    assert (
        client.put(url, json={"items": rows}, headers=s["headers"]["hd.uyvien1"]).status_code == 403
    )
    too_many = [{"nomination_id": s["noms"]["PA"].id, "yes": 4, "no": 2}]
    res = client.put(url, json={"items": too_many}, headers=s["headers"]["hd.thuky"])
    assert res.status_code == 400
    assert (
        client.put(url, json={"items": rows}, headers=s["headers"]["hd.thuky"]).status_code == 200
    )
    # publishing needs a total for every nomination on the ballot
    res = step(client, s, sid, "publish")
    assert res.status_code == 400 and "Chưa nhập" in res.get_json()["error"]["message"]
    rest = [{"nomination_id": s["noms"][k].id, "yes": 2, "no": 3} for k in ("PA2", "A1")]
    res = client.put(url, json={"items": rest}, headers=s["headers"]["committee_a"])
    assert res.status_code == 200
    body = step(client, s, sid, "publish").get_json()
    got = {i["nomination_id"]: (i["yes"], i["no"], i["passed"]) for i in body["items"]}
    assert got[s["noms"]["PA"].id] == (4, 1, True)
    assert got[s["noms"]["A1"].id] == (2, 3, False)


def test_session_scope_403_404(client, council_setup, clock):
    s = council_setup
    h = s["headers"]
    assert api_session(client, s, who="staff_a").status_code == 403
    assert api_session(client, s, who="committee_b").status_code == 404
    assert api_session(client, s, who="hd.chutich").status_code == 403  # a member, not committee
    sid = opened(client, s)
    assert client.get(f"/api/v1/voting-sessions/{sid}", headers=h["committee_b"]).status_code == 404
    assert client.get(f"/api/v1/voting-sessions/{sid}", headers=h["staff_b"]).status_code == 404
    assert step(client, s, sid, "close", who="staff_a").status_code == 403
    assert step(client, s, sid, "close", who="hd.thuky").status_code == 403
    assert step(client, s, sid, "close", who="committee_b").status_code == 404


def test_no_session_on_an_approved_list(client, council_setup):
    s = council_setup
    s["list"].state = "approved"
    db.session.commit()
    assert api_session(client, s).status_code == 400


def test_openapi_documents_the_council(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for p in (
        "/api/v1/years/{year}/units/{code}/council",
        "/api/v1/council-members/{member_id}",
        "/api/v1/award-lists/{list_id}/voting-sessions",
        "/api/v1/voting-sessions/{session_id}",
        "/api/v1/voting-sessions/{session_id}/ballot",
        "/api/v1/voting-sessions/{session_id}/paper-totals",
        "/api/v1/my/ballots",
    ):
        assert p in paths, p


def test_session_with_times_in_past_cannot_open(client, council_setup, clock):
    s = council_setup
    sid = api_session(client, s).get_json()["id"]  # created in time
    clock.at = T0 + dt.timedelta(hours=3)  # its window went by while it was a draft
    assert step(client, s, sid, "open").status_code == 400


def test_a_session_whose_closing_time_has_passed_is_refused_when_created(
    client, council_setup, clock
):
    """Made on 08/12 for 01/12, a session was taken, then refused at «Mở phiên», and no other
    could be made until it was deleted: it is refused when made, saying why."""
    s = council_setup
    clock.at = T0 + dt.timedelta(hours=3)
    res = api_session(client, s)
    assert res.status_code == 400, res.get_json()
    told = res.get_json()["error"]["fields"]["closes_at"][0]
    assert "đã qua" in told and (T0 + dt.timedelta(hours=2)).strftime("%d/%m/%Y %H:%M") in told
    assert db.session.query(council.VotingSession).count() == 0


def test_C10_a_session_counts_as_closed_from_its_closing_time(client, council_setup, clock):
    """Issue 12: nobody has to press «Đóng phiên» at the closing time: from then on no ballot
    is taken, the totals show, and publishing records the close first."""
    s = council_setup
    sid = opened(client, s)
    yes_all = {s["noms"][k]: True for k in ("PA", "PA2", "A1")}
    assert vote(client, s, sid, "hd.thuky", yes_all).status_code == 201
    clock.at = T0 + dt.timedelta(hours=2)  # the closing time
    h = s["headers"]["staff_a"]
    body = client.get(f"/api/v1/voting-sessions/{sid}", headers=h).get_json()
    assert body["state"] == "closed" and body["totals_shown"] is True, body
    assert "hết giờ" in body["state_label"]
    assert all(i["yes"] == 1 for i in body["items"])
    assert vote(client, s, sid, "hd.uyvien1", yes_all).status_code in (400, 409)
    assert step(client, s, sid, "publish").status_code == 200
    closes = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "close", AuditEntry.object_id == str(sid))
    ).all()
    assert len(closes) == 1 and closes[0].after["closed_at_closing_time"] is True
    body = client.get(f"/api/v1/voting-sessions/{sid}", headers=h).get_json()
    assert body["state"] == "published" and all(i["passed"] is not None for i in body["items"])


def test_a_secret_session_is_not_closed_before_its_opening_time(client, council_setup, clock):
    """Closed before anyone could vote, its publication refused every nomination (0 yes);
    now the close waits for the opening time, and nothing changes."""
    s = council_setup
    later = T0 + dt.timedelta(hours=1)  # the clock reads T0 + 30 minutes
    res = api_session(client, s, opens=later)
    sid = res.get_json()["id"]
    assert step(client, s, sid, "open").status_code == 200
    res = step(client, s, sid, "close")
    assert res.status_code == 400 and "chưa đến giờ mở" in res.get_json()["error"]["message"]
    assert db.session.get(VotingSession, sid).state == "open"
    clock.at = later
    assert step(client, s, sid, "close").status_code == 200


def test_a_session_opened_before_its_time_says_when_and_can_be_deleted_until_then(
    client, council_setup, clock, login_session
):
    """Opened at 12:21 for a vote from 13:00: the committee's and the member's pages say when
    voting starts (the ballot said only «không trong thời gian bỏ phiếu»); until then nobody
    can have voted, so the committee may delete it (wrong times) and create another; from the
    opening time it stays."""
    s = council_setup
    later = T0 + dt.timedelta(hours=1)  # the clock reads T0 + 30 minutes
    sid = api_session(client, s, opens=later).get_json()["id"]
    assert step(client, s, sid, "open").status_code == 200
    starts = f"{later:%d/%m/%Y %H:%M}"
    login_session(client, s["users"]["committee_a"])
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert f"bỏ phiếu từ {starts}" in page and "Xóa phiên" in page, page
    login_session(client, s["users"]["hd.uyvien1"])
    page = client.get(f"/awards/voting-sessions/{sid}/ballot").get_data(as_text=True)
    assert f"bỏ phiếu từ {starts}" in page, page
    api = client.application.test_client()  # the API by token, beside the pages' session
    res = api.delete(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert res.status_code == 204, res.get_json()
    assert db.session.get(VotingSession, sid) is None
    assert db.session.query(VotingItem).filter_by(session_id=sid).count() == 0
    # another, opened in time: once its window has begun it is not deleted
    sid = api_session(api, s, opens=later).get_json()["id"]
    assert step(api, s, sid, "open").status_code == 200
    clock.at = later
    res = api.delete(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert res.status_code == 409, res.get_json()
    assert db.session.get(VotingSession, sid) is not None


def test_a_draft_session_can_be_deleted_and_only_a_draft(client, council_setup, login_session):
    """A session created by mistake (wrong times, wrong mode) blocks a second one until it is
    deleted; only a draft (nothing frozen, nobody voted) is deleted, by who runs the sessions,
    audited; the page offers it."""
    s = council_setup
    sid = api_session(client, s).get_json()["id"]
    url = f"/api/v1/voting-sessions/{sid}"
    assert client.delete(url, headers=s["headers"]["hd.uyvien1"]).status_code == 403
    assert client.delete(url, headers=s["headers"]["committee_b"]).status_code == 404
    assert client.delete(url, headers=s["headers"]["committee_a"]).status_code == 204
    assert db.session.get(VotingSession, sid) is None
    audit = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "voting_session", AuditEntry.object_id == str(sid)
        )
    ).all()
    assert sorted(audit) == ["create", "delete"]
    # the list takes a new session; once opened it cannot be deleted
    sid = opened(client, s)
    res = client.delete(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert res.status_code == 409 and "chưa mở" in res.get_json()["error"]["message"]
    assert db.session.get(VotingSession, sid) is not None

    # the page: a draft's delete button, then the list's sessions page without it
    sid2 = None
    step(client, s, sid, "close")
    step(client, s, sid, "publish")
    sid2 = api_session(client, s).get_json()["id"]
    login_session(client, s["users"]["committee_a"])
    page = client.get(f"/awards/voting-sessions/{sid2}").get_data(as_text=True)
    assert "Xóa phiên" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post(f"/awards/voting-sessions/{sid2}/delete", data={"csrf_token": token})
    assert res.status_code == 302 and res.location.endswith(f"/awards/lists/{s['list'].id}/voting")
    page = client.get(res.location).get_data(as_text=True)
    assert f"Đã xóa phiên bỏ phiếu #{sid2}" in page
    assert db.session.get(VotingSession, sid2) is None
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert "Xóa phiên" not in page


def test_a_session_closed_early_tells_when_it_closed(client, council_setup, clock, login_session):
    s = council_setup
    sid = opened(client, s)
    assert step(client, s, sid, "close").status_code == 200  # at 08:30, planned 10:00
    body = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert body.get_json()["closed_at"].startswith("2025-12-01T08:30"), body.get_json()
    login_session(client, s["users"]["committee_a"])
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert "đóng sớm lúc 01/12/2025 08:30" in page, page
