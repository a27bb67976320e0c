"""Pages: login, logout, own API tokens, user and role management for administrators."""

from __future__ import annotations

import base64

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from service.auth import operations as ops
from service.auth.access import is_admin
from service.auth.forms import (
    AccountsForm,
    EmptyForm,
    LinkPersonForm,
    LoginForm,
    PasswordForm,
    RoleForm,
    TokenForm,
    UserEditForm,
    UserForm,
)
from service.auth.models import ApiToken, User
from service.common.errors import Forbidden, NotFound, ServiceError
from service.common.forms import three_way
from service.common.queries import search_clause
from service.common.spreadsheets import write_workbook
from service.common.urls import local_path
from service.extensions import db, limiter
from service.org.models import Unit
from service.org.operations import unit_choice, unit_from_choice
from service.security import login_limit, token_limit, user_key

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """A path of this site only (service.common.urls.local_path), else each role's landing."""
    return local_path(target) or url_for("org.index")  # service.domains.landing_for


# what a user who must change the password may still open
_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static"}


@bp.before_app_request
def _password_change_first():
    """An account with a one-time password changes it before anything else."""
    if (
        current_user.is_authenticated
        and getattr(current_user, "must_change_password", False)
        and request.endpoint not in _WHILE_CHANGING
        and not request.path.startswith("/api/")
    ):
        return redirect(url_for("auth.change_password", next=request.full_path.rstrip("?")))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user = ops.change_own_password(current_user, form.current.data, form.new.data)
        except ServiceError as err:
            db.session.rollback()
            (form.current if "current" in err.fields else form.new).errors.append(err.message)
        else:
            db.session.commit()
            login_user(user)  # the new password ended every session, this one included
            flash("Đã đổi mật khẩu.", "info")
            return redirect(_safe_next(request.args.get("next")))
    return render_template(
        "auth/password.html", form=form, forced=current_user.must_change_password
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
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
            if user.must_change_password:
                db.session.commit()
                return redirect(
                    url_for("auth.change_password", next=_safe_next(request.args.get("next")))
                )
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    ops.end_sessions(current_user._get_current_object())  # a copied cookie stops working too
    db.session.commit()
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
@limiter.limit(token_limit, key_func=user_key, methods=["POST"])
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
        stmt = stmt.where(search_clause(q, User.username, names=[User.full_name]))
    return render_template(
        "admin/users.html", users=db.session.scalars(stmt.limit(500)).all(), form=form, q=q
    )


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id):
    _require_admin()
    user = db.session.get(User, user_id) or _not_found()
    editing = request.method == "POST" and request.form.get("action") == "edit"
    stored = {"full_name": user.full_name or "", "active": "1" if user.active else "0"}
    # the details as stored, unless this request saves them (a refused role grant or link
    # must not blank them: saving that page would then empty the name, deactivate the account)
    form = UserEditForm() if editing else UserEditForm(formdata=None, obj=user)
    role_form = RoleForm(prefix="role")
    status = 200
    if editing and form.validate_on_submit():
        changes, conflicts = three_way(form.loaded(), form.typed(), stored)
        if conflicts:
            labels = {"full_name": form.full_name.label.text, "active": form.active.label.text}
            flash(
                "Trong lúc bạn sửa, người khác đã lưu thay đổi "
                + ", ".join(f"«{labels[k]}»" for k in conflicts)
                + ": trang hiện giá trị bạn nhập, kiểm tra rồi lưu lại nếu vẫn muốn thay.",
                "error",
            )
            status = 400
        else:
            data = {k: v == "1" if k == "active" else v for k, v in changes.items()}
            try:
                ops.update_user(current_user, user, {**data, "password": form.password.data})
                flash("Đã lưu.", "info")
                return redirect(url_for("auth.user_detail", user_id=user.id))
            except ServiceError as err:
                db.session.rollback()
                flash(err.message, "error")
                status = 400
    # the next save compares with the values as they are now
    form.was_full_name.data, form.was_active.data = stored["full_name"], stored["active"]
    link_form = LinkPersonForm(prefix="link")
    if request.form.get("action") in ("link", "unlink") and link_form.validate_on_submit():
        code = link_form.person_code.data if request.form["action"] == "link" else None
        try:
            ops.link_person(current_user, user, code or None)
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Đã gắn hồ sơ cán bộ." if code else "Đã bỏ gắn hồ sơ cán bộ.", "info")
            return redirect(url_for("auth.user_detail", user_id=user.id))
    if request.form.get("action") == "grant" and role_form.validate_on_submit():
        try:
            text = (role_form.unit_code.data or "").strip()
            unit = unit_from_choice(text)
            ops.grant_role(
                current_user,
                user,
                role_form.role.data,
                unit.code if unit is not None else (text or None),
            )
            flash("Đã cấp quyền.", "info")
            return redirect(url_for("auth.user_detail", user_id=user.id))
        except ServiceError as err:
            db.session.rollback()
            msgs = [err.message] + [m for ms in err.fields.values() for m in ms]
            flash(" ".join(m for m in msgs if m and m != "Yêu cầu không hợp lệ."), "error")
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        role_form=role_form,
        link_form=link_form,
        revoke_form=EmptyForm(),
        unit_choices=_unit_choices(),
    ), status


def _unit_choices() -> list[str]:
    return [unit_choice(u) for u in db.session.scalars(select(Unit).order_by(Unit.path))]


@bp.route("/admin/accounts", methods=["GET", "POST"])
@login_required
def accounts():
    """Accounts for the people of a unit: created with one-time passwords, shown once on this
    answer (and in its spreadsheet), changed at the first login."""
    _require_admin()
    form = AccountsForm()
    created = workbook = created_unit = None
    if form.validate_on_submit():
        unit = unit_from_choice(form.unit.data)
        if unit is None:
            form.unit.errors.append("Không tìm thấy đơn vị: chọn trong danh sách gợi ý.")
        else:
            try:
                created = ops.create_accounts(current_user, unit, form.subunits.data)
            except ServiceError as err:
                db.session.rollback()
                form.unit.errors.append(err.message)
            else:
                db.session.commit()
                workbook = base64.b64encode(_accounts_workbook(unit, created)).decode()
                created = [(u.username, p, pw) for u, p, pw in created]
                created_unit = unit
    return render_template(
        "admin/accounts.html",
        form=form,
        created=created,
        workbook=workbook,
        unit=created_unit,
        unit_choices=_unit_choices(),
    )


def _accounts_workbook(unit, created) -> bytes:
    return write_workbook(
        [
            {
                "name": "Tài khoản",
                "title": f"Tài khoản cán bộ — {unit.name} ({unit.code})",
                "subtitle": [
                    "Mật khẩu ban đầu chỉ dùng một lần: người dùng phải đổi khi đăng nhập lần đầu.",
                ],
                "headers": [
                    ("Mã cán bộ", 14),
                    ("Họ và tên", 30),
                    ("Tên đăng nhập", 18),
                    ("Mật khẩu ban đầu", 18),
                ],
                "rows": [[p.code, p.full_name, u.username, pw] for u, p, pw in created],
                "text_cols": {0, 2, 3},
            }
        ]
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
