"""The award list pages (routes added to awards.views.bp): a year's lists with "Đề xuất theo
quy định" (the propose job, followed on its progress page), and a list's page: its state and
steps, the nominations with their reasons (proposed and manual, over the cap, blocked,
removed), a manual nomination, removing or restoring one."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from awards import lists as ops
from awards.catalog_year import catalog_of
from awards.decisions import decision_form_hints, issuing_units
from awards.list_forms import ListActionForm, NominationForm, ProposeForm, RemoveForm, RestoreForm
from awards.list_queries import GROUPS, list_out, lists_in_reach, lists_out, nominations_page
from awards.models import DECISION_LEVELS
from awards.proposals import award_label
from awards.views import bp
from awards.workflow import label_of
from awards.year_views import require_award_read
from evaluation import queries as eq
from service.auth.access import can, scope_filter
from service.common.errors import NotFound
from service.common.forms import run_form
from service.extensions import db
from service.org.models import Unit
from service.org.operations import (
    unit_choice,
    visible_unit_from_choice,
)

PER_PAGE = 100
GROUP_LABELS = {
    "nominated": "Đề nghị",
    "over_cap": "Vượt giới hạn tỷ lệ (C2)",
    "blocked": "Không xét (C0)",
    "removed": "Đã bỏ khỏi danh sách",
}


@bp.route("/<int:year>/lists")
@login_required
def year_lists(year):
    """The lists of a year within reach, and the propose form for the units one may propose."""
    require_award_read()
    years = [y.year for y in eq.list_years()]
    proposable = select(Unit).where(scope_filter(current_user, "award.propose")).order_by(Unit.path)
    return render_template(
        "awards/lists.html",
        year=year,
        years=years,
        open_year=year in years,
        lists=lists_out(current_user, lists_in_reach(current_user, year)),
        form=ProposeForm(),
        may_propose=can(current_user, "award.propose"),
        unit_choices=[unit_choice(u) for u in db.session.scalars(proposable)],
    )


@bp.route("/<int:year>/lists/propose", methods=["GET", "POST"])
@login_required
def propose(year):
    if request.method == "GET":  # back or reload after a refusal shown at this address
        return redirect(url_for("awards.year_lists", year=year))
    form = ProposeForm()
    back = url_for("awards.year_lists", year=year)

    def start():
        unit = None
        if form.unit.data:
            unit = visible_unit_from_choice(current_user, form.unit.data, "award.propose")
        return ops.start_proposal(current_user, year, unit)

    return run_form(
        form,
        start,
        success="Đã bắt đầu lập danh sách đề nghị theo quy định.",
        done=lambda job: url_for("jobs.job_page", job_id=job.id, back=back),
        back=back,  # a refusal is told on the year's lists (there is no job to go to)
    )


def _with_links(wait: dict | None) -> dict | None:
    """The rating lists a provisional list waits for, each linked when the user may open it
    (a parent unit's list is often outside staff's reach: named, not linked)."""
    if wait:
        shown = wait["lists"][:10]
        units = db.session.scalars(select(Unit).where(Unit.code.in_([e["code"] for e in shown])))
        readable = {u.code for u in units if can(current_user, "evaluation.read", u)}
        for e in shown:
            e["link"] = e["code"] in readable
    return wait


def _list_page(lst, errors=(), nomination_form=None, errors_at=None):
    """The list's page; `errors_at` "manual": the refusal of the manual nomination form at the
    page's end, told there (the form is focused) and announced at the top with a link."""
    group = request.args.get("group", "nominated")
    group = group if group in GROUPS else "nominated"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    q = request.args.get("q", "").strip()[:100]
    rows, total = nominations_page(lst, GROUPS[group], page, PER_PAGE, q)
    last = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    if page > last:  # past the end (the last row of the last page was just removed)
        page = last
        rows, total = nominations_page(lst, GROUPS[group], page, PER_PAGE, q)
    out = list_out(current_user, lst)
    may_submit = lst.state in ops.EDITABLE and can(current_user, "award.submit", lst.unit)
    form = nomination_form or NominationForm(formdata=None, version=lst.version)
    catalog = catalog_of(lst.year)
    form.award.choices = [(c, f"{t.name} ({c})") for c, t in catalog.items()]
    return render_template(
        "awards/list.html",
        lst=out,
        group=group,
        groups=GROUP_LABELS,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        q=q,
        errors=errors,
        errors_at=errors_at,
        editable=lst.state in ops.EDITABLE and can(current_user, "award.nominate", lst.unit),
        # why «Gửi duyệt» would be refused, told before it is pressed (the button is disabled)
        submit_blockers=ops.submit_errors(lst, provisional=False) if may_submit else [],
        wait=_with_links(ops.provisional_wait(lst)) if may_submit else None,
        may_propose=lst.state in ops.EDITABLE and can(current_user, "award.propose", lst.unit),
        nomination_form=form,
        # who may receive each award (person, unit, model): the select offers the subject's
        award_kinds={c: " ".join(t.kinds) for c, t in catalog.items()},
        action_form=ListActionForm(formdata=None, version=lst.version),
        remove_form=RemoveForm(formdata=None, version=lst.version),
        propose_form=ProposeForm(formdata=None, unit=lst.unit.code),
        decision_levels=DECISION_LEVELS,
        # C10: the nominations the council did not pass, left out of the decision: told
        # before «Phê duyệt» (and asked with it)
        failed_votes=ops.failed_votes(lst) if lst.state in ("submitted", "approved") else 0,
        # C11: the level the decision form offers first, and a note for a mixed list
        decision_hints=decision_form_hints(lst) if lst.state == "approved" else ("co_so", None),
        issuing_units=issuing_units(lst) if lst.state == "approved" else [],
        # a refused step's page keeps what was typed in its form (the action's fields)
        posted=request.form if errors and request.method == "POST" else {},
    )


