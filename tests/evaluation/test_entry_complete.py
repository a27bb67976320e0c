"""Complete before submit, confirmed before approve (issue 11 item 3): who is "entered", a list
refused at submit naming the people still missing, ratings from incomplete inputs flagged, the
approval and the reopening confirmed with the counts per level, a final level other than the
computed one only with a reason (A11)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.rules import Level, check_final_reason
from evaluation.rules.entry import NO_INPUTS, TASKS, is_entered, missing_inputs

YEAR = 2025
FOUR = {"ct": 5, "dd": 5, "tp": 4, "kl": 4}


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        (None, (NO_INPUTS,)),
        (
            {},
            (
                "Chính trị tư tưởng (CT)",
                "Đạo đức, lối sống (ĐĐ)",
                "Tác phong, lề lối (TP)",
                "Ý thức kỷ luật (KL)",
                TASKS,
            ),
        ),  # fmt: skip
        ({**FOUR}, (TASKS,)),
        ({**FOUR, "m7": 80}, ()),
        ({**FOUR, "task_points": 55}, ()),
        (
            {"ct": 5, "m1": 90},
            ("Đạo đức, lối sống (ĐĐ)", "Tác phong, lề lối (TP)", "Ý thức kỷ luật (KL)"),
        ),  # fmt: skip
        ({"months_worked": 5}, ()),  # A1: not rated, nothing more to enter
        ({"months_worked": 5, "maternity": True, **FOUR}, (TASKS,)),  # rated: needs the rest
        ({"months_worked": 6, **FOUR}, (TASKS,)),
    ],
)
def test_entered_means_four_criteria_and_task_points_or_under_six_months(values, missing):
    assert missing_inputs(values) == missing
    assert is_entered(values) is (not missing)


def test_A11_final_level_other_than_computed_needs_a_reason():
    assert check_final_reason(Level.XS, Level.XS, None) == []
    assert check_final_reason(Level.XS, Level.T, "  ")[0].startswith("A11")
    assert "cần ghi lý do" in check_final_reason(Level.XS, Level.T, None)[0]
    assert check_final_reason(Level.XS, Level.T, "Chưa tiêu biểu") == []
    # taking the head's proposal (which has its reason) needs none more
    assert check_final_reason(Level.XS, Level.T, None, Level.T) == []
    assert check_final_reason(Level.XS, Level.HT, None, Level.T) != []


@pytest.fixture
def world(create_unit, create_person, create_user, bearer, create_year):
    ward = create_unit("EW", quota_root=True)
    office = create_unit("EW-O", ward)
    people = [
        create_person(office, code=f"EW{i:02d}", full_name=f"Trần Thị {n}")
        for i, n in enumerate(("An", "Bình", "Cúc"))
    ]
    staff = create_user(roles=[("staff", ward)])
    committee = create_user(roles=[("committee", ward)])
    admin = create_user(roles=[("admin", None)])
    create_year(YEAR)
    return {
        "people": people,
        "staff": staff,
        "committee": committee,
        "admin": admin,
        "h": {"staff": bearer(staff), "committee": bearer(committee), "admin": bearer(admin)},
    }


def _save(client, h, code, body):
    return client.put(f"/api/v1/years/{YEAR}/people/{code}/evaluation", json=body, headers=h)


def _full(score):
    return {**FOUR, **{f"m{m}": score for m in range(1, 13)}}


def _logout(client):
    with client.session_transaction() as sess:
        sess.clear()


def _csrf(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


URL = f"/api/v1/years/{YEAR}/units/EW-O"


def test_submit_is_refused_naming_who_is_not_entered_until_everyone_is(client, world):
    staff = world["h"]["staff"]
    assert _save(client, staff, "EW00", _full(95)).status_code == 200
    assert _save(client, staff, "EW01", {"ct": 4}).status_code == 200  # only CT
    review = client.get(f"{URL}/review", headers=staff).get_json()
    assert review["entry"]["total"] == 3 and review["entry"]["entered"] == 1
    assert [p["code"] for p in review["entry"]["missing"]] == ["EW01", "EW02"]
    res = client.post(f"{URL}/review/submit", json={}, headers=staff)
    assert res.status_code == 400
    err = res.get_json()["error"]
    assert "đã nhập 1/3" in err["message"]
    assert "Trần Thị Bình (EW01)" in err["message"] and "Trần Thị Cúc (EW02)" in err["message"]
    assert err["fields"]["missing"] == ["EW01", "EW02"]
    assert client.get(f"{URL}/review", headers=staff).get_json()["state"] == "open"
    # a rating computed from CT alone is flagged wherever it is shown
    items = client.get(f"{URL}/ratings", headers=staff).get_json()["items"]
    flagged = {i["code"]: i["incomplete"] for i in items if i["kind"] == "official"}
    assert flagged == {"EW00": False, "EW01": True}
    one = client.get(f"/api/v1/years/{YEAR}/people/EW01/ratings", headers=staff).get_json()
    assert one["items"][0]["incomplete"] and TASKS in one["items"][0]["missing"]
    assert _save(client, staff, "EW01", {**_full(80), "version": 1}).status_code == 200
    assert _save(client, staff, "EW02", {"months_worked": 4}).status_code == 200
    res = client.post(f"{URL}/review/submit", json={}, headers=staff)
    assert res.status_code == 200, res.get_json()


def test_a_save_answers_what_the_person_still_lacks_and_the_grid_api_too(client, world):
    """The entry grid updates its «Đã nhập đủ x/y» and the row's «Thiếu: …» from the save's
    answer (they were right only after a reload): the answer and the grid's rows say it."""
    staff = world["h"]["staff"]
    res = _save(client, staff, "EW01", {"ct": 4})
    assert res.status_code == 200
    assert TASKS in res.get_json()["missing"]
    assert "Đạo đức, lối sống (ĐĐ)" in res.get_json()["missing"]
    res = _save(client, staff, "EW01", {**_full(80), "version": 1})
    assert res.get_json()["missing"] == []
    rows = client.get(f"{URL}/people-evaluations", headers=staff).get_json()["items"]
    lacking = {r["person_code"]: r["missing"] for r in rows}
    assert lacking["EW01"] == [] and lacking["EW02"] == [NO_INPUTS]
    assert client.get(f"/api/v1/years/{YEAR}/people/EW02/evaluation", headers=staff).get_json()[
        "missing"
    ] == [NO_INPUTS]


