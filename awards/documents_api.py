"""The Word documents API (routes added to awards.api.blp): a list's tờ trình and quyết định,
a nomination's báo cáo thành tích, a voting session's biên bản (and its place and attendance),
and the replaceable templates (administrators: status, download, upload, reset)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from awards import council, lists
from awards import documents as docs
from awards.api import blp
from awards.docfields import KINDS
from awards.documents_schemas import (
    DocTemplateSchema,
    DocTemplatesSchema,
    MinutesInSchema,
    MinutesOutSchema,
)
from service.auth.access import is_admin
from service.common.errors import Forbidden, ValidationError
from service.common.word import DOCX, send_docx

DOCX_BODY = {"type": "string", "format": "binary"}
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}
template_out = DocTemplateSchema()
minutes_out = MinutesOutSchema()


@blp.route("/award-lists/<int:list_id>/documents/<any('to-trinh', 'quyet-dinh'):kind>")
@blp.answers(200, DOCX_BODY, "Tệp .docx", content_type=DOCX)
@blp.errors(404, 409)
def list_document(list_id, kind):
    """Tờ trình đề nghị khen thưởng (I. Cá nhân, II. Tập thể) hoặc quyết định khen thưởng kèm
    phụ lục (chỉ khi danh sách đã có quyết định: 409 nếu chưa) của một danh sách, dạng Word."""
    lst = lists.visible_list(current_user, list_id)
    content, name = docs.list_document(lst, docs.kind_by_slug(kind))
    return send_docx(content, name)


@blp.route("/nominations/<int:nomination_id>/documents/bao-cao-thanh-tich")
@blp.answers(200, DOCX_BODY, "Tệp .docx", content_type=DOCX)
@blp.errors(404, 409)
def nomination_document(nomination_id):
    """Báo cáo thành tích của một đề nghị (lý do và số liệu theo quy định, thông tin cá nhân
    hoặc tập thể), dạng Word."""
    nom = lists.visible_nomination(current_user, nomination_id)
    content, name = docs.nomination_document(nom)
    return send_docx(content, name)


@blp.route("/voting-sessions/<int:session_id>/documents/bien-ban")
@blp.answers(200, DOCX_BODY, "Tệp .docx", content_type=DOCX)
@blp.errors(404, 409)
def session_document(session_id):
    """Biên bản họp hội đồng của một phiên bỏ phiếu đã đóng hoặc đã công bố: thời gian, địa
    điểm, chủ tịch, thư ký, số thành viên có mặt, kết quả từng đề nghị và ngưỡng (C10). Không
    bao giờ có ai bầu thế nào."""
    session = council.visible_session(current_user, session_id)
    content, name = docs.session_document(session)
    return send_docx(content, name)


@blp.route("/voting-sessions/<int:session_id>/minutes", methods=["PUT"])
@blp.arguments(MinutesInSchema)
@blp.answers(200, MinutesOutSchema)
@blp.errors(403, 404)
def set_minutes(data, session_id):
    """Địa điểm họp và (phiếu giấy) số thành viên có mặt, ghi vào biên bản."""
    session = council.visible_session(current_user, session_id)
    return minutes_out.dump(docs.set_minutes(current_user, session, data))


def _admin() -> None:
    if not is_admin(current_user):
        raise Forbidden(docs.ADMIN_ONLY)


@blp.route("/doc-templates")
@blp.answers(200, DocTemplatesSchema)
@blp.errors(403)
def doc_templates():
    """Các mẫu văn bản Word (quản trị viên): loại, các trường dùng được, đang dùng mẫu tải lên
    hay mẫu gốc, lần thay đổi gần nhất."""
    _admin()
    return {"items": [template_out.dump(docs.template_status(k)) for k in KINDS.values()]}


@blp.route("/doc-templates/<kind>")
@blp.answers(200, DOCX_BODY, "Tệp .docx", content_type=DOCX)
@blp.errors(403, 404)
def download_template(kind):
    """Tải mẫu đang dùng của một loại văn bản (quản trị viên)."""
    _admin()
    found = docs.kind_by_slug(kind)
    return send_docx(docs.template_bytes(found), f"mau_{found.key}.docx")


@blp.route("/doc-templates/<kind>", methods=["PUT"])
@blp.doc(requestBody=UPLOAD_BODY)
@blp.answers(200, DocTemplateSchema)
@blp.errors(400, 403, 404)
def upload_template(kind):
    """Thay mẫu của một loại văn bản (trường `file`, multipart, tệp .docx). Tệp không phải
    .docx, hoặc mẫu dùng trường không có trong danh sách trường của loại văn bản (nêu tên
    trường): 400, không lưu gì."""
    _admin()
    found = docs.kind_by_slug(kind)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Chưa chọn tệp mẫu.", {"file": ["Bắt buộc chọn tệp .docx."]})
    status = docs.upload_template(current_user, found, upload.read(), upload.filename)
    return template_out.dump(status)


@blp.route("/doc-templates/<kind>", methods=["DELETE"])
@blp.answers(200, DocTemplateSchema)
@blp.errors(403, 404)
def reset_template(kind):
    """Trở lại mẫu gốc của loại văn bản (quản trị viên)."""
    _admin()
    return template_out.dump(docs.reset_template(current_user, docs.kind_by_slug(kind)))
