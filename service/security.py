"""Security headers, HTTPS behind a proxy, and rate limits (issue 15 item 2).

- Headers (flask-talisman): a Content-Security-Policy that allows no inline script (every
  script is a file under static/), X-Frame-Options DENY (and frame-ancestors 'none'),
  X-Content-Type-Options nosniff, Referrer-Policy, and HSTS with Secure cookies when the
  setting HTTPS is on.
- PROXY_HOPS > 0: the service runs behind that many reverse proxies (werkzeug's ProxyFix reads
  X-Forwarded-For/Proto/Host from them), so the client address and https are the real ones.
- Rate limits (Flask-Limiter) on logging in and on creating API tokens, counted in Redis when
  REDIS_URL is set (shared by every gunicorn worker), else in the process's memory."""

from __future__ import annotations

from flask import Flask, current_app
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from service.extensions import limiter

# per-view options only (e.g. @view_options(force_https=False)); each app has its own Talisman
view_options = Talisman()

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    https = bool(app.config.get("HTTPS"))
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    Talisman(
        app,
        force_https=https and not app.testing,
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        frame_options="DENY",
        content_security_policy=CSP,
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        redis_url = app.config.get("REDIS_URL")
        app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # Redis away: count in memory
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def token_limit() -> str:
    return current_app.config["TOKEN_RATE_LIMIT"]


def user_key() -> str:
    """Token creation counts per account (an office behind one address shares no budget)."""
    from flask_login import current_user

    from service.extensions import _client_address

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return _client_address()
