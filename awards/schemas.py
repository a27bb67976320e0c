"""Marshmallow schemas of the awards API: the registry of initiatives (input and output)."""

from __future__ import annotations

from marshmallow import fields, validate

from awards.models import KIND_LABELS, LEVEL_LABELS, LEVELS
from service.common.schemas import (
    BaseSchema,
    Integer,
    Length,
    ListArgsSchema,
    OneOf,
    OutSchema,
    Range,
    VnDate,
    computed,
)

MAX_AUTHORS = 30
FIELD_LABELS = {
    "title": "Tên",
    "level": "Cấp công nhận",
    "person_codes": "Mã tác giả",
    "decision_no": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "person": "Mã cán bộ",
    "unit": "Mã đơn vị",
    "opens_at": "Thời điểm mở",
    "closes_at": "Thời điểm đóng",
}
_CODE = fields.String(validate=Length(1, 50))
_AUTHORS = validate.Length(max=MAX_AUTHORS, error=f"Tối đa {MAX_AUTHORS} tác giả.")


def _meta(name: str, **extra) -> dict:
    return {"metadata": {"label": FIELD_LABELS.get(name, name), **extra}}


def _kind(**kw):
    return fields.String(
        validate=OneOf(list(KIND_LABELS), list(KIND_LABELS.values())),
        metadata={"label": "Loại", "description": "sang_kien | de_tai | mo_hinh"},
        **kw,
    )


def _level(**kw):
    return fields.String(
        validate=OneOf(list(LEVELS), list(LEVEL_LABELS.values())),
        **_meta("level", description="co_so | thanh_pho | toan_quoc"),
        **kw,
    )


def _version(required: bool = True):
    optional = {} if required else {"load_default": None}
    return Integer(
        required=required,
        validate=Range(1, 2**31 - 1),
        metadata={"label": "Phiên bản"},
        **optional,
    )


class InitiativeInSchema(BaseSchema):
    """A new entry: a mô hình names its unit, a sáng kiến or đề tài its authors."""

    year = Integer(required=True, validate=Range(2000, 2100), metadata={"label": "Năm"})
    kind = _kind(required=True)
    title = fields.String(required=True, validate=Length(1, 500), **_meta("title"))
    level = _level(required=True)
    person_codes = fields.List(
        _CODE,
        load_default=list,
        validate=_AUTHORS,
        **_meta("person_codes", description="Tác giả của sáng kiến, đề tài."),
    )
    unit_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(1, 50),
        metadata={"label": "Mã đơn vị", "description": "Đơn vị sở hữu mô hình."},
    )
    decision_no = fields.String(load_default="", validate=Length(max=100), **_meta("decision_no"))
    decision_date = VnDate(load_default=None, allow_none=True, **_meta("decision_date"))


class InitiativeUpdateSchema(BaseSchema):
    """A change: any of the fields, with the version the form was loaded with."""

    year = Integer(validate=Range(2000, 2100), metadata={"label": "Năm"})
    kind = _kind()
    title = fields.String(validate=Length(1, 500), **_meta("title"))
    level = _level()
    person_codes = fields.List(_CODE, validate=_AUTHORS, **_meta("person_codes"))
    unit_code = fields.String(
        allow_none=True, validate=Length(1, 50), metadata={"label": "Mã đơn vị"}
    )
    decision_no = fields.String(validate=Length(max=100), **_meta("decision_no"))
    decision_date = VnDate(allow_none=True, **_meta("decision_date"))
    version = _version()


class InitiativeDeleteSchema(BaseSchema):
    reason = fields.String(required=True, validate=Length(1, 2000), metadata={"label": "Lý do"})
    version = _version()


class InitiativeListArgs(ListArgsSchema):
    year = Integer(load_default=None, validate=Range(2000, 2100), metadata={"label": "Năm"})
    unit = fields.String(load_default=None, validate=Length(1, 50), **_meta("unit"))
    person = fields.String(load_default=None, validate=Length(1, 50), **_meta("person"))
    kind = _kind(load_default=None)
    level = _level(load_default=None)


