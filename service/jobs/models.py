"""The Job row: a background job of a registered kind, its state, progress and who may read it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
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

from service.auth.access import is_admin, roles_in, scope_paths
from service.extensions import db

STATUSES = ("queued", "running", "done", "failed")
STATUS_LABELS = {
    "queued": "đang chờ",
    "running": "đang chạy",
    "done": "hoàn thành",
    "failed": "lỗi",
}


class Job(db.Model):
    """A background job (a kind registered by a domain) with its progress, run by the configured
    runner (inline, thread, process, RQ)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # the unit the job works on (None: the whole system); its readers are the roles reaching it
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # "host:pid" of the process running it: a running job whose process is gone is failed
    worker: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    # not before this time (a recompute after saves waits for the scope to be quiet); None: now
    run_after: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    unit = relationship("Unit")  # not joined: enqueue locks the row FOR UPDATE

    __table_args__ = (
        Index("ix_jobs_key_status", "key", "status"),
        CheckConstraint("status IN ('queued','running','done','failed')", name="status"),
    )

    def can_read(self, user) -> bool:
        """Whoever started it, administrators, and holders of any role whose reach covers the
        job's unit (a whole-system job: its starter and the administrators only)."""
        if not user or not user.is_authenticated:
            return False
        if self.user_id is not None and self.user_id == user.id:
            return True
        if is_admin(user):
            return True
        if self.unit is None or not roles_in(user):
            return False
        return any(self.unit.path.startswith(p) for p in scope_paths(user, "unit.read") or ())
