"""Background jobs: the Job model, the registry of job kinds, the runners, progress and access.

A domain registers a plain function under a kind (`register("recompute", fn)`) in its
init_app; `enqueue(kind, params, key, user, unit=…)` creates a job that runs after the caller's
transaction commits, on the runner the configuration names (service.jobs.runners). A job is
readable by whoever started it, administrators, and the roles reaching its unit."""

from __future__ import annotations

import threading

from service.jobs.progress import get_progress, job_out, set_progress
from service.jobs.registry import kinds, register
from service.jobs.runners import (
    QUEUE,
    RUNNERS,
    enqueue,
    recover_stale,
    rq_entry,
    run,
    runner,
    stop_processes,
    wait_idle,
)

__all__ = [
    "QUEUE",
    "RUNNERS",
    "enqueue",
    "get_progress",
    "init_app",
    "job_out",
    "kinds",
    "recover_stale",
    "register",
    "rq_entry",
    "run",
    "runner",
    "set_progress",
    "stop_processes",
    "wait_idle",
]

_started: set[str] = set()  # databases whose stale jobs this process has looked for
_started_lock = threading.Lock()


def init_app(app) -> None:
    """The session hooks, the API and the page; at this process's first request, the jobs a
    dead process left running are failed (they can be started again)."""
    from service.extensions import api, csrf
    from service.jobs import api as jobs_api
    from service.jobs import runners, views

    runners.init_app(app)
    csrf.exempt(jobs_api.blp)
    api.register_blueprint(jobs_api.blp)
    app.register_blueprint(views.bp)

    @app.before_request
    def _recover_once():
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        if uri in _started or runner() == "inline":
            return
        with _started_lock:
            if uri in _started:
                return
            _started.add(uri)
        recover_stale()
