"""/healthz (the process answers) and /readyz (it can serve: database and Redis reachable,
the database's migrations at the code's head) for load balancers and process supervisors.
Both answer JSON without a login; /readyz answers 503 naming what is not ready."""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, jsonify, redirect, url_for
from sqlalchemy import inspect, text

from service import config as config_module
from service.extensions import db
from service.security import view_options

bp = Blueprint("health", __name__)


@functools.cache
def code_heads() -> tuple[str, ...]:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(config_module.BASE_DIR / "migrations"))
    return tuple(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def _database() -> tuple[bool, str]:
    try:
        conn = db.session.connection()
        conn.execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001 - any failure is "not ready", named
        db.session.rollback()
        return False, f"không kết nối được cơ sở dữ liệu: {type(err).__name__}"
    return True, "ok"


def _migrations() -> tuple[bool, str]:
    try:
        conn = db.session.connection()
        if not inspect(conn).has_table("alembic_version"):
            return False, "cơ sở dữ liệu chưa được nâng cấp (chạy flask db upgrade)"
        have = tuple(
            sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
        )
    except Exception as err:  # noqa: BLE001
        db.session.rollback()
        return False, f"không đọc được phiên bản cơ sở dữ liệu: {type(err).__name__}"
    want = code_heads()
    if have != want:
        return False, f"cơ sở dữ liệu ở {', '.join(have) or '(trống)'}, mã ở {', '.join(want)}"
    return True, "ok"


def _redis() -> tuple[bool, str] | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        from redis import Redis

        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as err:  # noqa: BLE001
        return False, f"không kết nối được Redis: {type(err).__name__}"
    return True, "ok"


@bp.route("/healthz")
@view_options(force_https=False)
def healthz():
    return jsonify(status="ok")


@bp.route("/favicon.ico")
@view_options(force_https=False)
def favicon():
    """Browsers that ask for /favicon.ico without reading the page's icon link."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/readyz")
@view_options(force_https=False)
def readyz():
    checks = {"database": _database()}
    if checks["database"][0]:
        checks["migrations"] = _migrations()
    redis = _redis()
    if redis is not None:
        checks["redis"] = redis
    ready = all(ok for ok, _ in checks.values())
    body = {
        "status": "ok" if ready else "not ready",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return jsonify(body), (200 if ready else 503)
