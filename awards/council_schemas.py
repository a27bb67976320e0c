"""Marshmallow schemas of the council API: members, voting sessions (their ballot and, once
closed, their totals), paper totals and a member's vote. No schema has a field that could tell
how a member voted."""

from __future__ import annotations

from marshmallow import fields

from awards.council_models import MODE_LABELS, ROLE_LABELS
from service.common.schemas import (
    LOCAL_DATETIME,
    BaseSchema,
    Integer,
    Length,
    OneOf,
    OutSchema,
    Range,
    computed,
)

_WHEN = {**LOCAL_DATETIME, "description": "Giờ máy chủ, ISO 8601 không kèm múi giờ."}


class MemberInSchema(BaseSchema):
    username = fields.String(
        required=True, validate=Length(1, 80), metadata={"label": "Tên đăng nhập"}
    )
    role = fields.String(
        load_default="member",
        validate=OneOf(list(ROLE_LABELS), list(ROLE_LABELS.values())),
        metadata={"label": "Vai trò", "description": "chair | secretary | member"},
    )


class MemberOutSchema(OutSchema):
    id = fields.Integer()
    year = fields.Integer()
    unit_code = computed(lambda m: m.unit.code)
    username = computed(lambda m: m.user.username)
    full_name = computed(lambda m: m.user.full_name)
    role = fields.String()
    role_label = fields.String()


class MembersSchema(OutSchema):
    year = fields.Integer()
    unit_code = fields.String()
    count = fields.Integer(metadata={"description": "Số thành viên: mẫu số của ngưỡng C10."})
    items = fields.List(fields.Nested(MemberOutSchema))


class SessionInSchema(BaseSchema):
    mode = fields.String(
        load_default="secret",
        validate=OneOf(list(MODE_LABELS), list(MODE_LABELS.values())),
        metadata={"label": "Hình thức", "description": "secret | paper"},
    )
    opens_at = fields.NaiveDateTime(required=True, metadata={"label": "Mở lúc", **_WHEN})
    closes_at = fields.NaiveDateTime(required=True, metadata={"label": "Đóng lúc", **_WHEN})


class VersionSchema(BaseSchema):
    version = Integer(
        load_default=None, validate=Range(1, 2**31 - 1), metadata={"label": "Phiên bản"}
    )


class ItemOutSchema(OutSchema):
    nomination_id = fields.Integer()
    subject = fields.String(metadata={"description": "person | unit"})
    code = fields.String()
    name = fields.String()
    award = fields.String()
    award_name = fields.String()
    rule = fields.String()
    reason = fields.String()
    yes = fields.Integer(
        allow_none=True, metadata={"description": "Số phiếu đồng ý; null khi phiên chưa đóng."}
    )
    no = fields.Integer(
        allow_none=True, metadata={"description": "Số phiếu không đồng ý; null khi chưa đóng."}
    )
    passed = fields.Boolean(
        allow_none=True, metadata={"description": "Kết quả theo C10; null khi chưa công bố."}
    )


class SessionOutSchema(OutSchema):
    id = fields.Integer()
    list_id = fields.Integer()
    year = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    mode = fields.String()
    mode_label = fields.String()
    state = fields.String(metadata={"description": "draft | open | closed | published"})
    state_label = fields.String()
    opens_at = fields.DateTime(metadata=_WHEN)
    closes_at = fields.DateTime(metadata=_WHEN)
    closed_at = fields.DateTime(
        allow_none=True,
        metadata={
            **_WHEN,
            "description": "Lúc phiên thực sự đóng (đóng sớm hoặc hết giờ); null khi chưa đóng.",
        },
    )
    members_count = fields.Integer()
    voters_count = fields.Integer(metadata={"description": "Số thành viên đã bỏ phiếu."})
    totals_shown = fields.Boolean()
    version = fields.Integer()
    items = fields.List(fields.Nested(ItemOutSchema))


class SessionsSchema(OutSchema):
    items = fields.List(fields.Nested(SessionOutSchema))


class PaperRowSchema(BaseSchema):
    nomination_id = Integer(required=True, validate=Range(1, 2**31 - 1))
    yes = Integer(required=True, validate=Range(0, 10_000), metadata={"label": "Đồng ý"})
    no = Integer(required=True, validate=Range(0, 10_000), metadata={"label": "Không đồng ý"})


class PaperTotalsSchema(BaseSchema):
    items = fields.List(fields.Nested(PaperRowSchema), required=True)


class VoteRowSchema(BaseSchema):
    nomination_id = Integer(required=True, validate=Range(1, 2**31 - 1))
    yes = fields.Boolean(required=True, metadata={"description": "true: đồng ý; false: không."})


_MAX_ID = 2**31 - 1
_VOTE_KEYS = {"nomination_id", "yes"}


class VoteList(fields.List):
    """The list of VoteRowSchema rows, read without marshmallow's cost per row when every row
    is already plain ({"nomination_id": int in range, "yes": bool}, nothing else): 200 rows
    in a tenth of the time. Any other list goes through the nested schema, so its values are
    read and its errors worded exactly as VoteRowSchema's."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and all(
            type(row) is dict
            and row.keys() == _VOTE_KEYS
            and type(row["nomination_id"]) is int
            and 1 <= row["nomination_id"] <= _MAX_ID
            and type(row["yes"]) is bool
            for row in value
        ):
            return [{"nomination_id": r["nomination_id"], "yes": r["yes"]} for r in value]
        return super()._deserialize(value, attr, data, **kwargs)


class VoteInSchema(BaseSchema):
    votes = VoteList(fields.Nested(VoteRowSchema), required=True)


class VoteDoneSchema(OutSchema):
    voted = fields.Boolean()
    ballots = fields.Integer(
        metadata={"description": "Số đề nghị đã bỏ phiếu (không ghi nội dung)."}
    )
    message = fields.String()


class MyBallotSchema(OutSchema):
    session_id = fields.Integer()
    year = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    opens_at = fields.DateTime(metadata=_WHEN)
    closes_at = fields.DateTime(metadata=_WHEN)
    voted = fields.Boolean()
    items = fields.List(fields.Nested(ItemOutSchema))


class MyBallotsSchema(OutSchema):
    items = fields.List(fields.Nested(MyBallotSchema))
