"""JSON API of the council and its secret ballot (RULES.md C10), on awards.api's blueprint:
council members of a unit and year, voting sessions on an award list (open, close, paper
totals, publish; totals only once closed), a member's vote and their pending ballots."""

from __future__ import annotations

from flask_login import current_user

from awards import council as ops
from awards.api import blp
from awards.council_schemas import (
    MemberInSchema,
    MemberOutSchema,
    MembersSchema,
    MyBallotSchema,
    MyBallotsSchema,
    PaperTotalsSchema,
    SessionInSchema,
    SessionOutSchema,
    SessionsSchema,
    VersionSchema,
    VoteDoneSchema,
    VoteInSchema,
)
from service.common.errors import Forbidden, NotFound, ValidationError
from service.org.operations import visible_unit

member_out = MemberOutSchema()
session_out = SessionOutSchema()
my_ballot_out = MyBallotSchema()
VOTED = "Đã ghi nhận phiếu bầu của bạn. Phiếu kín: không ai xem được bạn đã chọn gì."


def _council_unit(code: str):
    unit = visible_unit(current_user, code)
    if not ops.may_read_council(current_user, unit):
        raise Forbidden()
    return unit


def _members_body(year: int, unit) -> dict:
    rows = ops.council_members(year, unit.id)
    return {
        "year": year,
        "unit_code": unit.code,
        "count": len(rows),
        "items": member_out.dump(rows, many=True),
    }


@blp.route("/years/<int:year>/units/<code>/council")
@blp.answers(200, MembersSchema)
@blp.errors(403, 404)
def list_council(year, code):
    """Hội đồng thi đua – khen thưởng của đơn vị `code` năm `year`: chủ tịch, thư ký, ủy viên."""
    return _members_body(year, _council_unit(code))


@blp.route("/years/<int:year>/units/<code>/council", methods=["POST"])
@blp.arguments(MemberInSchema)
@blp.answers(201, MemberOutSchema)
@blp.errors(403, 404, 409)
def add_council_member(data, year, code):
    """Thêm một tài khoản vào hội đồng (quyền council.manage của đơn vị; không đổi được khi có
    phiên bỏ phiếu đang mở hoặc chưa công bố)."""
    unit = visible_unit(current_user, code, "council.manage")
    return member_out.dump(ops.add_member(current_user, unit, year, **data)), 201


