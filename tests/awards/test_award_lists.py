"""Award lists and nominations through the API (RULES.md C9, C11; issue 12 item 4): propose by
rule as a job, read the stored proposals, manual nominations, removal with a reason, and the
list's steps draft → submitted → approved | returned → decided, the decision becoming history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from awards.lists import why_text
from awards.models import AwardList, Nomination
from evaluation import queries as eq
from evaluation.models import History, PersonEval
from service.audit.models import AuditEntry
from service.extensions import db

YEAR = 2025


@pytest.fixture
def year(app, tree, create_year, create_person_inputs, create_review):
    """2025 with everyone entered (good scores: rated), the rating lists approved."""
    with app.test_request_context():  # the inputs' commits recompute inside it
        row = create_year(YEAR)
        people = tree["people"]
        for code in ("PA", "PA2", "PA1", "PB"):
            create_person_inputs(row, people[code])
        for code in ("R", "A", "A1", "B"):
            create_review(row, tree["units"][code], state="approved")
    return row


def propose(client, h, unit="A"):
    res = client.post(f"/api/v1/years/{YEAR}/awards/propose", json={"unit": unit}, headers=h)
    assert res.status_code == 202, res.get_json()
    job = res.get_json()
    assert job["status"] == "done", job
    return job


def the_list(client, h, unit="A"):
    res = client.get(f"/api/v1/years/{YEAR}/award-lists", headers=h)
    assert res.status_code == 200, res.get_json()
    found = [x for x in res.get_json()["items"] if x["unit"] == unit]
    assert len(found) == 1, res.get_json()
    return found[0]


def items(client, h, lst):
    res = client.get(f"/api/v1/award-lists/{lst['id']}/nominations?per_page=500", headers=h)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["items"]


def nominate_gk(client, h, lst, code):
    """A manual Giấy khen for the person `code`, from the list as `lst` was read."""
    return client.post(
        f"/api/v1/award-lists/{lst['id']}/nominations",
        json={"subject": "person", "code": code, "award": "GK", "reason": "Đột xuất",
              "version": lst["version"]},
        headers=h,
    )  # fmt: skip


def council_voted(client, committee, lst, refused=()):
    """The council's vote on the list (C10: a list is approved once every nomination has its
    result): three members when the unit's council has none, a paper session opened, closed,
    every nomination yes by all (no by all for the nomination ids in `refused`), published.
    The ids of the nominations on its ballot."""
    from awards.council_models import CouncilMember
    from service.auth.models import User

    award_list = db.session.get(AwardList, lst["id"])
    where = (CouncilMember.year == award_list.year, CouncilMember.unit_id == award_list.unit_id)
    members = db.session.query(CouncilMember).filter(*where).count()
    if members == 0:
        for i in range(3):
            user = User(username=f"hd.{award_list.unit_id}.{i}", password_hash="x")
            db.session.add(user)
            db.session.flush()
            db.session.add(CouncilMember(year=award_list.year, unit_id=award_list.unit_id,
                                         user_id=user.id, role="member"))  # fmt: skip
        db.session.commit()
        members = 3
    now = dt.datetime.now()
    res = client.post(
        f"/api/v1/award-lists/{lst['id']}/voting-sessions",
        json={"mode": "paper", "opens_at": (now - dt.timedelta(hours=1)).isoformat(),
              "closes_at": (now + dt.timedelta(hours=1)).isoformat()},
        headers=committee,
    )  # fmt: skip
    assert res.status_code == 201, res.get_json()
    sid = res.get_json()["id"]
    for step in ("open", "close"):
        res = client.post(f"/api/v1/voting-sessions/{sid}/{step}", json={}, headers=committee)
        assert res.status_code == 200, res.get_json()
    items = res.get_json()["items"]
    rows = [
        {"nomination_id": i["nomination_id"], "yes": 0 if i["nomination_id"] in refused
         else members, "no": members if i["nomination_id"] in refused else 0}
        for i in items
    ]  # fmt: skip
    res = client.put(
        f"/api/v1/voting-sessions/{sid}/paper-totals", json={"items": rows}, headers=committee
    )
    assert res.status_code == 200, res.get_json()
    res = client.post(f"/api/v1/voting-sessions/{sid}/publish", json={}, headers=committee)
    assert res.status_code == 200, res.get_json()
    return {i["nomination_id"] for i in items}


def approve(client, committee, lst, refused=()):
    """The council's vote (all yes but `refused`), then the committee's approval: the list."""
    council_voted(client, committee, lst, refused)
    res = act(client, committee, lst, "approve")
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def act(client, h, lst, action, **body):
    return client.post(
        f"/api/v1/award-lists/{lst['id']}/actions",
        json={"action": action, "version": lst["version"], **body},
        headers=h,
    )


def test_C11_propose_stores_the_rules_proposals_as_the_lists_nominations(client, tree, year):
    h = tree["headers"]["staff_a"]
    job = propose(client, h)
    assert job["result"]["lists"][0]["unit"] == "A"
    lst = the_list(client, h)
    assert lst["state"] == "draft" and lst["provisional"] is False
    got = {(i["code"], i["award"]): i for i in items(client, h, lst)}
    # everyone of A's subtree rated T or better is LĐTT (C1), with the rule and its reason
    for code in ("PA", "PA2", "PA1"):
        item = got[(code, "LDTT")]
        assert item["rule"] == "C1" and item["status"] == "proposed" and item["why"], item
    assert not any(code == "PB" for code, _a in got)  # B is outside A
    # the proposals read answers from the stored list, with the nominations' ids
    res = client.get(f"/api/v1/years/{YEAR}/awards/proposals?unit=A", headers=h)
    stored = {(i["code"], i["award"]) for i in res.get_json()["items"]}
    assert stored == set(got)
    assert all(i["id"] for i in res.get_json()["items"])
    audit = db.session.query(AuditEntry).filter_by(action="propose").one()
    assert audit.object_type == "award_list" and audit.after["proposed"] >= 3


def proposed_list(client, h):
    """Propose A's list; (its nominations' URL, a manual GK nomination's body for PA2)."""
    propose(client, h)
    lst = the_list(client, h)
    url = f"/api/v1/award-lists/{lst['id']}/nominations"
    return url, {"subject": "person", "code": "PA2", "award": "GK", "version": lst["version"]}


