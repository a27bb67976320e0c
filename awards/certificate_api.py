"""The certificates API (routes added to awards.api.blp): a decision's (or a decided list's)
Bằng khen, Giấy khen as one PDF, full design or fields only on the pre-printed blank; the
blanks' layouts per award code, their edit and their test print."""

from __future__ import annotations

import io

from flask import send_file
from flask_login import current_user

from awards import certificates as certs
from awards import decisions
from awards.api import blp
from awards.certificate_schemas import CertificateArgs, LayoutInSchema, LayoutOutSchema
from service.auth.access import can
from service.common.documents import PDF
from service.common.errors import Forbidden, NotFound

PDF_BODY = {"type": "string", "format": "binary"}
layout_out = LayoutOutSchema()


def _require_read() -> None:
    if not can(current_user, "award.read"):
        raise Forbidden()


def _require_layouts() -> None:
    if not certs.can_read_layouts(current_user):
        raise Forbidden("Bạn không có quyền xem, sửa vị trí in bằng khen, giấy khen.")


def send_pdf(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=PDF, as_attachment=True, download_name=name)


def file_name(d, mode: str, nomination: int | None = None) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in d.number).strip("-") or str(d.id)
    return f"khen_thuong_{stem}_{mode}{f'_{nomination}' if nomination else ''}.pdf"


@blp.route("/decisions/<int:decision_id>/certificates.pdf")
@blp.arguments(CertificateArgs, location="query")
@blp.answers(200, PDF_BODY, "Tệp .pdf", content_type=PDF)
@blp.errors(400, 403, 404)
def decision_certificates(args, decision_id):
    """Bằng khen, giấy khen (giấy chứng nhận danh hiệu) của quyết định: một tệp PDF, mỗi người
    (tập thể) được khen thưởng một trang, theo thứ tự của trang quyết định. `mode=full`: mẫu
    đầy đủ trên giấy trắng (A4 ngang); `mode=blank`: chỉ in chữ tại vị trí đã lưu của phôi.
    `nomination`: chỉ một người; người không đạt biểu quyết, hoặc trên danh sách chưa có quyết
    định: 400, không in gì. Nhiều hơn một lần in (CERTIFICATE_MAX_PAGES): 400, in từng phần
    `part=1, 2, …`."""
    _require_read()
    d = decisions.visible_decision(current_user, decision_id)
    rows = certs.part_rows(
        certs.certificate_rows(current_user, d, args["nomination"]), args["part"]
    )
    data = certs.decision_pdf(d, args["mode"], rows)
    return send_pdf(data, file_name(d, args["mode"], args["nomination"]))


@blp.route("/award-lists/<int:list_id>/certificates.pdf")
@blp.arguments(CertificateArgs, location="query")
@blp.answers(200, PDF_BODY, "Tệp .pdf", content_type=PDF)
@blp.errors(400, 403, 404)
def list_certificates(args, list_id):
    """Bằng khen, giấy khen của những người được khen thưởng trên một danh sách đã có quyết
    định (như của quyết định, chỉ danh sách này); danh sách chưa được quyết định: 400."""
    _require_read()
    d = certs.decision_of_list(current_user, list_id)
    rows = certs.certificate_rows(current_user, d, args["nomination"], list_id=list_id)
    data = certs.decision_pdf(d, args["mode"], certs.part_rows(rows, args["part"]))
    return send_pdf(data, file_name(d, args["mode"], args["nomination"]))


@blp.route("/certificate-layouts/<code>")
@blp.answers(200, LayoutOutSchema)
@blp.errors(403, 404)
def get_layout(code):
    """Vị trí in trên phôi của một mã danh hiệu, khen thưởng (mm tính từ góc trên bên trái,
    cỡ chữ pt); mã chưa lưu trả về vị trí mặc định (`stored` false)."""
    _require_layouts()
    if code not in certs.CERTIFICATE_KINDS:
        raise NotFound(f"Mã {code} không có bằng khen, giấy khen để in.")
    layout, version, stored = certs.layout_of(code)
    return layout_out.dump(certs.layout_out(code, layout, version, stored))


@blp.route("/certificate-layouts/<code>", methods=["PUT"])
@blp.arguments(LayoutInSchema)
@blp.answers(200, LayoutOutSchema)
@blp.errors(400, 403, 404, 409)
def put_layout(data, code):
    """Lưu vị trí in trên phôi của một mã (khổ, chiều giấy, từng ô chữ), gửi kèm `version`
    đã đọc: đã bị sửa ở nơi khác thì 409; ô chữ ra ngoài trang: 400."""
    return layout_out.dump(certs.update_layout(current_user, code, data))


@blp.route("/certificate-layouts/<code>/test.pdf")
@blp.answers(200, PDF_BODY, "Tệp .pdf", content_type=PDF)
@blp.errors(403, 404)
def test_print(code):
    """In thử: một trang với chữ mẫu tại vị trí đã lưu, trên lưới mm, để đặt lên phôi."""
    _require_layouts()
    return send_pdf(certs.sample_print_pdf(code), f"in_thu_{code}.pdf")
