"""The decision registry API (routes added to awards.api.blp): search the decisions in reach,
one decision with each nominee's result, a person's or unit's awards traced to their
decisions."""

from __future__ import annotations

from flask_login import current_user

from awards import decisions
from awards.api import blp
from awards.decision_schemas import (
    DecisionArgs,
    DecisionCorrectionSchema,
    DecisionDetailSchema,
    DecisionOutSchema,
    DecisionsPageSchema,
    TracedSchema,
)
from service.auth.access import can
from service.common.errors import Forbidden
from service.common.schemas import page_body
from service.org.operations import visible_person, visible_unit


def _require_read() -> None:
    if not can(current_user, "award.read"):
        raise Forbidden()


@blp.route("/decisions")
@blp.arguments(DecisionArgs, location="query")
@blp.answers(200, DecisionsPageSchema)
@blp.errors(403)
def list_decisions(args):
    """Sổ quyết định khen thưởng: các quyết định trong phạm vi người dùng, mới nhất trước; tìm
    theo số, người ký, cơ quan ban hành (`q`), theo người được đề nghị (`person`: mã hoặc họ
    tên), năm và cấp."""
    _require_read()
    rows, total = decisions.search(
        current_user, args["year"], args["q"].strip(), args["level"],
        (args["person"] or "").strip() or None, args["page"], args["per_page"],
    )  # fmt: skip
    return page_body(rows, DecisionOutSchema(), args["page"], args["per_page"], total)


@blp.route("/decisions/<int:decision_id>")
@blp.answers(200, DecisionDetailSchema)
@blp.errors(403, 404)
def get_decision(decision_id):
    """Một quyết định: số, ngày, cấp, người ký, cơ quan ban hành, các danh sách được quyết định
    và kết quả của từng người, tập thể được đề nghị."""
    _require_read()
    d = decisions.visible_decision(current_user, decision_id)
    return {**decisions.decision_out(d), "recipients": decisions.recipients(current_user, d)}


@blp.route("/decisions/<int:decision_id>", methods=["PATCH"])
@blp.arguments(DecisionCorrectionSchema)
@blp.answers(200, DecisionOutSchema)
@blp.errors(400, 403, 404)
def correct_decision(data, decision_id):
    """Sửa thông tin quyết định ghi nhầm (số, ngày, người ký, cơ quan ban hành), có lý do: cấp
    ủy, hội đồng của đơn vị ban hành; các danh sách và bản in theo thông tin đã sửa."""
    _require_read()
    d = decisions.visible_decision(current_user, decision_id)
    decisions.correct_decision(current_user, d, data)
    return decisions.decision_out(d)


@blp.route("/people/<code>/decisions")
@blp.answers(200, TracedSchema)
@blp.errors(403, 404)
def person_decisions(code):
    """Các danh hiệu, khen thưởng của một người trên danh sách đã có quyết định, kèm quyết định."""
    _require_read()
    person = visible_person(current_user, code)
    return {"items": decisions.traced(current_user, person_id=person.id)}


@blp.route("/units/<code>/decisions")
@blp.answers(200, TracedSchema)
@blp.errors(403, 404)
def unit_decisions(code):
    """Các danh hiệu, khen thưởng của một tập thể trên danh sách đã có quyết định."""
    _require_read()
    unit = visible_unit(current_user, code, "award.read")
    return {"items": decisions.traced(current_user, unit_id=unit.id)}
