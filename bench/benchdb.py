"""Shared set-up for the service benchmarks (bench_import.py, bench_listing.py).

Which database (`--db sqlite|postgresql`), a fresh one each run, the schema built as
`flask db upgrade` does, and small timing/memory helpers. Import this *before* `service`: the
service reads DATABASE_URL when service.config is first imported.

SQLite: a file under /tmp. PostgreSQL: the database `bench` on 127.0.0.1:5432 as user root
(trust auth), dropped and created again by reset_database(); no other database is touched.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "root")
# BENCH_PG_DB: another benchmark database (two benchmarks at once); never the suite's `test`
PG_DB = os.environ.get("BENCH_PG_DB", "bench")


def sqlite_file(name: str) -> Path:
    return Path(os.environ.get("BENCH_TMP", "/tmp")) / f"{name}.sqlite"


def db_url(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{sqlite_file(name)}"
    if kind == "postgresql":
        return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}"
    raise SystemExit(f"unknown --db {kind}")


def configure_env(kind: str, name: str) -> str:
    """Point the service at the benchmark database; keep its instance dir out of the repo."""
    url = db_url(kind, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    os.environ.setdefault("INSTANCE_PATH", "/tmp/bench_instance")
    if "service" in sys.modules:
        raise RuntimeError("configure_env() must run before `service` is imported")
    return url


def _pg(cmd: str, *args: str) -> None:
    subprocess.run(
        [cmd, "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, *args], check=True, capture_output=True
    )


def reset_database(kind: str, name: str) -> None:
    """A new, empty database: the SQLite file removed, or `bench` dropped and created again."""
    if kind == "sqlite":
        f = sqlite_file(name)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(f) + suffix).unlink(missing_ok=True)
    else:
        assert PG_DB.startswith("bench"), "benchmarks drop their database: never `test`"
        _pg("dropdb", "--if-exists", PG_DB)
        _pg("createdb", PG_DB)


def make_app():
    from service import create_app

    return create_app()


def upgrade_schema(app) -> None:
    """What `flask db upgrade` does."""
    import logging

    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    logging.getLogger("alembic").setLevel(logging.WARNING)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def summary_ms(samples: list[float]) -> dict:
    """median / p95 / min / max of durations in seconds, as milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return {
        "n": len(ms),
        "median": statistics.median(ms),
        "p95": p95,
        "min": ms[0],
        "max": ms[-1],
    }


def code_version() -> str:
    """The commit the service code is at, and whether its code has uncommitted changes
    (read-only git commands; other people may be editing the tree while a benchmark runs)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %ci"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--",
                "service",
                "evaluation",
                "migrations",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (
        " + uncommitted changes in service/, evaluation/ or migrations/" if dirty else ""
    )


def fmt_ms(s: dict) -> str:
    return (
        f"median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms "
        f"(min {s['min']:.1f}, max {s['max']:.1f}, n={s['n']})"
    )


def bulk_insert(conn, table: str, columns: tuple[str, ...], rows) -> int:
    """Insert plain tuples fast inside `conn`'s transaction (a SQLAlchemy Connection, e.g.
    db.session.connection()): COPY on PostgreSQL, executemany on SQLite (Decimal as text).
    Columns left out get their server defaults. Returns the number of rows."""
    from decimal import Decimal

    raw = conn.connection.driver_connection
    n = 0
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        return n
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    cur = raw.cursor()
    try:
        batch = []
        for row in rows:
            batch.append(tuple(str(x) if isinstance(x, Decimal) else x for x in row))
            if len(batch) == 10_000:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    finally:
        cur.close()
    return n


def fix_sequences(conn, tables: tuple[str, ...]) -> None:
    """PostgreSQL: after inserting explicit ids, move each table's id sequence past max(id)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def admin_token(kind: str, name: str, label: str) -> str:
    """A fresh API token of the bench city's administrator (bench.admin), made in a child
    interpreter so that the calling parent stays small."""
    code = (
        "import benchdb\n"
        f"benchdb.configure_env({kind!r}, {name!r})\n"
        "from sqlalchemy import select\n"
        "from service.extensions import db\n"
        "from service.auth.models import User\n"
        "from service.auth.operations import create_token\n"
        "app = benchdb.make_app()\n"
        "with app.test_request_context():\n"
        "    admin = db.session.scalar(select(User).where(User.username == 'bench.admin'))\n"
        f"    _, clear = create_token(admin, {label!r})\n"
        "    db.session.commit()\n"
        "print('TOKEN ' + clear)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "bench", capture_output=True, text=True, check=True
    ).stdout
    return next(x for x in out.splitlines() if x.startswith("TOKEN "))[6:]


def run_child(script: str, args: list[str], *, show_stderr: bool = False) -> dict:
    """Run `script args` in a fresh interpreter started from this (small) parent and return the
    dict it printed on a line "RESULT {json}". ru_maxrss survives fork+exec on Linux, so the
    parent must stay small for the child's peak RSS to be the child's own."""
    import json

    proc = subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, env=os.environ.copy()
    )
    if show_stderr or proc.returncode:
        sys.stderr.write(proc.stderr[-30000:])
    if proc.returncode:
        raise SystemExit(f"{Path(script).name} {' '.join(args)}: failed (exit {proc.returncode})")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def autovacuum_is_on() -> bool:
    out = subprocess.run(
        [
            "psql",
            "-h",
            PG_HOST,
            "-p",
            PG_PORT,
            "-U",
            PG_USER,
            "-d",
            PG_DB,
            "-Atc",
            "SHOW autovacuum",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return out == "on"


def vacuum_analyze(table: str) -> float:
    """PostgreSQL: VACUUM ANALYZE one table of `bench` (what autovacuum does soon after a bulk
    change; this server may run with autovacuum off). Returns the seconds it took."""
    import time

    t = time.perf_counter()
    _pg("psql", "-d", PG_DB, "-qc", f"VACUUM ANALYZE {table}")
    return time.perf_counter() - t


def pg_sql(sql: str) -> str:
    """Run SQL on the `bench` database with psql; its unaligned output."""
    return subprocess.run(
        ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", PG_DB, "-v", "ON_ERROR_STOP=1"]
        + ["-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
