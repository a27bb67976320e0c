"""Marshmallow base: Vietnamese error messages for every field type, list arguments, and the
shared response shapes of the API (the error body, a page of a list, a list of items)."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math

from marshmallow import Schema, ValidationError, fields, validate

_MESSAGES = {
    fields.Field: {
        "required": "Bắt buộc nhập.",
        "null": "Không được để trống.",
        "validator_failed": "Giá trị không hợp lệ.",
    },
    fields.String: {"invalid": "Phải là chuỗi ký tự.", "invalid_utf8": "Chuỗi không hợp lệ."},
    fields.Integer: {"invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."},
    fields.Number: {"invalid": "Phải là số.", "too_large": "Số quá lớn."},
    fields.Decimal: {"special": "Phải là số hữu hạn."},
    fields.Boolean: {"invalid": "Phải là đúng/sai (true/false)."},
    fields.Date: {
        "invalid": "Ngày không hợp lệ (dd/mm/yyyy).",
        "format": "Ngày không hợp lệ (dd/mm/yyyy).",
    },
    fields.DateTime: {"invalid": "Thời điểm không hợp lệ."},
    fields.List: {"invalid": "Phải là danh sách."},
    fields.Nested: {"type": "Phải là đối tượng."},
}
for _cls, _msgs in _MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_msgs}


def Length(min=None, max=None):  # noqa: N802 - reads like the marshmallow validator it wraps
    if min and max:
        msg = f"Độ dài phải từ {min} đến {max} ký tự."
    elif max:
        msg = f"Tối đa {max} ký tự."
    else:
        msg = f"Tối thiểu {min} ký tự."
    return validate.Length(min=min, max=max, error=msg)


def Range(min=None, max=None):  # noqa: N802
    return validate.Range(min=min, max=max, error=f"Phải trong khoảng {min}–{max}.")


def OneOf(choices, labels=None):  # noqa: N802
    shown = ", ".join(labels or [str(c) for c in choices])
    return validate.OneOf(choices, error=f"Phải là một trong: {shown}.")


class VnDate(fields.Date):
    """A date written dd/mm/yyyy (the interface's format); ISO yyyy-mm-dd is accepted too."""

    PATTERN = r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*$"

    def __init__(self, *args, **kwargs):
        # documented as what it is: a string dd/mm/yyyy (or yyyy-mm-dd), not an ISO "date"
        kwargs["metadata"] = {
            "format": "dd/mm/yyyy",
            "pattern": self.PATTERN,
            "example": "31/12/2025",
            **kwargs.get("metadata", {}),
        }
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    return dt.datetime.strptime(value.strip(), fmt).date()
                except ValueError:
                    continue
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%d/%m/%Y") if value else None


class VnDecimal(fields.Decimal):
    """A decimal that may be written with a comma ("92,5") as well as a point ("92.5"). With
    `places`, a value with more decimals is refused (5.001 where 2 are allowed), not rounded;
    trailing zeros are no more decimals (5.000 is 5.00)."""

    def __init__(self, places: int | None = None, *args, **kwargs):
        if places is not None:  # documented: a multiple of 0.01 for 2 places
            kwargs["metadata"] = {"multipleOf": float(10**-places), **kwargs.get("metadata", {})}
        super().__init__(places, *args, **kwargs)
        self.error_messages.setdefault("places", f"Tối đa {places} chữ số thập phân.")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super()._deserialize(value, attr, data, **kwargs)

    def _validated(self, value):
        number = super()._validated(value)  # rounded to `places` (marshmallow's _format_num)
        if self.places is not None and decimal.Decimal(str(value)) != number:
            raise self.make_error("places")
        return number


class Integer(fields.Integer):
    """An integer of an input: a number with a fraction (1.5) is refused, not truncated to 1
    as marshmallow's non-strict Integer does; 6.0 and "6" still read as 6."""

    def _validated(self, value):
        if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        if isinstance(value, decimal.Decimal) and value.is_finite() and value % 1:
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def computed(func, type_: str = "string", nullable: bool = False, **metadata):
    """An output field computed from the object, documented with its JSON type."""
    metadata = {"type": type_, **({"nullable": True} if nullable else {}), **metadata}
    return fields.Function(func, metadata=metadata)


# datetimes the API writes as the server's local time, ISO without an offset (not RFC 3339)
LOCAL_DATETIME = {
    "format": "local-date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
    "description": "Giờ máy chủ, dạng ISO 8601 không kèm múi giờ.",
}


class BaseSchema(Schema):
    class Meta:
        ordered = True

    error_messages = {
        "unknown": "Trường không được hỗ trợ.",
        "type": "Dữ liệu phải là một đối tượng JSON.",
    }


class OutSchema(BaseSchema):
    """The body of an answer (documentation): every key is always there, null when empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # this instance's copies, as the document reads them
            field.required = True


class ListArgsSchema(BaseSchema):
    page = Integer(load_default=1, validate=Range(1, 1_000_000))
    per_page = Integer(load_default=50, validate=Range(1, 500))
    q = fields.String(load_default="", validate=Length(max=200))


class ErrorDetailSchema(BaseSchema):
    status = fields.Integer(required=True, metadata={"description": "Mã trạng thái HTTP."})
    message = fields.String(required=True, metadata={"description": "Thông báo (tiếng Việt)."})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Lỗi theo từng trường: tên trường -> danh sách thông báo."},
    )


class ErrorSchema(BaseSchema):
    """Every error of the API: {"error": {"status", "message", "fields"}} (see common/errors)."""

    error = fields.Nested(ErrorDetailSchema, required=True)


@functools.cache
def items_schema(item_schema, name: str | None = None):
    """A response schema {"items": [item, ...]}, named after the item schema (one class for
    each: the OpenAPI document names each schema once)."""
    return _list_schema(item_schema, name or _schema_name(item_schema) + "List")


@functools.cache
def page_schema(item_schema, name: str | None = None):
    """The response schema of page_body: one page of a list and its counts."""
    return _list_schema(
        item_schema,
        name or _schema_name(item_schema) + "Page",
        page=fields.Integer(),
        per_page=fields.Integer(),
        total=fields.Integer(),
        pages=fields.Integer(),
    )


def _list_schema(item_schema, name: str, **extra):
    attrs = {"items": fields.List(fields.Nested(item_schema)), **extra}
    return type(name, (OutSchema,), attrs)


def _schema_name(schema) -> str:
    name = schema.__name__ if isinstance(schema, type) else type(schema).__name__
    return name.removesuffix("Schema")


def page_body(items, schema, page, per_page, total):
    return {
        "items": schema.dump(items, many=True),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


__all__ = [
    "BaseSchema",
    "Integer",
    "ErrorSchema",
    "LOCAL_DATETIME",
    "ListArgsSchema",
    "OutSchema",
    "ValidationError",
    "VnDate",
    "computed",
    "fields",
    "items_schema",
    "page_body",
    "page_schema",
]