def test_pages_show_entered_counts_flags_and_confirm_approval(client, world, login_session):
    staff = world["h"]["staff"]
    assert _save(client, staff, "EW00", _full(95)).status_code == 200
    assert _save(client, staff, "EW01", {"ct": 4}).status_code == 200
    login_session(client, world["staff"])
    page = client.get(f"/evaluation/{YEAR}/units/EW-O").get_data(as_text=True)
    assert "Đã nhập <strong>1/3</strong>" in page
    assert "chưa đủ dữ liệu" in page
    assert f"/evaluation/{YEAR}/units/EW-O/entry#row-EW02" in page
    grid = client.get(f"/evaluation/{YEAR}/units/EW-O/entry").get_data(as_text=True)
    assert 'id="row-EW02"' in grid and "Đã nhập đủ <strong>1/3</strong>" in grid
    res = client.post(
        f"/evaluation/{YEAR}/units/EW-O/review/submit",
        data={"csrf_token": _csrf(page)},
        follow_redirects=True,
    )
    assert "Chưa thể gửi duyệt" in res.get_data(as_text=True)
    person = client.get(f"/evaluation/{YEAR}/people/EW01").get_data(as_text=True)
    assert "chưa đủ dữ liệu" in person
    _logout(client)
    assert _save(client, staff, "EW01", {**_full(80), "version": 1}).status_code == 200
    assert _save(client, staff, "EW02", {"months_worked": 4}).status_code == 200
    assert client.post(f"{URL}/review/submit", json={}, headers=staff).status_code == 200
    # the committee: approve is a link to a confirmation with the counts per level
    login_session(client, world["committee"])
    page = client.get(f"/evaluation/{YEAR}/units/EW-O").get_data(as_text=True)
    assert f'href="/evaluation/{YEAR}/units/EW-O/review/approve/confirm"' in page
    final = f"/api/v1/years/{YEAR}/ratings/official/EW00/final"
    committee = world["h"]["committee"]
    _logout(client)
    assert client.put(final, json={"level": "HT"}, headers=committee).status_code == 400
    res = client.put(final, json={"level": "HT", "reason": "Chậm nộp hồ sơ"}, headers=committee)
    assert res.status_code == 200, res.get_json()
    login_session(client, world["committee"])
    page = client.get(f"/evaluation/{YEAR}/units/EW-O").get_data(as_text=True)
    assert "Chậm nộp hồ sơ" in page
    confirm = client.get(f"/evaluation/{YEAR}/units/EW-O/review/approve/confirm")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Xác nhận phê duyệt" in html
    official = re.search(r'<tr data-kind="official">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">(?:<strong>)?(\d+)', official)
    assert cells == [
        "0",
        "1",
        "1",
        "0",
        "1",
        "3",
        "1",
        "0",
    ]  # XS T HT KHT NR, total, changed, incomplete
    assert "EW00" in html and "Chậm nộp hồ sơ" in html
    res = client.post(
        f"/evaluation/{YEAR}/units/EW-O/review/approve",
        data={"csrf_token": _csrf(html)},
        follow_redirects=True,
    )
    assert "Đã phê duyệt" in res.get_data(as_text=True)
    # reopening asks too, with its reason; the confirmation of an action not allowed redirects
    login_session(client, world["admin"])
    html = client.get(f"/evaluation/{YEAR}/units/EW-O/review/reopen/confirm").get_data(True)
    assert "Xác nhận mở lại" in html and 'name="reason"' in html
    res = client.get(f"/evaluation/{YEAR}/units/EW-O/review/approve/confirm")
    assert res.status_code == 302


