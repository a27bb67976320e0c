"""The import page: choose a kind, upload, see counts or the error table, download templates."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from service.auth.access import can
from service.auth.forms import ImportForm
from service.common.errors import Forbidden, ServiceError
from service.imports.api import (
    errors_workbook,
    report_name,
    run_import,
    visible_run,
    xlsx_response,
)
from service.imports.registry import TEMPLATES

bp = Blueprint("imports", __name__)


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def index():
    kinds = [k for k, spec in TEMPLATES.items() if can(current_user, spec["permission"])]
    if not kinds:
        raise Forbidden()
    choices = [(k, TEMPLATES[k]["title"]) for k in kinds]
    run, error = None, None
    try:
        form = ImportForm()
        form.kind.choices = choices
        if form.validate_on_submit():
            run = run_import(form.kind.data)
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        form.kind.choices = choices
        error = "Tệp quá lớn: vượt giới hạn dung lượng tải lên."
    except ServiceError as err:
        error = err.message
    return render_template(
        "imports/index.html", form=form, run=run, error=error, kinds=kinds, templates=TEMPLATES
    )


@bp.route("/imports/<int:run_id>/errors.xlsx")
@login_required
def errors(run_id):
    run = visible_run(run_id)
    return xlsx_response(errors_workbook(run), report_name(run))
