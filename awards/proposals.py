"""The proposals of a year, read-only (RULES.md C, P): the facts from the database
(awards.facts), the pure rules (awards.rules.propose_year), then what a unit's subtree gets:
one item per (subject, award) proposed, over the cap (C2) or blocked (C0), and the Huy hiệu
Đảng lists per occasion (P4) with those a party discipline holds. Computed, not stored:
awards.lists stores them as a list's nominations."""

from __future__ import annotations

import multiprocessing
from collections import deque
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select, text

from awards.catalog_year import catalog_of
from awards.facts import Part, PeopleFacts, YearSource, part_rows, people_facts, year_source
from awards.rules import DEFAULT_AWARDS, occasions, party_age
from awards.rules.dates import dmy
from awards.rules.year import PeopleOutcome, UnitTally, propose_people, propose_units
from evaluation import queries as eq
from service.auth.access import scope_paths
from service.common.workers import fork_processes
from service.common.workers import worker_init as _worker_init
from service.extensions import db
from service.org.models import Unit

STATUS_LABELS = {
    "proposed": "Đề nghị",
    "over_cap": "Vượt giới hạn tỷ lệ",
    "blocked": "Không xét (đang bị xem xét)",
}
SUBJECT_LABELS = {"person": "Cá nhân", "unit": "Tập thể"}


def award_name(code: str | None) -> str | None:
    kind = DEFAULT_AWARDS.get(code) if code else None
    return kind.name if kind is not None else code


def award_label(code: str | None) -> str | None:
    """The award's full Vietnamese name with its code: "Chiến sĩ thi đua cơ sở (CSTDCS)"."""
    return f"{award_name(code)} ({code})" if code else None


@dataclass
class Proposals:
    year: int
    unit: Unit | None
    items: list[dict]
    occasions: list[dict]


def top_units(user, permission: str) -> list[Unit]:
    """The top units of `user`'s reach for `permission` (an administrator's: the roots of the
    tree), in path order."""
    paths = scope_paths(user, permission)
    if paths is None:
        stmt = select(Unit).where(Unit.parent_id.is_(None))
    else:
        tops = sorted(p for p in set(paths) if not any(p != q and p.startswith(q) for q in paths))
        stmt = select(Unit).where(Unit.path.in_(tops))
    return list(db.session.scalars(stmt.order_by(Unit.path)))


def _roots(user, unit: Unit | None) -> list[Unit | None]:
    """The subtrees to answer: the chosen unit, else each top unit of the user's reach
    (everything, None, for an administrator)."""
    if unit is not None:
        return [unit]
    if scope_paths(user, "award.read") is None:
        return [None]
    return top_units(user, "award.read")


def _step(rule: str, text: str) -> list[dict]:
    return [{"rule": rule, "text": text}]


class Entry(NamedTuple):
    """One (subject, award) of a proposal: proposed, over the cap (C2) or blocked (C0)."""

    subject: str  # "person" | "unit"
    code: str
    subject_id: int
    award: str | None  # None when blocked
    status: str
    rule: str
    why: str
    occasion: date | None  # P4: the occasion
    provisional: bool


@dataclass
class Batch:
    """The entries of one part of a gathering root's people (`part`, the ids of its people),
    or, last, of its units (`part` None). In one process also the part's `facts`, their
    `outcome` and the codes `inside` the unit asked for, in order (None with workers)."""

    entries: list[Entry]
    part: Part | None
    ids: list[int]
    done: int  # people rated so far
    total: int  # people of the gathering root
    src: YearSource
    facts: PeopleFacts | None = None
    outcome: PeopleOutcome | None = None
    inside: list[str] | None = None


def _within(path: str | None, unit_path: str) -> bool:
    return path is None or unit_path.startswith(path)


@dataclass
class _Context:
    """What rating a part needs besides its rows (inherited by forked worker processes)."""

    src: YearSource
    by_code: dict
    days: list
    cap_pct: int | None
    path: str | None  # the unit asked for (None: everything)
    unit_path: dict[str, str]


def _rate_part(ctx: _Context, part: Part, rows, tally: UnitTally):
    """One part's facts (from its rows), outcome, codes inside the unit, and entries."""
    facts = people_facts(ctx.src, part, rows)
    outcome = propose_people(ctx.src.year, facts.people, ctx.by_code, tally, ctx.days, ctx.cap_pct)
    people, provisional = facts.person_rows, facts.provisional
    path, unit_path = ctx.path, ctx.unit_path
    inside = sorted(code for code, row in people.items() if _within(path, unit_path[row["unit"]]))
    badge_day = {}
    for day, due in outcome.badges.items():
        for b in due:
            badge_day[(b.code, b.badge)] = day
    entries: list[Entry] = []
    add = entries.append
    # one object per distinct reason (a city's 711,000 entries have 232,000): a worker's
    # pickle sends each once, and the storing process makes each one's JSON once
    one = {}
    for code in inside:
        got = outcome.people[code]
        pid = people[code]["id"]
        late = ("person", code) in provisional
        if got.blocked:
            why = one.setdefault(got.blocked.text, got.blocked.text)
            add(Entry("person", code, pid, None, "blocked", "C0", why, None, late))
        for a in got.awards.values():
            day = badge_day.get((code, a.code)) if a.rule == "P4" else None
            add(Entry("person", code, pid, a.code, "proposed", a.rule, one.setdefault(a.why, a.why),
                      day, late and a.rule != "P4"))  # fmt: skip
        for a in got.cut.values():
            why = one.setdefault(a.why, a.why)
            add(Entry("person", code, pid, a.code, "over_cap", a.rule, why, None, late))
    return facts, outcome, inside, entries


