"""Faults under `make serve-prod` (issue 15 item 7; not a test, run it by hand):

a. kill -9 the RQ work horse running a whole-year recompute started through the API (the pid
   the Job row records), then kill -9 a whole RQ worker (its main process and its horse): the
   job must end failed (or done) within --timeout, never stay "running"; the ratings must be
   exactly those stored before (nothing of the killed computation), and a new recompute must
   then store a whole computation (a recompute after it changes nothing).
b. restart Redis while one job runs and others are queued: every job created must end done or
   failed with a message within --timeout (none left queued or running).

The stack is service.serve_prod (gunicorn + RQ_WORKERS rq workers, as `make serve-prod`) on
loopback, against the PostgreSQL database BENCH_PG_DB (default bench_faults, dropped and built
again unless --reuse) and a private Redis this script starts on --redis-port (no persistence,
stopped at the end): the machine's Redis is never restarted or flushed. The city is
bench_recompute.py's, with --people people.

    .venv/bin/python bench/bench_faults.py [--people 100000] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ.setdefault("BENCH_PG_DB", "bench_faults")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

ROOT = benchdb.ROOT
NAME = "bench_recompute"
YEAR = 2026
TMP = Path(os.environ.get("BENCH_TMP", "/tmp")) / "bench_faults"
FINAL = ("done", "failed")


def sql(q: str) -> str:
    return benchdb.pg_sql(q)


def job_row(job_id: int) -> dict:
    out = sql(
        "SELECT json_build_object('status', status, 'worker', worker, 'message', message, "
        f"'result', result) FROM jobs WHERE id = {int(job_id)}"
    )
    return json.loads(out)


def fingerprint() -> str:
    """Every stored rating (id, who, level, score, digest): equal strings, equal tables."""
    return sql(
        "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || kind || coalesce(person_id, 0) "
        "|| '/' || coalesce(unit_id, 0) || level || coalesce(score::text, '-') || "
        "coalesce(digest::text, '-'), ',' ORDER BY id)), '') FROM ratings"
    )


def change_inputs() -> None:
    """Every person's kl moves by one point: a recompute rewrites most ratings."""
    sql(
        "UPDATE person_evals SET kl = CASE WHEN kl >= 1 THEN kl - 1 ELSE kl + 1 END "
        "WHERE kl IS NOT NULL"
    )


def in_transaction() -> int:
    """Connections to the benchmark database left inside a transaction (a dead job's)."""
    return int(
        sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
    )


def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{BASE}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def post_compute(unit_code: str | None = None) -> int:
    status, job = call("POST", f"/api/v1/years/{YEAR}/compute", {"unit_code": unit_code})
    if status != 202:
        raise SystemExit(f"POST compute answered {status}: {job}")
    return job["id"]


def wait_final(job_id: int, timeout: float) -> tuple[dict, float]:
    t0 = time.monotonic()
    while True:
        row = job_row(job_id)
        if row["status"] in FINAL or time.monotonic() - t0 > timeout:
            return row, time.monotonic() - t0
        time.sleep(0.1)


