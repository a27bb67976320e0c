"""Background recompute jobs with real workers: the in-process thread and an RQ worker on Redis.

A worker uses connections of its own and cannot see the rolled-back transaction every other test
runs in, so these tests (marked isolated_db) build an app on a database of their own with
committed data: a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL points to
PostgreSQL (created and dropped here)."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
import time
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, make_url, select, text

from evaluation import compute
from evaluation.models import PersonEval, Rating
from evaluation.operations import open_year
from evaluation.queries import get_year
from service import create_app, jobs
from service.auth.models import Role, RoleAssignment, User
from service.auth.operations import create_token
from service.config import TestConfig
from service.extensions import db
from service.jobs import progress, runners
from service.jobs.models import Job
from service.org.models import Category, Person, Unit
from service.org.operations import set_path

pytestmark = pytest.mark.isolated_db

YEAR = 2025
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_seq = itertools.count(1)


# --- an app on a database of its own --------------------------------------------------------


@contextlib.contextmanager
def isolated_app(tmp_path, **settings):
    """An app whose data is really committed: a SQLite file under tmp_path, or a PostgreSQL
    database test_jobs_<pid>_<n> created beside TEST_DATABASE_URL's and dropped at the end."""
    base = TestConfig.SQLALCHEMY_DATABASE_URI
    pg_name = None
    if base.startswith("postgresql"):
        import psycopg

        server = make_url(base).set(drivername="postgresql")
        conninfo = server.render_as_string(hide_password=False)
        pg_name = f"test_jobs_{os.getpid()}_{next(_seq)}"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = make_url(base).set(database=pg_name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / f'isolated_{next(_seq)}.db'}"
    config = type("IsolatedConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})
    app = None
    try:
        app = create_app(config)
        with app.app_context():
            db.create_all()
        yield app
    finally:
        jobs.wait_idle(timeout=30)  # nothing of this app still running in the worker thread
        jobs.stop_processes()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if pg_name:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def good_row(score) -> dict:
    return {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": score for m in range(1, 13)}}


SCORES = (95, 92, 91, 85, 75, 60)


def bad_row() -> dict:
    """Inputs rated KHT (score below the HT band)."""
    return {"ct": 1, "dd": 1, "tp": 1, "kl": 1, **{f"m{m}": 20 for m in range(1, 13)}}


def seed(app, scopes=(("W", 6), ("V", 3)), evals=True) -> dict:
    """Quota roots (W, V…) each with an office (W-O…) of people W00…; admin, two staff and two
    committee members at the first root; the year open; inputs for everyone (when `evals`).
    Returns bearer headers by role, each token already used once (its first use is a write)."""
    with app.app_context():
        first = None
        people = []
        for root_code, n in scopes:
            root = _unit(root_code, None, quota_root=True)
            first = first or root
            office = _unit(f"{root_code}-O", root)
            for i in range(n):
                person = Person(
                    code=f"{root_code}{i:02d}",
                    full_name=f"Nguyễn Văn {root_code}{i:02d}",
                    unit=office,
                    category=Category.CIVIL_SERVANT,
                )
                db.session.add(person)
                people.append(person)
        users = {
            "admin": _user("admin", [(Role.ADMIN, None)]),
            "staff": _user("staff", [(Role.STAFF, first)]),
            "staff2": _user("staff2", [(Role.STAFF, first)]),
            "committee": _user("committee", [(Role.COMMITTEE, first)]),
            "committee2": _user("committee2", [(Role.COMMITTEE, first)]),
        }
        year_row = open_year(users["admin"], YEAR)
        if evals:
            for i, person in enumerate(people):
                values = good_row(SCORES[i % len(SCORES)])
                db.session.add(PersonEval(year_id=year_row.id, person_id=person.id, **values))
        tokens = {name: create_token(user, "thử nghiệm")[1] for name, user in users.items()}
        db.session.commit()
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    client = app.test_client()
    for h in headers.values():
        assert client.get("/api/v1/years", headers=h).status_code == 200
    return headers


def _unit(code, parent, quota_root=False) -> Unit:
    unit = Unit(code=code, name=f"Đơn vị {code}", kind="cơ quan", parent=parent)
    unit.quota_root = quota_root
    db.session.add(unit)
    db.session.flush()
    set_path(unit)
    return unit


def _user(username, roles) -> User:
    from werkzeug.security import generate_password_hash

    user = User(username=username, full_name=f"Người dùng {username}")
    user.password_hash = generate_password_hash("matkhau123", method="pbkdf2:sha256:1")
    for role, unit in roles:
        user.roles.append(RoleAssignment(role=role, unit=unit))
    db.session.add(user)
    db.session.flush()
    return user


def wait_job(client, headers, job_id, timeout=15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        res = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, f"job {job_id} did not finish: {body}"
        time.sleep(0.02)


def ratings(app, kind="official") -> dict[str, tuple[str, Decimal | None, int]]:
    """code -> (level, score, row id) of the stored ratings, read on a fresh session."""
    with app.app_context():
        rows = db.session.execute(
            select(Person.code, Rating.level, Rating.score, Rating.id)
            .join(Rating, Rating.person_id == Person.id)
            .where(Rating.kind == kind)
        ).all()
        return {code: (level, score, rid) for code, level, score, rid in rows}


def jobs_by_key(app, key) -> list[Job]:
    with app.app_context():
        found = list(db.session.scalars(select(Job).where(Job.key == key).order_by(Job.id)))
        db.session.expunge_all()
        return found


def compute_now(app) -> None:
    with app.app_context():
        compute.recompute(get_year(YEAR))
        db.session.commit()


def save_eval(app, code, values):
    """Change one person's inputs in a session of our own and note the change (as a save does)."""
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.code == code))
        row = db.session.scalar(select(PersonEval).where(PersonEval.person_id == person.id))
        for key, value in values.items():
            setattr(row, key, value)
        db.session.flush()
        compute.note_change(get_year(YEAR), person.unit_id)
        db.session.commit()


# --- the thread runner -----------------------------------------------------------------------


@pytest.fixture
def thread_app(tmp_path):
    with isolated_app(tmp_path, JOBS_RUN="thread", EVAL_RECOMPUTE="job") as app:
        yield app


def test_thread_runner_computes_the_year_in_the_background(thread_app):
    h = seed(thread_app)
    client = thread_app.test_client()
    res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"])
    assert res.status_code == 202, res.get_json()
    queued = res.get_json()
    assert queued["status"] == "queued" and queued["params"] == {"year": YEAR, "unit_code": None}
    job = wait_job(client, h["admin"], queued["id"])
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 9 and job["percent"] == 100
    assert job["result"] == {
        "units": 0,
        "official": 9,
        "party": 0,
        "people": 9,
        "unchanged": 0,
        "rewritten": 0,
        "written": 9,
        "removed": 0,
        "processes": 1,
    }
    assert job["message"] == "Đã xếp loại xong." and job["finished_at"]
    stored = ratings(thread_app)
    assert sorted(stored) == [f"V{i:02d}" for i in range(3)] + [f"W{i:02d}" for i in range(6)]
    # 6 at XS/T in W: the quota keeps one XS (as computed inline in test_api_flow)
    assert [c for c, (level, *_) in stored.items() if level == "XS" and c[0] == "W"] == ["W00"]
    # a whole-year job is its starter's and the administrators': a unit's staff is not told of
    # it; an unknown job is not found
    assert client.get(f"/api/v1/jobs/{queued['id']}", headers=h["staff"]).status_code == 404
    assert client.get("/api/v1/jobs/999999", headers=h["admin"]).status_code == 404


def test_a_recompute_job_commits_without_waiting_for_the_wal_flush_on_postgresql(
    thread_app, monkeypatch
):
    """Its rows are derived, so on PostgreSQL the job's transaction commits asynchronously
    (the clerks' saves keep waiting for their own flush: the session default stays on)."""
    h = seed(thread_app)
    seen = []
    real = compute.recompute

    def spy(year_row, unit=None, progress=None):
        seen.append(_sync_commit())
        return real(year_row, unit, progress)

    def _sync_commit():
        if db.session.get_bind().dialect.name != "postgresql":
            return "sqlite"
        return db.session.execute(text("SHOW synchronous_commit")).scalar()

    monkeypatch.setattr(compute, "recompute", spy)
    client = thread_app.test_client()
    res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"])
    assert wait_job(client, h["admin"], res.get_json()["id"])["status"] == "done"
    with thread_app.app_context():
        pg = db.session.get_bind().dialect.name == "postgresql"
        assert seen == (["off"] if pg else ["sqlite"])
        assert _sync_commit() == ("on" if pg else "sqlite")  # a new transaction: the default
        assert len(ratings(thread_app)) == 9


def test_saving_an_input_queues_a_recompute_of_its_scope(thread_app):
    h = seed(thread_app)
    compute_now(thread_app)
    before = ratings(thread_app)
    assert before["W05"][0] != "KHT"
    client = thread_app.test_client()
    res = client.put(
        f"/api/v1/years/{YEAR}/people/W05/evaluation", json=bad_row(), headers=h["staff"]
    )
    assert res.status_code == 200, res.get_json()
    queued = jobs_by_key(thread_app, f"recompute:{YEAR}:W")
    assert len(queued) == 1 and queued[0].params == {"year": YEAR, "unit_code": "W"}
    job = wait_job(client, h["staff"], queued[0].id)
    assert job["status"] == "done" and job["done"] == job["total"] == 6, job
    after = ratings(thread_app)
    assert after["W05"][0] == "KHT" and after["W05"][1] < before["W05"][1]
    assert after["W00"][2] != before["W00"][2]  # the scope's ratings were replaced…
    # …and only that scope's: V's people keep their rating rows
    assert {c: after[c] for c in ("V00", "V01", "V02")} == {
        c: before[c] for c in ("V00", "V01", "V02")
    }
    assert not jobs_by_key(thread_app, f"recompute:{YEAR}:V")


def test_a_failing_job_is_marked_failed_and_the_worker_goes_on(thread_app, monkeypatch):
    h = seed(thread_app)
    client = thread_app.test_client()
    real = compute.recompute

    def broken(*args, **kwargs):
        raise RuntimeError("dữ liệu hỏng")

    monkeypatch.setattr(compute, "recompute", broken)
    first = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"]).get_json()
    failed = wait_job(client, h["admin"], first["id"])
    assert failed["status"] == "failed" and failed["message"] == "Lỗi: dữ liệu hỏng", failed
    assert failed["finished_at"]

    # the work succeeds but storing it fails (e.g. SQLite "database is locked" at commit, a
    # hook): the job must end as failed, not stay "running" for ever
    def commit_fails(pending):
        raise RuntimeError("không ghi được")

    monkeypatch.setattr(compute, "recompute", real)
    monkeypatch.setattr(compute, "apply_pending", commit_fails)

    def noting(year_row, unit=None, progress=None):
        counts = real(year_row, unit, progress)
        db.session.info.setdefault("eval_recompute", set()).add((year_row.id, 1))
        return counts

    monkeypatch.setattr(compute, "recompute", noting)
    second = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"]).get_json()
    failed = wait_job(client, h["admin"], second["id"])
    assert failed["status"] == "failed" and "không ghi được" in failed["message"], failed
    assert ratings(thread_app) == {}  # nothing of the failed jobs was stored
    with thread_app.app_context():
        assert jobs.get_progress(first["id"]) is None and jobs.get_progress(second["id"]) is None

    # the worker goes on: the next job runs
    monkeypatch.undo()
    third = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"]).get_json()
    done = wait_job(client, h["admin"], third["id"])
    assert done["status"] == "done" and done["done"] == 9, done
    assert len(ratings(thread_app)) == 9


def test_progress_is_visible_while_the_job_runs(thread_app, monkeypatch):
    """Parts of BATCH people: after the first part the API shows running with done < total."""
    h = seed(thread_app)
    monkeypatch.setattr(compute.parts, "BATCH", 2)  # parts: V (3 people), then W (6)
    seen: list[tuple[int, int]] = []
    reached, release = threading.Event(), threading.Event()
    real = progress.set_progress

    def spy(job_id, done, total, message):
        real(job_id, done, total, message)
        seen.append((done, total))
        if 0 < done < total and not reached.is_set():
            reached.set()
            release.wait(10)  # hold the worker here while the test looks

    monkeypatch.setattr(progress, "set_progress", spy)
    client = thread_app.test_client()
    try:
        job_id = client.post(
            f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"]
        ).get_json()["id"]
        assert reached.wait(10), f"no progress reported mid-run: {seen}"
        mid = client.get(f"/api/v1/jobs/{job_id}", headers=h["admin"]).get_json()
        assert mid["status"] == "running", mid
        assert (mid["done"], mid["total"], mid["percent"]) == (3, 9, 33), mid
        assert mid["message"] == "Đang xếp loại cá nhân"
    finally:
        release.set()
    job = wait_job(client, h["admin"], job_id)
    assert job["status"] == "done" and job["done"] == job["total"] == 9
    people = [s for s in seen if s[1] == 9]
    assert people == [(0, 9), (3, 9), (9, 9), (9, 9)], seen
    with thread_app.app_context():
        assert jobs.get_progress(job_id) is None  # forgotten once stored in the row


def test_a_change_committed_while_its_queued_job_starts_is_not_lost(thread_app):
    """Two saves in one scope: the second finds the first's job still queued and joins it. If
    the worker starts that job while the second save's transaction is still open, the job must
    wait for it (else it computes without the second change and no other job follows)."""
    seed(thread_app)
    compute_now(thread_app)
    gate = threading.Event()
    runners._thread_pool().submit(gate.wait, 10)  # keep the one worker busy for now
    try:
        save_eval(thread_app, "W04", bad_row())
        (job,) = jobs_by_key(thread_app, f"recompute:{YEAR}:W")
        assert job.status == "queued"
        with thread_app.app_context():
            person = db.session.scalar(select(Person).where(Person.code == "W05"))
            row = db.session.scalar(select(PersonEval).where(PersonEval.person_id == person.id))
            for key, value in bad_row().items():
                setattr(row, key, value)
            db.session.flush()
            compute.note_change(get_year(YEAR), person.unit_id)
            # what the commit hook does first: the queued job of the scope is reused
            compute.apply_pending(db.session.info.pop("eval_recompute"))
            assert db.session.scalar(select(func.count(Job.id))) == 1
            gate.set()  # the worker takes the job now…
            time.sleep(0.5)
            db.session.commit()  # …and this change commits only afterwards
        jobs.wait_idle(timeout=20)
    finally:
        gate.set()
    (job,) = jobs_by_key(thread_app, f"recompute:{YEAR}:W")
    assert job.status == "done", (job.status, job.message)
    stored = ratings(thread_app)
    assert stored["W04"][0] == "KHT" and stored["W05"][0] == "KHT", stored


def test_a_queued_job_nobody_runs_does_not_swallow_later_changes(thread_app):
    """A job row left queued with no worker holding it (the in-process queue is lost when the
    process restarts): a later change of its scope joins it, and it must then run."""
    h = seed(thread_app)
    compute_now(thread_app)
    with thread_app.app_context():
        orphan = Job(kind="recompute", key=f"recompute:{YEAR}:W", params={"year": YEAR})
        orphan.params = {"year": YEAR, "unit_code": "W"}
        orphan.unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "W"))
        db.session.add(orphan)
        db.session.commit()
        orphan_id = orphan.id
    client = thread_app.test_client()
    res = client.put(
        f"/api/v1/years/{YEAR}/people/W05/evaluation", json=bad_row(), headers=h["staff"]
    )
    assert res.status_code == 200, res.get_json()
    assert [j.id for j in jobs_by_key(thread_app, f"recompute:{YEAR}:W")] == [orphan_id]
    job = wait_job(client, h["staff"], orphan_id, timeout=5)
    assert job["status"] == "done", job
    assert ratings(thread_app)["W05"][0] == "KHT"


