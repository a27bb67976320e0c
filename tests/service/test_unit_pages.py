"""Units are added, renamed, moved and removed from the unit's page by an administrator (they
could be only through the «Đơn vị» import): each a form with CSRF, validated, audited; a
refused form keeps what was typed and changes nothing; two administrators keep each other's
changes; other roles see no form and are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.extensions import db
from service.org.models import Unit
from tests.service.test_edits_of_two_admins import _csrf, _hidden


@pytest.fixture
def tree(create_unit):
    ward = create_unit("PW", name="Phường Mẫu", kind="đảng ủy", quota_root=True)
    office = create_unit("PW-VP", ward, name="Văn phòng", kind="văn phòng")
    other = create_unit("PW-KT", ward, name="Phòng Kinh tế", kind="phòng")
    db.session.commit()
    return {"ward": ward, "office": office, "other": other}


@pytest.fixture
def admin(client, create_user, login_session):
    user = create_user("quantri", roles=[("admin", None)])
    login_session(client, user)
    return user


def _unit(code):
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _edit(client, page, code, **values):
    data = {
        "csrf_token": _csrf(page),
        **{
            f"was_{k}": _hidden(page, f"was_{k}")
            for k in ("name", "kind", "quota_root", "parent_code")
        },
        **values,
    }
    return client.post(f"/units/{code}/edit", data=data)


def test_an_admin_adds_a_child_unit_from_the_units_page(client, admin, tree):
    page = client.get("/units/PW").get_data(as_text=True)
    assert "Thêm đơn vị trực thuộc" in page and "Sửa đơn vị" in page
    res = client.post(
        "/units/PW/children",
        data={
            "child-csrf_token": _csrf(page),
            "child-code": "PW-TDP1",
            "child-name": "Tổ dân phố 1",
            "child-kind": "tổ dân phố",
        },
    )
    assert res.status_code == 302 and res.headers["Location"].endswith("/units/PW-TDP1")
    unit = _unit("PW-TDP1")
    assert unit.parent.code == "PW" and unit.path.startswith(tree["ward"].path)
    assert db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "unit", AuditEntry.object_id == "PW-TDP1"
        )
    )
    # a code taken: refused at the field, what was typed kept, nothing added
    res = client.post(
        "/units/PW/children",
        data={"child-csrf_token": _csrf(page), "child-code": "PW-VP", "child-name": "Trùng mã"},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "đã tồn tại" in html and 'value="Trùng mã"' in html
    assert _unit("PW-VP").name == "Văn phòng"


def test_an_admin_renames_and_moves_a_unit_and_a_loop_is_refused(client, admin, tree):
    page = client.get("/units/PW-VP").get_data(as_text=True)
    res = _edit(client, page, "PW-VP", name="Văn phòng Đảng ủy", kind="văn phòng",
                parent_code="PW-KT")  # fmt: skip
    assert res.status_code == 302, res.get_data(as_text=True)[:300]
    unit = _unit("PW-VP")
    assert unit.name == "Văn phòng Đảng ủy" and unit.parent.code == "PW-KT"
    assert unit.path == f"{tree['other'].path}{unit.id}/"
    # under its own child: refused, told at the field, nothing changed
    page = client.get("/units/PW-KT").get_data(as_text=True)
    res = _edit(client, page, "PW-KT", name="Phòng Kinh tế mới", kind="phòng", parent_code="PW-VP")
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "vòng lặp" in html and 'value="Phòng Kinh tế mới"' in html
    assert _unit("PW-KT").name == "Phòng Kinh tế" and _unit("PW-KT").parent.code == "PW"
    res = _edit(client, page, "PW-KT", name="Phòng Kinh tế", kind="phòng", parent_code="KHONGCO")
    assert res.status_code == 400 and "Không có đơn vị cấp trên" in res.get_data(as_text=True)


def test_two_admins_editing_a_unit_keep_both_changes(client, admin, tree):
    page_a = client.get("/units/PW-KT").get_data(as_text=True)
    page_b = client.get("/units/PW-KT").get_data(as_text=True)
    assert _edit(client, page_a, "PW-KT", name="Phòng Kinh tế - Hạ tầng", kind="phòng",
                 parent_code="PW").status_code == 302  # fmt: skip
    # B changes only the kind, on the page loaded before A saved
    assert _edit(client, page_b, "PW-KT", name="Phòng Kinh tế", kind="phòng chuyên môn",
                 parent_code="PW").status_code == 302  # fmt: skip
    unit = _unit("PW-KT")
    assert (unit.name, unit.kind) == ("Phòng Kinh tế - Hạ tầng", "phòng chuyên môn")


def test_removing_a_unit_only_when_empty(client, admin, tree, create_person):
    create_person(tree["office"], code="PW001")
    db.session.commit()
    page = client.get("/units/PW-VP").get_data(as_text=True)
    res = client.post("/units/PW-VP/delete", data={"csrf_token": _csrf(page)})
    assert res.status_code == 302
    assert "còn cán bộ" in client.get(res.headers["Location"]).get_data(as_text=True)
    assert _unit("PW-VP") is not None
    page = client.get("/units/PW-KT").get_data(as_text=True)
    res = client.post("/units/PW-KT/delete", data={"csrf_token": _csrf(page)})
    assert res.status_code == 302 and res.headers["Location"].endswith("/units/PW")
    assert _unit("PW-KT") is None


def test_other_roles_see_no_unit_forms_and_are_refused(client, create_user, login_session, tree):
    login_session(client, create_user("tochuc", roles=[("staff", tree["ward"])]))
    page = client.get("/units/PW-VP").get_data(as_text=True)
    assert "Sửa đơn vị" not in page and "Thêm đơn vị trực thuộc" not in page
    res = client.post("/units/PW-VP/edit", data={"csrf_token": _csrf(page), "name": "X"})
    assert res.status_code == 403
    data = {"child-csrf_token": _csrf(page), "child-code": "Z", "child-name": "Z"}
    res = client.post("/units/PW/children", data=data)
    assert res.status_code == 403
    assert _unit("PW-VP").name == "Văn phòng" and _unit("Z") is None


def test_a_taken_code_in_another_case_is_refused_at_the_field(client, admin, tree):
    page = client.get("/units/PW").get_data(as_text=True)
    data = {"child-csrf_token": _csrf(page), "child-code": "pw-vp", "child-name": "Trùng mã"}
    res = client.post("/units/PW/children", data=data)
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "PW-VP" in html, html[:300]
    assert '<span class="field-error">' in html[html.index('id="unit-child"') :]
    assert _unit("pw-vp") is None


def test_removing_a_party_cell_says_whose_cell_it_is(client, admin, tree, create_person):
    create_person(tree["office"], code="PW009", is_party_member=True, party_unit=tree["other"])
    page = client.get("/units/PW-KT").get_data(as_text=True)
    res = client.post("/units/PW-KT/delete", data={"csrf_token": _csrf(page)})
    html = client.get(res.headers["Location"]).get_data(as_text=True)
    assert "chi bộ của 1 đảng viên" in html, html[:2000]


def test_clearing_the_parent_asks_before_making_a_root_unit(client, admin, tree):
    """«Đơn vị cấp trên» emptied by mistake moved the unit out of its ward to the top of the
    tree without a word; now it is refused at the field until «Chuyển thành đơn vị gốc» is
    ticked."""
    page = client.get("/units/PW-VP").get_data(as_text=True)
    res = _edit(client, page, "PW-VP", name="Văn phòng", kind="văn phòng", parent_code="")
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "Chuyển thành đơn vị gốc" in html, html
    assert _unit("PW-VP").parent.code == "PW"
    res = _edit(
        client, page, "PW-VP", name="Văn phòng", kind="văn phòng", parent_code="", to_root="y"
    )
    assert res.status_code == 302
    assert _unit("PW-VP").parent is None
    # a unit already at the top: saved as before, nothing to ask
    page = client.get("/units/PW").get_data(as_text=True)
    res = _edit(client, page, "PW", name="Phường Mẫu 2", kind="đảng ủy", quota_root="y")
    assert res.status_code == 302 and _unit("PW").name == "Phường Mẫu 2"


def test_a_refused_unit_save_then_fixed_keeps_what_another_saved_meanwhile(client, admin, tree):
    page_a = client.get("/units/PW-KT").get_data(as_text=True)
    page_b = client.get("/units/PW-KT").get_data(as_text=True)
    assert _edit(client, page_b, "PW-KT", name="Phòng Kinh tế", kind="phòng chuyên môn",
                 parent_code="PW").status_code == 302  # fmt: skip
    res = _edit(client, page_a, "PW-KT", name="", kind="phòng", parent_code="PW")
    assert res.status_code == 400
    html = res.get_data(as_text=True)
    assert _edit(client, html, "PW-KT", name="Phòng Kinh tế mới", kind="phòng",
                 parent_code="PW").status_code == 302  # fmt: skip
    assert (_unit("PW-KT").name, _unit("PW-KT").kind) == ("Phòng Kinh tế mới", "phòng chuyên môn")


def test_ticking_make_root_alone_moves_the_unit_and_with_a_new_parent_is_refused(
    client, admin, tree
):
    """The tick alone answered «Không có gì thay đổi»; with a new parent typed, it was ignored."""
    page = client.get("/units/PW-VP").get_data(as_text=True)
    res = _edit(client, page, "PW-VP", name="Văn phòng", kind="văn phòng", parent_code="PW-KT",
                to_root="y")  # fmt: skip
    assert res.status_code == 400 and "Bỏ dấu" in res.get_data(as_text=True)
    assert _unit("PW-VP").parent.code == "PW"
    shown = _hidden(page, "was_parent_code")  # the field as the page showed it, untouched
    res = _edit(client, page, "PW-VP", name="Văn phòng", kind="văn phòng", parent_code=shown,
                to_root="y")  # fmt: skip
    assert res.status_code == 302 and _unit("PW-VP").parent is None


def test_removing_a_unit_that_issued_a_decision_is_refused_in_words(client, admin, tree):
    """An empty unit that had issued an award decision failed its removal with a 500 (the
    decision keeps its issuing unit: the database refuses the delete)."""
    import datetime as dt

    from awards.models import Decision

    db.session.add(
        Decision(
            year=2025,
            number="01/QĐ",
            decided_on=dt.date(2025, 12, 1),
            signer="Chủ tịch",
            unit_id=tree["other"].id,
        )  # fmt: skip
    )
    db.session.commit()
    page = client.get("/units/PW-KT").get_data(as_text=True)
    res = client.post("/units/PW-KT/delete", data={"csrf_token": _csrf(page)})
    assert res.status_code == 302, res.status_code
    assert "Không thể xóa" in client.get(res.headers["Location"]).get_data(as_text=True)
    assert _unit("PW-KT") is not None
    assert not db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "delete", AuditEntry.object_id == "PW-KT")
    )


def test_a_party_cells_page_lists_its_members_from_other_units(
    client, create_unit, create_person, create_user, login_session
):
    """A party cell whose members belong to other units read «Không có cán bộ nào» on its page,
    and its removal was refused for members nobody could find there. The page says how many
    members it has and lists them (those the user may read)."""
    from service.extensions import db

    ward = create_unit("W")
    office = create_unit("W-VP", ward, name="Văn phòng")
    cell = create_unit("W-CB", ward, name="Chi bộ Văn phòng", kind="chi bộ")
    other = create_unit("X")
    for code, unit in (("M1", office), ("M2", office), ("M3", other)):
        person = create_person(unit, code=code, full_name=f"Đảng viên {code}")
        person.is_party_member, person.party_unit = True, cell
    db.session.commit()
    login_session(client, create_user(roles=[("staff", ward)]))
    page = client.get("/units/W-CB").get_data(as_text=True)
    assert "3 đảng viên sinh hoạt" in page and "?members=1" in page
    members = client.get("/units/W-CB?members=1").get_data(as_text=True)
    assert "Đảng viên M1" in members and "<code>M2</code>" in members
    assert "Đảng viên M3" not in members and "<code>M3</code>" not in members  # outside reach
