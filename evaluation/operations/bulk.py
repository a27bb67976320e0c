"""Bulk operations of the evaluation imports (evaluation.imports): the rows of a file, every one
checked beforehand (all or nothing), written in a few statements with their audit entries and
the recomputes they imply."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import insert, update

from evaluation.counts import HISTORY, PERSON_EVAL, counts_changed
from evaluation.models import EvalYear, Violation
from evaluation.operations.inputs import VIOLATION_AUDIT, recorded_on
from evaluation.operations.recompute import units_changed
from service.audit.chain import mark_pending
from service.audit.models import AuditEntry
from service.audit.operations import record
from service.auth.access import can
from service.common.errors import Forbidden
from service.common.queries import chunks
from service.extensions import db

BATCH = 5000  # rows per bulk INSERT / UPDATE
AUDIT_CODES = 5000  # codes listed in an import's audit entry
PERMISSION = {"person_evals": "import.evaluations", "unit_evals": "import.evaluations"}
COUNT_SOURCES = {"person_evals": PERSON_EVAL, "history": HISTORY}  # evaluation.counts


@dataclass
class Batch:
    """What one import writes: rows of `model` to insert and update (matched by id), and for
    yearly inputs the violation records to add ((code, subject, year row); an import never
    removes one) and the units whose scope changed, per year; `counts`: the CountRow of each
    row whose initiative counts changed (evaluation.counts)."""

    kind: str  # person_evals | unit_evals | history
    model: type
    filename: str
    fk: str = ""  # person_id | unit_id: the subject of the violation records
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    created_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)
    adds: list[tuple] = field(default_factory=list)
    changed: dict[EvalYear, set[int]] = field(default_factory=lambda: defaultdict(set))
    counts: list = field(default_factory=list)


def save_imported_rows(user, run, batch: Batch) -> None:
    """Write an import's checked rows, BATCH a statement, each violation record with its audit
    entry, the import's own audit entry (under `run`, flushed) and queue the recomputes."""
    if not can(user, PERMISSION.get(batch.kind, "import.history")):
        raise Forbidden()
    for part in chunks(batch.inserts, BATCH):
        db.session.execute(insert(batch.model).execution_options(render_nulls=True), part)
    for part in chunks(batch.updates, BATCH):
        db.session.execute(update(batch.model), part)
    if batch.counts:
        counts_changed(COUNT_SOURCES[batch.kind], batch.counts)
    summary = {
        "file": batch.filename,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "created_codes": batch.created_codes[:AUDIT_CODES],
        "updated_codes": batch.updated_codes[:AUDIT_CODES],
    }
    if batch.fk:
        _write_violations(user, batch)
        summary["violations_added"] = len(batch.adds)
    record("import", batch.kind, run.id, after=summary, user=user)
    for year_row, unit_ids in batch.changed.items():
        units_changed(year_row, unit_ids)


def _write_violations(user, batch: Batch) -> None:
    """Insert the added records, each with its audit entry (bulk)."""
    user_id = getattr(user, "id", None)
    is_person = batch.fk == "person_id"
    adds = batch.adds
    # the file gives codes only: dated the day of the import (within the year), found "khác"
    # (other), the file named as the evidence
    today = dt.date.today()
    evidence = f"Theo tệp nhập {batch.filename} ngày {today:%d/%m/%Y}"[:5000]
    audits = []
    for part in chunks(adds, BATCH):
        # RETURNING in parameter order is row by row on SQLite: match the new ids by content
        # instead (repeated codes of one subject are interchangeable)
        values = [
            {
                "year_id": year_row.id,
                "person_id": subj.id if is_person else None,
                "unit_id": None if is_person else subj.id,
                "code": vcode,
                "found_on": recorded_on(year_row, today),
                "how_found": "other",
                "evidence": evidence,
                "recorded_by": user_id,
                "removed_at": None,
                "removed_by": None,
                "removed_reason": None,
            }
            for vcode, subj, year_row in part
        ]
        new_ids: dict[tuple, list[int]] = defaultdict(list)
        for vid, year_id, subject_id, vcode in db.session.execute(
            insert(Violation).returning(
                Violation.id, Violation.year_id, getattr(Violation, batch.fk), Violation.code
            ),
            values,
        ):
            new_ids[(year_id, subject_id, vcode)].append(vid)
        audits.extend(
            _audit(
                user_id,
                "create",
                new_ids[(year_row.id, subj.id, vcode)].pop(),
                subj,
                None,
                {
                    "year": year_row.year,
                    "person": subj.code if is_person else None,
                    "unit": None if is_person else subj.code,
                    **{k: row[k] for k in VIOLATION_AUDIT},
                    "found_on": row["found_on"].isoformat(),  # as record() writes a date
                },
            )
            for row, (vcode, subj, year_row) in zip(values, part, strict=True)
        )
    for part in chunks(audits, BATCH):
        db.session.execute(insert(AuditEntry).execution_options(render_nulls=True), part)
        mark_pending()


def _audit(user_id, action: str, violation_id: int, subj, before, after) -> dict:
    """An audit entry's row for a violation record (service.audit.operations.record, in bulk)."""
    return {
        "user_id": user_id,
        "action": action,
        "object_type": "violation",
        "object_id": str(violation_id),
        "unit_id": subj.note_unit_id,
        "before": before,
        "after": after,
    }
