"""JSON API for users, roles (administrators) and one's own API tokens."""

from __future__ import annotations

from flask import g
from flask_login import current_user, login_user
from sqlalchemy import select

from service.auth import operations as ops
from service.auth.access import is_admin
from service.auth.models import ApiToken, User
from service.auth.schemas import (
    AccountsCreatedSchema,
    AccountsInSchema,
    PasswordChangeSchema,
    RoleInSchema,
    RoleOutSchema,
    TokenCreatedSchema,
    TokenInSchema,
    TokenListSchema,
    UserInSchema,
    UserOutSchema,
    UserUpdateSchema,
    role_out,
    token_out,
    user_out,
)
from service.common.api import Blueprint
from service.common.errors import Forbidden, NotFound
from service.common.queries import search_clause
from service.common.schemas import ListArgsSchema, page_body, page_schema
from service.extensions import db, limiter
from service.org.api import paginate
from service.org.models import Unit
from service.security import token_limit, user_key

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Người dùng và quyền")


def _admin():
    if not is_admin(current_user):
        raise Forbidden()


def _user(user_id: int) -> User:
    _admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    return user


@blp.route("/me")
@blp.answers(200, UserOutSchema)
def me():
    return user_out.dump(current_user)


@blp.route("/users")
@blp.arguments(ListArgsSchema, location="query")
@blp.answers(200, page_schema(UserOutSchema))
@blp.errors(403)
def list_users(args):
    _admin()
    stmt = select(User)
    if args["q"]:
        stmt = stmt.where(search_clause(args["q"], User.username, names=[User.full_name]))
    rows, total = paginate(stmt, args, (User.username,))
    return page_body(rows, user_out, args["page"], args["per_page"], total)


@blp.route("/users", methods=["POST"])
@blp.arguments(UserInSchema)
@blp.response(201)
@blp.answers(201, UserOutSchema)
@blp.errors(403, 409)
def create_user(data):
    _admin()
    return user_out.dump(ops.create_user(current_user, data))


@blp.route("/users/<int:user_id>")
@blp.answers(200, UserOutSchema)
@blp.errors(403, 404)
def get_user(user_id):
    return user_out.dump(_user(user_id))


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserUpdateSchema)
@blp.answers(200, UserOutSchema)
@blp.errors(403, 404)
def update_user(data, user_id):
    user = _user(user_id)
    if "person_code" in data:
        ops.link_person(current_user, user, (data.pop("person_code") or "").strip() or None)
    return user_out.dump(ops.update_user(current_user, user, data) if data else user)


@blp.route("/units/<code>/accounts", methods=["POST"])
@blp.arguments(AccountsInSchema)
@blp.response(201)
@blp.answers(201, AccountsCreatedSchema)
@blp.errors(400, 403, 404)
def create_accounts(data, code):
    """Tạo tài khoản cho cán bộ của đơn vị chưa có tài khoản; mật khẩu ban đầu chỉ hiện một lần
    trong câu trả lời này và phải đổi khi đăng nhập lần đầu."""
    _admin()
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    created = ops.create_accounts(current_user, unit, data["subunits"])
    return {"unit_code": unit.code, "items": accounts_out(created)}


def accounts_out(created) -> list[dict]:
    return [
        {"username": u.username, "person_code": p.code, "full_name": p.full_name, "password": pw}
        for u, p, pw in created
    ]


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.errors(400)
def change_password(data):
    """Đổi mật khẩu của chính mình."""
    user = ops.change_own_password(current_user, data["current"], data["new"])
    if not g.get("token_auth"):
        login_user(user)  # the new password ended the sessions, the caller's own included
    return ""


@blp.route("/users/<int:user_id>/roles", methods=["POST"])
@blp.arguments(RoleInSchema)
@blp.response(201)
@blp.answers(201, RoleOutSchema)
@blp.errors(403, 404, 409)
def grant_role(data, user_id):
    return role_out.dump(
        ops.grant_role(current_user, _user(user_id), data["role"], data.get("unit_code"))
    )


@blp.route("/users/<int:user_id>/roles/<int:role_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(400, 403, 404)
def revoke_role(user_id, role_id):
    ops.revoke_role(current_user, _user(user_id), role_id)
    return ""


@blp.route("/tokens")
@blp.answers(200, TokenListSchema)
def list_tokens():
    """Mã truy cập API của chính mình."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    ).all()
    return {"items": token_out.dump(rows, many=True)}


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenInSchema)
@blp.response(201)
@blp.answers(201, TokenCreatedSchema)
@limiter.limit(token_limit, key_func=user_key)
def create_token(data):
    """Tạo mã truy cập; mã chỉ hiện một lần trong câu trả lời này."""
    token, clear = ops.create_token(current_user, data["name"])
    body = token_out.dump(token)
    body["token"] = clear
    return body


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(404)
def revoke_token(token_id):
    ops.revoke_token(current_user, token_id)
    return ""
