"""The public consultation before state-level commendations through the API (issue 13 item
3): a list with a state-level nomination is published for consultation and cannot be
submitted before the end of the 7th working day after publication; holidays edited move the
end; comments are recorded and audited; lists without state-level nominations are unaffected."""

from __future__ import annotations

from datetime import date

import pytest

from awards import consultation
from awards.consultation_models import Consultation, ConsultationComment
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards.test_award_lists import YEAR, act, propose, the_list, year  # noqa: F401


@pytest.fixture
def on_day(monkeypatch):
    """Move the consultation's clock: on_day(date)."""

    def _set(day: date):
        monkeypatch.setattr(consultation, "today", lambda: day)

    return _set


def nominate(client, h, lst, award="BK_TTG", code="PA"):
    res = client.post(
        f"/api/v1/award-lists/{lst['id']}/nominations",
        json={
            "subject": "person",
            "code": code,
            "award": award,
            "reason": "Thành tích xuất sắc tiêu biểu",
            "version": lst["version"],
        },
        headers=h,
    )
    assert res.status_code == 201, res.get_json()
    return the_list(client, h)


def state_list(client, tree):
    h = tree["headers"]["staff_a"]
    propose(client, h)
    return nominate(client, h, the_list(client, h))


def url(lst, tail=""):
    return f"/api/v1/award-lists/{lst['id']}/consultation{tail}"


def test_a_list_without_state_level_nominations_is_unaffected(client, tree, year):  # noqa: F811
    h = tree["headers"]["staff_a"]
    propose(client, h)
    lst = the_list(client, h)
    got = client.get(url(lst), headers=h).get_json()
    assert got["needed"] is False and got["published"] is False and got["may_publish"] is False
    res = client.post(url(lst), headers=h)
    assert res.status_code == 409 and "không cần lấy ý kiến" in res.get_json()["error"]["message"]
    assert act(client, h, lst, "submit").status_code == 200


def test_a_code_marked_state_level_in_the_catalog_needs_the_consultation(
    client,
    tree,
    year,  # noqa: F811
):
    admin, h = tree["headers"]["admin"], tree["headers"]["staff_a"]
    res = client.patch(
        f"/api/v1/years/{YEAR}/award-catalog/GK",
        json={"state_level": True, "version": 1},
        headers=admin,
    )
    assert res.status_code == 200, res.get_json()
    propose(client, h)
    lst = nominate(client, h, the_list(client, h), award="GK")
    assert client.get(url(lst), headers=h).get_json()["awards"] == ["GK"]
    res = act(client, h, lst, "submit")
    assert res.status_code == 400 and "Công bố lấy ý kiến" in res.get_json()["error"]["message"]


def test_submit_is_refused_until_the_window_has_elapsed(client, tree, year, on_day):  # noqa: F811
    h = tree["headers"]["staff_a"]
    lst = state_list(client, tree)
    res = act(client, h, lst, "submit")
    assert res.status_code == 400, res.get_json()
    assert "cần «Công bố lấy ý kiến»" in res.get_json()["error"]["message"]

    on_day(date(2025, 12, 29))  # a Monday; 1/1/2026 (Thursday) is a holiday
    res = client.post(url(lst), headers=h)
    assert res.status_code == 201, res.get_json()
    got = res.get_json()
    assert got["published"] and got["published_on"] == "29/12/2025"
    assert got["ends_on"] == "08/01/2026" and got["days_left"] == 7 and not got["elapsed"]
    assert got["published_by"] == "staff_a" and got["awards"] == ["BK_TTG"]
    audit = db.session.query(AuditEntry).filter_by(action="publish_consultation").one()
    assert audit.object_id == str(lst["id"]) and audit.after["ends_on"] == "08/01/2026"
    assert client.post(url(lst), headers=h).status_code == 409  # once

    on_day(date(2026, 1, 8))  # the last day of the window
    assert client.get(url(lst), headers=h).get_json()["days_left"] == 1
    res = act(client, h, lst, "submit")
    assert res.status_code == 400
    message = res.get_json()["error"]["message"]
    assert "Chưa hết thời gian lấy ý kiến" in message and "đến hết ngày 08/01/2026" in message
    assert the_list(client, h)["state"] == "draft"

    on_day(date(2026, 1, 9))
    got = client.get(url(lst), headers=h).get_json()
    assert got["elapsed"] and got["days_left"] == 0
    res = act(client, h, the_list(client, h), "submit")
    assert res.status_code == 200 and res.get_json()["state"] == "submitted", res.get_json()
    # published once, the window is not asked again (returned, then submitted again)
    committee = tree["headers"]["committee_a"]
    res = act(client, committee, res.get_json(), "return", reason="Bổ sung hồ sơ")
    assert res.status_code == 200, res.get_json()
    assert act(client, h, res.get_json(), "submit").status_code == 200


