"""The runners of background jobs (JOBS_RUN):

- "process" (the default without Redis): the web process's own worker thread hands each job to
  a job process it starts itself (spawned once, kept, restarted if it dies, ended when the web
  process exits), running JOBS_NICE nicer: a job neither holds the web process's GIL nor takes
  CPU a request needs. It is not a daemon, so a job may start worker processes of its own (a
  whole-year recompute does);
- "thread": the worker thread runs the job itself, in the web process;
- "rq" (the default when REDIS_URL is set): a queue on Redis; start workers with
  `flask --app wsgi rq-worker`, several machines can share the queue;
- "inline": at once, in the caller's transaction (the test suite).

A Job row is created in the caller's transaction and handed to the runner only after that
transaction commits (so the worker can see it); the row records queued → running → done |
failed, and which process runs it, so a job whose process died is failed, not left running.
On RQ the worker also looks every JOBS_SWEEP_SECONDS (sweep): jobs whose process died are
failed, queued jobs Redis lost are queued again (redispatch_lost).
"""

from __future__ import annotations

import atexit
import datetime as dt
import multiprocessing
import os
import pickle
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, g, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.extensions import db
from service.jobs import progress
from service.jobs.models import Job
from service.jobs.registry import function_of

QUEUE = "evaluation"  # the RQ queue's name (kept: workers already listen on it)
RUNNERS = ("process", "thread", "rq", "inline")
RQ_ENTRY = "service.jobs.runners.rq_entry"
DIED = "Lỗi: tiến trình chạy công việc đã dừng giữa chừng (máy chủ khởi động lại?); hãy chạy lại."

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def runner() -> str:
    """The configured runner; unset: "rq" when REDIS_URL is set, else "process"."""
    configured = current_app.config.get("JOBS_RUN")
    if configured:
        if configured not in RUNNERS:
            raise ValueError(f"JOBS_RUN={configured!r}: một trong {', '.join(RUNNERS)}")
        return configured
    return "rq" if current_app.config.get("REDIS_URL") else "process"


