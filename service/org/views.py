"""Pages: the unit tree with people counts, a unit page (people, search, paging), a person."""

from __future__ import annotations

import json
from collections import defaultdict

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError as MError
from sqlalchemy import func, select
from wtforms import BooleanField

from service.auth.access import can, scope_filter, scope_paths
from service.auth.forms import EmptyForm
from service.common.errors import Forbidden, ServiceError
from service.common.forms import GENERIC, form_errors, next_baseline, three_way
from service.domains import landing_for
from service.extensions import db
from service.org import operations as ops
from service.org.api import people_query
from service.org.forms import NewPersonForm, PersonForm, UnitChildForm, UnitEditForm, as_text
from service.org.models import Person, Unit
from service.org.schemas import check_person_consistency

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


def _choices_listed() -> int:
    """Units a picker carries with the page (the rest are found as the clerk types)."""
    return current_app.config["ORG_PICKER_CHOICES"]


def _stored(unit: Unit) -> dict:
    """The unit's fields as the edit form shows them (text)."""
    return {
        "name": unit.name,
        "kind": unit.kind or "",
        "quota_root": "1" if unit.quota_root else "0",
        "parent_code": ops.unit_choice(unit.parent) if unit.parent else "",
    }


def _unit_page(unit, edit_form=None, child_form=None, errors=None, person_form=None, seen=()):
    """The unit's page; an administrator also gets its forms (`errors`: a refused form's lines
    by form, "edit" or "child", shown at that form with what was typed; `seen`: the edit
    form's fields told as changed by another)."""
    q = request.args.get("q", "").strip()[:200]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    per_page = current_app.config["PAGE_SIZE"]
    # a party cell's members belong to other units: listed on its page on demand
    cell_members = db.session.scalar(select(func.count()).where(Person.party_unit_id == unit.id))
    members = bool(cell_members) and request.args.get("members") == "1"
    stmt = people_query(unit, q, members=members)
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
        edit_form.remember(next_baseline(edit_form.loaded(), _stored(unit), seen))
        child_form = child_form or UnitChildForm(prefix="child", formdata=None)
    choices = (
        [ops.unit_choice(u) for u in db.session.scalars(
            select(Unit).where(~Unit.path.startswith(unit.path)).order_by(Unit.path).limit(_choices_listed())
        )]
        if manage
        else []
    )  # fmt: skip
    add_people = can(current_user, "person.write", unit)
    if add_people and person_form is None:
        person_form = NewPersonForm(
            prefix="person", formdata=None, data={"unit_code": ops.unit_choice(unit)}
        )
    return render_template(
        "org/unit.html",
        unit=unit,
        cell_members=cell_members,
        members=members,
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
        add_people=add_people,
        person_form=person_form,
        person_choices=_person_unit_choices() if add_people else [],
    )


def _person_unit_choices() -> list[str]:
    """The units a clerk may put a person in (or name as the party cell): the picker's list."""
    stmt = select(Unit).where(scope_filter(current_user, "person.write")).order_by(Unit.path)
    return [ops.unit_choice(u) for u in db.session.scalars(stmt.limit(_choices_listed()))]


def _shown_value(field, text: str | None) -> str:
    """A form value as the page shows it: a choice by its label, a tick as có/không."""
    text = text or ""
    if isinstance(field, BooleanField):
        return "có" if text == "1" else "không"
    labels = dict(getattr(field, "choices", None) or ())
    return labels.get(text, text) if text else "trống"


def _conflict_line(form, conflicts, stored: dict, typed: dict) -> str:
    """A save refused because another saved the same fields meanwhile (three_way): each field
    with the value the other saved beside the one this user typed."""
    return (
        "Trong lúc bạn sửa, người khác đã lưu thay đổi — "
        + "; ".join(
            f"«{form[k].label.text}»: người khác đã lưu «{_shown_value(form[k], stored.get(k))}»,"
            f" bạn nhập «{_shown_value(form[k], typed.get(k))}»"
            for k in conflicts
        )
        + ". Trang hiện giá trị bạn nhập: bấm lưu lần nữa nếu vẫn muốn thay, hoặc sửa lại."
    )


def _refused(unit_code, which: str, lines: list[str], **forms):
    """The unit's page again with a refused form open, its lines at its top (a generic one
    when the messages are all at the fields), 400."""
    lines = lines or ["Chưa lưu: sửa các ô có báo lỗi bên dưới."]
    db.session.rollback()
    unit = ops.visible_unit(current_user, unit_code)
    return _unit_page(unit, errors={which: lines}, **forms), 400


