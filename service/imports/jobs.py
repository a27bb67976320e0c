"""Large imports run as jobs: an upload bigger than IMPORT_JOB_MIN_KB is kept in the upload
folder (IMPORT_UPLOAD_DIR, by default the instance folder's uploads/imports) and read by a job of
kind "import", so no request holds a big file's parse; the clerk follows the job's progress and
reads the run (counts, errors, report) on the import page. The file is removed once read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app

from service.auth.models import User
from service.extensions import db
from service.imports.operations import STEP_COUNT, STEPS
from service.imports.registry import TEMPLATES
from service.jobs import enqueue

JOB_KIND = "import"


def upload_dir() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_DIR")
    path = (
        Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "imports"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_as_job(data: bytes) -> bool:
    return len(data) > current_app.config["IMPORT_JOB_MIN_KB"] * 1024


def start_import_job(user, kind: str, filename: str, data: bytes):
    """Keep the file (written whole, then renamed into place) and queue its import; the job runs
    after this request commits (the caller checked the kind and the permission)."""
    folder = upload_dir()
    name = f"{secrets.token_hex(16)}.xlsx"
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)
    params = {"kind": kind, "filename": filename[:255], "file": name, "user_id": user.id}
    return enqueue(JOB_KIND, params, user=user)


def import_job(params: dict, progress) -> dict:
    """Job "import": the same runner as an upload in the request, on the kept file."""
    path = upload_dir() / Path(params["file"]).name
    try:
        user = db.session.get(User, params["user_id"])
        spec = TEMPLATES[params["kind"]]
        progress(0, STEP_COUNT, "Đang đọc tệp…")
        data = path.read_bytes()
        token = STEPS.set(progress)  # the runner tells its steps: read, checked, saved
        try:
            run = spec["runner"](user, params["filename"], data)
        finally:
            STEPS.reset(token)
        message = (
            f"Đã nhập: thêm mới {run.created}, cập nhật {run.updated}, không đổi {run.unchanged}."
            if run.ok
            else f"Tệp có {run.total_errors} lỗi, không lưu dòng nào."
        )
        progress(STEP_COUNT, STEP_COUNT, message + " Bấm «Quay lại» để xem kết quả.")
        return {"run_id": run.id, "ok": run.ok, "total_errors": run.total_errors}
    finally:
        path.unlink(missing_ok=True)