def test_C9_manual_nomination_needs_a_reason_and_respects_C0(client, tree, year):
    h = tree["headers"]["staff_a"]
    url, body = proposed_list(client, h)
    res = client.post(url, json={**body, "reason": ""}, headers=h)
    assert res.status_code == 400 and "reason" in res.get_json()["error"]["fields"], res.get_json()
    res = client.post(url, json={**body, "code": "PB", "reason": "Cứu người"}, headers=h)
    assert (
        res.status_code == 400 and "code" in res.get_json()["error"]["fields"]
    )  # outside the list
    res = client.post(url, json={**body, "award": "TTLDXS", "reason": "x"}, headers=h)
    assert res.status_code == 400 and "award" in res.get_json()["error"]["fields"]  # a unit's title
    assert db.session.query(Nomination).filter_by(source="manual").count() == 0

    res = client.post(url, json={**body, "reason": "Dũng cảm cứu người"}, headers=h)
    assert res.status_code == 201, res.get_json()
    made = res.get_json()
    assert (
        made["status"] == "manual"
        and made["rule"] == "C9"
        and "cứu người" in made["why"][0]["text"]
    )
    # the same (person, award) twice is refused
    lst = the_list(client, h)
    again = client.post(url, json={**body, "version": lst["version"], "reason": "x"}, headers=h)
    assert again.status_code == 409

    # C0: a person under review gets no nomination
    # (set directly: the approved rating list keeps its inputs from being edited)
    db.session.query(PersonEval).filter_by(person_id=tree["people"]["PA1"].id).update(
        {"under_review": True}
    )
    db.session.commit()
    lst = the_list(client, h)
    res = client.post(
        url,
        json={**body, "code": "PA1", "version": lst["version"], "reason": "Thành tích"},
        headers=h,
    )
    assert res.status_code == 400 and "C0" in res.get_json()["error"]["message"], res.get_json()


