"""JSON API of the yearly evaluation, under /api/v1/years/<year>/…"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import select

from evaluation import compute, history, inputs, jobs, workflow, years
from evaluation.models import Job, PersonEval, QuotaOverride, Rating
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
    JobOutSchema,
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
from service.audit.operations import record
from service.auth.access import can, is_admin
from service.common.api import Blueprint
from service.common.errors import Forbidden, NotFound, ValidationError
from service.extensions import db
from service.org.models import Person, Unit
from service.org.operations import visible_person, visible_unit

blp = Blueprint(
    "evaluation_api", __name__, url_prefix="/api/v1", description="Đánh giá, xếp loại hằng năm"
)


def _catalog_out(row) -> dict:
    return {f: getattr(row, f) for f in years.CATALOG_FIELDS}


@blp.route("/years")
@blp.answers(200, YearListSchema)
def list_years():
    """Các năm đánh giá đã mở."""
    return {"items": [years.year_out(y) for y in years.list_years()]}


@blp.route("/years", methods=["POST"])
@blp.arguments(YearInSchema)
@blp.response(201)
@blp.answers(201, YearOutSchema)
@blp.errors(403, 409)
def open_year(data):
    """Mở năm đánh giá (quản trị viên): bộ quy tắc và danh mục chép từ năm trước hoặc mặc định."""
    return years.year_out(years.open_year(current_user, data["year"]))


@blp.route("/years/<int:year>")
@blp.answers(200, YearOutSchema)
@blp.errors(404)
def get_year(year):
    return years.year_out(years.get_year(year))


@blp.route("/years/<int:year>/pack", methods=["PATCH"])
@blp.arguments(PackSchema)
@blp.answers(200, YearOutSchema)
@blp.errors(403, 404, 409)
def update_pack(data, year):
    """Sửa tham số của bộ quy tắc (bị khóa khi đã có danh sách được phê duyệt)."""
    return years.year_out(years.update_pack(current_user, years.get_year(year), data["params"]))


@blp.route("/years/<int:year>/catalog")
@blp.answers(200, CatalogListSchema)
@blp.errors(404)
def get_catalog(year):
    """Danh mục biểu hiện vi phạm Chỉ thị 24 của năm."""
    year_row = years.get_year(year)
    from evaluation.models import ViolationTypeRow

    rows = db.session.scalars(
        select(ViolationTypeRow)
        .where(ViolationTypeRow.year_id == year_row.id)
        .order_by(ViolationTypeRow.code)
    )
    return {"items": [_catalog_out(r) for r in rows]}


@blp.route("/years/<int:year>/catalog", methods=["POST"])
@blp.arguments(CatalogItemSchema)
@blp.response(201)
@blp.answers(201, CatalogItemOutSchema)
@blp.errors(403, 404, 409)
def add_catalog_item(data, year):
    return _catalog_out(years.add_catalog_item(current_user, years.get_year(year), data))


@blp.route("/years/<int:year>/catalog/<code>", methods=["PATCH"])
@blp.arguments(CatalogUpdateSchema)
@blp.answers(200, CatalogItemOutSchema)
@blp.errors(403, 404, 409)
def update_catalog_item(data, year, code):
    year_row = years.get_year(year)
    row = years.catalog_item(year_row, code)
    return _catalog_out(years.update_catalog_item(current_user, year_row, row, data))


# --- inputs ----------------------------------------------------------------------------------


def _person_violations(year_row, person) -> list[str]:
    return [v.code for v in inputs.active_violations(year_row, person_id=person.id)]


@blp.route("/years/<int:year>/people/<code>/evaluation")
@blp.answers(200, PersonEvalOutSchema)
@blp.errors(403, 404)
def get_person_eval(year, code):
    year_row = years.get_year(year)
    person = visible_person(current_user, code, "evaluation.read")
    row = inputs.get_person_eval(year_row, person)
    return {
        "person_code": person.code,
        **inputs.person_eval_out(row, _person_violations(year_row, person)),
    }


@blp.route("/years/<int:year>/people/<code>/evaluation", methods=["PUT", "PATCH"])
@blp.arguments(PersonEvalSchema)
@blp.answers(200, PersonEvalOutSchema)
@blp.errors(403, 404, 409)
def save_person_eval(data, year, code):
    """Lưu đánh giá năm của một cán bộ (một dòng của bảng nhập liệu)."""
    year_row = years.get_year(year)
    person = visible_person(current_user, code, "evaluation.enter")
    row = inputs.save_person_eval(current_user, year_row, person, data)
    return {
        "person_code": person.code,
        **inputs.person_eval_out(row, _person_violations(year_row, person)),
    }


@blp.route("/years/<int:year>/units/<code>/evaluation")
@blp.answers(200, UnitEvalOutSchema)
@blp.errors(403, 404)
def get_unit_eval(year, code):
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    row = inputs.get_unit_eval(year_row, unit)
    codes = [v.code for v in inputs.active_violations(year_row, unit_id=unit.id)]
    return {"unit_code": unit.code, **inputs.unit_eval_out(row, codes)}


@blp.route("/years/<int:year>/units/<code>/evaluation", methods=["PUT", "PATCH"])
@blp.arguments(UnitEvalSchema)
@blp.answers(200, UnitEvalOutSchema)
@blp.errors(403, 404, 409)
def save_unit_eval(data, year, code):
    """Lưu đánh giá tập thể năm của một đơn vị (do cấp trên nhập: quyền nhập ở đơn vị cấp trên
    hoặc chính đơn vị)."""
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    holder = db.session.get(Unit, inputs.list_unit_of_unit(unit))
    if not (
        can(current_user, "evaluation.enter", holder) or can(current_user, "evaluation.enter", unit)
    ):
        raise Forbidden()
    row = inputs.save_unit_eval(current_user, year_row, unit, data)
    codes = [v.code for v in inputs.active_violations(year_row, unit_id=unit.id)]
    return {"unit_code": unit.code, **inputs.unit_eval_out(row, codes)}


@blp.route("/years/<int:year>/units/<code>/people-evaluations")
@blp.answers(200, PeopleEvaluationsSchema)
@blp.errors(403, 404)
def unit_grid(year, code):
    """Các dòng của bảng nhập liệu: cán bộ trực tiếp của đơn vị với đánh giá năm."""
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    return {"unit_code": unit.code, "items": grid_rows(year_row, unit)}


def grid_rows(year_row, unit) -> list[dict]:
    people = list(
        db.session.scalars(
            select(Person).where(Person.unit_id == unit.id).order_by(Person.full_name, Person.code)
        )
    )
    evals = {
        e.person_id: e
        for e in db.session.scalars(
            select(PersonEval).where(
                PersonEval.year_id == year_row.id,
                PersonEval.person_id.in_([p.id for p in people] or [0]),
            )
        )
    }
    from evaluation.models import Violation

    codes: dict[int, list[str]] = {}
    for pid, vcode in db.session.execute(
        select(Violation.person_id, Violation.code).where(
            Violation.year_id == year_row.id,
            Violation.removed_at.is_(None),
            Violation.person_id.in_([p.id for p in people] or [0]),
        )
    ):
        codes.setdefault(pid, []).append(vcode)
    return [
        {
            "person_code": p.code,
            "full_name": p.full_name,
            "position": p.position,
            "is_head": p.is_head,
            **inputs.person_eval_out(evals.get(p.id), codes.get(p.id, [])),
        }
        for p in people
    ]


@blp.route("/years/<int:year>/violations", methods=["POST"])
@blp.arguments(ViolationInSchema)
@blp.response(201)
@blp.answers(201, ViolationOutSchema)
@blp.errors(403, 404, 409)
def add_violation(data, year):
    """Ghi nhận một biểu hiện vi phạm (ngày phát hiện, cách phát hiện, chứng cứ)."""
    year_row = years.get_year(year)
    person = unit = None
    if data.get("person_code"):
        person = visible_person(current_user, data.pop("person_code"), "evaluation.enter")
    else:
        unit = visible_unit(current_user, data.pop("unit_code"), "evaluation.enter")
    v = inputs.add_violation(current_user, year_row, data, person=person, unit=unit)
    compute.note_change(year_row, person.unit_id if person else unit.id)
    return violation_out(v)


@blp.route("/years/<int:year>/violations/<int:violation_id>/remove", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.answers(200, ViolationOutSchema)
@blp.errors(403, 404, 409)
def remove_violation(data, year, violation_id):
    """Gỡ một vi phạm đã ghi nhận (cần lý do; bản ghi được giữ lại)."""
    year_row = years.get_year(year)
    v = inputs.get_violation(year_row, violation_id)
    unit = v.person.unit if v.person else v.unit
    if not can(current_user, "evaluation.read", unit):
        raise NotFound("Không tìm thấy bản ghi vi phạm.")
    if not can(current_user, "evaluation.enter", unit):
        raise Forbidden()
    inputs.remove_violation(current_user, year_row, v, data["reason"])
    compute.note_change(year_row, unit.id)
    return violation_out(v)


@blp.route("/years/<int:year>/people/<code>/violations")
@blp.answers(200, ViolationListSchema)
@blp.errors(403, 404)
def person_violations(year, code):
    year_row = years.get_year(year)
    person = visible_person(current_user, code, "evaluation.read")
    from evaluation.models import Violation

    rows = db.session.scalars(
        select(Violation)
        .where(Violation.year_id == year_row.id, Violation.person_id == person.id)
        .order_by(Violation.id)
    )
    return {"items": [violation_out(v) for v in rows]}


def violation_out(v) -> dict:
    return {
        "id": v.id,
        "code": v.code,
        "person_code": v.person.code if v.person else None,
        "unit_code": v.unit.code if v.unit else None,
        "found_on": v.found_on.strftime("%d/%m/%Y") if v.found_on else None,
        "how_found": v.how_found,
        "evidence": v.evidence,
        "recorded_by": v.recorded_by,
        "removed": v.removed_at is not None,
        "removed_reason": v.removed_reason,
    }


# --- computing and jobs ----------------------------------------------------------------------


@blp.route("/years/<int:year>/compute", methods=["POST"])
@blp.arguments(ComputeSchema)
@blp.response(202)
@blp.answers(202, JobOutSchema)
@blp.errors(403, 404)
def compute_year(data, year):
    """Tính lại kết quả (cả năm, hoặc phạm vi tỷ lệ chứa một đơn vị) dưới dạng công việc nền."""
    return jobs.job_out(start_compute(years.get_year(year), data.get("unit_code")))


def start_compute(year_row, unit_code: str | None):
    """Queue a recompute of the year, or of the quota scope holding `unit_code` (staff or
    committee of that unit); the whole year is for administrators."""
    unit = None
    if unit_code:
        unit = visible_unit(current_user, unit_code, "evaluation.read")
        if not (
            can(current_user, "evaluation.enter", unit)
            or can(current_user, "evaluation.approve", unit)
        ):
            raise Forbidden()
        unit = compute.scope_root(unit)
    elif not is_admin(current_user):
        raise Forbidden("Chỉ quản trị viên được tính lại cả năm.")
    code = unit.code if unit else None
    job = jobs.enqueue(
        "recompute", {"year": year_row.year, "unit_code": code},
        f"recompute:{year_row.year}:{code or '*'}", current_user,
    )  # fmt: skip
    record("compute", "year", year_row.year, after={"job": job.id, "unit": code})
    return job


@blp.route("/jobs/<int:job_id>")
def get_job(job_id):
    """Tiến độ của một công việc nền."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("Không tìm thấy công việc.")
    return jobs.job_out(job)