@bp.route("/lists/<int:list_id>")
@login_required
def award_list(list_id):
    require_award_read()
    return _list_page(ops.visible_list(current_user, list_id))


@bp.route("/lists/<int:list_id>/nominations", methods=["GET", "POST"])
@login_required
def add_nomination(list_id):
    if request.method == "GET":  # back, reload or a bookmark of a refusal's page
        return redirect(url_for("awards.award_list", list_id=list_id))
    lst = ops.visible_list(current_user, list_id, "award.nominate")
    form = NominationForm()
    form.award.choices = [(c, c) for c in catalog_of(lst.year)]
    fields = ("subject", "code", "award", "reason", "version")

    def data():
        return {f: getattr(form, f).data for f in fields}

    return run_form(
        form,
        lambda: ops.add_manual_nomination(current_user, lst, data()),
        success=lambda nom: (
            f"Đã thêm đề nghị {award_label(nom.award)} cho "
            f"{nom.person.full_name if nom.person else nom.unit.name} "
            f"({nom.person.code if nom.person else nom.unit.code})."  # as stored, not as typed
        ),
        done=url_for("awards.award_list", list_id=lst.id),
        render=lambda errors: _list_page(
            lst, errors, _current_version(lst, form), errors_at="manual"
        ),
    )


def _current_version(lst, form):
    """The refused form, kept as typed, at the list's version now: after "changed by someone
    else" the page shows the list as it is, and sending again works (it failed each time)."""
    db.session.refresh(lst, ["version"])
    form.version.raw_data = [str(lst.version)]
    form.version.data = lst.version
    return form


@bp.route("/nominations/<int:nomination_id>/remove", methods=["POST"])
@login_required
def remove_nomination(nomination_id):
    nom = ops.visible_nomination(current_user, nomination_id, "award.nominate")
    form = RemoveForm()
    return run_form(
        form,
        lambda: ops.remove_nomination(current_user, nom, form.reason.data),
        success="Đã bỏ đề nghị khỏi danh sách (khôi phục được ở mục «Đã bỏ khỏi danh sách»).",
        done=_back_to_table(nom.list_id, "nominated"),
    )


def _back_to_table(list_id: int, group: str) -> str:
    """The list's page as the row's form was sent from: its group, search and page (hidden
    fields of the form), so removing or restoring several found rows keeps the search."""
    sent = request.form.get("group", "")
    q = request.form.get("q", "").strip()[:100] or None
    page = request.form.get("page", 1, type=int) or 1
    return url_for(
        "awards.award_list",
        list_id=list_id,
        group=sent if sent in GROUP_LABELS else group,
        q=q,
        page=page if page > 1 else None,
    )


@bp.route("/nominations/<int:nomination_id>/restore", methods=["POST"])
@login_required
def restore_nomination(nomination_id):
    nom = ops.visible_nomination(current_user, nomination_id, "award.nominate")
    form = RestoreForm()
    return run_form(
        form,
        lambda: ops.restore_nomination(current_user, nom),
        success="Đã khôi phục đề nghị.",
        done=_back_to_table(nom.list_id, "removed"),
    )


@bp.route("/lists/<int:list_id>/action", methods=["GET", "POST"])
@login_required
def list_action(list_id):
    if request.method == "GET":  # back, reload or a bookmark of a refusal's page
        return redirect(url_for("awards.award_list", list_id=list_id))
    lst = ops.visible_list(current_user, list_id)
    form = ListActionForm()
    fields = (
        "reason", "decision_no", "decision_date", "decision_signer", "decision_level",
        "decision_unit", "decision_issuer", "version",
    )  # fmt: skip

    def run():
        return ops.list_action(
            current_user, lst, form.action.data, {f: getattr(form, f).data for f in fields}
        )

    try:
        label = label_of(form.action.data)
    except StopIteration:
        raise NotFound() from None
    return run_form(
        form,
        run,
        success=f"Đã thực hiện: {label}.",
        done=url_for("awards.award_list", list_id=lst.id),
        render=lambda errors: _list_page(lst, errors),
    )
