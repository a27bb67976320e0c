"""Pages: the unit tree with people counts, a unit page (people, search, paging), a person."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from service.auth.access import can, scope_filter, scope_paths
from service.auth.forms import EmptyForm
from service.common.errors import Forbidden, ServiceError
from service.common.forms import error_lines, form_errors, three_way
from service.domains import landing_for
from service.extensions import db
from service.org import operations as ops
from service.org.api import people_query
from service.org.forms import UnitChildForm, UnitEditForm
from service.org.models import Person, Unit

bp = Blueprint("org", __name__)


@bp.route("/")
def index():
    """Each user lands on their work (the domains' landings); the unit tree otherwise."""
    if current_user.is_authenticated:
        return redirect(landing_for(current_user) or url_for("org.tree"))
    return redirect(url_for("auth.login"))


def subtree_counts(units) -> dict[int, int]:
    """People per unit including everything below, for the given units (one grouped query)."""
    direct = dict(
        db.session.execute(
            select(Person.unit_id, func.count())
            .join(Unit, Person.unit_id == Unit.id)
            .where(scope_filter(current_user, "unit.read"))
            .group_by(Person.unit_id)
        ).all()
    )
    total = defaultdict(int)
    for u in units:
        n = direct.get(u.id, 0)
        if n:
            for part in u.path.strip("/").split("/"):
                total[int(part)] += n
    return total


@bp.route("/units")
@login_required
def tree():
    """Units the user reaches, two levels below their top units (deeper: open a unit)."""
    paths = scope_paths(current_user, "unit.read")
    units = db.session.scalars(
        select(Unit).where(scope_filter(current_user, "unit.read")).order_by(Unit.path)
    ).all()
    if not units:
        return render_template("org/tree.html", rows=[], counts={}, no_scope=True)
    top = min(u.depth for u in units) if paths is None else None
    counts = subtree_counts(units)
    depth_limit = int(request.args.get("depth", 2))
    roots = {}
    rows = []
    for u in units:
        if paths is None:
            base = top
        else:
            root = next(p for p in paths if u.path.startswith(p))
            base = roots.setdefault(root, root.count("/") - 2)
        rel = u.depth - base
        if rel <= depth_limit:
            rows.append((u, rel))
    return render_template(
        "org/tree.html",
        rows=rows,
        counts=counts,
        no_scope=False,
        depth_limit=depth_limit,
        total_units=len(units),
    )


@bp.route("/units/<code>")
@login_required
def unit_page(code):
    return _unit_page(ops.visible_unit(current_user, code))


CHOICES_LISTED = 3000  # units offered by the "cấp trên" picker (any code may still be typed)


def _stored(unit: Unit) -> dict:
    """The unit's fields as the edit form shows them (text)."""
    return {
        "name": unit.name,
        "kind": unit.kind or "",
        "quota_root": "1" if unit.quota_root else "0",
        "parent_code": ops.unit_choice(unit.parent) if unit.parent else "",
    }


def _unit_page(unit, edit_form=None, child_form=None, errors=None):
    """The unit's page; an administrator also gets its forms (`errors`: a refused form's lines
    by form, "edit" or "child", shown at that form with what was typed)."""
    q = request.args.get("q", "").strip()[:200]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    per_page = current_app.config["PAGE_SIZE"]
    stmt = people_query(unit, q)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    people = db.session.scalars(
        stmt.order_by(Person.sort_name, Person.code).limit(per_page).offset((page - 1) * per_page)
    ).all()
    ancestor_ids = [int(p) for p in unit.path.strip("/").split("/")[:-1]]
    ancestors = db.session.scalars(
        select(Unit).where(Unit.id.in_(ancestor_ids)).order_by(Unit.depth)
    ).all()
    ancestors = [a for a in ancestors if ops.can(current_user, "unit.read", a)]
    children = db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)
    ).all()
    child_counts = _child_counts(unit, children)
    manage = can(current_user, "unit.write", unit)
    if manage:
        if edit_form is None:
            edit_form = UnitEditForm(
                formdata=None, data={**_stored(unit), "quota_root": unit.quota_root}
            )
        edit_form.remember(_stored(unit))
        child_form = child_form or UnitChildForm(prefix="child", formdata=None)
    choices = (
        [ops.unit_choice(u) for u in db.session.scalars(
            select(Unit).where(~Unit.path.startswith(unit.path)).order_by(Unit.path).limit(CHOICES_LISTED)
        )]
        if manage
        else []
    )  # fmt: skip
    return render_template(
        "org/unit.html",
        unit=unit,
        people=people,
        total=total,
        page=page,
        pages=max(1, (total + per_page - 1) // per_page),
        q=q,
        ancestors=ancestors,
        children=children,
        child_counts=child_counts,
        manage=manage,
        edit_form=edit_form,
        child_form=child_form,
        errors=errors or {},
        unit_choices=choices,
    )


def _refused(unit_code, which: str, lines: list[str], **forms):
    db.session.rollback()
    unit = ops.visible_unit(current_user, unit_code)
    return _unit_page(unit, errors={which: lines}, **forms), 400


@bp.route("/units/<code>/edit", methods=["POST"])
@login_required
def edit_unit(code):
    """Rename, re-kind, mark for quotas or move a unit (administrators): only the fields this
    administrator changed are written; a field another changed meanwhile is told, not undone."""
    unit = ops.visible_unit(current_user, code, "unit.write")
    form = UnitEditForm()
    if not form.validate_on_submit():
        return _refused(code, "edit", form_errors(form), edit_form=form)
    stored = _stored(unit)
    changes, conflicts = three_way(form.loaded(), form.typed(), stored)
    if conflicts:
        labels = {k: getattr(form, k).label.text for k in UnitEditForm.KEYS}
        line = (
            "Trong lúc bạn sửa, người khác đã lưu thay đổi "
            + ", ".join(f"«{labels[k]}»" for k in conflicts)
            + ": trang hiện giá trị bạn nhập, kiểm tra rồi lưu lại nếu vẫn muốn thay."
        )
        return _refused(code, "edit", [line], edit_form=form)
    data = {k: v == "1" if k == "quota_root" else v for k, v in changes.items()}
    if "parent_code" in data and data["parent_code"]:
        parent = ops.unit_from_choice(data["parent_code"])
        if parent is None or not can(current_user, "unit.read", parent):
            form.parent_code.errors.append("Không có đơn vị cấp trên với mã này.")
            return _refused(code, "edit", [], edit_form=form)
        data["parent_code"] = parent.code
    try:
        ops.update_unit(current_user, unit, data)
    except ServiceError as err:
        for name, messages in (err.fields or {}).items():
            if name in form._fields:
                form[name].errors.extend(messages)
        return _refused(code, "edit", [err.message] if err.message else [], edit_form=form)
    flash("Đã lưu đơn vị." if data else "Không có gì thay đổi.", "info")
    return redirect(url_for("org.unit_page", code=unit.code))


@bp.route("/units/<code>/children", methods=["POST"])
@login_required
def add_child_unit(code):
    """Add a unit under this one (administrators)."""
    parent = ops.visible_unit(current_user, code)
    if not can(current_user, "unit.write", parent):
        raise Forbidden()
    form = UnitChildForm(prefix="child")
    if not form.validate_on_submit():
        return _refused(code, "child", form_errors(form), child_form=form)
    data = {
        "code": form.code.data,
        "name": form.name.data,
        "kind": form.kind.data or "",
        "quota_root": bool(form.quota_root.data),
        "parent_code": parent.code,
    }
    try:
        unit = ops.create_unit(current_user, data)
    except ServiceError as err:
        return _refused(code, "child", error_lines(err), child_form=form)
    flash(f"Đã thêm đơn vị {unit.name} ({unit.code}) vào {parent.name}.", "info")
    return redirect(url_for("org.unit_page", code=unit.code))


@bp.route("/units/<code>/delete", methods=["POST"])
@login_required
def delete_unit(code):
    """Remove an empty unit (no unit under it, nobody in it); the page asks first."""
    unit = ops.visible_unit(current_user, code, "unit.write")
    parent_code = unit.parent.code if unit.parent else None
    name = unit.name
    if not EmptyForm().validate_on_submit():  # CSRF only
        flash("Phiên làm việc đã hết hạn: tải lại trang rồi thử lại.", "error")
        return redirect(url_for("org.unit_page", code=code))
    try:
        ops.delete_unit(current_user, unit)
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("org.unit_page", code=code))
    flash(f"Đã xóa đơn vị {name} ({code}).", "info")
    return redirect(
        url_for("org.unit_page", code=parent_code) if parent_code else url_for("org.tree")
    )


def _child_counts(unit, children) -> dict[int, int]:
    """People under each child unit: one grouped count over the unit's path range (an index
    range the planner estimates well), summed per child here."""
    if not children:
        return {}
    per_unit = db.session.execute(
        select(Unit.path, func.count())
        .select_from(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(Unit.subtree_clause(unit.path))
        .group_by(Unit.path)
    ).all()
    out = {c.id: 0 for c in children}
    for path, n in per_unit:
        for child in children:
            if path.startswith(child.path):
                out[child.id] += n
                break
    return out


@bp.route("/people/<code>")
@login_required
def person_page(code):
    person = ops.visible_person(current_user, code)
    return render_template("org/person.html", person=person)
