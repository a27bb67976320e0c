"""Live progress of running jobs: a dict in this process, or a Redis hash when the jobs run on
RQ workers elsewhere; a job process relays its progress to the web process over its pipe.

Progress lives outside the database because the job's own transaction holds its results (and
its progress would be invisible) until it commits; the Job row keeps the last figures."""

from __future__ import annotations

import datetime as dt
import threading

from flask import current_app, has_request_context, url_for
from flask_login import current_user

from service.jobs.models import STATUS_LABELS, Job
from service.jobs.registry import file_endpoint_of, result_page_of, title_of

_progress: dict[int, tuple[int, int, str]] = {}
_lock = threading.Lock()
to_parent = None  # in a job process: its end of the pipe to the web process (runners)
REDIS_KEY = "eval:job:{}"


def redis(app=None):
    from redis import Redis

    app = app or current_app
    return Redis.from_url(app.config["REDIS_URL"])


def _in_redis() -> bool:
    from service.jobs.runners import runner

    # as the runner decides: JOBS_RUN unset with REDIS_URL set is rq too (the worker is another
    # process, so the progress must be where the web process reads it)
    return bool(current_app.config.get("REDIS_URL")) and runner() == "rq"


def set_progress(job_id: int, done: int, total: int, message: str) -> None:
    if to_parent is not None:  # in a job process: the web process shows the progress
        to_parent.send(("progress", job_id, done, total, message))
    if _in_redis():
        from redis.exceptions import ConnectionError, TimeoutError

        key = REDIS_KEY.format(job_id)
        try:
            pipe = redis().pipeline()
            pipe.hset(key, mapping={"done": done, "total": total, "message": message})
            pipe.expire(key, 86400)
            pipe.execute()
        except (ConnectionError, TimeoutError) as err:  # the job goes on: only its bar waits
            current_app.logger.warning("progress of job %s not shown: %s", job_id, err)
        return
    keep(job_id, done, total, message)


def keep(job_id: int, done: int, total: int, message: str) -> None:
    """Hold a job's progress in this process (a job process's relayed figures too)."""
    with _lock:
        _progress[job_id] = (done, total, message)


def get_progress(job_id: int) -> tuple[int, int, str] | None:
    if _in_redis():
        data = redis().hgetall(REDIS_KEY.format(job_id))
        if not data:
            return None
        return (int(data[b"done"]), int(data[b"total"]), data[b"message"].decode("utf-8"))
    with _lock:
        return _progress.get(job_id)


def forget(job_id: int) -> None:
    with _lock:
        _progress.pop(job_id, None)


def _when(value: dt.datetime | None) -> str | None:
    return value.strftime("%d/%m/%Y %H:%M:%S") if value else None


def download_url(job: Job) -> str | None:
    """Where a done job's kept file is downloaded, for its starter (None: no file, its keeping
    ended, or the reader is someone else)."""
    result = job.result if isinstance(job.result, dict) else {}
    endpoint = file_endpoint_of(job.kind)
    if job.status != "done" or not endpoint or not result.get("file"):
        return None
    expires = result.get("expires_at")
    if expires and dt.datetime.fromisoformat(expires) <= dt.datetime.now():
        return None
    if not has_request_context() or getattr(current_user, "id", None) != job.user_id:
        return None  # the file is its starter's only (an administrator sees the job, not it)
    return url_for(endpoint, job_id=job.id)


def result_page(job: Job) -> tuple[str, str] | None:
    """(label, URL) of the page showing a done job's result, as its kind registered it."""
    page = result_page_of(job.kind)
    if job.status != "done" or page is None or not has_request_context():
        return None
    try:
        return page(job)
    except Exception:  # noqa: BLE001 - a link is a convenience: the job page still answers
        current_app.logger.exception("result page of job %s", job.id)
        return None


def _status_label(job: Job) -> str:
    """The job's state in words; a job that ran to its end but refused its work (an import
    whose file has errors: nothing saved) does not read «hoàn thành»."""
    if job.status == "done" and isinstance(job.result, dict) and job.result.get("ok") is False:
        return "không thành công: tệp có lỗi, không lưu gì"
    return STATUS_LABELS.get(job.status, job.status)


def job_out(job: Job) -> dict:
    """What the API and the page show of a job: its state with the live progress."""
    live = get_progress(job.id) if job.status in ("queued", "running") else None
    done, total, message = live if live else (job.done, job.total, job.message)
    waiting = job.status == "queued" and job.run_after and job.run_after > dt.datetime.now()
    if waiting and not live:
        message = (
            f"Chờ tính lại lúc {job.run_after.strftime('%H:%M:%S')} "
            "(sau khi ngừng nhập liệu vài giây)."
        )
    return {
        "id": job.id,
        "kind": job.kind,
        "title": title_of(job.kind),
        "params": job.params,
        "status": job.status,
        "status_label": _status_label(job),
        "unit_code": job.unit.code if job.unit else None,
        "done": done,
        "total": total,
        "percent": (100 * done // total) if total else (100 if job.status == "done" else 0),
        "message": message,
        "result": job.result,
        "download_url": download_url(job),
        **dict(zip(("result_label", "result_url"), result_page(job) or (None, None), strict=True)),
        "created_at": _when(job.created_at),
        "run_after": _when(job.run_after),
        "finished_at": _when(job.finished_at),
    }
