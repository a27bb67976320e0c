"""The recomputes a change implies, and the recompute asked for by hand. The only place the
evaluation queues a job (service.jobs.enqueue)."""

from __future__ import annotations

from flask import current_app

from evaluation.compute import note_change, scope_root
from evaluation.jobs import RECOMPUTE
from evaluation.models import EvalYear
from service.audit.operations import record
from service.common.errors import Forbidden
from service.jobs import enqueue
from service.org.models import Unit


def units_changed(year_row: EvalYear, unit_ids) -> None:
    """The inputs of these units changed: their scope parts are recomputed (compute.note_change)."""
    for unit_id in sorted(set(unit_ids)):
        note_change(year_row, unit_id)


def year_changed(user, year_row: EvalYear) -> None:
    """A change to every scope (the pack): one whole-year recompute job (off: on demand)."""
    if current_app.config.get("EVAL_RECOMPUTE", "job") == "off":
        return
    enqueue(
        RECOMPUTE, {"year": year_row.year, "unit_code": None},
        f"recompute:{year_row.year}:*", user,
        delay=current_app.config.get("EVAL_RECOMPUTE_DELAY", 0),
        max_wait=current_app.config.get("EVAL_RECOMPUTE_MAX_WAIT", 0),
    )  # fmt: skip


def start_computation(user, year_row: EvalYear, unit: Unit | None = None):
    """Queue a recompute of the quota scope holding `unit` (its staff or committee), or of the
    whole year (administrators). Returns the job."""
    if not year_row.can_compute(user, unit):
        raise Forbidden(None if unit is not None else "Chỉ quản trị viên được tính lại cả năm.")
    root = scope_root(unit) if unit is not None else None
    code = root.code if root is not None else None
    job = enqueue(
        RECOMPUTE, {"year": year_row.year, "unit_code": code},
        f"recompute:{year_row.year}:{code or '*'}", user, unit=root,
    )  # fmt: skip
    record("compute", "year", year_row.year, after={"job": job.id, "unit": code}, user=user)
    return job
