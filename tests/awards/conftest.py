"""A small tree for the registry of initiatives: R → A → A1, R → B; people in A, A1 and B;
staff at A, at B and at R, HR at R, committee members at A and at R."""

from __future__ import annotations

import pytest


@pytest.fixture
def tree(create_unit, create_person, create_user, bearer):
    r = create_unit("R", quota_root=True)
    a = create_unit("A", r)
    a1 = create_unit("A1", a)
    b = create_unit("B", r)
    people = {
        "PA": create_person(a, code="PA", full_name="Nguyễn Văn An"),
        "PA2": create_person(a, code="PA2", full_name="Trần Thị Bình"),
        "PA1": create_person(a1, code="PA1", full_name="Lê Văn Cường"),
        "PB": create_person(b, code="PB", full_name="Phạm Thị Dung"),
    }
    users = {
        "staff_a": create_user(username="staff_a", roles=[("staff", a)]),
        "staff_b": create_user(username="staff_b", roles=[("staff", b)]),
        "hr_r": create_user(username="hr_r", roles=[("hr", r)]),
        "staff_r": create_user(username="staff_r", roles=[("staff", r)]),
        "committee_a": create_user(username="committee_a", roles=[("committee", a)]),
        "committee_r": create_user(username="committee_r_top", roles=[("committee", r)]),
        "admin": create_user(username="root_admin", roles=[("admin", None)]),
    }
    return {
        "units": {"R": r, "A": a, "A1": a1, "B": b},
        "people": people,
        "users": users,
        "headers": {k: bearer(u) for k, u in users.items()},
    }


def initiative_body(**kw):
    body = {
        "year": 2025,
        "kind": "sang_kien",
        "title": "Sáng kiến số hóa hồ sơ",
        "level": "co_so",
        "person_codes": ["PA"],
        "decision_no": "12/QĐ-UBND",
        "decision_date": "15/10/2025",
    }
    body.update(kw)
    return body
