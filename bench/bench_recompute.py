"""Recomputing a city's year: 500,000 people in ~25,000 units (not a test; run it).

Builds, deterministically and directly in the database (COPY on PostgreSQL, executemany on
SQLite), a city → 16 districts → 160 quota-root wards → 1,920 offices → 23,040 cells/teams, with
per district a party committee and two offices of its own; 500,000 people (category, duty
group, ~60 % party members with their party unit, a head in every ward and office); the year
opened with evaluation.operations.open_year (default pack and catalog); a PersonEval for 99 % of the
people (ct/dd/tp/kl, 12 monthly scores, task counts, some discipline), violations for ~4 % of
the people and ~2 % of the units, a UnitEval for 90 % of the units.

In odd districts 2 % of the party members belong to the district's party committee, which ties
every ward of the district into one scope part (~31,000 people); in even districts each ward is
its own part (~3,000 people).

Then, each in a fresh interpreter started from a small parent (ru_maxrss survives fork+exec):

    full      evaluation.compute.recompute(year) + commit, twice: the first run writes into
              whatever ratings exist (none after a fresh build), the second finds them all
              unchanged; then --rewrite-runs times after the stored digests are cleared, so
              every rating differs from its new result and is rewritten (the worst case);
              then --changed-runs times with the digests of every 10th person's ratings
              cleared (as after a tenth of the inputs changed).
              Targets: under 30 s and peak RSS under 1.5 GB.
    partial   recompute(year, unit) + commit for a unit in an even district (one ward's part)
              and in an odd district (a whole district's part), --partial-runs times each:
              what runs after every save.

On PostgreSQL each step starts after VACUUM ANALYZE ratings (this server runs with autovacuum
off; --no-vacuum skips it). --compute-file measures another copy of evaluation/compute.py (a
before/after); --what-if no-rating-fks drops the foreign keys of ratings for the run (benchmark
database only, added back at the end). See bench/README.md for the figures.

    .venv/bin/python bench/bench_recompute.py --db postgresql [--reuse] [--people 500000]
    .venv/bin/python bench/bench_recompute.py --db sqlite [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchdb  # noqa: E402
import benchhistory  # noqa: E402

NAME = "bench_recompute"
YEAR = 2026
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 1536.0
ADMIN = "bench.admin"

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Phan Trịnh Đinh Tạ Cao".split()
MIDDLE = "Văn Đức Quang Minh Hữu Xuân Thanh Ngọc Công Thị Thu Phương Hồng Thúy Kim".split()
GIVEN = "An Bình Cường Dũng Hùng Hải Khánh Long Nam Anh Chi Dung Giang Hà Lan Linh Mai".split()
POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Cán sự", "Nhân viên", "Kế toán"]
GROUPS = ["chuyên môn", "chuyên môn", "chuyên môn", "nghiệp vụ", "hỗ trợ"]
CATEGORIES = ["cong_chuc"] * 5 + ["vien_chuc"] * 3 + ["can_bo", "nguoi_lao_dong"]
HALVES = [Decimal(x) for x in ("3.5", "4", "4.5", "5", "5", "5")]
DISCIPLINE = ["khien_trach", "canh_cao", "cach_chuc"]

PERSON_COLS = (
    "id",
    "code",
    "full_name",
    "birth_date",
    "gender",
    "unit_id",
    "position",
    "duty_group",
    "is_head",
    "category",
    "is_party_member",
    "party_unit_id",
    "admitted_on",
    "party_gap_days",
    "party_status",
    "seriously_ill",
    "sort_name",
    "search_name",
)
PERSON_EVAL_COLS = (
    "id",
    "year_id",
    "person_id",
    "ct",
    "dd",
    "tp",
    "kl",
    *(f"m{m}" for m in range(1, 13)),
    "task_points",
    "tasks_total",
    "tasks_late",
    "tasks_exceeded",
    "months_worked",
    "maternity",
    "discipline_form",
    "discipline_year",
    "party_discipline",
    "counted_before",
    "self_remedied",
    "under_review",
    "initiatives_base",
    "initiatives_city",
)
UNIT_EVAL_COLS = (
    "id",
    "year_id",
    "unit_id",
    "ct",
    "dd",
    "tp",
    "kl",
    "k1",
    "k2",
    "k3",
    "k4",
    "task_points",
    "targets_total",
    "targets_done",
    "targets_late",
    "targets_exceeded",
    "subunits_total",
    "subunits_disciplined",
    "leadership_disciplined",
    "corruption_case",
    "under_review",
)
VIOLATION_COLS = ("id", "year_id", "person_id", "unit_id", "code", "how_found", "evidence")


# ---------------------------------------------------------------------------------------------
# the city


class City:
    """The unit tree as plain rows (explicit ids), and where people can be placed."""

    def __init__(self, args) -> None:
        self.rows: list[tuple] = []  # id, code, name, kind, parent_id, quota_root, path, depth
        self.path: dict[int, str] = {}
        self.district_of: dict[int, int] = {}  # district id -> its number
        self.party_committee: dict[int, int] = {}  # district id -> its party committee unit
        self.district_offices: dict[int, list[int]] = {}
        self.wards: list[int] = []
        self.ward_offices: dict[int, list[int]] = {}
        self.offices: list[int] = []  # (ward offices)
        self.office_cells: dict[int, list[int]] = {}
        self.ward_of: dict[int, int] = {}  # office or cell -> ward
        self.district_of_unit: dict[int, int] = {}  # any unit below a district -> district id
        self.code: dict[int, str] = {}
        root = self._add("HN", "Thành phố Hà Nội", "thành phố", None, True)
        for d in range(1, args.districts + 1):
            dc = f"D{d:02d}"
            did = self._add(dc, f"Quận {d}", "quận", root, True)
            self.district_of[did] = d
            self.party_committee[did] = self._add(
                f"{dc}DU", f"Đảng ủy cơ quan quận {d}", "đảng ủy", did, False
            )
            self.district_offices[did] = [
                self._add(f"{dc}P{i}", f"Văn phòng {i} quận {d}", "cơ quan", did, False)
                for i in (1, 2)
            ]
            for uid in (self.party_committee[did], *self.district_offices[did]):
                self.district_of_unit[uid] = did
            for w in range(1, args.wards + 1):
                wc = f"{dc}W{w:02d}"
                wid = self._add(wc, f"Phường {w} – {dc}", "phường", did, True)
                self.wards.append(wid)
                self.district_of_unit[wid] = did
                for o in range(1, args.offices + 1):
                    oc = f"{wc}O{o:02d}"
                    oid = self._add(oc, f"Cơ quan {o} – {wc}", "cơ quan", wid, False)
                    self.offices.append(oid)
                    self.ward_offices.setdefault(wid, []).append(oid)
                    self.ward_of[oid] = wid
                    self.district_of_unit[oid] = did
                    cells = []
                    for c in range(1, args.cells + 1):
                        cid = self._add(f"{oc}C{c:02d}", f"Tổ {c} – {oc}", "tổ", oid, False)
                        cells.append(cid)
                        self.ward_of[cid] = wid
                        self.district_of_unit[cid] = did
                    self.office_cells[oid] = cells
        self.cells = [c for cells in self.office_cells.values() for c in cells]
        self.office_of_cell = {c: o for o, cells in self.office_cells.items() for c in cells}

    def _add(self, code, name, kind, parent_id, quota_root) -> int:
        uid = len(self.rows) + 1
        path = (self.path[parent_id] if parent_id else "/") + f"{uid}/"
        self.path[uid] = path
        self.code[uid] = code
        self.rows.append((uid, code, name, kind, parent_id, quota_root, path, path.count("/") - 2))
        return uid


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _points(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 2, high * 2 + 1)) / 2


def people_rows(args, city: City):
    """(person row, district number of the person) in id order; heads first."""
    from service.common.vietnamese import fold, vi_sort_key  # after benchdb.configure_env

    rng = random.Random(args.seed)
    cutoff_late = dt.date(YEAR, 11, 1)
    heads = [*city.wards, *city.offices, *(o for v in city.district_offices.values() for o in v)]
    n = 0
    while n < args.people:
        if n < len(heads):
            uid, is_head = heads[n], True
        else:
            roll = rng.random()
            is_head = False
            if roll < 0.02:
                did = rng.choice(list(city.district_offices))
                uid = rng.choice(city.district_offices[did])
            elif roll < 0.27:
                uid = city.offices[rng.randrange(len(city.offices))]
            else:
                uid = city.cells[rng.randrange(len(city.cells))]
        did = city.district_of_unit[uid]
        member = rng.random() < 0.6 or (is_head and rng.random() < 0.9)
        party_unit = None
        if member:
            if uid in city.office_cells:
                office = uid
            elif uid in city.ward_offices:  # the ward itself: the cell of its first office
                office = city.ward_offices[uid][0]
            else:
                office = city.office_of_cell.get(uid)
            if office is None:  # a district office
                party_unit = city.party_committee[did]
            elif city.district_of[did] % 2 == 1 and rng.random() < 0.02:
                party_unit = city.party_committee[did]
            else:
                party_unit = city.office_cells[office][0]
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(38 * 365))
        admitted = None
        status = None
        if member:
            admitted = min(birth + dt.timedelta(days=(18 + rng.randrange(20)) * 365), cutoff_late)
            if rng.random() < 0.01:
                admitted = dt.date(YEAR, 12, rng.randint(1, 20))  # too recent: not rated (A1)
            roll = rng.random()
            status = "active" if roll < 0.97 else ("exempt" if roll < 0.99 else "suspended")
        n += 1
        name = _name(rng)
        yield (
            (
                n,
                f"P{n:07d}",
                name,
                birth,
                rng.choice(("nam", "nu")),
                uid,
                "Trưởng" if is_head else rng.choice(POSITIONS),
                "lãnh đạo" if is_head else rng.choice(GROUPS),
                is_head,
                None if rng.random() < 0.04 else rng.choice(CATEGORIES),
                member,
                party_unit,
                admitted,
                0,
                status,
                False,
                vi_sort_key(name),
                fold(name),
            ),
            city.district_of[did],
        )


def person_eval_rows(args, year_id: int):
    rng = random.Random(args.seed + 1)
    eid = 0
    for pid in range(1, args.people + 1):
        if rng.random() < 0.01:
            continue  # no inputs yet
        eid += 1
        kind = rng.random()
        if kind < 0.02:
            months = [None] * 12  # yearly task points only
            task_points = _points(rng, 40, 70)
        else:
            base = rng.randint(65, 98)
            months = [
                min(
                    Decimal(100),
                    Decimal(base + rng.randint(-5, 5)) + Decimal(rng.choice((0, 5))) / 10,
                )
                for _ in range(12)
            ]
            if kind < 0.05:
                for m in rng.sample(range(12), rng.randint(1, 6)):
                    months[m] = None
            task_points = None
        total = rng.randint(0, 15)
        late = 0 if rng.random() < 0.85 else min(total, rng.randint(1, 3))
        disciplined = rng.random() < 0.01
        yield (
            eid,
            year_id,
            pid,
            rng.choice(HALVES),
            rng.choice(HALVES),
            rng.choice(HALVES),
            rng.choice(HALVES),
            *months,
            task_points,
            total,
            late,
            rng.randint(0, total),
            12 if rng.random() < 0.97 else rng.randint(3, 11),
            rng.random() < 0.01,
            rng.choice(DISCIPLINE) if disciplined else None,
            YEAR if disciplined else None,
            disciplined and rng.random() < 0.3,
            False,
            disciplined and rng.random() < 0.3,
            rng.random() < 0.002,
            rng.randint(0, 1),
            0,
        )


def unit_eval_rows(args, city: City, year_id: int):
    rng = random.Random(args.seed + 2)
    eid = 0
    for uid, *_ in city.rows:
        if uid != 1 and rng.random() < 0.1:
            continue
        eid += 1
        total = rng.randint(4, 12)
        yield (
            eid,
            year_id,
            uid,
            rng.choice(HALVES),
            rng.choice(HALVES),
            rng.choice(HALVES),
            rng.choice(HALVES),
            True,
            rng.random() < 0.9,
            rng.random() < 0.9,
            True,
            _points(rng, 40, 60),
            total,
            total - rng.randint(0, 1),
            0 if rng.random() < 0.8 else 1,
            rng.randint(0, total),
            rng.randint(0, 5),
            0,
            rng.random() < 0.01,
            rng.random() < 0.002,
            False,
        )


def violation_rows(args, city: City, year_id: int, person_codes, unit_codes):
    rng = random.Random(args.seed + 3)
    vid = 0
    for pid in range(1, args.people + 1):
        if rng.random() < 0.04:
            for code in rng.sample(person_codes, rng.choice((1, 1, 1, 2, 3))):
                vid += 1
                yield (vid, year_id, pid, None, code, "inspection", "")
    for uid, *_ in city.rows:
        if rng.random() < 0.02:
            vid += 1
            yield (vid, year_id, None, uid, rng.choice(unit_codes), "self_check", "")


def build(args) -> dict:
    """Fresh database, the city, its people, the year and every input (in this child process)."""
    from sqlalchemy import func, select

    from evaluation.models import ViolationTypeRow
    from evaluation.operations import open_year
    from service.auth.models import Role, RoleAssignment, User
    from service.extensions import db
    from service.org.models import Person

    benchdb.reset_database(args.db, NAME)
    app = benchdb.make_app()
    benchdb.upgrade_schema(app)
    info: dict = {}
    t0 = time.perf_counter()
    city = City(args)
    with app.test_request_context():
        conn = db.session.connection()
        ins = benchdb.bulk_insert
        from service.common.vietnamese import fold

        unit_cols = ("id", "code", "name", "kind", "parent_id", "quota_root", "path", "depth")
        unit_rows = [(*row, fold(row[2])) for row in city.rows]  # and search_name (a9e4c2f7b1d3)
        info["units"] = ins(conn, "units", (*unit_cols, "search_name"), unit_rows)
        t = time.perf_counter()
        districts: dict[int, int] = {}

        def counted(rows):
            for row, district in rows:
                districts[district] = districts.get(district, 0) + 1
                yield row

        info["people"] = ins(conn, "people", PERSON_COLS, counted(people_rows(args, city)))
        info["people_seconds"] = time.perf_counter() - t
        info["people_per_district"] = [districts[d] for d in sorted(districts)]
        benchdb.fix_sequences(conn, ("units", "people"))

        admin = User(username=ADMIN, full_name="Quản trị (benchmark)")
        admin.set_password("matkhau123")
        admin.roles.append(RoleAssignment(role=Role.ADMIN))
        db.session.add(admin)
        db.session.flush()
        year = open_year(admin, YEAR)
        db.session.flush()
        catalog = list(
            db.session.execute(
                select(ViolationTypeRow.code, ViolationTypeRow.applies_to).where(
                    ViolationTypeRow.year_id == year.id
                )
            )
        )
        person_codes = sorted(c for c, a in catalog if a in ("individual", "both"))
        unit_codes = sorted(c for c, a in catalog if a in ("collective", "both"))
        t = time.perf_counter()
        conn = db.session.connection()
        info["person_evals"] = ins(
            conn, "person_evals", PERSON_EVAL_COLS, person_eval_rows(args, year.id)
        )
        info["unit_evals"] = ins(
            conn, "unit_evals", UNIT_EVAL_COLS, unit_eval_rows(args, city, year.id)
        )
        info["violations"] = ins(
            conn,
            "violations",
            VIOLATION_COLS,
            violation_rows(args, city, year.id, person_codes, unit_codes),
        )
        benchdb.fix_sequences(conn, ("person_evals", "unit_evals", "violations"))
        info["inputs_seconds"] = time.perf_counter() - t
        # the count columns were inserted in bulk: their unnamed entries in the registry, as
        # a save or an import writes them (awards.unnamed), or the proposals would not see them
        from awards.unnamed import sync_stored_counts

        t = time.perf_counter()
        info["unnamed_initiatives"] = sync_stored_counts(YEAR)
        info["unnamed_seconds"] = time.perf_counter() - t
        if args.history:  # after the sync above: its unnamed entries are written in bulk too
            info["history"] = benchhistory.insert_history(
                db.session.connection(), args.history, YEAR, args.seed
            )
        db.session.commit()
        info["party_members"] = db.session.scalar(
            select(func.count(Person.id)).where(Person.is_party_member)
        )
    t = time.perf_counter()
    with app.app_context():
        analyze(db)
    info["analyze_seconds"] = time.perf_counter() - t
    info["build_seconds"] = time.perf_counter() - t0
    return info


def analyze(db) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would soon after a bulk load (SQLite: none,
    the service never runs ANALYZE there)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def existing_build(args) -> bool:
    """A database of an earlier build with the same sizes (counts and the year)."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from evaluation.models import EvalYear
    from service.extensions import db
    from service.org.models import Person, Unit

    expected_units = 1 + args.districts * (4 + args.wards * (1 + args.offices * (1 + args.cells)))
    app = benchdb.make_app()
    try:
        with app.app_context():
            n_units = db.session.scalar(select(func.count(Unit.id)))
            n_people = db.session.scalar(select(func.count(Person.id)))
            year = db.session.scalar(select(EvalYear.id).where(EvalYear.year == YEAR))
    except SQLAlchemyError:
        return False
    return n_units == expected_units and n_people == args.people and year is not None