# --- workflow and results --------------------------------------------------------------------


@blp.route("/years/<int:year>/units/<code>/ratings")
@blp.answers(200, UnitRatingsSchema)
@blp.errors(403, 404)
def unit_ratings(year, code):
    """Danh sách xếp loại của đơn vị: điểm, mức tính toán, đề xuất, mức cuối cùng và lý do."""
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    rows = workflow.list_ratings(year_row, unit)
    decisions = workflow.decisions_for(year_row, [r for r, _c, _n in rows])
    review = workflow.get_review(year_row, unit)
    return {
        "review": workflow.review_out(year_row, unit, review, current_user),
        "items": [
            workflow.rating_out(r, c, n, decisions.get((r.kind, r.person_id, r.unit_id)))
            for r, c, n in rows
        ],
    }


@blp.route("/years/<int:year>/people/<code>/ratings")
@blp.answers(200, PersonRatingsSchema)
@blp.errors(403, 404)
def person_ratings(year, code):
    """Kết quả xếp loại của một cán bộ (chính mình hoặc trong phạm vi)."""
    year_row = years.get_year(year)
    person = own_or_visible_person(code)
    rows = list(
        db.session.scalars(
            select(Rating).where(Rating.year_id == year_row.id, Rating.person_id == person.id)
        )
    )
    decisions = workflow.decisions_for(year_row, rows)
    return {
        "person_code": person.code,
        "items": [
            workflow.rating_out(
                r, person.code, person.full_name, decisions.get((r.kind, r.person_id, r.unit_id))
            )
            for r in rows
        ],
    }


