"""Issue 15 item 6: the audit log is append-only and hash-chained; each commit that audits
chains its entries; audit-verify names the first entry edited, deleted or slipped in."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from service.audit.chain import verify
from service.audit.models import AuditEntry
from service.audit.operations import record
from service.extensions import db


def _write(n, start=0):
    for i in range(n):
        record("update", "thing", start + i, before={"a": i}, after={"a": i + 1})
    db.session.commit()


def test_each_commit_chains_its_entries_in_order(app_ctx):
    _write(3)
    _write(2, start=3)
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.hash and len(r.hash) == 64 for r in rows)
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert verify() == {"entries": len(rows), "ok": True, "broken": None}


def test_an_edited_entry_is_named(app_ctx):
    _write(4)
    victim = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()[2]
    db.session.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(after={"a": 99}))
    out = verify()
    assert out["ok"] is False and out["broken"]["id"] == victim.id
    assert "sửa" in out["broken"]["why"]


def test_a_deleted_or_slipped_in_entry_is_found(app_ctx):
    _write(4)
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    db.session.execute(delete(AuditEntry).where(AuditEntry.id == rows[1].id))
    assert verify()["broken"]["id"] == rows[2].id
    db.session.rollback()
    _write(1)
    db.session.execute(
        insert(AuditEntry).values(action="x", object_type="y", object_id="1")
    )  # written outside the application: never chained
    out = verify()
    assert out["ok"] is False and "chưa vào chuỗi" in out["broken"]["why"]


def test_deleting_the_last_entry_is_found(app_ctx):
    _write(3)
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    db.session.execute(delete(AuditEntry).where(AuditEntry.id == last.id))
    out = verify()
    assert out["ok"] is False and "bị xóa" in out["broken"]["why"]


def test_audit_verify_command(app, app_ctx):
    _write(2)
    runner = app.test_cli_runner()
    res = runner.invoke(args=["audit-verify"])
    assert res.exit_code == 0 and "toàn vẹn" in res.output