@blp.route("/council-members/<int:member_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(403, 404, 409)
def remove_council_member(member_id):
    """Bỏ một thành viên khỏi hội đồng."""
    ops.remove_member(current_user, ops.visible_member(current_user, member_id))
    return ""


@blp.route("/award-lists/<int:list_id>/voting-sessions")
@blp.answers(200, SessionsSchema)
@blp.errors(404)
def list_sessions(list_id):
    """Các phiên bỏ phiếu của danh sách khen thưởng, mới nhất trước."""
    award_list = ops.visible_list(current_user, list_id)
    return {"items": [ops.session_view(s) for s in ops.sessions_of(award_list)]}


@blp.route("/award-lists/<int:list_id>/voting-sessions", methods=["POST"])
@blp.arguments(SessionInSchema)
@blp.answers(201, SessionOutSchema)
@blp.errors(403, 404, 409)
def create_session(data, list_id):
    """Tạo phiên bỏ phiếu (chưa mở) với thời điểm mở và đóng; `mode` secret (bỏ phiếu kín trực
    tuyến) hoặc paper (nhập kết quả kiểm phiếu giấy sau khi đóng)."""
    award_list = ops.visible_list(current_user, list_id)
    session = ops.create_session(current_user, award_list, **data)
    return session_out.dump(ops.session_view(session)), 201


@blp.route("/voting-sessions/<int:session_id>")
@blp.answers(200, SessionOutSchema)
@blp.errors(404)
def get_session(session_id):
    """Phiên bỏ phiếu và phiếu bầu; số phiếu đồng ý/không chỉ có sau khi đóng phiên (null
    trước đó), kết quả (`passed`) sau khi công bố. Không bao giờ cho biết ai bầu thế nào."""
    return session_out.dump(ops.session_view(ops.visible_session(current_user, session_id)))


@blp.route("/voting-sessions/<int:session_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(403, 404, 409)
def delete_session(session_id):
    """Xóa phiên bỏ phiếu tạo nhầm (sai thời gian, sai hình thức): phiên chưa mở, hoặc phiên
    kín đã mở nhưng chưa đến giờ bỏ phiếu (chưa ai bỏ phiếu); phiên đã đến giờ bỏ phiếu không
    xóa được (409)."""
    ops.delete_session(current_user, ops.visible_session(current_user, session_id))
    return ""


def _step(session_id, data, operation):
    session = ops.visible_session(current_user, session_id)
    return session_out.dump(ops.session_view(operation(current_user, session, data["version"])))


@blp.route("/voting-sessions/<int:session_id>/open", methods=["POST"])
@blp.arguments(VersionSchema)
@blp.answers(200, SessionOutSchema)
@blp.errors(403, 404, 409)
def open_session(data, session_id):
    """Mở phiên: phiếu bầu (các đề nghị của danh sách) và số thành viên hội đồng được cố định."""
    return _step(session_id, data, ops.open_session)


@blp.route("/voting-sessions/<int:session_id>/close", methods=["POST"])
@blp.arguments(VersionSchema)
@blp.answers(200, SessionOutSchema)
@blp.errors(403, 404, 409)
def close_session(data, session_id):
    """Đóng phiên (cả trước giờ đóng); kết quả kiểm phiếu được xem từ đây."""
    return _step(session_id, data, ops.close_session)


@blp.route("/voting-sessions/<int:session_id>/publish", methods=["POST"])
@blp.arguments(VersionSchema)
@blp.answers(200, SessionOutSchema)
@blp.errors(403, 404, 409)
def publish_session(data, session_id):
    """Công bố: mỗi đề nghị đạt khi số phiếu đồng ý đạt ngưỡng C10 của loại khen thưởng trên
    tổng số thành viên hội đồng."""
    return _step(session_id, data, ops.publish_session)


@blp.route("/voting-sessions/<int:session_id>/paper-totals", methods=["PUT"])
@blp.arguments(PaperTotalsSchema)
@blp.answers(200, SessionOutSchema)
@blp.errors(403, 404)
def paper_totals(data, session_id):
    """Nhập kết quả kiểm phiếu giấy (phiên `paper`, đã đóng): số đồng ý, không đồng ý."""
    session = ops.visible_session(current_user, session_id)
    ops.enter_paper_totals(current_user, session, data["items"])
    return session_out.dump(ops.session_view(session))


def _my_ballot(session) -> dict:
    return {
        "session_id": session.id,
        "year": session.award_list.year,
        "unit_code": session.award_list.unit.code,
        "unit_name": session.award_list.unit.name,
        "opens_at": session.opens_at,
        "closes_at": session.closes_at,
        "voted": ops.has_voted(current_user, session),
        "items": [
            v | {"yes": None, "no": None, "passed": None}
            for v in ops.ballot_views(current_user, session)
        ],
    }


@blp.route("/voting-sessions/<int:session_id>/ballot")
@blp.answers(200, MyBallotSchema)
@blp.errors(403, 404)
def get_ballot(session_id):
    """Phiếu bầu của tôi trong phiên (thành viên hội đồng, trong thời gian bỏ phiếu): các đề
    nghị tôi bỏ phiếu, không kể đề nghị của chính tôi."""
    session = ops.visible_session(current_user, session_id)
    if ops.membership(current_user, session.award_list) is None:
        raise Forbidden("Bạn không phải thành viên hội đồng bỏ phiếu danh sách này.")
    if not ops.in_window(session) or session.mode != "secret":
        raise NotFound("Phiên không trong thời gian bỏ phiếu trực tuyến.")
    return my_ballot_out.dump(_my_ballot(session))


@blp.route("/voting-sessions/<int:session_id>/ballot", methods=["POST"])
@blp.arguments(VoteInSchema)
@blp.answers(201, VoteDoneSchema)
@blp.errors(403, 404, 409)
def cast_ballot(data, session_id):
    """Bỏ phiếu kín một lần cho mọi đề nghị trên phiếu (đồng ý hoặc không); lần thứ hai: 409."""
    votes = {}
    for row in data["votes"]:
        if row["nomination_id"] in votes:
            raise ValidationError(
                "Phiếu bầu chưa hợp lệ: chưa ghi nhận.",
                {"votes": [f"Đề nghị {row['nomination_id']} được chọn hai lần."]},
            )
        votes[row["nomination_id"]] = row["yes"]
    count = ops.cast_vote(current_user, session_id, votes)
    return {"voted": True, "ballots": count, "message": VOTED}, 201


@blp.route("/my/ballots")
@blp.answers(200, MyBallotsSchema)
def my_ballots():
    """Các phiên đang mở mà tôi (thành viên hội đồng) chưa bỏ phiếu."""
    return MyBallotsSchema().dump(
        {"items": [_my_ballot(s) for s in ops.pending_ballots(current_user)]}
    )
