"""Marshmallow schemas for users, roles and API tokens."""

from __future__ import annotations

from marshmallow import fields

from service.auth.models import Role
from service.common.schemas import (
    LOCAL_DATETIME,
    BaseSchema,
    Length,
    OneOf,
    OutSchema,
    computed,
    items_schema,
)

ROLE_VALUES = [r.value for r in Role]


class RoleInSchema(BaseSchema):
    role = fields.String(required=True, validate=OneOf(ROLE_VALUES))
    unit_code = fields.String(load_default=None, allow_none=True, validate=Length(max=50))


class UserInSchema(BaseSchema):
    username = fields.String(
        required=True,
        validate=[
            Length(3, 80),
            fields.validate.Regexp(
                r"^[a-zA-Z0-9._-]+$", error="Chỉ gồm chữ không dấu, số và . _ -"
            ),
        ],
    )
    full_name = fields.String(load_default="", validate=Length(max=255))
    password = fields.String(required=True, load_only=True, validate=Length(8, 128))
    roles = fields.List(fields.Nested(RoleInSchema), load_default=list)


class UserUpdateSchema(BaseSchema):
    full_name = fields.String(validate=Length(max=255))
    password = fields.String(load_only=True, validate=Length(8, 128))
    active = fields.Boolean()
    person_code = fields.String(
        allow_none=True,
        validate=Length(max=50),
        metadata={"description": "Mã cán bộ của chính người dùng này; null: bỏ gắn."},
    )


class AccountsInSchema(BaseSchema):
    subunits = fields.Boolean(
        load_default=False, metadata={"description": "Cả cán bộ của các đơn vị cấp dưới"}
    )


class AccountCreatedSchema(OutSchema):
    username = fields.String()
    person_code = fields.String()
    full_name = fields.String()
    password = fields.String(metadata={"description": "Mật khẩu ban đầu; chỉ hiện một lần."})


class AccountsCreatedSchema(OutSchema):
    unit_code = fields.String()
    items = fields.List(fields.Nested(AccountCreatedSchema))


class PasswordChangeSchema(BaseSchema):
    current = fields.String(required=True, load_only=True, validate=Length(1, 128))
    new = fields.String(required=True, load_only=True, validate=Length(8, 128))


class RoleOutSchema(OutSchema):
    id = fields.Integer()
    role = computed(lambda r: r.role.value, enum=ROLE_VALUES)
    unit_code = computed(lambda r: r.unit.code if r.unit else None, nullable=True)


class UserOutSchema(OutSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    active = fields.Boolean()
    person_code = computed(lambda u: u.person.code if u.person else None, nullable=True)
    must_change_password = fields.Boolean()
    roles = fields.List(fields.Nested(RoleOutSchema))


class TokenInSchema(BaseSchema):
    name = fields.String(required=True, validate=Length(1, 100))


class TokenOutSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime(metadata=LOCAL_DATETIME)
    last_used_at = fields.DateTime(allow_none=True, metadata=LOCAL_DATETIME)
    revoked_at = fields.DateTime(allow_none=True, metadata=LOCAL_DATETIME)


class TokenCreatedSchema(TokenOutSchema):
    token = fields.String(
        required=True, metadata={"description": "Mã truy cập; chỉ hiện một lần trong câu trả lời."}
    )


TokenListSchema = items_schema(TokenOutSchema)


user_out = UserOutSchema()
role_out = RoleOutSchema()
token_out = TokenOutSchema()
