"""The audit log's hash chain. When a transaction that wrote audit entries commits, its entries
(in id order) take the next places of the chain: seq, the previous entry's hash, and their own
hash, SHA-256 over the previous hash and the entry's canonical JSON (every column but the hash).
The head row is updated first, so appenders commit one after another and the chain never forks.
verify() walks the chain and names the first entry that does not match."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from service.audit.models import AuditChainHead, AuditEntry
from service.extensions import db

PENDING = "audit_pending"  # session.info flag: this transaction wrote audit entries
_FIELDS = (
    "id",
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "unit_id",
    "before",
    "after",
)


def _canonical(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    return value


def entry_hash(row, seq: int, prev_hash: str) -> str:
    body = {f: _canonical(getattr(row, f)) for f in _FIELDS} | {"seq": seq, "prev": prev_hash}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def mark_pending(session=None) -> None:
    (session or db.session).info[PENDING] = True


def seal(session) -> int:
    """Chain this transaction's unchained entries (called before it commits)."""
    session.info.pop(PENDING, None)
    session.flush()
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(seq=AuditChainHead.seq)
        .returning(AuditChainHead.seq, AuditChainHead.hash)
    ).first()  # the row locked and read in one statement
    if head is None:
        session.add(AuditChainHead(id=1, seq=0, hash=""))
        session.flush()
        head = (0, "")
    seq, last = head
    changes = []
    for row in unchained(session):
        seq += 1
        digest = entry_hash(row, seq, last)
        changes.append({"id": row.id, "seq": seq, "prev_hash": last, "hash": digest})
        last = digest
    if not changes:
        return 0
    if session.get_bind().dialect.name == "postgresql":  # the entries and the head: one statement
        session.execute(
            _PG_CHAIN,
            {
                "ids": [c["id"] for c in changes],
                "seqs": [c["seq"] for c in changes],
                "prevs": [c["prev_hash"] for c in changes],
                "hashes": [c["hash"] for c in changes],
                "seq": seq,
                "hash": last,
            },
        )
        return len(changes)
    session.execute(update(AuditEntry), changes)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=seq, hash=last))
    return len(changes)


_PG_CHAIN = text(
    "WITH chained AS (UPDATE audit_log AS e SET seq = c.seq, prev_hash = c.prev, hash = c.hash "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:seqs AS integer[]), CAST(:prevs AS varchar[]), "
    "CAST(:hashes AS varchar[])) AS c(id, seq, prev, hash) WHERE e.id = c.id RETURNING 1) "
    "UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1"
)


def unchained(session):
    """The entries not in the chain yet (this transaction's), in id order."""
    cols = [getattr(AuditEntry, f) for f in _FIELDS]
    return session.execute(select(*cols).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id))


def verify(session=None) -> dict:
    """Walk the chain in seq order: {"entries", "ok", "broken": None or {"id", "seq", "why"}}."""
    session = session or db.session
    cols = [getattr(AuditEntry, f) for f in _FIELDS]
    rows = session.execute(
        select(*cols, AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash).order_by(
            AuditEntry.seq.is_(None), AuditEntry.seq, AuditEntry.id
        )
    )
    last, expected, n = "", 1, 0
    for row in rows:
        n += 1
        why = None
        if row.seq is None:
            why = "chưa vào chuỗi (ghi ngoài ứng dụng?)"
        elif row.seq != expected:
            why = f"thiếu mục thứ {expected} (bị xóa?)"
        elif row.prev_hash != last:
            why = "không nối với mục trước"
        elif entry_hash(row, row.seq, last) != row.hash:
            why = "nội dung đã bị sửa"
        if why:
            return {"entries": n, "ok": False, "broken": {"id": row.id, "seq": row.seq, "why": why}}
        last, expected = row.hash, expected + 1
    head = session.execute(select(AuditChainHead.seq).where(AuditChainHead.id == 1)).scalar()
    if (head or 0) != expected - 1:
        why = f"mục cuối của chuỗi ({head}) không còn (bị xóa?)"
        return {"entries": n, "ok": False, "broken": {"id": None, "seq": head, "why": why}}
    return {"entries": n, "ok": True, "broken": None}


_installed = []


def init_app(app) -> None:
    if _installed:  # a listener on the Session class: once per process
        return
    _installed.append(True)

    @event.listens_for(Session, "before_commit")
    def _seal_before_commit(session):
        if session.info.get(PENDING):
            seal(session)
