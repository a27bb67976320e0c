"""Pages of the yearly evaluation: years, rule pack, dashboard, entry grid, unit rating list
with "why", a person's own result, and the progress of a recompute job. Each POST validates its
form and calls one operation (service.common.forms.run_form)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from evaluation import operations as ops
from evaluation import queries as q
from evaluation.api import export_unit
from evaluation.charts import dashboard_charts
from evaluation.forms import (
    CatalogItemForm,
    ComputeForm,
    LevelForm,
    OpenYearForm,
    PackForm,
    RemoveViolationForm,
    ReviewActionForm,
    ViolationForm,
)
from evaluation.models import EvalYear
from evaluation.rules import Level, RulePack
from evaluation.schemas import DISCIPLINE_FORMS, HOW_FOUND, LEVELS
from evaluation.stats import dashboard_rows, unit_level_counts, violation_counts
from evaluation.workflow import approval_errors, label_of
from service.auth.access import can, is_admin, scope_filter, scope_paths
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.exports import export_kinds
from service.common.filters import vn_decimal
from service.common.forms import run_form, three_way
from service.domains import work_for
from service.exports.jobs import recent_jobs as recent_export_jobs
from service.exports.jobs import send_or_start
from service.extensions import db
from service.jobs import job_out
from service.jobs.models import Job
from service.org.models import Person, Unit
from service.org.operations import unit_choice, unit_from_choice, visible_person, visible_unit

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

LEVEL_LABELS = {lv.value: lv.label for lv in Level}


@bp.app_template_global("level_label")
def level_label(code):
    return LEVEL_LABELS.get(code or "", "")


@bp.route("/")
@login_required
def index():
    rows = q.list_years()
    if rows and not is_admin(current_user):
        return redirect(url_for("evaluation.dashboard", year=rows[0].year))
    return _years_page(rows)


def _years_page(rows, errors=(), typed=None):
    """The years; `errors` and the year `typed` at the open-year form when it was refused."""
    return render_template(
        "evaluation/years.html",
        years=rows,
        may_open=EvalYear.can_open(current_user),
        open_errors=errors,
        typed_year=typed,
    )


@bp.route("/years", methods=["POST"])
@login_required
def open_year():
    form = OpenYearForm()
    return run_form(
        form,
        lambda: ops.open_year(current_user, form.year.data),
        success=lambda row: f"Đã mở năm {row.year} (bộ quy tắc: {row.pack_source}).",
        done=lambda row: url_for("evaluation.pack", year=row.year),
        render=lambda errors: _years_page(
            q.list_years(), errors, (request.form.get("year") or "").strip()[:10]
        ),
    )


@bp.route("/<int:year>/pack", methods=["GET", "POST"])
@login_required
def pack(year):
    year_row = q.get_year(year)
    form = PackForm()

    def page(errors=()):
        year_now = q.get_year(year)  # after a rollback, as stored
        info = q.year_out(year_now)
        return render_template(
            "evaluation/pack.html",
            year=year_now,
            info=info,
            values=dict(request.form) if errors else info["pack"],
            # what the page shows as stored: the next save writes only what was changed
            was=json.dumps(_pack_shown(info["pack"]), ensure_ascii=False),
            labels={name: RulePack.label(name) for name in info["pack"]},
            errors=errors,
            catalog=q.catalog_rows(year_now),
            editable=year_now.can_edit_pack(current_user),
        )

    def save():
        """Only the parameters this user changed; one that someone else changed meanwhile
        to another value is refused, naming it (nothing saved)."""
        typed = form.typed()
        changes, conflicts = three_way(form.loaded(), typed, _pack_shown(year_row.pack))
        if conflicts:
            names = ", ".join(f"«{RulePack.label(k)}»" for k in conflicts)
            raise Conflict(
                f"Trong lúc bạn sửa, người khác đã lưu thay đổi {names}: chưa lưu gì. Trang "
                "hiện giá trị bạn nhập và giá trị mới được lưu ở dòng thông báo; kiểm tra rồi "
                "lưu lại.",
                {
                    "params": [
                        f"{RulePack.label(k)}: giá trị hiện tại "
                        f"{vn_decimal(year_row.pack.get(k))}, bạn nhập {typed[k]}."
                        for k in conflicts
                    ]
                },
            )
        return ops.update_pack(current_user, year_row, form.params(changes))

    if request.method != "POST":
        return page()
    return run_form(
        form,
        save,
        success="Đã lưu bộ quy tắc.",
        done=url_for("evaluation.pack", year=year),
        render=page,
        messages=lambda err: (
            [err.message, *err.fields.get("params", [])]
            if isinstance(err, Conflict)
            else err.fields.get("params", []) or [err.message]
        ),
    )


def _pack_shown(pack: dict) -> dict:
    """The pack's parameters as the page writes them (the text three_way compares)."""
    return {name: vn_decimal(value) for name, value in pack.items()}