class _HeldPool:
    """A worker thread that takes jobs and does not run them yet (it is busy)."""

    def __init__(self):
        self.given: list[int] = []

    def submit(self, fn, app, job_id):
        self.given.append(job_id)


def test_a_queued_job_is_handed_to_the_worker_once_however_many_saves_join_it(
    thread_app, monkeypatch
):
    h = seed(thread_app)
    pool = _HeldPool()
    monkeypatch.setattr(runners, "_thread_pool", lambda: pool)
    monkeypatch.setattr(runners, "_dispatched", set())  # what this test's pool holds
    client = thread_app.test_client()
    for code, score in (("W05", 61), ("W04", 62), ("W05", 63)):
        res = client.put(
            f"/api/v1/years/{YEAR}/people/{code}/evaluation",
            json=good_row(score),
            headers=h["staff"],
        )
        assert res.status_code == 200, res.get_json()
    (job,) = jobs_by_key(thread_app, f"recompute:{YEAR}:W")
    assert job.status == "queued" and pool.given == [job.id]
    monkeypatch.setattr(runners, "_dispatched", set())  # this process restarted: nobody holds it
    res = client.put(
        f"/api/v1/years/{YEAR}/people/W04/evaluation", json=good_row(64), headers=h["staff"]
    )
    assert res.status_code == 200 and pool.given == [job.id, job.id]


