"""JSON API for units and people, under /api/v1."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from service.auth.access import scope_filter
from service.common.api import Blueprint
from service.common.queries import paginate as _paginate
from service.common.queries import search_clause
from service.common.schemas import ListArgsSchema, fields, page_body, page_schema
from service.extensions import db
from service.org import operations as ops
from service.org.models import Person, Unit
from service.org.schemas import (
    PersonInSchema,
    PersonOutSchema,
    UnitDetailSchema,
    UnitInSchema,
    UnitOutSchema,
    UnitUpdateSchema,
    person_out,
    person_update,
    unit_out,
)

blp = Blueprint("org_api", __name__, url_prefix="/api/v1", description="Đơn vị và cán bộ")


class UnitListArgs(ListArgsSchema):
    parent_code = fields.String(load_default=None)


def paginate(stmt, args, order_by):
    return _paginate(stmt, args["page"], args["per_page"], order_by)


@blp.route("/units")
@blp.arguments(UnitListArgs, location="query")
@blp.answers(200, page_schema(UnitOutSchema))
@blp.errors(403, 404)
def list_units(args):
    """Danh sách đơn vị trong phạm vi của người dùng (tìm theo mã, tên)."""
    stmt = select(Unit).where(scope_filter(current_user, "unit.read"))
    if args["q"]:
        stmt = stmt.where(search_clause(args["q"], Unit.code, folded=[Unit.search_name]))
    if args.get("parent_code"):
        parent = ops.visible_unit(current_user, args["parent_code"])
        stmt = stmt.where(Unit.parent_id == parent.id)
    rows, total = paginate(stmt, args, (Unit.path,))
    return page_body(rows, unit_out, args["page"], args["per_page"], total)


@blp.route("/units", methods=["POST"])
@blp.arguments(UnitInSchema)
@blp.response(201)
@blp.answers(201, UnitOutSchema)
@blp.errors(403, 409)
def create_unit(data):
    """Tạo đơn vị (quản trị viên)."""
    return unit_out.dump(ops.create_unit(current_user, data))


@blp.route("/units/<code>")
@blp.answers(200, UnitDetailSchema)
@blp.errors(403, 404)
def get_unit(code):
    unit = ops.visible_unit(current_user, code)
    body = unit_out.dump(unit)
    body["people_count"] = db.session.scalar(
        select(func.count())
        .select_from(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(Unit.subtree_clause(unit.path))
    )
    return body


@blp.route("/units/<code>", methods=["PATCH"])
@blp.arguments(UnitUpdateSchema)
@blp.answers(200, UnitOutSchema)
@blp.errors(403, 404)
def update_unit(data, code):
    """Sửa hoặc chuyển đơn vị (đổi đơn vị cấp trên); không cho phép tạo vòng lặp."""
    unit = ops.visible_unit(current_user, code, "unit.write")
    return unit_out.dump(ops.update_unit(current_user, unit, data))


@blp.route("/units/<code>", methods=["DELETE"])
@blp.response(204)
@blp.errors(403, 404, 409)
def delete_unit(code):
    unit = ops.visible_unit(current_user, code, "unit.write")
    ops.delete_unit(current_user, unit)
    return ""


class PeopleListArgs(ListArgsSchema):
    pass


@blp.route("/units/<code>/people")
@blp.arguments(PeopleListArgs, location="query")
@blp.answers(200, page_schema(PersonOutSchema))
@blp.errors(403, 404)
def list_unit_people(args, code):
    """Cán bộ của đơn vị và mọi đơn vị cấp dưới (tìm theo mã, họ tên)."""
    unit = ops.visible_unit(current_user, code, "person.read")
    stmt = people_query(unit, args["q"])
    rows, total = paginate(stmt, args, (Person.sort_name, Person.code))
    return page_body(rows, person_out, args["page"], args["per_page"], total)


def people_query(unit: Unit, q: str = "", members: bool = False):
    """People in the subtree of `unit`: one indexed range on units.path joined to people;
    `members`: instead the party members of the cell `unit`, in units the user may read."""
    if members:
        where = (Person.party_unit_id == unit.id, scope_filter(current_user, "person.read"))
    else:
        where = (Unit.subtree_clause(unit.path),)
    stmt = (
        select(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(*where)
        # each row shows its unit and party cell: load them with the page, not one query per row
        .options(contains_eager(Person.unit), selectinload(Person.party_unit))
    )
    if q:
        stmt = stmt.where(search_clause(q, Person.code, folded=[Person.search_name]))
    return stmt


@blp.route("/people")
@blp.arguments(PeopleListArgs, location="query")
@blp.answers(200, page_schema(PersonOutSchema))
def list_people(args):
    """Cán bộ trong phạm vi của người dùng."""
    stmt = (
        select(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(scope_filter(current_user, "person.read"))
        .options(contains_eager(Person.unit), selectinload(Person.party_unit))
    )
    if args["q"]:
        stmt = stmt.where(search_clause(args["q"], Person.code, folded=[Person.search_name]))
    rows, total = paginate(stmt, args, (Person.sort_name, Person.code))
    return page_body(rows, person_out, args["page"], args["per_page"], total)


@blp.route("/people", methods=["POST"])
@blp.arguments(PersonInSchema)
@blp.response(201)
@blp.answers(201, PersonOutSchema)
@blp.errors(403, 409)
def create_person(data):
    return person_out.dump(ops.create_person(current_user, data))


@blp.route("/people/<code>")
@blp.answers(200, PersonOutSchema)
@blp.errors(403, 404)
def get_person(code):
    return person_out.dump(ops.visible_person(current_user, code))


@blp.route("/people/<code>", methods=["PATCH"])
@blp.arguments(person_update)
@blp.answers(200, PersonOutSchema)
@blp.errors(403, 404, 409)
def update_person(data, code):
    person = ops.visible_person(current_user, code, "person.write")
    return person_out.dump(ops.update_person(current_user, person, data))


@blp.route("/people/<code>", methods=["DELETE"])
@blp.response(204)
@blp.errors(403, 404, 409)
def delete_person(code):
    person = ops.visible_person(current_user, code, "person.write")
    ops.delete_person(current_user, person)
    return ""
