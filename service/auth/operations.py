"""Named actions on accounts: login with throttling, users, roles, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from service.audit.operations import record
from service.auth.access import is_admin
from service.auth.models import ApiToken, Role, RoleAssignment, User, hash_token
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db
from service.org.models import Person, Unit

# one-time passwords: no 0/O, 1/l/I, easy to read aloud and type
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
ACCOUNTS_AT_ONCE = 1000


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class LoginError(Exception):
    pass


def login_failed_message() -> str:
    """The one answer of a failed login (the lock is named as a possible cause, for everyone)."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return (
        "Tên đăng nhập hoặc mật khẩu không đúng. Sau "
        f"{limit} lần sai liên tiếp, tài khoản bị tạm khóa {minutes} phút."
    )


def authenticate(username: str, password: str) -> User:
    """Check a password; after LOGIN_MAX_FAILURES failures in a row the account is locked for
    LOGIN_LOCK_MINUTES. The caller commits, so failures count even though login fails. An
    unknown name, a wrong password and a locked account get one answer, in the same time (a
    hash checked on each path): the answer must not tell which names are accounts."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        User(password_hash="").set_password(password)
        raise LoginError(login_failed_message())
    right = user.check_password(password)
    if user.locked_until and user.locked_until > now():
        raise LoginError(login_failed_message())
    if not right:
        user.failed_logins += 1
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user.failed_logins >= limit:
            user.locked_until = now() + dt.timedelta(
                minutes=current_app.config["LOGIN_LOCK_MINUTES"]
            )
            user.failed_logins = 0
            record(
                "lock", "user", user.username, after={"locked_until": user.locked_until}, user=user
            )
        raise LoginError(login_failed_message())
    if not user.active:
        raise LoginError("Tài khoản đã bị vô hiệu hóa.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now()
    record("login", "user", user.username, user=user)
    return user


def _require_admin(actor) -> None:
    if not is_admin(actor):
        raise Forbidden()


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "active": user.active,
        "person": user.person.code if user.person_id and user.person else None,
        "roles": [
            {"role": r.role.value, "unit": r.unit.code if r.unit else None} for r in user.roles
        ],
    }


def create_user(actor, data: dict) -> User:
    _require_admin(actor)
    if db.session.scalar(select(User.id).where(User.username == data["username"])):
        raise Conflict("Tên đăng nhập đã tồn tại.", {"username": ["Đã tồn tại."]})
    user = User(username=data["username"], full_name=data.get("full_name", ""))
    user.set_password(data["password"])
    db.session.add(user)
    db.session.flush()
    for role in data.get("roles", []):
        _add_role(user, role["role"], role.get("unit_code"))
    db.session.flush()
    record("create", "user", user.username, after=user_snapshot(user), user=actor)
    return user


def update_user(actor, user: User, data: dict) -> User:
    _require_admin(actor)
    before = user_snapshot(user)
    if "full_name" in data:
        user.full_name = data["full_name"]
    if "active" in data:
        if user.id == actor.id and not data["active"]:
            raise ValidationError("Không thể tự vô hiệu hóa tài khoản của mình.")
        if user.active and not data["active"]:
            user.end_sessions()  # a deactivated account's open sessions end now
        user.active = data["active"]
    if data.get("password"):
        user.set_password(data["password"])
        user.failed_logins = 0
        user.locked_until = None
    db.session.flush()
    after = user_snapshot(user)
    if data.get("password"):
        after["password"] = "(đã đổi)"
    record("update", "user", user.username, before=before, after=after, user=actor)
    return user


def _add_role(user: User, role: str, unit_code: str | None) -> RoleAssignment:
    role = Role(role)
    unit = None
    if role == Role.ADMIN:
        if unit_code:
            raise ValidationError(fields={"unit_code": ["Quyền quản trị không gắn với đơn vị."]})
    else:
        if not unit_code:
            raise ValidationError(fields={"unit_code": ["Cần chọn đơn vị cho quyền này."]})
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise ValidationError(fields={"unit_code": ["Không có đơn vị với mã này."]})
    for existing in user.roles:
        if existing.role == role and existing.unit_id == (unit.id if unit else None):
            raise Conflict("Người dùng đã có quyền này tại đơn vị này.")
    ra = RoleAssignment(role=role, unit=unit)
    user.roles.append(ra)
    return ra


def grant_role(actor, user: User, role: str, unit_code: str | None) -> RoleAssignment:
    _require_admin(actor)
    before = user_snapshot(user)
    ra = _add_role(user, role, unit_code)
    db.session.flush()
    record(
        "grant_role",
        "user",
        user.username,
        before=before,
        after=user_snapshot(user),
        user=actor,
        unit_id=ra.unit_id,
    )
    return ra


def revoke_role(actor, user: User, assignment_id: int) -> None:
    _require_admin(actor)
    ra = next((r for r in user.roles if r.id == assignment_id), None)
    if ra is None:
        raise NotFound("Không tìm thấy quyền.")
    if ra.role == Role.ADMIN and user.id == actor.id:
        raise ValidationError("Không thể tự bỏ quyền quản trị của mình.")
    before = user_snapshot(user)
    user.roles.remove(ra)
    db.session.flush()
    record(
        "revoke_role", "user", user.username, before=before, after=user_snapshot(user), user=actor
    )


def create_token(actor, name: str) -> tuple[ApiToken, str]:
    """A new API token for the actor; the clear token is returned once and never stored."""
    clear = "hn_" + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name, token_hash=hash_token(clear), prefix=clear[:10])
    db.session.add(token)
    db.session.flush()
    record(
        "create", "api_token", token.id, after={"name": name, "prefix": token.prefix}, user=actor
    )
    return token, clear


def revoke_token(actor, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not is_admin(actor)):
        raise NotFound("Không tìm thấy mã truy cập.")
    if token.revoked_at is None:
        token.revoked_at = now()
        db.session.flush()
        record("revoke", "api_token", token.id, after={"name": token.name}, user=actor)
    return token


# A request's user comes with its roles and their units: every request checks them (can()),
# and one more query here saves two lazy loads there.
USER_GRANTS = (selectinload(User.roles).joinedload(RoleAssignment.unit),)


# A token's request: the token, its user and the user's roles with their units in one query
# (a script's every request starts here).
TOKEN_GRANTS = (joinedload(ApiToken.user).joinedload(User.roles).joinedload(RoleAssignment.unit),)


def user_for_token(clear: str) -> User | None:
    token = (
        db.session.execute(
            select(ApiToken).where(ApiToken.token_hash == hash_token(clear)).options(*TOKEN_GRANTS)
        )
        .unique()
        .scalar_one_or_none()
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    # record use at most every 5 minutes: a read must not become a write on every request
    if token.last_used_at is None or now() - token.last_used_at > dt.timedelta(minutes=5):
        token.last_used_at = now()
    return token.user


# --- accounts of people ------------------------------------------------------------------


def one_time_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(10))


def link_person(actor, user: User, person_code: str | None) -> User:
    """Link the account to the person it is (their own result), or unlink it (None). One
    account per person."""
    _require_admin(actor)
    before = user_snapshot(user)
    person = None
    if person_code:
        person = db.session.scalar(select(Person).where(Person.code == person_code))
        if person is None:
            raise ValidationError(
                f"Không có cán bộ mã «{person_code}».", {"person_code": ["Không có cán bộ này."]}
            )
        other = db.session.scalar(
            select(User).where(User.person_id == person.id, User.id != user.id)
        )
        if other is not None:
            raise Conflict(
                f"Cán bộ {person.full_name} ({person.code}) đã gắn với tài khoản "
                f"«{other.username}».",
                {"person_code": ["Đã gắn với tài khoản khác."]},
            )
    user.person_id = person.id if person else None
    user.person = person
    db.session.flush()
    record(
        "link_person", "user", user.username, before=before, after=user_snapshot(user), user=actor
    )
    return user


def _username_for(code: str, taken: set[str]) -> str:
    base = "".join(ch for ch in code.lower() if ch.isascii() and (ch.isalnum() or ch in "._-"))
    base = (base or "canbo")[:70]
    name, n = base, 1
    while name in taken or len(name) < 3:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def create_accounts(actor, unit: Unit, subunits: bool = False) -> list[tuple[User, Person, str]]:
    """Accounts for the people of `unit` (and below when `subunits`) who have none: the
    username is the person's code in lower case, the password a one-time one (returned here
    once, never stored in clear) that must be changed at the first login."""
    _require_admin(actor)
    stmt = select(Person).join(Unit, Person.unit_id == Unit.id)
    stmt = stmt.where(Unit.subtree_clause(unit.path) if subunits else Person.unit_id == unit.id)
    linked = select(User.person_id).where(User.person_id.is_not(None))
    people = list(db.session.scalars(stmt.where(Person.id.not_in(linked)).order_by(Person.code)))
    if len(people) > ACCOUNTS_AT_ONCE:
        raise ValidationError(
            f"{len(people)} người chưa có tài khoản: mỗi lần tạo tối đa {ACCOUNTS_AT_ONCE}; "
            "chọn đơn vị nhỏ hơn."
        )
    taken = set(db.session.scalars(select(User.username)))
    out = []
    for person in people:
        password = one_time_password()
        user = User(
            username=_username_for(person.code, taken),
            full_name=person.full_name,
            person_id=person.id,
            must_change_password=True,
        )
        user.set_password(password)
        db.session.add(user)
        out.append((user, person, password))
    db.session.flush()
    record(
        "create_accounts",
        "unit",
        unit.code,
        after={
            "subunits": subunits,
            "accounts": [{"username": u.username, "person": p.code} for u, p, _ in out],
        },
        unit_id=unit.id,
        user=actor,
    )
    return out


def end_sessions(user: User) -> None:
    """Logout: every session of the account ends, a cookie copied before included."""
    user.end_sessions()
    db.session.flush()
    record("logout", "user", user.username, user=user)


def change_own_password(user: User, current: str, new: str) -> User:
    """The user's own password: the current one first; a new one of 8 or more characters that
    differs from it. Clears must_change_password."""
    if not user.check_password(current):
        raise ValidationError(
            "Mật khẩu hiện tại không đúng.", {"current": ["Mật khẩu hiện tại không đúng."]}
        )
    if len(new) < 8:
        raise ValidationError("Mật khẩu mới cần từ 8 ký tự.", {"new": ["Cần từ 8 ký tự."]})
    if new == current:
        raise ValidationError(
            "Mật khẩu mới phải khác mật khẩu hiện tại.", {"new": ["Phải khác mật khẩu cũ."]}
        )
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()
    record("change_password", "user", user.username, user=user)
    return user