# --- the job process runner (the default without Redis) --------------------------------------


@pytest.fixture
def process_app(tmp_path):
    with isolated_app(tmp_path, JOBS_RUN="process", EVAL_RECOMPUTE="job", JOBS_NICE=5) as app:
        yield app


class _Recorded(dict):
    """The web process's progress dict, remembering every value set in it."""

    def __init__(self):
        super().__init__()
        self.values_set: list[tuple[int, tuple]] = []

    def __setitem__(self, key, value):
        self.values_set.append((key, value))
        super().__setitem__(key, value)


def test_process_runner_runs_the_job_in_a_nicer_process_and_relays_its_progress(
    process_app, monkeypatch
):
    with process_app.app_context():
        assert jobs.runner() == "process"
    recorded = _Recorded()
    monkeypatch.setattr(progress, "_progress", recorded)
    h = seed(process_app)
    client = process_app.test_client()
    res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"])
    assert res.status_code == 202, res.get_json()
    job = wait_job(client, h["admin"], res.get_json()["id"], timeout=60)
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 9 and job["result"]["written"] == 9
    assert len(ratings(process_app)) == 9
    proc, _pipe = runners._processes[process_app.config["SQLALCHEMY_DATABASE_URI"]]
    assert proc.is_alive() and proc.pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, proc.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 5
    # the job process's progress reached this process while the job ran (then was forgotten)
    assert (job["id"], (9, 9, "Đã xếp loại xong.")) in recorded.values_set, recorded.values_set
    # the job's status is committed before the relay hears «done» and forgets its progress
    runners.wait_idle()
    assert job["id"] not in recorded


