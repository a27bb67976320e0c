"""Saving one person's evaluation through the HTTP API with 20 clients at once (not a test).

    PUT /api/v1/years/2026/people/<code>/evaluation      (bearer token of a staff user)

The database is the city of bench_recompute.py (500,000 people, the same database: `bench` on
PostgreSQL, /tmp/bench_recompute.sqlite on SQLite), built by it unless --reuse finds it; its
ratings are computed once if the year has none. Twenty staff users are made, each with the
staff role at a different ward (spread over the districts), and each client saves people of its
own ward, one after the other, with new scores every time (so every save changes something).

The app runs in another process, as it would be deployed without gunicorn (not installed): the
werkzeug threaded server (one thread per connection, HTTP/1.1 keep-alive), with the service's
defaults EVAL_RECOMPUTE=job and JOBS_RUN=process: every save queues (or joins) a background
recompute of its quota scope, and the job process the server starts runs them, one at a time,
JOBS_NICE (default 10) nicer than the requests. --jobs thread runs them in the server process's
own worker thread instead, --jobs rq in a `flask rq-worker` process.

Each client is a thread of this process with its own keep-alive connection. By default they
save back to back (--think-ms 0): a closed loop, so the latency is what 20 busy clients see and
the throughput is the server's capacity; --think-ms adds a pause between a client's saves.
Printed: median, p95, max, throughput, errors, and what the background jobs did (how many ran,
failed, how long they took and how far behind the saves they were when the run ended).

    .venv/bin/python bench/bench_save.py --db postgresql [--reuse] [--seconds 30]
    .venv/bin/python bench/bench_save.py --db sqlite --reuse --recompute off
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recompute  # noqa: E402
import benchdb  # noqa: E402

NAME = bench_recompute.NAME  # the same database
YEAR = bench_recompute.YEAR
TARGET_MEDIAN_MS = 30.0
STAFF = "bench.staff{:02d}"
PEOPLE_PER_CLIENT = 300


# ---------------------------------------------------------------------------------------------
# set-up (a child process)


def setup(args) -> dict:
    """Staff users at 20 wards with fresh tokens, and the people each client will save."""
    from sqlalchemy import delete, select

    from evaluation.models import PersonEval
    from service.auth.models import Role, RoleAssignment, User
    from service.auth.operations import create_token
    from service.extensions import db
    from service.jobs.models import Job
    from service.org.models import Person, Unit

    app = benchdb.make_app()
    out: dict = {"clients": []}
    with app.test_request_context():
        wards = db.session.scalars(
            select(Unit).where(Unit.kind == "phường").order_by(Unit.code)
        ).all()
        by_district: dict[str, list] = {}
        for w in wards:
            by_district.setdefault(w.code[:3], []).append(w)
        # ward 1 of every district, then ward 2 of every district, ...: 20 different wards
        picked = []
        for i in range(max(len(v) for v in by_district.values())):
            for code in sorted(by_district):
                if i < len(by_district[code]):
                    picked.append(by_district[code][i])
        if args.same_scope:
            picked = picked[:1]
        # more clients than wards: wards take several clients, who save different people
        picked = [picked[i % len(picked)] for i in range(args.clients)]
        sharing = {w.code: picked.count(w) for w in picked}
        seen: dict[str, int] = {}
        db.session.execute(delete(Job))  # jobs of earlier runs: counts below are this run's
        for n, ward in enumerate(picked):
            username = STAFF.format(n + 1)
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, full_name=f"Cán bộ tổ chức {n + 1} (benchmark)")
                user.set_password("matkhau123")
                db.session.add(user)
            user.roles.clear()
            db.session.flush()
            user.roles.append(RoleAssignment(role=Role.STAFF, unit_id=ward.id))
            db.session.flush()
            _, token = create_token(user, "bench_save")
            codes = db.session.scalars(
                select(Person.code)
                .join(Unit, Unit.id == Person.unit_id)
                .join(PersonEval, PersonEval.person_id == Person.id)
                .where(Unit.subtree_clause(ward.path))
                .order_by(Person.code)
            ).all()
            rng = random.Random(ward.code)  # the same order for the clients of one ward
            rng.shuffle(codes)
            k = seen.get(ward.code, 0)  # this client's share of its ward's people
            seen[ward.code] = k + 1
            codes = codes[k :: sharing[ward.code]]
            out["clients"].append(
                {
                    "user": username,
                    "ward": ward.code,
                    "token": token,
                    "people": codes[:PEOPLE_PER_CLIENT],
                }
            )
        db.session.commit()
    return out


def ensure_ratings(args) -> dict:
    """How many ratings the year has (a save's recompute replaces some of them)."""
    from sqlalchemy import func, select

    from evaluation.models import Rating
    from service.extensions import db

    app = benchdb.make_app()
    with app.app_context():
        return {"ratings": db.session.scalar(select(func.count(Rating.id)))}


# ---------------------------------------------------------------------------------------------
# the server (a child process)


def serve(args) -> None:
    import logging

    from werkzeug.serving import WSGIRequestHandler, make_server

    app = benchdb.make_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)  # WHAT-IF, this server process only
    WSGIRequestHandler.protocol_version = "HTTP/1.1"  # keep-alive, as browsers and proxies do
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"serving on {args.port}", flush=True)
    server.serve_forever()
    # what was still queued in the in-process worker is lost with the process (as in production)
    print(f"peak RSS {benchdb.peak_rss_mb():.0f} MB", flush=True)