@bp.route("/<int:year>/catalog/<code>", methods=["POST"])
@login_required
def catalog_item(year, code):
    year_row = q.get_year(year)
    row = q.catalog_item(year_row, code)
    form = CatalogItemForm()
    data = {"title": form.title.data, "applies_to": form.applies_to.data}
    return run_form(
        form,
        lambda: ops.update_catalog_item(
            current_user, year_row, row, {**data, "severity": form.severity.data}
        ),
        success=f"Đã lưu mục {code}.",
        done=url_for("evaluation.pack", year=year) + f"#c-{code}",
        prefix=f"{code} — ",
    )


@bp.route("/<int:year>")
@login_required
def dashboard(year):
    year_row = q.get_year(year)
    code = request.args.get("unit")
    unit = (
        visible_unit(current_user, code, "evaluation.read") if code else q.home_unit(current_user)
    )
    if unit is None and is_admin(current_user):
        unit = q.single_root()
    if unit is None and not is_admin(current_user):
        raise Forbidden("Bạn chưa được giao đơn vị nào để xem kết quả đánh giá.")
    rows = dashboard_rows(year_row, unit)
    charts = dashboard_charts(
        rows, unit_level_counts(year_row, unit), violation_counts(year_row, unit)
    )
    return render_template(
        "evaluation/dashboard.html",
        year=year_row,
        info=q.year_out(year_row),
        unit=unit,
        ancestors=q.visible_ancestors(current_user, unit) if unit is not None else [],
        rows=rows,
        charts=charts,
        levels=LEVELS,
        all_years=q.list_years(),
    )


@bp.route("/<int:year>/compute", methods=["POST"])
@login_required
def compute_page(year):
    year_row = q.get_year(year)
    form = ComputeForm()
    if not form.validate_on_submit():
        abort(400)
    unit = visible_unit(current_user, form.unit.data, "evaluation.read") if form.unit.data else None
    job = ops.start_computation(current_user, year_row, unit)
    return redirect(url_for("jobs.job_page", job_id=job.id, back=form.back.data or None))


@bp.route("/<int:year>/units/<code>/entry")
@login_required
def entry(year, code):
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    review = q.review_of(year_row, unit)
    return render_template(
        "evaluation/entry.html",
        year=year_row,
        unit=unit,
        rows=q.grid_rows(year_row, unit),
        child_evals=q.child_inputs(year_row, unit),
        writable=review.can_enter(current_user),
        state=review.state,
        state_label=q.STATE_LABELS[review.state],
        discipline_forms=DISCIPLINE_FORMS,
        catalog=q.catalog_rows(year_row),
    )


@bp.route("/<int:year>/units/<code>")
@login_required
def unit_ratings(year, code):
    year_row = q.get_year(year)
    return _unit_page(year_row, visible_unit(current_user, code, "evaluation.read"))


