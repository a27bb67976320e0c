"""People are added on their unit's page and edited (moved to another unit included) on their
own page by whoever may write people there (staff of the unit, administrators): they could
be only through the «Cán bộ» import or the API. Validated, audited; a refused form keeps what
was typed; two clerks keep each other's changes; others see no form and are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.extensions import db
from service.org.models import Category, Person
from tests.service.test_edits_of_two_admins import _csrf


@pytest.fixture
def ward(create_unit, create_person, create_user):
    ward = create_unit("PW", name="Phường Mẫu", quota_root=True)
    office = create_unit("PW-VP", ward, name="Văn phòng")
    econ = create_unit("PW-KT", ward, name="Phòng Kinh tế")
    cell = create_unit("PW-CB", ward, name="Chi bộ Văn phòng", kind="chi bộ")
    outside = create_unit("QX", name="Phường Khác")
    person = create_person(office, code="PW001", full_name="Nguyễn Thị Hoa")
    person.birth_date = dt.date(1980, 5, 1)
    db.session.commit()
    return {
        "ward": ward, "office": office, "econ": econ, "cell": cell, "outside": outside,
        "person": person,
        "staff": create_user("tochuc", roles=[("staff", ward)]),
        "hr": create_user("noivu", roles=[("hr", ward)]),
    }  # fmt: skip


def _person(code):
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.code == code))


def _loaded(html):
    import html as h
    import re

    m = re.search(r'name="loaded" type="hidden" value="([^"]*)"', html)
    assert m
    return h.unescape(m.group(1))


def _form(page, **values):
    base = {
        "csrf_token": _csrf(page), "loaded": _loaded(page), "full_name": "Nguyễn Thị Hoa",
        "birth_date": "01/05/1980", "gender": "", "unit_code": "PW-VP", "position": "",
        "duty_group": "", "category": "cong_chuc", "party_unit_code": "", "admitted_on": "",
        "party_gap_days": "0", "party_status": "",
    }  # fmt: skip
    base.update(values)
    return {k: v for k, v in base.items() if v is not None}


def test_staff_add_a_person_on_the_units_page(client, ward, login_session):
    login_session(client, ward["staff"])
    page = client.get("/units/PW-VP").get_data(as_text=True)
    assert "Thêm cán bộ" in page
    data = {
        "person-csrf_token": _csrf(page), "person-code": "PW002",
        "person-full_name": "Trần Văn Nam", "person-birth_date": "12/03/1990",
        "person-gender": "nam", "person-category": "vien_chuc", "person-position": "Chuyên viên",
        "person-is_party_member": "y", "person-party_unit_code": "PW-CB",
        "person-admitted_on": "19/05/2015", "person-party_gap_days": "0",
        "person-party_status": "active",
    }  # fmt: skip
    res = client.post("/units/PW-VP/people", data=data)
    assert res.status_code == 302 and res.headers["Location"].endswith("/people/PW002")
    p = _person("PW002")
    assert (p.unit.code, p.birth_date, p.category) == (
        "PW-VP",
        dt.date(1990, 3, 12),
        Category.PUBLIC_EMPLOYEE,
    )
    assert (
        p.is_party_member and p.party_unit.code == "PW-CB" and p.admitted_on == dt.date(2015, 5, 19)
    )
    assert db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "person", AuditEntry.object_id == "PW002"
        )
    )
    # refused: a date that does not exist and a taken code; typed values kept, nothing added
    data.update({"person-code": "PW001", "person-birth_date": "31/02/1990"})
    res = client.post("/units/PW-VP/people", data=data)
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "chỉ có 28 ngày" in html and 'value="Trần Văn Nam"' in html
    data.update({"person-birth_date": "12/03/1990"})
    res = client.post("/units/PW-VP/people", data=data)
    assert res.status_code == 400 and "đã tồn tại" in res.get_data(as_text=True)
    assert _person("PW001").full_name == "Nguyễn Thị Hoa"


def test_staff_edit_and_move_a_person_and_bad_input_is_refused(client, ward, login_session):
    login_session(client, ward["staff"])
    page = client.get("/people/PW001").get_data(as_text=True)
    assert "Sửa thông tin cán bộ" in page
    res = client.post(
        "/people/PW001/edit", data=_form(page, unit_code="PW-KT", position="Phó trưởng phòng")
    )
    assert res.status_code == 302, res.get_data(as_text=True)[:400]
    p = _person("PW001")
    assert p.unit.code == "PW-KT" and p.position == "Phó trưởng phòng"
    assert p.birth_date == dt.date(1980, 5, 1)
    # a unit outside the clerk's reach: refused at the field, nothing changed
    page = client.get("/people/PW001").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(page, unit_code="QX", full_name="Tên Mới"))
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "Không có đơn vị" in html and 'value="Tên Mới"' in html
    assert _person("PW001").unit.code == "PW-KT" and _person("PW001").full_name == "Nguyễn Thị Hoa"
    # not a party member but a party cell given
    res = client.post(
        "/people/PW001/edit", data=_form(page, unit_code="PW-KT", party_unit_code="PW-CB")
    )
    assert res.status_code == 400 and "Chỉ nhập khi là đảng viên" in res.get_data(as_text=True)


def test_two_clerks_editing_a_person_keep_both_changes(client, ward, login_session):
    login_session(client, ward["staff"])
    page_a = client.get("/people/PW001").get_data(as_text=True)
    page_b = client.get("/people/PW001").get_data(as_text=True)
    assert (
        client.post("/people/PW001/edit", data=_form(page_a, position="Văn thư")).status_code == 302
    )
    res = client.post("/people/PW001/edit", data=_form(page_b, duty_group="hành chính"))
    assert res.status_code == 302
    p = _person("PW001")
    assert (p.position, p.duty_group) == ("Văn thư", "hành chính")
    page_c = client.get("/people/PW001").get_data(as_text=True)
    page_d = client.get("/people/PW001").get_data(as_text=True)
    assert (
        client.post("/people/PW001/edit", data=_form(page_c, position="Lưu trữ")).status_code == 302
    )
    res = client.post("/people/PW001/edit", data=_form(page_d, position="Thủ quỹ"))
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "người khác" in html and 'value="Thủ quỹ"' in html
    assert _person("PW001").position == "Lưu trữ"
    # the line says what the other saved, beside what this clerk typed
    assert "«Chức vụ»: người khác đã lưu «Lưu trữ», bạn nhập «Thủ quỹ»" in html, html
    # saving the refused page again keeps this clerk's value: they have seen the other's
    res = client.post("/people/PW001/edit", data=_form(html, position="Thủ quỹ"))
    assert res.status_code == 302
    assert _person("PW001").position == "Thủ quỹ"


def test_hr_sees_no_person_forms_and_is_refused(client, ward, login_session):
    login_session(client, ward["hr"])
    page = client.get("/people/PW001").get_data(as_text=True)
    assert "Sửa thông tin cán bộ" not in page
    assert "Thêm cán bộ" not in client.get("/units/PW-VP").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data={"csrf_token": _csrf(page), "full_name": "X"})
    assert res.status_code == 403
    data = {"person-csrf_token": _csrf(page), "person-code": "Z9", "person-full_name": "Z"}
    res = client.post("/units/PW-VP/people", data=data)
    assert res.status_code == 403
    assert _person("PW001").full_name == "Nguyễn Thị Hoa" and _person("Z9") is None


def test_a_refused_new_person_keeps_the_form_open_and_the_typed_date(client, ward, login_session):
    login_session(client, ward["staff"])
    page = client.get("/units/PW-VP").get_data(as_text=True)
    data = {"person-csrf_token": _csrf(page), "person-code": "PW010", "person-full_name": "Lê An",
            "person-birth_date": "31/02/1990"}  # fmt: skip
    html = client.post("/units/PW-VP/people", data=data).get_data(as_text=True)
    assert 'value="31/02/1990"' in html  # the date as typed, to correct
    # a party cell for a non-member: told with the form open and a line at its top
    data.update({"person-birth_date": "12/03/1990", "person-party_unit_code": "PW-CB"})
    res = client.post("/units/PW-VP/people", data=data)
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and '<details class="card" id="person-add" open>' in html
    # admitted before being born; a taken code in another case
    data.update({"person-is_party_member": "y", "person-admitted_on": "01/01/1985"})
    html = client.post("/units/PW-VP/people", data=data).get_data(as_text=True)
    assert "trước ngày sinh" in html
    data.update({"person-admitted_on": "01/01/2015", "person-code": "pw001"})
    res = client.post("/units/PW-VP/people", data=data)
    assert res.status_code == 400 and "PW001" in res.get_data(as_text=True)
    assert _person("pw001") is None


def test_a_party_member_with_empty_dates_reads_without_stray_separators(
    client, ward, login_session
):
    person = ward["person"]
    person.is_party_member = True
    db.session.commit()
    login_session(client, ward["hr"])
    html = client.get("/people/PW001").get_data(as_text=True)
    line = html[html.index("<dt>Đảng viên</dt>") :].split("</dd>")[0]
    assert "; ;" not in line and "vào Đảng ;" not in line and not line.rstrip().endswith(";"), line
    assert "chi bộ: —" in line


def test_a_refused_save_then_fixed_keeps_what_another_saved_meanwhile(client, ward, login_session):
    """A refused form reloaded its baseline from the record as it then was, while it still
    showed this clerk's older values: fixing the refusal and saving wrote those older values
    over what another clerk had saved meanwhile, without a word."""
    login_session(client, ward["staff"])
    page_a = client.get("/people/PW001").get_data(as_text=True)
    page_b = client.get("/people/PW001").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(page_b, duty_group="hành chính"))
    assert res.status_code == 302
    res = client.post("/people/PW001/edit", data=_form(page_a, birth_date="31/02/1980"))
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    res = client.post(
        "/people/PW001/edit", data=_form(html, birth_date="01/05/1980", position="Văn thư")
    )
    assert res.status_code == 302
    p = _person("PW001")
    assert (p.position, p.duty_group) == ("Văn thư", "hành chính")


def test_saving_again_after_a_conflict_keeps_the_others_other_fields(client, ward, login_session):
    """The walk's case: A saves «Chức vụ» and «Nhóm nhiệm vụ»; B, on an older page, changes
    «Chức vụ», is told of the conflict and saves again: A's «Nhóm nhiệm vụ» went back to the
    value B's page still showed."""
    login_session(client, ward["staff"])
    page_a = client.get("/people/PW001").get_data(as_text=True)
    page_b = client.get("/people/PW001").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(page_a, position="Phó", duty_group="TH"))
    assert res.status_code == 302
    res = client.post("/people/PW001/edit", data=_form(page_b, position="Chuyên viên"))
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(html, position="Chuyên viên"))
    assert res.status_code == 302
    p = _person("PW001")
    assert (p.position, p.duty_group) == ("Chuyên viên", "TH")