def test_a_job_in_the_process_runner_may_start_worker_processes(tmp_path):
    """The default runner's job process is not a daemon, so a job may fork workers of its own
    (a whole-year recompute does; a daemonic job process failed it with "daemonic processes
    are not allowed to have children"). The kind comes from a domain the configuration names,
    registered in the job process by its own create_app."""
    domains = ("evaluation", "tests.fixtures.forking_domain")
    with isolated_app(tmp_path, JOBS_RUN="process", DOMAINS=domains) as app:
        h = seed(app, evals=False)
        with app.app_context():
            admin = db.session.scalar(select(User).where(User.username == "admin"))
            job_id = jobs.enqueue("fork_pool", {"n": 4}, user=admin).id
            db.session.commit()
        job = wait_job(app.test_client(), h["admin"], job_id, timeout=60)
        assert job["status"] == "done", job
        assert job["result"] == {"squares": [0, 1, 4, 9], "daemon": False}
        assert job["title"] == "Việc thử: tiến trình con"


def test_process_runner_recomputes_a_saved_scope(process_app):
    h = seed(process_app)
    compute_now(process_app)
    client = process_app.test_client()
    res = client.put(
        f"/api/v1/years/{YEAR}/people/W05/evaluation", json=bad_row(), headers=h["staff"]
    )
    assert res.status_code == 200, res.get_json()
    queued = jobs_by_key(process_app, f"recompute:{YEAR}:W")
    job = wait_job(client, h["staff"], queued[0].id, timeout=60)
    assert job["status"] == "done" and job["done"] == job["total"] == 6, job
    assert ratings(process_app)["W05"][0] == "KHT"