_FORKED: _Context | None = None  # the context a forked worker process inherits
_FORKED_APP = None  # the app whose engine a worker reading its own rows connects with
_INIT_ERROR: Exception | None = None  # what stopped such a worker's start


def _child_rate(task):
    """In a worker process: rate one part from its rows; (entries, people ids, tally)."""
    part, rows = task
    tally = UnitTally()
    facts, _outcome, _inside, entries = _rate_part(_FORKED, part, rows, tally)
    return entries, [r["id"] for r in facts.person_rows.values()], tally


def _reader_init() -> None:
    """A worker that reads its own parts' rows (proposal_batches with `read_ahead` on
    PostgreSQL): a new pool of connections for this process (SQLAlchemy's rule for os.fork:
    the inherited connections are the parent's, never used or closed here), an app context and
    session of its own, and its own copy of the year's row (the parent's belongs to the
    parent's session)."""
    global _FORKED, _INIT_ERROR
    try:
        _worker_init()
        ctx = _FORKED_APP.app_context()
        ctx.push()  # a session of this process's own; the inherited one is never touched
        db.engine.dispose(close=False)
        src = replace(_FORKED.src, year_row=eq.get_year(_FORKED.src.year))
        _FORKED = replace(_FORKED, src=src)
    except Exception as err:  # noqa: BLE001 - raised by each task: a pool whose initializer
        _INIT_ERROR = err  # raises starts new workers forever and the job would never end


def _child_read_rate(part: Part):
    """In a worker process of _reader_init: read one part's rows on this process's own
    connection (committed data), end the transaction, then rate them (_child_rate)."""
    if _INIT_ERROR is not None:
        raise _INIT_ERROR
    # no parallel query: the proposal's processes already take every core, and a part's
    # queries run 2-3 times the CPU in PostgreSQL's parallel workers for the same answer; no
    # JIT: the registry's count (estimated above jit_above_cost) compiled 9-28 ms of code per
    # part for a query of about 140 ms
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    db.session.execute(text("SET LOCAL jit = off"))
    rows = part_rows(_FORKED.src, part)
    db.session.rollback()  # no transaction held while rating
    return _child_rate((part, rows))


def _rows_in_turn(src: YearSource):
    """The parts' rows in order, read on the caller's session."""
    for part in src.parts:
        yield part, part_rows(src, part)


def processes_for(parts: int) -> int:
    """Worker processes rating the parts of a proposal (1: in this process)."""
    return fork_processes("AWARDS_PROPOSE_PROCESSES", parts)


def proposal_batches(
    year: int,
    unit: Unit | None,
    part_people: int | None = None,
    processes: int | None = 1,
    read_ahead: bool = False,
):
    """The proposals of `year` for the subtree of `unit` (everything when None), part by part
    of the gathering root's people (whole emulation scopes, awards.facts.year_source), then
    the units': one part's facts and outcome held at a time. `processes` (None: the app's
    AWARDS_PROPOSE_PROCESSES) > 1 rates the parts in forked worker processes while the caller
    stores the last part's. The workers are handed the rows this process reads, in turn; with
    `read_ahead` on PostgreSQL (only when the facts are committed: the job) each worker reads
    its own parts' rows on a connection of its own, so that this process only stores."""
    global _FORKED, _FORKED_APP
    src = year_source(year, unit, part_people)
    ctx = _Context(
        src,
        {u.code: u for u in src.units},
        sorted(occasions(year)),
        catalog_of(year)["CSTDCS"].cap_pct,
        unit.path if unit is not None else None,
        {c: r["path"] for c, r in src.unit_rows.items()},
    )
    tally = UnitTally()
    done, total = 0, src.people
    if processes is None:
        processes = processes_for(len(src.parts))
    if processes <= 1 or len(src.parts) < 2:
        for part in src.parts:
            facts, outcome, inside, entries = _rate_part(ctx, part, None, tally)
            done += len(facts.people)
            ids = [r["id"] for r in facts.person_rows.values()]
            yield Batch(entries, part, ids, done, total, src, facts, outcome, inside)
            del facts, outcome, entries
    else:
        own_reads = read_ahead and db.session.get_bind().dialect.name == "postgresql"
        _FORKED = ctx
        _FORKED_APP = current_app._get_current_object() if own_reads else None
        try:
            init = _reader_init if own_reads else _worker_init
            with multiprocessing.get_context("fork").Pool(processes, init) as pool:
                in_flight: deque = deque()

                def collect() -> Batch:
                    nonlocal done
                    part_done, pending = in_flight.popleft()
                    entries, ids, found = pending.get()
                    tally.add(found)
                    done += len(ids)
                    return Batch(entries, part_done, ids, done, total, src)

                if own_reads:
                    tasks = ((part, _child_read_rate, part) for part in src.parts)
                else:
                    tasks = ((p, _child_rate, (p, rows)) for p, rows in _rows_in_turn(src))
                for part, fn, arg in tasks:
                    in_flight.append((part, pool.apply_async(fn, (arg,))))
                    del arg
                    if len(in_flight) > processes:
                        yield collect()
                while in_flight:
                    yield collect()
        finally:
            _FORKED = _FORKED_APP = None
    units_out = propose_units(year, ctx.by_code, tally)
    entries = []
    for code in sorted(c for c in units_out if _within(ctx.path, ctx.unit_path[c])):
        got = units_out[code]
        uid = src.unit_rows[code]["id"]
        late = ("unit", code) in src.unit_provisional
        if got.blocked:
            why = got.blocked.text
            entries.append(Entry("unit", code, uid, None, "blocked", "C0", why, None, late))
        for a in got.awards.values():
            entries.append(Entry("unit", code, uid, a.code, "proposed", a.rule, a.why, None, late))
    yield Batch(entries, None, [], done, total, src)