def test_dashboard_counts_entered_people_and_both_rating_kinds(client, world, create_person):
    staff = world["h"]["staff"]
    assert _save(client, staff, "EW00", _full(95)).status_code == 200
    assert _save(client, staff, "EW01", {"ct": 4}).status_code == 200  # a row, not entered
    rows = client.get(f"/api/v1/years/{YEAR}/dashboard?unit=EW", headers=staff).get_json()
    office = next(r for r in rows["items"] if r["unit_code"] == "EW-O")
    assert office["people"] == 3 and office["evaluated"] == 1
    assert sum(office["levels"].values()) == 2 and sum(office["party_levels"].values()) == 0


FIELDS = ("ct", "dd", "tp", "kl", "m1", "m7", "task_points")


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                **{f: st.none() | st.just(Decimal("3")) for f in FIELDS},
                "months_worked": st.integers(0, 12),
                "maternity": st.booleans(),
            }
        ),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_entered_in_sql_agrees_with_the_rule(app, rows):
    """stats.entered_clause (the dashboard's count in SQL) is rules.entry.is_entered."""
    from sqlalchemy import select

    from evaluation.models import EvalYear, PersonEval
    from evaluation.stats import entered_clause
    from service.extensions import db
    from service.org.models import Person, Unit

    with app.app_context():
        nested = db.session.begin_nested()
        try:
            unit = Unit(code="HYP-ENT", name="Hyp")
            db.session.add(unit)
            year = db.session.scalar(select(EvalYear).limit(1))
            if year is None:
                year = EvalYear(year=2031, pack={}, pack_source="")
                db.session.add(year)
            db.session.flush()
            expected = {}
            for i, values in enumerate(rows):
                person = Person(code=f"HYP{i}", full_name=f"Hyp {i}", unit_id=unit.id)
                db.session.add(person)
                db.session.flush()
                db.session.add(PersonEval(year_id=year.id, person_id=person.id, **values))
                expected[person.id] = is_entered(values)
            db.session.flush()
            got = set(
                db.session.scalars(
                    select(PersonEval.person_id).where(
                        PersonEval.year_id == year.id,
                        PersonEval.person_id.in_(list(expected)),
                        entered_clause(6),
                    )
                )
            )
            assert got == {pid for pid, ok in expected.items() if ok}
        finally:
            nested.rollback()


UNIT_BODY = {
    "ct": 5, "dd": 5, "tp": 4, "kl": 4, "k1": True, "k2": True, "k3": True, "k4": True,
    "task_points": 60, "targets_total": 10, "targets_done": 10, "targets_exceeded": 1,
}  # fmt: skip