def worker_id(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"


# --- creating and dispatching ----------------------------------------------------------------


def enqueue(
    kind: str,
    params: dict,
    key: str = "",
    user=None,
    delay: float = 0,
    max_wait: float = 0,
    unit=None,
) -> Job:
    """Create a job of a registered kind; it runs after the current transaction commits
    (inline: right now). `unit`: the unit it works on (its readers are the roles reaching it).

    A queued job with the same key is reused instead of adding another: its row stays locked
    until this transaction ends, so a worker cannot start it without this transaction's changes
    (run() claims it with an UPDATE, which waits for the lock). It is handed to the runner again
    only if this process's worker thread does not hold it (or, with RQ, the queue does not):
    a job nobody holds any more (an in-process queue dies with its process) still runs, and of
    two runners holding it only one claims it.

    `delay`: the job starts no sooner than this many seconds from now, and each reuse pushes
    that back again, but never past `max_wait` seconds after the job was created (debounce:
    saves in a row get one job, run once they pause). Inline jobs run at once."""
    function_of(kind)  # an unknown kind fails here, not in the worker
    now = dt.datetime.now()
    if key:
        queued = db.session.scalar(
            select(Job).where(Job.key == key, Job.status == "queued").limit(1).with_for_update()
        )
        if queued is not None:
            if queued.run_after is not None:
                latest = (queued.created_at or now) + dt.timedelta(seconds=max_wait)
                queued.run_after = min(now + dt.timedelta(seconds=delay), latest)
            if runner() != "inline":
                pending = db.session.info.setdefault("jobs_to_dispatch", [])
                if queued.id not in pending:
                    pending.append(queued.id)
            return queued
    job = Job(
        kind=kind,
        key=key,
        params=params,
        user_id=getattr(user, "id", None),
        unit_id=getattr(unit, "id", None),
        created_at=now,
        run_after=now + dt.timedelta(seconds=delay) if delay and runner() != "inline" else None,
    )
    db.session.add(job)
    db.session.flush()
    if runner() == "inline":
        _run_here(job)
    else:
        db.session.info.setdefault("jobs_to_dispatch", []).append(job.id)
    return job


# (database, job id) handed to this process's worker thread and not yet run
_dispatched: set[tuple[str, int]] = set()
_DISPATCHED_KEY = "eval:dispatched:{}"  # RQ: a job handed to the queue (expires after a day)


def _dispatch(app, job_ids: list[int]) -> None:
    """Hand jobs to the runner, each once: a queued job reused by later saves is handed again
    only when nobody holds it (the in-process queue died with its process, or Redis lost it)."""
    with app.app_context():
        how = runner()
        for job_id in job_ids:
            if how == "rq":
                from rq import Queue

                conn = progress.redis(app)
                marker = _DISPATCHED_KEY.format(job_id)
                if not conn.set(marker, "", nx=True, ex=60):
                    continue  # on the queue already
                try:
                    entry = Queue(QUEUE, connection=conn).enqueue(
                        RQ_ENTRY, job_id, job_timeout=3600
                    )
                except BaseException:
                    conn.delete(marker)
                    raise
                conn.set(marker, entry.id, ex=86400)  # which RQ job holds it (redispatch_lost)
            else:
                held = (app.config["SQLALCHEMY_DATABASE_URI"], job_id)
                with _executor_lock:
                    if held in _dispatched:
                        continue
                    _dispatched.add(held)
                _thread_pool().submit(_thread_entry, app, job_id)


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # one worker: jobs of one database never run over each other in a process
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job")
        return _executor


def wait_idle(timeout: float = 60) -> None:
    """Wait until the in-process worker has finished what it was given (tests, shutdown)."""
    pool = _thread_pool()
    pool.submit(lambda: None).result(timeout=timeout)


def _thread_entry(app, job_id: int) -> None:
    deferred = False
    with app.app_context():
        try:
            wait = due_in(job_id)
            if wait > 0:  # not yet: the worker thread takes other jobs meanwhile
                deferred = True
                timer = threading.Timer(
                    wait, lambda: _thread_pool().submit(_thread_entry, app, job_id)
                )
                timer.daemon = True
                timer.start()
                return
            if runner() == "process":
                _run_in_process(app, job_id)
            else:
                run(job_id)
                _let_writers_in(app)
        except Exception:  # the executor would keep it silently in a Future nobody reads
            app.logger.exception("job %s could not be run", job_id)
            raise
        finally:
            if not deferred:
                with _executor_lock:
                    _dispatched.discard((app.config["SQLALCHEMY_DATABASE_URI"], job_id))
            db.session.remove()


SQLITE_JOB_GAP = 0.15  # seconds between two jobs of a worker on SQLite


def _let_writers_in(app) -> None:
    """SQLite has one writer at a time, and a request waiting for the lock retries at most every
    100 ms: a worker that starts its next job the moment the last one committed takes the lock
    again first, and a clerk's save can wait through job after job (seconds). A short pause
    between jobs lets the waiting saves in."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        time.sleep(SQLITE_JOB_GAP)


def due_in(job_id: int) -> float:
    """Seconds until a queued job may start (0: now, or it is not queued any more)."""
    row = db.session.execute(select(Job.status, Job.run_after).where(Job.id == job_id)).first()
    db.session.rollback()  # end the read: the claim is the first statement of its transaction
    if row is None or row.status != "queued" or row.run_after is None:
        return 0.0
    return max(0.0, (row.run_after - dt.datetime.now()).total_seconds())


# --- the job process (JOBS_RUN = "process") -----------------------------------------------------

_processes: dict[str, tuple] = {}  # database -> (process, pipe) of this web process
_atexit_registered = False


def _plain_config(app) -> dict:
    """The app's settings that can travel to a spawned process (every plain value)."""
    out = {}
    for key, value in app.config.items():
        if not key.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - such a setting stays behind
            continue
        out[key] = value
    return out


def _job_process(app):
    """This web process's job process for the app's database (started if it is not alive).

    Not a daemon: a daemonic process may not have children, and a whole-year recompute rates
    its parts in worker processes of its own. The web process ends it when it exits (atexit,
    registered after multiprocessing's own handler so it runs first); a web process killed
    outright closes the pipe, and the job process returns after its current job."""
    global _atexit_registered
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    found = _processes.get(uri)
    if found is not None and found[0].is_alive():
        return found
    if found is not None:
        found[1].close()
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    settings = _plain_config(app)
    settings["JOBS_RUN"] = "thread"  # what the job process itself queues runs in it
    proc = ctx.Process(
        target=_process_main,
        args=(there, settings, int(app.config.get("JOBS_NICE") or 0)),
        name="job-process",
        daemon=False,
    )
    proc.start()
    there.close()
    _processes[uri] = (proc, here)
    if not _atexit_registered:
        _atexit_registered = True
        atexit.register(stop_processes)
    return proc, here


def stop_processes(timeout: float = 10) -> None:
    """End this web process's job processes (each finishes its current job first, for at most
    `timeout` seconds; then it is terminated and its job fails on the next start-up)."""
    while _processes:
        _uri, (proc, pipe) = _processes.popitem()
        pipe.close()  # the job process reads the end of its pipe and returns
        proc.join(timeout)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout)