def test_a_refused_person_edit_says_so_at_the_top_of_the_page(client, ward, login_session):
    """The only message sat at its field two screens down (about y = 1590 px at 390 px wide),
    under the facts that still read as before: a clerk took it for saved."""
    login_session(client, ward["staff"])
    page = client.get("/people/PW001").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(page, party_unit_code="CHIBO-X"))
    html = res.get_data(as_text=True)
    assert res.status_code == 400
    top = html[: html.index('<dl class="facts"')]
    assert "Chưa lưu" in top and 'href="#person-edit"' in top, top[-600:]


def test_a_second_head_of_a_unit_is_saved_with_a_warning_naming_the_first(
    client, ward, login_session, create_person
):
    """Two heads of one unit were saved without a word; each is capped at the unit's level
    (A8), so a deputy ticked by mistake changes a rating. The save stands (a unit may be led
    by two during a handover); the clerk is told who heads it already."""
    first = create_person(ward["office"], code="PW002", full_name="Trần Văn Trưởng")
    first.is_head = True
    db.session.commit()
    login_session(client, ward["staff"])
    page = client.get("/people/PW001").get_data(as_text=True)
    res = client.post("/people/PW001/edit", data=_form(page, is_head="y"), follow_redirects=True)
    text = res.get_data(as_text=True)
    assert res.status_code == 200 and _person("PW001").is_head
    assert "Văn phòng đã có người đứng đầu: Trần Văn Trưởng (PW002)" in text
    page = client.get("/people/PW001").get_data(as_text=True)
    res = client.post(
        "/people/PW001/edit", data=_form(page, is_head="y", position="Phó"), follow_redirects=True
    )
    assert "đã có người đứng đầu" not in res.get_data(as_text=True)  # told once, when ticked


