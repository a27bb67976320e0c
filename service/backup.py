"""Backup and restore of the whole database, portable between SQLite and PostgreSQL.

A backup is gzip'd JSON lines: a header (format, the schema's migration revision, when, the
tables), then per table a line naming its columns and one line per row, values as JSON (dates
and times in ISO 8601, decimals as text, enums by their stored value, bytes in base64). Rows are
read and written in batches, never a whole table at once. A restore goes into an empty database
at the same migration revision, in one transaction (a failed restore leaves it empty), parents
before children, and sets PostgreSQL's id sequences past the restored ids.

The files the database refers to (the dossiers' attachments, the replaced Word templates) go in
the same backup after the tables, one line per file (its directory's registered name, its path
inside it, its bytes in base64): each package registers its directory (register_files). A
restore writes them into a staging folder beside their directory and moves them into place
only once every row was restored; a failed restore leaves the directories as they were."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import gzip
import json
import os
import shutil
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path, PurePosixPath

from sqlalchemy import Integer, func, inspect, select, text

from service.common.queries import bulk_insert
from service.extensions import db

FORMAT = "hn-evaluation-backup"
VERSION = 1
BATCH = 2000


# name -> the directory whose files a backup carries (called inside the app context)
FILE_DIRS: dict[str, Callable[[], Path]] = {}
SKIPPED = (".tmp",)  # in-flight uploads are not files of the database yet


class BackupError(Exception):
    """The backup cannot be restored here; the message is for the operator (Vietnamese)."""


def register_files(name: str, directory: Callable[[], Path]) -> None:
    """Carry the files under `directory()` in every backup, restored under the same name."""
    FILE_DIRS[name] = directory


def _files():
    """(name, path inside its directory, file) of every registered directory, in order."""
    for name in sorted(FILE_DIRS):
        root = FILE_DIRS[name]()
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not (set(rel.parts) & set(SKIPPED)):
                yield name, rel.as_posix(), path


def _encode(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decoder(column):
    """value read from the backup -> what an INSERT of this column takes."""
    kind = column.type
    enum_class = getattr(kind, "enum_class", None)
    if enum_class is not None:
        return lambda v: enum_class(v)
    try:
        python = kind.python_type
    except NotImplementedError:  # SQLAlchemy's answer for a type without one: taken as read
        return None
    if python is dt.datetime:
        return dt.datetime.fromisoformat
    if python is dt.date:
        return dt.date.fromisoformat
    if python is dt.time:
        return dt.time.fromisoformat
    if python is Decimal:
        return Decimal
    if python is bytes:
        return base64.b64decode
    return None


def revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def tables():
    return list(db.metadata.sorted_tables)


def backup(conn, fileobj) -> dict:
    """Write every table of the metadata to `fileobj` (binary); answers rows per table."""
    counts = {}
    with gzip.open(fileobj, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision(conn),
            "dialect": conn.dialect.name,
            "created_at": dt.datetime.now().isoformat(timespec="seconds"),
            "tables": [t.name for t in tables()],
            "files": sorted(FILE_DIRS),
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for table in tables():
            names = [c.name for c in table.columns]
            out.write(json.dumps({"table": table.name, "columns": names}) + "\n")
            order = list(table.primary_key.columns) or list(table.columns)
            # yield_per on the statement: Connection.execution_options would change the
            # caller's connection for good (its next ROLLBACK TO SAVEPOINT became a cursor)
            result = conn.execute(
                select(*table.columns).order_by(*order).execution_options(yield_per=BATCH)
            )
            n = 0
            for row in result:
                out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
        for name, rel, path in _files():
            data = base64.b64encode(path.read_bytes()).decode()
            out.write(json.dumps({"file": name, "path": rel, "data": data}) + "\n")
            counts[f"files:{name}"] = counts.get(f"files:{name}", 0) + 1
    return counts


def _staged_path(staging: dict, name: str, rel: str) -> Path:
    """Where a restored file waits (a folder beside its directory) until the rows are in."""
    if name not in FILE_DIRS:
        raise BackupError(f"Bản sao lưu có tệp của thư mục không biết: {name}.")
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        raise BackupError(f"Đường dẫn tệp không hợp lệ trong bản sao lưu: {rel}.")
    if name not in staging:
        root = FILE_DIRS[name]()
        staging[name] = (root, root.parent / f".restore-{root.name}-{uuid.uuid4().hex[:8]}")
    return staging[name][1].joinpath(*parts)


def _place_staged(staging: dict) -> None:
    for root, stage in staging.values():
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            target = root / path.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        shutil.rmtree(stage, ignore_errors=True)


def _parents_first(table, rows: list[dict]) -> list[dict]:
    """A table that refers to itself (units.parent_id): each row after the row it names."""
    self_refs = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not self_refs:
        return rows
    col, target = self_refs[0]
    by_key = {r[target]: r for r in rows}
    placed, out = set(), []

    def place(row, depth=0):
        key = row[target]
        if key in placed:
            return
        parent = by_key.get(row[col])
        if parent is not None and parent is not row and depth < len(rows):
            place(parent, depth + 1)
        placed.add(key)
        out.append(row)

    for r in rows:
        place(r)
    return out


def restore(conn, fileobj) -> dict:
    """Read a backup into this (empty) database, inside the caller's transaction, and its
    files into their directories once every row is in."""
    staging: dict[str, tuple[Path, Path]] = {}
    try:
        counts = _restore(conn, fileobj, staging)
    except BaseException:
        for _root, stage in staging.values():
            shutil.rmtree(stage, ignore_errors=True)
        raise
    _place_staged(staging)
    return counts


def _restore(conn, fileobj, staging: dict) -> dict:
    known = {t.name: t for t in tables()}
    with gzip.open(fileobj, "rt", encoding="utf-8") as src:
        header = json.loads(src.readline() or "{}")
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise BackupError("Tệp không phải bản sao lưu của hệ thống (hoặc khác phiên bản).")
        here = revision(conn)
        if header.get("revision") != here:
            raise BackupError(
                f"Bản sao lưu ở phiên bản cơ sở dữ liệu {header.get('revision')}, cơ sở dữ liệu "
                f"này ở {here}: hãy chạy `flask db upgrade` cho cùng phiên bản rồi khôi phục."
            )
        missing = [n for n in header["tables"] if n not in known]
        if missing:
            raise BackupError(f"Cơ sở dữ liệu này không có các bảng: {', '.join(missing)}.")
        busy = [
            t.name
            for t in known.values()
            if conn.execute(select(func.count()).select_from(t)).scalar()
        ]
        if busy:
            raise BackupError(
                "Chỉ khôi phục vào cơ sở dữ liệu trống; đang có dữ liệu trong: " + ", ".join(busy)
            )
        counts = {}
        table, names, decoders, pending = None, [], [], []

        def flush():
            if table is not None and pending:
                bulk_insert(table, _parents_first(table, pending), conn=conn)
                counts[table.name] = counts.get(table.name, 0) + len(pending)
                pending.clear()

        for line in src:
            item = json.loads(line)
            if isinstance(item, dict) and "file" in item:
                flush()
                table = None
                target = _staged_path(staging, item["file"], item["path"])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(item["data"], validate=True))
                key = f"files:{item['file']}"
                counts[key] = counts.get(key, 0) + 1
                continue
            if isinstance(item, dict):
                flush()
                table = known[item["table"]]
                names = item["columns"]
                unknown = [n for n in names if n not in table.c]
                if unknown:
                    raise BackupError(f"Bảng {table.name} không có cột: {', '.join(unknown)}.")
                decoders = [_decoder(table.c[n]) for n in names]
                continue
            pending.append(
                {
                    n: (v if d is None or v is None else d(v))
                    for n, v, d in zip(names, item, decoders, strict=True)
                }
            )
            if len(pending) >= BATCH and not any(
                fk.column.table is table for fk in table.foreign_keys
            ):
                flush()
        flush()
    if conn.dialect.name == "postgresql":
        for t in known.values():
            pk = list(t.primary_key.columns)
            integer = isinstance(pk[0].type, Integer) if len(pk) == 1 else False
            if integer and pk[0].autoincrement in (True, "auto") and counts.get(t.name):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{t.name}', '{pk[0].name}'), "
                        f"(SELECT max({pk[0].name}) FROM {t.name}))"
                    )
                )
    return counts
