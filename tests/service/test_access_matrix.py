"""Every endpoint × every role × own unit / unit above / unit below / sibling / unauthenticated.

Tree: R → A → A1, R → B. The target objects are unit A and person PA in A. A role at U reaches U
and everything below it; outside its reach an object answers 404; within reach but without the
right role, 403."""

from __future__ import annotations

import io

import pytest

from awards.models import Initiative, InitiativeAuthor, owner_key
from service.extensions import db

# who -> (role, unit code); None = unauthenticated
WHO = {
    "admin": ("admin", None),
    "staff_own": ("staff", "A"),
    "staff_above": ("staff", "R"),
    "staff_below": ("staff", "A1"),
    "staff_sibling": ("staff", "B"),
    "committee_own": ("committee", "A"),
    "committee_sibling": ("committee", "B"),
    "hr_own": ("hr", "A"),
    "hr_above": ("hr", "R"),
    "hr_sibling": ("hr", "B"),
    "anon": None,
}
REACH = {"admin", "staff_own", "staff_above", "committee_own", "hr_own", "hr_above"}
STAFF_REACH = {"admin", "staff_own", "staff_above"}
# the registry of initiatives is written by staff within their units (DOMAIN.md: HR reads and
# exports)
REGISTRY_WRITERS = STAFF_REACH
OUT = {"staff_below", "staff_sibling", "committee_sibling", "hr_sibling"}


def expect(ok, who, *, writers=None, denied=403):
    """Expected status for `who`: ok within reach for writers, 403 within reach otherwise, 404
    outside reach, 401 unauthenticated."""
    if who == "anon":
        return 401
    writers = REACH if writers is None else writers
    if who in writers:
        return ok
    if who in REACH:
        return denied
    return 404


def person_body(unit="A", code="NEW1"):
    return {"code": code, "full_name": "Phạm Thị Mới", "unit_code": unit}


# (name, method, url, json body or None, expected(who))
CASES = [
    ("unit.get", "GET", "/api/v1/units/A", None, lambda w: expect(200, w)),
    ("unit.people", "GET", "/api/v1/units/A/people", None, lambda w: expect(200, w)),
    (
        "unit.patch",
        "PATCH",
        "/api/v1/units/A",
        {"name": "Đổi tên"},
        lambda w: expect(200, w, writers={"admin"}),
    ),
    (
        "unit.delete",
        "DELETE",
        "/api/v1/units/A",
        None,
        lambda w: expect(409, w, writers={"admin"}),
    ),  # 409: A still has people
    (
        "unit.create",
        "POST",
        "/api/v1/units",
        {"code": "A2", "name": "Mới", "parent_code": "A"},
        lambda w: 401 if w == "anon" else (201 if w == "admin" else 403),
    ),
    ("person.get", "GET", "/api/v1/people/PA", None, lambda w: expect(200, w)),
    (
        "person.patch",
        "PATCH",
        "/api/v1/people/PA",
        {"position": "Phó phòng"},
        lambda w: expect(200, w, writers=STAFF_REACH),
    ),
    (
        "person.delete",
        "DELETE",
        "/api/v1/people/PA",
        None,
        lambda w: expect(204, w, writers=STAFF_REACH),
    ),
    (
        "person.create",
        "POST",
        "/api/v1/people",
        person_body(),
        # outside reach the unit is "unknown": 400 with the field named, nothing created
        lambda w: 400 if w in OUT else expect(201, w, writers=STAFF_REACH),
    ),
    (
        "users.list",
        "GET",
        "/api/v1/users",
        None,
        lambda w: 401 if w == "anon" else (200 if w == "admin" else 403),
    ),
    (
        "users.create",
        "POST",
        "/api/v1/users",
        {
            "username": "moi.tao",
            "password": "matkhau123",
            "roles": [{"role": "hr", "unit_code": "A"}],
        },
        lambda w: 401 if w == "anon" else (201 if w == "admin" else 403),
    ),
    ("tokens.list", "GET", "/api/v1/tokens", None, lambda w: 401 if w == "anon" else 200),
    ("me", "GET", "/api/v1/me", None, lambda w: 401 if w == "anon" else 200),
    ("initiatives.list", "GET", "/api/v1/initiatives", None, lambda w: 401 if w == "anon" else 200),
    (
        "initiatives.create",
        "POST",
        "/api/v1/initiatives",
        {
            "year": 2025,
            "kind": "sang_kien",
            "title": "Mới",
            "level": "co_so",
            "person_codes": ["PA"],
        },
        # outside reach the author is "unknown": 400 with the field named, nothing created
        lambda w: 400 if w in OUT else expect(201, w, writers=REGISTRY_WRITERS),
    ),
    ("initiative.get", "GET", "/api/v1/initiatives/{initiative}", None, lambda w: expect(200, w)),
    (
        "initiative.patch",
        "PATCH",
        "/api/v1/initiatives/{initiative}",
        {"title": "Đổi tên", "version": 1},
        lambda w: expect(200, w, writers=REGISTRY_WRITERS),
    ),
    (
        "initiative.delete",
        "DELETE",
        "/api/v1/initiatives/{initiative}",
        {"reason": "Nhập nhầm", "version": 1},
        lambda w: expect(204, w, writers=REGISTRY_WRITERS),
    ),
    (
        "import.template",
        "GET",
        "/api/v1/imports/templates/people.xlsx",
        None,
        lambda w: 401 if w == "anon" else 200,
    ),
]


