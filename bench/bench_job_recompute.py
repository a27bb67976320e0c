"""A whole-year recompute started the way a user starts it: POST /api/v1/years/<y>/compute to a
server run as `make run` runs it (`flask run`, JOBS_RUN unset and no REDIS_URL: the process
runner), then GET /api/v1/jobs/<id> until the job ends (not a test; run it).

The city, people and inputs are bench_recompute.py's (its build step, same options), so the
figure stands beside that benchmark's CLI figure (`recompute()` called in the process). Each
run: the time from the POST to the job reading "done", the job's own start-to-finish time, the
progress seen on the way, and every rated person checked in the database afterwards.

    .venv/bin/python bench/bench_job_recompute.py --db postgresql [--people 500000] [--reuse]
    .venv/bin/python bench/bench_job_recompute.py --db sqlite --people 45000
    .venv/bin/python bench/bench_job_recompute.py --db postgresql --runs 1 --propose

`--propose` then proposes the awards of the whole year through the same server and job runner
(POST /api/v1/years/<y>/awards/propose: the `award_propose` job storing the lists),
`--propose-runs` times, the first after every stored nomination is deleted with `--empty-list`.
`--history 5` gives every person and unit 5 past years of history (bench_recompute.py's
option; with --reuse an earlier build's history is replaced when it holds another number of
years):

    .venv/bin/python bench/bench_job_recompute.py --db postgresql --reuse --runs 0 --propose \
        --history 5 --empty-list --propose-runs 2"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import bench_recompute
import benchdb

ROOT = Path(__file__).resolve().parents[1]
NAME = "bench_recompute"  # the database bench_recompute.py builds
YEAR = 2026


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token() -> str:
    """An API token of bench_recompute's administrator."""
    return benchdb.admin_token(ARGS.db, NAME, "bench_job_recompute")


def _call(url: str, token: str, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _serve(port: int) -> subprocess.Popen:
    env = os.environ.copy()
    env.pop("JOBS_RUN", None)
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"] = benchdb.db_url(ARGS.db, NAME)
    env.setdefault("SECRET_KEY", "bench-secret")
    env.setdefault("INSTANCE_PATH", "/tmp/bench_instance")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open("/tmp/bench_job_recompute.server.log", "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start (see /tmp/bench_job_recompute.server.log)")


def _rated_check() -> dict:
    code = (
        "import benchdb, json\n"
        f"benchdb.configure_env({ARGS.db!r}, {NAME!r})\n"
        "from sqlalchemy import func, select\n"
        "from service.extensions import db\n"
        "from evaluation.models import EvalYear, PersonEval, Rating\n"
        "from service.org.models import Person\n"
        "app = benchdb.make_app()\n"
        "with app.app_context():\n"
        f"    y = db.session.scalar(select(EvalYear.id).where(EvalYear.year == {YEAR}))\n"
        "    inputs = db.session.scalar(select(func.count()).where(PersonEval.year_id == y))\n"
        "    rated = db.session.scalar(select(func.count(func.distinct(Rating.person_id)))\n"
        "        .where(Rating.year_id == y, Rating.person_id.is_not(None)))\n"
        # a rating kind applies to a person with a category (official) or in the party
        "    missing = db.session.scalar(select(func.count()).select_from(PersonEval)\n"
        "        .join(Person, Person.id == PersonEval.person_id)\n"
        "        .where(PersonEval.year_id == y,\n"
        "            Person.category.is_not(None) | Person.is_party_member,\n"
        "            ~select(Rating.id).where(\n"
        "            Rating.year_id == y, Rating.person_id == PersonEval.person_id).exists()))\n"
        "print('RESULT ' + json.dumps({'inputs': inputs, 'rated': rated, 'missing': missing}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "bench", capture_output=True, text=True, check=True
    ).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("RESULT "))[7:])


def _descendants(pid: int) -> list[int]:
    """pid and every process under it (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except OSError:
            continue
    return out


def _rss_mb(pid: int) -> tuple[str, float] | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    return fields["Name"].strip(), int(fields.get("VmRSS", "0 kB").split()[0]) / 1024


def _pss_mb(pid: int) -> float:
    """Proportional set size (pages shared with other processes counted by their share)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to `database` (by their process title)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    words = f.read().split(b" ")
            except OSError:
                continue
            if words[0].startswith(b"postgres:") and database.encode() in words[1:4]:
                out.append(int(d))
    return out


