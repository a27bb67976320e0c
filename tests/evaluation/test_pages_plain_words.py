"""What a clerk reads on the evaluation pages is words, not the service's internals: the rule
set names its parameters without their internal keys or the spec's file name; the level
selects name each level in full; «Vì sao» opens on words; a unit with neither people nor
subunits does not say its list holds its subunits."""

from __future__ import annotations

import pytest

from service.extensions import db

YEAR = 2025


@pytest.fixture
def ward(create_unit, create_person, create_user, create_year, create_rating):
    w = create_unit("PW", quota_root=True)
    office = create_unit("PW-O", w)
    create_unit("PW-CB", w, name="Chi bộ cơ quan")  # no people, no subunits
    person = create_person(office, code="PW01")
    year_row = create_year(YEAR)
    create_rating(year_row, person=person, level="T", steps=[
        {"rule_id": "A2", "result": "T", "message_vi": "A2: điểm 85 → Hoàn thành tốt nhiệm vụ"},
    ])  # fmt: skip
    db.session.commit()
    return {
        "admin": create_user(roles=[("admin", None)]),
        "staff": create_user(roles=[("staff", w)]),
    }


def test_the_rule_set_page_names_parameters_without_internal_keys(client, ward, login_session):
    login_session(client, ward["admin"])
    html = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    assert "A1 số tháng công tác tối thiểu" in html
    assert "<code>a1_min_months</code>" not in html and "RULES.md" not in html
    assert "mặc định theo quy định" in html


def test_level_selects_and_why_speak_words(client, ward, login_session):
    login_session(client, ward["staff"])  # the head's proposal: a select while the list is open
    html = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    assert '<option value="T" selected>T — Hoàn thành tốt nhiệm vụ</option>' in html, html[-3000:]
    assert "<summary>Xem giải thích" in html
    leaf = client.get(f"/evaluation/{YEAR}/units/PW-CB").get_data(as_text=True)
    assert "danh sách gồm các đơn vị trực thuộc" not in leaf
    assert "Đơn vị không có cán bộ trực tiếp" in leaf


def test_the_exports_page_tells_an_account_without_a_role_why_it_is_empty(
    client, ward, create_user, login_session
):
    login_session(client, create_user("canbo.moi"))
    html = client.get(f"/evaluation/{YEAR}/exports").get_data(as_text=True)
    assert "chưa được giao vai trò" in html
    assert 'name="unit"' not in html  # no unit picker that can only refuse


def test_a_persons_monthly_scores_have_no_stray_separator(client, ward, login_session):
    login_session(client, ward["staff"])
    h = {
        "X-CSRFToken": _csrf(
            client.get(f"/evaluation/{YEAR}/units/PW-O/entry").get_data(as_text=True)
        )
    }
    res = client.put(f"/api/v1/years/{YEAR}/people/PW01/evaluation", json={"m2": 95}, headers=h)
    assert res.status_code == 200, res.get_json()
    html = client.get(f"/evaluation/{YEAR}/people/PW01").get_data(as_text=True)
    assert "T2: 95,00</dd>" in html, html[html.find("Điểm hằng tháng") :][:200]


def _csrf(html):
    import re

    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_a_result_not_yet_approved_says_so_in_words(client, ward, login_session):
    """A person reading their result saw «Danh sách của đơn vị: Đang nhập», which does not
    say the result can still change."""
    login_session(client, ward["staff"])
    html = client.get(f"/evaluation/{YEAR}/people/PW01").get_data(as_text=True)
    assert "Danh sách xếp loại của đơn vị: Đang nhập" in html
    assert "chưa chính thức" in html
