"""record(): the one way every write leaves its audit entry (flushed with the change)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user

from service.audit.chain import mark_pending
from service.audit.models import AuditEntry
from service.extensions import db


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj, fields) -> dict:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(action, obj_type, obj_id, *, before=None, after=None, unit_id=None, user=None):
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        # the service's clock (TIME_ZONE), not the database's (SQLite's CURRENT_TIMESTAMP is UTC)
        at=dt.datetime.now(),
        user_id=getattr(user, "id", None),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id or ""),
        unit_id=unit_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    db.session.add(entry)
    mark_pending()  # chained when the transaction commits (service.audit.chain)
    return entry