def _busy_s() -> tuple[float, float]:
    """(CPU seconds the machine was busy, CPU seconds in all) since boot, /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK, sum(ticks) / _TICK


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of `pid` so far (None once it is gone), from /proc/<pid>/stat,
    which counts the threads that have ended too (the server's request threads); bench_vote's
    per-thread schedstat sum counts only the threads still running."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


class MemorySampler:
    """VmRSS of the server and every process under it, every `every` seconds, in a thread:
    the peak of each process and of their sum while the sampler runs (and of their PSS sum:
    forked workers share their parent's pages, which the VmRSS sum counts in each). Also the
    CPU time those processes and the benchmark database's backends took while it ran (a
    process that ends between two samples loses its last `every` seconds)."""

    def __init__(self, pid: int, every: float = 0.2, database: str | None = None):
        self.pid, self.every, self.database = pid, every, database
        self.peak: dict[int, tuple[str, float]] = {}
        self.first: dict[int, float] = {}
        self.total = 0.0
        self.pss = 0.0  # the peak of the PSS sum (shared pages not counted twice)
        self.cpu: dict[int, tuple[str, float, float]] = {}  # pid: (what, first, last seconds)
        self.busy = (0.0, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample_cpu(self, pids: list[int], start: bool = False) -> None:
        """Each process's CPU seconds so far; `start`: the sampler's first reading, from
        which the processes then running count (one first seen later counts from 0: a
        worker, a new connection)."""
        backends = _backends(self.database) if self.database else []
        for p, what in [(p, "app") for p in pids] + [(p, "db") for p in backends]:
            got = _cpu_s(p)
            if got is not None:
                first = self.cpu[p][1] if p in self.cpu else (got if start else 0.0)
                self.cpu[p] = (what, first, got)

    def _run(self) -> None:
        busy = _busy_s()
        self._sample_cpu(_descendants(self.pid), start=True)
        while not self._stop.is_set():
            total = pss = 0.0
            pids = _descendants(self.pid)
            self._sample_cpu(pids)
            for p in pids:
                got = _rss_mb(p)
                if got is None:
                    continue
                total += got[1]
                pss += _pss_mb(p)
                self.first.setdefault(p, got[1])
                if got[1] > self.peak.get(p, ("", 0.0))[1]:
                    self.peak[p] = got
            self.total = max(self.total, total)
            self.pss = max(self.pss, pss)
            self._stop.wait(self.every)
        self._sample_cpu(_descendants(self.pid))
        now = _busy_s()
        self.busy = (now[0] - busy[0], now[1] - busy[1])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def report(self) -> str:
        procs = ", ".join(
            f"pid {p} ({name}) {mb:,.0f} MB (at the start {self.first[p]:,.0f})"
            for p, (name, mb) in sorted(self.peak.items())
        )
        together = (
            f"all together {self.total:,.0f} MB (PSS, shared pages counted once: "
            f"{self.pss:,.0f} MB)"
        )
        return f"peak VmRSS, sampled every {self.every} s: {procs}; {together}"

    def cpu_report(self) -> str:
        """CPU seconds while sampled: the app's processes one by one, the database's backends
        together, and the whole machine's busy time against its capacity."""
        app = sorted(
            ((p, last - first) for p, (what, first, last) in self.cpu.items() if what == "app"),
            key=lambda x: -x[1],
        )
        db_s = sum(last - first for what, first, last in self.cpu.values() if what == "db")
        procs = ", ".join(f"pid {p} {s:.1f}" for p, s in app if s >= 0.05)
        return (
            f"CPU seconds: the server and its processes {sum(s for _, s in app):.1f} ({procs}); "
            f"the database's backends {db_s:.1f}; the machine busy {self.busy[0]:.1f} of "
            f"{self.busy[1]:.1f}"
        )


def empty_lists() -> str:
    """--empty-list: the nominations of the benchmark database deleted, the table vacuumed."""
    t = time.perf_counter()
    n = benchdb.pg_sql(
        "WITH gone AS (DELETE FROM nominations RETURNING 1) SELECT count(*) FROM gone"
    )
    benchdb.vacuum_analyze("nominations")
    took = time.perf_counter() - t
    return f"{int(n):,} nominations deleted, VACUUM ANALYZE nominations, {took:.1f} s"


