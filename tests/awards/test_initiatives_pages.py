"""The page /awards/initiatives: list by year with filters, add and edit forms, delete with a
reason; the menu entry; Vietnamese, dd/mm/yyyy; scope."""

from __future__ import annotations

import re

from sqlalchemy import select

from awards.models import Initiative
from service.extensions import db
from tests.awards.conftest import initiative_body

URL = "/awards/initiatives"


def csrf(res) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', res.get_data(as_text=True)).group(1)


def seed(client, tree):
    h = tree["headers"]["staff_r"]
    ids = {}
    for title, kw in (
        ("Số hóa hồ sơ", {}),
        ("Mô hình một cửa", {"kind": "mo_hinh", "person_codes": [], "unit_code": "B"}),
        ("Sáng kiến năm trước", {"year": 2024, "person_codes": ["PA1"]}),
    ):
        res = client.post("/api/v1/initiatives", json=initiative_body(title=title, **kw), headers=h)
        assert res.status_code == 201, res.json
        ids[title] = res.json["id"]
    return ids


def test_menu_and_index(client, tree, login_session):
    login_session(client, tree["users"]["committee_a"])
    page = client.get("/awards/initiatives").get_data(as_text=True)
    assert 'href="/awards/"' in page and "Thi đua – Khen thưởng" in page
    res = client.get("/awards/")
    assert res.status_code == 200 and 'href="/awards/initiatives"' in res.get_data(as_text=True)


def test_list_by_year_with_filters(client, tree, login_session):
    seed(client, tree)
    login_session(client, tree["users"]["hr_r"])
    page = client.get(URL).get_data(as_text=True)  # the newest year by default
    assert "Thêm sáng kiến, đề tài, mô hình" not in page  # HR reads (DOMAIN.md), staff write
    assert "năm 2025" in page and "Số hóa hồ sơ" in page and "Mô hình một cửa" in page
    assert "Sáng kiến năm trước" not in page
    assert "15/10/2025" in page and "12/QĐ-UBND" in page
    page = client.get(URL, query_string={"year": ""}).get_data(as_text=True)
    assert "Sáng kiến năm trước" in page
    page = client.get(URL, query_string={"year": "2025", "unit": "B"}).get_data(as_text=True)
    assert "Mô hình một cửa" in page and "Số hóa hồ sơ" not in page
    page = client.get(URL, query_string={"year": "", "person": "PA1"}).get_data(as_text=True)
    assert "Sáng kiến năm trước" in page and "Số hóa hồ sơ" not in page
    page = client.get(URL, query_string={"kind": "mo_hinh"}).get_data(as_text=True)
    assert "Mô hình một cửa" in page and "Số hóa hồ sơ" not in page
    # staff at B see their unit's model only, with no edit on the others
    login_session(client, tree["users"]["staff_b"])
    page = client.get(URL).get_data(as_text=True)
    assert "Mô hình một cửa" in page and "Số hóa hồ sơ" not in page
    assert client.get(URL, query_string={"unit": "A"}).status_code == 404


def test_add_through_the_form(client, tree, login_session):
    login_session(client, tree["users"]["staff_a"])
    form = client.get(f"{URL}/new")
    assert form.status_code == 200 and "Mã tác giả" in form.get_data(as_text=True)
    data = {
        "csrf_token": csrf(form),
        "year": "2025",
        "kind": "de_tai",
        "title": "Đề tài chấm điểm",
        "level": "thanh_pho",
        "person_codes": "PA, PA2",
        "unit_code": "",
        "decision_no": "5/QĐ",
        "decision_date": "01/12/2025",
    }
    res = client.post(f"{URL}/new", data=data)
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    ini = db.session.scalar(select(Initiative).where(Initiative.title == "Đề tài chấm điểm"))
    assert [a.person.code for a in ini.authors] == ["PA", "PA2"]
    assert ini.decision_date.strftime("%d/%m/%Y") == "01/12/2025"
    # errors come back on the form, in Vietnamese, nothing saved
    bad = dict(data, title="Khác", person_codes="PA, NOBODY", decision_date="32/12/2025")
    page = client.post(f"{URL}/new", data=bad).get_data(as_text=True)
    assert "Ngày không hợp lệ: tháng 12/2025 chỉ có 31 ngày." in page  # day 32
    bad["decision_date"] = ""
    page = client.post(f"{URL}/new", data=bad).get_data(as_text=True)
    assert "Không có cán bộ với mã: NOBODY." in page
    model = dict(data, kind="mo_hinh", title="Mô hình", person_codes="", unit_code="A1 — x")
    assert client.post(f"{URL}/new", data=model).status_code == 302
    assert (
        db.session.scalar(select(Initiative).where(Initiative.title == "Mô hình")).unit.code == "A1"
    )
    assert db.session.scalar(select(Initiative).where(Initiative.title == "Khác")) is None


