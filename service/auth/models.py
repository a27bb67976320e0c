"""Accounts, roles held at a unit, and API tokens."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, func
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from service.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    COMMITTEE = "committee"
    HR = "hr"


ROLE_LABELS = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.STAFF: "Cán bộ tổ chức",
    Role.COMMITTEE: "Cấp ủy / Hội đồng",
    Role.HR: "Tổ chức cán bộ / Nội vụ",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the person this account is (one account per person): their own result
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), unique=True
    )
    # set on accounts created with a one-time password: changed at first login
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # part of every session's user id (get_id): raised at logout, password change and
    # deactivation, so a session cookie copied before then no longer logs anyone in
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id"
    )
    person = relationship("Person")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie keeps
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Every session this account has open ends (logout, new password, deactivation)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        if self.password_hash:  # a changed password ends the sessions opened with the old one
            self.end_sessions()
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return any(r.role == Role.ADMIN for r in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(db.Model):
    """A role held at a unit: it reaches that unit and everything below. Admin has no unit."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    user: Mapped[User] = relationship(back_populates="roles")
    unit = relationship("Unit")

    __table_args__ = (
        db.UniqueConstraint(
            "user_id", "role", "unit_id", name="uq_role_assignments_user_role_unit"
        ),
        Index("ix_role_assignments_user_id", "user_id"),
        db.CheckConstraint(
            "(role = 'admin' AND unit_id IS NULL) OR (role <> 'admin' AND unit_id IS NOT NULL)",
            name="unit_for_scoped_roles",
        ),
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for scripts; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