def _run_in_process(app, job_id: int) -> None:
    """Run the job in the job process and wait for it, relaying its progress; a job process
    that dies on the way fails the job (it is started again for the next one)."""
    proc, pipe = _job_process(app)
    try:
        pipe.send(job_id)
        while True:
            message = pipe.recv()
            if message[0] == "progress":
                _, jid, done, total, text_ = message
                progress.keep(jid, done, total, text_)
            elif message[0] == "done":
                return
    except (EOFError, OSError):
        proc.join(timeout=5)
        app.logger.error("job process died while running job %s (exit %s)", job_id, proc.exitcode)
        db.session.rollback()
        _fail(Job.id == job_id, "Lỗi: tiến trình chạy công việc bị dừng giữa chừng; hãy chạy lại.")
        db.session.commit()
    finally:
        progress.forget(job_id)


def _process_main(pipe, settings: dict, nice: int) -> None:
    """A job process: an app of the same settings; runs the job ids it is sent, one at a time."""
    if nice:
        os.nice(nice)
    progress.to_parent = pipe
    from service import create_app

    app = create_app(type("JobProcessConfig", (), settings))
    while True:
        try:
            job_id = pipe.recv()
        except (EOFError, OSError):  # the web process is gone
            return
        with app.app_context():
            try:
                run(job_id)
            except Exception:  # run() stores a job's failure; this is anything else
                app.logger.exception("job %s could not be run", job_id)
            finally:
                db.session.remove()
        pipe.send(("done", job_id))
        _let_writers_in(app)


def rq_entry(job_id: int) -> None:
    """What the RQ worker runs: inside the worker's app context (see commands rq-worker). A job
    not yet due goes back on the queue for when it is (the worker's scheduler moves it)."""
    if not has_app_context():
        from service import create_app

        with create_app().app_context():
            return rq_entry(job_id)
    wait = due_in(job_id)
    if wait > 0:
        from rq import Queue

        conn = progress.redis()
        later = Queue(QUEUE, connection=conn).enqueue_in(
            dt.timedelta(seconds=wait), RQ_ENTRY, job_id, job_timeout=3600
        )
        conn.set(_DISPATCHED_KEY.format(job_id), later.id, ex=86400)  # it holds the job now
        return
    run(job_id)


# --- running ---------------------------------------------------------------------------------


def run(job_id: int) -> None:
    """Run a queued job in its own transactions: claim it, work, store the outcome."""
    # The claim is one conditional UPDATE, the first statement of its transaction: it waits for
    # a transaction that reused this queued job (enqueue locks the row) to commit, and on SQLite
    # a first write waits for the lock where a read followed by a write fails at once. Every
    # transaction of a job writes: on SQLite they begin IMMEDIATE (service.will_write).
    g.db_writes = True
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=dt.datetime.now(), worker=worker_id())
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return
    job = db.session.get(Job, job_id)
    try:
        result = _work(job)
        db.session.commit()  # storing the results may fail too: then the job failed
    except Exception as err:  # the job fails, the worker goes on
        db.session.rollback()
        current_app.logger.exception("job %s failed", job_id)
        _fail(Job.id == job_id, f"Lỗi: {err}"[:2000], only_unfinished=False)
        db.session.commit()
        return
    finally:
        progress.forget(job_id)
    return result


def _run_here(job: Job) -> None:
    """Inline runner: the job's work joins the caller's transaction (tests, small scopes)."""
    job.status = "running"
    job.started_at = dt.datetime.now()
    job.worker = worker_id()
    _work(job)
    progress.forget(job.id)


def _work(job: Job):
    def report(done, total, message):
        progress.set_progress(job.id, done, total, message)

    result = function_of(job.kind)(job.params, report)
    live = progress.get_progress(job.id) or (0, 0, "")
    job.status = "done"
    job.done, job.total = live[0], live[1]
    # the job's own last word when it reported the whole count ("Đã lập danh sách: …"), else
    # a plain "done" (a last report midway would say the job is still working)
    done, total, said = live
    job.message = said if said and total and done >= total else "Hoàn thành."
    job.result = result
    job.finished_at = dt.datetime.now()
    db.session.flush()
    return result


def _fail(where, message: str, only_unfinished: bool = True) -> int:
    stmt = update(Job).where(where)
    if only_unfinished:
        stmt = stmt.where(Job.status.in_(("queued", "running")))
    values = {"status": "failed", "message": message, "finished_at": dt.datetime.now()}
    return db.session.execute(stmt.values(**values)).rowcount


# --- jobs whose process died -----------------------------------------------------------------


def _alive_here(worker: str | None) -> bool | None:
    """Whether the process of `worker` ("host:pid") is alive: None when it is on another host
    (an RQ worker elsewhere: not ours to judge)."""
    if not worker:
        return False  # a row from before workers were recorded
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def fail_if_dead(job: Job) -> bool:
    """A running job whose process on this host is gone is failed (it can be started again)."""
    if job.status != "running" or _alive_here(job.worker) is not False:
        return False
    job.status, job.message, job.finished_at = "failed", DIED, dt.datetime.now()
    return True


