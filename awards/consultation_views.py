"""The public consultation pages (routes added to awards.views.bp; issue 13 item 3): the card
of a list's page (templates/awards/_list_consultation.html, fed by the template function
`list_consultation`) with "Công bố lấy ý kiến" and the comments received, and the page of a
year's public holidays (administrators add and remove days)."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_login import current_user, login_required

from awards import consultation as ops
from awards.consultation_forms import CommentForm, HolidayForm, PublishForm, RemoveHolidayForm
from awards.holidays import add_holiday, calendar_out, has_calendar, remove_holiday
from awards.lists import visible_list
from awards.models import AwardList
from awards.views import bp
from awards.year_views import require_award_read
from service.auth.access import is_admin
from service.common.errors import Forbidden
from service.common.forms import run_form
from service.extensions import db


def _card(list_id: int) -> dict:
    """What the card shows for the list (the page already checked the user may read it)."""
    lst = db.session.get(AwardList, list_id)
    state = ops.state_out(current_user, lst)
    comment_form = g.get("consultation_comment_form") or CommentForm(formdata=None)
    return {
        **state,
        "published_label": state["published_at"].strftime("%d/%m/%Y %H:%M")
        if state["published_at"]
        else None,
        "ends_label": state["ends_on"].strftime("%d/%m/%Y") if state["ends_on"] else None,
        "publish_form": PublishForm(formdata=None),
        "comment_form": comment_form,
        "holidays_year": (state["published_on"] or ops.today()).year,
    }


@bp.app_context_processor
def _consultation_card():
    return {"list_consultation": _card}


def _list_page(lst, errors):
    from awards.list_views import _list_page as page

    return page(lst, errors)


@bp.route("/lists/<int:list_id>/consultation/publish", methods=["POST"])
@login_required
def publish_consultation(list_id):
    lst = visible_list(current_user, list_id, "award.submit")
    form = PublishForm()
    return run_form(
        form,
        lambda: ops.publish(current_user, lst),
        success=lambda c: f"Đã công bố lấy ý kiến: đến hết ngày {c.ends_on.strftime('%d/%m/%Y')}.",
        done=url_for("awards.award_list", list_id=lst.id, _anchor="consultation"),
        render=lambda errors: _list_page(lst, errors),
    )


@bp.route("/lists/<int:list_id>/consultation/comments", methods=["POST"])
@login_required
def add_consultation_comment(list_id):
    lst = visible_list(current_user, list_id, "award.submit")
    form = CommentForm()

    def render(errors):
        g.consultation_comment_form = form
        return _list_page(lst, errors)

    return run_form(
        form,
        lambda: ops.add_comment(current_user, lst, form.comment_data()),
        success=lambda row: f"Đã ghi ý kiến của {row.author_name}.",
        done=url_for("awards.award_list", list_id=lst.id, _anchor="consultation"),
        render=render,
    )


def _holidays_page(year, errors=(), form=None):
    cal = calendar_out(current_user, year)
    return render_template(
        "awards/holidays.html",
        cal=cal,
        year=year,
        prev_year=year - 1 if has_calendar(year - 1) else None,  # a link only to a calendar
        next_year=year + 1 if has_calendar(year + 1) else None,
        errors=list(errors),
        form=form or HolidayForm(formdata=None, version=cal["version"]),
        remove_form=RemoveHolidayForm(formdata=None, version=cal["version"]),
    )


def _require_admin() -> None:
    if not is_admin(current_user):
        raise Forbidden("Chỉ quản trị viên được sửa lịch nghỉ lễ.")


@bp.route("/<int:year>/holidays")
@login_required
def holidays(year):
    """The public holidays of the year (the days the consultation window skips)."""
    require_award_read()
    return _holidays_page(year)


@bp.route("/<int:year>/holidays/add", methods=["POST"])
@login_required
def add_holiday_day(year):
    _require_admin()
    form = HolidayForm()
    return run_form(
        form,
        lambda: add_holiday(current_user, year, form.day.data, form.name.data, form.version.data),
        success=lambda _c: f"Đã thêm ngày nghỉ {form.day.data.strftime('%d/%m/%Y')}.",
        done=url_for("awards.holidays", year=year),
        render=lambda errors: _holidays_page(year, errors, form),
    )


@bp.route("/<int:year>/holidays/remove", methods=["POST"])
@login_required
def remove_holiday_day(year):
    _require_admin()
    form = RemoveHolidayForm()
    return run_form(
        form,
        lambda: remove_holiday(current_user, year, form.day.data, form.version.data),
        success=lambda _c: f"Đã bỏ ngày nghỉ {form.day.data.strftime('%d/%m/%Y')}.",
        done=url_for("awards.holidays", year=year),
    )
