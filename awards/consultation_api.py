"""The public consultation API (routes added to awards.api.blp; issue 13 item 3): the public
holidays of a year (read by award readers, replaced by administrators), a list's consultation
(publish, read) and the comments received."""

from __future__ import annotations

from flask_login import current_user

from awards import consultation as ops
from awards.api import blp
from awards.consultation_schemas import (
    CommentInSchema,
    CommentOutSchema,
    ConsultationSchema,
    HolidaysPutSchema,
    HolidaysSchema,
)
from awards.holidays import calendar_out, replace_holidays
from awards.lists import visible_list
from service.auth.access import can
from service.common.errors import Forbidden

holidays_out = HolidaysSchema()
consultation_out = ConsultationSchema()
comment_out = CommentOutSchema()


@blp.route("/years/<int:year>/holidays")
@blp.answers(200, HolidaysSchema)
@blp.errors(403, 404)
def get_holidays(year):
    """Lịch nghỉ lễ của năm (ngày, tên): các ngày không tính là ngày làm việc khi đếm thời
    gian lấy ý kiến. Chưa sửa thì là lịch mặc định theo Bộ luật Lao động (Tết Nguyên đán, Giỗ
    Tổ Hùng Vương chỉ có sẵn cho 2024–2027). Năm không phải năm đánh giá đã mở hoặc năm ngay
    sau một năm đã mở: 404."""
    if not can(current_user, "award.read"):
        raise Forbidden()
    return holidays_out.dump(calendar_out(current_user, year))


@blp.route("/years/<int:year>/holidays", methods=["PUT"])
@blp.arguments(HolidaysPutSchema)
@blp.answers(200, HolidaysSchema)
@blp.errors(400, 403, 404, 409)
def put_holidays(data, year):
    """Thay toàn bộ lịch nghỉ lễ của năm (quản trị viên; Chính phủ công bố lịch nghỉ thực tế
    hằng năm). Mỗi ngày thuộc năm, không trùng, có tên. Gửi kèm `version` đã đọc: đã bị sửa ở
    nơi khác thì 409. Thời gian lấy ý kiến đang tính qua năm đó được tính lại."""
    return holidays_out.dump(replace_holidays(current_user, year, data["items"], data["version"]))


@blp.route("/award-lists/<int:list_id>/consultation")
@blp.answers(200, ConsultationSchema)
@blp.errors(404)
def get_consultation(list_id):
    """Lấy ý kiến công khai của danh sách: có cần không (đề nghị khen thưởng cấp Nhà nước),
    ngày công bố, hết hạn vào cuối ngày `ends_on`, số ngày làm việc còn lại, các ý kiến."""
    lst = visible_list(current_user, list_id)
    return consultation_out.dump(ops.state_out(current_user, lst))


@blp.route("/award-lists/<int:list_id>/consultation", methods=["POST"])
@blp.answers(201, ConsultationSchema)
@blp.errors(403, 404, 409)
def publish_consultation(list_id):
    """«Công bố lấy ý kiến» (cán bộ được gửi duyệt danh sách, khi danh sách đang lập hoặc bị
    trả lại): danh sách có đề nghị khen thưởng cấp Nhà nước chỉ gửi duyệt được sau 7 ngày làm
    việc kể từ sau ngày công bố. Danh sách không cần lấy ý kiến hoặc đã công bố: 409."""
    lst = visible_list(current_user, list_id)
    ops.publish(current_user, lst)
    return consultation_out.dump(ops.state_out(current_user, lst)), 201


@blp.route("/award-lists/<int:list_id>/consultation/comments", methods=["POST"])
@blp.arguments(CommentInSchema)
@blp.answers(201, CommentOutSchema)
@blp.errors(400, 403, 404, 409)
def add_consultation_comment(data, list_id):
    """Ghi một ý kiến nhận được khi lấy ý kiến: người góp ý, đơn vị / địa chỉ, nội dung, ngày
    nhận (dd/mm/yyyy, từ ngày công bố đến hôm nay). Danh sách chưa công bố: 409."""
    lst = visible_list(current_user, list_id)
    row = ops.add_comment(current_user, lst, data)
    return comment_out.dump(ops.comment_out(row)), 201
