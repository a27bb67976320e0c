"""Pages of the awards ("Thi đua – Khen thưởng"): its index and the registry of initiatives,
research projects and good models (list by year with filters, add, edit, delete with a
reason). Each POST validates its form and calls one operation (service.common.forms.run_form)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from awards import operations as ops
from awards.forms import DeleteInitiativeForm, InitiativeForm
from awards.models import KIND_LABELS, LEVEL_LABELS
from awards.queries import ORDER, initiative_years, initiatives_query
from service.auth.access import can
from service.common.errors import Forbidden
from service.common.forms import run_form
from service.common.queries import paginate
from service.org.operations import (
    unit_from_choice,
    visible_person,
    visible_unit_from_choice,
)

bp = Blueprint("awards", __name__, url_prefix="/awards")
PER_PAGE = 50


def _require_read() -> None:
    if not can(current_user, "initiative.read"):
        raise Forbidden()


@bp.route("/")
@login_required
def index():
    """ "Thi đua – Khen thưởng": its pages, those the user may open (a council member's
    ballots and a person's own titles need no role)."""
    from awards import council
    from evaluation import queries as eq

    years = [y.year for y in eq.list_years()]
    return render_template(
        "awards/index.html",
        current_year=years[0] if years else 2025,
        may_read=can(current_user, "award.read"),
        may_read_initiatives=can(current_user, "initiative.read"),
        own_person=current_user.person,
        on_council=council.sits_on_council(current_user),
    )


def _filters() -> dict:
    """The list's filters from the query string; a value that reads as nothing is dropped."""
    args = request.args
    year = args.get("year", "").strip()
    out = {
        "year": int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        "unit": args.get("unit", "").strip()[:300],
        "person": args.get("person", "").strip()[:50],
        "kind": args.get("kind") if args.get("kind") in KIND_LABELS else "",
        "level": args.get("level") if args.get("level") in LEVEL_LABELS else "",
        "q": args.get("q", "").strip()[:200],
    }
    if "year" not in args:
        years = initiative_years()
        out["year"] = years[0] if years else None
    return out


@bp.route("/initiatives")
@login_required
def initiatives():
    """Sáng kiến, đề tài, mô hình by year, with filters by unit, author, kind and level."""
    _require_read()
    f = _filters()
    unit = person = None
    if f["unit"]:
        unit = visible_unit_from_choice(current_user, f["unit"], "initiative.read")
    if f["person"]:
        person = visible_person(current_user, f["person"])
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    stmt = initiatives_query(
        current_user,
        year=f["year"],
        unit=unit,
        person=person,
        kind=f["kind"] or None,
        level=f["level"] or None,
        q=f["q"],
    )
    rows, total = paginate(stmt, page, PER_PAGE, ORDER)
    return render_template(
        "awards/initiatives.html",
        rows=rows,
        total=total,
        page=page,
        pages=(total + PER_PAGE - 1) // PER_PAGE,
        filters=f,
        args=urlencode({k: ("" if v is None else v) for k, v in f.items()}),
        years=initiative_years(),
        kinds=KIND_LABELS,
        levels=LEVEL_LABELS,
        may_write=can(current_user, "initiative.write"),
        may=ops.may,
        delete_form=DeleteInitiativeForm(formdata=None),
    )


def _unit_code(text: str | None) -> str | None:
    """The code a unit field names ("CODE — Name", a code, or a unit's exact name)."""
    if not text:
        return None
    unit = unit_from_choice(text)
    return unit.code if unit is not None else text


def _form_page(form, ini=None, errors=()):
    return render_template(
        "awards/initiative_form.html", form=form, ini=ini, errors=list(errors), kinds=KIND_LABELS
    )


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def new_initiative():
    if not can(current_user, "initiative.write"):
        raise Forbidden()
    form = InitiativeForm()
    if request.method == "GET":
        return _form_page(form)
    return run_form(
        form,
        lambda: ops.create_initiative(current_user, form.data_for(_unit_code(form.unit_code.data))),
        success=lambda ini: f"Đã thêm {ini.kind_label} «{ini.title}».",
        done=lambda ini: url_for("awards.initiatives", year=ini.year),
        render=lambda errors: _form_page(form, None, errors),
    )


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit_initiative(initiative_id):
    ini = ops.visible_initiative(current_user, initiative_id, "initiative.write")
    if request.method == "GET":
        form = InitiativeForm(
            formdata=None,
            data={
                "year": ini.year,
                "kind": ini.kind,
                "title": ini.title,
                "level": ini.level,
                "person_codes": ", ".join(a.person.code for a in ini.authors),
                "unit_code": ini.unit.code if ini.unit else "",
                "decision_no": ini.decision_no,
                "decision_date": ini.decision_date,
                "version": ini.version,
            },
        )
        return _form_page(form, ini)
    form = InitiativeForm()

    def change():
        data = form.data_for(_unit_code(form.unit_code.data))
        data["version"] = form.version.data
        return ops.update_initiative(current_user, ini, data)

    return run_form(
        form,
        change,
        success=lambda ini: f"Đã lưu {ini.kind_label} «{ini.title}».",
        done=lambda ini: url_for("awards.initiatives", year=ini.year),
        render=lambda errors: _form_page(form, ini, errors),
    )


@bp.route("/initiatives/<int:initiative_id>/delete", methods=["POST"])
@login_required
def delete_initiative(initiative_id):
    ini = ops.visible_initiative(current_user, initiative_id, "initiative.write")
    form = DeleteInitiativeForm()
    title, year, kind = ini.title, ini.year, ini.kind_label
    return run_form(
        form,
        lambda: ops.delete_initiative(current_user, ini, form.reason.data, form.version.data),
        success=f"Đã xóa {kind} «{title}».",
        done=url_for("awards.initiatives", year=year),
    )
