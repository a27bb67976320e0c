"""The yearly evaluation through the API: open a year, enter inputs, results with their "why",
the workflow (submit, return, approve, reopen) with A11 checks, locks and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evaluation.models import Rating, Violation
from service.audit.models import AuditEntry
from service.extensions import db

YEAR = 2025


@pytest.fixture
def world(create_unit, create_person, create_user, bearer, create_year):
    """A ward (quota root) with an office of 6 people; staff and committee at the ward."""
    ward = create_unit("W", quota_root=True)
    office = create_unit("W-O", ward)
    other = create_unit("X")
    people = [create_person(office, code=f"W{i:02d}") for i in range(6)]
    outsider = create_person(other, code="X01")
    admin = create_user(roles=[("admin", None)])
    staff = create_user(roles=[("staff", ward)])
    committee = create_user(roles=[("committee", ward)])
    h = {"admin": bearer(admin), "staff": bearer(staff), "committee": bearer(committee)}
    create_year(YEAR)
    return {
        "ward": ward,
        "office": office,
        "people": people,
        "outsider": outsider,
        "h": h,
    }


def _good_row(score=95):
    return {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": score for m in range(1, 13)}}


def _save(client, h, code, body, year=YEAR):
    return client.put(f"/api/v1/years/{year}/people/{code}/evaluation", json=body, headers=h)


def test_open_year_copies_defaults_then_previous_pack(client, world):
    h = world["h"]["admin"]
    body = client.get(f"/api/v1/years/{YEAR}", headers=h).get_json()
    assert body["pack"]["a10_p"] == 20 and body["pack_source"].startswith("mặc định")
    res = client.patch(f"/api/v1/years/{YEAR}/pack", json={"params": {"a10_p": 25}}, headers=h)
    assert res.status_code == 200, res.get_json()
    catalog = client.get(f"/api/v1/years/{YEAR}/catalog", headers=h).get_json()["items"]
    assert len(catalog) == 25 and catalog[0]["code"] == "1.01"
    assert client.post("/api/v1/years", json={"year": YEAR + 1}, headers=h).status_code == 201
    nxt = client.get(f"/api/v1/years/{YEAR + 1}", headers=h).get_json()
    assert nxt["pack"]["a10_p"] == 25 and nxt["pack_source"] == f"năm {YEAR}"
    # a bad parameter is refused with the parameter's Vietnamese label, nothing saved
    res = client.patch(f"/api/v1/years/{YEAR}/pack", json={"params": {"a10_p": 150}}, headers=h)
    assert res.status_code == 400 and "A10" in str(res.get_json())
    assert client.get(f"/api/v1/years/{YEAR}", headers=h).get_json()["pack"]["a10_p"] == 25


def test_staff_enter_scores_and_results_explain_themselves(client, world):
    h = world["h"]["staff"]
    res = _save(client, h, "W00", {**_good_row(95), "tasks_total": 10, "tasks_exceeded": 3})
    assert res.status_code == 200, res.get_json()
    res = _save(client, h, "W01", {**_good_row(80), "violations": ["1.03"]})
    assert res.status_code == 200, res.get_json()
    body = client.get(f"/api/v1/years/{YEAR}/people/W00/ratings", headers=h).get_json()
    official = next(i for i in body["items"] if i["kind"] == "official")
    # XS by score, but with 2 people at XS/T the A10 quota keeps k = floor(20*2/120) = 0
    assert official["score"] == "96.50" and official["level"] == "T"
    assert {"A2", "A3", "A10"} <= set(official["rules"])
    assert any("96.50" in step["message_vi"] for step in official["why"])
    w01 = client.get(f"/api/v1/years/{YEAR}/people/W01/ratings", headers=h).get_json()
    w01 = next(i for i in w01["items"] if i["kind"] == "official")
    # 20 + (10 - 2) + 56 = 84 → T, one minor violation caps T (A5 does not lower it)
    assert w01["score"] == "84.00" and w01["level"] == "T"
    assert db.session.scalar(select(Violation.code).where(Violation.removed_at.is_(None))) == "1.03"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ct": 6}, "ct"),
        ({"m3": 100.5}, "m3"),
        ({"monthly_scores": {"13": 80}}, "monthly_scores"),
        ({"monthly_scores": {"0": 80}}, "monthly_scores"),
        ({"tasks_total": 2, "tasks_late": 3}, "tasks_late"),
        ({"tasks_total": 2, "tasks_exceeded": 3}, "tasks_exceeded"),
        ({"violations": ["9.99"]}, "violations"),
        ({"months_worked": 13}, "months_worked"),
        ({"task_points": 71}, "task_points"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_saved(client, world, body, field):
    h = world["h"]["staff"]
    res = _save(client, h, "W02", body)
    assert res.status_code == 400, res.get_json()
    err = res.get_json()["error"]
    assert field in err["fields"]
    got = client.get(f"/api/v1/years/{YEAR}/people/W02/evaluation", headers=h).get_json()
    assert got["exists"] is False


def test_inputs_outside_the_users_units_are_not_found(client, world):
    res = _save(client, world["h"]["staff"], "X01", _good_row())
    assert res.status_code == 404
    res = _save(client, world["h"]["committee"], "W00", _good_row())
    assert res.status_code == 403


def test_monthly_scores_as_a_map_and_removal_needs_a_reason(client, world):
    h = world["h"]["staff"]
    res = _save(client, h, "W03", {"monthly_scores": {"1": 70, "12": 90}, "violations": ["1.04"]})
    assert res.status_code == 200
    assert res.get_json()["m1"] == "70.00" and res.get_json()["m12"] == "90.00"
    res = _save(client, h, "W03", {"violations": []})
    assert (
        res.status_code == 400 and "violations_removal_reason" in res.get_json()["error"]["fields"]
    )
    res = _save(client, h, "W03", {"violations": [], "violations_removal_reason": "Ghi nhầm"})
    assert res.status_code == 200 and res.get_json()["violations"] == []
    removed = db.session.scalar(select(Violation).where(Violation.code == "1.04"))
    assert removed.removed_reason == "Ghi nhầm" and removed.removed_at is not None


def _enter_all(client, h, scores=(95, 92, 91, 85, 75, 60)):
    for i, score in enumerate(scores):
        res = _save(
            client, h, f"W{i:02d}", {**_good_row(score), "tasks_total": 10, "tasks_exceeded": 4}
        )
        assert res.status_code == 200, res.get_json()


def test_workflow_submit_return_approve_and_reopen(client, world):
    staff, committee, admin = (world["h"][k] for k in ("staff", "committee", "admin"))
    _enter_all(client, staff)
    url = f"/api/v1/years/{YEAR}/units/W-O"
    ratings = client.get(f"{url}/ratings", headers=staff).get_json()
    assert ratings["review"]["state"] == "open"
    assert [a["action"] for a in ratings["review"]["actions"]] == ["submit"]
    official = {i["code"]: i for i in ratings["items"] if i["kind"] == "official"}
    # 6 people at XS/T: k = floor(20*n/120) = 1 keeps XS, the rest become T by A10
    assert [c for c, i in official.items() if i["level"] == "XS"] == ["W00"]
    assert "A10" in official["W01"]["rules"]

    # committee cannot submit, staff cannot approve
    assert client.post(f"{url}/review/submit", json={}, headers=committee).status_code == 403
    assert client.post(f"{url}/review/submit", json={}, headers=staff).status_code == 200
    assert client.post(f"{url}/review/approve", json={}, headers=staff).status_code == 403
    # a submitted list is locked for inputs
    assert _save(client, staff, "W00", {"ct": 4}).status_code == 409
    # returning needs a reason
    assert client.post(f"{url}/review/return", json={}, headers=committee).status_code == 400
    res = client.post(f"{url}/review/return", json={"reason": "Xem lại W05"}, headers=committee)
    assert res.status_code == 200 and res.get_json()["state"] == "open"
    # a higher proposal is refused (A11); a lower one needs a reason
    prop = f"/api/v1/years/{YEAR}/ratings/official/W01/proposal"
    res = client.put(prop, json={"level": "XS"}, headers=staff)
    assert res.status_code == 400 and "A11" in res.get_json()["error"]["message"]
    prop = f"/api/v1/years/{YEAR}/ratings/official/W00/proposal"
    assert client.put(prop, json={"level": "T"}, headers=staff).status_code == 400
    res = client.put(prop, json={"level": "T", "reason": "Chậm báo cáo"}, headers=staff)
    assert res.status_code == 200 and res.get_json()["final_level"] == "T"
    assert client.post(f"{url}/review/submit", json={}, headers=staff).status_code == 200
    # the committee may not go above a cap: W05 (T by score 72) cannot be XS (A3)
    res = client.put(
        f"/api/v1/years/{YEAR}/ratings/official/W05/final", json={"level": "XS"}, headers=committee
    )
    assert res.status_code == 400 and "A3" in res.get_json()["error"]["message"]
    # W01 and W02 to XS: two XS of 6 break A10 (k = 1), the approval names the rule
    # a final level other than the computed one needs the committee's reason (A11)
    levels = {
        i["code"]: i["level"]
        for i in client.get(f"{url}/ratings", headers=staff).get_json()["items"]
    }
    for code in ("W01", "W02"):
        final = f"/api/v1/years/{YEAR}/ratings/official/{code}/final"
        if levels[code] != "XS":
            res = client.put(final, json={"level": "XS"}, headers=committee)
            assert res.status_code == 400 and "cần ghi lý do" in res.get_json()["error"]["message"]
        res = client.put(
            final, json={"level": "XS", "reason": "Thành tích nổi bật"}, headers=committee
        )
        assert res.status_code == 200
    items = client.get(f"{url}/ratings", headers=staff).get_json()["items"]
    assert {i["code"]: i["final_reason"] for i in items if i["kind"] == "official"}[
        "W02"
    ] == "Thành tích nổi bật"
    res = client.post(f"{url}/review/approve", json={}, headers=committee)
    assert res.status_code == 400 and "A10" in res.get_json()["error"]["message"]
    res = client.put(final, json={"level": "T", "reason": "Theo tỷ lệ"}, headers=committee)
    assert res.status_code == 200
    res = client.post(f"{url}/review/approve", json={}, headers=committee)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["state"] == "approved"
    # approving twice: the second is a conflict
    assert client.post(f"{url}/review/approve", json={}, headers=committee).status_code == 409
    # approved: the pack is locked, inputs are locked, results stay
    res = client.patch(f"/api/v1/years/{YEAR}/pack", json={"params": {"a10_p": 30}}, headers=admin)
    assert res.status_code == 409
    assert _save(client, staff, "W00", {"ct": 4}).status_code == 409
    items = client.get(f"{url}/ratings", headers=staff).get_json()["items"]
    assert {i["code"]: i["final_level"] for i in items if i["kind"] == "official"}["W01"] == "XS"
    # reopen: administrator only, with a reason
    assert (
        client.post(f"{url}/review/reopen", json={"reason": "x"}, headers=committee).status_code
        == 403
    )
    assert client.post(f"{url}/review/reopen", json={}, headers=admin).status_code == 400
    res = client.post(f"{url}/review/reopen", json={"reason": "Sai sót"}, headers=admin)
    assert res.status_code == 200 and res.get_json()["state"] == "open"
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "review").order_by(AuditEntry.id)
    ).all()
    assert actions == ["submit", "return", "submit", "approve", "reopen"]


def test_compute_endpoint_runs_a_job_with_progress(client, world):
    _enter_all(client, world["h"]["staff"])
    res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=world["h"]["admin"])
    assert res.status_code == 202, res.get_json()
    job = client.get(f"/api/v1/jobs/{res.get_json()['id']}", headers=world["h"]["admin"]).get_json()
    assert job["status"] == "done" and job["done"] == job["total"] == 6
    assert job["result"]["official"] == 6
    assert db.session.scalar(select(Rating.id).where(Rating.kind == "official")) is not None


def test_a8_head_is_provisional_until_the_unit_rating_is_approved(client, world, create_person):
    staff, committee = world["h"]["staff"], world["h"]["committee"]
    head = create_person(world["office"], code="WH", is_head=True)
    assert _save(client, staff, head.code, _good_row(95)).status_code == 200
    unit_body = {
        "ct": 5, "dd": 5, "tp": 4, "kl": 4, "k1": True, "k2": True, "k3": True, "k4": True,
        "task_points": 60, "targets_total": 10, "targets_done": 10, "targets_exceeded": 1,
    }  # fmt: skip
    res = client.put(f"/api/v1/years/{YEAR}/units/W-O/evaluation", json=unit_body, headers=staff)
    assert res.status_code == 200, res.get_json()
    # the office's rating (18 + 10 + 60 = 88 → T, B3: exceeded 1 of 10 < 30%) sits in the
    # ward's list; the head is capped at T and provisional until that rating is approved
    ward = client.get(f"/api/v1/years/{YEAR}/units/W/ratings", headers=staff).get_json()
    office_rating = next(i for i in ward["items"] if i["kind"] == "unit")
    assert office_rating["code"] == "W-O" and office_rating["level"] == "T"
    mine = client.get(f"/api/v1/years/{YEAR}/people/WH/ratings", headers=staff).get_json()
    official = next(i for i in mine["items"] if i["kind"] == "official")
    assert official["level"] == "T" and official["provisional"] and "A8" in official["rules"]

    url = f"/api/v1/years/{YEAR}/units"
    for p in world["people"]:  # the office's others worked 3 months: entered, not rated (A1)
        assert _save(client, staff, p.code, {"months_worked": 3}).status_code == 200
    assert client.post(f"{url}/W-O/review/submit", json={}, headers=staff).status_code == 200
    res = client.post(f"{url}/W-O/review/approve", json={}, headers=committee)
    assert res.status_code == 400 and "A8" in res.get_json()["error"]["message"]
    # the refusal says which unit's rating to approve first and on which list it is
    message = res.get_json()["error"]["message"]
    assert "đơn vị W-O trước" in message, message
    assert "danh sách của Đơn vị W («Đang nhập»)" in message, message
    # rate the unit first: approving the ward's list makes the head's cap final
    assert client.post(f"{url}/W/review/submit", json={}, headers=staff).status_code == 200
    assert client.post(f"{url}/W/review/approve", json={}, headers=committee).status_code == 200
    mine = client.get(f"/api/v1/years/{YEAR}/people/WH/ratings", headers=staff).get_json()
    official = next(i for i in mine["items"] if i["kind"] == "official")
    assert official["level"] == "T" and not official["provisional"]
    res = client.post(f"{url}/W-O/review/approve", json={}, headers=committee)
    assert res.status_code == 200, res.get_json()


def test_violation_records_with_evidence_and_removal(client, world):
    staff = world["h"]["staff"]
    body = {
        "person_code": "W04",
        "code": "2.03",
        "found_on": f"15/06/{YEAR}",
        "how_found": "inspection",
        "evidence": "Biên bản kiểm tra số 12",
    }
    res = client.post(f"/api/v1/years/{YEAR}/violations", json=body, headers=staff)
    assert res.status_code == 201, res.get_json()
    vid = res.get_json()["id"]
    bad = {**body, "code": "9.99"}
    assert (
        client.post(f"/api/v1/years/{YEAR}/violations", json=bad, headers=staff).status_code == 400
    )
    bad = {**body, "found_on": f"15/06/{YEAR + 1}"}
    assert (
        client.post(f"/api/v1/years/{YEAR}/violations", json=bad, headers=staff).status_code == 400
    )
    listed = client.get(f"/api/v1/years/{YEAR}/people/W04/violations", headers=staff).get_json()
    assert listed["items"][0]["evidence"] == "Biên bản kiểm tra số 12"
    assert listed["items"][0]["found_on"] == f"15/06/{YEAR}"
    url = f"/api/v1/years/{YEAR}/violations/{vid}/remove"
    assert client.post(url, json={}, headers=staff).status_code == 400
    res = client.post(url, json={"reason": "Đã xác minh lại, không vi phạm"}, headers=staff)
    assert res.status_code == 200 and res.get_json()["removed"] is True
    assert client.post(url, json={"reason": "lần nữa"}, headers=staff).status_code == 409
    audit = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "violation")
    ).all()
    assert audit == ["create", "remove"]


def test_work_page_shows_the_list_of_sub_unit_ratings_of_a_unit_without_people(
    client, create_unit, create_user, create_person, bearer, create_year, login_session
):
    """B6/A8: a ward with no people of its own holds its offices' ratings; staff and committee
    find that list on "Việc của tôi" (it must be approved before the heads' lists)."""
    ward = create_unit("W", quota_root=True)
    office = create_unit("W-O", ward)
    create_person(office, code="W01")
    staff = create_user(roles=[("staff", ward)])
    committee = create_user(roles=[("committee", ward)])
    create_year(YEAR)
    unit_body = {
        "ct": 5, "dd": 5, "tp": 4, "kl": 4, "k1": True, "k2": True, "k3": True, "k4": True,
        "task_points": 60, "targets_total": 10, "targets_done": 10, "targets_exceeded": 1,
    }  # fmt: skip
    url = f"/api/v1/years/{YEAR}/units"
    res = client.put(f"{url}/W-O/evaluation", json=unit_body, headers=bearer(staff))
    assert res.status_code == 200, res.get_json()
    assert _save(client, bearer(staff), "W01", {"months_worked": 3}).status_code == 200
    login_session(client, staff)
    page = client.get(f"/evaluation/work?year={YEAR}").get_data(as_text=True)
    assert 'data-code="W"' in page and "1 đơn vị trực thuộc" in page, page
    with client.session_transaction() as sess:  # the API as a token client again
        sess.clear()
    res = client.post(f"{url}/W/review/submit", json={}, headers=bearer(staff))
    assert res.status_code == 200, res.get_json()
    login_session(client, committee)
    page = client.get(f"/evaluation/work?year={YEAR}").get_data(as_text=True)
    assert "Danh sách xếp loại chờ phê duyệt (1)" in page and 'data-code="W"' in page, page


def test_A8_refusal_right_after_the_units_approval_says_the_heads_are_being_recomputed():
    """Between the unit's approval and the recompute of its head's rating (a job), the refusal
    does not say «approve the unit first» beside «Đã phê duyệt»."""
    from evaluation.workflow import _waits_in

    assert "«Đang nhập»" in _waits_in("Phường W", "open")
    waiting = _waits_in("Phường W", "approved")
    assert "đã được phê duyệt" in waiting and "đang được tính lại" in waiting
