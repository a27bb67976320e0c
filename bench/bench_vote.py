"""50 council members casting their secret ballot at the same moment on a 200-nomination list
(issue 12, "Measure"): every vote counted exactly once, p95 per vote. Each member is a thread
with its own test client and API token posting POST /api/v1/voting-sessions/<id>/ballot; the
app runs in this process (no HTTP server), or with `--server gunicorn` behind `make serve-prod`
(service.serve_prod: migrations, gunicorn with its default workers and threads, RQ workers),
each member then an HTTP client on its own connection; or with `--server database`, no app:
each member's register row and sealed ballot written by the vote's own statement
(council._PG_CAST, the ballot sealed as council._cast seals it) on a psycopg connection of its
own, one transaction each: the floor under any request path. After the votes the committee
closes the session (in this process, as the close's request does): the box is opened into
the ballots, timed. The database is wiped (drop_all and
create_all; with gunicorn the schema is built by the migrations, as serve-prod checks).

    .venv/bin/python bench/bench_vote.py                          # SQLite file in /tmp
    .venv/bin/python bench/bench_vote.py --url postgresql+psycopg://root@127.0.0.1:5432/NAME
    .venv/bin/python bench/bench_vote.py --url postgresql+psycopg://root@127.0.0.1:5432/NAME \
        --server gunicorn --redis-url redis://127.0.0.1:6379/12
    .venv/bin/python bench/bench_vote.py --url postgresql+psycopg://root@127.0.0.1:5432/NAME \
        --server database
    .venv/bin/python bench/bench_vote.py --url postgresql+psycopg://root@127.0.0.1:5432/NAME \
        --server gunicorn --floor 3     # first: 50 × GET /healthz and GET /api/v1/me at once
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.benchdb import summary_ms  # noqa: E402

VOTERS, NOMINATIONS, YEAR = 50, 200, 2025


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="sqlite:////tmp/bench_vote.sqlite")
    parser.add_argument("--voters", type=int, default=VOTERS)
    parser.add_argument("--nominations", type=int, default=NOMINATIONS)
    parser.add_argument(
        "--sequential", action="store_true", help="one vote after another (no overlap)"
    )
    parser.add_argument(
        "--server", choices=["in-process", "gunicorn", "database"], default="in-process"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="with --server gunicorn: each member first loads their ballot (GET, same "
        "connection), as a member does before voting; the figures count the votes only. "
        "With --server database: each connection first casts its vote and rolls it back",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="so many more members vote one after another first (each gunicorn worker's "
        "first vote prepares its connections and statements); not in the figures, in the counts",
    )
    parser.add_argument(
        "--floor",
        type=int,
        default=0,
        help="with --server gunicorn: before the votes, so many rounds of the members' requests "
        "that do next to nothing, all at once on the same server: GET /healthz (no account, no "
        "database) and GET /api/v1/me (the token's user: one query); the request path's floor",
    )
    args = parser.parse_args()
    if args.floor and args.server != "gunicorn":
        parser.error("--floor needs --server gunicorn")
    if args.server != "in-process" and not args.url.startswith("postgresql"):
        parser.error(f"--server {args.server} needs a PostgreSQL --url (as make serve-prod)")
    if args.url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(args.url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench-secret-" + "x" * 20)  # serve-prod's length
    os.environ.setdefault("INSTANCE_PATH", "/tmp/bench_instance")

    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash

    from awards import ballot_box, council
    from awards.council_models import Ballot, CouncilMember, VoterRecord, VotingSession
    from awards.models import AwardList, Nomination
    from service import create_app
    from service.auth.models import Role, RoleAssignment, User
    from service.auth.operations import create_token
    from service.extensions import db
    from service.org.models import Person, Unit
    from service.org.operations import set_path

    app = create_app()
    with app.app_context():
        if args.server == "gunicorn":
            from flask_migrate import upgrade

            db.session.execute(db.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade()
        else:
            db.drop_all()
            db.create_all()
        unit = Unit(code="W", name="Phường W", kind="phường")
        db.session.add(unit)
        db.session.flush()
        set_path(unit)
        people = [
            Person(code=f"P{i:04d}", full_name=f"Người {i}", unit=unit)
            for i in range(args.nominations)
        ]
        db.session.add_all(people)
        award_list = AwardList(year=YEAR, unit=unit, state="submitted", version=1)
        db.session.add(award_list)
        db.session.flush()
        db.session.add_all(
            Nomination(
                list_id=award_list.id, year=YEAR, subject="person", subject_key=f"p{p.id}",
                person_id=p.id, award="LDTT", status="proposed", rule="C1",
            )
            for p in people
        )  # fmt: skip
        cheap = generate_password_hash("x", method="pbkdf2:sha256:1")
        tokens, user_of = [], {}
        for i in range(args.voters + args.warmup):
            u = User(username=f"hd.{i}", full_name=f"Ủy viên {i}", password_hash=cheap)
            db.session.add(u)
            db.session.flush()
            db.session.add(CouncilMember(year=YEAR, unit_id=unit.id, user_id=u.id, role="member"))
            tokens.append(create_token(u, "bench")[1])
            user_of[tokens[-1]] = u.id
        now = dt.datetime.now()
        session = VotingSession(
            list_id=award_list.id, mode="secret", state="draft", version=1,
            opens_at=now - dt.timedelta(minutes=1), closes_at=now + dt.timedelta(hours=1),
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        committee = User(username="bench.committee", password_hash=cheap)
        committee.roles.append(RoleAssignment(role=Role.COMMITTEE, unit=unit))
        db.session.add(committee)
        db.session.flush()
        with app.test_request_context():
            council.open_session(committee, session)
        db.session.commit()
        sid, committee_id = session.id, committee.id
        nomination_ids = [i.nomination_id for i in session.items]

    body = {"votes": [{"nomination_id": n, "yes": n % 3 != 0} for n in nomination_ids]}
    # all at once: the members and this thread, which reads the CPU counters first (_run)
    start = threading.Barrier(1 if args.sequential else args.voters + 1, timeout=60)
    warm = args.warm and args.server == "gunicorn"  # (--server database: below)
    # warm and all at once: the members' ballots loaded, then the CPU counters read, then go
    ready = None if args.sequential or not warm else threading.Barrier(args.voters + 1, timeout=120)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    payload = json.dumps(body).encode()
    path = f"/api/v1/voting-sessions/{sid}/ballot"

    raw = {}  # --server database: a psycopg connection per member, opened before the start
    if args.server == "database":
        import psycopg

        dsn = args.url.replace("postgresql+psycopg://", "postgresql://")
        cast_sql = str(council._PG_CAST).replace(":sid", "%(sid)s").replace(":uid", "%(uid)s")
        cast_sql = cast_sql.replace(":at", "%(at)s").replace(":bid", "%(bid)s")
        cast_sql = cast_sql.replace(":sealed", "%(sealed)s")
        chosen = [(v["nomination_id"], v["yes"]) for v in body["votes"]]
        box_key = ballot_box.box_key(app.config["SECRET_KEY"], sid)
        for tok in tokens:
            raw[tok] = psycopg.connect(dsn)
            if args.warm:  # the member's own vote, rolled back: the backend's caches loaded,
                # as a pooled connection of a running server has them
                raw[tok].execute(cast_sql, {"sid": sid, "uid": user_of[tok], "bid": "0" * 32,
                                            "at": dt.datetime.now(), "sealed": b"x"})  # fmt: skip
            else:
                raw[tok].execute("SELECT 1 FROM ballots LIMIT 1")
            raw[tok].rollback()

    def cast_raw(token: str) -> int:
        bid = council.random_id()
        params = {"sid": sid, "uid": user_of[token], "at": dt.datetime.now(), "bid": bid,
                  "sealed": ballot_box.seal(box_key, sid, bid, chosen)}  # fmt: skip
        with raw[token].transaction():
            live, registered = raw[token].execute(cast_sql, params).fetchone()
            return 201 if live and registered else 409

    def vote(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if args.server == "database":
            start.wait()
            t = time.perf_counter()
            status = cast_raw(token)
            took = time.perf_counter() - t
            with lock:
                results.append((status, took))
            return
        if args.server == "gunicorn":
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            conn.connect()  # the connection is open before the start, as a browser's would be
            if warm:
                conn.request("GET", path, headers=headers)
                got = conn.getresponse()
                got.read()
                assert got.status == 200, got.status
            if ready is not None:
                ready.wait()
            if warm:  # a new connection: the loads took longer than gunicorn's keep-alive
                conn.close()
                conn.connect()
            start.wait()
            t = time.perf_counter()
            conn.request("POST", path, body=payload,
                         headers={**headers, "Content-Type": "application/json"})  # fmt: skip
            res = conn.getresponse()
            res.read()
            took = time.perf_counter() - t
            conn.close()
            with lock:
                results.append((res.status, took))
            return
        client = app.test_client()
        start.wait()
        t = time.perf_counter()
        res = client.post(path, json=body, headers=headers)
        took = time.perf_counter() - t
        with lock:
            results.append((res.status_code, took))

    server = None
    if args.server == "gunicorn":
        env = {**os.environ, "PORT": str(args.port), "HOST": "127.0.0.1",
               "REDIS_URL": args.redis_url, "SECRET_KEY": os.environ["SECRET_KEY"],
               "RQ_WORKERS": os.environ.get("RQ_WORKERS", "1")}  # fmt: skip
        if _answers(args.port):
            raise SystemExit(f"port {args.port} already answers (a server left running?)")
        log = open("/tmp/bench_vote_server.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "service.serve_prod"],
            cwd=str(Path(__file__).resolve().parents[1]), env=env, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_for(args.port, server)
        time.sleep(5)  # every gunicorn worker booted (the first answer comes from one)
        print(f"server: make serve-prod (gunicorn), pid {server.pid}")

    try:
        for tok in tokens[: args.warmup]:
            if raw:
                assert cast_raw(tok) == 201
            elif server is not None:
                _post(args.port, path, payload, tok)
            else:
                warm_res = app.test_client().post(path, json=body, headers=_bearer(tok))
                assert warm_res.status_code == 201, warm_res.get_json()
        del results[:]
        tokens = tokens[args.warmup :]
        for _ in range(args.floor):
            for floor_path, auth in (("/healthz", False), ("/api/v1/me", True)):
                _floor(args, server, app, tokens, floor_path, auth)
        cpu_before, cpu_after, wall = _run(args, server, app, tokens, vote, ready, start)
    finally:
        for conn in raw.values():
            conn.close()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
            log.close()

    codes = sorted({c for c, _ in results})
    with app.app_context(), app.test_request_context():
        closing = time.perf_counter()
        council.close_session(
            db.session.get(User, committee_id), db.session.get(VotingSession, sid)
        )
        db.session.commit()
        closing = time.perf_counter() - closing
        ballots = db.session.scalar(select(func.count()).select_from(Ballot))
        voters = db.session.scalar(select(func.count()).select_from(VoterRecord))
        yes = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.yes))
    cast = args.voters + args.warmup
    expected_yes = cast * sum(1 for n in nomination_ids if n % 3 != 0)
    s = summary_ms([t for _, t in results])
    print(f"database: {args.url.split('@')[-1]}; server: {args.server}")
    print(f"mode: {'sequential' if args.sequential else 'all at once'}"
          f"{'; each ballot loaded first (--warm)' if warm else ''}")  # fmt: skip
    print(f"voters {args.voters}, nominations {len(nomination_ids)}, wall {wall:.2f} s")
    print(f"answers: {codes} ({sum(1 for c, _ in results if c == 201)} × 201)")
    if args.warmup:
        print(f"{args.warmup} more members voted first, one after another (--warmup)")
    print(f"register rows {voters} (expected {cast}); ballots {ballots} (expected "
          f"{cast * len(nomination_ids)}); yes {yes} (expected {expected_yes})")  # fmt: skip
    print(f"closing the session (the box of {cast} sealed ballots opened into {ballots} "
          f"ballots, one transaction): {closing * 1000:.0f} ms")  # fmt: skip
    print(f"per vote: median {s['median']:.0f} ms, p95 {s['p95']:.0f} ms, "
          f"min {s['min']:.0f}, max {s['max']:.0f}; service time wall/voters "
          f"{wall / args.voters * 1000:.0f} ms")  # fmt: skip
    if cpu_after is not None:
        web = sum(cpu_after[0].values()) - sum(cpu_before[0].get(k, 0) for k in cpu_after[0])
        pg = sum(cpu_after[1].values()) - sum(cpu_before[1].get(k, 0) for k in cpu_after[1])
        if args.server == "database":
            print(f"PostgreSQL CPU per vote: {pg / 1e6 / args.voters:.1f} ms (the members' "
                  "backends, /proc/<pid>/task/*/schedstat)")  # fmt: skip
        else:
            print(f"server CPU per vote: gunicorn {web / 1e6 / args.voters:.1f} ms + PostgreSQL "
                  f"{pg / 1e6 / args.voters:.1f} ms (the run's CPU time of the gunicorn processes "
                  "and of the database's backends, /proc/<pid>/task/*/schedstat)")  # fmt: skip
    ok = voters == cast and ballots == cast * len(nomination_ids) and yes == expected_yes
    print("every vote counted once" if ok else "COUNT MISMATCH")


def _run(args, server, app, tokens, vote, ready, start):
    """The votes, sequential or all at once: (CPU counters before, after, wall seconds)."""
    if args.sequential:
        cpu_before = _server_cpu(server, app) if args.server != "in-process" else None
        wall = time.perf_counter()
        for tok in tokens:
            vote(tok)
    else:
        threads = [threading.Thread(target=vote, args=(tok,)) for tok in tokens]
        for t in threads:
            t.start()
        if ready is not None:
            ready.wait()
        cpu_before = _server_cpu(server, app) if args.server != "in-process" else None
        start.wait()  # every member waits there: they all go now
        wall = time.perf_counter()
        for t in threads:
            t.join(300)
    wall = time.perf_counter() - wall
    cpu_after = _server_cpu(server, app) if args.server != "in-process" else None
    return cpu_before, cpu_after, wall


def _floor(args, server, app, tokens, path: str, auth: bool) -> None:
    """Every member's GET `path` at the same moment on a connection opened before (with their
    token when `auth`): p95 and the server's CPU per request, printed."""
    took: list[float] = []
    codes: set[int] = set()
    lock = threading.Lock()
    go = threading.Barrier(len(tokens) + 1, timeout=60)

    def one(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        conn.connect()
        go.wait()
        t = time.perf_counter()
        conn.request("GET", path, headers=_bearer(token) if auth else {})
        res = conn.getresponse()
        res.read()
        with lock:
            took.append(time.perf_counter() - t)
            codes.add(res.status)
        conn.close()

    threads = [threading.Thread(target=one, args=(tok,)) for tok in tokens]
    for t in threads:
        t.start()
    before = _server_cpu(server, app)
    go.wait()
    for t in threads:
        t.join(120)
    after = _server_cpu(server, app)
    web = sum(after[0].values()) - sum(before[0].get(k, 0) for k in after[0])
    pg = sum(after[1].values()) - sum(before[1].get(k, 0) for k in after[1])
    s, n = summary_ms(took), len(tokens)
    print(f"floor GET {path}, {n} at once: answers {sorted(codes)}; median "
          f"{s['median']:.0f} ms, p95 {s['p95']:.0f} ms; server CPU per request: gunicorn "
          f"{web / 1e6 / n:.1f} ms + PostgreSQL {pg / 1e6 / n:.1f} ms")  # fmt: skip


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _post(port: int, path: str, payload: bytes, token: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", path, body=payload, headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/json"})  # fmt: skip
    res = conn.getresponse()
    res.read()
    conn.close()
    assert res.status == 201, res.status


def _answers(port: int) -> bool:
    try:
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
    except OSError:
        return False
    return True


def _cpu_ns(pid: int) -> int:
    """CPU time of every thread of `pid` so far, in nanoseconds (0 once it is gone)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        return 0
    return total


def _server_cpu(server, app) -> tuple[dict[int, int], dict[int, int]]:
    """({gunicorn pid: CPU ns}, {database backend pid: CPU ns}): the processes under
    serve_prod whose command is gunicorn, and the backends connected to the bench database
    (this process's own connection left out)."""
    from service.extensions import db

    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    web, todo = {}, [server.pid] if server is not None else []
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmd:
            web[pid] = _cpu_ns(pid)
    with app.app_context():
        backends = db.session.scalars(
            db.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).all()
        db.session.rollback()
    return web, {pid: _cpu_ns(pid) for pid in backends}


def _wait_for(port: int, proc, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited (status {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