def existing_history() -> int:
    """How many past years of history the earlier build holds."""
    from service.extensions import db

    app = benchdb.make_app()
    with app.app_context():
        return benchhistory.history_years(db.session.connection(), YEAR)


def step_history(args) -> dict:
    """Replace an earlier build's history with `args.history` years of it (none: removed)."""
    from service.extensions import db

    app = benchdb.make_app()
    with app.app_context():
        conn = db.session.connection()
        t = time.perf_counter()
        out: dict = {"removed": benchhistory.drop_history(conn)}
        out["remove_seconds"] = time.perf_counter() - t
        if args.history:
            out.update(benchhistory.insert_history(conn, args.history, YEAR, args.seed))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            t = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                for table in ("history", "initiatives", "initiative_authors"):
                    c.exec_driver_sql(f"VACUUM ANALYZE {table}")
            out["analyze_seconds"] = time.perf_counter() - t
    return out


def history_line(h: dict) -> str:
    if not h.get("history"):
        return "    no history"
    return (
        f"    history {h['years'][0]}–{h['years'][-1]}: {h['history']:,} rows, "
        f"{h['initiatives']:,} unnamed registry entries ({h['initiative_authors']:,} authored), "
        f"in {h['seconds']:.1f} s; levels {h['levels']}; awards {h['awards']}"
    )


