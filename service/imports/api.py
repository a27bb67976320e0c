"""Import endpoints: upload a template file (multipart), download blank templates and errors."""

from __future__ import annotations

from flask import request, send_file
from flask_login import current_user
from sqlalchemy import select

from service.auth.access import can, is_admin
from service.common.api import Blueprint
from service.common.errors import Forbidden, NotFound, ValidationError
from service.common.spreadsheets import write_workbook
from service.extensions import db
from service.imports.jobs import runs_as_job, start_import_job
from service.imports.models import ImportRun
from service.imports.registry import TEMPLATES
from service.imports.schemas import (
    UPLOAD_BODY,
    XLSX_BODY,
    ImportErrorSchema,
    ImportJobSchema,
    ImportRunSchema,
    blank_template_sheets,
)
from service.jobs import job_out

blp = Blueprint(
    "imports_api", __name__, url_prefix="/api/v1/imports", description="Nhập dữ liệu từ bảng tính"
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str):
    import io

    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


def run_import(kind: str):
    """Shared by the API and the page: read the upload, run, keep the run even when it failed.
    Returns (run, None), or (None, job) for a file big enough to be read by a job."""
    spec = TEMPLATES.get(kind)
    if spec is None:
        raise NotFound("Không có loại nhập này.")
    if not can(current_user, spec["permission"]):
        raise Forbidden()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Chưa chọn tệp.", {"file": ["Bắt buộc chọn tệp .xlsx."]})
    data = upload.read()
    if runs_as_job(data):
        return None, start_import_job(current_user, kind, upload.filename, data)
    run = spec["runner"](current_user, upload.filename, data)
    if not run.ok:
        # keep the failed attempt (no data was written) so the error list can be downloaded
        db.session.commit()
    return run, None


@blp.route("/<kind>", methods=["POST"])
@blp.doc(requestBody=UPLOAD_BODY)
@blp.answers(201, ImportRunSchema)
@blp.alt_response(202, schema=ImportJobSchema, description="Tệp lớn: nhập bằng công việc nền")
@blp.alt_response(400, schema=ImportErrorSchema)
@blp.errors(403, 404)
def upload(kind):
    """Nhập tệp (trường `file`, multipart). Có lỗi: 400 với danh sách lỗi, không lưu gì. Tệp
    lớn (trên IMPORT_JOB_MIN_KB): 202 với công việc nền (`job`); khi xong, kết quả của công
    việc có `run_id`, đọc ở `GET /api/v1/imports/runs/<run_id>`."""
    run, job = run_import(kind)
    if job is not None:
        return {"job": job_out(job)}, 202
    body = run.as_dict()
    if not run.ok:
        return {
            "error": {"status": 400, "message": "Tệp có lỗi, không lưu dòng nào.", "import": body}
        }, 400
    return body, 201


@blp.route("/templates/<kind>.xlsx")
@blp.answers(200, XLSX_BODY, "Tệp .xlsx", content_type=XLSX)
@blp.errors(404)
def template(kind):
    """Mẫu trống của một loại tệp nhập."""
    if kind not in TEMPLATES:
        raise NotFound("Không có mẫu này.")
    return xlsx_response(write_workbook(blank_template_sheets(kind)), TEMPLATES[kind]["file"])


def visible_run(run_id: int) -> ImportRun:
    run = db.session.scalar(select(ImportRun).where(ImportRun.id == run_id))
    if run is None or (run.user_id != current_user.id and not is_admin(current_user)):
        raise NotFound("Không tìm thấy lần nhập.")
    return run


def report_name(run: ImportRun) -> str:
    return f"{'bao_cao_nhap' if run.ok else 'loi_nhap'}_{run.id}.xlsx"


def errors_workbook(run: ImportRun) -> bytes:
    """The run's report: its errors (a failed run) or, for a successful one, what each row
    added and changed."""
    if run.ok and run.changes:
        # a file of one row per year (evaluations, history) has a year column; people, units not
        with_year = any(c.get("year") for c in run.changes)
        headers = [("Dòng", 8), ("Năm", 8), ("Mã", 16), ("Thao tác", 12), ("Đã thêm, đã đổi", 90)]
        return write_workbook(
            [
                {
                    "name": "Thay đổi",
                    "title": f"Kết quả nhập tệp {run.filename}",
                    "subtitle": [
                        f"Thêm mới {run.created}, cập nhật {run.updated}, không đổi {run.unchanged}"
                    ],
                    "headers": [h for h in headers if with_year or h[0] != "Năm"],
                    "rows": [
                        [
                            c["row"],
                            *([c.get("year")] if with_year else []),
                            c["code"],
                            c["action"],
                            c["text"],
                        ]
                        for c in run.changes
                    ],  # fmt: skip
                }
            ]
        )
    return write_workbook(
        [
            {
                "name": "Lỗi nhập",
                "title": f"Lỗi nhập tệp {run.filename}",
                "subtitle": [
                    f"Tổng số lỗi: {run.total_errors} (hiển thị tối đa {len(run.errors)})"
                ],
                "headers": [
                    ("Trang tính", 14),
                    ("Dòng", 8),
                    ("Cột", 26),
                    ("Giá trị", 24),
                    ("Lỗi", 70),
                ],
                "rows": [
                    [e["sheet"], e["row"], e["column"], e["value"], e["message"]]
                    for e in run.errors
                ],
            }
        ]
    )


@blp.route("/runs/<int:run_id>")
@blp.answers(200, ImportRunSchema)
@blp.errors(404)
def get_run(run_id):
    return visible_run(run_id).as_dict()


@blp.route("/runs/<int:run_id>/errors.xlsx")
@blp.answers(200, XLSX_BODY, "Tệp .xlsx", content_type=XLSX)
@blp.errors(404)
def run_errors(run_id):
    """Danh sách lỗi của một lần nhập (hoặc, khi nhập thành công, các thay đổi), dạng bảng
    tính."""
    run = visible_run(run_id)
    return xlsx_response(errors_workbook(run), report_name(run))
