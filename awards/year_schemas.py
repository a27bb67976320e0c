"""Marshmallow schemas of the awards API beside the proposals: the Huy hiệu Đảng lists per
occasion (/party-badges)."""

from __future__ import annotations

from marshmallow import fields

from awards.schemas import BadgeOutSchema
from service.common.schemas import BaseSchema, Length, OutSchema, VnDate


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
