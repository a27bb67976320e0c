"""Issue 15 items 1 and 2: security headers and cookie flags, no inline script anywhere (the
CSP forbids it), sessions that end at logout / password change / deactivation, `next` and
`back` that stay on this site, rate limits on logging in and new API tokens, health and
readiness, request ids, JSON logs, and a production start that refuses what it lacks."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from service import create_app
from service.config import BASE_DIR, ProductionConfig, TestConfig, check_production
from service.extensions import db, limiter
from tests.service.test_auth import csrf_from, post_login

TEMPLATES = BASE_DIR / "templates"


# ---- headers -------------------------------------------------------------------------------


def test_every_page_has_the_security_headers(client):
    res = client.get("/login")
    csp = res.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other site
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert res.headers["X-Frame-Options"] == "DENY"
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in res.headers  # plain http here
    api = client.get("/api/v1/me")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_over_https_cookies_are_secure_and_hsts_is_sent(app, create_user):
    class HttpsConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        HTTPS = True
        PROXY_HOPS = 1

    https_app = create_app(HttpsConfig)
    client = https_app.test_client()
    create_user("canbo")
    # behind the proxy that terminated TLS: X-Forwarded-Proto tells the app it is https
    res = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert res.status_code == 200
    assert "max-age=" in res.headers["Strict-Transport-Security"]
    cookie = res.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_in_any_template():
    """The CSP's script-src 'self' would block them: every script is a file under static/."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):  # rendered to PDF by WeasyPrint, never served
            continue
        source = path.read_text(encoding="utf-8")
        style_block = re.compile(r"<style[^>]*>", re.I)  # style-src 'self' blocks them too
        for pattern in (inline, handler, re.compile(r"javascript:", re.I), style_block):
            found += [
                f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(source)
            ]
        found += [
            f"{path.relative_to(TEMPLATES)}: style=" for _ in re.finditer(r"\sstyle=", source)
        ]
    assert found == []


# ---- sessions ------------------------------------------------------------------------------


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _logged_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works(app, client, create_user):
    create_user("canbo")
    post_login(client, "canbo", "matkhau123")
    copied = _session_cookie(client)
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert not _logged_in(thief)


def test_a_password_change_by_the_administrator_ends_the_sessions(app, client, create_user, bearer):
    create_user("canbo")
    admin = create_user("quantri", roles=[("admin", None)])
    post_login(client, "canbo", "matkhau123")
    assert _logged_in(client)
    user_id = client.get("/api/v1/me").get_json()["id"]
    res = app.test_client().patch(
        f"/api/v1/users/{user_id}", json={"password": "matkhaumoi123"}, headers=bearer(admin)
    )
    assert res.status_code == 200, res.get_json()
    assert not _logged_in(client)
    post_login(client, "canbo", "matkhaumoi123")
    assert _logged_in(client)


def test_deactivation_ends_the_sessions_for_good(app, client, create_user, bearer):
    create_user("canbo")
    admin = create_user("quantri", roles=[("admin", None)])
    post_login(client, "canbo", "matkhau123")
    user_id = client.get("/api/v1/me").get_json()["id"]
    admin_client = app.test_client()
    for active in (False, True):  # reactivated: the old cookie still does not come back
        res = admin_client.patch(
            f"/api/v1/users/{user_id}", json={"active": active}, headers=bearer(admin)
        )
        assert res.status_code == 200
    assert not _logged_in(client)


def test_changing_ones_own_password_keeps_this_session_only(app, client, create_user):
    create_user("canbo")
    post_login(client, "canbo", "matkhau123")
    other = app.test_client()
    post_login(other, "canbo", "matkhau123")
    page = client.get("/account/password").get_data(as_text=True)
    res = client.post(
        "/account/password",
        data={
            "current": "matkhau123",
            "new": "matkhaumoi123",
            "confirm": "matkhaumoi123",
            "csrf_token": csrf_from(page),
        },
    )
    assert res.status_code == 302, res.get_data(as_text=True)
    assert _logged_in(client)
    assert not _logged_in(other)


# ---- next and back -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",  # the issue's /%09/evil.example
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_next_stays_on_this_site(client, create_user, target):
    create_user("canbo")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    res = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"username": "canbo", "password": "matkhau123", "csrf_token": token},
    )
    assert res.status_code == 302 and res.headers["Location"] == "/", res.headers["Location"]


def test_the_job_page_back_link_stays_on_this_site(client, create_user, login_session):
    from service.jobs.models import Job

    user = create_user("canbo")
    job = Job(kind="import", user_id=user.id, status="done", params={})
    db.session.add(job)
    db.session.flush()
    login_session(client, user)
    page = client.get(f"/jobs/{job.id}?back=" + quote("/\t/evil.example", safe=""))
    assert page.status_code == 200
    assert 'href="/" id="job-back"' in page.get_data(as_text=True)