def own_or_visible_person(code):
    person_id = getattr(current_user, "person_id", None)
    if person_id is not None:
        person = db.session.get(Person, person_id)
        if person is not None and person.code == code:
            return person
    return visible_person(current_user, code, "evaluation.read")


@blp.route("/years/<int:year>/units/<code>/review")
@blp.answers(200, ReviewOutSchema)
@blp.errors(403, 404)
def get_review(year, code):
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    return workflow.review_out(year_row, unit, workflow.get_review(year_row, unit), current_user)


@blp.route("/years/<int:year>/units/<code>/review/<action>", methods=["POST"])
@blp.arguments(TransitionSchema)
@blp.answers(200, ReviewOutSchema)
@blp.errors(403, 404, 409)
def review_action(data, year, code, action):
    """Gửi duyệt (submit), trả lại (return), phê duyệt (approve), mở lại (reopen)."""
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    review = workflow.act(current_user, year_row, unit, action, data["reason"], data["version"])
    return workflow.review_out(year_row, unit, review, current_user)


@blp.route("/years/<int:year>/ratings/<kind>/<code>/proposal", methods=["PUT"])
@blp.arguments(LevelChoiceSchema)
@blp.answers(200, RatingOutSchema)
@blp.errors(403, 404, 409)
def propose(data, year, kind, code):
    """A11: đề xuất mức thấp hơn mức tính toán (có lý do)."""
    year_row = years.get_year(year)
    rating, list_unit = _visible_rating(year_row, kind, code)
    workflow.propose(current_user, year_row, rating, list_unit, data["level"], data["reason"])
    return _one_rating(year_row, rating)