def test_publishing_needs_the_submit_right_and_an_editable_list(
    client,
    tree,
    year,  # noqa: F811
    on_day,
):
    on_day(date(2025, 12, 15))
    lst = state_list(client, tree)
    headers = tree["headers"]
    assert client.post(url(lst), headers=headers["committee_a"]).status_code == 403
    assert client.post(url(lst), headers=headers["hr_r"]).status_code == 403
    assert client.post(url(lst), headers=headers["staff_b"]).status_code == 404
    assert client.get(url(lst), headers=headers["staff_b"]).status_code == 404
    assert (
        client.post(
            "/api/v1/award-lists/999999/consultation", headers=headers["staff_a"]
        ).status_code
        == 404
    )
    assert client.get(url(lst), headers=headers["committee_a"]).get_json()["may_publish"] is False
    assert db.session.query(Consultation).count() == 0
    assert client.post(url(lst), headers=headers["admin"]).status_code == 201


def test_edited_holidays_move_the_end_of_the_window(client, tree, year, on_day):  # noqa: F811
    h, admin = tree["headers"]["staff_a"], tree["headers"]["admin"]
    lst = state_list(client, tree)
    on_day(date(2025, 12, 15))  # a Monday: 16–19, 22–24 → to the end of Wednesday 24/12
    assert client.post(url(lst), headers=h).get_json()["ends_on"] == "24/12/2025"

    cal = client.get(f"/api/v1/years/{YEAR}/holidays", headers=h).get_json()
    assert cal["edited"] is False and cal["version"] == 1 and cal["editable"] is False
    assert {"date": "02/09/2025", "name": "Quốc khánh (2/9)"} in cal["items"]
    days = [*cal["items"], {"date": "22/12/2025", "name": "Ngày nghỉ bổ sung"}]
    body = {"items": days, "version": 1}
    assert client.put(f"/api/v1/years/{YEAR}/holidays", json=body, headers=h).status_code == 403
    res = client.put(f"/api/v1/years/{YEAR}/holidays", json=body, headers=admin)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["edited"] is True and res.get_json()["version"] == 2
    assert client.get(url(lst), headers=h).get_json()["ends_on"] == "25/12/2025"
    assert db.session.query(Consultation).one().ends_on == date(2025, 12, 25)
    audit = db.session.query(AuditEntry).filter_by(object_type="holiday_calendar").one()
    assert "22/12/2025 Ngày nghỉ bổ sung" in audit.after["days"]
    assert "22/12/2025 Ngày nghỉ bổ sung" not in audit.before["days"]
    assert db.session.query(AuditEntry).filter_by(action="reschedule_consultation").count() == 1

    on_day(date(2025, 12, 25))
    assert "đến hết ngày 25/12/2025" in act(client, h, lst, "submit").get_json()["error"]["message"]
    # a stale version, a day of another year, a day twice: refused, nothing changed
    res = client.put(f"/api/v1/years/{YEAR}/holidays", json=body, headers=admin)
    assert res.status_code == 409
    bad = {"items": [*days, {"date": "01/01/2026", "name": "x"}], "version": 2}
    res = client.put(f"/api/v1/years/{YEAR}/holidays", json=bad, headers=admin)
    assert res.status_code == 400 and "không thuộc năm 2025" in str(res.get_json()["error"])
    twice = {"items": [*days, {"date": "22/12/2025", "name": "x"}], "version": 2}
    res = client.put(f"/api/v1/years/{YEAR}/holidays", json=twice, headers=admin)
    assert res.status_code == 400 and "trùng" in str(res.get_json()["error"]["fields"])
    # removing the day again brings the window back
    res = client.put(
        f"/api/v1/years/{YEAR}/holidays", json={"items": cal["items"], "version": 2}, headers=admin
    )
    assert res.status_code == 200 and res.get_json()["version"] == 3
    assert client.get(url(lst), headers=h).get_json()["ends_on"] == "24/12/2025"