def test_C9_P4_a_manual_party_badge_needs_a_member_of_that_party_age(client, tree, year):
    """A Huy hiệu 40 năm tuổi Đảng typed for someone who is not a party member, or a member
    not 40 years in the party by the year's end, is refused at the award, nothing added; a
    member of that age is nominated."""
    import datetime as dt

    h = tree["headers"]["staff_a"]
    url, body = proposed_list(client, h)
    body = {**body, "award": "HHD40", "reason": "Thử huy hiệu"}
    pa2 = tree["people"]["PA2"]
    pa2.is_party_member, pa2.admitted_on = False, None
    db.session.commit()
    res = client.post(url, json=body, headers=h)
    assert res.status_code == 400, res.get_json()
    assert "chỉ xét cho đảng viên" in res.get_json()["error"]["fields"]["award"][0]
    pa2.is_party_member, pa2.admitted_on = True, dt.date(1990, 3, 3)
    db.session.commit()
    res = client.post(url, json=body, headers=h)
    assert res.status_code == 400, res.get_json()
    assert "sớm nhất ngày 03/03/2030" in res.get_json()["error"]["fields"]["award"][0]
    assert db.session.query(Nomination).filter_by(award="HHD40").count() == 0
    pa2.admitted_on = dt.date(1985, 3, 3)
    db.session.commit()
    res = client.post(url, json=body, headers=h)
    assert res.status_code == 201, res.get_json()


def test_C11_remove_keeps_the_row_with_its_reason_and_re_propose_keeps_staff_choices(
    client, tree, year
):
    h = tree["headers"]["staff_a"]
    propose(client, h)
    lst = the_list(client, h)
    ldtt = next(i for i in items(client, h, lst) if (i["code"], i["award"]) == ("PA", "LDTT"))
    res = client.post(
        f"/api/v1/nominations/{ldtt['id']}/remove",
        json={"reason": "", "version": lst["version"]},
        headers=h,
    )
    assert res.status_code == 400
    res = client.post(
        f"/api/v1/nominations/{ldtt['id']}/remove",
        json={"reason": "Chuyển công tác", "version": lst["version"]},
        headers=h,
    )
    assert res.status_code == 200 and res.get_json()["status"] == "removed"
    lst = the_list(client, h)
    assert nominate_gk(client, h, lst, "PA2").status_code == 201
    propose(client, h)  # again: the removal and the manual nomination stay
    got = {(i["code"], i["award"]): i for i in items(client, h, the_list(client, h))}
    assert got[("PA", "LDTT")]["status"] == "removed"
    assert got[("PA", "LDTT")]["removed_reason"] == "Chuyển công tác"
    assert got[("PA2", "GK")]["status"] == "manual"
    assert got[("PA2", "LDTT")]["status"] == "proposed"
    # restored from the page as it was loaded before the re-proposal: a change of this row
    # only (the list's own steps need its current version)
    res = client.post(
        f"/api/v1/nominations/{ldtt['id']}/restore", json={"version": lst["version"]}, headers=h
    )
    assert res.status_code == 200 and res.get_json()["status"] == "proposed"
    res = client.post(f"/api/v1/nominations/{ldtt['id']}/restore", json={}, headers=h)
    assert res.status_code == 409  # restored already


def test_C11_steps_roles_reasons_and_the_decision_becoming_history(client, tree, year):
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    propose(client, staff)
    lst = the_list(client, staff)
    assert [a["action"] for a in lst["actions"]] == ["submit"]
    assert act(client, committee, lst, "approve").status_code == 409  # not submitted yet
    res = act(client, staff, lst, "submit")
    assert res.status_code == 200 and res.get_json()["state"] == "submitted", res.get_json()
    lst = res.get_json()
    res = client.get(f"/api/v1/years/{YEAR}/awards/proposals?unit=A", headers=staff)
    assert {i["status"] for i in res.get_json()["items"]} <= {"submitted", "over_cap", "blocked"}
    assert act(client, staff, lst, "approve").status_code == 403  # staff do not approve
    res = act(client, committee, lst, "return")
    assert res.status_code == 400 and "reason" in res.get_json()["error"]["fields"]
    res = act(client, committee, lst, "return", reason="Bổ sung thành tích")
    assert res.get_json()["state"] == "returned" and res.get_json()["return_reason"]
    lst = act(client, staff, res.get_json(), "submit").get_json()
    res = act(client, committee, lst, "approve")  # C10: the council has not voted yet
    assert res.status_code == 409 and "chưa được hội đồng" in res.get_json()["error"]["message"]
    lst = approve(client, committee, lst)
    assert lst["state"] == "approved", lst
    res = act(client, committee, lst, "decide", decision_no="15/QĐ-UBND")
    assert res.status_code == 400  # date and signer missing
    assert db.session.query(History).count() == 0
    decision = {"decision_date": "20/12/2025", "decision_signer": "Nguyễn Văn A"}
    res = act(client, committee, lst, "decide", decision_no="15/QĐ-UBND", **decision)
    assert res.status_code == 200, res.get_json()
    lst = the_list(client, staff)
    assert lst["state"] == "decided" and lst["decision_date"] == "20/12/2025" and not lst["actions"]
    # the decided awards are the 2025 history the 2026 rules read, with the year's levels
    pa = tree["people"]["PA"]
    past = [h for h in eq.history_before(YEAR + 1) if h.person_id == pa.id]
    assert len(past) == 1 and "LDTT" in past[0].awards and past[0].official_level in ("XS", "T")
    # decided is locked
    assert client.post(f"/api/v1/years/{YEAR}/awards/propose", json={"unit": "A"},
                       headers=staff).status_code == 409  # fmt: skip
    assert act(client, committee, lst, "return", reason="x").status_code == 409
    assert db.session.get(AwardList, lst["id"]).state == "decided"


