"""The attachments of dossiers: one row per file added to an owner (a domain's object named by
owner kind and id). Never deleted: a removal keeps the row with who, when and why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # where the bytes are under ATTACHMENTS_DIR (content-addressed), never the user's filename
    storage_key: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_reason: Mapped[str | None] = mapped_column(Text)

    adder = relationship("User", foreign_keys=[added_by])
    remover = relationship("User", foreign_keys=[removed_by])

    __table_args__ = (
        Index("ix_attachments_owner", "owner_kind", "owner_id"),
        CheckConstraint("size >= 0", name="size"),
        CheckConstraint(
            "(removed_at IS NULL) OR (removed_reason IS NOT NULL)", name="removed_reason"
        ),
    )
