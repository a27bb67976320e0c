"""Marshmallow schemas of the public consultation (issue 13 item 3): a year's public holidays
(/years/<y>/holidays) and a list's consultation with its comments."""

from __future__ import annotations

from marshmallow import fields

from service.common.schemas import BaseSchema, Integer, Length, OutSchema, Range, VnDate


class HolidaySchema(BaseSchema):
    date = VnDate(required=True, metadata={"label": "Ngày"})
    name = fields.String(
        required=True, validate=Length(1, 200), metadata={"label": "Tên ngày nghỉ"}
    )


class HolidayOutSchema(OutSchema):
    date = VnDate()
    name = fields.String()


class HolidaysSchema(OutSchema):
    year = fields.Integer()
    edited = fields.Boolean(metadata={"description": "false: lịch mặc định (chưa sửa)."})
    version = fields.Integer()
    editable = fields.Boolean(metadata={"description": "Người dùng được sửa lịch."})
    items = fields.List(fields.Nested(HolidayOutSchema))


class HolidaysPutSchema(BaseSchema):
    """The whole calendar of the year, with the version it was loaded with."""

    items = fields.List(
        fields.Nested(HolidaySchema),
        required=True,
        validate=Length(0, 100),
        metadata={"label": "Ngày nghỉ"},
    )
    version = Integer(required=True, validate=Range(1, 2**31 - 1), metadata={"label": "Phiên bản"})


class CommentInSchema(BaseSchema):
    author_name = fields.String(
        required=True, validate=Length(1, 200), metadata={"label": "Người góp ý"}
    )
    author_address = fields.String(
        load_default="", validate=Length(0, 300), metadata={"label": "Đơn vị / địa chỉ"}
    )
    content = fields.String(required=True, validate=Length(1, 4000), metadata={"label": "Nội dung"})
    received_on = VnDate(required=True, metadata={"label": "Ngày nhận"})


class CommentOutSchema(OutSchema):
    id = fields.Integer()
    author_name = fields.String()
    author_address = fields.String()
    content = fields.String()
    received_on = VnDate()
    entered_by = fields.String(allow_none=True, metadata={"description": "Người nhập."})
    entered_at = fields.DateTime(format="%d/%m/%Y %H:%M")


class ConsultationSchema(OutSchema):
    list_id = fields.Integer()
    needed = fields.Boolean(
        metadata={"description": "Danh sách có đề nghị khen thưởng cấp Nhà nước."}
    )
    awards = fields.List(fields.String(), metadata={"description": "Các mã cấp Nhà nước."})
    published = fields.Boolean()
    published_at = fields.DateTime(format="%d/%m/%Y %H:%M", allow_none=True)
    published_on = VnDate(allow_none=True)
    published_by = fields.String(allow_none=True)
    window_days = fields.Integer(metadata={"description": "Số ngày làm việc lấy ý kiến."})
    ends_on = VnDate(
        allow_none=True, metadata={"description": "Hết thời gian lấy ý kiến vào cuối ngày này."}
    )
    days_left = fields.Integer(allow_none=True, metadata={"description": "Ngày làm việc còn lại."})
    elapsed = fields.Boolean(metadata={"description": "Đã hết thời gian lấy ý kiến."})
    may_publish = fields.Boolean()
    may_comment = fields.Boolean()
    comments = fields.List(fields.Nested(CommentOutSchema))
