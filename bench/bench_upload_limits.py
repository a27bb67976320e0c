"""Uploads that unpack to much more than they weigh: the server's peak memory (not a test).

Serves the service the way `make run` does (`flask --app wsgi run`, one process, threads) on
a fresh SQLite file, then POSTs to /api/v1/imports/people as an administrator (bearer token):

  shared-string  a ~0.5 MB xlsx whose one shared string is 512 MiB of "a"
  whitespace     a ~1 MB xlsx with 1 GiB of spaces inside its sheet's XML
  shared-45MiB   one 45 MiB shared string (within the declared-size limits: the scan refuses it)
  blank-150MiB   150 MiB of spaces in the sheet (likewise)
  three-at-once  three shared-string uploads at the same time
  normal         a 5,000-person "Cán bộ" file (the reference)

For each: HTTP status, the message, the wall time, and the server's resident memory above what
it held just before (sampled from /proc every 10 ms). Target (issue 15 item 4): under 300 MB
above base for any upload within MAX_UPLOAD_MB.

    .venv/bin/python bench/bench_upload_limits.py            # the limits as configured
    .venv/bin/python bench/bench_upload_limits.py --no-limits  # limits raised out of the way
                                                               # (what the server did before)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

NAME = "bench_upload_limits"
MIB = 1024 * 1024
TARGET_MB = 300.0
HEAD = ("Mã cán bộ", "Họ và tên", "Mã đơn vị")


def people_xlsx(n: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("Cán bộ")
    ws.write_row(0, 0, HEAD)
    for i in range(n):
        ws.write_row(i + 1, 0, (f"BU{i:06d}", f"Nguyễn Văn {i}", "BU"))
    wb.close()
    return out.getvalue()


def inflate(data: bytes, part: str, marker: bytes, fill: bytes, size: int) -> bytes:
    """The xlsx with `size` bytes of `fill` put after `marker` in `part`, written in 1 MiB
    pieces (never whole in memory)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            body = src.read(info)
            if info.filename != part:
                dst.writestr(info.filename, body)
                continue
            head, tail = body.split(marker, 1)
            with dst.open(part, "w", force_zip64=True) as f:
                f.write(head + marker)
                piece = fill * MIB
                for _ in range(size // MIB):
                    f.write(piece)
                f.write(tail)
    return out.getvalue()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(data: bytes, name: str) -> tuple[bytes, str]:
    boundary = "----bench" + os.urandom(8).hex()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def post(url: str, token: str, data: bytes) -> tuple[int, str]:
    body, ctype = multipart(data, "tep.xlsx")
    req = urllib.request.Request(
        url, data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": ctype}
    )
    try:
        with urllib.request.urlopen(req, timeout=600) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def message(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:120]
    errors = (body.get("error") or {}).get("import", {}).get("errors") or []
    if errors:
        return errors[0]["message"][:160]
    return json.dumps(body, ensure_ascii=False)[:160]


def measure(pid: int, run) -> dict:
    base = rss_mb(pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.01)

    t = threading.Thread(target=sample)
    t.start()
    start = time.perf_counter()
    results = run()
    seconds = time.perf_counter() - start
    done.set()
    t.join()
    time.sleep(0.5)
    return {
        "seconds": seconds,
        "base_mb": base,
        "peak_above_base_mb": peak[0] - base,
        "after_mb": rss_mb(pid),
        "results": results,
    }


def setup_database(url: str) -> str:
    """Schema, one unit and an administrator with a token (in this process)."""
    benchdb.reset_database("sqlite", NAME)
    app = benchdb.make_app()
    benchdb.upgrade_schema(app)
    from service.auth.models import Role, RoleAssignment, User
    from service.auth.operations import create_token
    from service.extensions import db
    from service.org.models import Unit

    with app.app_context():
        db.session.add(Unit(code="BU", name="Đơn vị thử", path="/BU/", depth=0))
        admin = User(username="bench-admin", full_name="Bench")
        admin.set_password("matkhau123")
        admin.roles.append(RoleAssignment(role=Role.ADMIN, unit_id=None))
        db.session.add(admin)
        db.session.flush()
        _token, clear = create_token(admin, "bench")
        db.session.commit()
    return clear


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-limits", action="store_true", help="limits out of the way")
    args = parser.parse_args()
    url = benchdb.configure_env("sqlite", NAME)
    token = setup_database(url)
    env = dict(os.environ)
    if args.no_limits:
        for key in ("PART", "TOTAL", "SHARED_STRINGS"):
            env[f"IMPORT_MAX_{key}_MB"] = "100000"
        env["IMPORT_MAX_CELL_KB"] = str(100000 * 1024)
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base_url + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        endpoint = base_url + "/api/v1/imports/people"
        post(endpoint, token, people_xlsx(10))  # warm up: every module the import needs
        small = people_xlsx(1)
        t0 = time.perf_counter()
        shared = inflate(small, "xl/sharedStrings.xml", b"<t>", b"a", 512 * MIB)
        blank = inflate(small, "xl/worksheets/sheet1.xml", b"<sheetData>", b" ", 1024 * MIB)
        normal = people_xlsx(5000)
        built = time.perf_counter() - t0
        print(f"{benchdb.code_version()} · files built in {built:.1f} s")
        print(
            f"shared-string file {len(shared) / 1024:.0f} KB, whitespace file "
            f"{len(blank) / 1024:.0f} KB, normal file {len(normal) / 1024:.0f} KB"
        )
        # within the declared sizes: caught by the scan of the text between tags
        shared_45 = inflate(small, "xl/sharedStrings.xml", b"<t>", b"a", 45 * MIB)
        blank_150 = inflate(small, "xl/worksheets/sheet1.xml", b"<sheetData>", b" ", 150 * MIB)
        cases = {
            "shared-string": lambda: [post(endpoint, token, shared)],
            "whitespace": lambda: [post(endpoint, token, blank)],
            "shared-45MiB": lambda: [post(endpoint, token, shared_45)],
            "blank-150MiB": lambda: [post(endpoint, token, blank_150)],
            "three-at-once": lambda: three(endpoint, token, shared),
            "normal": lambda: [post(endpoint, token, normal)],
        }
        worst = 0.0
        for name, run in cases.items():
            m = measure(server.pid, run)
            worst = max(worst, m["peak_above_base_mb"])
            statuses = ",".join(str(s) for s, _ in m["results"])
            print(
                f"{name:14} status {statuses:11} {m['seconds']:6.2f} s  peak +"
                f"{m['peak_above_base_mb']:7.1f} MB (base {m['base_mb']:.0f} MB, after "
                f"{m['after_mb']:.0f} MB)  {message(m['results'][0][1])}"
            )
        ok = worst < TARGET_MB
        print(f"worst peak above base {worst:.1f} MB: {'OK' if ok else 'OVER'} (< {TARGET_MB} MB)")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(10)


def three(endpoint: str, token: str, data: bytes) -> list:
    out = [None] * 3

    def one(i):
        out[i] = post(endpoint, token, data)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


if __name__ == "__main__":
    sys.exit(main())