def test_an_unknown_year_has_no_calendar(client, tree, year):  # noqa: F811
    admin = tree["headers"]["admin"]
    # the year after an open one is known: its lists' windows run into it
    got = client.get(f"/api/v1/years/{YEAR + 1}/holidays", headers=admin).get_json()
    assert {"date": "16/02/2026", "name": "Tết Nguyên đán"} in got["items"]
    assert client.get(f"/api/v1/years/{YEAR - 1}/holidays", headers=admin).status_code == 404
    assert client.get("/api/v1/years/2031/holidays", headers=admin).status_code == 404
    res = client.put("/api/v1/years/2031/holidays", json={"items": [], "version": 1}, headers=admin)
    assert res.status_code == 404


def test_comments_are_recorded_with_the_list_and_audited(client, tree, year, on_day):  # noqa: F811
    h = tree["headers"]["staff_a"]
    lst = state_list(client, tree)
    comment = {
        "author_name": "Nguyễn Văn Góp",
        "author_address": "Tổ dân phố 3, phường Bến Nghé",
        "content": "Đồng ý đề nghị.",
        "received_on": "17/12/2025",
    }
    res = client.post(url(lst, "/comments"), json=comment, headers=h)
    assert res.status_code == 409  # not published yet
    on_day(date(2025, 12, 15))
    client.post(url(lst), headers=h)
    on_day(date(2025, 12, 18))
    early = {**comment, "received_on": "14/12/2025"}
    res = client.post(url(lst, "/comments"), json=early, headers=h)
    assert res.status_code == 400 and "received_on" in res.get_json()["error"]["fields"]
    late = {**comment, "received_on": "19/12/2025"}
    assert client.post(url(lst, "/comments"), json=late, headers=h).status_code == 400
    blank = {**comment, "author_name": "  "}
    assert client.post(url(lst, "/comments"), json=blank, headers=h).status_code == 400
    committee = tree["headers"]["committee_a"]
    assert client.post(url(lst, "/comments"), json=comment, headers=committee).status_code == 403
    outside = tree["headers"]["staff_b"]
    assert client.post(url(lst, "/comments"), json=comment, headers=outside).status_code == 404
    assert db.session.query(ConsultationComment).count() == 0

    res = client.post(url(lst, "/comments"), json=comment, headers=h)
    assert res.status_code == 201, res.get_json()
    made = res.get_json()
    assert made["received_on"] == "17/12/2025" and made["entered_by"] == "staff_a"
    got = client.get(url(lst), headers=committee).get_json()
    assert [c["content"] for c in got["comments"]] == ["Đồng ý đề nghị."]
    assert got["comments"][0]["author_address"] == "Tổ dân phố 3, phường Bến Nghé"
    audit = db.session.query(AuditEntry).filter_by(object_type="consultation_comment").one()
    assert audit.action == "comment" and audit.after["author_name"] == "Nguyễn Văn Góp"