def _unit_page(year_row, unit, refused: dict | None = None):
    """The unit's rating list. `refused`: the row form (kind, code, what) or the list action
    (action) that was refused, with what was typed and the errors, shown at that form."""
    review = q.review_of(year_row, unit)
    return render_template(
        "evaluation/unit.html",
        refused=refused or {},
        year=year_row,
        unit=unit,
        items=q.unit_ratings_out(year_row, unit, page=True),
        review=q.review_out(year_row, unit, review, current_user),
        list_review=review,
        problems=approval_errors(year_row, unit) if review.state == "submitted" else [],
        levels=LEVELS,
        confirm_actions=CONFIRM_ACTIONS,
        recomputing=q.recompute_pending(year_row, unit),
    )


CONFIRM_ACTIONS = ("approve", "reopen")


@bp.route("/<int:year>/units/<code>/review/<action>/confirm")
@login_required
def confirm_action(year, code, action):
    """Approve and reopen ask first: the list's counts per level, the final levels that differ
    from the computed ones (with their reasons), what is still incomplete."""
    if action not in CONFIRM_ACTIONS:
        abort(404)
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    review = q.review_of(year_row, unit)
    allowed = {t.action: t for t in review.allowed_actions(current_user)}
    if action not in allowed:
        flash(f"Không thể «{label_of(action)}» danh sách này lúc này.", "warning")
        return redirect(url_for("evaluation.unit_ratings", year=year, code=code))
    items = q.unit_ratings_out(year_row, unit, page=True)
    return render_template(
        "evaluation/confirm.html",
        year=year_row,
        unit=unit,
        action=allowed[action],
        review=q.review_out(year_row, unit, review, current_user),
        summary=q.list_summary(items),
        problems=approval_errors(year_row, unit) if action == "approve" else [],
        levels=("XS", "T", "HT", "KHT", "NR"),
    )


@bp.route("/<int:year>/units/<code>/review/<action>", methods=["POST"])
@login_required
def review_action(year, code, action):
    year_row = q.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    form = ReviewActionForm()
    back = url_for("evaluation.unit_ratings", year=year, code=code)
    return run_form(
        form,
        lambda: ops.review_action(
            current_user, year_row, unit, action, form.reason.data or None, form.version.data
        ),
        success=lambda _review: f"Đã thực hiện: {label_of(action)}.",
        done=back,
        messages=lambda err: [err.message, *(err.fields or {}).get("rules", [])[5:]],
        # the list again, the reason as typed at its form (a return's reason is not lost)
        render=lambda errors: _unit_page(
            q.get_year(year),
            unit,
            {"action": action, "reason": request.form.get("reason", ""), "errors": errors},
        ),
    )


@bp.route("/<int:year>/ratings/<kind>/<code>/<what>", methods=["POST"])
@login_required
def set_level(year, kind, code, what):
    operation = {"proposal": ops.set_proposal, "final": ops.set_final_level}.get(what)
    if operation is None:
        abort(404)
    year_row = q.get_year(year)
    rating, list_unit = q.visible_rating(current_user, year_row, kind, code)
    form = LevelForm()
    shown = form.was.data if "was" in request.form else None  # a script's post may not carry it
    return run_form(
        form,
        lambda: operation(
            current_user,
            year_row,
            rating,
            list_unit,
            form.level.data,
            form.reason.data or None,
            shown=shown,
        ),
        success=f"Đã lưu mức của {code}.",
        # back at the row saved (a list of 90 rows scrolled back to its top after each save)
        done=url_for(
            "evaluation.unit_ratings",
            year=year,
            code=list_unit.code,
            _anchor=f"rating-{kind}-{code}",  # the row: on a phone its card, code and name first
        ),
        # the list again, at this row: the level and reason as typed, the error beside them
        render=lambda errors: _unit_page(
            q.get_year(year),
            list_unit,
            {
                "kind": kind,
                "code": code,
                "what": what,
                "level": request.form.get("level", ""),
                "reason": request.form.get("reason", ""),
                "errors": errors,
            },
        ),
    )


