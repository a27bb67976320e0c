"""A finished job's message: the job's own last word when it reported the whole count with a
message ("Đã lập danh sách: 186 đề nghị…", "Đã xuất 3.000 dòng…"), else "Hoàn thành." (the
job page showed "Hoàn thành." after every job, the summary lost)."""

from __future__ import annotations

import pytest

from service.extensions import db
from service.jobs import enqueue, register
from service.jobs.models import Job


def _summary(params, progress):
    progress(0, 3, "Đang làm…")
    progress(3, 3, "Đã lập 3 mục.")
    return {}


def _midway(params, progress):
    progress(1, 3, "Đang làm mục 1…")  # ends without reporting the whole count
    return {}


def _silent(params, progress):
    return {}


@pytest.mark.parametrize(
    ("fn", "message"),
    [(_summary, "Đã lập 3 mục."), (_midway, "Hoàn thành."), (_silent, "Hoàn thành.")],
)
def test_a_done_job_keeps_its_last_full_count_message(app_ctx, create_user, fn, message):
    register(f"test_msg_{fn.__name__}", fn, title="Việc thử")
    user = create_user("msg_user")
    job = enqueue(f"test_msg_{fn.__name__}", {}, user=user)
    db.session.commit()
    job = db.session.get(Job, job.id)
    assert job.status == "done" and job.message == message
