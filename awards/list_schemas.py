"""Marshmallow schemas of the award lists API (RULES.md C9, C11)."""

from __future__ import annotations

from marshmallow import fields

from awards.models import DECISION_LEVELS
from awards.schemas import ProposalOutSchema, _version
from awards.workflow import ACTIONS
from service.common.schemas import (
    BaseSchema,
    Length,
    ListArgsSchema,
    OneOf,
    OutSchema,
    VnDate,
    page_schema,
)

SUBJECTS = ("person", "unit")
FIELD_LABELS = {
    "reason": "Lý do",
    "award": "Danh hiệu, hình thức khen thưởng",
    "decision_signer": "Người ký",
    "decision_level": "Cấp quyết định",
    "decision_issuer": "Cơ quan ban hành",
    "decision_unit": "Đơn vị ban hành",
    "subject": "Cá nhân hay tập thể",
    "action": "Thao tác",
}


class ProposeSchema(BaseSchema):
    unit = fields.String(
        load_default=None,
        validate=Length(1, 50),
        metadata={
            "label": "Mã đơn vị",
            "description": "Lập danh sách của đơn vị này (cả cấp dưới); mặc định: các đơn vị "
            "cao nhất trong phạm vi của người dùng.",
        },
    )


class ListActionSchema(BaseSchema):
    action = fields.String(
        required=True,
        validate=OneOf(list(ACTIONS)),
        metadata={"description": " | ".join(ACTIONS)},
    )
    version = _version()
    reason = fields.String(load_default="", validate=Length(max=1000))
    decision_no = fields.String(load_default="", validate=Length(max=100))
    decision_date = VnDate(load_default=None)
    decision_signer = fields.String(load_default="", validate=Length(max=200))
    decision_level = fields.String(
        load_default="co_so",
        validate=OneOf(list(DECISION_LEVELS)),
        metadata={"description": " | ".join(DECISION_LEVELS)},
    )
    decision_unit = fields.String(
        load_default="",
        validate=Length(max=50),
        metadata={
            "description": "Mã đơn vị ban hành: đơn vị của danh sách (mặc định) hoặc cấp trên; "
            "một quyết định của cấp trên có thể quyết định danh sách của nhiều đơn vị."
        },
    )
    decision_issuer = fields.String(
        load_default="",
        validate=Length(max=300),
        metadata={"description": "Cơ quan ban hành; mặc định: tên đơn vị của danh sách."},
    )


# a change of one row: `version` (the list's, as the page was loaded) may be sent, and is not
# compared: changes of different rows made from one loading all count (awards.lists)
class NominationInSchema(BaseSchema):
    subject = fields.String(required=True, validate=OneOf(list(SUBJECTS)))
    code = fields.String(required=True, validate=Length(1, 50), metadata={"label": "Mã"})
    award = fields.String(required=True, validate=Length(1, 20))
    reason = fields.String(required=True, validate=Length(1, 1000))
    version = _version(required=False)


class RemoveSchema(BaseSchema):
    reason = fields.String(required=True, validate=Length(1, 1000))
    version = _version(required=False)


class RestoreSchema(BaseSchema):
    version = _version(required=False)


class NominationArgs(ListArgsSchema):
    status = fields.String(
        load_default=None,
        validate=OneOf(["proposed", "manual", "over_cap", "blocked", "removed"]),
    )


class ActionOutSchema(OutSchema):
    action = fields.String()
    label = fields.String()
    needs_reason = fields.Boolean()


class CountsSchema(OutSchema):
    proposed = fields.Integer()
    manual = fields.Integer()
    over_cap = fields.Integer()
    blocked = fields.Integer()
    removed = fields.Integer()


class AwardListOutSchema(OutSchema):
    id = fields.Integer()
    year = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    state = fields.String(
        metadata={"description": "draft | submitted | approved | returned | decided"}
    )
    state_label = fields.String()
    version = fields.Integer()
    provisional = fields.Boolean(
        metadata={"description": "Có đề nghị dựa trên xếp loại chưa phê duyệt: chưa gửi được."}
    )
    proposed_at = fields.String(allow_none=True, metadata={"description": "dd/mm/yyyy hh:mm"})
    return_reason = fields.String(allow_none=True)
    decision_no = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True, metadata={"description": "dd/mm/yyyy"})
    decision_signer = fields.String(allow_none=True)
    decision_id = fields.Integer(
        allow_none=True, metadata={"description": "Quyết định trong sổ quyết định"}
    )
    counts = fields.Nested(CountsSchema)
    actions = fields.List(fields.Nested(ActionOutSchema))


class AwardListsSchema(OutSchema):
    items = fields.List(fields.Nested(AwardListOutSchema))


class NominationOutSchema(ProposalOutSchema):
    id = fields.Integer()
    list_id = fields.Integer()
    status_label = fields.String()
    source = fields.String(metadata={"description": "rule | manual"})
    reason = fields.String(allow_none=True, metadata={"description": "Lý do đề nghị (C9)."})
    removed_reason = fields.String(allow_none=True)
    passed = fields.Boolean(
        allow_none=True, metadata={"description": "Kết quả biểu quyết (C10); null: chưa bầu."}
    )


NominationsPageSchema = page_schema(NominationOutSchema)
