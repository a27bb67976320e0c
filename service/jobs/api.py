"""Job endpoint: the state and progress of one background job (404 to whoever may not read it)."""

from __future__ import annotations

from flask_login import current_user

from service.common.api import Blueprint
from service.jobs.queries import readable_job
from service.jobs.schemas import JobOutSchema

blp = Blueprint("jobs_api", __name__, url_prefix="/api/v1", description="Công việc nền")


@blp.route("/jobs/<int:job_id>")
@blp.answers(200, JobOutSchema)
@blp.errors(404)
def get_job(job_id):
    """Tiến độ của một công việc nền (người tạo, quản trị viên, người có quyền ở đơn vị của nó)."""
    return readable_job(current_user, job_id)
