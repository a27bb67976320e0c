"""Pages of the council and its secret ballot (on awards.views.bp): the council members of a
unit and year, a list's voting sessions (create, open, close, paper totals, publish, totals
after closing), and a member's "Phiếu bầu của tôi" (their ballot, only within the window).
Each POST validates its form (CSRF included) and calls one operation of awards.council."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import TextInput

from awards import council as ops
from awards.council_models import MODE_LABELS, ROLE_LABELS
from awards.views import bp
from service.common.errors import Forbidden, ServiceError, ValidationError
from service.common.forms import Form, run_form, strip
from service.common.vietnamese import date_problem
from service.extensions import db
from service.org.operations import visible_unit

_WHEN = "%Y-%m-%dT%H:%M"


class MemberForm(Form):
    username = StringField(
        "Tên đăng nhập",
        filters=[strip],
        validators=[DataRequired("Nhập tên đăng nhập."), Length(max=80, message="Quá dài.")],
    )
    role = SelectField("Vai trò", choices=list(ROLE_LABELS.items()), default="member")


class VnDateTimeField(DateTimeLocalField):
    """A moment written "dd/mm/yyyy hh:mm" (the interface's format) in a plain text box; the
    browser's yyyy-mm-ddThh:mm is accepted too."""

    widget = TextInput()
    FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", _WHEN)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y %H:%M") if self.data else ""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        for pattern in self.FORMATS:
            try:
                self.data = dt.datetime.strptime(text, pattern)
                return
            except ValueError:
                continue
        parts = text.split()
        if len(parts) == 2 and (problem := date_problem(parts[0])) != date_problem(""):
            # the day is written as asked but does not exist (31/02): say that, not the format
            raise ValueError(problem.replace("Ngày không hợp lệ", "Thời điểm không hợp lệ"))
        raise ValueError("Thời điểm không hợp lệ: ghi dd/mm/yyyy hh:mm, ví dụ 20/12/2025 08:00.")


class SessionForm(Form):
    mode = SelectField("Hình thức", choices=list(MODE_LABELS.items()), default="secret")
    opens_at = VnDateTimeField(
        "Mở lúc (dd/mm/yyyy hh:mm)", validators=[InputRequired("Nhập thời điểm mở.")]
    )
    closes_at = VnDateTimeField(
        "Đóng lúc (dd/mm/yyyy hh:mm)", validators=[InputRequired("Nhập thời điểm đóng.")]
    )


class PlainForm(Form):
    """A button's POST: CSRF only."""


def _form_page(template: str, errors, **context):
    """The form's page again after a refusal (400): the errors shown above the form, which
    keeps what was typed."""
    for message in errors:
        flash(message, "error")
    return render_template(template, **context), (400 if errors else 200)


# --- council members -------------------------------------------------------------------------


@bp.route("/council/<code>/<int:year>", methods=["GET", "POST"])
@login_required
def council_members(code, year):
    unit = visible_unit(current_user, code)
    if not ops.may_read_council(current_user, unit):
        raise Forbidden()
    form = MemberForm()
    back = url_for("awards.council_members", code=unit.code, year=year)

    def page(errors=()):
        return _form_page(
            "awards/council_members.html",
            errors,
            unit=unit,
            year=year,
            members=ops.council_members(year, unit.id),
            form=form,
            plain=PlainForm(formdata=None),
            may_manage=ops.can(current_user, "council.manage", unit),
        )

    if request.method == "POST":
        return run_form(
            form,
            lambda: ops.add_member(current_user, unit, year, form.username.data, form.role.data),
            success=lambda m: f"Đã thêm {m.user.username} ({m.role_label.lower()}) vào hội đồng.",
            done=back,
            render=page,
        )
    return page()