@bp.route("/units/<code>/edit", methods=["POST"])
@login_required
def edit_unit(code):
    """Rename, re-kind, mark for quotas or move a unit (administrators): only the fields this
    administrator changed are written; a field another changed meanwhile is told, not undone."""
    unit = ops.visible_unit(current_user, code, "unit.write", lock=True)  # as edit_person
    form = UnitEditForm()
    if not form.validate_on_submit():
        return _refused(code, "edit", form_errors(form), edit_form=form)
    stored = _stored(unit)
    changes, conflicts = three_way(form.loaded(), form.typed(), stored)
    if conflicts:
        line = _conflict_line(form, conflicts, stored, form.typed())
        return _refused(code, "edit", [line], edit_form=form, seen=conflicts)
    data = {k: v == "1" if k == "quota_root" else v for k, v in changes.items()}
    if form.to_root.data:
        if data.get("parent_code"):
            form.parent_code.errors.append(
                "Bỏ dấu «Chuyển thành đơn vị gốc» để chuyển sang đơn vị cấp trên này, hoặc để "
                "trống ô này để thành đơn vị gốc."
            )
            return _refused(code, "edit", [], edit_form=form)
        data["parent_code"] = ""  # the tick says it: out of its parent, left empty or not
    elif "parent_code" in data and not data["parent_code"]:
        form.parent_code.errors.append(
            "Để trống là đưa đơn vị ra khỏi đơn vị cấp trên, thành đơn vị gốc. Nếu đúng ý, "
            "đánh dấu «Chuyển thành đơn vị gốc»; nếu không, chọn đơn vị cấp trên."
        )
        return _refused(code, "edit", [], edit_form=form)
    if "parent_code" in data and data["parent_code"]:
        parent = ops.unit_from_choice(data["parent_code"])
        if parent is None or not can(current_user, "unit.read", parent):
            form.parent_code.errors.append("Không có đơn vị cấp trên với mã này.")
            return _refused(code, "edit", [], edit_form=form)
        data["parent_code"] = parent.code
    try:
        ops.update_unit(current_user, unit, data)
    except ServiceError as err:
        return _refused(code, "edit", _field_errors(form, err), edit_form=form)
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
        return _refused(code, "child", _field_errors(form, err), child_form=form)
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
    return _person_page(ops.visible_person(current_user, code))


def _person_values(person: Person) -> dict:
    """The person's details as the edit form holds them (the pickers as "CODE — Name")."""
    return {
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "gender": person.gender.value if person.gender else "",
        "unit_code": ops.unit_choice(person.unit),
        "position": person.position or "",
        "duty_group": person.duty_group or "",
        "is_head": bool(person.is_head),
        "category": person.category.value if person.category else "",
        "is_party_member": bool(person.is_party_member),
        "party_unit_code": ops.unit_choice(person.party_unit) if person.party_unit else "",
        "admitted_on": person.admitted_on,
        "party_gap_days": person.party_gap_days or 0,
        "party_status": person.party_status.value if person.party_status else "",
        "seriously_ill": bool(person.seriously_ill),
    }


def _person_page(person, form=None, errors=(), status=200, seen=()):
    """The person's page; a refused `form` keeps the values it was loaded with, but for the
    fields in `seen` (told as changed by another: the next save may overwrite them)."""
    editable = can(current_user, "person.write", person.unit)
    if editable:
        values = _person_values(person)
        if form is None:
            form = PersonForm(formdata=None, data=values)
        stored = {k: as_text(v) for k, v in values.items()}
        baseline = next_baseline(form.loaded_values(), stored, seen)
        form.loaded.data = json.dumps(baseline, ensure_ascii=False)
    page = render_template(
        "org/person.html",
        person=person,
        form=form if editable else None,
        errors=list(errors),
        person_choices=_person_unit_choices() if editable else [],
    )
    return page, status


def _picked_units(form, data: dict) -> bool:
    """The pickers' texts as unit codes in `data`; an unknown or unreachable unit is told at
    its field (False)."""
    fine = True
    for key, message in (
        ("unit_code", "Không có đơn vị với mã này (hoặc ngoài phạm vi của bạn)."),
        ("party_unit_code", "Không có chi bộ với mã này."),
    ):
        if not data.get(key):
            continue
        unit = ops.unit_from_choice(data[key])
        if unit is None or not can(current_user, "unit.read", unit):
            form[key].errors.append(message)
            fine = False
        else:
            data[key] = unit.code
    return fine


def _person_data(form, keys) -> dict:
    data = {k: form[k].data for k in keys}
    for k in ("gender", "category", "party_status"):
        if k in data:
            data[k] = data[k] or None
    if "party_gap_days" in data:
        data["party_gap_days"] = data["party_gap_days"] or 0
    if "party_unit_code" in data:
        data["party_unit_code"] = data["party_unit_code"] or None
    return data