def test_edit_with_version_and_stale_form(client, tree, login_session):
    ids = seed(client, tree)
    ini_id = ids["Số hóa hồ sơ"]
    login_session(client, tree["users"]["staff_a"])
    form = client.get(f"{URL}/{ini_id}/edit")
    text = form.get_data(as_text=True)
    assert 'value="Số hóa hồ sơ"' in text and 'value="15/10/2025"' in text
    data = {
        "csrf_token": csrf(form),
        "year": "2025",
        "kind": "sang_kien",
        "title": "Số hóa toàn bộ hồ sơ",
        "level": "co_so",
        "person_codes": "PA",
        "unit_code": "",
        "decision_no": "12/QĐ-UBND",
        "decision_date": "15/10/2025",
        "version": "1",
    }
    assert client.post(f"{URL}/{ini_id}/edit", data=data).status_code == 302
    assert db.session.get(Initiative, ini_id).title == "Số hóa toàn bộ hồ sơ"
    page = client.post(f"{URL}/{ini_id}/edit", data=dict(data, title="Cũ")).get_data(as_text=True)
    assert "đã được người khác" in page
    db.session.expire_all()
    assert db.session.get(Initiative, ini_id).title == "Số hóa toàn bộ hồ sơ"
    # staff at B may not edit an entry of A
    login_session(client, tree["users"]["staff_b"])
    assert client.get(f"{URL}/{ini_id}/edit").status_code == 404
    # committee members read, do not edit
    login_session(client, tree["users"]["committee_a"])
    assert client.get(f"{URL}/{ini_id}/edit").status_code == 403
    assert client.get(f"{URL}/new").status_code == 403


def test_delete_needs_a_reason(client, tree, login_session):
    ids = seed(client, tree)
    ini_id = ids["Số hóa hồ sơ"]
    login_session(client, tree["users"]["staff_a"])
    page = client.get(URL)
    token = csrf(page)
    assert f"/awards/initiatives/{ini_id}/delete" in page.get_data(as_text=True)
    res = client.post(
        f"{URL}/{ini_id}/delete", data={"csrf_token": token, "reason": "", "version": "1"}
    )
    assert res.status_code == 302 and db.session.get(Initiative, ini_id) is not None
    res = client.post(
        f"{URL}/{ini_id}/delete",
        data={"csrf_token": token, "reason": "Nhập trùng", "version": "1"},
        follow_redirects=True,
    )
    assert "Đã xóa sáng kiến «Số hóa hồ sơ»." in res.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Initiative, ini_id) is None


def test_pages_need_the_registry_roles(app, client, create_user, login_session):
    login_session(client, create_user(roles=[]))
    assert client.get(URL).status_code == 403
    index = client.get("/awards/")  # open to every account (a council member's ballots)
    assert index.status_code == 200 and URL not in index.get_data(as_text=True)
    res = app.test_client().get(URL)
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_the_registry_page_leads_staff_to_its_import_with_the_kind_chosen(
    client, tree, login_session
):
    login_session(client, tree["users"]["staff_a"])
    page = client.get("/awards/initiatives").get_data(as_text=True)
    assert 'href="/imports?kind=initiatives"' in page, page
    page = client.get("/imports?kind=initiatives").get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="initiatives"|<option[^>]*value="initiatives"[^>]*selected',
        page,
    ), page
    login_session(client, tree["users"]["hr_r"])  # HR reads the registry: no import offered
    assert "/imports?kind=initiatives" not in client.get("/awards/initiatives").get_data(
        as_text=True
    )
