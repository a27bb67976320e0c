"""Two administrators on the same page, and a refused step on a page of several forms: nothing
one of them saved is undone by the other's save without a word, and a refused form does not
blank the others (a user's details, the year's rule set). The merge is a pure function."""

from __future__ import annotations

import re

import pytest

from service.auth.models import User
from service.common.forms import three_way
from service.extensions import db

YEAR = 2025


def _csrf(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _hidden(html, name):
    m = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert m, name
    return m.group(1)


@pytest.mark.parametrize(
    ("loaded", "typed", "stored", "changes", "conflicts"),
    [
        ({"a": "1"}, {"a": "1"}, {"a": "1"}, {}, []),  # nothing changed
        ({"a": "1"}, {"a": "2"}, {"a": "1"}, {"a": "2"}, []),  # mine
        ({"a": "1", "b": "1"}, {"a": "1", "b": "2"}, {"a": "3", "b": "1"}, {"b": "2"}, []),
        ({"a": "1"}, {"a": "2"}, {"a": "3"}, {"a": "2"}, ["a"]),  # both changed it
        ({"a": "1"}, {"a": "2"}, {"a": "2"}, {"a": "2"}, []),  # both to the same value
        ({}, {"a": "2"}, {"a": "3"}, {"a": "2"}, []),  # a form without its loaded values
    ],
)
def test_three_way_keeps_what_the_other_saved(loaded, typed, stored, changes, conflicts):
    assert three_way(loaded, typed, stored) == (changes, conflicts)


def _user_page(client, uid):
    return client.get(f"/admin/users/{uid}").get_data(as_text=True)


def _edit(client, page, uid, **values):
    data = {
        "action": "edit",
        "csrf_token": _csrf(page),
        "was_full_name": _hidden(page, "was_full_name"),
        "was_active": _hidden(page, "was_active"),
        **values,
    }
    return client.post(f"/admin/users/{uid}", data=data)


@pytest.fixture
def target(client, create_user, login_session):
    """An account to edit, and an administrator logged in."""
    login_session(client, create_user("quantri", roles=[("admin", None)]))
    user = create_user("nv.moi")
    user.full_name = "Nguyễn Văn Mới"
    db.session.commit()
    return user


def test_a_refused_role_grant_keeps_the_users_details(client, target):
    page = _user_page(client, target.id)
    res = client.post(
        f"/admin/users/{target.id}",
        data={"action": "grant", "role-role": "staff", "role-unit_code": "",
              "role-csrf_token": _csrf(page)},
    )  # fmt: skip
    html = res.get_data(as_text=True)
    assert "Cần chọn đơn vị" in html
    assert 'value="Nguyễn Văn Mới"' in html  # the details card shows the stored values
    assert '<input checked id="active" name="active" type="checkbox"' in html


def test_a_second_admins_save_does_not_undo_the_first(client, target):
    page_a = _user_page(client, target.id)
    page_b = _user_page(client, target.id)  # B opened the page before A saved
    res = _edit(client, page_a, target.id, full_name="Tên do A sửa", active="y")
    assert res.status_code == 302
    res = _edit(  # B only sets a password
        client, page_b, target.id, full_name="Nguyễn Văn Mới", active="y", password="matkhaumoi1"
    )
    assert res.status_code == 302
    user = db.session.get(User, target.id)
    db.session.refresh(user)
    assert user.full_name == "Tên do A sửa" and user.check_password("matkhaumoi1")
    # both changed the name: B is told, the name stays A's, B's typing is kept on the page
    page_b = _user_page(client, target.id)
    page_c = _user_page(client, target.id)
    assert _edit(client, page_c, target.id, full_name="Tên do C sửa", active="y").status_code == 302
    res = _edit(client, page_b, target.id, full_name="Tên do B sửa", active="y")
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "người khác" in html and "Họ và tên" in html
    assert 'value="Tên do B sửa"' in html
    db.session.refresh(user)
    assert user.full_name == "Tên do C sửa"


def test_two_admins_editing_the_rule_set_keep_both_changes(
    client, create_user, create_year, login_session
):
    create_year(YEAR)
    admin = create_user("quantri", roles=[("admin", None)])
    login_session(client, admin)
    page_a = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    page_b = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)

    def fields(page, **changed):
        values = dict(re.findall(r'name="([a-z0-9_]+)" value="([^"]*)" inputmode', page))
        assert "a1_min_months" in values
        return {**values, **changed, "was": _hidden_json(page), "csrf_token": _csrf(page)}

    def _hidden_json(page):
        import html as h

        m = re.search(r'name="was" value="([^"]*)"', page)
        assert m
        return h.unescape(m.group(1))

    res = client.post(f"/evaluation/{YEAR}/pack", data=fields(page_a, a1_min_months="7"))
    assert res.status_code == 302, res.get_data(as_text=True)
    res = client.post(f"/evaluation/{YEAR}/pack", data=fields(page_b, a3_band_xs="91"))
    assert res.status_code == 302, res.get_data(as_text=True)
    page = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    assert 'name="a1_min_months" value="7"' in page and 'name="a3_band_xs" value="91"' in page
    # both change the same parameter: the second is told, nothing of it saved
    page_c = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    page_d = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    assert (
        client.post(f"/evaluation/{YEAR}/pack", data=fields(page_c, a1_min_months="8")).status_code
        == 302
    )
    res = client.post(f"/evaluation/{YEAR}/pack", data=fields(page_d, a1_min_months="9"))
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "người khác" in html, html
    assert 'name="a1_min_months" value="9"' in html  # what was typed stays on the page
    page = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    assert 'name="a1_min_months" value="8"' in page
