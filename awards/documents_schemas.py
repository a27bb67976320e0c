"""Marshmallow schemas of the Word documents API: the minutes' details of a voting session and
the status of each replaceable template."""

from __future__ import annotations

from marshmallow import fields

from service.common.schemas import (
    LOCAL_DATETIME,
    BaseSchema,
    Integer,
    Length,
    OutSchema,
    Range,
    items_schema,
)


class MinutesInSchema(BaseSchema):
    place = fields.String(
        load_default="", validate=Length(0, 300), metadata={"label": "Địa điểm họp"}
    )
    present_count = Integer(
        load_default=None,
        allow_none=True,
        validate=Range(0, 10000),
        metadata={
            "label": "Số thành viên có mặt",
            "description": "Chỉ cho phiếu giấy (phiếu kín: số người đã bỏ phiếu).",
        },
    )


class MinutesOutSchema(OutSchema):
    id = fields.Integer()
    mode = fields.String()
    place = fields.String(allow_none=True)
    present_count = fields.Integer(allow_none=True)
    members_count = fields.Integer(allow_none=True)


class DocTemplateSchema(OutSchema):
    kind = fields.String(
        metadata={"description": "to-trinh | bien-ban | quyet-dinh | bao-cao-thanh-tich"}
    )
    title = fields.String()
    custom = fields.Boolean(metadata={"description": "Đang dùng mẫu do quản trị viên tải lên"})
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Các trường dùng được trong mẫu (tên cấp cao nhất)"},
    )
    changed_action = fields.String(allow_none=True)
    changed_at = fields.DateTime(allow_none=True, metadata=LOCAL_DATETIME)
    changed_by = fields.String(allow_none=True)


DocTemplatesSchema = items_schema(DocTemplateSchema, "DocTemplates")
