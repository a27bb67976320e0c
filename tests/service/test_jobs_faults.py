"""Faults of the RQ runner (issue 15 item 7): a queued job whose RQ entry Redis lost (a
restart without persistence, a flush, a fail-over) is handed to the queue again instead of
waiting forever; a job whose work horse was killed is failed at once; the RQ worker looks
for both periodically. Redis itself is replaced by a small stand-in."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from rq.exceptions import NoSuchJobError

from service.extensions import db
from service.jobs import register, runners
from service.jobs.models import Job
from service.jobs.runners import DIED


def _noop(params, progress):
    return {"ok": True}


class _Redis:
    """The few Redis calls the runner makes for its markers."""

    def __init__(self, values=None):
        self.values = {
            k: v.encode() if isinstance(v, str) else v for k, v in (values or {}).items()
        }

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value, nx=False, ex=None):
        if nx and key in self.values:
            return False
        self.values[key] = str(value).encode()
        return True

    def delete(self, key):
        self.values.pop(key, None)


class _RQJob:
    def __init__(self, status):
        self.status = status

    def get_status(self, refresh=True):
        return self.status


@pytest.fixture
def rq_world(app, monkeypatch, create_user):
    """JOBS_RUN=rq, Redis the stand-in, RQ jobs by id, and the dispatches recorded."""
    register("test_noop", _noop, title="Việc thử")
    monkeypatch.setitem(app.config, "JOBS_RUN", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    rq_jobs = {"rq-queued": "queued", "rq-started": "started", "rq-failed": "failed"}

    def fetch(job_id, connection=None, **_kw):
        if job_id not in rq_jobs:
            raise NoSuchJobError(job_id)
        return _RQJob(rq_jobs[job_id])

    monkeypatch.setattr("rq.job.Job.fetch", staticmethod(fetch))
    dispatched: list[int] = []
    monkeypatch.setattr(runners, "_dispatch", lambda app, ids: dispatched.extend(ids))
    return {"user": create_user("f_user"), "dispatched": dispatched, "monkeypatch": monkeypatch}


def _job(user, status="queued", age=60, worker=None) -> Job:
    job = Job(
        kind="test_noop",
        params={},
        status=status,
        user_id=user.id,
        worker=worker,
        created_at=dt.datetime.now() - dt.timedelta(seconds=age),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_queued_jobs_redis_lost_are_queued_again_and_the_others_left(rq_world, app_ctx):
    user = rq_world["user"]
    no_marker = _job(user)  # Redis restarted: marker and RQ job gone
    entry_gone = _job(user)  # marker restored from a snapshot, its RQ job not
    entry_failed = _job(user)  # its work horse died before claiming it
    held = _job(user)
    started = _job(user)
    handing_over = _job(user)  # marker set, enqueue under way
    young = _job(user, age=1)  # just committed: its own dispatch is under way
    running = _job(user, status="running", worker="elsewhere:1")
    key = runners._DISPATCHED_KEY.format
    fake = _Redis(
        {
            key(entry_gone.id): "rq-vanished",
            key(entry_failed.id): "rq-failed",
            key(held.id): "rq-queued",
            key(started.id): "rq-started",
            key(handing_over.id): "",
        }
    )
    rq_world["monkeypatch"].setattr(runners.progress, "redis", lambda app=None: fake)

    assert runners.redispatch_lost() == 3
    assert sorted(rq_world["dispatched"]) == sorted([no_marker.id, entry_gone.id, entry_failed.id])
    # their stale markers are gone, so _dispatch hands them over again
    assert key(entry_gone.id) not in fake.values and key(entry_failed.id) not in fake.values
    assert key(held.id) in fake.values
    assert young.id not in rq_world["dispatched"] and running.id not in rq_world["dispatched"]


def test_nothing_is_queued_again_with_another_runner(rq_world, app, app_ctx):
    _job(rq_world["user"])
    rq_world["monkeypatch"].setitem(app.config, "JOBS_RUN", "thread")
    assert runners.redispatch_lost() == 0
    assert rq_world["dispatched"] == []


def test_a_job_whose_work_horse_was_killed_is_failed_at_once(rq_world, app_ctx):
    here = socket.gethostname()
    user = rq_world["user"]
    killed = _job(user, status="running", worker=f"{here}:424242")
    other = _job(user, status="running", worker=f"{here}:424243")
    done = _job(user, status="done", worker=f"{here}:424242")

    class _Entry:
        args = (killed.id,)

    runners.horse_died(_Entry(), 424242, 9, None)
    db.session.expire_all()
    assert (db.session.get(Job, killed.id).status, db.session.get(Job, killed.id).message) == (
        "failed",
        DIED,
    )
    assert db.session.get(Job, other.id).status == "running"
    assert db.session.get(Job, done.id).status == "done"


def test_the_sweep_fails_dead_jobs_and_queues_lost_ones_again(rq_world, app_ctx):
    here = socket.gethostname()
    dead = _job(rq_world["user"], status="running", worker=f"{here}:424244")
    lost = _job(rq_world["user"])
    rq_world["monkeypatch"].setattr(runners.progress, "redis", lambda app=None: _Redis())
    rq_world["monkeypatch"].setattr(runners, "_alive_here", lambda worker: False)
    assert runners.sweep() == {"failed": 1, "requeued": 1}
    db.session.expire_all()
    assert db.session.get(Job, dead.id).status == "failed"
    assert rq_world["dispatched"] == [lost.id]


def test_a_job_goes_on_when_redis_cannot_take_its_progress(app, monkeypatch, app_ctx):
    from redis.exceptions import ConnectionError as RedisDown

    from service.jobs import progress

    class _Down:
        def pipeline(self):
            raise RedisDown("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setitem(app.config, "JOBS_RUN", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(progress, "redis", lambda app=None: _Down())
    progress.set_progress(1, 5, 10, "đang tính")  # a restart of Redis must not fail the job