@blp.route("/years/<int:year>/ratings/<kind>/<code>/final", methods=["PUT"])
@blp.arguments(LevelChoiceSchema)
@blp.answers(200, RatingOutSchema)
@blp.errors(403, 404, 409)
def decide(data, year, kind, code):
    """A11: mức cuối cùng do cấp ủy/hội đồng quyết định (không vượt các giới hạn)."""
    year_row = years.get_year(year)
    rating, list_unit = _visible_rating(year_row, kind, code)
    workflow.decide(current_user, year_row, rating, list_unit, data["level"], data["reason"])
    return _one_rating(year_row, rating)


def _visible_rating(year_row, kind, code):
    rating, list_unit = workflow.find_rating(year_row, kind, code)
    if not can(current_user, "evaluation.read", list_unit):
        raise NotFound("Không tìm thấy kết quả xếp loại.")
    return rating, list_unit


def _one_rating(year_row, rating):
    decisions = workflow.decisions_for(year_row, [rating])
    if rating.person_id:
        p = db.session.get(Person, rating.person_id)
        code, name = p.code, p.full_name
    else:
        u = db.session.get(Unit, rating.unit_id)
        code, name = u.code, u.name
    return workflow.rating_out(
        rating, code, name, decisions.get((rating.kind, rating.person_id, rating.unit_id))
    )


