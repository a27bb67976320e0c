"""Huy hiệu Đảng per occasion (issue 12 item 6, RULES.md P4): GET /api/v1/party-badges and the
page /awards/badges — due members with party age and reach date, those a party discipline
holds with the day it ends, the occasion checked (400 in Vietnamese), the unit within reach."""

from __future__ import annotations

from datetime import date

import pytest

YEAR = 2026
URL = "/api/v1/party-badges"


@pytest.fixture
def badges(tree, create_year, create_person_inputs):
    """PA (A) reaches 30 years on 10/01/2026; PA2 (A) on 01/04/2026 under a party khiển trách
    of 15/01/2026 (held until 15/07/2026); PB (B) reaches 30 years on 01/06/2026."""
    row = create_year(YEAR)
    p = tree["people"]
    p["PA"].admitted_on = date(1996, 1, 10)
    p["PA2"].admitted_on = date(1996, 4, 1)
    p["PB"].admitted_on = date(1996, 6, 1)
    create_person_inputs(
        row,
        p["PA2"],
        discipline_form="khien_trach",
        discipline_date=date(YEAR, 1, 15),
        party_discipline=True,
    )
    return tree


def items(client, h, occasion, unit=None):
    query = {"occasion": occasion, **({"unit": unit} if unit else {})}
    res = client.get(URL, query_string=query, headers=h)
    assert res.status_code == 200, res.get_json()
    return res.json


def test_P4_due_on_the_occasion_with_party_age_and_reach_date(client, badges):
    h = badges["headers"]["hr_r"]
    got = items(client, h, f"{YEAR}-02-03")
    assert got["occasion"] == "03/02/2026" and got["due"] == 1 and got["waiting"] == 0
    (b,) = got["items"]
    assert b["code"] == "PA" and b["badge"] == "HHD30" and b["status"] == "due"
    assert b["party_age"] == 30 and b["reach_date"] == "10/01/2026" and b["until"] is None
    assert b["name"] == "Nguyễn Văn An" and b["why"][0]["rule"] == "P4"
    assert "30 năm tuổi Đảng" in b["why"][0]["text"]


def test_P4_waiting_while_a_party_discipline_holds_then_due(client, badges):
    h = badges["headers"]["hr_r"]
    got = items(client, h, "19/05/2026")  # dd/mm/yyyy accepted too
    waiting = [b for b in got["items"] if b["status"] == "waiting"]
    assert [(b["code"], b["badge"], b["until"]) for b in waiting] == [
        ("PA2", "HHD30", "15/07/2026")
    ]
    assert (
        waiting[0]["reach_date"] == "01/04/2026" and "khiển trách" in waiting[0]["why"][0]["text"]
    )
    # PA got his badge on 3/2: not listed again
    assert "PA" not in {b["code"] for b in got["items"]}
    got = items(client, h, f"{YEAR}-09-02")
    due = {b["code"]: b["badge"] for b in got["items"] if b["status"] == "due"}
    assert due == {"PA2": "HHD30", "PB": "HHD30"} and got["waiting"] == 0


def test_P4_unit_subtree_and_reach(client, badges):
    h = badges["headers"]
    got = items(client, h["hr_r"], f"{YEAR}-09-02", unit="B")
    assert [b["code"] for b in got["items"]] == ["PB"] and got["unit"] == "B"
    # staff at A read A's subtree only: B is outside their reach
    got = items(client, h["staff_a"], f"{YEAR}-09-02")
    assert [b["code"] for b in got["items"]] == ["PA2"]
    res = client.get(
        URL, query_string={"occasion": f"{YEAR}-09-02", "unit": "B"}, headers=h["staff_a"]
    )
    assert res.status_code == 404
    res = client.get(
        URL, query_string={"occasion": f"{YEAR}-09-02", "unit": "NOPE"}, headers=h["hr_r"]
    )
    assert res.status_code == 404


@pytest.mark.parametrize(
    "occasion", [f"{YEAR}-02-04", f"{YEAR}-05-18", "01/01/2026", f"{YEAR}-11-08"]
)
def test_P4_occasion_not_one_of_the_four_is_400_in_vietnamese(client, badges, occasion):
    res = client.get(URL, query_string={"occasion": occasion}, headers=badges["headers"]["hr_r"])
    assert res.status_code == 400, res.get_json()
    assert "03/02, 19/05, 02/09 hoặc 07/11" in res.json["error"]["message"]


def test_P4_occasion_required_and_a_date(client, badges):
    h = badges["headers"]["hr_r"]
    for query in ({}, {"occasion": "ngày mai"}):
        res = client.get(URL, query_string=query, headers=h)
        assert res.status_code in (400, 422), res.get_json()


def test_P4_api_needs_award_read(client, badges, create_user, bearer):
    h = bearer(create_user(username="plain"))
    res = client.get(URL, query_string={"occasion": f"{YEAR}-02-03"}, headers=h)
    assert res.status_code == 403