# ---------------------------------------------------------------------------------------------
# clients (threads of the parent)


class Client(threading.Thread):
    def __init__(self, n: int, spec: dict, args, start_at: float, stop_at: float) -> None:
        super().__init__(name=f"client-{n}", daemon=True)
        self.spec = spec
        self.args = args
        self.start_at = start_at
        self.stop_at = stop_at
        # a new sequence every run: a save equal to what is stored changes nothing, queues nothing
        self.rng = random.Random(f"{time.time_ns()}-{n}")
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.warmup = 0
        self.acked: dict[str, dict] = {}  # code -> the last body the server answered 200 to

    def body(self) -> dict:
        rng = self.rng
        base = rng.randint(70, 97)
        data = {
            "ct": f"{rng.choice((4, 4.5, 5)):.2f}",
            "dd": f"{rng.choice((4, 4.5, 5)):.2f}",
            "tp": f"{rng.choice((4, 4.5, 5)):.2f}",
            "kl": f"{rng.choice((4, 4.5, 5)):.2f}",
            **{f"m{m}": f"{min(100, base + rng.randint(-3, 3)):.2f}" for m in range(1, 13)},
            "tasks_total": 10,
            "tasks_late": rng.choice((0, 0, 0, 1)),
            "tasks_exceeded": rng.randint(0, 5),
        }
        return data

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=120)
        headers = {
            "Authorization": f"Bearer {self.spec['token']}",
            "Content-Type": "application/json",
        }
        people = self.spec["people"]
        i = 0
        while True:
            now = time.perf_counter()
            if now >= self.stop_at:
                break
            code = people[i % len(people)]
            i += 1
            url = f"/api/v1/years/{YEAR}/people/{code}/evaluation"
            data = self.body()
            t = time.perf_counter()
            try:
                conn.request("PUT", url, body=json.dumps(data).encode(), headers=headers)
                res = conn.getresponse()
                payload = res.read()
                status = res.status
            except (OSError, http.client.HTTPException) as err:
                status, payload = 0, repr(err).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=120)
            elapsed = time.perf_counter() - t
            if status == 200:
                self.acked[code] = data
            if t < self.start_at:
                self.warmup += 1
            else:
                if status == 200:
                    self.samples.append(elapsed)
                else:
                    self.errors.append(f"{status}: {payload[:300].decode('utf-8', 'replace')}")
            if self.args.think_ms:
                time.sleep(self.args.think_ms / 1000 * (0.5 + self.rng.random()))
        conn.close()