def test_opening_a_form_address_shows_its_page_instead_of_405(client, ward, login_session):
    """A refused form leaves the address bar on the form's POST-only address; Enter there (or
    a bookmark of it) answered «405 Method Not Allowed». It now opens the page the form is on;
    the API still answers 405."""
    login_session(client, ward["staff"])
    for address, page in (
        ("/people/PW001/edit", "/people/PW001"),
        ("/units/PW-VP/people", "/units/PW-VP"),
        ("/units/PW-VP/edit", "/units/PW-VP"),
    ):
        res = client.get(address)
        assert res.status_code == 303 and res.headers["Location"] == page, address
    assert client.get("/api/v1/imports/people").status_code == 405


def test_adding_a_person_tells_every_problem_of_the_form_at_once(client, ward, login_session):
    """A refused new person told one problem per submit: a bad date first, then (fixed and
    sent again) an unknown party cell, then a taken code. All are told at their fields."""
    login_session(client, ward["staff"])
    page = client.get("/units/PW-VP").get_data(as_text=True)
    data = {
        "person-csrf_token": _csrf(page), "person-code": "PW001",
        "person-full_name": "Trần Văn Nam", "person-birth_date": "31/02/1990",
        "person-is_party_member": "y", "person-party_unit_code": "KHONGCO",
        "person-admitted_on": "19/05/2015", "person-party_gap_days": "0",
    }  # fmt: skip
    res = client.post("/units/PW-VP/people", data=data)
    html = res.get_data(as_text=True)
    assert res.status_code == 400
    assert "chỉ có 28 ngày" in html  # the date
    assert "Không có chi bộ với mã này" in html  # the party cell
    assert "đã tồn tại" in html  # the code
    top = html[html.index('class="flash error"') :].split("</div>")[0]
    assert "28 ngày" in top and "chi bộ" in top and "đã tồn tại" in top  # all at the top too
    assert _person("PW001").full_name == "Nguyễn Thị Hoa"


def test_a_form_address_under_a_slashed_page_redirects_to_a_path_of_this_site(
    client, ward, login_session
):
    """The nearest page above a form address may be one with a trailing slash; its redirect
    was the absolute address werkzeug built from the request's Host, query string kept:
    `Host: evil.example` sent the clerk to http://evil.example/…"""
    login_session(client, ward["staff"])
    res = client.get("/evaluation/years?next=//evil.example", headers={"Host": "evil.example"})
    assert res.status_code == 303
    assert res.headers["Location"] == "/evaluation/"
