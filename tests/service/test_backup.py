"""Issue 15 item 6: backup and restore round-trip every table losslessly, SQLite to SQLite and
(on the PostgreSQL run) PostgreSQL to SQLite and SQLite to a new PostgreSQL database; a restore
refuses a database that is not empty and changes nothing when it fails."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from service.backup import BackupError, backup, restore, tables
from service.extensions import db


def snapshot(conn) -> dict:
    out = {}
    for t in tables():
        order = list(t.primary_key.columns) or list(t.columns)
        out[t.name] = [tuple(r) for r in conn.execute(select(*t.columns).order_by(*order))]
    return out


def fresh_sqlite(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / f'restore-{uuid.uuid4().hex}.db'}")
    db.metadata.create_all(engine)
    return engine


@pytest.fixture
def demo_world(app_ctx):
    """The demo ward: tree, people, accounts, a year with inputs, ratings and decisions, audit."""
    from service.audit.operations import record
    from service.demo import load_demo

    load_demo()
    for i in range(5):  # the demo writes no audit entries: a few, chained at commit
        record("update", "person", f"DD{i:05d}", before={"a": i}, after={"a": i + 1})
    db.session.commit()
    yield


def _round_trip(source_conn, target_engine) -> bytes:
    buf = io.BytesIO()
    counts = backup(source_conn, buf)
    assert counts["people"] > 1000 and counts["ratings"] > 1000 and counts["audit_log"] > 0
    data = buf.getvalue()
    with target_engine.begin() as conn:
        restore(conn, io.BytesIO(data))
    return data


def test_backup_then_restore_keeps_every_table(demo_world, tmp_path):
    source = db.session.connection()
    before = snapshot(source)
    assert sum(len(v) for v in before.values()) > 5000
    target = fresh_sqlite(tmp_path)
    data = _round_trip(source, target)
    # the caller's connection is left as it was (a streaming option left on it turned the
    # test's ROLLBACK TO SAVEPOINT into a server-side cursor on PostgreSQL)
    assert not {"yield_per", "stream_results"} & set(source.get_execution_options())
    with target.connect() as conn:
        assert snapshot(conn) == before
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if pg.startswith("postgresql"):  # and back into a new PostgreSQL database
        name = f"restore_{uuid.uuid4().hex[:12]}"
        admin = create_engine(make_url(pg), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        other = create_engine(make_url(pg).set(database=name))
        try:
            db.metadata.create_all(other)
            with target.connect() as conn:
                buf = io.BytesIO()
                backup(conn, buf)
            with other.begin() as conn:
                restore(conn, io.BytesIO(buf.getvalue()))
            with other.connect() as conn:
                assert snapshot(conn) == before
                # the sequences go on after the restored ids
                next_id = conn.execute(
                    text("SELECT nextval(pg_get_serial_sequence('people', 'id'))")
                ).scalar()
                assert next_id > max(r[0] for r in before["people"])
        finally:
            other.dispose()
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE {name}"))
            admin.dispose()
    target.dispose()
    assert data[:2] == b"\x1f\x8b"  # gzip


def test_restore_refuses_a_database_with_data_and_changes_nothing(demo_world, tmp_path):
    buf = io.BytesIO()
    backup(db.session.connection(), buf)
    target = fresh_sqlite(tmp_path)
    with target.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO units (code, name, search_name, kind, quota_root, path, depth) "
                "VALUES ('X', 'X', 'x', '', false, '/X/', 0)"
            )
        )
    with pytest.raises(BackupError, match="trống"), target.begin() as conn:
        restore(conn, io.BytesIO(buf.getvalue()))
    with target.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(db.metadata.tables["people"])).scalar()
            == 0
        )


def test_a_damaged_backup_restores_nothing(demo_world, tmp_path):
    buf = io.BytesIO()
    backup(db.session.connection(), buf)
    import gzip

    lines = gzip.decompress(buf.getvalue()).decode().splitlines()
    lines[len(lines) // 2] = "[1, 2"  # a row cut in two
    damaged = gzip.compress(("\n".join(lines) + "\n").encode())
    target = fresh_sqlite(tmp_path)
    with pytest.raises(ValueError), target.begin() as conn:
        restore(conn, io.BytesIO(damaged))
    with target.connect() as conn:
        assert all(not rows for rows in snapshot(conn).values())


def test_backup_command_writes_a_file(demo_world, app, tmp_path):
    """The CLI on the app's engine (its own connection: it sees what is committed there)."""
    file = tmp_path / "sao_luu.jsonl.gz"
    res = app.test_cli_runner().invoke(args=["backup", str(file)])
    assert res.exit_code == 0, res.output
    assert "Đã sao lưu" in res.output and file.read_bytes()[:2] == b"\x1f\x8b"


def test_a_backup_carries_the_dossier_files_and_replaced_templates(
    demo_world, tmp_path, monkeypatch
):
    """The files the rows refer to (attachments, an administrator's Word template) are in the
    backup and come back byte for byte; a restore that fails places none of them."""
    from flask import current_app

    from awards.documents import template_dir
    from service.files.store import root

    monkeypatch.setitem(current_app.config, "ATTACHMENTS_DIR", str(tmp_path / "files" / "att"))
    monkeypatch.setitem(current_app.config, "DOC_TEMPLATE_DIR", str(tmp_path / "files" / "doc"))

    attachment = root() / "ab" / ("ab" + "0" * 62)
    template = template_dir() / "to_trinh.docx"
    for path, data in ((attachment, b"%PDF-1.4 hoso"), (template, b"PK\x03\x04 mau")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    buf = io.BytesIO()
    counts = backup(db.session.connection(), buf)
    assert counts["files:attachments"] >= 1 and counts["files:doc_templates"] >= 1
    attachment.unlink()
    template.unlink()

    # a damaged backup (a row cut in two before the files) places no file
    import gzip

    lines = gzip.decompress(buf.getvalue()).decode().splitlines()
    lines[len(lines) // 2] = "[1, 2"
    with pytest.raises(ValueError), fresh_sqlite(tmp_path).begin() as conn:
        restore(conn, io.BytesIO(gzip.compress(("\n".join(lines) + "\n").encode())))
    assert not attachment.exists() and not template.exists()
    assert not list(root().parent.glob(".restore-*"))

    with fresh_sqlite(tmp_path).begin() as conn:
        restored = restore(conn, io.BytesIO(buf.getvalue()))
    assert restored["files:attachments"] == counts["files:attachments"]
    assert (
        attachment.read_bytes() == b"%PDF-1.4 hoso" and template.read_bytes() == b"PK\x03\x04 mau"
    )
