"""The award lists API (routes added to awards.api.blp): propose by rule (a job), the lists of
a year, a list with its nominations, manual nominations (C9), removal with a reason, and the
list's steps (C11: submit, return, approve, decide)."""

from __future__ import annotations

from flask_login import current_user

from awards import lists as ops
from awards.api import blp
from awards.list_queries import (
    list_out,
    lists_in_reach,
    lists_out,
    nomination_row,
    nominations_page,
)
from awards.list_schemas import (
    AwardListOutSchema,
    AwardListsSchema,
    ListActionSchema,
    NominationArgs,
    NominationInSchema,
    NominationOutSchema,
    NominationsPageSchema,
    ProposeSchema,
    RemoveSchema,
    RestoreSchema,
)
from service.auth.access import can
from service.common.errors import Forbidden
from service.jobs import job_out
from service.jobs.schemas import JobOutSchema
from service.org.operations import visible_unit


def _nomination_out(nom) -> dict:
    return nomination_row(ops.visible_list(current_user, nom.list_id), nom.id)


@blp.route("/years/<int:year>/awards/propose", methods=["POST"])
@blp.arguments(ProposeSchema)
@blp.response(202)
@blp.answers(202, JobOutSchema)
@blp.errors(403, 404, 409)
def propose(data, year):
    """Lập (hoặc lập lại) danh sách đề nghị khen thưởng theo quy định (RULES.md C, P) của đơn vị
    `unit` và các đơn vị trực thuộc, dưới dạng công việc nền. Đề nghị ngoài quy định và các
    đề nghị đã bỏ (kèm lý do) được giữ nguyên."""
    unit = visible_unit(current_user, data["unit"], "award.propose") if data["unit"] else None
    return job_out(ops.start_proposal(current_user, year, unit))


@blp.route("/years/<int:year>/award-lists")
@blp.answers(200, AwardListsSchema)
@blp.errors(403, 404)
def year_lists(year):
    """Các danh sách khen thưởng của năm trong phạm vi người dùng."""
    if not can(current_user, "award.read"):
        raise Forbidden()
    return {"items": lists_out(current_user, lists_in_reach(current_user, year))}


@blp.route("/award-lists/<int:list_id>")
@blp.answers(200, AwardListOutSchema)
@blp.errors(404)
def get_list(list_id):
    """Một danh sách: trạng thái, phiên bản, số đề nghị theo trạng thái, thao tác được phép."""
    return list_out(current_user, ops.visible_list(current_user, list_id))


@blp.route("/award-lists/<int:list_id>/nominations")
@blp.arguments(NominationArgs, location="query")
@blp.answers(200, NominationsPageSchema)
@blp.errors(404)
def list_nominations(args, list_id):
    """Các đề nghị của danh sách, từng trang, kèm lý do (quy tắc và số liệu)."""
    lst = ops.visible_list(current_user, list_id)
    statuses = [args["status"]] if args["status"] else None
    rows, total = nominations_page(lst, statuses, args["page"], args["per_page"], args["q"])
    per_page = args["per_page"]
    return {
        "items": rows,
        "page": args["page"],
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }


@blp.route("/award-lists/<int:list_id>/nominations", methods=["POST"])
@blp.arguments(NominationInSchema)
@blp.answers(201, NominationOutSchema)
@blp.errors(403, 404, 409)
def add_nomination(data, list_id):
    """Đề nghị ngoài quy định (C9): cá nhân hoặc tập thể trong đơn vị, một danh hiệu hoặc hình
    thức khen thưởng bất kỳ của danh mục năm, kèm lý do; người đang bị xem xét (C0) bị từ chối."""
    lst = ops.visible_list(current_user, list_id, "award.nominate")
    nom = ops.add_manual_nomination(current_user, lst, data)
    return _nomination_out(nom), 201


@blp.route("/nominations/<int:nomination_id>/remove", methods=["POST"])
@blp.arguments(RemoveSchema)
@blp.answers(200, NominationOutSchema)
@blp.errors(403, 404, 409)
def remove_nomination(data, nomination_id):
    """Bỏ một đề nghị khỏi danh sách (cần lý do; khôi phục được khi danh sách còn đang lập)."""
    nom = ops.visible_nomination(current_user, nomination_id, "award.nominate")
    ops.remove_nomination(current_user, nom, data["reason"])
    return _nomination_out(nom)


@blp.route("/nominations/<int:nomination_id>/restore", methods=["POST"])
@blp.arguments(RestoreSchema)
@blp.answers(200, NominationOutSchema)
@blp.errors(403, 404, 409)
def restore_nomination(data, nomination_id):
    """Khôi phục một đề nghị đã bỏ."""
    nom = ops.visible_nomination(current_user, nomination_id, "award.nominate")
    ops.restore_nomination(current_user, nom)
    return _nomination_out(nom)


@blp.route("/award-lists/<int:list_id>/actions", methods=["POST"])
@blp.arguments(ListActionSchema)
@blp.answers(200, AwardListOutSchema)
@blp.errors(403, 404, 409)
def list_action(data, list_id):
    """Một bước của danh sách (C11): submit (cán bộ tổ chức), return (kèm lý do), approve,
    decide (số, ngày, người ký quyết định) của cấp ủy / hội đồng. Gửi kèm `version` đã đọc."""
    lst = ops.visible_list(current_user, list_id)
    ops.list_action(current_user, lst, data["action"], data)
    return list_out(current_user, lst)
