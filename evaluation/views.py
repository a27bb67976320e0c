"""Pages of the yearly evaluation: years, rule pack, dashboard, entry grid, unit rating list
with "why", a person's own result, and the progress of a recompute job."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError as MError
from sqlalchemy import select

from evaluation import compute, history, inputs, workflow, years
from evaluation.api import grid_rows, start_compute
from evaluation.models import Rating, Violation, ViolationTypeRow
from evaluation.rules import Level, RulePack
from evaluation.schemas import (
    DISCIPLINE_FORMS,
    HOW_FOUND,
    LEVELS,
    CatalogUpdateSchema,
    ViolationInSchema,
)
from evaluation.stats import dashboard_rows
from service.auth.access import can, is_admin, scope_paths
from service.common.errors import Forbidden, ServiceError
from service.extensions import db
from service.org.models import Person, Unit
from service.org.operations import visible_person, visible_unit

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

LEVEL_LABELS = {lv.value: lv.label for lv in Level}


@bp.app_template_global("level_label")
def level_label(code):
    return LEVEL_LABELS.get(code or "", "")


def _home_unit() -> Unit | None:
    """The topmost unit the user may read evaluations of (None: everywhere)."""
    paths = scope_paths(current_user, "evaluation.read")
    if paths is None or not paths:
        return None
    first = min(paths, key=len)
    uid = int(first.strip("/").split("/")[-1])
    return db.session.get(Unit, uid)


@bp.route("/")
@login_required
def index():
    rows = years.list_years()
    if rows and not is_admin(current_user):
        return redirect(url_for("evaluation.dashboard", year=rows[0].year))
    return render_template("evaluation/years.html", years=rows)


@bp.route("/years", methods=["POST"])
@login_required
def open_year():
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        flash("Năm không hợp lệ.", "error")
        return redirect(url_for("evaluation.index"))
    if not 2000 <= year <= 2100:
        flash("Năm phải trong khoảng 2000–2100.", "error")
        return redirect(url_for("evaluation.index"))
    try:
        row = years.open_year(current_user, year)
    except ServiceError as err:
        flash(err.message, "error")
        return redirect(url_for("evaluation.index"))
    flash(f"Đã mở năm {year} (bộ quy tắc: {row.pack_source}).", "info")
    return redirect(url_for("evaluation.pack", year=year))


@bp.route("/<int:year>/pack", methods=["GET", "POST"])
@login_required
def pack(year):
    year_row = years.get_year(year)
    errors: list[str] = []
    if request.method == "POST":
        params = {
            name: request.form.get(name, "").strip()
            for name in RulePack().to_dict()
            if name in request.form
        }
        try:
            years.update_pack(current_user, year_row, params)
            flash("Đã lưu bộ quy tắc.", "info")
            return redirect(url_for("evaluation.pack", year=year))
        except ServiceError as err:
            errors = err.fields.get("params", []) or [err.message]
            db.session.rollback()
            year_row = years.get_year(year)
    catalog = db.session.scalars(
        select(ViolationTypeRow)
        .where(ViolationTypeRow.year_id == year_row.id)
        .order_by(ViolationTypeRow.code)
    ).all()
    info = years.year_out(year_row)
    values = dict(request.form) if errors else info["pack"]
    return render_template(
        "evaluation/pack.html",
        year=year_row,
        info=info,
        values=values,
        labels={name: RulePack.label(name) for name in info["pack"]},
        errors=errors,
        catalog=catalog,
        editable=is_admin(current_user) and not info["pack_locked"],
    )


@bp.route("/<int:year>/catalog/<code>", methods=["POST"])
@login_required
def catalog_item(year, code):
    year_row = years.get_year(year)
    row = years.catalog_item(year_row, code)
    try:
        data = CatalogUpdateSchema().load(
            {
                "title": request.form.get("title", "").strip(),
                "applies_to": request.form.get("applies_to", ""),
                "severity": request.form.get("severity", ""),
            }
        )
        years.update_catalog_item(current_user, year_row, row, data)
        flash(f"Đã lưu mục {code}.", "info")
    except MError as err:
        db.session.rollback()
        for field, msgs in err.messages.items():
            flash(f"{code} — {field}: {' '.join(map(str, msgs))}", "error")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("evaluation.pack", year=year) + f"#c-{code}")


@bp.route("/<int:year>")
@login_required
def dashboard(year):
    year_row = years.get_year(year)
    code = request.args.get("unit")
    unit = visible_unit(current_user, code, "evaluation.read") if code else _home_unit()
    if unit is None and is_admin(current_user):
        roots = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(2)).all()
        unit = roots[0] if len(roots) == 1 else None
    if unit is None and not is_admin(current_user):
        raise Forbidden("Bạn chưa được giao đơn vị nào để xem kết quả đánh giá.")
    ancestors = []
    if unit is not None:
        ids = [int(p) for p in unit.path.strip("/").split("/")[:-1]]
        ancestors = [
            a
            for a in db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.depth))
            if can(current_user, "evaluation.read", a)
        ]
    return render_template(
        "evaluation/dashboard.html",
        year=year_row,
        info=years.year_out(year_row),
        unit=unit,
        ancestors=ancestors,
        rows=dashboard_rows(year_row, unit),
        levels=LEVELS,
        all_years=years.list_years(),
        may_compute=is_admin(current_user)
        or (unit is not None and can(current_user, "evaluation.enter", unit)),
    )


@bp.route("/<int:year>/compute", methods=["POST"])
@login_required
def compute_page(year):
    job = start_compute(years.get_year(year), request.form.get("unit") or None)
    return redirect(url_for("jobs.job_page", job_id=job.id, back=request.form.get("back")))


@bp.route("/<int:year>/units/<code>/entry")
@login_required
def entry(year, code):
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    children = db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)
    ).all()
    child_evals = []
    for child in children:
        row = inputs.get_unit_eval(year_row, child)
        codes = [v.code for v in inputs.active_violations(year_row, unit_id=child.id)]
        child_evals.append((child, inputs.unit_eval_out(row, codes)))
    state = inputs.review_state(year_row, unit.id)
    writable = (
        can(current_user, "evaluation.enter", unit) and state == "open" and not year_row.locked
    )
    catalog = db.session.scalars(
        select(ViolationTypeRow)
        .where(ViolationTypeRow.year_id == year_row.id)
        .order_by(ViolationTypeRow.code)
    ).all()
    return render_template(
        "evaluation/entry.html",
        year=year_row,
        unit=unit,
        rows=grid_rows(year_row, unit),
        child_evals=child_evals,
        writable=writable,
        state=state,
        state_label=workflow.STATE_LABELS[state],
        discipline_forms=DISCIPLINE_FORMS,
        catalog=catalog,
    )


@bp.route("/<int:year>/units/<code>")
@login_required
def unit_ratings(year, code):
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    rows = workflow.list_ratings(year_row, unit)
    decisions = workflow.decisions_for(year_row, [r for r, _c, _n in rows])
    items = [
        workflow.rating_out(r, c, n, decisions.get((r.kind, r.person_id, r.unit_id)))
        for r, c, n in rows
    ]
    review = workflow.get_review(year_row, unit)
    state = review.state if review else "open"
    problems = workflow.approval_errors(year_row, unit) if state == "submitted" else []
    return render_template(
        "evaluation/unit.html",
        year=year_row,
        unit=unit,
        items=items,
        review=workflow.review_out(year_row, unit, review, current_user),
        may_propose=can(current_user, "evaluation.enter", unit) and state == "open",
        may_decide=can(current_user, "evaluation.approve", unit) and state == "submitted",
        problems=problems,
        levels=LEVELS,
    )


@bp.route("/<int:year>/units/<code>/review/<action>", methods=["POST"])
@login_required
def review_action(year, code, action):
    year_row = years.get_year(year)
    unit = visible_unit(current_user, code, "evaluation.read")
    reason = request.form.get("reason") or None
    version = request.form.get("version", type=int)
    try:
        workflow.act(current_user, year_row, unit, action, reason, version)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        for msg in (err.fields or {}).get("rules", [])[5:]:
            flash(msg, "error")
        return redirect(url_for("evaluation.unit_ratings", year=year, code=code))
    label = next(t.label for t in workflow.TRANSITIONS if t.action == action)
    flash(f"Đã thực hiện: {label}.", "info")
    return redirect(url_for("evaluation.unit_ratings", year=year, code=code))


@bp.route("/<int:year>/ratings/<kind>/<code>/<what>", methods=["POST"])
@login_required
def set_level(year, kind, code, what):
    year_row = years.get_year(year)
    rating, list_unit = workflow.find_rating(year_row, kind, code)
    if not can(current_user, "evaluation.read", list_unit):
        abort(404)
    level = request.form.get("level", "")
    reason = request.form.get("reason") or None
    if level not in LEVELS:
        flash("Mức không hợp lệ.", "error")
    else:
        try:
            if what == "proposal":
                workflow.propose(current_user, year_row, rating, list_unit, level, reason)
            elif what == "final":
                workflow.decide(current_user, year_row, rating, list_unit, level, reason)
            else:
                abort(404)
            flash(f"Đã lưu mức của {code}.", "info")
        except ServiceError as err:
            db.session.rollback()
            flash(f"{code}: {err.message}", "error")
    return redirect(url_for("evaluation.unit_ratings", year=year, code=list_unit.code))


@bp.route("/<int:year>/people/<code>")
@login_required
def person_result(year, code):
    year_row = years.get_year(year)
    person = None
    if current_user.person_id:
        own = db.session.get(Person, current_user.person_id)
        if own is not None and own.code == code:
            person = own
    if person is None:
        person = visible_person(current_user, code, "evaluation.read")
    ratings = db.session.scalars(
        select(Rating).where(Rating.year_id == year_row.id, Rating.person_id == person.id)
    ).all()
    decisions = workflow.decisions_for(year_row, list(ratings))
    items = [
        workflow.rating_out(
            r, person.code, person.full_name, decisions.get((r.kind, r.person_id, r.unit_id))
        )
        for r in ratings
    ]
    row = inputs.get_person_eval(year_row, person)
    codes = [v.code for v in inputs.active_violations(year_row, person_id=person.id)]
    records = db.session.scalars(
        select(Violation)
        .where(Violation.year_id == year_row.id, Violation.person_id == person.id)
        .order_by(Violation.id)
    ).all()
    catalog = db.session.scalars(
        select(ViolationTypeRow)
        .where(
            ViolationTypeRow.year_id == year_row.id,
            ViolationTypeRow.applies_to != "collective",
        )
        .order_by(ViolationTypeRow.code)
    ).all()
    return render_template(
        "evaluation/person.html",
        records=records,
        catalog=catalog,
        how_found=HOW_FOUND,
        history=history.history_of(person_id=person.id),
        may_enter=can(current_user, "evaluation.enter", person.unit)
        and inputs.review_state(year_row, person.unit_id) == "open"
        and not year_row.locked,
        year=year_row,
        person=person,
        items=items,
        evaluation=inputs.person_eval_out(row, codes),
        review_state=inputs.review_state(year_row, person.unit_id),
        state_labels=workflow.STATE_LABELS,
        all_years=years.list_years(),
    )


@bp.route("/<int:year>/people/<code>/violations", methods=["POST"])
@login_required
def add_violation(year, code):
    year_row = years.get_year(year)
    person = visible_person(current_user, code, "evaluation.enter")
    form = request.form
    try:
        data = ViolationInSchema().load(
            {
                "person_code": code,
                "code": form.get("code", ""),
                "found_on": form.get("found_on") or None,
                "how_found": form.get("how_found") or "other",
                "evidence": form.get("evidence", ""),
            }
        )
        data.pop("person_code")
        inputs.add_violation(current_user, year_row, data, person=person)
        compute.note_change(year_row, person.unit_id)
        flash(f"Đã ghi nhận vi phạm {data['code']}.", "info")
    except MError as err:
        db.session.rollback()
        for field, msgs in err.messages.items():
            flash(f"{field}: {' '.join(map(str, msgs))}", "error")
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("evaluation.person_result", year=year, code=code))


@bp.route("/<int:year>/violations/<int:violation_id>/remove", methods=["POST"])
@login_required
def remove_violation(year, violation_id):
    year_row = years.get_year(year)
    v = inputs.get_violation(year_row, violation_id)
    person = visible_person(current_user, v.person.code, "evaluation.enter") if v.person else None
    if person is None:
        abort(404)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash("Gỡ vi phạm cần có lý do.", "error")
    else:
        try:
            inputs.remove_violation(current_user, year_row, v, reason)
            compute.note_change(year_row, person.unit_id)
            flash(f"Đã gỡ vi phạm {v.code}.", "info")
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
    return redirect(url_for("evaluation.person_result", year=year, code=person.code))


@bp.route("/me")
@login_required
def me():
    rows = years.list_years()
    if not current_user.person_id or not rows:
        flash("Tài khoản chưa gắn với hồ sơ cán bộ hoặc chưa có năm đánh giá.", "warning")
        return redirect(url_for("org.index"))
    person = db.session.get(Person, current_user.person_id)
    return redirect(url_for("evaluation.person_result", year=rows[0].year, code=person.code))
