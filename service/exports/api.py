"""The files of export jobs: downloaded by the user who asked, while they are kept (404 to
anyone else, and once expired); the user's recent export jobs."""

from __future__ import annotations

from flask import send_file
from flask_login import current_user

from service.common.api import Blueprint
from service.common.errors import NotFound
from service.common.exports import XLSX
from service.exports.jobs import kept_file, recent_jobs
from service.exports.schemas import ExportJobsSchema
from service.extensions import db
from service.jobs import job_out
from service.jobs.models import Job

blp = Blueprint("exports_api", __name__, url_prefix="/api/v1", description="Bảng tính đã xuất")


@blp.route("/exports/<int:job_id>.xlsx")
@blp.answers(200, {"type": "string", "format": "binary"}, "Tệp .xlsx", content_type=XLSX)
@blp.errors(404)
def download(job_id):
    """Tải tệp của một công việc xuất bảng tính (chỉ người yêu cầu; giữ EXPORT_KEEP_HOURS giờ)."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        raise NotFound("Không tìm thấy tệp.")
    path = kept_file(job)
    if path is None:
        raise NotFound("Tệp không còn (đã hết hạn lưu giữ hoặc chưa xuất xong); hãy xuất lại.")
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=job.result["filename"])


@blp.route("/exports/jobs")
@blp.answers(200, ExportJobsSchema)
def my_jobs():
    """Các lần xuất bảng tính gần đây của người dùng (mới nhất trước)."""
    return {"items": [job_out(j) for j in recent_jobs(current_user, 20)]}