@bp.route("/<int:year>/people/<code>")
@login_required
def person_result(year, code):
    year_row = q.get_year(year)
    return _person_page(year_row, q.own_or_visible_person(current_user, code))


def _person_page(year_row, person, errors=(), kept=None):
    """The person's page; `errors` and `kept` (what was typed) at the violation form when it
    was refused."""
    review = q.review_of(year_row, person.unit)
    return render_template(
        "evaluation/person.html",
        violation_errors=errors,
        kept=kept or {},
        records=q.person_violations(year_row, person),
        catalog=q.catalog_rows(year_row, individual_only=True),
        how_found=HOW_FOUND,
        history=q.history_of(person_id=person.id),
        list_review=review,
        year=year_row,
        person=person,
        items=q.person_ratings_out(year_row, person, page=True),
        evaluation=q.person_inputs_out(year_row, person),
        review_state=review.state,
        state_labels=q.STATE_LABELS,
        all_years=q.list_years(),
        recomputing=q.recompute_pending(year_row, person.unit),
    )


@bp.route("/<int:year>/people/<code>/violations", methods=["POST"])
@login_required
def add_violation(year, code):
    year_row = q.get_year(year)
    person = visible_person(current_user, code, "evaluation.enter")
    form = ViolationForm()
    return run_form(
        form,
        lambda: ops.add_violation(
            current_user,
            year_row,
            {f: form[f].data for f in ("code", "found_on", "how_found", "evidence")},
            person=person,
        ),
        success=lambda v: f"Đã ghi nhận vi phạm {v.code}.",
        done=url_for("evaluation.person_result", year=year, code=code),
        render=lambda errors: _person_page(
            q.get_year(year), person, errors, kept=request.form.to_dict()
        ),
    )


@bp.route("/<int:year>/violations/<int:violation_id>/remove", methods=["POST"])
@login_required
def remove_violation(year, violation_id):
    year_row = q.get_year(year)
    v = q.get_violation(year_row, violation_id)
    if v.person is None:
        abort(404)
    person = visible_person(current_user, v.person.code, "evaluation.enter")
    form = RemoveViolationForm()
    return run_form(
        form,
        lambda: ops.remove_violation(current_user, year_row, v, form.reason.data),
        success=f"Đã gỡ vi phạm {v.code}.",
        done=url_for("evaluation.person_result", year=year, code=person.code),
    )


@bp.route("/me")
@login_required
def me():
    """The latest year with a result of the user's own person (the newest year if none has);
    the person page lists every year."""
    rows = q.list_years()
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None or not rows:
        flash(
            "Tài khoản chưa gắn với hồ sơ cán bộ hoặc chưa có năm đánh giá: "
            "đề nghị quản trị hệ thống gắn tài khoản với hồ sơ của bạn.",
            "warning",
        )
        return redirect(url_for("org.tree"))
    year = q.latest_year_with_result(person) or rows[0].year
    return redirect(url_for("evaluation.person_result", year=year, code=person.code))


@bp.route("/work")
@login_required
def work():
    """ "Việc của tôi": staff see the lists to fill (returned ones first), committee members the
    lists waiting for them; the tree is one click away."""
    rows = q.list_years()
    wanted = request.args.get("year", type=int)
    year_row = next((r for r in rows if r.year == wanted), rows[0] if rows else None)
    staff = committee = ([], 0)
    if year_row is not None:
        if can(current_user, "evaluation.enter"):
            staff = q.work_lists(year_row, current_user, "evaluation.enter")
        if can(current_user, "evaluation.approve"):
            committee = q.work_lists(
                year_row, current_user, "evaluation.approve", 5000, state="submitted"
            )
    return render_template(
        "evaluation/work.html",
        year=year_row,
        all_years=rows,
        staff=staff,
        committee=committee,
        is_staff=can(current_user, "evaluation.enter"),
        is_committee=can(current_user, "evaluation.approve"),
        # the year's summary is a unit's: an own-result account has none to see (it was a 403)
        may_dashboard=is_admin(current_user) or q.home_unit(current_user) is not None,
        # the other domains' work (award lists, ballots) of the same year
        domain_work=work_for(current_user, year_row.year) if year_row is not None else [],
    )


