"""`make serve-prod`: the service in production on one machine.

1. Checks what production needs (SECRET_KEY, DATABASE_URL on PostgreSQL, REDIS_URL) and
   stops with a message naming what is missing.
2. Runs the migrations (`flask db upgrade`).
3. Starts RQ_WORKERS queue workers (`flask rq-worker`, default 2) and gunicorn
   (service/gunicorn_conf.py: HOST, PORT, WEB_WORKERS, WEB_THREADS).
4. Keeps them up: a queue worker that dies is started again (a job it left running is
   failed by the next worker's start, see service.jobs.runners.sweep); when gunicorn ends,
   or on SIGTERM / SIGINT, everything is stopped and the launcher exits.

Every child runs with SERVICE_ENV=production and JOBS_RUN=rq."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def problems(env) -> list[str]:
    out = []
    secret = env.get("SECRET_KEY", "")
    if len(secret) < 16:
        out.append("SECRET_KEY (ít nhất 16 ký tự; ví dụ: SECRET_KEY=$(openssl rand -hex 32))")
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres://")):
        out.append("DATABASE_URL trỏ tới PostgreSQL (ví dụ postgresql://user@127.0.0.1/danhgia)")
    if not env.get("REDIS_URL", "").startswith(("redis://", "rediss://", "unix://")):
        out.append("REDIS_URL cho hàng đợi công việc nền (ví dụ redis://127.0.0.1:6379/0)")
    return out


def _flask(*args) -> list[str]:
    return [str(BIN / "flask"), "--app", "wsgi", *args]


def main() -> int:
    env = {**os.environ, "SERVICE_ENV": "production", "JOBS_RUN": "rq"}
    missing = problems(env)
    if missing:
        print("Không khởi động: cần đặt\n  - " + "\n  - ".join(missing), file=sys.stderr)
        return 2
    print("Nâng cấp cơ sở dữ liệu (flask db upgrade)…", file=sys.stderr, flush=True)
    if subprocess.run(_flask("db", "upgrade"), cwd=ROOT, env=env).returncode != 0:
        print("Nâng cấp cơ sở dữ liệu thất bại: không khởi động.", file=sys.stderr)
        return 1
    n_workers = int(env.get("RQ_WORKERS", "2"))
    workers = [subprocess.Popen(_flask("rq-worker"), cwd=ROOT, env=env) for _ in range(n_workers)]
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "service" / "gunicorn_conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
    )
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "8000")
    print(
        f"Đang phục vụ http://{host}:{port} ({n_workers} tiến trình công việc nền); "
        "Ctrl+C để dừng.",
        file=sys.stderr,
        flush=True,
    )
    code = 0
    while not stopping:
        if web.poll() is not None:
            code = web.returncode or 0
            print(f"gunicorn đã dừng (mã {code}).", file=sys.stderr)
            break
        for i, w in enumerate(workers):
            if w.poll() is not None:
                print(
                    f"Tiến trình công việc nền {w.pid} dừng (mã {w.returncode}): chạy lại.",
                    file=sys.stderr,
                    flush=True,
                )
                workers[i] = subprocess.Popen(_flask("rq-worker"), cwd=ROOT, env=env)
        time.sleep(1)
    for p in [web, *workers]:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 40
    for p in [web, *workers]:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
