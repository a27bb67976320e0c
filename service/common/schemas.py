"""Marshmallow base: Vietnamese error messages for every field type, and list arguments."""

from __future__ import annotations

import datetime as dt

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


class BaseSchema(Schema):
    class Meta:
        ordered = True

    error_messages = {
        "unknown": "Trường không được hỗ trợ.",
        "type": "Dữ liệu phải là một đối tượng JSON.",
    }


class ListArgsSchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=Range(1, 500))
    q = fields.String(load_default="", validate=Length(max=200))


def page_body(items, schema, page, per_page, total):
    return {
        "items": schema.dump(items, many=True),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


__all__ = ["BaseSchema", "ListArgsSchema", "ValidationError", "VnDate", "fields", "page_body"]