def test_C11_a_provisional_list_cannot_be_submitted(
    app, client, tree, create_year, create_person_inputs
):
    with app.test_request_context():
        row = create_year(YEAR)
        for code in ("PA", "PA2"):
            create_person_inputs(row, tree["people"][code])  # rated, its list not approved
    h = tree["headers"]["staff_a"]
    propose(client, h)
    lst = the_list(client, h)
    assert lst["provisional"] is True
    res = act(client, h, lst, "submit")
    assert res.status_code == 400 and "tạm tính" in res.get_json()["error"]["message"], (
        res.get_json()
    )
    message = res.get_json()["error"]["message"]
    assert "Nguyễn Văn An" in message  # the nominations named
    # and the rating list to approve first, with its state and how many it holds
    assert "cần phê duyệt các danh sách xếp loại: Đơn vị A (A, «Đang nhập», 2 người)" in message, (
        message
    )
    assert "…." not in message
    assert db.session.get(AwardList, lst["id"]).state == "draft"
    # every provisional nomination taken off the list (with a reason): the block is lifted
    for item in items(client, h, lst):
        if item["status"] == "proposed":
            lst = the_list(client, h)
            res = client.post(f"/api/v1/nominations/{item['id']}/remove",
                              json={"reason": "Chờ xếp loại", "version": lst["version"]},
                              headers=h)  # fmt: skip
            assert res.status_code == 200, res.get_json()
    lst = the_list(client, h)
    assert lst["provisional"] is False
    res = act(client, h, lst, "submit")
    assert "tạm tính" not in str(res.get_json()), res.get_json()


def test_C11_lists_are_read_within_reach_only(client, tree, year):
    propose(client, tree["headers"]["staff_a"])
    lst = the_list(client, tree["headers"]["staff_a"])
    res = client.get(f"/api/v1/award-lists/{lst['id']}", headers=tree["headers"]["staff_b"])
    assert res.status_code == 404
    res = client.post(
        f"/api/v1/years/{YEAR}/awards/propose",
        json={"unit": "A"},
        headers=tree["headers"]["staff_b"],
    )
    assert res.status_code == 404
    res = client.post(
        f"/api/v1/years/{YEAR}/awards/propose", json={"unit": "A"}, headers=tree["headers"]["hr_r"]
    )
    assert res.status_code == 403  # HR reads the unit, does not propose


@pytest.mark.parametrize("asked", [YEAR + 1, 10000])
def test_proposals_of_a_year_not_open_answer_404(client, tree, year, asked):
    """A year not open (also one past the calendar's last, 10000: it crashed building the
    year's badge occasions) answers 404, as the other awards reads of a year do."""
    res = client.get(f"/api/v1/years/{asked}/awards/proposals", headers=tree["headers"]["admin"])
    assert res.status_code == 404, res.get_json()


