"""JSON API of the awards, under /api/v1: the registry of initiatives, research projects and
good models (/initiatives), the proposals of a year (read-only)."""

from __future__ import annotations

from flask_login import current_user

from awards import operations as ops
from awards.list_queries import SHOWN, nominations_page, stored_list
from awards.proposals import read_proposals
from awards.queries import ORDER, initiatives_query
from awards.schemas import (
    InitiativeDeleteSchema,
    InitiativeInSchema,
    InitiativeListArgs,
    InitiativeOutSchema,
    InitiativeUpdateSchema,
    ProposalArgs,
    ProposalsPageSchema,
    initiative_out,
)
from service.auth.access import can
from service.common.api import Blueprint
from service.common.errors import Forbidden
from service.common.queries import paginate
from service.common.schemas import page_body, page_schema
from service.org.operations import visible_person, visible_unit

blp = Blueprint("awards_api", __name__, url_prefix="/api/v1", description="Thi đua, khen thưởng")


@blp.route("/initiatives")
@blp.arguments(InitiativeListArgs, location="query")
@blp.answers(200, page_schema(InitiativeOutSchema))
@blp.errors(403, 404)
def list_initiatives(args):
    """Sáng kiến, đề tài, mô hình trong phạm vi của người dùng; lọc theo năm, đơn vị (cả cấp
    dưới), cán bộ (tác giả), loại, cấp công nhận; tìm theo tên, số quyết định."""
    unit = visible_unit(current_user, args["unit"], "initiative.read") if args["unit"] else None
    person = visible_person(current_user, args["person"]) if args["person"] else None
    stmt = initiatives_query(
        current_user,
        year=args["year"],
        unit=unit,
        person=person,
        kind=args["kind"],
        level=args["level"],
        q=args["q"],
    )
    rows, total = paginate(stmt, args["page"], args["per_page"], ORDER)
    return page_body(rows, initiative_out, args["page"], args["per_page"], total)


@blp.route("/initiatives", methods=["POST"])
@blp.arguments(InitiativeInSchema)
@blp.answers(201, InitiativeOutSchema)
@blp.errors(403, 409)
def create_initiative(data):
    """Ghi một sáng kiến, đề tài (có tác giả) hoặc mô hình (của một đơn vị) đã được công nhận."""
    return initiative_out.dump(ops.create_initiative(current_user, data)), 201


@blp.route("/initiatives/<int:initiative_id>")
@blp.answers(200, InitiativeOutSchema)
@blp.errors(404)
def get_initiative(initiative_id):
    return initiative_out.dump(ops.visible_initiative(current_user, initiative_id))


@blp.route("/initiatives/<int:initiative_id>", methods=["PATCH"])
@blp.arguments(InitiativeUpdateSchema)
@blp.answers(200, InitiativeOutSchema)
@blp.errors(403, 404, 409)
def update_initiative(data, initiative_id):
    """Sửa (gửi kèm `version` đã đọc; đã bị sửa ở nơi khác: 409)."""
    ini = ops.visible_initiative(current_user, initiative_id, "initiative.write")
    return initiative_out.dump(ops.update_initiative(current_user, ini, data))


@blp.route("/initiatives/<int:initiative_id>", methods=["DELETE"])
@blp.arguments(InitiativeDeleteSchema)
@blp.response(204)
@blp.errors(403, 404, 409)
def delete_initiative(data, initiative_id):
    """Xóa (cần lý do và `version` đã đọc; lý do được lưu trong nhật ký)."""
    ini = ops.visible_initiative(current_user, initiative_id, "initiative.write")
    ops.delete_initiative(current_user, ini, data["reason"], data["version"])
    return ""


@blp.route("/years/<int:year>/awards/proposals")
@blp.arguments(ProposalArgs, location="query")
@blp.answers(200, ProposalsPageSchema)
@blp.errors(403, 404)
def list_proposals(args, year):
    """Danh hiệu thi đua, khen thưởng đề nghị theo quy tắc (RULES.md C, P) cho cây đơn vị
    `unit` (mặc định: các đơn vị trong phạm vi): mỗi mục một (cá nhân hoặc tập thể, danh hiệu)
    với trạng thái proposed, over_cap (vượt giới hạn C2) hoặc blocked (C0), mã quy tắc và lý do
    kèm số liệu; `occasions`: danh sách Huy hiệu Đảng theo từng dịp (P4), kể cả người chưa xét
    do kỷ luật Đảng. Khi đơn vị đã lập danh sách (POST …/awards/propose), đọc danh sách đã
    lưu: thêm manual (C9), và trạng thái theo danh sách: submitted, approved, returned, decided."""
    unit = visible_unit(current_user, args["unit"], "award.read") if args["unit"] else None
    if unit is None and not can(current_user, "award.read"):
        raise Forbidden()
    page, per_page = args["page"], args["per_page"]
    stored = stored_list(current_user, year, unit)
    if stored is not None:
        rows, total = nominations_page(stored, SHOWN, page, per_page, args["q"])
        return {
            "year": year,
            "unit": stored.unit.code,
            "items": rows,
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": (total + per_page - 1) // per_page,
            "occasions": read_proposals(current_user, year, stored.unit).occasions,
        }
    found = read_proposals(current_user, year, unit)
    total = len(found.items)
    return {
        "year": year,
        "unit": unit.code if unit is not None else None,
        "items": [
            {k: v for k, v in item.items() if k != "subject_id"}
            for item in found.items[(page - 1) * per_page : page * per_page]
        ],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
        "occasions": found.occasions,
    }
