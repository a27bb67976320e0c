"""The progress page of a job (followed after "Tính kết quả" and similar buttons)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from service.common.errors import NotFound
from service.common.urls import local_path
from service.jobs.queries import readable_job

bp = Blueprint("jobs", __name__)


def safe_back(value: str | None) -> str:
    """A local path to go back to, never another site (service.common.urls.local_path)."""
    return local_path(value) or url_for("org.index")


@bp.route("/jobs/<int:job_id>")
@login_required
def job_page(job_id):
    try:
        job = readable_job(current_user, job_id)
    except NotFound:
        abort(404)
    return render_template("jobs/job.html", job=job, back=safe_back(request.args.get("back")))