def children() -> dict[int, int]:
    """pid -> parent pid of every process."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                out[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return out


def descendants(root: int) -> set[int]:
    parents = children()
    found, todo = set(), [root]
    while todo:
        p = todo.pop()
        for pid, ppid in parents.items():
            if ppid == p and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def token() -> str:
    return benchdb.admin_token("postgresql", "bench_recompute", "bench_faults")


def redis_start(port: int) -> None:
    subprocess.run(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--daemonize", "yes", "--dir", str(TMP), "--pidfile", str(TMP / f"redis-{port}.pid"),
         "--logfile", str(TMP / f"redis-{port}.log")],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        if redis_cli(port, "ping") == "PONG":
            return
        time.sleep(0.1)
    raise SystemExit(f"redis-server on {port} did not start")


def redis_cli(port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], capture_output=True, text=True
    ).stdout.strip()


# ---------------------------------------------------------------------------------------------


def scenario_kill(server: subprocess.Popen, whole_worker: bool, timeout: float) -> bool:
    label = (
        "a2 kill -9 a whole rq worker (main process + horse)"
        if whole_worker
        else ("a1 kill -9 the rq work horse running the job")
    )
    print(f"\n{label}")
    change_inputs()
    before = fingerprint()
    job_id = post_compute()
    t0 = time.monotonic()
    while True:  # running, and past its first reads
        row = job_row(job_id)
        if row["status"] == "running":  # until it rates people (its rating processes run)
            while time.monotonic() - t0 < 60:
                _, live = call("GET", f"/api/v1/jobs/{job_id}")
                if live.get("status") != "running" or (live.get("total") or 0) > 1:
                    break
                time.sleep(0.05)
            time.sleep(1.0)
            row = job_row(job_id)
            break
        if row["status"] in FINAL or time.monotonic() - t0 > 60:
            print(f"    the job did not start running: {row}")
            return False
        time.sleep(0.05)
    if row["status"] != "running":
        print(f"    the job ended before the kill ({row['status']}): use more --people")
        return False
    horse = int(row["worker"].rsplit(":", 1)[1])
    mine = descendants(server.pid)
    if horse not in mine:
        raise SystemExit(f"pid {horse} is not a process of this run's server: not killed")
    helpers = descendants(horse)  # the recompute's forked rating processes
    main = children()[horse]
    targets = [main, horse] if whole_worker else [horse]
    _, live = call("GET", f"/api/v1/jobs/{job_id}")
    print(
        f"    job {job_id} running in horse pid {horse} (worker pid {main}, "
        f"{len(helpers)} rating processes), progress {live.get('done')}/{live.get('total')}: "
        f"kill -9 {' '.join(map(str, targets))}"
    )
    t_kill = time.monotonic()
    for pid in targets:
        os.kill(pid, signal.SIGKILL)
    final, waited = wait_final(job_id, timeout)
    print(
        f"    job {job_id} read '{final['status']}' {waited:.2f} s after the kill"
        + (f": {final['message']}" if final["status"] == "failed" else "")
    )
    t = time.monotonic()
    while (any(alive(p) for p in helpers) or in_transaction()) and time.monotonic() - t < 60:
        time.sleep(0.2)
    left = [p for p in helpers if alive(p)]
    print(
        f"    {time.monotonic() - t_kill:.2f} s after the kill: {len(left)} rating processes "
        f"left, {in_transaction()} connections idle in a transaction"
    )
    after = fingerprint()
    same = after == before
    verdict = "identical to those before (nothing of the killed run)" if same else "CHANGED"
    print(f"    ratings after the kill: {verdict} [{after}]")
    good = final["status"] in FINAL and same and not left
    retry = post_compute()
    again, took = wait_final(retry, timeout)
    result = again.get("result") or {}
    check = post_compute()
    last, _ = wait_final(check, timeout)
    last_result = last.get("result") or {}
    whole = last["status"] == "done" and last_result.get("written") == 0
    print(
        f"    run again (job {retry}): '{again['status']}' in {took:.1f} s, rewritten "
        f"{result.get('rewritten')}, written {result.get('written')}; a recompute after it "
        f"(job {check}) writes {last_result.get('written')}: "
        + ("a whole computation" if whole else "NOT a whole computation")
    )
    return good and again["status"] == "done" and whole


def scenario_redis(port: int, timeout: float) -> bool:
    print("\nb restart Redis while jobs run and wait")
    change_inputs()
    jobs = [post_compute()]
    t0 = time.monotonic()
    while job_row(jobs[0])["status"] == "queued" and time.monotonic() - t0 < 60:
        time.sleep(0.05)
    wards = sql(
        "SELECT string_agg(code, ',' ORDER BY code) FROM (SELECT code FROM units "
        "WHERE quota_root AND kind = 'phường' ORDER BY code LIMIT 6) u"
    ).split(",")
    jobs += [post_compute(w) for w in wards]
    states = [job_row(j)["status"] for j in jobs]
    print(
        f"    jobs {jobs[0]}–{jobs[-1]}: {states.count('running')} running, "
        f"{states.count('queued')} queued; redis-cli shutdown nosave, redis-server again"
    )
    redis_cli(port, "shutdown", "nosave")
    time.sleep(1)
    redis_start(port)
    t_restart = time.monotonic()
    last = {}
    while time.monotonic() - t_restart < timeout:
        last = {j: job_row(j) for j in jobs}
        if all(r["status"] in FINAL for r in last.values()):
            break
        time.sleep(0.5)
    settled = time.monotonic() - t_restart
    by = {}
    for r in last.values():
        by[r["status"]] = by.get(r["status"], 0) + 1
    print(
        f"    {settled:.1f} s after the restart: "
        + ", ".join(f"{n} {s}" for s, n in sorted(by.items()))
    )
    for j, r in last.items():
        if r["status"] != "done":
            print(f"        job {j} {r['status']}: {r['message'][:200]}")
    return all(
        r["status"] in FINAL and (r["status"] == "done" or r["message"]) for r in last.values()
    )


def main() -> None:
    global BASE, TOKEN
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep a matching earlier build")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--port", type=int, default=5078)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a job may take")
    args = parser.parse_args()
    TMP.mkdir(parents=True, exist_ok=True)
    benchdb.configure_env("postgresql", NAME)
    print(f"database: {benchdb.db_url('postgresql', NAME)}; service code: {benchdb.code_version()}")
    rc = str(ROOT / "bench" / "bench_recompute.py")
    rc_args = ["--db", "postgresql", "--people", str(args.people)]
    if not (args.reuse and benchdb.run_child(rc, [*rc_args, "--step", "reusable"])["reusable"]):
        info = benchdb.run_child(rc, [*rc_args, "--step", "build"])
        print(f"built {info['people']:,} people in {info['build_seconds']:.0f} s")
    # jobs an earlier (--reuse) run left unfinished would run during this one's checks
    sql("DELETE FROM jobs")
    if redis_cli(args.redis_port, "ping") == "PONG":
        raise SystemExit(f"a Redis already answers on {args.redis_port}: not ours, not touched")
    redis_start(args.redis_port)
    TOKEN = token()
    BASE = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/13",
        "SECRET_KEY": "bench-faults-" + "x" * 20,
        "HOST": "127.0.0.1",
        "PORT": str(args.port),
        "RQ_WORKERS": os.environ.get("RQ_WORKERS", "1"),
        "WEB_WORKERS": "2",
        "JOBS_SWEEP_SECONDS": os.environ.get("JOBS_SWEEP_SECONDS", "15"),
    }
    log = open(TMP / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "service.serve_prod"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    good = False
    try:
        t0 = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() - t0 > 90:
                    raise SystemExit(f"the server did not start: see {TMP / 'serve.log'}") from None
                time.sleep(0.3)
        print(
            f"make serve-prod: gunicorn on {BASE}, RQ_WORKERS={env['RQ_WORKERS']}, "
            f"JOBS_SWEEP_SECONDS={env['JOBS_SWEEP_SECONDS']}, Redis {env['REDIS_URL']}"
        )
        first = post_compute()
        row, took = wait_final(first, args.timeout)
        print(f"first recompute (job {first}): '{row['status']}' in {took:.1f} s")
        good = row["status"] == "done"
        good &= scenario_kill(server, False, args.timeout)
        good &= scenario_kill(server, True, args.timeout)
        good &= scenario_redis(args.redis_port, args.timeout)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        redis_cli(args.redis_port, "shutdown", "nosave")
    print("\nALL FAULTS HANDLED" if good else "\nA FAULT WAS NOT HANDLED")
    sys.exit(0 if good else 1)


BASE = TOKEN = ""

if __name__ == "__main__":
    main()
