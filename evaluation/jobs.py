"""The evaluation's job kind (recompute) and the session hook that recomputes, or queues a
recompute of, the scopes whose inputs a transaction changed (evaluation.compute.note_change)."""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from service.extensions import db
from service.jobs import register
from service.org.models import Unit

RECOMPUTE = "recompute"


def recompute_job(params: dict, progress) -> dict:
    """Recompute a year, or the quota scope of params["unit_code"] (service.jobs kind)."""
    from evaluation import compute
    from evaluation.queries import get_year

    year_row = get_year(params["year"])
    unit = None
    if params.get("unit_code"):
        unit = db.session.scalar(select(Unit).where(Unit.code == params["unit_code"]))
    if db.session.get_bind().dialect.name == "postgresql":
        # Its rows are derived: the commit need not wait for the WAL flush (a crash may lose
        # the results of its last moments' recomputes, never half of one, and the next
        # recompute restores them; a later synchronous commit that saw them flushes them
        # too). The clerks' saves, which do wait for theirs, then do not queue behind this
        # job's writes.
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    return compute.recompute(year_row, unit, progress)


_hooked = False


def init_app(app) -> None:
    register(RECOMPUTE, recompute_job, title="Tính kết quả xếp loại")
    global _hooked
    if _hooked:
        return
    _hooked = True
    # Listens on every Session (the test suite binds its own).
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _after_rollback)


def _before_commit(session):
    pending = session.info.pop("eval_recompute", None)
    if not pending or not has_app_context():
        return
    from evaluation import compute

    compute.apply_pending(pending)


def _after_rollback(session):
    session.info.pop("eval_recompute", None)
