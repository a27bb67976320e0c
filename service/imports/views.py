"""The import page: choose a kind, upload, see counts or the error table, download templates."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from service.auth.access import can
from service.auth.forms import ImportForm
from service.common.errors import Forbidden, NotFound, ServiceError
from service.extensions import db
from service.imports.api import (
    errors_workbook,
    report_name,
    run_import,
    visible_run,
    xlsx_response,
)
from service.imports.jobs import JOB_KIND
from service.imports.registry import TEMPLATES
from service.jobs import job_out

bp = Blueprint("imports", __name__)


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def index():
    kinds = [k for k, spec in TEMPLATES.items() if can(current_user, spec["permission"])]
    if not kinds:
        raise Forbidden()
    choices = [(k, TEMPLATES[k]["title"]) for k in kinds]
    run, error, job = None, None, None
    try:
        form = ImportForm()
        form.kind.choices = choices
        if form.validate_on_submit():
            run, job = run_import(form.kind.data)
            if job is not None:  # a big file: follow the job, then come back to its run
                db.session.commit()
                back = url_for("imports.index", job=job.id)
                return redirect(url_for("jobs.job_page", job_id=job.id, back=back))
        elif request.method == "GET" and request.args.get("job", type=int):
            run, job = job_run(request.args.get("job", type=int))
        elif request.method == "GET" and request.args.get("kind") in kinds:
            form.kind.data = request.args["kind"]  # a domain page's «Nhập từ Excel» link
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        form.kind.choices = choices
        error = "Tệp quá lớn: vượt giới hạn dung lượng tải lên."
    except ServiceError as err:
        error = err.message
    return render_template(
        "imports/index.html",
        form=form,
        run=run,
        job=job_out(job) if job is not None else None,
        error=error,
        kinds=kinds,
        templates=TEMPLATES,
    )


def job_run(job_id: int):
    """(run, job) of an import job the user may read: the run once the job has read the file."""
    from service.jobs.models import Job

    job = db.session.get(Job, job_id)
    if job is None or job.kind != JOB_KIND or not job.can_read(current_user):
        raise NotFound("Không tìm thấy lần nhập.")
    run_id = (job.result or {}).get("run_id")
    return (visible_run(run_id) if run_id else None), job


@bp.route("/imports/<int:run_id>/errors.xlsx")
@login_required
def errors(run_id):
    run = visible_run(run_id)
    return xlsx_response(errors_workbook(run), report_name(run))
