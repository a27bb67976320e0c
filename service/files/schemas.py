"""Schemas of the attachments API: the multipart upload, the removal, the listed file."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields

from service.common.schemas import BaseSchema, Length, OutSchema


class AttachmentUploadFileSchema(BaseSchema):
    """The multipart body: the file and its document type (doc_type, a form field, is read from
    the form; declared here so the document shows one multipart body)."""

    doc_type = fields.String(
        load_default=None,
        validate=Length(max=30),
        metadata={"description": "Loại tài liệu (mã do loại hồ sơ đăng ký, ví dụ to_trinh)."},
    )

    file = Upload(load_default=None, metadata={"description": "Tệp (một tệp)."})


class AttachmentRemoveSchema(BaseSchema):
    reason = fields.String(
        load_default="", validate=Length(max=1000), metadata={"description": "Lý do gỡ (bắt buộc)."}
    )


class AttachmentListArgs(BaseSchema):
    removed = fields.Boolean(
        load_default=False, metadata={"description": "Kèm cả các tệp đã gỡ (có lý do gỡ)."}
    )


class AttachmentOutSchema(OutSchema):
    id = fields.Integer()
    owner_kind = fields.String()
    owner_id = fields.Integer()
    doc_type = fields.String()
    doc_type_label = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    size_text = fields.String()
    sha256 = fields.String()
    added_by = fields.Integer(allow_none=True)
    added_by_name = fields.String()
    added_at = fields.String(metadata={"description": "dd/mm/yyyy hh:mm (giờ máy chủ)."})
    removed = fields.Boolean()
    removed_at = fields.String()
    removed_by_name = fields.String()
    removed_reason = fields.String(allow_none=True)
    url = fields.String(metadata={"description": "Đường dẫn tải tệp."})


class AttachmentDocTypeSchema(OutSchema):
    code = fields.String()
    label = fields.String()


class AttachmentDossierSchema(OutSchema):
    owner_kind = fields.String()
    owner_id = fields.Integer()
    title = fields.String()
    may_write = fields.Boolean()
    doc_types = fields.List(fields.Nested(AttachmentDocTypeSchema))
    open_types = fields.List(
        fields.Nested(AttachmentDocTypeSchema),
        metadata={"description": "các loại tài liệu còn được thêm hoặc gỡ (hồ sơ đã khóa: ít hơn)"},
    )
    closed = fields.String(
        allow_none=True, metadata={"description": "lý do hồ sơ đã khóa; null khi còn mở"}
    )
    items = fields.List(fields.Nested(AttachmentOutSchema))
