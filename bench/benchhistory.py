"""The bench city's history ("Lịch sử", `--history N` of bench_recompute.py): N past years of
levels, titles and initiative counts for every person and unit, as the award rules read them
(evaluation.queries.history_before, and the registry's unnamed entries of the history's count
columns, awards.unnamed, through awards.queries.initiative_counts).

Deterministic (seeded), inserted in bulk (benchdb.bulk_insert: COPY on PostgreSQL). Each person
has a lasting "strength" (a fifth of them are strong): most years are Hoàn thành tốt (LĐTT),
some Hoàn thành / Không hoàn thành, about 15 % Hoàn thành xuất sắc (mostly the strong); about
two thirds of the XS years a CSTĐCS (about 12 % of the LĐTT: under the C2 cap), a Bằng khen
after two CSTĐCS years running, a CSTĐ thành phố after three; a party member admitted by then
has a party level (mostly the official one); some XS years an initiative (cơ sở, a few thành
phố). So C3, C4, C5, P2 and, for the units (C8, P3 5 years), the multi-year rules fire.

The history model holds no disciplines (a discipline is the evaluated year's input): none are
made here."""

from __future__ import annotations

import json
import random
import time

import benchdb

HISTORY_COLS = (
    "id",
    "year",
    "person_id",
    "unit_id",
    "official_level",
    "party_level",
    "awards",
    "initiatives_base",
    "initiatives_city",
)
INITIATIVE_COLS = (
    "id",
    "year",
    "kind",
    "title",
    "level",
    "unit_id",
    "owner_key",
    "decision_no",
    "decision_date",
    "version",
    "quantity",
    "source",
)
AUTHOR_COLS = ("initiative_id", "person_id", "position")


def _person_years(rng: random.Random, years, member_since):
    """One person's rows (year, official, party, awards, base, city) over `years`, oldest
    first; `member_since`: the year the person joined the party (None: not a member)."""
    strong = rng.random() < 0.2
    cstdcs_run = 0
    for y in years:
        roll = rng.random()
        if strong:
            level = "XS" if roll < 0.6 else "T" if roll < 0.97 else "HT"
        else:
            level = "XS" if roll < 0.04 else "T" if roll < 0.79 else "HT" if roll < 0.97 else "KHT"
        awards = []
        base = city = 0
        if level in ("XS", "T"):
            awards.append("LDTT")
        if level == "XS":
            if rng.random() < 0.65:
                awards.append("CSTDCS")
            if rng.random() < 0.35:
                base = 1 if rng.random() < 0.85 else 2
            if rng.random() < 0.06:
                city = 1
        elif level == "T" and rng.random() < 0.05:
            base = 1
        if "CSTDCS" in awards:
            cstdcs_run += 1
            if cstdcs_run >= 2 and rng.random() < 0.8:
                awards.append("BK_TP")  # C4: CSTĐCS two years running
            elif cstdcs_run == 1 and y == years[0] and strong and rng.random() < 0.3:
                awards.append("BK_TP")  # (the year before the history began was one too)
            if cstdcs_run >= 3 and rng.random() < 0.5:
                awards.append("CSTD_TP")
        else:
            cstdcs_run = 0
        party = None
        if member_since is not None and member_since <= y:
            party = level if rng.random() < 0.85 else ("T" if level == "XS" else level)
        yield y, level, party, awards, base, city


def _unit_years(rng: random.Random, years):
    strong = rng.random() < 0.3
    for y in years:
        roll = rng.random()
        level = "XS" if roll < (0.7 if strong else 0.15) else "T" if roll < 0.95 else "HT"
        if level == "XS":
            awards = ["TTLDXS"] if rng.random() < 0.5 else ["TTLDTT"]
        else:
            awards = ["TTLDTT"] if level == "T" else []
        models = 1 if level == "XS" and rng.random() < 0.1 else 0
        yield y, level, awards, models


def insert_history(conn, years: int, first_year: int, seed: int) -> dict:
    """Insert `years` past years (first_year - years … first_year - 1) of history for every
    person and unit, and the registry's unnamed entries of its count columns (as
    awards.unnamed.sync_counts writes them), inside `conn`'s transaction. Returns counts."""
    from sqlalchemy import select

    from awards.models import HISTORY, MODEL
    from awards.rules.facts import BASE, CITY
    from awards.unnamed import unnamed_owner_key
    from service.org.models import Person, Unit

    t0 = time.perf_counter()
    span = list(range(first_year - years, first_year))
    people = conn.execute(
        select(Person.id, Person.is_party_member, Person.admitted_on).order_by(Person.id)
    ).all()
    units = list(conn.scalars(select(Unit.id).order_by(Unit.id)))
    first_id = conn.exec_driver_sql("SELECT COALESCE(max(id), 0) FROM initiatives").scalar() + 1
    entries: list[tuple] = []  # (year, person_id, unit_id, level, n)
    tally = {"awards": {}, "levels": {}}
    rng = random.Random(seed + 4)

    def rows():
        hid = 0
        for pid, member, admitted in people:
            since = None
            if member:
                since = admitted.year if admitted is not None else span[0]
            for y, level, party, awards, base, city in _person_years(rng, span, since):
                hid += 1
                tally["levels"][level] = tally["levels"].get(level, 0) + 1
                for a in awards:
                    tally["awards"][a] = tally["awards"].get(a, 0) + 1
                if base:
                    entries.append((y, pid, None, BASE, base))
                if city:
                    entries.append((y, pid, None, CITY, city))
                yield hid, y, pid, None, level, party, json.dumps(awards), base, city
        for uid in units:
            for y, level, awards, models in _unit_years(rng, span):
                hid += 1
                if models:
                    entries.append((y, None, uid, BASE, models))
                yield hid, y, None, uid, level, None, json.dumps(awards), models, 0

    out = {"history": benchdb.bulk_insert(conn, "history", HISTORY_COLS, rows())}

    def initiatives():
        for i, (y, pid, uid, level, n) in enumerate(entries):
            kind = MODEL if uid is not None else "sang_kien"
            key = unnamed_owner_key(HISTORY, level, person_id=pid, unit_id=uid)
            yield first_id + i, y, kind, "", level, uid, key, "", None, 1, n, HISTORY

    out["initiatives"] = benchdb.bulk_insert(conn, "initiatives", INITIATIVE_COLS, initiatives())
    authors = (
        (first_id + i, pid, 0) for i, (_y, pid, uid, *_rest) in enumerate(entries) if uid is None
    )
    out["initiative_authors"] = benchdb.bulk_insert(
        conn, "initiative_authors", AUTHOR_COLS, authors
    )
    benchdb.fix_sequences(conn, ("history", "initiatives"))
    out["years"] = span
    out["levels"] = tally["levels"]
    out["awards"] = tally["awards"]
    out["seconds"] = time.perf_counter() - t0
    return out


def drop_history(conn) -> int:
    """Remove every history row and the registry's unnamed entries written from them."""
    from awards.models import HISTORY

    conn.exec_driver_sql(
        "DELETE FROM initiative_authors WHERE initiative_id IN "
        f"(SELECT id FROM initiatives WHERE source = '{HISTORY}')"
    )
    conn.exec_driver_sql(f"DELETE FROM initiatives WHERE source = '{HISTORY}'")
    return conn.exec_driver_sql("DELETE FROM history").rowcount


def history_years(conn, first_year: int) -> int:
    """How many years before `first_year` the history holds."""
    return conn.exec_driver_sql(
        f"SELECT count(DISTINCT year) FROM history WHERE year < {int(first_year)}"
    ).scalar()
