"""The attachments API under /api/v1: a dossier's files (list, upload), a file's download and
its removal with a reason. Who may read and write is the owner kind's (service.files.registry)."""

from __future__ import annotations

from flask import current_app, request, send_file, url_for
from flask_login import current_user

from service.common.api import Blueprint
from service.common.errors import NotFound
from service.files import operations as ops
from service.files import store
from service.files.schemas import (
    AttachmentDossierSchema,
    AttachmentListArgs,
    AttachmentOutSchema,
    AttachmentRemoveSchema,
    AttachmentUploadFileSchema,
)

blp = Blueprint("files_api", __name__, url_prefix="/api/v1", description="Hồ sơ: tệp đính kèm")
UPLOAD_ENDPOINTS = {"files_api.upload", "files.upload"}
MULTIPART_SLACK = 64 * 1024  # the form's other parts and boundaries around the file


def limit_upload(endpoint, _values) -> None:
    """Before anything reads the body (url value preprocessors run before every before_request
    function): an upload announced larger than the limit is refused unread, and a streamed one
    stops being read past it."""
    if endpoint not in UPLOAD_ENDPOINTS:
        return
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    request.max_content_length = limit + MULTIPART_SLACK
    if request.content_length and request.content_length > limit + MULTIPART_SLACK:
        raise store.too_large(limit)


blp.url_value_preprocessor(limit_upload)


def out(att, reg) -> dict:
    return {
        **ops.attachment_out(att, reg),
        "url": url_for("files_api.download", attachment_id=att.id),
    }


@blp.route("/attachments/<kind>/<int:owner_id>")
@blp.arguments(AttachmentListArgs, location="query")
@blp.answers(200, AttachmentDossierSchema)
@blp.errors(404)
def dossier(args, kind, owner_id):
    """Hồ sơ của một đối tượng (kind: award_list, nomination, violation, ...): các tệp với loại
    tài liệu, người thêm, lúc thêm; `removed=true` kèm cả tệp đã gỡ và lý do gỡ."""
    reg, owner = ops.visible_owner(current_user, kind, owner_id)
    rows = ops.attachments_of(kind, owner.id, None if args["removed"] else False)
    return {
        "owner_kind": kind,
        "owner_id": owner.id,
        "title": reg.title(owner),
        "may_write": reg.may_write(current_user, owner),
        "doc_types": [{"code": c, "label": lbl} for c, lbl in reg.doc_types.items()],
        "open_types": [{"code": c, "label": lbl} for c, lbl in reg.open_types(owner).items()],
        "closed": (reg.closed(owner) or (None,))[0],
        "items": [out(a, reg) for a in rows],
    }


@blp.route("/attachments/<kind>/<int:owner_id>", methods=["POST"])
@blp.arguments(AttachmentUploadFileSchema, location="files")
@blp.answers(201, AttachmentOutSchema)
@blp.errors(400, 403, 404)
def upload(files, kind, owner_id):
    """Thêm một tệp vào hồ sơ (multipart: `file`, `doc_type`). Từ chối (không lưu gì) khi quá
    dung lượng, sai loại tệp, nội dung không khớp phần mở rộng hoặc loại tài liệu không hợp lệ."""
    reg, owner = ops.visible_owner(current_user, kind, owner_id, write=True)
    att = ops.add_attachment(current_user, reg, owner, request.form.get("doc_type"), files["file"])
    return out(att, reg), 201


@blp.route("/attachments/<int:attachment_id>/file")
@blp.answers(200, None, content_type="application/octet-stream")
@blp.errors(404)
def download(attachment_id):
    """Tải tệp (chỉ cho người được xem hồ sơ), với tên gốc của tệp."""
    att, _reg, _owner = ops.visible_attachment(current_user, attachment_id)
    path = store.path_of(att.storage_key)
    if not path.is_file():
        raise NotFound("Tệp không còn trên máy chủ: báo quản trị viên.")
    response = send_file(
        path,
        mimetype=att.content_type,
        as_attachment=True,
        download_name=att.filename,
        conditional=True,
        etag=att.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/attachments/<int:attachment_id>/remove", methods=["POST"])
@blp.arguments(AttachmentRemoveSchema)
@blp.answers(200, AttachmentOutSchema)
@blp.errors(400, 403, 404, 409)
def remove(data, attachment_id):
    """Gỡ một tệp khỏi hồ sơ (cần lý do; bản ghi được giữ, xem ở mục «đã gỡ»)."""
    att, reg, owner = ops.visible_attachment(current_user, attachment_id, write=True)
    ops.remove_attachment(current_user, att, reg, owner, data["reason"])
    return out(att, reg)
