"""The council (hội đồng thi đua – khen thưởng) of a unit and year and its voting sessions on
an award list (RULES.md C10). The secret ballot keeps who voted apart from what was voted: a
voter register (session, member, when) and ballots with a random id and neither member, time
nor order (STYLE.md "Secret ballots")."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db

ROLE_LABELS = {"chair": "Chủ tịch", "secretary": "Thư ký", "member": "Ủy viên"}
MODE_LABELS = {"secret": "Bỏ phiếu kín điện tử", "paper": "Phiếu giấy (nhập kết quả kiểm phiếu)"}
SESSION_STATES = ("draft", "open", "closed", "published")
STATE_LABELS = {
    "draft": "Chưa mở",
    "open": "Đang bỏ phiếu",
    "closed": "Đã đóng",
    "published": "Đã công bố",
}


def random_id() -> str:
    """A ballot's key: 128 random bits, so the key tells nothing of the order of insertion."""
    return secrets.token_hex(16)


class CouncilMember(db.Model):
    """A member of the council of `unit_id` for `year`: chair, secretary or member. C10's
    thresholds count every member of the council."""

    __tablename__ = "council_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default="member")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    unit = relationship("Unit")
    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("year", "unit_id", "user_id"),
        Index("ix_council_members_user_id", "user_id"),
        CheckConstraint("role IN ('chair','secretary','member')", name="role"),
    )

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class VotingSession(db.Model):
    """The council's vote on an award list: draft → open → closed → published. Opening freezes
    the ballot (VotingItem rows) and the number of council members (C10 counts them all).
    `mode` "secret": members vote here; "paper": the totals of a paper ballot are entered
    after closing. `version` grows on every change of state."""

    __tablename__ = "voting_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("award_lists.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(6), default="secret")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime)
    members_count: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # when it closed: early by the committee, else its closing time (None before closing)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(300))  # the minutes (awards.documents)
    present_count: Mapped[int | None] = mapped_column(Integer)  # paper mode: members present

    award_list = relationship("AwardList")
    items = relationship("VotingItem", order_by="VotingItem.position", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_voting_sessions_list_id", "list_id"),
        CheckConstraint("mode IN ('secret','paper')", name="mode"),
        CheckConstraint("state IN ('draft','open','closed','published')", name="state"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]


class VotingItem(db.Model):
    """A nomination on a session's frozen ballot, with its totals: counted from the ballots at
    publishing (secret) or entered from the paper ballot (paper); None until then."""

    __tablename__ = "voting_items"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("voting_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    yes: Mapped[int | None] = mapped_column(Integer)
    no: Mapped[int | None] = mapped_column(Integer)

    nomination = relationship("Nomination")

    __table_args__ = (
        Index("ix_voting_items_nomination_id", "nomination_id"),
        CheckConstraint("yes IS NULL OR yes >= 0", name="yes_count"),
        CheckConstraint("no IS NULL OR no >= 0", name="no_count"),
    )


class VoterRecord(db.Model):
    """The voter register: `user_id` has voted in `session_id` (once: the unique key refuses a
    second row, also one racing the first). It says nothing of how."""

    __tablename__ = "voting_register"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("voting_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    voted_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)


class Ballot(db.Model):
    """One yes or no on one nomination of a closed session, written when its box is opened
    (SealedBallot, awards.ballot_box): every choice of every member in one transaction, in
    the order of their random keys. Deliberately no member, no time and no sequence: the key
    is random (random_id), so no column, transaction or order links a ballot to its voter. Its
    foreign key is the item of the frozen ballot (session, nomination): a ballot can only be
    on the session's ballot, and one check per row instead of two (issue 12: 50 votes of 200
    rows at once, bench/bench_vote.py)."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    session_id: Mapped[int] = mapped_column(Integer)
    nomination_id: Mapped[int] = mapped_column(Integer)
    yes: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "nomination_id"],
            ["voting_items.session_id", "voting_items.nomination_id"],
            ondelete="CASCADE",
        ),
        Index("ix_ballots_session_id_nomination_id", "session_id", "nomination_id"),
    )


class SealedBallot(db.Model):
    """A member's ballot while its session is open: their choices sealed (awards.ballot_box:
    AES-GCM under a key the database does not hold), with a random key and neither member,
    time nor order. The register row is written in the same transaction, so the database
    can pair the two (PostgreSQL's xmin, the physical order); sealed, the pair tells no one
    how the member voted. Closing the session opens the box: the choices become Ballot rows
    in one random order over all members and these rows are deleted."""

    __tablename__ = "sealed_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    session_id: Mapped[int] = mapped_column(ForeignKey("voting_sessions.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_sealed_ballots_session_id", "session_id"),)
