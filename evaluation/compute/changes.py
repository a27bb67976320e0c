"""Change tracking: note_change records a changed input in the session, apply_pending runs or
queues one recompute per (year, scope root) when the transaction commits."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from evaluation.compute.recompute import recompute
from evaluation.models import EvalYear
from service.extensions import db
from service.org.models import Unit


def scope_root(unit: Unit) -> Unit:
    """The nearest unit at or above `unit` marked quota_root, else the topmost one (A10)."""
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    chain = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if chain[uid].quota_root:
            return chain[uid]
    return chain[ids[0]] if ids else unit


def note_change(year_row: EvalYear, unit_id: int) -> None:
    """An input of `unit_id` changed. Just before the transaction commits its scope part is
    recomputed in it (EVAL_RECOMPUTE = "sync"), or a background job is queued for it ("job",
    the default), or nothing happens ("off": on demand only)."""
    if current_app.config.get("EVAL_RECOMPUTE", "job") == "off":
        return
    db.session.info.setdefault("eval_recompute", set()).add((year_row.id, unit_id))


def apply_pending(pending: set) -> None:
    """Run or queue the recomputes noted in a transaction: one per (year, scope root)."""
    from service.jobs import enqueue

    mode = current_app.config.get("EVAL_RECOMPUTE", "job")
    roots: dict[tuple[int, int], Unit] = {}
    for year_id, unit_id in pending:
        unit = db.session.get(Unit, unit_id)
        if unit is not None:
            root = scope_root(unit)
            roots[(year_id, root.id)] = root
    for (year_id, _root_id), root in sorted(roots.items()):
        year_row = db.session.get(EvalYear, year_id)
        if mode == "sync":
            recompute(year_row, root)
        else:
            enqueue(
                "recompute",
                {"year": year_row.year, "unit_code": root.code},
                key=f"recompute:{year_row.year}:{root.code}",
                unit=root,
                delay=current_app.config.get("EVAL_RECOMPUTE_DELAY", 0),
                max_wait=current_app.config.get("EVAL_RECOMPUTE_MAX_WAIT", 0),
            )