def test_badges_page_lists_due_and_waiting_with_the_end_date(client, badges, login_session):
    login_session(client, badges["users"]["hr_r"])
    res = client.get("/awards/badges", query_string={"year": YEAR, "occasion": f"{YEAR}-05-19"})
    page = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "Huy hiệu Đảng dịp 19/05/2026" in page and "Chưa xét do kỷ luật Đảng (1)" in page
    assert "Trần Thị Bình" in page and "15/07/2026" in page and "Huy hiệu 30 năm tuổi Đảng" in page
    assert 'class="cards"' in page and 'data-label="Xét từ ngày"' in page
    page = client.get(
        "/awards/badges", query_string={"year": YEAR, "occasion": f"{YEAR}-09-02", "unit": "B"}
    ).get_data(as_text=True)
    assert "Đến hạn (1)" in page and "Phạm Thị Dung" in page and "Trần Thị Bình" not in page
    assert '<td data-label="Đơn vị">Đơn vị B <code class="small">B</code>' in page  # its name
    # the occasions offered are the year's four
    for d in ("03/02/2026", "19/05/2026", "02/09/2026", "07/11/2026"):
        assert d in page
    index = client.get("/awards/").get_data(as_text=True)
    assert 'href="/awards/badges"' in index


def test_badges_page_unit_outside_reach_and_year_not_open(client, badges, login_session):
    login_session(client, badges["users"]["staff_a"])
    assert client.get("/awards/badges", query_string={"unit": "B"}).status_code == 404
    page = client.get("/awards/badges", query_string={"year": 2030}).get_data(as_text=True)
    assert "chưa được mở" in page
    login_session(client, badges["users"]["committee_a"])
    assert client.get("/awards/badges").status_code == 200


@pytest.mark.parametrize(
    ("today", "due", "opens"),
    [
        ("2026-01-10", {}, "2026-02-03"),  # the next occasion
        ("2026-05-19", {}, "2026-05-19"),  # the occasion's own day
        ("2026-09-03", {"2026-02-03": 4}, "2026-11-07"),
        # the year's occasions past: the first with members due, not an empty last one
        ("2026-12-07", {"2026-02-03": 0, "2026-05-19": 7, "2026-11-07": 0}, "2026-05-19"),
        ("2026-12-07", {}, "2026-11-07"),  # nobody due on any: the last
    ],
)
def test_P4_the_badges_page_opens_on_the_next_occasion_or_the_first_with_members_due(
    today, due, opens
):
    from awards.badges import default_occasion
    from awards.rules import occasions

    found = default_occasion(
        occasions(2026),
        {date.fromisoformat(k): v for k, v in due.items()},
        date.fromisoformat(today),
    )
    assert found == date.fromisoformat(opens)


def test_badges_page_says_how_many_are_due_on_each_occasion(client, badges, login_session):
    login_session(client, badges["users"]["hr_r"])
    page = client.get("/awards/badges", query_string={"year": YEAR, "unit": "B"}).get_data(
        as_text=True
    )
    assert "02/09/2026 — Quốc khánh 2/9 (1 đến hạn)" in page, page
    assert "07/11/2026 — Cách mạng Tháng Mười 7/11 (0 đến hạn)" in page


def test_P4_a_badge_a_decision_conferred_this_year_reads_as_conferred(client, badges):
    """After 25/QĐ-ĐU conferred HHD30 on PA, the 03/02 list still showed PA as «Đến hạn»
    with nothing more: the row now names the decision (the API's `decided`, the page's
    status «Đã trao»), and stays on the list it was decided from."""
    from awards.models import AwardList, Decision, Nomination
    from service.extensions import db

    t = badges
    a, pa = t["units"]["A"], t["people"]["PA"]
    d = Decision(year=YEAR, number="25/QĐ-ĐU", decided_on=date(YEAR, 2, 1), signer="Bí thư",
                 unit_id=a.id)  # fmt: skip
    db.session.add(d)
    db.session.flush()
    lst = AwardList(year=YEAR, unit_id=a.id, state="decided", decision_id=d.id)
    db.session.add(lst)
    db.session.flush()
    db.session.add(Nomination(list_id=lst.id, year=YEAR, subject="person", subject_key=f"p{pa.id}",
                              person_id=pa.id, award="HHD30", status="proposed", rule="P4",
                              source="rule", passed=True, occasion=date(YEAR, 2, 3)))  # fmt: skip
    db.session.commit()
    (b,) = items(client, t["headers"]["hr_r"], f"{YEAR}-02-03")["items"]
    assert b["code"] == "PA" and b["decided"] == "Số 25/QĐ-ĐU ngày 01/02/2026"
    assert items(client, t["headers"]["hr_r"], f"{YEAR}-05-19")["items"][0]["decided"] is None
