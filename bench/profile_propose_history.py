"""Where the history's time goes in the awards proposal (not a test; run it under the lock): the
first part of bench_recompute's city (PostgreSQL, BENCH_PG_DB), step by step in one process,
with its history and with it left out (history rows [], the registry's counts of the year only),
the garbage collector paused as in the job.
Also the same history rows read four ways (ORM query, awards as text, .tuples(), raw psycopg).

    BENCH_PG_DB=bench_propohist flock /work/bench.lock .venv/bin/python \\
        bench/profile_propose_history.py
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

YEAR = 2026


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _took(t) -> str:
    w, c = _clock()
    return f"{w - t[0]:.2f} s wall ({c - t[1]:.2f} CPU)"


def main() -> None:
    benchdb.configure_env("postgresql", "bench_recompute")
    from sqlalchemy import Text, cast, select

    from awards import facts as F
    from awards.catalog_year import catalog_of
    from awards.proposals import _Context, _rate_part
    from awards.queries import initiative_counts
    from awards.rules import occasions
    from awards.rules.year import UnitTally, propose_people
    from evaluation import queries as eq
    from evaluation.models import History
    from service.common.gcpause import gc_paused
    from service.extensions import db
    from service.org.models import Person, Unit

    app = benchdb.make_app()
    with app.app_context(), gc_paused():  # as the proposal job runs (and its forked workers)
        print(f"database {benchdb.db_url('postgresql', '')}; load {benchdb.load_average()}")
        t = _clock()
        src = F.year_source(YEAR)
        print(f"year_source {_took(t)}; years {src.years}, {len(src.parts)} parts")
        t = _clock()
        units = eq.history_before(YEAR, subjects=("unit",))
        print(f"    of it the units' history_before {_took(t)}, {len(units):,} rows")
        part = src.parts[0]
        within = part.clause()
        for label in ("part_rows", "part_rows again"):
            t = _clock()
            rows = F.part_rows(src, part)
            print(
                f"{label} {_took(t)}: {len(rows[0]):,} people, {len(rows[3]):,} history rows, "
                f"{len(rows[4]):,} (person, year) counts"
            )
        t = _clock()
        n = len(eq.history_before(YEAR, within=within, subjects=("person",)))
        print(f"    history_before {_took(t)}, {n:,} rows")
        t = _clock()
        n = len(initiative_counts(src.years, within=within, subjects=("person",))[0])
        print(f"    initiative_counts {src.years[0]}–{YEAR} {_took(t)}, {n:,}")
        t = _clock()
        only = initiative_counts([YEAR], within=within, subjects=("person",))[0]
        print(f"    initiative_counts {YEAR} only {_took(t)}, {len(only):,}")

        bare = (rows[0], rows[1], rows[2], [], only)
        ctx = _Context(
            src,
            {u.code: u for u in src.units},
            sorted(occasions(YEAR)),
            catalog_of(YEAR)["CSTDCS"].cap_pct,
            None,
            {c: r["path"] for c, r in src.unit_rows.items()},
        )
        for label, r in (("with history", rows), ("without", bare)):
            t = _clock()
            blob = pickle.dumps((part, r), protocol=pickle.HIGHEST_PROTOCOL)
            dumped = _took(t)
            t = _clock()
            pickle.loads(blob)
            print(f"{label}: pickle {len(blob) / 1e6:.1f} MB {dumped}, unpickle {_took(t)}")
            t = _clock()
            found = F.people_facts(src, part, r)
            print(f"    people_facts {_took(t)}")
            t = _clock()
            propose_people(YEAR, found.people, ctx.by_code, UnitTally(), ctx.days, ctx.cap_pct)
            print(f"    the rules (propose_people) {_took(t)}")
            t = _clock()
            entries = _rate_part(ctx, part, r, UnitTally())[3]
            print(f"    _rate_part (facts, rules, entries) {_took(t)}, {len(entries):,} entries")

        # the same history rows, read four ways
        as_text = (
            select(
                History.year,
                History.person_id,
                History.unit_id,
                History.official_level,
                History.party_level,
                cast(History.awards, Text),
                History.initiatives_base,
                History.initiatives_city,
            )
            .join(Person, History.person_id == Person.id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(History.year < YEAR, within)
        )
        sql = str(as_text.compile(db.engine, compile_kwargs={"literal_binds": True}))
        raw = db.session.connection().connection.driver_connection

        def on_cursor(text):
            with raw.cursor() as cur:
                cur.execute(text)
                return cur.fetchall()

        ways = (
            (
                "history_before",
                lambda: eq.history_before(YEAR, within=within, subjects=("person",)),
            ),
            ("awards as text", lambda: db.session.execute(as_text).all()),
            ("awards as text, .tuples()", lambda: db.session.execute(as_text).tuples().all()),
            ("raw psycopg cursor, awards as text", lambda: on_cursor(sql)),
            (
                "raw psycopg cursor, awards as json",
                lambda: on_cursor(sql.replace("CAST(history.awards AS TEXT)", "history.awards")),
            ),
        )
        for label, read in ways:
            t = _clock()
            n = len(read())
            print(f"read {label}: {_took(t)}, {n:,} rows")


if __name__ == "__main__":
    main()
