"""Marshmallow schemas for units and people (API input and output)."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validates_schema

from service.common.schemas import (
    BaseSchema,
    Integer,
    Length,
    OneOf,
    OutSchema,
    Range,
    VnDate,
    computed,
)
from service.org.models import Category, Gender, PartyStatus

CODE_RE = r"^[A-Za-z0-9._\-/]+$"


def _code(required=True):
    return fields.String(
        required=required,
        validate=[
            Length(1, 50),
            fields.validate.Regexp(CODE_RE, error="Mã chỉ gồm chữ không dấu, số và . _ - /"),
        ],
    )


class UnitInSchema(BaseSchema):
    code = _code()
    name = fields.String(required=True, validate=Length(1, 255))
    kind = fields.String(load_default="", validate=Length(max=100))
    parent_code = fields.String(load_default=None, allow_none=True, validate=Length(max=50))
    quota_root = fields.Boolean(load_default=False)


class UnitUpdateSchema(BaseSchema):
    name = fields.String(validate=Length(1, 255))
    kind = fields.String(validate=Length(max=100))
    parent_code = fields.String(allow_none=True, validate=Length(max=50))
    quota_root = fields.Boolean()


class UnitOutSchema(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent_code = computed(lambda u: u.parent.code if u.parent else None, nullable=True)
    quota_root = fields.Boolean()
    depth = fields.Integer()


class UnitDetailSchema(UnitOutSchema):
    people_count = fields.Integer(
        required=True, metadata={"description": "Số cán bộ của đơn vị và mọi đơn vị cấp dưới."}
    )


class PersonInSchema(BaseSchema):
    code = _code()
    full_name = fields.String(required=True, validate=Length(1, 255))
    birth_date = VnDate(load_default=None, allow_none=True)
    gender = fields.String(
        load_default=None, allow_none=True, validate=OneOf([g.value for g in Gender])
    )
    unit_code = fields.String(required=True, validate=Length(1, 50))
    position = fields.String(load_default="", validate=Length(max=255))
    duty_group = fields.String(load_default="", validate=Length(max=100))
    is_head = fields.Boolean(load_default=False)
    category = fields.String(
        load_default=None, allow_none=True, validate=OneOf([c.value for c in Category])
    )
    is_party_member = fields.Boolean(load_default=False)
    party_unit_code = fields.String(load_default=None, allow_none=True, validate=Length(max=50))
    admitted_on = VnDate(load_default=None, allow_none=True)
    party_gap_days = Integer(load_default=0, validate=Range(0, 36500))
    party_status = fields.String(
        load_default=None, allow_none=True, validate=OneOf([s.value for s in PartyStatus])
    )
    seriously_ill = fields.Boolean(load_default=False)

    @validates_schema
    def _consistent(self, data, **kwargs):
        check_person_consistency(data)


class PersonUpdateSchema(PersonInSchema):
    """Same fields as PersonInSchema, loaded with partial=True (PATCH)."""


def check_person_consistency(data: dict) -> None:
    """Cross-field checks shared by the API and the spreadsheet import."""
    errors = {}
    today = dt.date.today()
    bd = data.get("birth_date")
    if bd and not (dt.date(1900, 1, 1) <= bd <= today):
        errors["birth_date"] = ["Ngày sinh phải từ 01/01/1900 đến hôm nay."]
    adm = data.get("admitted_on")
    if adm and adm > today:
        errors["admitted_on"] = ["Ngày vào Đảng không được sau hôm nay."]
    if not data.get("is_party_member", True):
        for key in ("party_unit_code", "admitted_on", "party_status"):
            if data.get(key):
                errors.setdefault(key, []).append("Chỉ nhập khi là đảng viên.")
    if errors:
        raise ValidationError(errors)


class PersonOutSchema(OutSchema):
    id = fields.Integer()
    code = fields.String()
    full_name = fields.String()
    birth_date = VnDate(allow_none=True)
    gender = computed(lambda p: p.gender.value if p.gender else None, nullable=True)
    unit_code = computed(lambda p: p.unit.code)
    unit_name = computed(lambda p: p.unit.name)
    position = fields.String()
    duty_group = fields.String()
    is_head = fields.Boolean()
    category = computed(lambda p: p.category.value if p.category else None, nullable=True)
    is_party_member = fields.Boolean()
    party_unit_code = computed(lambda p: p.party_unit.code if p.party_unit else None, nullable=True)
    admitted_on = VnDate(allow_none=True)
    party_gap_days = fields.Integer()
    party_status = computed(
        lambda p: p.party_status.value if p.party_status else None, nullable=True
    )
    seriously_ill = fields.Boolean()


unit_in = UnitInSchema()
unit_update = UnitUpdateSchema()
unit_out = UnitOutSchema()
person_in = PersonInSchema()
person_update = PersonUpdateSchema(partial=True)
person_out = PersonOutSchema()