@bp.route("/council-members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_council_member(member_id):
    member = ops.visible_member(current_user, member_id)
    code, year, name = member.unit.code, member.year, member.user.username
    return run_form(
        PlainForm(),
        lambda: ops.remove_member(current_user, member),
        success=f"Đã bỏ {name} khỏi hội đồng.",
        done=url_for("awards.council_members", code=code, year=year),
    )


# --- voting sessions -------------------------------------------------------------------------


@bp.route("/lists/<int:list_id>/voting", methods=["GET", "POST"])
@login_required
def list_voting(list_id):
    award_list = ops.visible_list(current_user, list_id)
    form = SessionForm()
    back = url_for("awards.list_voting", list_id=award_list.id)

    def page(errors=()):
        return _form_page(
            "awards/council_sessions.html",
            errors,
            award_list=award_list,
            sessions=[ops.session_summary(s) for s in ops.sessions_of(award_list)],
            form=form,
            plain=PlainForm(formdata=None),
            may_manage=ops.can(current_user, "council.manage", award_list.unit),
            members_count=ops.count_members(award_list.year, award_list.unit_id),
        )

    if request.method == "POST":
        return run_form(
            form,
            lambda: ops.create_session(
                current_user, award_list, form.mode.data, form.opens_at.data, form.closes_at.data
            ),
            success="Đã tạo phiên bỏ phiếu (chưa mở).",
            done=back,
            render=page,
        )
    return page()


STEPS = {
    "open": (ops.open_session, "Đã mở phiên bỏ phiếu: phiếu bầu đã được cố định."),
    "close": (ops.close_session, "Đã đóng phiên bỏ phiếu."),
    "publish": (ops.publish_session, "Đã công bố kết quả bỏ phiếu."),
}


@bp.route("/voting-sessions/<int:session_id>/<any(open, close, publish):action>", methods=["POST"])
@login_required
def voting_step(session_id, action):
    session = ops.visible_session(current_user, session_id)
    operation, message = STEPS[action]
    return run_form(
        PlainForm(),
        lambda: operation(current_user, session),
        success=message,
        done=url_for("awards.voting_session", session_id=session.id),
    )


@bp.route("/voting-sessions/<int:session_id>/delete", methods=["POST"])
@login_required
def delete_voting_session(session_id):
    session = ops.visible_session(current_user, session_id)
    list_id = session.list_id
    return run_form(
        PlainForm(),
        lambda: ops.delete_session(current_user, session),
        success=f"Đã xóa phiên bỏ phiếu #{session_id}.",
        done=url_for("awards.list_voting", list_id=list_id),
        back=url_for("awards.voting_session", session_id=session_id),
    )


@bp.route("/voting-sessions/<int:session_id>")
@login_required
def voting_session(session_id):
    """A session: its ballot; totals once closed, outcomes once published."""
    return _session_page(ops.visible_session(current_user, session_id))


def _session_page(session, typed: dict | None = None, refused=(), errors=()):
    """The session's page; a refused paper count: `typed` {input name: text as typed}, the
    `refused` nomination ids and the `errors`, told at the form's top."""
    may_count = ops.may_count(current_user, session)
    # the paper totals are entered for the whole ballot in one form (all or nothing)
    paper_form = session.mode == "paper" and ops.effective_state(session) == "closed" and may_count
    page = None if paper_form else max(1, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "awards/council_session.html",
        s=ops.session_view(
            session,
            page=page,
            q=request.args.get("q", "").strip()[:100] or None,
            outcome=request.args.get("outcome") or None,
        ),
        outcomes=ops.OUTCOMES,
        session=session,
        plain=PlainForm(formdata=None),
        may_manage=ops.can(current_user, "council.manage", session.award_list.unit),
        may_count=may_count,
        paper_form=paper_form,
        typed=typed or {},
        refused=set(refused),
        paper_errors=list(errors),
    )


@bp.route("/voting-sessions/<int:session_id>/paper-totals", methods=["POST"])
@login_required
def paper_totals(session_id):
    """The paper count, all rows or none; refused, the page comes back with every total as
    typed and the faulty rows named and marked (a bad row cleared the whole form)."""
    session = ops.visible_session(current_user, session_id)
    back = url_for("awards.voting_session", session_id=session.id)
    typed, refused = {}, []

    def number(text: str):
        return int(text) if text.isdigit() else text

    def enter():
        rows, errors = [], []
        for item in session.items:
            nid = item.nomination_id
            yes = typed[f"yes_{nid}"] = request.form.get(f"yes_{nid}", "").strip()
            no = typed[f"no_{nid}"] = request.form.get(f"no_{nid}", "").strip()
            problem = ops.paper_row_problem(number(yes), number(no), session.members_count)
            if problem is not None:
                refused.append(nid)
                errors.append(f"{ops.nominee_label(item.nomination)}: {problem}")
            rows.append({"nomination_id": nid, "yes": number(yes), "no": number(no)})
        if errors:
            raise ValidationError("Kết quả kiểm phiếu chưa được lưu.", {"items": errors})
        return ops.enter_paper_totals(current_user, session, rows)

    return run_form(
        PlainForm(),
        enter,
        success="Đã lưu kết quả kiểm phiếu giấy.",
        done=back,
        messages=lambda err: [err.message, *(err.fields or {}).get("items", [])],
        render=lambda errors: _session_page(
            ops.visible_session(current_user, session_id), typed, refused, errors
        ),
    )


# --- "Phiếu bầu của tôi" ---------------------------------------------------------------------


@bp.route("/ballots")
@login_required
def my_ballots():
    sessions = ops.pending_ballots(current_user)
    return render_template(
        "awards/council_my_ballots.html",
        # (session, how many the user votes on, how many are their own): a member does not vote
        # on their own nomination
        sessions=[
            (s, mine := len(ops.ballot_of(current_user, s)), len(s.items) - mine) for s in sessions
        ],
    )


@bp.route("/voting-sessions/<int:session_id>/ballot", methods=["GET", "POST"])
@login_required
def ballot(session_id):
    session = ops.visible_session(current_user, session_id)
    if ops.membership(current_user, session.award_list) is None:
        raise Forbidden("Bạn không phải thành viên hội đồng bỏ phiếu danh sách này.")
    voted = ops.has_voted(current_user, session)
    open_now = ops.in_window(session) and session.mode == "secret"
    items = ops.ballot_views(current_user, session)
    form = PlainForm()
    errors: list[str] = []
    # what the member chose, kept on a refused ballot's page (nothing of it is stored)
    chosen = {
        item["nomination_id"]: value
        for item in items
        if (value := request.form.get(f"n{item['nomination_id']}")) in ("yes", "no")
    }
    if request.method == "POST" and form.validate_on_submit():
        choices = {nid: value == "yes" for nid, value in chosen.items()}
        try:
            ops.cast_vote(current_user, session.id, choices)
        except ServiceError as err:
            db.session.rollback()
            errors = [err.message] + [m for v in err.fields.values() for m in v]
        else:
            flash("Đã ghi nhận phiếu bầu của bạn. Cảm ơn bạn đã bỏ phiếu.", "info")
            return redirect(url_for("awards.ballot", session_id=session.id))
    elif request.method == "POST":
        errors = ["Phiên làm việc đã hết hạn: tải lại trang và bỏ phiếu lại."]
    missing = {i["nomination_id"] for i in items if i["nomination_id"] not in chosen}
    if errors and missing and chosen:
        names = [i["name"] for i in items if i["nomination_id"] in missing]
        errors.append(
            f"Chưa chọn: {', '.join(names[:5])}{' …' if len(names) > 5 else ''} "
            f"({len(names)} đề nghị, được đánh dấu dưới đây)."
        )
    status = 400 if errors else 200
    return render_template(
        "awards/council_ballot.html",
        session=session,
        items=items,
        voted=voted,
        open_now=open_now,
        early=ops.before_opening(session),
        form=PlainForm(formdata=None),
        errors=errors,
        chosen=chosen if errors else {},
        missing=missing if errors and chosen else set(),
    ), status