def recover_stale() -> int:
    """At start-up: fail the jobs left running by a process of this host that died (a server
    restarted mid-job). Returns how many; a database without the table yet counts none."""
    try:
        running = db.session.scalars(select(Job).where(Job.status == "running")).all()
        failed = sum(fail_if_dead(job) for job in running)
        db.session.commit()
    except SQLAlchemyError:  # not migrated yet (flask db upgrade runs create_app too)
        db.session.rollback()
        return 0
    return failed


# --- jobs Redis lost, and the RQ worker's periodic look ---------------------------------------

LOST_AFTER = 10  # seconds: a queued job this old that no RQ job holds is handed to RQ again
_HOLDING = ("queued", "started", "deferred", "scheduled")  # RQ states that will run rq_entry


def _held_by_rq(conn, job_id: int) -> bool:
    """Whether an RQ job that will run rq_entry(job_id) is still on Redis: the marker
    _dispatch left names it. A restarted Redis (no persistence, or a snapshot older than the
    job) has neither; an RQ job whose work horse died before claiming the job failed."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    entry = conn.get(_DISPATCHED_KEY.format(job_id))
    if entry is None:
        return False
    if not entry:  # being handed over right now (between the marker and the enqueue)
        return True
    try:
        status = RQJob.fetch(entry.decode(), connection=conn).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return str(getattr(status, "value", status)) in _HOLDING


def redispatch_lost(older_than: float = LOST_AFTER) -> int:
    """RQ: hand the queued jobs that no RQ job holds any more (Redis restarted, flushed or
    failed over) to the queue again, so none waits forever. Returns how many."""
    if runner() != "rq":
        return 0
    app = current_app._get_current_object()
    conn = progress.redis(app)
    before = dt.datetime.now() - dt.timedelta(seconds=older_than)
    try:
        queued = db.session.scalars(
            select(Job.id).where(Job.status == "queued", Job.created_at <= before)
        ).all()
        db.session.rollback()
    except SQLAlchemyError:  # not migrated yet
        db.session.rollback()
        return 0
    lost = [job_id for job_id in queued if not _held_by_rq(conn, job_id)]
    for job_id in lost:
        conn.delete(_DISPATCHED_KEY.format(job_id))
    if lost:
        app.logger.warning("jobs %s were lost by Redis: queued again", lost)
        _dispatch(app, lost)
    return len(lost)


def sweep() -> dict:
    """What an RQ worker does at start and then every JOBS_SWEEP_SECONDS: fail the jobs whose
    process on this host died, queue again the jobs Redis lost."""
    failed = recover_stale()
    try:
        lost = redispatch_lost()
    except Exception:  # noqa: BLE001 - Redis down: the next look retries
        current_app.logger.exception("looking for jobs Redis lost failed")
        lost = 0
    finally:
        db.session.remove()  # the worker holds no connection a work horse could inherit
    return {"failed": failed, "requeued": lost}


def horse_died(rq_job, pid: int, *_rest) -> None:
    """RQ's work_horse_killed_handler: the job the killed work horse was running is failed at
    once (its transaction died with it, so nothing of its work was stored)."""
    try:
        job_id = int(rq_job.args[0])
    except (AttributeError, IndexError, TypeError, ValueError):
        return
    try:
        n = _fail((Job.id == job_id) & (Job.worker == worker_id(pid)), DIED)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("could not fail job %s of a killed work horse", job_id)
        return
    finally:
        db.session.remove()
    if n:
        current_app.logger.error("work horse %s was killed running job %s: failed", pid, job_id)


def rq_worker(queues, connection, sweep_seconds: int = 30):
    """The RQ worker of `flask rq-worker`: sweep() every `sweep_seconds` (an idle worker waits
    for work at most that long between two looks), horse_died() when a work horse is killed,
    and a work horse never reuses the worker's database connections (it would write in the
    worker's transaction: SQLAlchemy's rule for os.fork)."""
    from rq import Worker

    class JobWorker(Worker):
        def run_maintenance_tasks(self):
            super().run_maintenance_tasks()
            sweep()

    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return JobWorker(
        queues,
        connection=connection,
        maintenance_interval=sweep_seconds,
        worker_ttl=sweep_seconds + 15,  # an idle worker's dequeue waits worker_ttl - 15 s
        work_horse_killed_handler=horse_died,
    )


# --- session hooks ---------------------------------------------------------------------------

_hooked = False


def init_app(app) -> None:
    """Hand the jobs created in a transaction to the runner after it commits. Listens on every
    Session (the test suite binds its own)."""
    global _hooked
    if _hooked:
        return
    _hooked = True
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session):
    job_ids = session.info.pop("jobs_to_dispatch", None)
    if job_ids and has_app_context():
        _dispatch(current_app._get_current_object(), job_ids)


def _after_rollback(session):
    session.info.pop("jobs_to_dispatch", None)