def _item(e: Entry, person_rows: dict, unit_rows: dict) -> dict:
    if e.subject == "person":
        row = person_rows[e.code]
        name, unit = row["name"], row["unit"]
    else:
        name, unit = unit_rows[e.code]["name"], e.code
    return {
        "subject_id": e.subject_id,
        "subject": e.subject,
        "code": e.code,
        "name": name,
        "unit": unit,
        "unit_name": unit_rows[unit]["name"],
        "award": e.award,
        "award_name": award_name(e.award),
        "award_label": award_label(e.award),
        "status": e.status,
        "rule": e.rule,
        "why": _step(e.rule, e.why),
        "occasion": dmy(e.occasion) if e.occasion else None,
        "provisional": e.provisional,
    }


def proposals_of(year: int, unit: Unit | None) -> tuple[list[dict], list[dict]]:
    """(items, occasions) of `year` for the subtree of `unit` (everything when None)."""
    eq.get_year(year)  # 404 when the year is not open, before its occasions are made
    people: list[dict] = []
    units: list[dict] = []
    days: dict[date, tuple[list, list]] = {d: ([], []) for d in occasions(year)}
    for batch in proposal_batches(year, unit):
        unit_rows = batch.src.unit_rows
        if batch.part is None:
            units = [_item(e, {}, unit_rows) for e in batch.entries]
            continue
        rows = batch.facts.person_rows
        people += [_item(e, rows, unit_rows) for e in batch.entries]
        for day, (due, waiting) in _occasions(batch).items():
            got = days.setdefault(day, ([], []))
            got[0].extend(due)
            got[1].extend(waiting)
    people.sort(key=lambda i: i["code"])  # stable: each person's items keep their order
    out = []
    for day in sorted(days):
        due, waiting = days[day]
        due.sort(key=lambda b: b["code"])
        waiting.sort(key=lambda b: b["code"])
        out.append({"date": dmy(day), "due": due, "waiting": waiting})
    return people + units, out


def _occasions(batch: Batch) -> dict:
    """{day: (due rows, waiting rows)} of the batch's people inside the unit."""
    facts, outcome, inside = batch.facts, batch.outcome, set(batch.inside)
    admitted = {p.code: p for p in facts.people}
    out = {}
    for day in outcome.badges:
        due = [
            _badge(facts, b.code, b.badge, b.party_age, b.reach_date, "due", b.why)
            for b in outcome.badges[day]
            if b.code in inside
        ]
        waiting = []
        for h in outcome.waiting.get(day, []):
            if h.code not in inside:
                continue
            p = admitted[h.code]
            age = party_age(p.admitted_on, p.gap_days, day)
            row = _badge(facts, h.code, h.badge, age, h.reach_date, "waiting", h.why)
            row["until"] = dmy(h.until)
            waiting.append(row)
        out[day] = (due, waiting)
    return out


def _badge(facts, code, badge, age, reach, status, why) -> dict:
    row = facts.person_rows[code]
    return {
        "code": code,
        "name": row["name"],
        "unit": row["unit"],
        "badge": badge,
        "badge_name": award_name(badge),
        "party_age": age,
        "reach_date": dmy(reach),
        "status": status,
        "until": None,
        "why": _step("P4", why),
    }


def read_proposals(user, year: int, unit: Unit | None) -> Proposals:
    """The proposals `user` may read: of `unit` (already checked to be within their reach), or
    of each top unit of their reach."""
    items: list[dict] = []
    occasions: dict[str, dict] = {}
    for root in _roots(user, unit):
        found, days = proposals_of(year, root)
        items += found
        for o in days:
            merged = occasions.setdefault(o["date"], {"date": o["date"], "due": [], "waiting": []})
            merged["due"] += o["due"]
            merged["waiting"] += o["waiting"]
    return Proposals(year, unit, items, list(occasions.values()))
