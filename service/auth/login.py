"""Flask-Login wiring: session users for pages, Bearer tokens for scripts."""

from __future__ import annotations

from flask import g, redirect, request, url_for

from service.auth.models import User
from service.auth.operations import USER_GRANTS, user_for_token
from service.common.errors import error_response
from service.extensions import db, login_manager

login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(session_id: str):
    """The session's "<user id>.<session version>": a version the account has moved past
    (logout, password change, deactivation) logs nobody in."""
    user_id, _, version = (session_id or "").partition(".")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id), options=USER_GRANTS)
    if user is None or not user.active or (user.session_version or 0) != int(version):
        return None
    return user


@login_manager.request_loader
def load_user_from_request(req):
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(header[7:].strip())
        if user is not None:
            g.token_auth = True
        return user
    return None


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return error_response(401, "Cần đăng nhập.")
    return redirect(url_for("auth.login", next=request.full_path))
