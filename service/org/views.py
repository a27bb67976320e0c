"""Pages: the unit tree with people counts, a unit page (people, search, paging), a person."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from service.auth.access import scope_filter, scope_paths
from service.domains import landing_for
from service.extensions import db
from service.org import operations as ops
from service.org.api import people_query
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
    unit = ops.visible_unit(current_user, code)
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
