"""Import of a 100,000-person "Cán bộ" file: wall time and peak memory (not a test; run it).

Builds a fresh database (schema as `flask db upgrade`), creates ~2,000 units with
service.imports.operations.import_units (a city, 20 districts, 200 wards, 1,800 offices and party
cells), writes, deterministically, an xlsx in the "Cán bộ" template format (PEOPLE_COLUMNS) with
xlsxwriter in constant_memory mode, then times

    service.imports.operations.import_people(admin, name, data) + db.session.commit()

inside a test_request_context, twice: the first import creates everybody, the second (same file)
must find everybody unchanged. Each measurement runs in a fresh subprocess, so its ru_maxrss is the
peak of that import alone (plus the interpreter and the app, reported as the baseline).

    .venv/bin/python bench/bench_import.py --db sqlite
    .venv/bin/python bench/bench_import.py --db postgresql [--people 100000] [--profile]

Targets: under 30 s and peak RSS under 500 MB per import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

NAME = "bench_import"
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 500.0

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Phan Trịnh Đinh Tạ Cao".split()
MIDDLE_M = "Văn Đức Quang Minh Hữu Xuân Thanh Ngọc Công Mạnh".split()
MIDDLE_F = "Thị Thu Ngọc Thanh Minh Phương Hồng Thúy Kim Diệu".split()
GIVEN_M = "An Bình Cường Dũng Hùng Hải Khánh Long Nam Phong Quân Sơn Thắng Trung Tuấn Việt".split()
GIVEN_F = "Anh Chi Dung Giang Hà Hạnh Hương Lan Linh Mai Ngân Nhung Oanh Phượng Quỳnh Thảo".split()
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Cán sự", "Nhân viên", "Phó Trưởng phòng"]
GROUPS = ["chuyên môn", "chuyên môn", "chuyên môn", "hỗ trợ", "lãnh đạo"]
CATEGORIES = ["công chức", "công chức", "viên chức", "cán bộ", "người lao động"]


# ---------------------------------------------------------------------------------------------
# deterministic input files


def unit_rows(districts: int, wards: int, offices: int) -> list[tuple]:
    """(code, name, parent_code, kind, quota_root): city → districts → wards → offices + a cell."""
    rows = [("HN", "Thành phố Hà Nội", None, "thành phố", True)]
    for d in range(1, districts + 1):
        dc = f"Q{d:02d}"
        rows.append((dc, f"Quận {d}", "HN", "quận", True))
        for w in range(1, wards + 1):
            wc = f"{dc}P{w:02d}"
            rows.append((wc, f"Phường {w} – Quận {d}", dc, "phường", True))
            rows.append((f"{wc}CB", f"Chi bộ phường {w} – Quận {d}", wc, "chi bộ", False))
            for o in range(1, offices + 1):
                rows.append((f"{wc}V{o:02d}", f"Phòng {o} phường {w}", wc, "phòng", False))
    return rows


def write_units_xlsx(path: Path, rows: list[tuple]) -> None:
    import xlsxwriter

    from service.imports.schemas import UNIT_COLUMNS

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})
    ws = wb.add_worksheet("Đơn vị")
    ws.write_row(0, 0, [c.label for c in UNIT_COLUMNS])
    for r, (code, name, parent, kind, quota) in enumerate(rows, start=1):
        ws.write_row(r, 0, [code, name, parent or "", kind, "Có" if quota else "Không"])
    wb.close()


def write_people_xlsx(
    path: Path,
    n_people: int,
    units: list[tuple],
    seed: int,
    shared_strings: bool = False,
    changed_every: int = 0,
) -> None:
    """n_people rows over the offices (90%) and wards (10%); party members in their ward's cell.

    constant_memory mode writes every string inline in its cell; Excel and LibreOffice (and the
    service's own templates) write a shared-strings table instead, which openpyxl reads much
    faster, so `shared_strings=True` (xlsxwriter's default mode) is the closer-to-real variant."""
    import xlsxwriter

    from service.imports.schemas import PEOPLE_COLUMNS

    rng = random.Random(seed)
    offices = [u[0] for u in units if u[3] == "phòng"]
    wards = [u[0] for u in units if u[3] == "phường"]
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": not shared_strings,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})  # byte-identical file every run
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Cán bộ")
    keys = [c.key for c in PEOPLE_COLUMNS]
    ws.write_row(0, 0, [c.label for c in PEOPLE_COLUMNS])
    col = {k: i for i, k in enumerate(keys)}
    heads: set[str] = set()
    for i in range(n_people):
        r = i + 1
        unit = offices[i % len(offices)] if rng.random() < 0.9 else rng.choice(wards)
        ward = unit[:6]
        male = rng.random() < 0.5
        name = (
            f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
            if male
            else f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
        )
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        member = rng.random() < 0.6
        is_head = unit not in heads
        heads.add(unit)
        ws.write_string(r, col["person_code"], f"CB{i + 1:06d}")
        ws.write_string(r, col["full_name"], name)
        if rng.random() < 0.05:  # some dates typed as text, as clerks do
            ws.write_string(r, col["birth_date"], birth.strftime("%d/%m/%Y"))
        else:
            ws.write_datetime(r, col["birth_date"], birth, date_fmt)
        ws.write_string(r, col["gender"], "Nam" if male else "Nữ")
        ws.write_string(r, col["unit_code"], unit)
        position = "Trưởng phòng" if is_head else rng.choice(POSITIONS)
        if changed_every and i % changed_every == 0:  # same random draws, one field changed
            position += " (đã đổi)"
        ws.write_string(r, col["position"], position)
        ws.write_string(r, col["duty_group"], "lãnh đạo" if is_head else rng.choice(GROUPS))
        ws.write_string(r, col["is_head"], "Có" if is_head else "Không")
        if rng.random() > 0.03:
            ws.write_string(r, col["category"], rng.choice(CATEGORIES))
        ws.write_string(r, col["is_party_member"], "Có" if member else "Không")
        if member:
            admitted = birth + dt.timedelta(days=18 * 365 + rng.randrange(20 * 365))
            admitted = min(admitted, dt.date(2025, 12, 31))
            ws.write_string(r, col["party_unit_code"], f"{ward}CB")
            ws.write_datetime(r, col["admitted_on"], admitted, date_fmt)
            ws.write_number(r, col["party_gap_days"], rng.choice([0, 0, 0, 0, 0, 0, 30, 180]))
            status = "đang sinh hoạt" if rng.random() < 0.97 else "miễn sinh hoạt"
            ws.write_string(r, col["party_status"], status)
        else:
            ws.write_number(r, col["party_gap_days"], 0)
        ws.write_string(r, col["seriously_ill"], "Có" if rng.random() < 0.01 else "Không")
    wb.close()


# ---------------------------------------------------------------------------------------------
# set-up (parent process)


def setup(args) -> None:
    from service.auth.models import Role, RoleAssignment, User
    from service.extensions import db
    from service.imports.operations import import_units

    benchdb.reset_database(args.db, NAME)
    app = benchdb.make_app()
    benchdb.upgrade_schema(app)

    out = Path(args.workdir)
    out.mkdir(parents=True, exist_ok=True)
    units = unit_rows(args.districts, args.wards, args.offices)
    units_file = out / "bench_units.xlsx"
    write_units_xlsx(units_file, units)

    info: dict = {"units": len(units)}
    with app.test_request_context():
        admin = User(username="bench.admin", full_name="Quản trị (benchmark)")
        admin.set_password("matkhau123")
        admin.roles.append(RoleAssignment(role=Role.ADMIN))
        db.session.add(admin)
        db.session.commit()
        t0 = time.perf_counter()
        run = import_units(admin, units_file.name, units_file.read_bytes())
        db.session.commit()
        info["units_import_seconds"] = time.perf_counter() - t0
        assert run.ok, run.errors[:5]
        info["units_created"] = run.created

    people_file = out / f"bench_people_{args.people}_{args.strings}.xlsx"
    t0 = time.perf_counter()
    write_people_xlsx(people_file, args.people, units, args.seed, args.strings == "shared")
    info["generate_seconds"] = time.perf_counter() - t0
    data = people_file.read_bytes()
    info["file_mb"] = len(data) / 1024 / 1024
    info["sha256"] = hashlib.sha256(data).hexdigest()[:16]
    info["file"] = str(people_file)
    if args.changed_every:
        changed_file = (
            out / f"bench_people_{args.people}_{args.strings}_1in{args.changed_every}.xlsx"
        )
        write_people_xlsx(
            changed_file,
            args.people,
            units,
            args.seed,
            args.strings == "shared",
            changed_every=args.changed_every,
        )
        info["changed_file"] = str(changed_file)
    print("RESULT " + json.dumps(info))


# ---------------------------------------------------------------------------------------------
# one measurement (fresh subprocess)


WHAT_IFS = {
    "render-nulls": "import_people's ORM bulk INSERT with execution_options(render_nulls=True)",
    "cache-normalize": "spreadsheets.normalize memoized (functools.lru_cache)",
}


def apply_what_ifs(names: list[str]) -> None:
    """Try a proposed fix in this process only (the service's files are not touched)."""
    import functools

    import service.common.spreadsheets as sp
    import service.imports.operations as ops

    if "render-nulls" in names:
        sa_insert = ops.insert
        ops.insert = lambda table: sa_insert(table).execution_options(render_nulls=True)
    if "cache-normalize" in names:
        sp.normalize = functools.lru_cache(maxsize=4096)(sp.normalize)


def worker(args) -> None:
    import service.imports.operations as ops
    from service.auth.models import User
    from service.extensions import db
    from service.org.models import Person

    app = benchdb.make_app()
    data = Path(args.file).read_bytes()
    marks: dict = {}
    read_rows = ops.read_rows

    def timed_read_rows(*a, **kw):  # wraps the name import_people looks up; service untouched
        t = time.perf_counter()
        parsed = read_rows(*a, **kw)
        marks["parse_seconds"] = time.perf_counter() - t
        marks["rss_after_parse_mb"] = benchdb.current_rss_mb()
        marks["peak_after_parse_mb"] = benchdb.peak_rss_mb()
        return parsed

    ops.read_rows = timed_read_rows
    apply_what_ifs(args.what_if or [])
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    with app.test_request_context():
        from flask_login import login_user

        admin = db.session.scalar(db.select(User).where(User.username == "bench.admin"))
        login_user(admin)  # so the audit entry names the importer, as in a real request
        baseline = benchdb.peak_rss_mb()
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        run = ops.import_people(admin, Path(args.file).name, data)
        t1 = time.perf_counter()
        db.session.commit()
        t2 = time.perf_counter()
        if profiler:
            profiler.disable()
        people_in_db = db.session.scalar(db.select(db.func.count()).select_from(Person))
        result = {
            "people_in_db": people_in_db,
            "seconds": t2 - t0,
            "commit_seconds": t2 - t1,
            "baseline_rss_mb": baseline,
            "peak_rss_mb": benchdb.peak_rss_mb(),
            "ok": run.ok,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "total_errors": run.total_errors,
            "first_errors": (run.errors or [])[:5],
            **marks,
        }
    if profiler:
        import io
        import pstats

        s = io.StringIO()
        pstats.Stats(profiler, stream=s).sort_stats("cumulative").print_stats(30)
        sys.stderr.write(s.getvalue())
    print("RESULT " + json.dumps(result, default=str))


def run_step(args, step: str, *extra: str) -> dict:
    """Run one step in a fresh interpreter started from this small parent (ru_maxrss survives
    fork+exec on Linux, so the parent must stay small for the child's peak to be its own)."""
    cmd = [sys.executable, __file__, "--db", args.db, "--step", step, *extra]
    opts = (
        "people",
        "districts",
        "wards",
        "offices",
        "seed",
        "strings",
        "workdir",
        "changed_every",
    )
    for opt in opts:
        cmd += [f"--{opt.replace('_', '-')}", str(getattr(args, opt))]
    if args.profile:
        cmd.append("--profile")
    for name in args.what_if or []:
        cmd += ["--what-if", name]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if args.profile or proc.returncode:
        sys.stderr.write(proc.stderr[-20000:])
    if proc.returncode:
        raise SystemExit(f"step {step}: failed (exit {proc.returncode})")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def report(label: str, r: dict) -> bool:
    ok_time = r["seconds"] < TARGET_SECONDS
    ok_mem = r["peak_rss_mb"] < TARGET_RSS_MB
    print(
        f"{label}: {r['seconds']:.2f} s wall "
        f"(parse {r.get('parse_seconds', 0):.2f} s, "
        f"rest {r['seconds'] - r.get('parse_seconds', 0) - r['commit_seconds']:.2f} s, "
        f"commit {r['commit_seconds']:.2f} s) "
        f"[{'OK' if ok_time else 'OVER'} < {TARGET_SECONDS:.0f} s]"
    )
    print(
        f"    peak RSS {r['peak_rss_mb']:.0f} MB "
        f"[{'OK' if ok_mem else 'OVER'} < {TARGET_RSS_MB:.0f} MB]; "
        f"baseline (interpreter + app + file bytes) {r['baseline_rss_mb']:.0f} MB; "
        f"after parsing: peak {r.get('peak_after_parse_mb', 0):.0f} MB, "
        f"current {r.get('rss_after_parse_mb', 0):.0f} MB"
    )
    print(
        f"    ok={r['ok']} created={r['created']:,} updated={r['updated']:,} "
        f"unchanged={r['unchanged']:,} errors={r['total_errors']}"
    )
    if r["first_errors"]:
        for e in r["first_errors"]:
            print(f"    error: {e}")
    return ok_time and ok_mem and r["ok"]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--wards", type=int, default=10, help="per district")
    parser.add_argument("--offices", type=int, default=8, help="per ward (plus one party cell)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--strings",
        choices=["inline", "shared"],
        default="inline",
        help="inline: xlsxwriter constant_memory (default); shared: a shared-strings table, "
        "as Excel writes it",
    )
    parser.add_argument("--workdir", default="/tmp/bench_import")
    parser.add_argument(
        "--changed-every",
        type=int,
        default=10,
        help="third import: a file where every Nth person's position changed (0: skip it)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each import (slower)")
    parser.add_argument(
        "--what-if",
        action="append",
        choices=sorted(WHAT_IFS),
        help="measure with a proposed fix applied in the benchmark process only: "
        + "; ".join(f"{k}: {v}" for k, v in WHAT_IFS.items()),
    )
    parser.add_argument("--step", choices=["setup", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = benchdb.configure_env(args.db, NAME)
    if args.step == "setup":
        setup(args)
        return
    if args.step == "import":
        worker(args)
        return

    print(f"database: {url}; strings: {args.strings}; load average {_load()}")
    print(f"service code: {benchdb.code_version()}")
    for name in args.what_if or []:
        print(f"WHAT-IF (not the service as committed): {WHAT_IFS[name]}")
    t0 = time.perf_counter()
    info = run_step(args, "setup")
    print(
        f"set-up: {info['units']:,} units imported in {info['units_import_seconds']:.2f} s; "
        f"{args.people:,}-person file generated in {info['generate_seconds']:.1f} s "
        f"({info['file_mb']:.1f} MB, sha256 {info['sha256']}…) -> {info['file']}"
    )
    good = True
    runs = [
        ("first import (all new)", info["file"], (args.people, 0, 0)),
        ("second import (same file)", info["file"], (0, 0, args.people)),
    ]
    if args.changed_every:
        n_changed = len(range(0, args.people, args.changed_every))
        runs.append(
            (
                f"third import (1 row in {args.changed_every} changed)",
                info["changed_file"],
                (0, n_changed, args.people - n_changed),
            )
        )
    for label, file, counts in runs:
        expect = dict(zip(("created", "updated", "unchanged"), counts, strict=True))
        r = run_step(args, "import", "--file", file)
        good = report(label, r) and good
        got = {k: r[k] for k in expect}
        if got != expect:
            print(f"    UNEXPECTED counts: got {got}, expected {expect}")
            good = False
        print(f"    people in database after commit: {r['people_in_db']:,}")
    print(
        f"total {time.perf_counter() - t0:.0f} s; {'ALL TARGETS MET' if good else 'TARGET MISSED'}"
    )
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
