"""Reading jobs: one job as its reader may see it (a job whose process died reads as failed)."""

from __future__ import annotations

from service.common.errors import NotFound
from service.extensions import db
from service.jobs.models import Job
from service.jobs.progress import job_out
from service.jobs.runners import fail_if_dead


def readable_job(user, job_id: int) -> dict:
    """The job as job_out shows it; NotFound when it does not exist or `user` may not read it
    (its existence is not told)."""
    job = db.session.get(Job, job_id)
    if job is None or not job.can_read(user):
        raise NotFound("Không tìm thấy công việc.")
    if fail_if_dead(job):
        db.session.flush()  # committed by the request boundary (a GET commits too)
    return job_out(job)