class AuthorOutSchema(OutSchema):
    code = computed(lambda a: a.person.code)
    full_name = computed(lambda a: a.person.full_name)
    unit_code = computed(lambda a: a.person.unit.code)


class InitiativeOutSchema(OutSchema):
    id = fields.Integer()
    year = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    level = fields.String()
    level_label = fields.String()
    unit_code = computed(lambda i: i.unit.code if i.unit else None, nullable=True)
    unit_name = computed(lambda i: i.unit.name if i.unit else None, nullable=True)
    authors = fields.List(fields.Nested(AuthorOutSchema))
    decision_no = fields.String()
    decision_date = computed(
        lambda i: i.decision_date.strftime("%d/%m/%Y") if i.decision_date else None,
        nullable=True,
        description="dd/mm/yyyy",
    )
    version = fields.Integer()
    quantity = fields.Integer(metadata={"description": "Số lượng (mục không tên: số của cột)."})
    source = fields.String(
        metadata={"description": "registry (nhập tay, tệp «Sáng kiến, mô hình») | person_eval "
                  "| history: mục không tên ghi từ cột số sáng kiến, không sửa, xóa ở đây."}
    )  # fmt: skip
    unnamed = fields.Boolean()
    display_title = fields.String(metadata={"description": "Tên, hoặc nguồn của mục không tên."})


initiative_out = InitiativeOutSchema()


# --- proposals (read-only) -------------------------------------------------------------------


class ProposalArgs(ListArgsSchema):
    unit = fields.String(load_default=None, validate=Length(1, 50), **_meta("unit"))


class StepOutSchema(OutSchema):
    rule = fields.String(metadata={"description": "Mã quy tắc (RULES.md C, P)."})
    text = fields.String(metadata={"description": "Lý do, kèm số liệu."})


class ProposalOutSchema(OutSchema):
    subject = fields.String(metadata={"description": "person | unit"})
    code = fields.String()
    name = fields.String()
    unit = fields.String(metadata={"description": "Mã đơn vị (của cán bộ, hoặc chính đơn vị)."})
    unit_name = fields.String()
    award = fields.String(allow_none=True, metadata={"description": "Mã danh hiệu, khen thưởng."})
    award_name = fields.String(allow_none=True)
    award_label = fields.String(allow_none=True, metadata={"description": "Tên đầy đủ (mã)."})
    status = fields.String(
        metadata={
            "description": "proposed | over_cap | blocked; on a stored list also manual, and "
            "submitted | approved | returned | decided (the list's state) for what it nominates"
        }
    )
    rule = fields.String()
    why = fields.List(fields.Nested(StepOutSchema))
    occasion = fields.String(allow_none=True, metadata={"description": "Dịp xét (P4), dd/mm/yyyy."})
    provisional = fields.Boolean(
        metadata={"description": "Dựa trên xếp loại của danh sách chưa được phê duyệt."}
    )


class BadgeOutSchema(OutSchema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    badge = fields.String()
    badge_name = fields.String()
    party_age = fields.Integer()
    reach_date = fields.String(metadata={"description": "dd/mm/yyyy"})
    status = fields.String(metadata={"description": "due | waiting"})
    until = fields.String(
        allow_none=True, metadata={"description": "Kỷ luật Đảng còn hiệu lực đến ngày (không kể)."}
    )
    decided = fields.String(
        allow_none=True,
        metadata={"description": "Quyết định đã trao huy hiệu này trong năm: «Số … ngày …»"},
    )
    why = fields.List(fields.Nested(StepOutSchema))


class OccasionOutSchema(OutSchema):
    date = fields.String(metadata={"description": "dd/mm/yyyy"})
    due = fields.List(fields.Nested(BadgeOutSchema))
    waiting = fields.List(fields.Nested(BadgeOutSchema))


class ProposalsPageSchema(OutSchema):
    year = fields.Integer()
    unit = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ProposalOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
    occasions = fields.List(fields.Nested(OccasionOutSchema))