def _field_errors(form, err) -> list[str]:
    """An operation's refusal: each field's messages at its field, the rest as lines."""
    lines = []
    fields_ = err.fields if isinstance(err.fields, dict) else {}
    for name, messages in fields_.items():
        target = form._fields.get(name)
        msgs = messages if isinstance(messages, list) else [str(messages)]
        if target is not None:
            target.errors = [*target.errors, *msgs]
        else:
            lines.extend(msgs)
    if err.message and (not fields_ or err.message not in GENERIC):
        lines.insert(0, err.message)
    return lines


def _warn_other_heads(person) -> None:
    """A second head of a unit is saved (a handover may have two) but told: each head is
    capped at the unit's level (A8), so a deputy ticked by mistake changes a rating."""
    others = ops.other_heads(person)
    if others:
        names = ", ".join(f"{p.full_name} ({p.code})" for p in others)
        flash(
            f"Lưu ý: {person.unit.name} đã có người đứng đầu: {names}. Mỗi người đứng đầu bị "
            "giới hạn xếp loại theo mức của đơn vị; nếu chỉ có một người đứng đầu, bỏ đánh dấu "
            "ở hồ sơ người kia.",
            "warning",
        )


@bp.route("/people/<code>/edit", methods=["POST"])
@login_required
def edit_person(code):
    """Edit a person's details or move them to another unit (the clerk's reach): only the
    fields this clerk changed are written; a field another changed meanwhile is told."""
    # held until this save ends: a save at the same moment waits, then compares with this one's
    person = ops.visible_person(current_user, code, lock=True)
    if not can(current_user, "person.write", person.unit):
        raise Forbidden()
    form = PersonForm()
    if not form.validate_on_submit():
        return _person_page(person, form, form_errors(form), 400)
    stored = {k: as_text(v) for k, v in _person_values(person).items()}
    changes, conflicts = three_way(form.loaded_values(), form.typed(), stored)
    if conflicts:
        line = _conflict_line(form, conflicts, stored, form.typed())
        return _person_page(person, form, [line], 400, seen=conflicts)
    data = _person_data(form, list(changes))
    if not _picked_units(form, data):
        return _person_page(person, form, [], 400)
    was_head = (person.is_head, person.unit_id)
    try:
        ops.update_person(current_user, person, data)
    except ServiceError as err:
        db.session.rollback()
        person = ops.visible_person(current_user, code)
        return _person_page(person, form, _field_errors(form, err), 400)
    flash("Đã lưu thông tin cán bộ." if data else "Không có gì thay đổi.", "info")
    if person.is_head and was_head != (True, person.unit_id):
        _warn_other_heads(person)
    return redirect(url_for("org.person_page", code=code))


@bp.route("/units/<code>/people", methods=["POST"])
@login_required
def add_person(code):
    """Add a person (to this unit, or the unit the form names)."""
    unit = ops.visible_unit(current_user, code)
    if not can(current_user, "person.write", unit):
        raise Forbidden()
    form = NewPersonForm(prefix="person")
    # every problem of the form at once: its fields, the pickers, the cross-field checks and
    # the code (a clerk fixing one per submit sent it four times)
    fine = form.validate_on_submit()
    data = {"code": form.code.data, **_person_data(form, PersonForm.KEYS)}
    data["unit_code"] = data.get("unit_code") or unit.code
    picked = _picked_units(form, data)
    lines = []
    try:
        check_person_consistency(data)
    except MError as err:
        fine = False
        for name, messages in err.messages.items():
            if name in form._fields and not form[name].errors:  # one message a field
                form[name].errors = [*form[name].errors, *messages]
    unsent = "csrf_token" in form._fields and form["csrf_token"].errors  # an old form
    refused = not (fine and picked)
    if refused and form.code.data and not (form.code.errors or form.unit_code.errors or unsent):
        try:  # told beside the other problems (create_person checks it when there are none)
            ops.check_new_person(current_user, data)  # the target unit's reach, then the code
        except ServiceError as err:
            lines = _field_errors(form, err)
    if refused or lines:
        # the top line names every problem when there are several; the code's own line alone
        every = form_errors(form)
        return _refused(code, "person", every if len(every) > 1 else lines, person_form=form)
    try:
        person = ops.create_person(current_user, data)
    except ServiceError as err:
        return _refused(code, "person", _field_errors(form, err), person_form=form)
    flash(f"Đã thêm cán bộ {person.full_name} ({person.code}) vào {person.unit.name}.", "info")
    if person.is_head:
        _warn_other_heads(person)
    return redirect(url_for("org.person_page", code=person.code))
