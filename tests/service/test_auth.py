"""Login with CSRF and throttling, API tokens, session API calls need the CSRF header, audit."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.audit.models import AuditEntry
from service.auth.models import User
from service.extensions import db


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)


def post_login(client, username, password):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_login_logout_with_csrf(client, create_user, create_unit):
    create_user("canbo", roles=[("staff", create_unit("A"))])
    res = post_login(client, "canbo", "matkhau123")
    assert res.status_code == 302 and res.headers["Location"] == "/"  # the user's landing
    page = client.get("/units").get_data(as_text=True)
    assert "Cây đơn vị" in page and "Đơn vị A" in page
    token = csrf_from(page)
    assert client.post("/logout").status_code == 400  # no CSRF token: refused
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/units").status_code == 302


def test_login_form_without_csrf_is_refused(client, create_user):
    create_user("canbo")
    res = client.post("/login", data={"username": "canbo", "password": "matkhau123"})
    assert res.status_code == 400 and "CSRF" in res.get_data(as_text=True)
    assert client.get("/units").status_code == 302  # still not logged in


def test_repeated_failures_lock_the_account(app, client, create_user):
    create_user("canbo")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        res = post_login(client, "canbo", "sai-mat-khau")
        assert res.status_code == 401
    res = post_login(client, "canbo", "matkhau123")  # right password, but locked now
    assert res.status_code == 401 and "tạm khóa" in res.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "canbo"))
    assert user.locked_until is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "lock"))


def test_unknown_user_gets_same_message(client):
    res = post_login(client, "khongco", "matkhau123")
    assert res.status_code == 401 and "không đúng" in res.get_data(as_text=True)


def test_tokens_create_list_revoke(client, create_user, bearer):
    user = create_user("script")
    h = bearer(user)
    res = client.post("/api/v1/tokens", json={"name": "đồng bộ nhân sự"}, headers=h)
    assert res.status_code == 201
    new = res.json["token"]
    listed = client.get("/api/v1/tokens", headers=h).json["items"]
    assert {t["name"] for t in listed} == {"thử nghiệm", "đồng bộ nhân sự"}
    assert all("token" not in t for t in listed)
    h2 = {"Authorization": f"Bearer {new}"}
    assert client.get("/api/v1/me", headers=h2).json["username"] == "script"
    assert client.delete(f"/api/v1/tokens/{res.json['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/me", headers=h2).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer sai"}).status_code == 401


def test_other_users_token_cannot_be_revoked(client, create_user, bearer):
    h1, h2 = bearer(create_user("u1")), bearer(create_user("u2"))
    tid = client.get("/api/v1/tokens", headers=h1).json["items"][0]["id"]
    assert client.delete(f"/api/v1/tokens/{tid}", headers=h2).status_code == 404


def test_session_api_write_needs_csrf_header(client, create_user, create_unit, login_session):
    a = create_unit("A")
    login_session(client, create_user("canbo", roles=[("staff", a)]))
    body = {"code": "S1", "full_name": "Qua phiên", "unit_code": "A"}
    assert client.post("/api/v1/people", json=body).status_code == 400
    token = csrf_from(client.get("/tokens").get_data(as_text=True))
    res = client.post("/api/v1/people", json=body, headers={"X-CSRFToken": token})
    assert res.status_code == 201


def test_writes_are_audited_with_before_and_after(client, create_user, create_unit, bearer):
    a = create_unit("A")
    h = bearer(create_user("canbo", roles=[("staff", a)]))
    client.post(
        "/api/v1/people", json={"code": "S1", "full_name": "Một", "unit_code": "A"}, headers=h
    )
    client.patch("/api/v1/people/S1", json={"full_name": "Hai"}, headers=h)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "person").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["full_name"] == "Một" and entries[1].after["full_name"] == "Hai"
    assert entries[1].user.username == "canbo" and entries[1].unit_id == a.id


def test_failed_write_leaves_no_audit_and_no_change(client, create_user, create_unit, bearer):
    a = create_unit("A")
    h = bearer(create_user("canbo", roles=[("staff", a)]))
    client.post(
        "/api/v1/people", json={"code": "S1", "full_name": "Một", "unit_code": "A"}, headers=h
    )
    res = client.patch(
        "/api/v1/people/S1", json={"full_name": "Hai", "unit_code": "KHONGCO"}, headers=h
    )
    assert res.status_code == 400
    assert client.get("/api/v1/people/S1", headers=h).json["full_name"] == "Một"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update")) is None


def test_admin_manages_users_and_roles_through_api(client, create_user, create_unit, bearer):
    a = create_unit("A")
    h = bearer(create_user("quantri", roles=[("admin", None)]))
    res = client.post("/api/v1/users", json={"username": "moi", "password": "ngan"}, headers=h)
    assert res.status_code == 400 and "password" in res.json["error"]["fields"]
    res = client.post(
        "/api/v1/users", json={"username": "moi", "password": "matkhau123"}, headers=h
    )
    uid = res.json["id"]
    res = client.post(f"/api/v1/users/{uid}/roles", json={"role": "staff"}, headers=h)
    assert res.status_code == 400  # a scoped role needs a unit
    res = client.post(
        f"/api/v1/users/{uid}/roles", json={"role": "staff", "unit_code": "A"}, headers=h
    )
    assert res.status_code == 201
    assert (
        client.post(
            f"/api/v1/users/{uid}/roles", json={"role": "staff", "unit_code": "A"}, headers=h
        ).status_code
        == 409
    )
    rid = res.json["id"]
    assert client.delete(f"/api/v1/users/{uid}/roles/{rid}", headers=h).status_code == 204
    assert client.get(f"/api/v1/users/{uid}", headers=h).json["roles"] == []
    assert a.code == "A"