def test_C10_an_unpublished_ballot_holds_approval_and_failed_votes_are_not_decided(
    client, tree, year
):
    import datetime as dt

    from awards.council_models import VotingSession

    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    propose(client, staff)
    lst = act(client, staff, the_list(client, staff), "submit").get_json()
    now = dt.datetime.now()
    session = VotingSession(
        list_id=lst["id"],
        mode="secret",
        state="closed",
        opens_at=now,
        closes_at=now + dt.timedelta(hours=1),
    )
    db.session.add(session)
    db.session.commit()
    res = act(client, committee, lst, "approve")
    assert res.status_code == 409 and "bỏ phiếu" in res.get_json()["error"]["message"]
    assert db.session.get(AwardList, lst["id"]).state == "submitted"
    # published: PA's LĐTT failed the vote, the others passed
    pa = tree["people"]["PA"]
    session.state = "published"
    for nom in db.session.query(Nomination).filter_by(list_id=lst["id"]):
        nom.passed = nom.person_id != pa.id
    db.session.commit()
    lst = act(client, committee, lst, "approve").get_json()
    decision = {"decision_no": "9/QĐ", "decision_date": "20/12/2025", "decision_signer": "A"}
    assert act(client, committee, lst, "decide", **decision).status_code == 200
    awarded = {h.person_id: h.awards for h in eq.history_before(YEAR + 1) if h.person_id}
    assert pa.id not in awarded and "LDTT" in awarded[tree["people"]["PA2"].id]


@given(rule=st.text(max_size=12), why=st.text(max_size=300))
def test_why_text_is_the_text_the_json_column_writes(rule, why):
    """Proposing again compares the stored why as text with why_text, and COPY writes
    why_text as it is: it must be json.dumps's text of [{"rule", "text"}] for any strings
    (quotes, backslashes, Vietnamese, control characters)."""
    assert why_text(rule, why) == json.dumps([{"rule": rule, "text": why}])


def test_C11_propose_again_compares_the_stored_why_by_its_json_not_its_spelling(client, tree, year):
    """A stored why spelled another way (compact JSON, written by some other path) with the
    same content is not a change; a why with another content is, and is written back."""
    h = tree["headers"]["staff_a"]
    propose(client, h)
    rows = db.session.query(Nomination).order_by(Nomination.id).limit(2).all()
    assert len(rows) == 2
    same, other = rows
    expected_other = other.why
    compact = json.dumps(same.why, separators=(",", ":"), ensure_ascii=False)
    wrong = json.dumps([{"rule": other.rule, "text": "lý do cũ"}])
    put = "UPDATE nominations SET why = {} WHERE id = :i".format(
        "CAST(:t AS JSON)" if db.session.get_bind().dialect.name == "postgresql" else ":t"
    )
    db.session.execute(sa.text(put), [{"t": compact, "i": same.id}, {"t": wrong, "i": other.id}])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Nomination, other.id).why != expected_other
    job = propose(client, h)
    got = job["result"]["lists"][0]
    assert (got["added"], got["changed"], got["dropped"]) == (0, 1, 0), got
    db.session.expire_all()
    spelled = sa.select(sa.cast(Nomination.why, sa.Text)).where(Nomination.id == same.id)
    assert db.session.scalar(spelled) == compact  # left as it was: not a change
    assert db.session.get(Nomination, other.id).why == expected_other


def test_C11_the_rules_rows_have_no_author_a_manual_nomination_names_its_staff(client, tree, year):
    """A row the rules proposed is the rules' (source "rule"), not a person's: it names no
    author (the proposal's user is on its audit entry), so storing a city's 700,000 rows checks
    no user key per row. A manual nomination (C9) keeps the staff member who made it."""
    h = tree["headers"]["staff_a"]
    url, body = proposed_list(client, h)
    res = client.post(url, json={**body, "reason": "Dũng cảm cứu người"}, headers=h)
    assert res.status_code == 201, res.get_json()
    db.session.expire_all()
    rules = db.session.query(Nomination).filter_by(source="rule").all()
    assert rules and all(n.created_by_id is None for n in rules)
    manual = db.session.query(Nomination).filter_by(source="manual").one()
    staff = db.session.query(AuditEntry).filter_by(action="propose").one().user_id
    assert staff is not None and manual.created_by_id == staff