def landing(user) -> str | None:
    """Where a user lands after login: staff and committee on their work, HR on the year's
    exports ("Xuất bảng tính", with their recent export jobs), a person without a role on their
    own result (administrators: the tree)."""
    if is_admin(user):
        return None
    if can(user, "evaluation.enter") or can(user, "evaluation.approve"):
        return url_for("evaluation.work")
    if can(user, "evaluation.read"):  # HR: the spreadsheets they hand upward
        return url_for("evaluation.exports_latest")
    if user.person_id:
        return url_for("evaluation.me")
    return None


@bp.route("/exports")
@login_required
def exports_latest():
    """The menu's "Xuất bảng tính": the latest year's exports."""
    rows = q.list_years()
    if not rows:
        flash("Chưa mở năm đánh giá nào.", "error")
        return redirect(url_for("evaluation.index"))
    return redirect(url_for("evaluation.exports_page", year=rows[0].year, **request.args))


@bp.route("/<int:year>/exports")
@login_required
def exports_page(year):
    """The spreadsheets of a year, one click each: for the picked unit, else for each unit at
    the top of the user's reach; and the user's recent export jobs (HR's home)."""
    year_row = q.get_year(year)
    picked = (request.args.get("unit") or "").strip()[:300]
    units, unit_error = None, None
    if picked:
        unit = unit_from_choice(picked)
        try:
            units = [visible_unit(current_user, unit.code, "evaluation.read")] if unit else None
        except NotFound:
            units = None
        if units is None:  # told at the field, the text as typed; the page as unpicked
            unit_error = (
                f"Không tìm thấy đơn vị «{picked[:60]}» trong phạm vi của bạn: gõ vài chữ của "
                "tên hoặc mã rồi chọn trong danh sách gợi ý."
            )
    if units is None:
        units = q.reach_tops(current_user, "evaluation.read")
    reach = select(Unit).where(scope_filter(current_user, "evaluation.read")).order_by(Unit.path)
    offers = [
        (u, k) for u in units for k in export_kinds().values() if can(current_user, k.permission, u)
    ]
    return render_template(
        "evaluation/exports.html",
        year=year_row,
        unit=units[0] if picked and not unit_error else None,
        unit_error=unit_error,
        typed_unit=picked,
        offers=offers,
        recent=[job_out(j) for j in recent_export_jobs(current_user)],
        all_years=q.list_years(),
        unit_choices=[unit_choice(u) for u in db.session.scalars(reach)],
        no_role=scope_paths(current_user, "evaluation.read") == [],
    ), (400 if unit_error else 200)


@bp.route("/<int:year>/exports/<kind>.xlsx")
@login_required
def export_file(year, kind):
    """A button of the exports page: the file at once, or (a large export) the page of the job
    that writes it, which offers "Tải về" once done."""
    found = export_kinds().get(kind)
    if found is None:
        abort(404)
    year_row = q.get_year(year)
    unit = export_unit(current_user, request.args.get("unit"), found.permission)
    try:
        answer = send_or_start(found, year_row, unit, current_user, request.args)
    except ValidationError as err:  # a bad option (a period's day): told on the exports page
        for messages in (err.fields or {"": [err.message]}).values():
            for message in messages:
                flash(f"{found.label}: {message}", "error")
        typed = {k: request.args[k] for k in ("from", "to") if k in request.args}
        return redirect(
            url_for(
                "evaluation.exports_page",
                year=year,
                unit=unit.code,
                kind=kind,
                **typed,
                _anchor=f"export-{kind}-{unit.code}",
            )  # fmt: skip
        )
    if not isinstance(answer, Job):
        return answer
    back = url_for("evaluation.exports_page", year=year, unit=unit.code)
    return redirect(url_for("jobs.job_page", job_id=answer.id, back=back))