# ---------------------------------------------------------------------------------------------
# the background jobs, read back from the database after the run (a child process)


def job_stats(args) -> dict:
    from sqlalchemy import func, select

    from service.extensions import db
    from service.jobs.models import Job

    app = benchdb.make_app()
    with app.app_context():
        rows = db.session.execute(
            select(Job.status, Job.created_at, Job.started_at, Job.finished_at, Job.message)
        ).all()
        by_status: dict[str, int] = {}
        for r in rows:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        done = [r for r in rows if r.status == "done" and r.started_at and r.finished_at]
        run_s = sorted((r.finished_at - r.started_at).total_seconds() for r in done)
        failed = [r.message for r in rows if r.status == "failed"][:3]
        now = db.session.scalar(select(func.now()))
    return {
        "jobs": len(rows),
        "by_status": by_status,
        "run_median_s": run_s[len(run_s) // 2] if run_s else None,
        "run_max_s": run_s[-1] if run_s else None,
        "failed_messages": failed,
        "db_now": str(now),
    }


# ---------------------------------------------------------------------------------------------


def wait_for_server(port: int, token: str, proc, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited (status {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(
                "GET", f"/api/v1/years/{YEAR}", headers={"Authorization": f"Bearer {token}"}
            )
            res = conn.getresponse()
            res.read()
            conn.close()
            if res.status == 200:
                return
            raise SystemExit(f"GET /api/v1/years/{YEAR}: HTTP {res.status}")
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def verify(args) -> dict:
    """Lost writes: every person's stored inputs against the last save answered 200."""
    from decimal import Decimal

    from sqlalchemy import select

    from evaluation.models import EvalYear, PersonEval
    from service.extensions import db
    from service.org.models import Person

    acked = json.loads(Path(args.acked_file).read_text())
    app = benchdb.make_app()
    lost, checked = [], 0
    with app.app_context():
        year_id = db.session.scalar(select(EvalYear.id).where(EvalYear.year == YEAR))
        codes = list(acked)
        for i in range(0, len(codes), 1000):
            rows = db.session.execute(
                select(Person.code, PersonEval)
                .join(PersonEval, PersonEval.person_id == Person.id)
                .where(PersonEval.year_id == year_id, Person.code.in_(codes[i : i + 1000]))
            ).all()
            for code, row in rows:
                checked += 1
                want = acked[code]
                for field, value in want.items():
                    stored = getattr(row, field)
                    same = (
                        stored == value
                        if isinstance(value, int)
                        else stored is not None and stored == Decimal(value)
                    )
                    if not same:
                        lost.append(f"{code}.{field}: stored {stored}, last answered 200 {value}")
                        break
    return {"people": len(acked), "checked": checked, "lost": lost[:20], "lost_count": len(lost)}


def child(args) -> None:
    benchdb.configure_env(args.db, NAME)
    if args.compute_file:
        bench_recompute.use_compute_file(args.compute_file)
    if args.step == "serve":
        serve(args)
        return
    steps = {"setup": setup, "ratings": ensure_ratings, "jobs": job_stats, "verify": verify}
    result = steps[args.step](args)
    print("RESULT " + json.dumps(result, default=str))


def child_args(args, step: str) -> list[str]:
    out = ["--db", args.db, "--step", step, "--port", str(args.port)]
    out += ["--clients", str(args.clients)]
    if args.same_scope:
        out.append("--same-scope")
    if args.switch_interval:
        out += ["--switch-interval", str(args.switch_interval)]
    if args.compute_file:
        out += ["--compute-file", args.compute_file]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--people", type=int, default=500_000, help="size of the city built")
    parser.add_argument("--reuse", action="store_true", help="keep a matching earlier build")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between saves")
    parser.add_argument(
        "--recompute",
        choices=["job", "sync", "off"],
        default="job",
        help="EVAL_RECOMPUTE of the server (the service's default: job)",
    )
    parser.add_argument("--same-scope", action="store_true", help="every client in one ward")
    parser.add_argument(
        "--delay",
        type=float,
        default=2.0,
        help="EVAL_RECOMPUTE_DELAY of the server (the service's default: 2 s; 0: no debounce)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=20.0,
        help="EVAL_RECOMPUTE_MAX_WAIT of the server (the service's default: 20 s)",
    )
    parser.add_argument(
        "--jobs",
        choices=["process", "thread", "rq"],
        default="process",
        help="JOBS_RUN of the server: process (the default without Redis: a job process the web "
        "process starts, JOBS_NICE nicer), thread (the web process's own worker thread) or rq "
        "(a queue on Redis and one `flask rq-worker` process, JOBS_NICE nicer)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="--jobs rq: an empty Redis database (its rq and eval: keys are removed after)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=0.0,
        help="WHAT-IF: sys.setswitchinterval() of the server process (Python's default 0.005)",
    )
    parser.add_argument("--drain", type=float, default=120.0, help="max seconds to wait for jobs")
    parser.add_argument(
        "--compute-file",
        help="the server runs this copy of evaluation/compute.py (with --jobs thread), e.g. "
        "the committed one for a before/after",
    )
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument(
        "--server",
        choices=["werkzeug", "gunicorn"],
        default="werkzeug",
        help="werkzeug: the threaded development server (JOBS_RUN from --jobs); gunicorn: "
        "`make serve-prod` (service.serve_prod: gunicorn, RQ_WORKERS rq workers on --redis-url; "
        "PostgreSQL only)",
    )
    parser.add_argument("--step", choices=["setup", "ratings", "jobs", "serve", "verify"])
    parser.add_argument("--acked-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args)
        return
    if args.server == "gunicorn" and args.db != "postgresql":
        parser.error("--server gunicorn needs --db postgresql (as make serve-prod)")
    if args.server == "gunicorn":
        args.jobs = "rq"
    if args.compute_file and args.jobs != "thread":
        parser.error("--compute-file needs --jobs thread (the rq worker runs the working tree)")

    script = str(Path(__file__).resolve())
    # DATABASE_URL, SECRET_KEY, INSTANCE_PATH for every process started from here (the rq
    # worker is a plain `flask --app wsgi rq-worker`); this process never imports `service`
    benchdb.configure_env(args.db, NAME)
    print(f"database: {benchdb.db_url(args.db, NAME)}; load average {benchdb.load_average()}")
    print(f"service code: {benchdb.code_version()}")
    rc_script = str(Path(bench_recompute.__file__).resolve())
    rc_args = ["--db", args.db, "--people", str(args.people)]
    reused = (
        args.reuse and benchdb.run_child(rc_script, [*rc_args, "--step", "reusable"])["reusable"]
    )
    if reused:
        print("reusing the city built by an earlier run of bench_recompute.py (--reuse)")
    else:
        info = benchdb.run_child(rc_script, [*rc_args, "--step", "build"])
        print(f"built the city of bench_recompute.py in {info['build_seconds']:.0f} s")
    if not benchdb.run_child(script, child_args(args, "ratings"))["ratings"]:
        r = benchdb.run_child(rc_script, [*rc_args, "--step", "full"])
        print(f"computed the year's ratings first ({r['seconds']:.0f} s)")
    if args.db == "postgresql":
        benchdb.vacuum_analyze("ratings")  # as autovacuum would have after the recomputes
    spec = benchdb.run_child(script, child_args(args, "setup"))["clients"]
    print(
        f"{len(spec)} staff users, each at its ward ("
        + ", ".join(c["ward"] for c in spec[:4])
        + ", …), saving its ward's people"
    )

    env = os.environ.copy()
    env["EVAL_RECOMPUTE"] = args.recompute
    env["JOBS_RUN"] = args.jobs
    env["EVAL_RECOMPUTE_DELAY"] = str(args.delay)
    env["EVAL_RECOMPUTE_MAX_WAIT"] = str(args.max_wait)
    env.pop("REDIS_URL", None)
    logs = Path(os.environ.get("BENCH_TMP", "/tmp"))
    server_log = logs / "bench_save_server.log"
    worker_log = logs / "bench_save_worker.log"
    worker = None
    if args.jobs == "rq":
        env["REDIS_URL"] = args.redis_url
        redis_check(args.redis_url)
    if args.jobs == "rq" and args.server == "werkzeug":
        with open(worker_log, "w") as log:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "rq-worker"],
                cwd=str(benchdb.ROOT),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    if args.server == "gunicorn":  # serve_prod starts its own rq workers
        env.update(PORT=str(args.port), HOST="127.0.0.1", SECRET_KEY="bench-secret-" + "x" * 20)
        env.setdefault("RQ_WORKERS", "2")
        cmd = [sys.executable, "-m", "service.serve_prod"]
    else:
        cmd = [sys.executable, script, *child_args(args, "serve")]
    with open(server_log, "w") as log:
        server = subprocess.Popen(
            cmd, cwd=str(benchdb.ROOT), env=env, stdout=log, stderr=subprocess.STDOUT
        )
    good = False
    try:
        wait_for_server(args.port, spec[0]["token"], server)
        what = (
            f"make serve-prod (gunicorn, RQ_WORKERS={env['RQ_WORKERS']})"
            if args.server == "gunicorn"
            else "werkzeug threaded"
        )
        print(
            f"server: {what}, pid {server.pid}, EVAL_RECOMPUTE={args.recompute}, "
            f"JOBS_RUN={args.jobs}, EVAL_RECOMPUTE_DELAY={args.delay:g} s, "
            f"EVAL_RECOMPUTE_MAX_WAIT={args.max_wait:g} s"
            + (f" (one rq worker process, pid {worker.pid})" if worker else "")
            + f"; {args.clients} clients, think time {args.think_ms:.0f} ms; "
            f"{args.warmup:.0f} s warm-up, {args.seconds:.0f} s measured"
        )
        if args.switch_interval:
            print(
                "WHAT-IF: the server process runs with "
                f"sys.setswitchinterval({args.switch_interval})"
            )
        if args.compute_file:
            print(f"MEASURING {args.compute_file} as evaluation/compute.py in the server")
        good, acked = measure(args, spec)
        drained = drain(args, script)
        kept = no_lost_writes(args, script, acked)
        good = good and drained and kept
    finally:
        for proc in (worker, server):  # only the processes this run started
            if proc is None:
                continue
            proc.send_signal(signal.SIGTERM)  # rq: warm shutdown, ends its current job first
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if args.jobs == "rq":
            redis_cleanup(args.redis_url)
        text = server_log.read_text(errors="replace")
        peak = [line for line in text.splitlines() if line.startswith("peak RSS")]
        if peak:
            print(f"server process {peak[-1]}")
        for name, path in (("server", server_log), ("rq worker", worker_log)):
            if name == "rq worker" and worker is None:
                continue
            errors = [
                line
                for line in path.read_text(errors="replace").splitlines()
                if "Traceback" in line or "Error" in line
            ]
            if errors:
                print(f"{name} log {path}: {len(errors)} error lines, the first ones:")
                for line in errors[:5]:
                    print("    " + line.rstrip()[:300])
    print(f"load average at the end: {benchdb.load_average()}")
    print("TARGET MET" if good else "TARGET MISSED")
    sys.exit(0 if good else 1)


def redis_check(url: str) -> None:
    from redis import Redis

    conn = Redis.from_url(url, socket_connect_timeout=3)
    if conn.dbsize():
        raise SystemExit(f"--jobs rq needs an empty Redis database: {url} has keys")


def redis_cleanup(url: str) -> None:
    """Remove what this run put in the (empty at the start) Redis database."""
    from redis import Redis

    conn = Redis.from_url(url, socket_connect_timeout=3)
    keys = [
        *conn.scan_iter(match="rq:*", count=1000),
        *conn.scan_iter("eval:job:*", count=1000),
        *conn.scan_iter("eval:dispatched:*", count=1000),
    ]
    if keys:
        conn.delete(*keys)


def measure(args, spec: list[dict]) -> bool:
    t0 = time.perf_counter()
    start_at = t0 + args.warmup
    stop_at = start_at + args.seconds
    clients = [Client(n, s, args, start_at, stop_at) for n, s in enumerate(spec)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    samples = [s for c in clients for s in c.samples]
    errors = [e for c in clients for e in c.errors]
    n = len(samples) + len(errors)
    if not samples:
        print(f"no successful save; {len(errors)} errors: {errors[:3]}")
        return False, {}
    s = benchdb.summary_ms(samples)
    ok = s["median"] < TARGET_MEDIAN_MS and not errors
    acked = {code: body for c in clients for code, body in c.acked.items()}
    print(
        f"PUT …/people/<code>/evaluation at {args.clients} clients: {benchdb.fmt_ms(s)} "
        f"[{'OK' if ok else 'OVER'} median < {TARGET_MEDIAN_MS:.0f} ms, no errors]"
    )
    print(
        f"    throughput {len(samples) / args.seconds:.1f} saves/s; {len(errors)} errors of "
        f"{n:,} ({sum(c.warmup for c in clients)} warm-up saves not counted)"
    )
    for e in sorted(set(errors))[:5]:
        print(f"    error: {e}")
    return ok, acked


def no_lost_writes(args, script: str, acked: dict) -> bool:
    """Every person's stored inputs are those of the last save the server answered 200."""
    path = Path(os.environ.get("BENCH_TMP", "/tmp")) / "bench_save_acked.json"
    path.write_text(json.dumps(acked))
    r = benchdb.run_child(script, [*child_args(args, "verify"), "--acked-file", str(path)])
    print(
        f"lost writes: {r['lost_count']} of {r['people']:,} people saved "
        f"({r['checked']:,} read back)"
    )
    for line in r["lost"][:5]:
        print(f"    lost: {line}")
    return r["lost_count"] == 0 and r["checked"] == r["people"]


def drain(args, script: str) -> bool:
    """Wait for the background recomputes the saves queued, and say what they did."""
    t0 = time.perf_counter()
    stats = read_jobs(args, script)
    at_end = stats["by_status"]
    while stats["by_status"].get("queued", 0) + stats["by_status"].get("running", 0):
        if time.perf_counter() - t0 > args.drain:
            break
        time.sleep(2)
        stats = read_jobs(args, script)
    waited = time.perf_counter() - t0
    print(
        f"background recompute jobs: {stats['jobs']} created; when the clients stopped "
        f"{_count(at_end)}; {waited:.0f} s later {_count(stats['by_status'])}"
    )
    print(f"    a job ran median {_s(stats['run_median_s'])}, max {_s(stats['run_max_s'])}")
    for message in stats["failed_messages"]:
        print(f"    failed: {message[:300]}")
    return not stats["by_status"].get("failed")


def read_jobs(args, script: str, tries: int = 10) -> dict:
    """The jobs table (SQLite: a reader can meet "database is locked" while a job commits)."""
    for _ in range(tries - 1):
        try:
            return benchdb.run_child(script, child_args(args, "jobs"))
        except SystemExit:
            time.sleep(3)
    return benchdb.run_child(script, child_args(args, "jobs"))


def _count(by_status: dict) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())) or "none"


def _s(value) -> str:
    return "-" if value is None else f"{value:.2f} s"


if __name__ == "__main__":
    main()
