"""Marshmallow schemas of the decision registry API (issue 13 item 4)."""

from __future__ import annotations

from marshmallow import fields

from awards.models import DECISION_LEVELS
from service.common.schemas import (
    BaseSchema,
    Integer,
    Length,
    ListArgsSchema,
    OneOf,
    OutSchema,
    VnDate,
    page_schema,
)


class DecisionArgs(ListArgsSchema):
    year = Integer(load_default=None, metadata={"description": "Năm khen thưởng"})
    level = fields.String(
        load_default=None,
        validate=OneOf(list(DECISION_LEVELS)),
        metadata={"description": " | ".join(DECISION_LEVELS)},
    )
    person = fields.String(
        load_default=None,
        validate=Length(1, 200),
        metadata={"description": "Mã hoặc họ tên người (tên tập thể) được đề nghị"},
    )


class DecisionListRefSchema(OutSchema):
    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()


class DecisionOutSchema(OutSchema):
    id = fields.Integer()
    year = fields.Integer()
    number = fields.String()
    date = fields.String(metadata={"description": "dd/mm/yyyy"})
    level = fields.String()
    level_label = fields.String()
    signer = fields.String()
    issuer = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    lists = fields.List(fields.Nested(DecisionListRefSchema))
    awarded = fields.Integer(metadata={"description": "Số được khen thưởng"})
    refused = fields.Integer(metadata={"description": "Số không đạt biểu quyết"})


class RecipientOutSchema(OutSchema):
    nomination_id = fields.Integer()
    list_id = fields.Integer()
    subject = fields.String(metadata={"description": "person | unit"})
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    award = fields.String()
    award_label = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "rule | manual"})
    awarded = fields.Boolean()
    result = fields.String()


class DecisionDetailSchema(DecisionOutSchema):
    recipients = fields.List(fields.Nested(RecipientOutSchema))


class TracedAwardSchema(OutSchema):
    year = fields.Integer()
    award = fields.String()
    award_label = fields.String(allow_none=True)
    awarded = fields.Boolean()
    result = fields.String()
    decision_id = fields.Integer()
    number = fields.String()
    date = fields.String()
    signer = fields.String()
    issuer = fields.String()


class TracedSchema(OutSchema):
    items = fields.List(fields.Nested(TracedAwardSchema))


DecisionsPageSchema = page_schema(DecisionOutSchema)


class DecisionCorrectionSchema(BaseSchema):
    """A recorded decision's number, date, signer and issuing body corrected, with a reason."""

    number = fields.String(required=True, validate=Length(max=100))
    date = VnDate(required=True, metadata={"description": "dd/mm/yyyy"})
    signer = fields.String(required=True, validate=Length(max=200))
    issuer = fields.String(required=True, validate=Length(max=300))
    reason = fields.String(required=True, validate=Length(max=1000))