def test_a_job_process_that_died_is_started_again_for_the_next_job(process_app):
    import signal

    h = seed(process_app)
    client = process_app.test_client()
    first = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"]).get_json()
    assert wait_job(client, h["admin"], first["id"], timeout=60)["status"] == "done"
    uri = process_app.config["SQLALCHEMY_DATABASE_URI"]
    dead, _pipe = runners._processes[uri]
    os.kill(dead.pid, signal.SIGKILL)
    dead.join(10)
    save_eval(process_app, "W05", bad_row())
    second = jobs_by_key(process_app, f"recompute:{YEAR}:W")[-1]
    job = wait_job(client, h["admin"], second.id, timeout=60)
    assert job["status"] == "done", job
    assert ratings(process_app)["W05"][0] == "KHT"
    alive, _pipe = runners._processes[uri]
    assert alive.pid != dead.pid and alive.is_alive()


def test_a_job_whose_process_dies_is_marked_failed(process_app, monkeypatch):
    """The job process dies in the middle of a job: the job fails with a message, no ratings."""
    h = seed(process_app)
    real = runners._job_process

    def dying(app):
        proc, pipe = real(app)

        class Killing:
            def send(self, job_id):
                pipe.send(job_id)
                proc.kill()  # before it can answer

            def __getattr__(self, name):
                return getattr(pipe, name)

        return proc, Killing()

    monkeypatch.setattr(runners, "_job_process", dying)
    client = process_app.test_client()
    res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"])
    job = wait_job(client, h["admin"], res.get_json()["id"], timeout=60)
    assert job["status"] == "failed", job
    assert "bị dừng giữa chừng" in job["message"]
    assert ratings(process_app) == {}


# --- the RQ runner ---------------------------------------------------------------------------


@pytest.fixture
def redis_conn():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    conn = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        conn.ping()
    except RedisConnectionError as err:  # CI has Redis: its absence is a failure, not a skip
        pytest.fail(f"Redis không truy cập được tại {REDIS_URL}: {err}")
    yield conn
    conn.close()


def _start_job_ids_at(base: int) -> None:
    """Job ids well apart from any other run sharing this Redis (progress keys hold the id)."""
    db.session.add(Job(id=base, kind="recompute", key="placeholder", status="done"))
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('jobs', 'id'), :n)"), {"n": base}
        )
    db.session.commit()