def test_a_list_tells_which_sub_units_have_no_collective_evaluation_and_whose_head_that_frees(
    client, world, create_unit, create_person, login_session
):
    """A8: a head whose unit has no rating of the year is not capped. A sub-unit whose
    collective evaluation was never entered has none, so the list holding it (its parent's)
    says so before it is submitted or approved, naming the unit and its head (the list was
    approved with the office absent and its head uncapped, no one told)."""
    other = create_unit("EW-P", world["people"][0].unit.parent)
    create_person(other, code="EWH", full_name="Lê Văn Trưởng", is_head=True)
    staff = world["h"]["staff"]
    res = client.put(f"/api/v1/years/{YEAR}/units/EW-O/evaluation", json=UNIT_BODY, headers=staff)
    assert res.status_code == 200, res.get_json()
    login_session(client, world["staff"])
    page = client.get(f"/evaluation/{YEAR}/units/EW").get_data(as_text=True)
    assert "Chưa nhập đánh giá tập thể" in page, page
    told = re.search(r'id="units-missing".*?</(?:div|details)>', page, re.S).group(0)
    assert "EW-P" in told and "Lê Văn Trưởng" in told and "EW-O" not in told
    assert f"/evaluation/{YEAR}/units/EW/entry#unit-EW-P" in told
    _logout(client)
    review = client.get(f"/api/v1/years/{YEAR}/units/EW/review", headers=staff).get_json()
    assert [u["code"] for u in review["entry"]["units_missing"]] == ["EW-P"]
    res = client.put(f"/api/v1/years/{YEAR}/units/EW-P/evaluation", json=UNIT_BODY, headers=staff)
    assert res.status_code == 200
    login_session(client, world["staff"])
    page = client.get(f"/evaluation/{YEAR}/units/EW").get_data(as_text=True)
    assert "Chưa nhập đánh giá tập thể" not in page


def _form_was(page: str, form_id: str) -> str:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S).group(0)
    return re.search(r'name="was" value="([^"]*)"', form).group(1)


def test_two_windows_setting_one_persons_level_the_later_is_told_not_saved_over(
    client, world, login_session
):
    """A11 level forms (the head's proposal, the committee's final level) carry the level and
    reason the page showed: a save over a level someone else saved meanwhile is refused,
    naming what was saved, and nothing changes (the later window silently replaced HT «Lý do
    A» with KHT «Lý do B»). The save leads back to the row it was made at."""
    staff = world["h"]["staff"]
    for code in ("EW00", "EW01", "EW02"):
        assert _save(client, staff, code, _full(95)).status_code == 200
    login_session(client, world["staff"])
    url = f"/evaluation/{YEAR}/units/EW-O"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)
    was = _form_was(second, "proposal-official-EW00")
    action = f"/evaluation/{YEAR}/ratings/official/EW00/proposal"
    body = {"csrf_token": _csrf(first), "was": _form_was(first, "proposal-official-EW00")}
    res = client.post(action, data={**body, "level": "HT", "reason": "Lý do A"})
    assert res.status_code == 302 and res.location.endswith("#rating-official-EW00")
    assert 'id="rating-official-EW00"' in client.get(url).get_data(as_text=True)
    res = client.post(
        action, data={"csrf_token": _csrf(second), "was": was, "level": "KHT", "reason": "Lý do B"}
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "vừa được người khác lưu" in html and "Lý do A" in html
    assert "«Hoàn thành nhiệm vụ»" in html  # the level saved, in words
    assert 'value="Lý do B"' in html  # what this window typed is kept at its form
    page = client.get(url).get_data(as_text=True)
    assert _form_was(page, "proposal-official-EW00") == "HT|Lý do A"
    # the page as it is now saves
    body = {"csrf_token": _csrf(page), "was": "HT|Lý do A", "level": "KHT", "reason": "Lý do B"}
    assert client.post(action, data=body).status_code == 302


def test_the_entry_page_of_a_unit_without_its_own_people_says_so_not_0_of_0(
    client, world, login_session
):
    login_session(client, world["staff"])
    page = client.get(f"/evaluation/{YEAR}/units/EW/entry").get_data(as_text=True)
    assert "0/0" not in page and "Đơn vị không có cán bộ trực tiếp" in page
    assert "bảng đánh giá tập thể" in page  # where its work is: the sub-units' grid