def test_C11_a_subjects_award_is_once_a_year_over_every_list_in_the_database_itself(
    client, tree, year, create_person
):
    """(year, person, award) and (year, unit, award) are unique over every list of the year in
    the schema itself (a second list of the year, written around the service, is refused); a
    person and a unit with the same id are different subjects."""
    from sqlalchemy.exc import IntegrityError

    from service.org.models import Person

    propose(client, tree["headers"]["staff_a"])
    mine = db.session.query(AwardList).one()
    other = AwardList(year=YEAR, unit_id=tree["units"]["B"].id, state="draft", version=1)
    db.session.add(other)
    db.session.commit()
    common = {"year": YEAR, "source": "manual", "status": "manual", "rule": "C9", "why": []}

    def add(list_id, subject, subject_id, award):
        column = "person_id" if subject == "person" else "unit_id"
        key = f"{subject[0]}{subject_id}"
        db.session.add(
            Nomination(
                **common,
                list_id=list_id,
                subject=subject,
                subject_key=key,
                award=award,
                **{column: subject_id},
            )
        )
        db.session.flush()

    pa, unit = tree["people"]["PA"].id, tree["units"]["A"].id
    cases = (("person", pa, "GK"), ("person", pa, "BK_TP"), ("unit", unit, "GK"))
    for subject, subject_id, award in cases:
        with db.session.begin_nested():
            add(mine.id, subject, subject_id, award)
        with pytest.raises(IntegrityError), db.session.begin_nested():
            add(other.id, subject, subject_id, award)
    # a number that is a person's id and a unit's: two subjects, both stand
    twin = tree["units"]["A"].id
    if db.session.get(Person, twin) is None:  # ids come from sequences: give one the unit's
        create_person(tree["units"]["A"], code="TWIN", id=twin)
    with db.session.begin_nested():
        add(other.id, "unit", twin, "CSTD_TP")
        add(other.id, "person", twin, "CSTD_TP")
    assert db.session.query(Nomination).filter_by(award="CSTD_TP").count() == 2
    db.session.rollback()


def test_C11_a_decision_below_an_awards_authority_is_refused_naming_it(client, tree, year):
    """A ward's decision (cấp cơ sở) does not confer a Bằng khen of the city's chairman: the
    refusal names the award, how many and whose authority; nothing is decided; at the city's
    level the same list is decided."""
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    url, body = proposed_list(client, staff)
    body = {**body, "award": "BK_TP", "reason": "Thành tích đột xuất trong phòng chống lụt bão"}
    res = client.post(url, json=body, headers=staff)
    assert res.status_code == 201, res.get_json()
    lst = act(client, staff, the_list(client, staff), "submit").get_json()
    lst = approve(client, committee, lst)
    decision = {"decision_no": "15/QĐ-UBND", "decision_date": "20/12/2025",
                "decision_signer": "Nguyễn Văn A"}  # fmt: skip
    res = act(client, committee, lst, "decide", **decision)  # cấp cơ sở by default
    assert res.status_code == 400, res.get_json()
    message = res.get_json()["error"]["fields"]["decision_level"][0]
    assert "Bằng khen của Chủ tịch UBND thành phố: 1 đề nghị" in message, message
    assert "cấp thành phố" in message and "cấp cơ sở" in message, message
    assert db.session.get(AwardList, lst["id"]).state == "approved"
    assert db.session.query(History).count() == 0
    res = act(client, committee, lst, "decide", decision_level="thanh_pho", **decision)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["state"] == "decided"


def test_C11_a_decision_above_every_awards_authority_is_refused_naming_the_level(
    client, tree, year
):
    """A list of a ward's own titles (Lao động tiên tiến, cấp cơ sở) is decided by the ward,
    not by the city: a decision at the city's level is refused naming the level to choose;
    nothing is decided; at the ward's level it is."""
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    proposed_list(client, staff)
    lst = act(client, staff, the_list(client, staff), "submit").get_json()
    lst = approve(client, committee, lst)
    decision = {"decision_no": "16/QĐ-UBND", "decision_date": "20/12/2025",
                "decision_signer": "Nguyễn Văn A"}  # fmt: skip
    res = act(client, committee, lst, "decide", decision_level="thanh_pho", **decision)
    assert res.status_code == 400, res.get_json()
    message = res.get_json()["error"]["fields"]["decision_level"][0]
    assert "thẩm quyền cấp thành phố" in message and "cao nhất là cấp cơ sở" in message, message
    assert db.session.get(AwardList, lst["id"]).state == "approved"
    assert db.session.query(History).count() == 0
    res = act(client, committee, lst, "decide", decision_level="co_so", **decision)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["state"] == "decided"


