"""Large exports run as jobs: an export of more rows than EXPORT_JOB_MIN_ROWS is written by a
job of kind "export" into EXPORT_DIR (default: the instance folder's exports/), under a
temporary name renamed into place once whole, and kept EXPORT_KEEP_HOURS for the user who asked
(service.exports.api). A failure (a full disk, the unit deleted meanwhile) fails the job with a
Vietnamese message and leaves no file. Expired files go at the next export or with
`flask exports-cleanup`."""

from __future__ import annotations

import datetime as dt
import errno
import os
import secrets
from pathlib import Path

from flask import current_app

from service.auth.access import can
from service.auth.models import User
from service.common.errors import ServiceError
from service.common.exports import (
    ExportKind,
    download_name,
    export_kinds,
    export_response,
    kind_options,
)
from service.common.spreadsheets import ROWS_WRITTEN
from service.extensions import db
from service.jobs import enqueue, job_out
from service.jobs.models import Job
from service.org.models import Unit

JOB_KIND = "export"
DISK_FULL = (
    "Hết dung lượng đĩa khi ghi bảng tính; không có tệp nào được lưu. "
    "Hãy báo quản trị viên giải phóng dung lượng rồi xuất lại."
)


class ExportFailed(Exception):
    """Why an export job could not write its file (Vietnamese, shown on the job's page)."""


def export_dir(create: bool = True) -> Path:
    configured = current_app.config.get("EXPORT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "exports"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["EXPORT_KEEP_HOURS"]))


def runs_as_job(kind: ExportKind, year_row, unit, options: dict | None = None) -> bool:
    """More rows than EXPORT_JOB_MIN_ROWS (a kind without a count is always small)."""
    if kind.count is None or kind.year is None:
        return False
    count = kind.count(year_row, unit, **(options or {}))
    return count > current_app.config["EXPORT_JOB_MIN_ROWS"]


def send_or_start(kind: ExportKind, year_row, unit, user, args=None):
    """The file at once (a response), or the job that writes it (a Job, run after this request
    commits); the caller checked the unit's reach. `args`: the request's query arguments, read
    by a kind with options (kind_options; a bad one is a ValidationError). Expired files are
    removed first."""
    options = kind_options(kind, args)
    cleanup_expired()
    if not runs_as_job(kind, year_row, unit, options):
        return export_response(kind, year_row, unit, user, options)
    params = {
        "export": kind.kind,
        "year": year_row.year,
        "unit_id": unit.id,
        "unit_code": unit.code,
        "user_id": user.id,
    }
    if options:
        params["options"] = options
    # no unit on the job: its state and file are its starter's (and the administrators' to see)
    return enqueue(JOB_KIND, params, user=user)


def api_answer(kind: ExportKind, year_row, unit, user, args=None):
    """What GET /years/<y>/exports/<kind>.xlsx answers: the file, or 202 {"job": ...}."""
    answer = send_or_start(kind, year_row, unit, user, args)
    if isinstance(answer, Job):
        return {"job": job_out(answer)}, 202
    return answer


def _subject(params: dict):
    """The kind, user, unit and year a job writes for, each still there and still allowed."""
    kind = export_kinds().get(params["export"])
    if kind is None or kind.year is None:
        raise ExportFailed(f"Không còn loại bảng tính «{params['export']}».")
    user = db.session.get(User, params["user_id"])
    if user is None or not user.is_active:
        raise ExportFailed("Tài khoản yêu cầu xuất không còn hoạt động.")
    unit = db.session.get(Unit, params["unit_id"])
    if unit is None:
        raise ExportFailed(
            f"Đơn vị {params['unit_code']} đã bị xóa trong khi chờ xuất; không có tệp nào."
        )
    if not can(user, kind.permission, unit):
        raise ExportFailed(f"Không còn quyền xuất bảng tính của đơn vị {unit.code}.")
    try:
        year_row = kind.year(params["year"])
    except ServiceError as err:
        raise ExportFailed(f"Không còn năm đánh giá {params['year']}.") from err
    return kind, user, unit, year_row


def _os_error(err: BaseException) -> OSError | None:
    """The OSError behind `err` (xlsxwriter wraps the one of its close in FileCreateError)."""
    seen = err
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__ or seen.__context__
    return None


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def export_job(params: dict, progress) -> dict:
    """Job "export": write the kind's file for the unit and year, then keep it for its owner."""
    kind, user, unit, year_row = _subject(params)
    options = params.get("options") or {}
    total = kind.count(year_row, unit, **options) if kind.count else 0
    progress(0, total, "Đang ghi bảng tính…")
    written = 0

    def rows(n: int) -> None:
        nonlocal written
        written += n
        progress(min(written, total), total, f"Đã ghi {_thousands(written)} dòng…")

    folder = export_dir()
    name = f"{secrets.token_hex(16)}.xlsx"
    partial = folder / f".{name}.part"
    token = ROWS_WRITTEN.set(rows)
    try:
        count = kind.write(year_row, unit, user, str(partial), **options)
        os.replace(partial, folder / name)
    except Exception as err:
        cause = _os_error(err)
        if cause is None:
            raise
        if cause.errno == errno.ENOSPC:
            raise ExportFailed(DISK_FULL) from err
        why = cause.strerror or str(cause)
        raise ExportFailed(f"Không ghi được tệp bảng tính ({why}); không có tệp nào.") from err
    finally:
        ROWS_WRITTEN.reset(token)
        partial.unlink(missing_ok=True)
    expires = dt.datetime.now() + keep_for()
    progress(total, total, f"Đã xuất {_thousands(count)} dòng. Bấm «Tải về» để lấy tệp.")
    return {
        "file": name,
        "filename": download_name(kind, year_row.year, unit.code, options=options),
        "label": kind.label,
        "rows": count,
        "expires_at": expires.isoformat(timespec="seconds"),
        "expires": expires.strftime("%d/%m/%Y %H:%M"),
    }


def expired(result: dict | None, now: dt.datetime | None = None) -> bool:
    when = (result or {}).get("expires_at")
    return not when or dt.datetime.fromisoformat(when) <= (now or dt.datetime.now())


def kept_file(job: Job) -> Path | None:
    """The file a done export job kept, while it is kept (None: none, gone or expired)."""
    result = job.result or {}
    if job.kind != JOB_KIND or job.status != "done" or not result.get("file"):
        return None
    path = export_dir(create=False) / Path(result["file"]).name
    if expired(result):
        path.unlink(missing_ok=True)
        return None
    return path if path.is_file() else None


def cleanup_expired(now: dt.datetime | None = None) -> int:
    """Remove the kept files (and a crashed job's partial files) older than EXPORT_KEEP_HOURS."""
    folder = export_dir(create=False)
    if not folder.is_dir():
        return 0
    limit = ((now or dt.datetime.now()) - keep_for()).timestamp()
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.suffix in (".xlsx", ".part") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def recent_jobs(user, limit: int = 10) -> list[Job]:
    """The user's latest export jobs, newest first."""
    from sqlalchemy import select

    stmt = (
        select(Job)
        .where(Job.kind == JOB_KIND, Job.user_id == user.id)
        .order_by(Job.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
