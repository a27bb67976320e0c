"""More pages of the awards (routes added to awards.views.bp): the Huy hiệu Đảng list per
occasion (/awards/badges), the award catalog of a year and its edit page per code."""

from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from awards import decisions
from awards.badges import OCCASION_NAMES, default_occasion, occasion_choices, year_badges
from awards.catalog_year import (
    LOCKED,
    can_edit_catalog,
    catalog_of,
    catalog_rows,
    catalog_versions,
    update_catalog_entry,
    year_has_decision,
)
from awards.forms import CatalogEntryForm
from awards.history import titles_history
from awards.rules import occasions
from awards.rules.dates import dmy
from awards.views import bp
from evaluation import queries as eq
from service.auth.access import can
from service.common.errors import Forbidden, NotFound
from service.common.forms import run_form
from service.extensions import db
from service.org.models import Unit
from service.org.operations import (
    visible_person,
    visible_unit,
    visible_unit_from_choice,
)


def require_award_read() -> None:
    if not can(current_user, "award.read"):
        raise Forbidden()


def _chosen_unit(text: str):
    """The unit a filter's text names, within the user's award.read reach (else 404)."""
    if not text:
        return None
    return visible_unit_from_choice(current_user, text, "award.read")


def _year_arg(years: list[int]) -> int:
    raw = request.args.get("year", "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return years[0] if years else date.today().year


def _occasion_arg(year: int, due: dict[date, int]) -> date:
    """The occasion chosen (yyyy-mm-dd or dd/mm/yyyy of `year`), else the one the page opens
    on (awards.badges.default_occasion)."""
    days = occasions(year)
    raw = request.args.get("occasion", "")
    for d in days:
        if raw in (d.isoformat(), d.strftime("%d/%m/%Y")):
            return d
    return default_occasion(days, due, date.today())


@bp.route("/badges")
@login_required
def badges():
    """Huy hiệu Đảng per occasion: pick the year, the occasion and a unit (its subtree); each
    occasion of the choice says how many are due on it."""
    require_award_read()
    years = [y.year for y in eq.list_years()]
    year = _year_arg(years)
    unit_text = request.args.get("unit", "").strip()[:300]
    unit = _chosen_unit(unit_text)
    lists, missing = {}, None
    try:
        lists = {o["date"]: o for o in year_badges(current_user, year, unit)}
    except NotFound as e:  # the year is not open: nothing to read yet
        missing = e.message
    due = {d: len(lists[dmy(d)]["due"]) for d in occasions(year) if dmy(d) in lists}
    day = _occasion_arg(year, due)
    found = None if missing else lists.get(dmy(day), {"date": dmy(day), "due": [], "waiting": []})
    choices = [
        (value, f"{label} ({due[d]} đến hạn)" if d in due else label)
        for (value, label), d in zip(occasion_choices(year), occasions(year), strict=True)
    ]
    shown = [b["unit"] for b in (found or {}).get("due", []) + (found or {}).get("waiting", [])]
    return render_template(
        "awards/badges.html",
        unit_names=dict(
            db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(set(shown)))).all()
        )
        if shown
        else {},
        years=years if year in years else sorted([*years, year], reverse=True),
        year=year,
        day=day,
        day_name=OCCASION_NAMES[(day.month, day.day)],
        choices=choices,
        unit=unit,
        unit_text=unit_text,
        found=found,
        missing=missing,
    )


@bp.route("/people/<code>/titles")
@login_required
def person_titles(code):
    """A person's titles and commendations per past year, beside their ratings; anyone's own
    (an account linked to its person), like their own rating."""
    own = current_user.person is not None and current_user.person.code == code
    if own:
        person = current_user.person
    else:
        require_award_read()
        person = visible_person(current_user, code)
    rows = titles_history(person_id=person.id)
    traced = decisions.traced(current_user, person_id=person.id, own=own)
    return render_template(
        "awards/titles.html",
        person=person,
        unit=None,
        rows=rows,
        traced=traced,
        may_read=can(current_user, "award.read", person.unit),
    )


@bp.route("/units/<code>/titles")
@login_required
def unit_titles(code):
    """A unit's titles and commendations per past year."""
    require_award_read()
    unit = visible_unit(current_user, code, "award.read")
    rows = titles_history(unit_id=unit.id)
    traced = decisions.traced(current_user, unit_id=unit.id)
    return render_template("awards/titles.html", person=None, unit=unit, rows=rows, traced=traced)


@bp.route("/<int:year>/catalog")
@login_required
def catalog(year):
    """The award catalog of the year: a "Sửa" link per code for those who may edit it."""
    require_award_read()
    return render_template(
        "awards/catalog.html",
        year=year,
        rows=catalog_rows(year),
        locked=year_has_decision(year),
        editable=can_edit_catalog(current_user, year),
        locked_text=LOCKED,
    )


@bp.route("/<int:year>/catalog/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_catalog_entry(year, code):
    """Edit one code of the year's catalog (administrators, until the year's first decision)."""
    require_award_read()
    award = catalog_of(year).get(code)
    if award is None:
        raise NotFound(f"Không có danh hiệu, hình thức khen thưởng với mã {code}.")
    if not can_edit_catalog(current_user, year):
        raise Forbidden(
            f"{LOCKED}." if year_has_decision(year) else "Chỉ quản trị viên được sửa danh mục."
        )

    def page(form, errors=()):
        return render_template(
            "awards/catalog_edit.html", year=year, award=award, form=form, errors=list(errors)
        )

    if request.method == "GET":
        form = CatalogEntryForm(
            formdata=None,
            data={
                "name": award.name,
                "authority": award.authority,
                "cap_pct": award.cap_pct,
                "vote_pct": award.vote_pct,
                "vote_strict": "1" if award.vote_strict else "0",
                "state_level": award.state_level,
                "version": catalog_versions(year)[code],
            },
        )
        return page(form)
    form = CatalogEntryForm()
    return run_form(
        form,
        lambda: update_catalog_entry(current_user, year, code, form.entry_data()),
        success=f"Đã lưu {code} trong danh mục năm {year}.",
        done=url_for("awards.catalog", year=year),
        render=lambda errors: page(form, errors),
    )
