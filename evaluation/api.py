"""JSON API of the yearly evaluation, under /api/v1/years/<year>/…"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from evaluation import operations as ops
from evaluation import queries as q
from evaluation.schemas import (
    DASHBOARD_UNIT,
    CatalogItemOutSchema,
    CatalogItemSchema,
    CatalogListSchema,
    CatalogUpdateSchema,
    ComputeSchema,
    DashboardSchema,
    HistoryListSchema,
    HistoryOutSchema,
    HistorySchema,
    LevelChoiceSchema,
    PackSchema,
    PeopleEvaluationsSchema,
    PersonEvalOutSchema,
    PersonEvalSchema,
    PersonRatingsSchema,
    QuotaOverrideOutSchema,
    QuotaOverrideSchema,
    RatingOutSchema,
    ReasonSchema,
    ReviewOutSchema,
    StaleRowErrorSchema,
    TransitionSchema,
    UnitEvalOutSchema,
    UnitEvalSchema,
    UnitRatingsSchema,
    ViolationInSchema,
    ViolationListSchema,
    ViolationOutSchema,
    YearInSchema,
    YearListSchema,
    YearOutSchema,
)
from evaluation.stats import dashboard_rows
from service.auth.access import can, is_admin
from service.common.api import Blueprint
from service.common.documents import PDF
from service.common.errors import NotFound, ValidationError
from service.common.exports import XLSX, export_kinds, pdf_response
from service.exports.jobs import api_answer
from service.exports.schemas import ExportJobSchema
from service.jobs import job_out
from service.jobs.schemas import JobOutSchema
from service.org.operations import visible_person, visible_unit

blp = Blueprint(
    "evaluation_api", __name__, url_prefix="/api/v1", description="Đánh giá, xếp loại hằng năm"
)


@blp.route("/years")
@blp.answers(200, YearListSchema)
def list_years():
    """Các năm đánh giá đã mở."""
    return {"items": [q.year_out(y) for y in q.list_years()]}


@blp.route("/years", methods=["POST"])
@blp.arguments(YearInSchema)
@blp.response(201)
@blp.answers(201, YearOutSchema)
@blp.errors(403, 409)
def open_year(data):
    """Mở năm đánh giá (quản trị viên): bộ quy tắc và danh mục chép từ năm trước hoặc mặc định."""
    return q.year_out(ops.open_year(current_user, data["year"]))


@blp.route("/years/<int:year>")
@blp.answers(200, YearOutSchema)
@blp.errors(404)
def get_year(year):
    return q.year_out(q.get_year(year))


@blp.route("/years/<int:year>/pack", methods=["PATCH"])
@blp.arguments(PackSchema)
@blp.answers(200, YearOutSchema)
@blp.errors(403, 404, 409)
def update_pack(data, year):
    """Sửa tham số của bộ quy tắc (bị khóa khi đã có danh sách được phê duyệt)."""
    return q.year_out(ops.update_pack(current_user, q.get_year(year), data["params"]))


@blp.route("/years/<int:year>/catalog")
@blp.answers(200, CatalogListSchema)
@blp.errors(404)
def get_catalog(year):
    """Danh mục biểu hiện vi phạm Chỉ thị 24 của năm."""
    return {"items": [q.catalog_out(r) for r in q.catalog_rows(q.get_year(year))]}


@blp.route("/years/<int:year>/catalog", methods=["POST"])
@blp.arguments(CatalogItemSchema)
@blp.response(201)
@blp.answers(201, CatalogItemOutSchema)
@blp.errors(403, 404, 409)
def add_catalog_item(data, year):
    return q.catalog_out(ops.add_catalog_item(current_user, q.get_year(year), data))


@blp.route("/years/<int:year>/catalog/<code>", methods=["PATCH"])
@blp.arguments(CatalogUpdateSchema)
@blp.answers(200, CatalogItemOutSchema)
@blp.errors(403, 404, 409)
def update_catalog_item(data, year, code):
    year_row = q.get_year(year)
    row = q.catalog_item(year_row, code)
    return q.catalog_out(ops.update_catalog_item(current_user, year_row, row, data))


# --- inputs ----------------------------------------------------------------------------------


@blp.route("/years/<int:year>/people/<code>/evaluation")
@blp.answers(200, PersonEvalOutSchema)
@blp.errors(403, 404)
def get_person_eval(year, code):
    person = visible_person(current_user, code, "evaluation.read")
    return q.person_inputs_out(q.get_year(year), person)


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "maxLength": 20},
    "description": 'Phiên bản của dòng khi được tải (như trường `version`, ví dụ "3").',
}


def _version_of(data: dict) -> dict:
    """The body's `version`, or the If-Match header's ("3", W/"3" or 3) when the body has none."""
    header = request.headers.get("If-Match")
    if data.get("version") is None and header:
        text = header.strip().removeprefix("W/").strip('"')
        if not (text.isascii() and text.isdigit() and int(text) < 2**31):
            raise ValidationError(
                "Tiêu đề If-Match không hợp lệ.",
                {"If-Match": ['Phải là phiên bản của dòng (số nguyên), ví dụ "3".']},
            )
        data = {**data, "version": int(text)}
    return data


@blp.route("/years/<int:year>/people/<code>/evaluation", methods=["PUT", "PATCH"])
@blp.arguments(PersonEvalSchema)
@blp.doc(parameters=[IF_MATCH])
@blp.answers(200, PersonEvalOutSchema)
@blp.alt_response(409, schema=StaleRowErrorSchema)
@blp.errors(403, 404)
def save_person_eval(data, year, code):
    """Lưu đánh giá năm của một cán bộ (một dòng của bảng nhập liệu). Kèm `version` (hoặc
    If-Match): dòng đã đổi từ khi tải thì 409 kèm dòng hiện tại, không lưu gì."""
    year_row = q.get_year(year)
    person = visible_person(current_user, code, "evaluation.read")
    ops.save_person_inputs(current_user, year_row, person, _version_of(data))
    return q.person_inputs_out(year_row, person)


@blp.route("/years/<int:year>/units/<code>/evaluation")
@blp.answers(200, UnitEvalOutSchema)
@blp.errors(403, 404)
def get_unit_eval(year, code):
    unit = visible_unit(current_user, code, "evaluation.read")
    return q.unit_inputs_out(q.get_year(year), unit)


@blp.route("/years/<int:year>/units/<code>/evaluation", methods=["PUT", "PATCH"])
@blp.arguments(UnitEvalSchema)
@blp.doc(parameters=[IF_MATCH])
@blp.answers(200, UnitEvalOutSchema)
@blp.alt_response(409, schema=StaleRowErrorSchema)
@blp.errors(403, 404)
def save_unit_eval(data, year, code):
    """Lưu đánh giá tập thể năm của một đơn vị (do cấp trên nhập: quyền nhập ở đơn vị cấp trên
    hoặc chính đơn vị). Kèm `version` (hoặc If-Match): dòng đã đổi thì 409 kèm dòng hiện tại."""
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    ops.save_unit_inputs(current_user, year_row, unit, _version_of(data))
    return q.unit_inputs_out(year_row, unit)


@blp.route("/years/<int:year>/units/<code>/people-evaluations")
@blp.answers(200, PeopleEvaluationsSchema)
@blp.errors(403, 404)
def unit_grid(year, code):
    """Các dòng của bảng nhập liệu: cán bộ trực tiếp của đơn vị với đánh giá năm."""
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    return {"unit_code": unit.code, "items": q.grid_rows(year_row, unit)}


@blp.route("/years/<int:year>/violations", methods=["POST"])
@blp.arguments(ViolationInSchema)
@blp.response(201)
@blp.answers(201, ViolationOutSchema)
@blp.errors(403, 404, 409)
def add_violation(data, year):
    """Ghi nhận một biểu hiện vi phạm (ngày phát hiện, cách phát hiện, chứng cứ)."""
    year_row = q.get_year(year)
    person = unit = None
    if data.get("person_code"):
        person = visible_person(current_user, data.pop("person_code"), "evaluation.read")
    else:
        unit = visible_unit(current_user, data.pop("unit_code"), "evaluation.read")
    v = ops.add_violation(current_user, year_row, data, person=person, unit=unit)
    return q.violation_out(v)


@blp.route("/years/<int:year>/violations/<int:violation_id>/remove", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.answers(200, ViolationOutSchema)
@blp.errors(403, 404, 409)
def remove_violation(data, year, violation_id):
    """Gỡ một vi phạm đã ghi nhận (cần lý do; bản ghi được giữ lại)."""
    year_row = q.get_year(year)
    v = q.get_violation(year_row, violation_id)
    if not can(current_user, "evaluation.read", v.person.unit if v.person else v.unit):
        raise NotFound("Không tìm thấy bản ghi vi phạm.")
    return q.violation_out(ops.remove_violation(current_user, year_row, v, data["reason"]))


@blp.route("/years/<int:year>/people/<code>/violations")
@blp.answers(200, ViolationListSchema)
@blp.errors(403, 404)
def person_violations(year, code):
    year_row = q.get_year(year)
    person = visible_person(current_user, code, "evaluation.read")
    return {"items": [q.violation_out(v) for v in q.person_violations(year_row, person)]}


# --- computing and jobs ----------------------------------------------------------------------


@blp.route("/years/<int:year>/compute", methods=["POST"])
@blp.arguments(ComputeSchema)
@blp.response(202)
@blp.answers(202, JobOutSchema)
@blp.errors(403, 404)
def compute_year(data, year):
    """Tính lại kết quả (cả năm, hoặc phạm vi tỷ lệ chứa một đơn vị) dưới dạng công việc nền."""
    year_row = q.get_year(year)
    code = data.get("unit_code")
    unit = visible_unit(current_user, code, "evaluation.read") if code else None
    return job_out(ops.start_computation(current_user, year_row, unit))


# --- workflow and results --------------------------------------------------------------------


@blp.route("/years/<int:year>/units/<code>/ratings")
@blp.answers(200, UnitRatingsSchema)
@blp.errors(403, 404)
def unit_ratings(year, code):
    """Danh sách xếp loại của đơn vị: điểm, mức tính toán, đề xuất, mức cuối cùng và lý do."""
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    return {
        "review": q.review_out(year_row, unit, None, current_user),
        "items": q.unit_ratings_out(year_row, unit),
    }


@blp.route("/years/<int:year>/people/<code>/ratings")
@blp.answers(200, PersonRatingsSchema)
@blp.errors(403, 404)
def person_ratings(year, code):
    """Kết quả xếp loại của một cán bộ (chính mình hoặc trong phạm vi)."""
    year_row = q.get_year(year)
    person = q.own_or_visible_person(current_user, code)
    return {"person_code": person.code, "items": q.person_ratings_out(year_row, person)}


@blp.route("/years/<int:year>/units/<code>/review")
@blp.answers(200, ReviewOutSchema)
@blp.errors(403, 404)
def get_review(year, code):
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    return q.review_out(year_row, unit, None, current_user)


@blp.route("/years/<int:year>/units/<code>/review/<action>", methods=["POST"])
@blp.arguments(TransitionSchema)
@blp.answers(200, ReviewOutSchema)
@blp.errors(403, 404, 409)
def review_action(data, year, code, action):
    """Gửi duyệt (submit), trả lại (return), phê duyệt (approve), mở lại (reopen)."""
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    review = ops.review_action(
        current_user, year_row, unit, action, data["reason"], data["version"]
    )
    return q.review_out(year_row, unit, review, current_user)


@blp.route("/years/<int:year>/ratings/<kind>/<code>/proposal", methods=["PUT"])
@blp.arguments(LevelChoiceSchema)
@blp.answers(200, RatingOutSchema)
@blp.errors(403, 404, 409)
def propose(data, year, kind, code):
    """A11: đề xuất mức thấp hơn mức tính toán (có lý do)."""
    year_row = q.get_year(year)
    rating, list_unit = q.visible_rating(current_user, year_row, kind, code)
    ops.set_proposal(current_user, year_row, rating, list_unit, data["level"], data["reason"])
    return q.one_rating_out(year_row, rating)


@blp.route("/years/<int:year>/ratings/<kind>/<code>/final", methods=["PUT"])
@blp.arguments(LevelChoiceSchema)
@blp.answers(200, RatingOutSchema)
@blp.errors(403, 404, 409)
def decide(data, year, kind, code):
    """A11: mức cuối cùng do cấp ủy/hội đồng quyết định (không vượt các giới hạn)."""
    year_row = q.get_year(year)
    rating, list_unit = q.visible_rating(current_user, year_row, kind, code)
    ops.set_final_level(current_user, year_row, rating, list_unit, data["level"], data["reason"])
    return q.one_rating_out(year_row, rating)


@blp.route("/years/<int:year>/quota-overrides", methods=["POST"])
@blp.arguments(QuotaOverrideSchema)
@blp.response(201)
@blp.answers(201, QuotaOverrideOutSchema)
@blp.errors(403, 404)
def add_quota_override(data, year):
    """A10: tỷ lệ khác cho một phạm vi và năm (hội đồng quyết định, có lý do)."""
    return ops.add_quota_override(
        current_user, q.get_year(year), data["scope"], data["p"], data["reason"]
    )


@blp.route("/people/<code>/history")
@blp.answers(200, HistoryListSchema)
@blp.errors(403, 404)
def person_history(code):
    """Kết quả các năm trước của một cán bộ (lịch sử, không tính lại)."""
    person = visible_person(current_user, code, "evaluation.read")
    return {"items": [q.history_out(h) for h in q.history_of(person_id=person.id)]}


@blp.route("/people/<code>/history/<int:year>", methods=["PUT"])
@blp.arguments(HistorySchema)
@blp.answers(200, HistoryOutSchema)
@blp.errors(403, 404, 409)
def save_person_history(data, code, year):
    """Ghi kết quả một năm trước của cán bộ (mức xếp loại, danh hiệu, sáng kiến)."""
    person = visible_person(current_user, code, "evaluation.read")
    return q.history_out(ops.save_history(current_user, year, data, person=person))


@blp.route("/units/<code>/history")
@blp.answers(200, HistoryListSchema)
@blp.errors(403, 404)
def unit_history(code):
    unit = visible_unit(current_user, code, "evaluation.read")
    return {"items": [q.history_out(h) for h in q.history_of(unit_id=unit.id)]}


@blp.route("/units/<code>/history/<int:year>", methods=["PUT"])
@blp.arguments(HistorySchema)
@blp.answers(200, HistoryOutSchema)
@blp.errors(403, 404, 409)
def save_unit_history(data, code, year):
    unit = visible_unit(current_user, code, "evaluation.read")
    return q.history_out(ops.save_history(current_user, year, data, unit=unit))


@blp.route("/years/<int:year>/dashboard")
@blp.doc(parameters=[DASHBOARD_UNIT])
@blp.answers(200, DashboardSchema)
@blp.errors(400, 403, 404)
def dashboard(year):
    """Tổng hợp theo đơn vị: nhập liệu đủ, trạng thái, số lượng từng mức."""
    year_row = q.get_year(year)
    code = request.args.get("unit")
    unit = visible_unit(current_user, code, "evaluation.read") if code else None
    if unit is None and not is_admin(current_user):
        raise ValidationError("Cần chọn đơn vị (?unit=mã).", {"unit": ["Bắt buộc nhập."]})
    return {"items": dashboard_rows(year_row, unit)}


EXPORT_UNIT = {
    "in": "query",
    "name": "unit",
    "required": False,
    "schema": {"type": "string"},
    "description": "Mã đơn vị (mặc định: đơn vị của người dùng); xuất cả các đơn vị trực thuộc.",
}
EXPORT_PERIOD = [
    {
        "in": "query",
        "name": name,
        "required": False,
        "schema": {"type": "string"},
        "description": f"{label} (dd/mm/yyyy) của kỳ báo cáo, cho các biểu có kỳ (tt02_…); "
        f"mặc định {default} của năm.",
    }
    for name, label, default in (("from", "Từ ngày", "01/01"), ("to", "Đến ngày", "31/12"))
]


def export_unit(user, code: str | None, permission: str):
    """The unit an export covers: the one named (404 outside the user's reach), else the
    user's own (an administrator's: the single root)."""
    if code:
        return visible_unit(user, code, permission)
    unit = q.home_unit(user) or (q.single_root() if is_admin(user) else None)
    if unit is None:
        raise ValidationError("Cần chọn đơn vị (?unit=mã).", {"unit": ["Bắt buộc nhập."]})
    return visible_unit(user, unit.code, permission)


@blp.route("/years/<int:year>/exports/<kind>.xlsx")
@blp.doc(parameters=[EXPORT_UNIT, *EXPORT_PERIOD])
@blp.answers(200, {"type": "string", "format": "binary"}, "Tệp .xlsx", content_type=XLSX)
@blp.alt_response(202, schema=ExportJobSchema, description="Bảng tính lớn: xuất bằng công việc nền")
@blp.errors(400, 403, 404)
def export(year, kind):
    """Xuất bảng tính (ratings: kết quả xếp loại; tt02_0601 … tt02_0605, tt02: biểu thống kê
    thi đua, khen thưởng theo kỳ) của một đơn vị và các đơn vị trực thuộc."""
    kinds = export_kinds()
    if kind not in kinds:
        raise NotFound("Không có loại bảng tính này.")
    year_row = q.get_year(year)
    unit = export_unit(current_user, request.args.get("unit"), kinds[kind].permission)
    return api_answer(kinds[kind], year_row, unit, current_user, request.args)


@blp.route("/years/<int:year>/exports/<kind>.pdf")
@blp.doc(parameters=[EXPORT_UNIT])
@blp.answers(200, {"type": "string", "format": "binary"}, "Tệp .pdf", content_type=PDF)
@blp.errors(400, 403, 404)
def export_pdf(year, kind):
    """Bản in (PDF, A4 ngang) của một bảng tính có bản in (ratings: danh sách kết quả xếp
    loại) cho một đơn vị và các đơn vị trực thuộc."""
    found = export_kinds().get(kind)
    if found is None or found.pdf is None:
        raise NotFound("Không có bản in này.")
    year_row = q.get_year(year)
    unit = export_unit(current_user, request.args.get("unit"), found.permission)
    return pdf_response(found, year_row, unit, current_user)