def test_C11_two_windows_changing_different_rows_of_one_list_both_count(client, tree, year):
    """Two clerks on one list (a ward's, hundreds of rows): each removal, restoration or
    manual nomination refused every other change made from the same loading of the page, and
    the reason typed was lost. Changes of different rows now both count; the same row twice,
    or a list no longer editable, is still refused, and the list's steps still need its
    current version."""
    h = tree["headers"]["staff_a"]
    propose(client, h)
    lst = the_list(client, h)  # both windows loaded this version
    rows = {(i["code"], i["award"]): i for i in items(client, h, lst)}
    first, second = rows[("PA", "LDTT")], rows[("PA2", "LDTT")]
    for row, why in ((first, "Chuyển công tác"), (second, "Nghỉ hưu")):
        res = client.post(
            f"/api/v1/nominations/{row['id']}/remove",
            json={"reason": why, "version": lst["version"]},
            headers=h,
        )
        assert res.status_code == 200, res.get_json()
    manual = nominate_gk(client, h, lst, "PA1")
    assert manual.status_code == 201, manual.get_json()
    again = client.post(
        f"/api/v1/nominations/{first['id']}/remove",
        json={"reason": "Lần hai", "version": lst["version"]},
        headers=h,
    )
    assert again.status_code == 409  # the same row: already removed
    got = {(i["code"], i["award"]): i for i in items(client, h, the_list(client, h))}
    assert got[("PA", "LDTT")]["removed_reason"] == "Chuyển công tác"
    assert got[("PA2", "LDTT")]["status"] == "removed" and got[("PA1", "GK")]["status"] == "manual"
    # a step of the list from the old loading is still refused: rows changed since
    assert act(client, h, lst, "submit").status_code == 409


def test_C11_a_row_changed_while_a_re_proposal_takes_it_away_is_refused_in_words(
    client, tree, year, app_ctx
):
    """A removal or restoration that waited for a re-proposal holding the list found its row
    deleted by it: a 500 (the ORM could not refresh it). It is told as gone; and a row restored
    after the proposal marked it provisional makes the list provisional (the flag was read
    before the wait)."""
    from awards import lists as ops
    from service.common.errors import ServiceError

    h = tree["headers"]["staff_a"]
    propose(client, h)
    staff = tree["users"]["staff_a"]
    noms = {(n.person.code, n.award): n for n in db.session.query(Nomination) if n.person}
    gone = noms[("PA", "LDTT")]
    db.session.execute(
        sa.delete(Nomination)
        .where(Nomination.id == gone.id)
        .execution_options(synchronize_session=False)
    )  # what the proposal holding the list did meanwhile
    with pytest.raises(ServiceError) as refused:
        ops.remove_nomination(staff, gone, "Chuyển công tác")
    assert refused.value.status in (404, 409)
    db.session.rollback()
    kept = noms[("PA2", "LDTT")]
    ops.remove_nomination(staff, kept, "Nghỉ hưu")
    lst = db.session.get(AwardList, kept.list_id)
    lst.provisional = False
    db.session.flush()
    db.session.execute(
        sa.update(Nomination).where(Nomination.id == kept.id).values(provisional=True)
    )  # the proposal marked the removed row provisional meanwhile
    ops.restore_nomination(staff, kept)
    assert db.session.get(AwardList, kept.list_id).provisional is True


def test_C9_a_code_typed_in_another_case_is_the_stored_one(client, tree, year):
    """«pa2» is PA2, as in the imports (it was refused as «Không có cán bộ với mã»); a unit's
    code too. The nomination is the stored person's."""
    h = tree["headers"]["staff_a"]
    url, body = proposed_list(client, h)
    res = client.post(
        url, json={**body, "code": body["code"].lower(), "reason": "Cứu người"}, headers=h
    )
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["code"] == body["code"]
    unit = {"subject": "unit", "code": "a", "award": "GK", "reason": "Tiêu biểu"}
    lst = the_list(client, h)
    res = client.post(url, json={**unit, "version": lst["version"]}, headers=h)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["code"] == "A"


def test_a_lists_search_finds_rows_by_the_awards_name_with_or_without_accents(client, tree, year):
    """The page says «tìm theo mã, họ tên hoặc danh hiệu»: «Lao động tiên tiến», «lao dong
    tien tien» and «giấy khen» find those awards' rows (only the codes LDTT, GK did)."""
    h = tree["headers"]["staff_a"]
    url, body = proposed_list(client, h)
    assert client.post(url, json={**body, "reason": "Cứu người"}, headers=h).status_code == 201
    for q, award in (("Lao động tiên tiến", "LDTT"), ("lao dong tien tien", "LDTT"),
                     ("giấy khen", "GK")):  # fmt: skip
        items = client.get(url, query_string={"q": q}, headers=h).get_json()["items"]
        assert items and {i["award"] for i in items} == {award}, (q, items)