@pytest.mark.parametrize("jobs_run", ["rq", None], ids=["JOBS_RUN=rq", "JOBS_RUN-unset"])
def test_rq_runner_queues_on_redis_and_a_worker_runs_it(
    tmp_path, redis_conn, monkeypatch, jobs_run
):
    """JOBS_RUN unset with REDIS_URL set means rq as well (runner())."""
    from rq import Queue, SimpleWorker

    queue_name = f"evaluation-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(runners, "QUEUE", queue_name)  # the queue `flask rq-worker` serves
    own_keys: list[str] = []  # what this test leaves in Redis, deleted at the end
    rq_ids: list[str] = []
    with isolated_app(
        tmp_path, JOBS_RUN=jobs_run, REDIS_URL=REDIS_URL, EVAL_RECOMPUTE="job"
    ) as app:
        try:
            h = seed(app)
            with app.app_context():
                assert jobs.runner() == "rq"
                _start_job_ids_at(random.randrange(10**6, 10**9))
            client = app.test_client()
            res = client.post(f"/api/v1/years/{YEAR}/compute", json={}, headers=h["admin"])
            assert res.status_code == 202, res.get_json()
            job_id = res.get_json()["id"]
            own_keys += [f"eval:job:{job_id}", f"eval:dispatched:{job_id}"]
            queue = Queue(queue_name, connection=redis_conn)
            rq_ids.extend(queue.job_ids)
            assert len(rq_ids) == 1
            rq_job = queue.fetch_job(rq_ids[0])
            assert rq_job.func_name == "service.jobs.runners.rq_entry" and rq_job.args == (job_id,)
            queued = client.get(f"/api/v1/jobs/{job_id}", headers=h["admin"]).get_json()
            assert queued["status"] == "queued" and queued["done"] == 0

            # while it runs, the web side reads the worker's progress back from Redis
            mid: list[dict] = []
            real = progress.set_progress

            def look(jid):
                mid.append(client.get(f"/api/v1/jobs/{jid}", headers=h["admin"]).get_json())

            def spy(jid, done, total, message):
                real(jid, done, total, message)
                if 0 < done < total or (done == 0 and total == 9):
                    # another thread: a request here would join the worker's app context
                    # (and its session); the web side is another process in production
                    other = threading.Thread(target=look, args=(jid,))
                    other.start()
                    other.join(10)

            monkeypatch.setattr(progress, "set_progress", spy)
            monkeypatch.setattr(compute.parts, "BATCH", 2)
            with app.app_context():
                worker = SimpleWorker([queue], connection=redis_conn)
                own_keys.append(worker.key)
                assert worker.work(burst=True)
            monkeypatch.setattr(progress, "set_progress", real)
            assert rq_job.get_status(refresh=True) == "finished", rq_job.latest_result()
            assert [(m["status"], m["done"], m["total"]) for m in mid] == [
                ("running", 0, 9),
                ("running", 3, 9),
            ], mid
            stored = redis_conn.hgetall(f"eval:job:{job_id}")
            assert stored[b"done"] == stored[b"total"] == b"9"
            job = client.get(f"/api/v1/jobs/{job_id}", headers=h["admin"]).get_json()
            assert job["status"] == "done" and job["done"] == job["total"] == 9, job
            assert job["result"]["official"] == 9
            assert len(ratings(app)) == 9
        finally:
            Queue(queue_name, connection=redis_conn).delete(delete_jobs=True)
            keys = set(own_keys)
            for pattern in [f"*{queue_name}*"] + [f"*{i}*" for i in rq_ids]:
                keys.update(redis_conn.scan_iter(match=pattern, count=1000))
            if keys:
                redis_conn.delete(*keys)


def test_rq_a_queued_job_goes_on_the_queue_once_however_many_saves_join_it(
    tmp_path, redis_conn, monkeypatch
):
    from rq import Queue

    queue_name = f"evaluation-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(runners, "QUEUE", queue_name)
    job_id = None
    with isolated_app(tmp_path, JOBS_RUN="rq", REDIS_URL=REDIS_URL, EVAL_RECOMPUTE="job") as app:
        try:
            h = seed(app)
            with app.app_context():
                _start_job_ids_at(random.randrange(10**6, 10**9))
            client = app.test_client()
            for code, score in (("W05", 61), ("W04", 62), ("W05", 63), ("W03", 64)):
                res = client.put(
                    f"/api/v1/years/{YEAR}/people/{code}/evaluation",
                    json=good_row(score),
                    headers=h["staff"],
                )
                assert res.status_code == 200, res.get_json()
            (job,) = jobs_by_key(app, f"recompute:{YEAR}:W")
            job_id = job.id
            queue = Queue(queue_name, connection=redis_conn)
            assert len(queue.job_ids) == 1
            assert queue.fetch_job(queue.job_ids[0]).args == (job_id,)
        finally:
            Queue(queue_name, connection=redis_conn).delete(delete_jobs=True)
            if job_id is not None:
                redis_conn.delete(f"eval:dispatched:{job_id}", f"eval:job:{job_id}")


# --- many writers at once --------------------------------------------------------------------