@pytest.fixture
def world(create_unit, create_person, create_user, bearer):
    r = create_unit("R")
    a = create_unit("A", r)
    a1 = create_unit("A1", a)
    b = create_unit("B", r)
    units = {"R": r, "A": a, "A1": a1, "B": b}
    pa = create_person(a, code="PA")
    create_person(b, code="PB")
    initiative = Initiative(
        year=2025, kind="sang_kien", title="Sáng kiến của PA", level="co_so", version=1,
        authors=[InitiativeAuthor(person=pa)], owner_key=owner_key("sang_kien", None, [pa.id]),
    )  # fmt: skip
    db.session.add(initiative)
    db.session.commit()
    headers = {}
    users = {}
    for who, grant in WHO.items():
        if grant is None:
            headers[who] = {}
            continue
        role, unit = grant
        user = create_user(username=who, roles=[(role, units[unit] if unit else None)])
        users[who] = user
        headers[who] = bearer(user)
    return {"headers": headers, "users": users, "units": units, "initiative": initiative.id}


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_api_access_matrix(client, world, case, who):
    name, method, url, body, expected = case
    url = url.format(initiative=world["initiative"])
    res = client.open(url, method=method, json=body, headers=world["headers"][who])
    assert res.status_code == expected(who), (name, who, res.get_data(as_text=True)[:300])
    if res.status_code >= 400:
        assert res.get_json()["error"]["status"] == res.status_code


@pytest.mark.parametrize("who", [w for w in WHO if w != "anon"])
def test_lists_are_filtered_by_reach(client, world, who):
    h = world["headers"][who]
    units = {u["code"] for u in client.get("/api/v1/units?per_page=500", headers=h).json["items"]}
    people = {p["code"] for p in client.get("/api/v1/people", headers=h).json["items"]}
    assert ("A" in units) == (who in REACH)
    assert ("PA" in people) == (who in REACH)
    if who in ("staff_sibling", "committee_sibling", "hr_sibling"):
        assert units == {"B"} and people == {"PB"}


def _import_expect(roles):
    """Expected status of an upload with no file: 400 (allowed, form error) for the admin and
    the given roles, 403 for the others, 401 unauthenticated."""
    return lambda w: 401 if w == "anon" else (400 if w == "admin" or w.startswith(roles) else 403)


IMPORT_EXPECT = {  # kind -> who -> status
    "people": _import_expect(("staff",)),
    "units": _import_expect(()),
    "person_evals": _import_expect(("staff",)),
    "unit_evals": _import_expect(("staff",)),
    "history": _import_expect(("staff", "hr")),
    "initiatives": _import_expect(("staff",)),
}


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("kind", list(IMPORT_EXPECT))
def test_import_access(client, world, kind, who):
    res = client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(b""), "")},
        headers=world["headers"][who],
        content_type="multipart/form-data",
    )
    assert res.status_code == IMPORT_EXPECT[kind](who), res.get_data(as_text=True)[:200]


PAGES = [
    ("tree", "/units", lambda w: 200),
    ("unit", "/units/A", lambda w: expect(200, w)),
    ("person", "/people/PA", lambda w: expect(200, w)),
    ("users", "/admin/users", lambda w: 200 if w == "admin" else 403),
    # staff import people and evaluations, hr the history
    (
        "imports",
        "/imports",
        lambda w: 200 if w == "admin" or w.startswith(("staff", "hr")) else 403,
    ),
    ("tokens", "/tokens", lambda w: 200),
    # every role reads the registry within its units (the list is filtered by reach)
    ("awards", "/awards/", lambda w: 200),
    ("initiatives", "/awards/initiatives", lambda w: 200),
    (
        "initiative.edit",
        "/awards/initiatives/{initiative}/edit",
        lambda w: expect(200, w, writers=REGISTRY_WRITERS),
    ),
    (
        "initiative.new",
        "/awards/initiatives/new",
        lambda w: 403 if w.startswith(("committee", "hr")) else 200,
    ),
]


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_page_access_matrix(client, world, login_session, page, who):
    name, url, expected = page
    url = url.format(initiative=world["initiative"])
    if who == "anon":
        res = client.get(url)
        assert res.status_code == 302 and "/login" in res.headers["Location"]
        return
    login_session(client, world["users"][who])
    res = client.get(url)
    assert res.status_code == expected(who), (name, who)


def test_person_outside_reach_is_not_created(client, world):
    res = client.post(
        "/api/v1/people", json=person_body("A", "NOPE"), headers=world["headers"]["staff_sibling"]
    )
    assert res.status_code == 400 and "unit_code" in res.json["error"]["fields"]
    from sqlalchemy import select

    from service.org.models import Person

    assert db.session.scalar(select(Person).where(Person.code == "NOPE")) is None
