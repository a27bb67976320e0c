"""Named operations on attachments: add a file to an owner's dossier, remove one with a reason;
and the reads (the owner within reach, an attachment within reach, a dossier's files). Each
write validates, authorizes (the owner kind's may_write: role + unit scope), changes, audits and
flushes; its file reaches its place only when the request commits (service.files.store)."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.audit.operations import record, snapshot
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db
from service.files import content, store
from service.files.models import Attachment
from service.files.registry import OwnerKind, owner_kind

AUDIT_FIELDS = (
    "owner_kind",
    "owner_id",
    "doc_type",
    "filename",
    "content_type",
    "size",
    "sha256",
    "removed_at",
    "removed_reason",
)
NOT_FOUND = "Không tìm thấy hồ sơ."


def visible_owner(user, kind: str, owner_id: int, write: bool = False):
    """(kind, owner) when `user` may read the owner's dossier (else 404) and, with `write`, add
    to it or remove from it (else 403)."""
    reg = owner_kind(kind)
    owner = reg.find(owner_id)
    if owner is None or not reg.may_read(user, owner):
        raise NotFound(NOT_FOUND)
    if write and not reg.may_write(user, owner):
        raise Forbidden("Bạn không được thêm hoặc gỡ tệp của hồ sơ này.")
    return reg, owner


def visible_attachment(user, attachment_id: int, write: bool = False):
    """(attachment, kind, owner) when `user` may read its owner (else 404), write it (else 403)."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound("Không tìm thấy tệp đính kèm.")
    try:
        reg, owner = visible_owner(user, att.owner_kind, att.owner_id, write)
    except NotFound:
        raise NotFound("Không tìm thấy tệp đính kèm.") from None
    return att, reg, owner


def attachments_of(kind: str, owner_id: int, removed: bool | None = False) -> list[Attachment]:
    """The owner's files, oldest first: active ones (removed=False), removed ones (True), all
    (None)."""
    stmt = (
        select(Attachment)
        .where(Attachment.owner_kind == kind, Attachment.owner_id == owner_id)
        .options(joinedload(Attachment.adder), joinedload(Attachment.remover))
        .order_by(Attachment.added_at, Attachment.id)
    )
    if removed is True:
        stmt = stmt.where(Attachment.removed_at.is_not(None))
    elif removed is False:
        stmt = stmt.where(Attachment.removed_at.is_(None))
    return list(db.session.scalars(stmt))


def allowed_types() -> dict[str, str]:
    return dict(current_app.config["ATTACHMENT_TYPES"])


def refused_type_message(ext: str) -> str:
    shown = f"«.{ext}»" if ext else "không có phần mở rộng"
    return f"Không nhận loại tệp {shown}: chỉ nhận {', '.join(allowed_types())}."


def add_attachment(user, reg: OwnerKind, owner, doc_type: str | None, upload) -> Attachment:
    """Add the uploaded file to the owner's dossier as a `doc_type` document: refused (nothing
    stored) when the user may not write there, the type is unknown or closed (409), no file is
    sent, its extension is not allowed, it is empty or over ATTACHMENT_MAX_BYTES, or its
    content is not the format its extension names."""
    if not reg.may_write(user, owner):
        raise Forbidden("Bạn không được thêm tệp vào hồ sơ này.")
    if doc_type not in reg.doc_types:
        choices = ", ".join(reg.doc_types.values())
        raise ValidationError(
            "Chọn loại tài liệu của tệp.", {"doc_type": [f"Loại tài liệu phải là: {choices}."]}
        )
    reg.refuse_closed(owner, doc_type)
    name = content.clean_filename(getattr(upload, "filename", None) or "")
    if upload is None or not name:
        raise ValidationError("Chọn tệp để tải lên.", {"file": ["Chưa chọn tệp."]})
    ext = content.extension_of(name)
    types = allowed_types()
    if ext not in types:
        message = refused_type_message(ext)
        raise ValidationError(message, {"file": [message]})
    temp, size, sha = store.receive(upload.stream, current_app.config["ATTACHMENT_MAX_BYTES"])
    try:
        if size == 0:
            raise ValidationError("Tệp rỗng.", {"file": ["Tệp không có nội dung."]})
        head, names = store.head_and_names(temp)
        if not content.content_matches(ext, head, names):
            fmt = content.FORMAT_NAMES.get(ext, ext)
            message = f"Nội dung tệp không khớp với phần mở rộng .{ext}: đây không phải tệp {fmt}."
            raise ValidationError(message, {"file": [message]})
        att = Attachment(
            owner_kind=reg.kind,
            owner_id=owner.id,
            doc_type=doc_type,
            filename=name,
            content_type=types[ext],
            size=size,
            sha256=sha,
            storage_key=store.key_for(sha),
            added_by=user.id,
            added_at=dt.datetime.now(),
        )
        db.session.add(att)
        db.session.flush()
        record(
            "attach",
            "attachment",
            att.id,
            after=snapshot(att, AUDIT_FIELDS),
            unit_id=reg.unit_id(owner),
            user=user,
        )
        store.move_on_commit(db.session, temp, att.storage_key)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return att


def remove_attachment(user, att: Attachment, reg: OwnerKind, owner, reason: str | None):
    """Remove a file from its dossier with a reason: the row stays (removed_at, by, why) and is
    shown only in the removed view; the bytes stay."""
    if not reg.may_write(user, owner):
        raise Forbidden("Bạn không được gỡ tệp của hồ sơ này.")
    reg.refuse_closed(owner, att.doc_type)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Gỡ tệp cần có lý do.", {"reason": ["Cần nhập lý do gỡ tệp."]})
    if len(reason) > 1000:
        raise ValidationError("Lý do quá dài.", {"reason": ["Lý do tối đa 1000 ký tự."]})
    if att.removed_at is not None:
        raise Conflict("Tệp này đã được gỡ trước đó.")
    before = snapshot(att, AUDIT_FIELDS)
    att.removed_at = dt.datetime.now()
    att.removed_by = user.id
    att.removed_reason = reason
    db.session.flush()
    record(
        "remove",
        "attachment",
        att.id,
        before=before,
        after=snapshot(att, AUDIT_FIELDS),
        unit_id=reg.unit_id(owner),
        user=user,
    )
    return att


def when(value) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def attachment_out(att: Attachment, reg: OwnerKind) -> dict:
    return {
        "id": att.id,
        "owner_kind": att.owner_kind,
        "owner_id": att.owner_id,
        "doc_type": att.doc_type,
        "doc_type_label": reg.doc_types.get(att.doc_type, att.doc_type),
        "filename": att.filename,
        "content_type": att.content_type,
        "size": att.size,
        "size_text": content.size_text(att.size),
        "sha256": att.sha256,
        "added_by": att.added_by,
        "added_by_name": _name(att.adder),
        "added_at": when(att.added_at),
        "removed": att.removed_at is not None,
        "removed_at": when(att.removed_at),
        "removed_by_name": _name(att.remover),
        "removed_reason": att.removed_reason,
    }


def _name(user) -> str:
    if user is None:
        return ""
    return user.full_name or user.username