def test_concurrent_saves_all_succeed_and_the_ratings_follow_the_last_inputs(thread_app):
    """Six clients save at once while the background recomputes run (on SQLite: writers take
    the lock first and wait for it instead of failing with "database is locked")."""
    h = seed(thread_app)
    compute_now(thread_app)
    codes = [f"W{i:02d}" for i in range(6)]
    statuses: list[int] = []
    errors: list[BaseException] = []

    def client_saves(code, headers):
        try:
            client = thread_app.test_client()
            for score in (40, 55, 70, 85, 90 + codes.index(code)):
                res = client.put(
                    f"/api/v1/years/{YEAR}/people/{code}/evaluation",
                    json=good_row(score),
                    headers=headers,
                )
                statuses.append(res.status_code)
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    threads = [
        threading.Thread(target=client_saves, args=(c, h["staff" if i % 2 else "staff2"]))
        for i, c in enumerate(codes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and statuses == [200] * 30, (errors, statuses)
    jobs.wait_idle(timeout=30)
    jobs.wait_idle(timeout=30)  # a job queued by the last save of a running one
    with thread_app.app_context():
        assert not db.session.scalar(
            select(func.count(Job.id)).where(Job.status.in_(("queued", "running", "failed")))
        )
        # what the jobs stored is what a computation of the final inputs gives
        counts = compute.recompute(get_year(YEAR))
        db.session.rollback()
    assert counts["written"] == 0 and counts["removed"] == 0, counts


def test_sqlite_write_lock_not_obtained_answers_503_and_saves_nothing(tmp_path, monkeypatch):
    import sqlite3

    import service

    monkeypatch.setattr(service, "SQLITE_BUSY_MS", 300)
    path = tmp_path / "busy.db"
    config = type(
        "BusyConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "EVAL_RECOMPUTE": "off"},
    )
    app = create_app(config)
    try:
        with app.app_context():
            db.create_all()
        h = seed(app)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            client = app.test_client()
            res = client.put(
                f"/api/v1/years/{YEAR}/people/W00/evaluation",
                json=good_row(41),
                headers=h["staff"],
            )
            assert res.status_code == 503 and res.headers["Retry-After"] == "5"
            assert "đang bận" in res.get_json()["error"]["message"]
            # readers are not held up by the writer (WAL)
            res = client.get(f"/api/v1/years/{YEAR}/people/W00/evaluation", headers=h["staff"])
            assert res.status_code == 200 and res.get_json()["m1"] != "41.00"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        res = client.put(
            f"/api/v1/years/{YEAR}/people/W00/evaluation", json=good_row(41), headers=h["staff"]
        )
        assert res.status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- debounce: one recompute for saves in a row ----------------------------------------------


@pytest.fixture
def debounced_app(tmp_path):
    with isolated_app(
        tmp_path,
        JOBS_RUN="thread",
        EVAL_RECOMPUTE="job",
        EVAL_RECOMPUTE_DELAY=0.8,
        EVAL_RECOMPUTE_MAX_WAIT=2.5,
    ) as app:
        yield app


def _wait_jobs_done(app, key, timeout=15.0) -> list[Job]:
    deadline = time.monotonic() + timeout
    while True:
        found = jobs_by_key(app, key)
        if found and all(j.status in ("done", "failed") for j in found):
            return found
        assert time.monotonic() < deadline, [(j.id, j.status) for j in found]
        time.sleep(0.05)


def test_saves_in_a_row_get_one_recompute_once_they_pause(debounced_app):
    h = seed(debounced_app)
    compute_now(debounced_app)
    client = debounced_app.test_client()
    url = f"/api/v1/years/{YEAR}/people/{{}}/evaluation"
    assert client.put(url.format("W05"), json=bad_row(), headers=h["staff"]).status_code == 200
    (first,) = jobs_by_key(debounced_app, f"recompute:{YEAR}:W")
    assert first.status == "queued" and first.run_after > first.created_at
    body = client.get(f"/api/v1/jobs/{first.id}", headers=h["staff"]).get_json()
    assert body["status"] == "queued" and body["message"].startswith("Chờ tính lại lúc")
    time.sleep(0.4)
    assert client.put(url.format("W04"), json=bad_row(), headers=h["staff"]).status_code == 200
    (again,) = jobs_by_key(debounced_app, f"recompute:{YEAR}:W")
    assert again.id == first.id and again.status == "queued"
    assert again.run_after > first.run_after  # pushed back by the second save
    (job,) = _wait_jobs_done(debounced_app, f"recompute:{YEAR}:W")
    assert job.status == "done" and job.started_at >= again.run_after
    stored = ratings(debounced_app)
    assert stored["W05"][0] == "KHT" and stored["W04"][0] == "KHT"


def test_saves_that_never_pause_still_get_recomputed_within_the_max_wait(debounced_app):
    h = seed(debounced_app)
    compute_now(debounced_app)
    client = debounced_app.test_client()
    url = f"/api/v1/years/{YEAR}/people/W{{:02d}}/evaluation"
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < 4.0:  # a save every 0.2 s: the scope is never quiet
        res = client.put(url.format(i % 6), json=good_row(50 + i % 40), headers=h["staff"])
        assert res.status_code == 200
        i += 1
        time.sleep(0.2)
    found = _wait_jobs_done(debounced_app, f"recompute:{YEAR}:W")
    first = found[0]
    # the first job started by its deadline (created + 2.5 s), while the saves went on
    assert (first.started_at - first.created_at).total_seconds() < 2.5 + 1.0
    assert len(found) >= 2 and all(j.status == "done" for j in found)
    with debounced_app.app_context():  # what the jobs stored follows the last inputs
        counts = compute.recompute(get_year(YEAR))
        db.session.rollback()
    assert counts["written"] == 0, counts


def test_rq_a_job_not_yet_due_goes_back_to_the_queue_for_later(tmp_path, redis_conn, monkeypatch):
    from rq import Queue, SimpleWorker
    from rq.registry import ScheduledJobRegistry

    queue_name = f"evaluation-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(runners, "QUEUE", queue_name)
    job_id = None
    settings = {"EVAL_RECOMPUTE_DELAY": 30, "EVAL_RECOMPUTE_MAX_WAIT": 60}
    with isolated_app(
        tmp_path, JOBS_RUN="rq", REDIS_URL=REDIS_URL, EVAL_RECOMPUTE="job", **settings
    ) as app:
        queue = Queue(queue_name, connection=redis_conn)
        try:
            h = seed(app)
            with app.app_context():
                _start_job_ids_at(random.randrange(10**6, 10**9))
            client = app.test_client()
            res = client.put(
                f"/api/v1/years/{YEAR}/people/W05/evaluation", json=bad_row(), headers=h["staff"]
            )
            assert res.status_code == 200, res.get_json()
            (job,) = jobs_by_key(app, f"recompute:{YEAR}:W")
            job_id = job.id
            assert len(queue.job_ids) == 1
            rq_ids = list(queue.job_ids)
            with app.app_context():
                worker = SimpleWorker([queue], connection=redis_conn)
                assert worker.work(burst=True)
            redis_conn.delete(worker.key)
            # the worker found it not due: still queued here, scheduled on Redis for later
            assert jobs_by_key(app, f"recompute:{YEAR}:W")[0].status == "queued"
            scheduled = ScheduledJobRegistry(queue=queue)
            assert len(scheduled.get_job_ids()) == 1 and not queue.job_ids
            assert queue.fetch_job(scheduled.get_job_ids()[0]).args == (job_id,)
        finally:
            for jid in ScheduledJobRegistry(queue=queue).get_job_ids():
                ScheduledJobRegistry(queue=queue).remove(jid, delete_job=True)
            queue.delete(delete_jobs=True)
            keys = set(redis_conn.scan_iter(match=f"*{queue_name}*", count=1000))
            for jid in locals().get("rq_ids", []):
                keys.update(redis_conn.scan_iter(match=f"*{jid}*", count=1000))
            if job_id is not None:
                keys.update({f"eval:dispatched:{job_id}", f"eval:job:{job_id}"})
            if keys:
                redis_conn.delete(*keys)


def test_result_pages_say_when_a_recompute_is_still_to_come(debounced_app):
    """Right after a save the results are recomputed a moment later (the debounce): the unit's
    and the person's pages say so, with the job to follow, until it has run (they showed the
    old figures without a word)."""
    h = seed(debounced_app)
    compute_now(debounced_app)
    client = debounced_app.test_client()
    with debounced_app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "staff"))
        staff_id = staff.get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = staff_id
        sess["_fresh"] = True
    unit_page = f"/evaluation/{YEAR}/units/W-O"
    person_page = f"/evaluation/{YEAR}/people/W05"
    for page in (unit_page, person_page):
        assert "đang được tính lại" not in client.get(page).get_data(as_text=True)
    api = debounced_app.test_client()  # the pages' client has a session: it would need CSRF
    res = api.put(f"/api/v1/years/{YEAR}/people/W05/evaluation", json=bad_row(), headers=h["staff"])
    assert res.status_code == 200
    (job,) = jobs_by_key(debounced_app, f"recompute:{YEAR}:W")
    for page in (unit_page, person_page):
        html = client.get(page).get_data(as_text=True)
        assert "Kết quả đang được tính lại" in html, page
        assert f'data-recompute-url="/api/v1/jobs/{job.id}"' in html
    _wait_jobs_done(debounced_app, f"recompute:{YEAR}:W")
    for page in (unit_page, person_page):
        assert "đang được tính lại" not in client.get(page).get_data(as_text=True)
