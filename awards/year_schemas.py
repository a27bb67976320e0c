"""Marshmallow schemas of the awards API beside the proposals: the Huy hiệu Đảng lists per
occasion (/party-badges), the award catalog of a year (/years/<y>/award-catalog)."""

from __future__ import annotations

from marshmallow import fields

from awards.schemas import BadgeOutSchema
from service.common.schemas import BaseSchema, Integer, Length, OutSchema, Range, VnDate


class PartyBadgeArgs(BaseSchema):
    occasion = VnDate(
        required=True,
        metadata={
            "label": "Dịp xét",
            "description": "03/02, 19/05, 02/09 hoặc 07/11 của một năm "
            "(yyyy-mm-dd hoặc dd/mm/yyyy).",
        },
    )
    unit = fields.String(load_default=None, validate=Length(1, 50), metadata={"label": "Mã đơn vị"})


class PartyBadgesSchema(OutSchema):
    occasion = fields.String(metadata={"description": "dd/mm/yyyy"})
    unit = fields.String(allow_none=True)
    items = fields.List(
        fields.Nested(BadgeOutSchema),
        metadata={"description": "Đến hạn (due) rồi chưa xét do kỷ luật Đảng (waiting, `until`)."},
    )
    total = fields.Integer()
    due = fields.Integer(metadata={"description": "Số người đến hạn."})
    waiting = fields.Integer(metadata={"description": "Số người chưa xét do kỷ luật Đảng."})


class CatalogEntrySchema(OutSchema):
    code = fields.String()
    kinds = fields.List(fields.String(), metadata={"description": "person | unit | model"})
    name = fields.String()
    authority = fields.String(metadata={"description": "Cấp quyết định."})
    rule = fields.String(metadata={"description": "Quy tắc RULES.md làm đủ điều kiện."})
    cap_pct = fields.Integer(allow_none=True, metadata={"description": "Giới hạn tỷ lệ (%)."})
    vote_pct = fields.Integer(metadata={"description": "C10: ngưỡng phiếu đồng ý (%)."})
    vote_strict = fields.Boolean(metadata={"description": "true: > ngưỡng; false: ≥ ngưỡng."})
    state_level = fields.Boolean()
    version = fields.Integer()


class CatalogSchema(OutSchema):
    year = fields.Integer()
    locked = fields.Boolean(metadata={"description": "Năm đã có quyết định khen thưởng."})
    editable = fields.Boolean(metadata={"description": "Người dùng được sửa danh mục."})
    items = fields.List(fields.Nested(CatalogEntrySchema))


class CatalogPatchSchema(BaseSchema):
    """A change of one code: any editable field, with the version the form was loaded with."""

    name = fields.String(validate=Length(1, 300), metadata={"label": "Tên"})
    authority = fields.String(validate=Length(1, 300), metadata={"label": "Cấp quyết định"})
    cap_pct = Integer(
        allow_none=True,
        validate=Range(0, 100),
        metadata={"label": "Giới hạn tỷ lệ", "description": "0–100 (%), null: không giới hạn."},
    )
    vote_pct = Integer(validate=Range(1, 100), metadata={"label": "Ngưỡng biểu quyết"})
    vote_strict = fields.Boolean(metadata={"label": "Vượt ngưỡng (>)"})
    state_level = fields.Boolean(metadata={"label": "Lấy ý kiến công khai"})
    version = Integer(required=True, validate=Range(1, 2**31 - 1), metadata={"label": "Phiên bản"})