def reuse_build(run_step, history: int) -> bool:
    """--reuse: whether an earlier build of the same sizes is there; its history made
    `history` years (replaced) when it holds another number of them. `run_step(step)` runs
    bench_recompute's child step and returns its result."""
    found = run_step("reusable")
    if not found["reusable"]:
        return False
    print("reusing the database built by an earlier run (--reuse)")
    if found["history"] != history:
        h = run_step("history")
        print(
            f"    its history ({found['history']} years, {h['removed']:,} rows removed in "
            f"{h['remove_seconds']:.1f} s) made {history} years:"
        )
        print(history_line(h))
    else:
        print(f"    with {found['history']} years of history")
    return True


# ---------------------------------------------------------------------------------------------
# measuring (each in a fresh interpreter)


class Phases:
    """Timestamps of recompute's progress calls: where the time goes, without touching it."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.marks: list[tuple[float, int, int, str]] = []

    def __call__(self, done: int, total: int, message: str) -> None:
        self.marks.append((time.perf_counter() - self.t0, done, total, message))

    def summary(self) -> dict:
        out: dict = {"parts": 0}
        for t, done, _total, message in self.marks:
            if message.endswith("tập thể"):
                out["setup_s"] = t  # pack, catalog, units, approved lists, overrides
            elif done == 0 and message.endswith("cá nhân"):
                out["units_and_parts_s"] = t - out.get("setup_s", 0)
                out["people_start_s"] = t
            elif message.endswith("cá nhân"):
                out["parts"] += 1
                out["people_s"] = t - out.get("people_start_s", 0)
        return out


def _profiler(args):
    if not args.profile:
        return None
    import cProfile

    return cProfile.Profile()


def _print_profile(profiler) -> None:
    if profiler is None:
        return
    import io
    import pstats

    for order in ("cumulative", "tottime"):
        s = io.StringIO()
        pstats.Stats(profiler, stream=s).sort_stats(order).print_stats(35)
        sys.stderr.write(s.getvalue())


def step_full(args) -> dict:
    from sqlalchemy import func, select, update

    from evaluation.compute import recompute
    from evaluation.models import Rating
    from evaluation.queries import get_year
    from service.extensions import db

    app = benchdb.make_app()
    profiler = _profiler(args)
    with app.app_context():
        year = get_year(YEAR)
        if args.forget_digests or args.forget_every:
            # every stored rating then differs from its new result: the worst case of the
            # writes; with --forget-every N, those of every Nth person (as if their inputs
            # had changed)
            where = [Rating.year_id == year.id]
            if args.forget_every:
                where.append(Rating.person_id % args.forget_every == 0)
            db.session.execute(update(Rating).where(*where).values(digest=None))
            db.session.commit()
            if db.engine.dialect.name == "postgresql" and not args.no_vacuum:
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM ANALYZE ratings")
            year = get_year(YEAR)
        before = db.session.scalar(select(func.count(Rating.id)).where(Rating.year_id == year.id))
        db.session.commit()  # the count's transaction is not the recompute's
        year = get_year(YEAR)
        baseline = benchdb.peak_rss_mb()
        phases = Phases()
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        counts = recompute(year, None, phases)
        t1 = time.perf_counter()
        db.session.commit()
        t2 = time.perf_counter()
        if profiler:
            profiler.disable()
        peak = benchdb.peak_rss_mb()
        after = db.session.scalar(select(func.count(Rating.id)).where(Rating.year_id == year.id))
    _print_profile(profiler)
    return {
        "seconds": t2 - t0,
        "commit_seconds": t2 - t1,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "ratings_before": before,
        "ratings_after": after,
        "counts": counts,
        **phases.summary(),
    }


def step_partial(args) -> dict:
    from sqlalchemy import select

    from evaluation.compute import recompute
    from evaluation.queries import get_year
    from service.extensions import db
    from service.org.models import Unit

    app = benchdb.make_app()
    profiler = _profiler(args)
    out: dict = {}
    with app.app_context():
        baseline = benchdb.peak_rss_mb()
        # an office of the first ward of D02 (even: the ward's own part) and of D01 (odd: the
        # whole district is one part); what a save of one person's evaluation recomputes
        for label, code in (("ward part", "D02W01O01"), ("district part", "D01W01O01")):
            samples = []
            phases_list = []
            counts = None
            for _ in range(args.partial_runs):
                year = get_year(YEAR)
                unit = db.session.scalar(select(Unit).where(Unit.code == code))
                phases = Phases()
                if profiler:
                    profiler.enable()
                t0 = time.perf_counter()
                counts = recompute(year, unit, phases)
                db.session.commit()
                samples.append(time.perf_counter() - t0)
                if profiler:
                    profiler.disable()
                phases_list.append(phases.summary())
            out[label] = {
                "unit": code,
                "samples": samples,
                "counts": counts,
                "phases": phases_list[-1],
            }
        out["baseline_rss_mb"] = baseline
        out["peak_rss_mb"] = benchdb.peak_rss_mb()
    _print_profile(profiler)
    return out


def use_compute_file(path: str) -> None:
    """Measure another version of evaluation/compute.py (e.g. the committed one, for a
    before/after): loaded under its real name before the app imports it."""
    import importlib.util

    import evaluation

    spec = importlib.util.spec_from_file_location("evaluation.compute", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["evaluation.compute"] = module
    spec.loader.exec_module(module)
    evaluation.compute = module


def child(args) -> None:
    benchdb.configure_env(args.db, NAME)
    if args.compute_file:
        use_compute_file(args.compute_file)
    if args.step == "build":
        result = build(args)
    elif args.step == "reusable":
        result = {"reusable": existing_build(args)}
        result["history"] = existing_history() if result["reusable"] else 0
    elif args.step == "history":
        result = step_history(args)
    elif args.step == "full":
        result = step_full(args)
    else:
        result = step_partial(args)
    print("RESULT " + json.dumps(result, default=str))


def child_args(args, step: str) -> list[str]:
    out = ["--db", args.db, "--step", step]
    for opt in (
        "people",
        "districts",
        "wards",
        "offices",
        "cells",
        "seed",
        "partial_runs",
        "forget_every",
        "history",
    ):
        out += [f"--{opt.replace('_', '-')}", str(getattr(args, opt))]
    for flag in ("forget_digests", "no_vacuum"):
        if getattr(args, flag):
            out.append(f"--{flag.replace('_', '-')}")
    if args.profile:
        out.append("--profile")
    if args.compute_file:
        out += ["--compute-file", args.compute_file]
    return out


def report_full(label: str, r: dict) -> bool:
    ok_time = r["seconds"] < TARGET_SECONDS
    ok_mem = r["peak_rss_mb"] < TARGET_RSS_MB
    c = r["counts"]
    print(
        f"{label}: {r['seconds']:.2f} s [{'OK' if ok_time else 'OVER'} < {TARGET_SECONDS:.0f} s], "
        f"peak RSS {r['peak_rss_mb']:.0f} MB [{'OK' if ok_mem else 'OVER'} < "
        f"{TARGET_RSS_MB:.0f} MB] (baseline {r['baseline_rss_mb']:.0f} MB)"
    )
    tail = r["seconds"] - r["commit_seconds"] - r.get("people_start_s", 0) - r.get("people_s", 0)
    print(
        f"    from its progress calls: {r.get('setup_s', 0):.2f} s to 'units', "
        f"{r.get('units_and_parts_s', 0):.2f} s more to 'people 0/N', "
        f"{r.get('people_s', 0):.2f} s for the people in {r['parts']} parts, "
        f"{tail:.2f} s to the end (last writes), commit {r['commit_seconds']:.2f} s"
    )
    print(
        f"    {c['people']:,} people → {c['official']:,} official + {c['party']:,} party ratings, "
        f"{c['units']:,} unit ratings; ratings in the table {r['ratings_before']:,} → "
        f"{r['ratings_after']:,}"
    )
    if "written" in c:
        print(
            f"    written {c['written']:,} (of them rewritten {c['rewritten']:,}), unchanged "
            f"{c['unchanged']:,}, removed {c['removed']:,}"
        )
    return ok_time and ok_mem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--districts", type=int, default=16)
    parser.add_argument("--wards", type=int, default=10, help="per district")
    parser.add_argument("--offices", type=int, default=12, help="per ward")
    parser.add_argument("--cells", type=int, default=12, help="cells per office")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--full-runs", type=int, default=2)
    parser.add_argument(
        "--rewrite-runs",
        type=int,
        default=1,
        help="full runs after the stored digests are cleared: every rating is rewritten",
    )
    parser.add_argument("--forget-digests", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--changed-runs",
        type=int,
        default=1,
        help="full runs after the digests of every 10th person's ratings are cleared (as if "
        "a tenth of the inputs had changed): those are rewritten",
    )
    parser.add_argument("--forget-every", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--partial-runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a matching earlier build")
    parser.add_argument("--profile", action="store_true", help="cProfile each measured step")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="PostgreSQL: no VACUUM ANALYZE of the ratings between the steps",
    )
    parser.add_argument(
        "--compute-file",
        help="measure this copy of evaluation/compute.py instead (e.g. `git show "
        "HEAD:evaluation/compute.py > /tmp/compute_before.py`, for a before/after)",
    )
    parser.add_argument(
        "--what-if",
        action="append",
        choices=sorted(WHAT_IFS),
        help="measure with a proposed change applied to the benchmark database only",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="past years of history (levels, titles, initiative counts) for every person and "
        "unit (benchhistory.py); with --reuse an earlier build gets its history replaced when "
        "it holds another number of years",
    )
    parser.add_argument("--step", choices=["build", "reusable", "history", "full", "partial"])
    args = parser.parse_args()
    if args.step:
        child(args)
        return
    if args.what_if and args.db != "postgresql":
        parser.error("--what-if no-rating-fks is for PostgreSQL")

    script = str(Path(__file__).resolve())
    print(f"database: {benchdb.db_url(args.db, NAME)}; load average {benchdb.load_average()}")
    print(f"service code: {benchdb.code_version()}")
    if args.compute_file:
        print(f"MEASURING {args.compute_file} as evaluation/compute.py")
    t0 = time.perf_counter()
    reused = args.reuse and reuse_build(
        lambda step: benchdb.run_child(script, child_args(args, step)), args.history
    )
    if not reused:
        info = benchdb.run_child(script, child_args(args, "build"))
        print(
            f"built {info['units']:,} units, {info['people']:,} people ({info['party_members']:,} "
            f"party members) in {info['people_seconds']:.1f} s, {info['person_evals']:,} person "
            f"evaluations, {info['unit_evals']:,} unit evaluations, {info['violations']:,} "
            f"violations in {info['inputs_seconds']:.1f} s, analyze {info['analyze_seconds']:.1f} "
            f"s; total {info['build_seconds']:.1f} s"
        )
        print(f"    people per district: {info['people_per_district']}")
        if "history" in info:
            print(history_line(info["history"]))
    good = True
    restore = drop_rating_fks() if "no-rating-fks" in (args.what_if or []) else None
    try:
        good = measure(args, script)
    finally:
        if restore:
            benchdb.pg_sql(restore)
            print("WHAT-IF undone: the foreign keys of ratings are back")
    print(
        f"load average at the end: {benchdb.load_average()}; "
        f"whole run {time.perf_counter() - t0:.0f} s"
    )
    print("TARGETS MET" if good else "TARGET MISSED")
    sys.exit(0 if good else 1)


WHAT_IFS = {
    "no-rating-fks": "PostgreSQL: the four foreign keys of ratings (year, person, unit, list unit) "
    "dropped for the run (every inserted rating row checks three of them), added back after",
}


def drop_rating_fks() -> str:
    """WHAT-IF: drop the foreign keys of ratings in the benchmark database; returns the SQL
    that adds them back exactly as they were."""
    rows = benchdb.pg_sql(
        "SELECT conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'ratings'::regclass AND contype = 'f' ORDER BY conname"
    ).splitlines()
    names = [r.split("|", 1)[0] for r in rows]
    benchdb.pg_sql("ALTER TABLE ratings " + ", ".join(f"DROP CONSTRAINT {n}" for n in names))
    print(f"WHAT-IF (not the schema as migrated): {WHAT_IFS['no-rating-fks']}: {', '.join(names)}")
    return "ALTER TABLE ratings " + ", ".join(
        f"ADD CONSTRAINT {r.split('|', 1)[0]} {r.split('|', 1)[1]}" for r in rows
    )


def measure(args, script: str) -> bool:
    good = True
    vacuum = args.db == "postgresql" and not args.no_vacuum
    if vacuum:
        print(
            f"autovacuum is {'on' if benchdb.autovacuum_is_on() else 'OFF'} on this server: "
            "VACUUM ANALYZE ratings before each step, as autovacuum would have done by then"
        )
    # (runs, what the stored digests lose first, label)
    cases = (
        (args.full_runs, {}, "full recompute"),
        (
            args.rewrite_runs,
            {"forget_digests": True},
            "full recompute, every stored rating rewritten (digests cleared)",
        ),
        (
            args.changed_runs,
            {"forget_every": 10},
            "full recompute, every 10th person's ratings rewritten (digests cleared)",
        ),
    )
    for runs, forget, label in cases:
        vars(args).update(forget)
        for run in range(1, runs + 1):
            if vacuum:
                benchdb.vacuum_analyze("ratings")
            r = benchdb.run_child(script, child_args(args, "full"), show_stderr=args.profile)
            good = report_full(f"{label} {run}", r) and good
        args.forget_digests, args.forget_every = False, 0
    if not args.partial_runs:
        return good
    if vacuum:
        benchdb.vacuum_analyze("ratings")
    r = benchdb.run_child(script, child_args(args, "partial"), show_stderr=args.profile)
    for label in ("ward part", "district part"):
        p = r[label]
        s = benchdb.summary_ms(p["samples"])
        ph = p["phases"]
        print(
            f"partial recompute, {label} (unit {p['unit']}, {p['counts']['people']:,} people, "
            f"{p['counts']['units']:,} unit ratings rated): {benchdb.fmt_ms(s)}"
        )
        print(
            f"    last run, from its progress calls: {ph.get('setup_s', 0) * 1000:.0f} ms to "
            f"'units', {ph.get('units_and_parts_s', 0) * 1000:.0f} ms more to 'people 0/N', "
            f"{ph.get('people_s', 0) * 1000:.0f} ms for the people, then the last writes "
            "and the commit"
        )
    print(f"    partial process peak RSS {r['peak_rss_mb']:.0f} MB")
    return good


if __name__ == "__main__":
    main()
