"""Marshmallow schemas of the certificates API (issue 13 item 5)."""

from __future__ import annotations

from marshmallow import fields

from awards.certificates import MODES
from awards.rules.certificates import ALIGNS, FIELDS, ORIENTATIONS, PAGE_SIZES
from service.common.schemas import BaseSchema, Integer, OneOf, OutSchema, Range


class CertificateArgs(BaseSchema):
    mode = fields.String(
        load_default="full",
        validate=OneOf(list(MODES)),
        metadata={"description": "full: mẫu đầy đủ trên giấy trắng; blank: chỉ in chữ trên phôi"},
    )
    nomination = Integer(
        load_default=None,
        validate=Range(1, 2_147_483_647),
        metadata={"description": "Chỉ in cho một người (tập thể): mã số đề nghị (nomination id)"},
    )
    part = Integer(
        load_default=None,
        validate=Range(1, 100_000),
        metadata={
            "description": "Phần in thứ mấy khi quyết định có nhiều bằng khen, giấy khen hơn "
            "một lần in (CERTIFICATE_MAX_PAGES trang một phần, theo thứ tự của quyết định)"
        },
    )


class FieldPosSchema(BaseSchema):
    x_mm = fields.Raw(required=True, metadata={"description": "Cách lề trái (mm)"})
    y_mm = fields.Raw(required=True, metadata={"description": "Cách mép trên (mm)"})
    width_mm = fields.Raw(required=True, metadata={"description": "Chiều rộng ô chữ (mm)"})
    font_pt = fields.Raw(required=True, metadata={"description": "Cỡ chữ (pt)"})
    align = fields.String(
        load_default="center",
        validate=OneOf(list(ALIGNS)),
        metadata={"description": "|".join(ALIGNS)},
    )


LayoutFieldsSchema = BaseSchema.from_dict(
    {name: fields.Nested(FieldPosSchema, required=True) for name in FIELDS},
    name="CertificateLayoutFields",
)


class LayoutInSchema(BaseSchema):
    version = Integer(required=True, metadata={"description": "Phiên bản đã đọc"})
    page_size = fields.String(required=True, validate=OneOf(list(PAGE_SIZES)))
    orientation = fields.String(required=True, validate=OneOf(list(ORIENTATIONS)))
    fields = fields.Nested(LayoutFieldsSchema, required=True)


class FieldPosOutSchema(OutSchema):
    x_mm = fields.Float()
    y_mm = fields.Float()
    width_mm = fields.Float()
    font_pt = fields.Float()
    align = fields.String()


LayoutFieldsOutSchema = OutSchema.from_dict(
    {name: fields.Nested(FieldPosOutSchema) for name in FIELDS},
    name="CertificateLayoutFieldsOut",
)


class LayoutOutSchema(OutSchema):
    code = fields.String()
    version = fields.Integer()
    stored = fields.Boolean(metadata={"description": "false: vị trí mặc định"})
    page_size = fields.String()
    orientation = fields.String()
    fields = fields.Nested(LayoutFieldsOutSchema)
