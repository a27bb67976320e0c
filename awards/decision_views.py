"""The decision registry pages (routes added to awards.views.bp): "Sổ quyết định khen thưởng"
(search by number, signer, issuer, nominee, year and level) and a decision's page with each
nominee's result."""

from __future__ import annotations

from types import SimpleNamespace

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from awards import certificates as certs
from awards import decisions
from awards.list_forms import DecisionCorrectionForm
from awards.models import DECISION_LEVELS
from awards.views import bp
from awards.year_views import require_award_read
from evaluation import queries as eq
from service.common.errors import Forbidden
from service.common.forms import run_form

PER_PAGE = 50


@bp.route("/decisions")
@login_required
def decisions_page():
    require_award_read()
    years = sorted({y.year for y in eq.list_years()} | set(decisions.years()), reverse=True)
    year = request.args.get("year", type=int)
    level = request.args.get("level") or None
    level = level if level in DECISION_LEVELS else None
    q = request.args.get("q", "").strip()[:200]
    person = request.args.get("person", "").strip()[:200]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = decisions.search(current_user, year, q, level, person or None, page, PER_PAGE)
    return render_template(
        "awards/decisions.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        years=years,
        year=year,
        level=level,
        levels=DECISION_LEVELS,
        q=q,
        person=person,
    )


@bp.route("/decisions/<int:decision_id>")
@login_required
def decision_page(decision_id):
    require_award_read()
    return _decision_page(decisions.visible_decision(current_user, decision_id))


def _decision_page(d, correction=None, errors=()):
    """The decision's page; `correction`: the correction form as typed and its `errors`."""
    q = request.args.get("q", "").strip()[:200]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = decisions.recipients_count(current_user, d, q)
    return render_template(
        "awards/decision.html",
        d=decisions.decision_out(d),
        recipients=decisions.recipients(current_user, d, q=q, page=page, per_page=PER_PAGE),
        q=q,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        total=total,
        first=(page - 1) * PER_PAGE,
        # more certificates than one print holds: printed in parts
        certificate_parts=certs.parts_of(
            decisions.recipients_count(
                current_user, d, awarded_only=True, awards=certs.CERTIFICATE_KINDS
            )
        ),
        may_correct=decisions.may_correct(current_user, d),
        correction=correction or DecisionCorrectionForm(formdata=None, obj=_as_form(d)),
        correction_errors=list(errors),
    )


def _as_form(d) -> SimpleNamespace:
    return SimpleNamespace(
        number=d.number, date=d.decided_on, signer=d.signer, issuer=d.issuer, reason=""
    )


@bp.route("/decisions/<int:decision_id>/correct", methods=["POST"])
@login_required
def correct_decision(decision_id):
    """A typo in a recorded decision corrected, with a reason (the committee of its unit)."""
    require_award_read()
    d = decisions.visible_decision(current_user, decision_id)
    if not decisions.may_correct(current_user, d):
        raise Forbidden("Chỉ cấp ủy, hội đồng của đơn vị ban hành sửa được quyết định.")
    form = DecisionCorrectionForm()
    return run_form(
        form,
        lambda: decisions.correct_decision(current_user, d, form.data),
        success=lambda d: f"Đã sửa thông tin quyết định số {d.number}.",
        done=url_for("awards.decision_page", decision_id=d.id),
        render=lambda errors: _decision_page(
            decisions.visible_decision(current_user, decision_id), form, errors
        ),
    )