def test_login_next_keeps_a_path_of_this_site(client, create_user):
    create_user("canbo")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    res = client.post(
        "/login?next=/imports%3Fjob%3D3",
        data={"username": "canbo", "password": "matkhau123", "csrf_token": token},
    )
    assert res.headers["Location"] == "/imports?job=3"


def test_local_path_refuses_other_sites():
    from service.common.urls import local_path

    assert local_path("/evaluation/2026?unit=A") == "/evaluation/2026?unit=A"
    for bad in ("//x", "/\t/x", "/\\x", "x", "", None, "http://x/", "/%0a", "/\x7f/x"):
        assert local_path(bad) in (None, "/%0a"), bad  # "/%0a" stays escaped: a local path
    assert local_path("/\x00") is None


# ---- rate limits ---------------------------------------------------------------------------


@pytest.fixture
def tight_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "TOKEN_RATE_LIMIT", "2 per hour")
    limiter.reset()
    yield
    limiter.reset()


def test_logins_from_one_address_are_rate_limited(client, create_user, tight_limits):
    create_user("canbo")
    answers = [post_login(client, "canbo", "sai-mat-khau").status_code for _ in range(4)]
    assert answers[:3] == [401, 401, 401] and answers[3] == 429
    res = post_login(client, "canbo", "matkhau123")
    assert res.status_code == 429 and "Quá nhiều yêu cầu" in res.get_data(as_text=True)
    assert int(res.headers["Retry-After"]) > 0


def test_new_api_tokens_are_rate_limited_per_account(client, create_user, bearer, tight_limits):
    user = create_user("canbo")
    headers = bearer(user)
    answers = [
        client.post("/api/v1/tokens", json={"name": f"t{i}"}, headers=headers).status_code
        for i in range(3)
    ]
    assert answers == [201, 201, 429]
    body = client.post("/api/v1/tokens", json={"name": "x"}, headers=headers).get_json()
    assert "Quá nhiều yêu cầu" in json.dumps(body, ensure_ascii=False), body


# ---- health, readiness, request ids, logs --------------------------------------------------


def test_healthz_answers_without_login(client):
    res = client.get("/healthz")
    assert res.status_code == 200 and res.get_json() == {"status": "ok"}


def test_readyz_names_a_database_behind_the_code(client):
    """The suite's schema comes from create_all, without alembic_version: not ready."""
    res = client.get("/readyz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is False
    assert "flask db upgrade" in body["checks"]["migrations"]["detail"]


def test_readyz_is_ready_at_the_head_revision(client):
    from service.health import code_heads

    db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    db.session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": code_heads()[0]})
    res = client.get("/readyz")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "ok"
    db.session.execute(text("UPDATE alembic_version SET version_num = 'cu'"))
    res = client.get("/readyz")
    assert res.status_code == 503 and "cu" in res.get_json()["checks"]["migrations"]["detail"]


def test_readyz_names_redis_when_it_is_away(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    body = client.get("/readyz").get_json()
    assert body["checks"]["redis"]["ok"] is False and "Redis" in body["checks"]["redis"]["detail"]


def test_every_answer_carries_a_request_id(client):
    res = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", res.headers["X-Request-ID"])
    res = client.get("/healthz", headers={"X-Request-ID": "proxy-123"})
    assert res.headers["X-Request-ID"] == "proxy-123"
    res = client.get("/healthz", headers={"X-Request-ID": "bad id <with> spaces"})
    assert res.headers["X-Request-ID"] != "bad id <with> spaces"


def test_json_logs_carry_the_request_id(app, capfd):
    from service.logs import _json_handler

    handler = _json_handler()
    logger = logging.getLogger("service.access.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with app.test_request_context("/x", headers={"X-Request-ID": "abc"}):
            from flask import g

            g.request_id = "abc"
            logger.info("xin chào", extra={"status": 200})
    finally:
        logger.removeHandler(handler)
    line = capfd.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["message"] == "xin chào" and entry["request_id"] == "abc"
    assert entry["level"] == "INFO" and entry["status"] == 200 and entry["path"] == "/x"


# ---- production start ----------------------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://root@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://root@127.0.0.1/x"})


def test_production_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        check_production({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})


def test_create_app_checks_production(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class Prod(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"

    with pytest.raises(RuntimeError, match="production"):
        create_app(Prod)


def test_the_serve_prod_launcher_is_documented():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "make serve-prod" in readme and "/readyz" in readme
    assert Path(BASE_DIR / "service" / "serve_prod.py").exists()


def test_serve_prod_names_everything_it_lacks():
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "short"}
    res = subprocess.run(
        [sys.executable, "-m", "service.serve_prod"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert name in res.stderr


def test_the_favicon_is_served_from_the_project_and_linked_by_every_page(client):
    res = client.get("/favicon.ico")
    assert res.status_code == 301 and res.location.endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page