@blp.route("/years/<int:year>/quota-overrides", methods=["POST"])
@blp.arguments(QuotaOverrideSchema)
@blp.response(201)
@blp.answers(201, QuotaOverrideOutSchema)
@blp.errors(403, 404)
def add_quota_override(data, year):
    """A10: tỷ lệ khác cho một phạm vi và năm (hội đồng quyết định, có lý do)."""
    year_row = years.get_year(year)
    if not is_admin(current_user):
        raise Forbidden("Chỉ quản trị viên ghi nhận quyết định tỷ lệ khác của hội đồng.")
    scope = compute.scope_key(tuple(data["scope"]))
    if not data["scope"] or data["scope"][0] not in ("official", "party", "unit"):
        raise ValidationError(
            "Phạm vi không hợp lệ.", {"scope": ["Bắt đầu bằng official, party hoặc unit."]}
        )
    row = db.session.scalar(
        select(QuotaOverride).where(
            QuotaOverride.year_id == year_row.id, QuotaOverride.scope == scope
        )
    ) or QuotaOverride(year_id=year_row.id, scope=scope)
    before = {"p": row.p, "reason": row.reason} if row.id else None
    row.p, row.reason = data["p"], data["reason"]
    db.session.add(row)
    db.session.flush()
    record(
        "quota_override",
        "year",
        year,
        before=before,
        after={"scope": data["scope"], "p": row.p, "reason": row.reason},
    )
    return {"scope": data["scope"], "p": row.p, "reason": row.reason}


@blp.route("/people/<code>/history")
@blp.answers(200, HistoryListSchema)
@blp.errors(403, 404)
def person_history(code):
    """Kết quả các năm trước của một cán bộ (lịch sử, không tính lại)."""
    person = visible_person(current_user, code, "evaluation.read")
    return {"items": [history.history_out(h) for h in history.history_of(person_id=person.id)]}


@blp.route("/people/<code>/history/<int:year>", methods=["PUT"])
@blp.arguments(HistorySchema)
@blp.answers(200, HistoryOutSchema)
@blp.errors(403, 404, 409)
def save_person_history(data, code, year):
    """Ghi kết quả một năm trước của cán bộ (mức xếp loại, danh hiệu, sáng kiến)."""
    _past_year(year)
    person = visible_person(current_user, code, "evaluation.enter")
    return history.history_out(history.save_history(current_user, year, data, person=person))


@blp.route("/units/<code>/history")
@blp.answers(200, HistoryListSchema)
@blp.errors(403, 404)
def unit_history(code):
    unit = visible_unit(current_user, code, "evaluation.read")
    return {"items": [history.history_out(h) for h in history.history_of(unit_id=unit.id)]}


@blp.route("/units/<code>/history/<int:year>", methods=["PUT"])
@blp.arguments(HistorySchema)
@blp.answers(200, HistoryOutSchema)
@blp.errors(403, 404, 409)
def save_unit_history(data, code, year):
    _past_year(year)
    unit = visible_unit(current_user, code, "evaluation.enter")
    return history.history_out(history.save_history(current_user, year, data, unit=unit))


def _past_year(year: int) -> None:
    if not 1950 <= year <= 2100:
        raise ValidationError("Năm không hợp lệ.", {"year": ["Phải trong khoảng 1950–2100."]})


@blp.route("/years/<int:year>/dashboard")
@blp.doc(parameters=[DASHBOARD_UNIT])
@blp.answers(200, DashboardSchema)
@blp.errors(400, 403, 404)
def dashboard(year):
    """Tổng hợp theo đơn vị: nhập liệu đủ, trạng thái, số lượng từng mức."""
    year_row = years.get_year(year)
    code = request.args.get("unit")
    unit = visible_unit(current_user, code, "evaluation.read") if code else None
    if unit is None and not is_admin(current_user):
        raise ValidationError("Cần chọn đơn vị (?unit=mã).", {"unit": ["Bắt buộc nhập."]})
    return {"items": dashboard_rows(year_row, unit)}