def _parse(when: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(when, "%d/%m/%Y %H:%M:%S") if when else None


def run_once(base: str, token: str, path: str = "compute") -> dict:
    t0 = time.perf_counter()
    status, job = _call(f"{base}/api/v1/years/{YEAR}/{path}", token, "POST", {})
    if status != 202:
        raise SystemExit(f"POST {path} answered {status}: {job}")
    seen = []
    while job["status"] in ("queued", "running"):
        time.sleep(0.5)
        status, job = _call(f"{base}/api/v1/jobs/{job['id']}", token)
        if status != 200:
            raise SystemExit(f"GET job answered {status}: {job}")
        step = (job["status"], job["message"], job["done"], job["total"])
        if not seen or seen[-1][1:] != step:
            seen.append((round(time.perf_counter() - t0, 1), *step))
    wall = time.perf_counter() - t0
    return {"wall": wall, "job": job, "seen": seen}


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument(
        "--runs", type=int, default=2, help="whole-year recomputes (0 with --reuse: none)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep bench_recompute's last build")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="past years of history for every person and unit (bench_recompute's --history; "
        "with --reuse the build's history is replaced when it holds another number of years)",
    )
    parser.add_argument(
        "--propose",
        action="store_true",
        help="after the recomputes, propose the awards of the whole year the same way "
        "(POST /api/v1/years/<y>/awards/propose, the award_propose job)",
    )
    parser.add_argument(
        "--propose-runs", type=int, default=1, help="proposals one after the other (--propose)"
    )
    parser.add_argument(
        "--empty-list",
        action="store_true",
        help="PostgreSQL: every stored nomination deleted (and VACUUM ANALYZE) before the first "
        "proposal, so that it stores the whole list (benchmark database only)",
    )
    ARGS = parser.parse_args()
    if ARGS.empty_list and ARGS.db != "postgresql":
        parser.error("--empty-list is for PostgreSQL")
    recompute_script = str(ROOT / "bench" / "bench_recompute.py")
    build_args = ["--db", ARGS.db, "--people", str(ARGS.people), "--history", str(ARGS.history)]
    print(f"database: {benchdb.db_url(ARGS.db, NAME)}; load average {benchdb.load_average()}")
    print(f"service code: {benchdb.code_version()}")

    def run_step(step: str) -> dict:
        return benchdb.run_child(recompute_script, [*build_args, "--step", step])

    if not (ARGS.reuse and bench_recompute.reuse_build(run_step, ARGS.history)):
        info = run_step("build")
        print(f"built {info['people']:,} people, {info['person_evals']:,} person evaluations")
        if "history" in info:
            print(bench_recompute.history_line(info["history"]))
    token = _token()
    port = _free_port()
    server = _serve(port)
    good = True
    try:
        for i in range(ARGS.runs):
            r = run_once(f"http://127.0.0.1:{port}", token)
            job = r["job"]
            started, finished = _parse(job.get("created_at")), _parse(job.get("finished_at"))
            print(
                f"run {i + 1}: POST → '{job['status']}' in {r['wall']:.2f} s "
                f"(job created {job['created_at']}, finished {job['finished_at']}: "
                f"{(finished - started).total_seconds() if started and finished else 0:.0f} s); "
                f"result {job['result'] or job['message']}"
            )
            for t, status, message, done, total in r["seen"]:
                print(f"    {t:6.1f} s  {status:8} {message} {done}/{total}")
            good &= job["status"] == "done"
        if ARGS.propose and ARGS.empty_list:
            print(f"the stored lists emptied: {empty_lists()}")
        for i in range(ARGS.propose_runs if ARGS.propose else 0):
            print(f"load average before the proposal: {benchdb.load_average()}")
            with MemorySampler(server.pid, database=benchdb.PG_DB) as mem:
                r = run_once(f"http://127.0.0.1:{port}", token, "awards/propose")
            job = r["job"]
            print(
                f"propose {i + 1}: POST → '{job['status']}' in {r['wall']:.2f} s; "
                f"result {job['result']}"
            )
            for t, status, message, done, total in r["seen"]:
                print(f"    {t:6.1f} s  {status:8} {message} {done}/{total}")
            print(f"    {mem.report()}")
            print(f"    {mem.cpu_report()}")
            print(f"load average after the proposal: {benchdb.load_average()}")
            good &= job["status"] == "done"
        check = _rated_check()
        good &= check["missing"] == 0
        print(
            f"people rated (official or party): {check['rated']:,}; people with inputs: "
            f"{check['inputs']:,}; of those a rating applies to (a category or party membership) "
            f"{check['missing']} without any rating"
        )
    finally:
        server.terminate()
        server.wait(30)
    print("ALL DONE" if good else "A JOB FAILED")
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
