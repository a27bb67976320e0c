"""Pages: login, logout, own API tokens, user and role management for administrators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from service.auth import operations as ops
from service.auth.access import is_admin
from service.auth.forms import EmptyForm, LoginForm, RoleForm, TokenForm, UserEditForm, UserForm
from service.auth.models import ApiToken, User
from service.common.errors import Forbidden, NotFound, ServiceError
from service.common.queries import search_clause
from service.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("org.tree")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.username.data.strip(), form.password.data)
        except ops.LoginError as err:
            db.session.commit()  # failed attempts must count even though the login fails
            error = str(err)
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _, new_token = ops.create_token(current_user, form.name.data.strip())
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "auth/tokens.html", form=form, tokens=rows, new_token=new_token, revoke_form=EmptyForm()
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    if EmptyForm().validate_on_submit():
        ops.revoke_token(current_user, token_id)
        flash("Đã thu hồi mã truy cập.", "info")
    return redirect(url_for("auth.tokens"))


def _require_admin():
    if not is_admin(current_user):
        raise Forbidden()


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    _require_admin()
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = ops.create_user(
                current_user,
                {
                    "username": form.username.data.strip(),
                    "full_name": form.full_name.data or "",
                    "password": form.password.data,
                },
            )
        except ServiceError as err:
            db.session.rollback()
            form.username.errors.append(err.message)
        else:
            flash(f"Đã tạo người dùng {user.username}.", "info")
            return redirect(url_for("auth.user_detail", user_id=user.id))
    q = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.username)
    if q:
        stmt = stmt.where(search_clause(q, User.username, User.full_name))
    return render_template(
        "admin/users.html", users=db.session.scalars(stmt.limit(500)).all(), form=form, q=q
    )


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id):
    _require_admin()
    user = db.session.get(User, user_id) or _not_found()
    form = UserEditForm(obj=user if request.method == "GET" else None)
    role_form = RoleForm(prefix="role")
    if request.form.get("action") == "edit" and form.validate_on_submit():
        try:
            ops.update_user(
                current_user,
                user,
                {
                    "full_name": form.full_name.data or "",
                    "active": form.active.data,
                    "password": form.password.data or None,
                },
            )
            flash("Đã lưu.", "info")
            return redirect(url_for("auth.user_detail", user_id=user.id))
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
    if request.form.get("action") == "grant" and role_form.validate_on_submit():
        try:
            ops.grant_role(
                current_user,
                user,
                role_form.role.data,
                (role_form.unit_code.data or "").strip() or None,
            )
            flash("Đã cấp quyền.", "info")
            return redirect(url_for("auth.user_detail", user_id=user.id))
        except ServiceError as err:
            db.session.rollback()
            msgs = [err.message] + [m for ms in err.fields.values() for m in ms]
            flash(" ".join(m for m in msgs if m and m != "Yêu cầu không hợp lệ."), "error")
    return render_template(
        "admin/user.html", user=user, form=form, role_form=role_form, revoke_form=EmptyForm()
    )


@bp.route("/admin/users/<int:user_id>/roles/<int:role_id>/revoke", methods=["POST"])
@login_required
def revoke_role(user_id, role_id):
    _require_admin()
    user = db.session.get(User, user_id) or _not_found()
    if EmptyForm().validate_on_submit():
        ops.revoke_role(current_user, user, role_id)
        flash("Đã thu hồi quyền.", "info")
    return redirect(url_for("auth.user_detail", user_id=user.id))


def _not_found():
    raise NotFound("Không tìm thấy người dùng.")
