"""Computing a year's ratings from the database and storing them with their explanation.

recompute(year, unit) rates every unit of the year (B1–B5: 25,000 units take well under a
second), then the people, in parts that are closed under the quota scopes: each person's
official scope root (A10: quota root of their unit) and party scope root (quota root of their
party unit) are joined with a union-find, so a part holds every member of each scope it
touches and gives exactly what one whole-year call would. Given a unit, only the part holding
that unit's quota root is rated; without one, the whole year, part by part (bounded memory).

Ratings of lists already approved are locked: kept as stored, and their unit levels cap the
heads below them as approved (A8). Everything else of the recomputed parts is brought up to
date in the caller's transaction (a reader sees the old results or the new ones, never a mix),
writing only what changed: every stored rating keeps a digest of its result (rating_digest:
list, level, score, scope and each step's rule, message template and figures); a new result
with the stored digest is left alone, a changed one replaces its row, and a stored rating not
produced again is deleted. The explanation's text is built only for the rows written. So a
recompute after one save rewrites a handful of rows, and a whole-year recompute of a year that
did not change writes nothing.

Speed (bench/bench_recompute.py, 500,000 people; same results as before, checked row by row):
everything is read first, then written while rating. The parts come from one grouped query (one
unit's part: by following the party links out of its quota root); the whole year streams its
inputs in one query ordered by part (a temporary table maps each unit to its part; on
PostgreSQL a server-side cursor of the driver), one part loads only its units' people; rows
are plain tuples; each part is rated over its own units only; an explanation is stored as
[rule id, template key, figures] per step (steps_text; rating_templates holds the templates,
explain() renders the messages when read), a third of the rendered text and no message
formatted while computing; the cyclic garbage collector is paused. On PostgreSQL the writes
(the DELETEs of the old ratings, then each part's COPY) run in a helper thread, on the same
connection and transaction, while the units and the next part are rated (the caller's thread
does not use the connection meanwhile); a whole year's worker processes hand back each part's
rows as COPY text (copy_data).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import json
import multiprocessing
import os
import queue
import string
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import ARRAY, Integer, any_, column, delete, func, literal, select, table, text

from evaluation.inputs import UNIT_EVAL_FIELDS
from evaluation.models import (
    EvalYear,
    PersonEval,
    QuotaOverride,
    Rating,
    RatingDecision,
    RatingTemplate,
    Review,
    UnitEval,
    Violation,
)
from evaluation.rules import (
    TEMPLATES,
    Level,
    PartyStatus,
    PersonInput,
    RuleStep,
    UnitInput,
    UnitNode,
    UnitTree,
    compute_year,
)
from evaluation.rules import Rating as RatingResult
from evaluation.years import catalog_of, pack_of
from service.extensions import db
from service.org.models import Person, Unit

BATCH = 20_000  # people per part (parts hold whole scopes, so one may be larger)
IDS = 900  # ids per IN (...) list (SQLite allows 32,766 variables; keep statements small)
Progress = Callable[[int, int, str], None]

_EVAL_COLS = (
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
    "counted_before",
    "self_remedied",
    "party_discipline",
    "under_review",
)
_UNIT_COLS = UNIT_EVAL_FIELDS  # every yearly unit input, in the stored order
_ZERO = Decimal(0)
_STREAM = 5_000  # rows per fetch of the whole year's inputs
_PARTS_TABLE = "eval_recompute_parts"  # temporary: unit id -> part number (whole-year runs)


def _in_ids(column, ids) -> list:
    """WHERE clauses that together cover `ids`: one `column = ANY(array)` on PostgreSQL (one
    statement, one parameter), IN lists of IDS ids elsewhere (SQLite's variable limit)."""
    ids = list(ids)
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return [column == any_(literal(ids, ARRAY(Integer)))]
    return [column.in_(chunk) for chunk in _chunks(ids)]


def _chunks(seq, n=IDS):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def scope_key(scope: tuple) -> str:
    return json.dumps(list(scope), ensure_ascii=False)


def scope_tuple(key: str) -> tuple:
    return tuple(json.loads(key)) if key else ()


def steps_json(rating: RatingResult) -> list:
    """The explanation as it reads: [{rule_id, message_vi, figures}] per step (JSON-safe)."""
    return [s.to_dict() for s in rating.steps]


def _json_default(value):
    # what rules._json_safe turns into JSON-safe values (tuples and lists the encoder does)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode

_blake2b = hashlib.blake2b
_TEMPLATE_KEYS: dict[str, str] = {}  # template -> key
_TEMPLATES: dict[str, str] = {}  # key -> template: this process's, and those read back


def _template_key(template: str) -> str:
    found = _TEMPLATE_KEYS.get(template)
    if found is None:
        found = _TEMPLATE_KEYS[template] = _blake2b(template.encode(), digest_size=8).hexdigest()
        _TEMPLATES[found] = template
    return found


for _template in TEMPLATES:
    _template_key(_template)

_STEP_HEADS: dict[tuple[str, str], str] = {}


def steps_text(rating: RatingResult) -> str:
    """The stored explanation: JSON [[rule_id, template key, figures], ...] (rating_templates
    holds each key's template, explain() renders the messages); a step whose figures are the
    step before's (A2 and A3 share theirs) stores 0 for them. About a third of the text of the
    rendered messages with their figures, and built without formatting any message."""
    out = []
    last = None
    heads = _STEP_HEADS
    for s in rating.steps:
        figures = s.figures
        head = heads.get((s.rule_id, s.template))
        if head is None:
            head = heads[(s.rule_id, s.template)] = (
                f"[{_ENCODE(s.rule_id)},{_ENCODE(_template_key(s.template))},"
            )
        if figures is last:
            out.append(head + "0]")
        else:
            last = figures
            out.append(head + _ENCODE(figures) + "]")
    return "[" + ",".join(out) + "]"


class _StoredFigures(string.Formatter):
    """Formats a template over figures read back from JSON: a Decimal or a date stored as text
    is parsed again where the template gives it a format (`{general:.2f}`,
    `{admitted_on:%d/%m/%Y}`), so the message reads exactly as when it was computed."""

    def format_field(self, value, format_spec):
        if format_spec and isinstance(value, str):
            value = dt.date.fromisoformat(value) if "%" in format_spec else Decimal(value)
        return format(value, format_spec)


_FORMAT = _StoredFigures().vformat


def _stored_template(key: str) -> str | None:
    found = _TEMPLATES.get(key)
    if found is None:
        found = db.session.scalar(select(RatingTemplate.template).where(RatingTemplate.id == key))
        if found is not None:
            _TEMPLATES[key] = found  # a key's template never changes
    return found


def explain(steps: list | None) -> list[dict]:
    """A stored explanation as it reads: [{"rule_id", "message_vi", "figures"}] per step, each
    message rendered from its template over its figures. (Rows written before templates were
    keyed hold these dicts already.)"""
    out = []
    figures: dict = {}
    for s in steps or ():
        if isinstance(s, dict):
            out.append(s)
            continue
        rule_id, key, stored = s
        if isinstance(stored, dict):
            figures = stored
        template = _stored_template(key)
        if template is None:  # not expected: the template is written with the first such row
            message = f"{rule_id} {json.dumps(figures, ensure_ascii=False)}"
        else:
            message = _FORMAT(template, (), figures)
        out.append({"rule_id": rule_id, "message_vi": message, "figures": figures})
    return out


def stored_rating(row: Rating, code: str) -> RatingResult:
    """A stored rating back as the pure engine's Rating (for the A11 checks)."""
    steps = tuple(
        RuleStep(
            s["rule_id"],
            s["message_vi"].replace("{", "{{").replace("}", "}}"),
            dict(s.get("figures") or {}),
        )
        for s in explain(row.steps)
    )
    return RatingResult(
        code,
        row.kind,
        Level(row.level),
        row.score,
        row.task_points,
        steps,
        bool(row.provisional),
    )


# PostgreSQL: the last unit tree read, by database, with the digest of the rows it was built
# from (a job process recomputes scope after scope over the same tree).
_UNITS_CACHE: dict[str, tuple[str, _Units]] = {}
_UNITS_DIGEST = (
    "SELECT md5(string_agg(concat_ws(',', id, code, parent_id, quota_root::int), ';' "
    "ORDER BY id)) FROM units"
)


def _load_units() -> _Units:
    """The unit tree as this transaction sees it. On PostgreSQL the server digests the rows
    that make it (every unit's id, code, parent and quota_root): when they are what the last
    tree was built from, that tree is used again (it is never changed once built)."""
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return _Units()
    digest = conn.exec_driver_sql(_UNITS_DIGEST).scalar() or ""
    key = str(conn.engine.url)
    cached = _UNITS_CACHE.get(key)
    if cached is not None and cached[0] == digest:
        return cached[1]
    units = _Units()
    _UNITS_CACHE[key] = (digest, units)
    return units


class _Units:
    """The whole unit tree of the year, by id and by code, with quota roots (read-only once
    built: _load_units hands the same one to later recomputes)."""

    def __init__(self) -> None:
        rows = db.session.execute(select(Unit.id, Unit.code, Unit.parent_id, Unit.quota_root)).all()
        self.code = {uid: code for uid, code, _parent, _q in rows}
        self.id = {code: uid for uid, code, _parent, _q in rows}
        self.parent = {uid: parent for uid, _code, parent, _q in rows}
        code_of = self.code.get
        self.nodes = [UnitNode(code, code_of(parent), bool(q)) for _u, code, parent, q in rows]
        self.tree = UnitTree(self.nodes)
        roots = self.tree.all_quota_roots()
        self.root = {
            uid: roots.get(code) or self.tree.quota_root_of(code) for uid, code, _p, _q in rows
        }
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for uid, _code, parent, _q in rows:
            self.children[parent].append(uid)
        # per quota root: its units' ids and tree nodes (a part is rated over its own units)
        self.ids_by_root: dict[str, list[int]] = defaultdict(list)
        self.nodes_by_root: dict[str, list[UnitNode]] = defaultdict(list)
        for (uid, *_rest), node in zip(rows, self.nodes, strict=True):
            self.ids_by_root[self.root[uid]].append(uid)
            self.nodes_by_root[self.root[uid]].append(node)

    def list_unit(self, unit_id: int) -> int:
        return self.parent.get(unit_id) or unit_id

    def sibling_groups(self, roots: list[str]) -> list[int]:
        """The units under these quota roots with all their siblings: every B5 scope (units
        of one parent) that holds one of them, so rating just these gives the same unit
        ratings as rating the whole tree (a unit's rating depends only on its own inputs and
        on its sibling group's quota)."""
        parents = {self.parent[uid] for r in roots for uid in self.ids_by_root.get(r, ())}
        return sorted({uid for p in parents for uid in self.children.get(p, ())})


def _approved_lists(year_row: EvalYear) -> set[int]:
    return set(
        db.session.scalars(
            select(Review.unit_id).where(Review.year_id == year_row.id, Review.state == "approved")
        )
    )


def _overrides(year_row: EvalYear) -> dict:
    return {
        scope_tuple(o.scope): o.p
        for o in db.session.scalars(
            select(QuotaOverride).where(QuotaOverride.year_id == year_row.id)
        )
    }


def _violation_codes(year_row: EvalYear, column, only=None) -> dict[int, list[str]]:
    """Subject id -> codes of its standing violations: every subject's, or `only` these ids."""
    out: dict[int, list[str]] = defaultdict(list)
    stmt = select(column, Violation.code).where(
        Violation.year_id == year_row.id,
        Violation.removed_at.is_(None),
        column.is_not(None),
    )
    stmts = [stmt] if only is None else [stmt.where(c) for c in _in_ids(column, only)]
    for one in stmts:
        for subject, code in db.session.execute(one.order_by(Violation.id)):
            out[subject].append(code)
    return out


def _dec(value) -> Decimal:
    # Decimal(d) of a Decimal is the same value and exponent: skip the copy
    if value is None:
        return _ZERO
    return value if type(value) is Decimal else Decimal(value)


def _unit_inputs(year_row, units: _Units, only: list[int] | None = None) -> list[UnitInput]:
    """Every unit's yearly inputs, or `only` these units'."""
    violations = _violation_codes(year_row, Violation.unit_id, only)
    inputs = []
    code_of = units.code
    parent_of = units.parent
    stmt = select(UnitEval.unit_id, *(getattr(UnitEval, c) for c in _UNIT_COLS)).where(
        UnitEval.year_id == year_row.id
    )
    stmts = [stmt] if only is None else [stmt.where(c) for c in _in_ids(UnitEval.unit_id, only)]
    rows = [row for one in stmts for row in db.session.execute(one)]
    for unit_id, ct, dd, tp, kl, k1, k2, k3, k4, task, *rest in rows:
        (t_total, t_done, t_late, t_exceeded, s_total, s_disc, lead, corrupt, review) = rest
        inputs.append(
            UnitInput(
                code=code_of[unit_id],
                parent_code=code_of.get(parent_of.get(unit_id)),
                ct=_dec(ct),
                dd=_dec(dd),
                tp=_dec(tp),
                kl=_dec(kl),
                k1=bool(k1),
                k2=bool(k2),
                k3=bool(k3),
                k4=bool(k4),
                violations=tuple(violations.get(unit_id, ())),
                task_points=_dec(task),
                targets_total=t_total or 0,
                targets_done=t_done or 0,
                targets_late=t_late or 0,
                targets_exceeded=t_exceeded or 0,
                subunits_total=s_total or 0,
                subunits_disciplined=s_disc or 0,
                leadership_disciplined=bool(lead),
                corruption_case=bool(corrupt),
                under_review=bool(review),
            )
        )
    return inputs


def _locked_units(
    year_row, units: _Units, approved: set[int], only: list[int] | None = None
) -> list[tuple[str, RatingResult, Level]]:
    """Approved lists keep their stored unit ratings, and those levels are approved (A8);
    every unit's, or `only` these units'."""
    if not approved:
        return []
    keep = None if only is None else set(only)
    finals = dict(
        db.session.execute(
            select(RatingDecision.unit_id, RatingDecision.final_level).where(
                RatingDecision.year_id == year_row.id,
                RatingDecision.kind == "unit",
                RatingDecision.final_level.is_not(None),
            )
        ).all()
    )
    locked = []
    for row in db.session.scalars(
        select(Rating).where(
            Rating.year_id == year_row.id,
            Rating.kind == "unit",
            Rating.list_unit_id.in_(approved),
        )
    ):
        if keep is not None and row.unit_id not in keep:
            continue
        code = units.code[row.unit_id]
        locked.append((code, stored_rating(row, code), Level(finals.get(row.unit_id) or row.level)))
    return locked


def _rate_units(year_row, units: _Units, pack, catalog, inputs, locked, overrides):
    """B1–B5 for every unit with inputs; ratings of approved lists are the stored ones."""
    result = compute_year(
        year_row.year, pack, catalog, units.tree, inputs, [], None, overrides
    ).units
    approved_levels: dict[str, Level] = {}
    for code, rating, level in locked:
        result[code] = rating
        approved_levels[code] = level
    return result, approved_levels


class _Part:
    """People rated together: the quota roots of whole scope groups, and how many people.

    A narrowed part (_narrow_part) rates the people of `unit_ids` fully and `outsiders` (person
    ids) as party members only; `roots` then are the roots its unit tree must hold."""

    __slots__ = ("roots", "people", "unit_ids", "outsiders")

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.people = 0
        self.unit_ids: list[int] | None = None
        self.outsiders: list[int] = []


def _narrow_part(year_row, units: _Units, only_root: str) -> _Part | None:
    """The people a change under quota root R can move, without the official scopes it does
    not touch: R's people (their official scopes (R, duty group) and their party ratings), and
    the other members of the party scopes R's members belong to ("outsiders", rated as party
    members only: their official scopes did not change, A9 reads their stored official level,
    see rules.compute_year official_levels). A whole-year computation gives the same results.
    None when R has no one with inputs."""
    root = units.root
    r_units = list(units.ids_by_root.get(only_root, ()))
    r_set = set(r_units)
    part = _Part()
    part.unit_ids = r_units
    touched = {only_root}
    for in_units in _in_ids(Person.unit_id, r_units):
        for party_unit_id, is_member, n in db.session.execute(
            select(Person.party_unit_id, Person.is_party_member, func.count())
            .join(PersonEval, PersonEval.person_id == Person.id)
            .where(PersonEval.year_id == year_row.id, in_units)
            .group_by(Person.party_unit_id, Person.is_party_member)
        ):
            part.people += n
            if is_member and party_unit_id is not None:
                touched.add(root[party_unit_id])
    members = (
        select(Person.id, Person.unit_id)
        .join(PersonEval, PersonEval.person_id == Person.id)
        .where(PersonEval.year_id == year_row.id, Person.is_party_member)
    )
    found: list[tuple[int, int]] = []
    touched_units = [uid for r in touched for uid in units.ids_by_root.get(r, ())]
    for in_cells in _in_ids(Person.party_unit_id, touched_units):
        found += db.session.execute(members.where(in_cells)).all()
    # members without a party unit are in the party scope of their own unit's root
    other_units = [uid for r in touched - {only_root} for uid in units.ids_by_root.get(r, ())]
    for in_units in _in_ids(Person.unit_id, other_units):
        found += db.session.execute(members.where(Person.party_unit_id.is_(None), in_units)).all()
    outsiders = sorted({(pid, uid) for pid, uid in found if uid not in r_set})
    part.outsiders = [pid for pid, _uid in outsiders]
    part.people += len(part.outsiders)
    part.roots = sorted(touched | {root[uid] for _pid, uid in outsiders})
    return part if part.people else None


class _PartContext:
    """What rating one part of people needs besides its inputs (also inherited by the worker
    processes of a whole-year recompute)."""

    def __init__(self, year, pack, catalog, units, approved, approved_levels) -> None:
        self.year, self.pack, self.catalog, self.units = year, pack, catalog, units
        self.approved, self.approved_levels = approved, approved_levels
        self.overrides: dict = {}
        self.unit_result: dict = {}
        self.stored: _Stored | None = None
        self.key: Callable[[tuple], str] = scope_key
        self.violations: dict = {}
        self.copy = False  # worker processes hand back COPY text (PostgreSQL), not tuples


def _rate_part(ctx: _PartContext, part, inputs, meta, official_levels=None) -> tuple[int, int]:
    """Rate one part's people and offer each result to ctx.stored; (official, party) counts."""
    units, approved, key = ctx.units, ctx.approved, ctx.key
    nodes = _part_nodes(units, part, inputs)
    unit_result = ctx.unit_result
    result = compute_year(
        ctx.year,
        ctx.pack,
        ctx.catalog,
        units.tree if nodes is units.nodes else nodes,
        [],
        inputs,
        ctx.approved_levels,
        ctx.overrides,
        unit_ratings={n.code: unit_result[n.code] for n in nodes if n.code in unit_result},
        official_levels=official_levels,
    )
    root = units.root
    offer = ctx.stored.offer
    n_official = n_party = 0
    for code, r in result.official.items():
        pid, unit_id, _party_unit, duty = meta[code]
        if unit_id in approved:
            continue
        offer("official", pid, None, unit_id, r, key(("official", root[unit_id], duty)))
        n_official += 1
    for code, r in result.party.items():
        pid, unit_id, party_unit, _duty = meta[code]
        if unit_id in approved:
            continue
        offer("party", pid, None, unit_id, r, key(("party", root[party_unit or unit_id])))
        n_party += 1
    return n_official, n_party


_FORKED: _PartContext | None = None  # the context a forked worker process inherits
_CHILD_DECIMALS: dict[str, Decimal] = {}


def _child_rate(task) -> tuple:
    """In a worker process: rate one part (its input rows) against the inherited context."""
    part, rows = task
    ctx = _FORKED
    stored = ctx.stored
    stored.seen = []
    before = stored.unchanged, stored.changed
    inputs, meta = _person_inputs(rows, ctx.units, ctx.violations, _CHILD_DECIMALS)
    del rows
    n_official, n_party = _rate_part(ctx, part, inputs, meta)
    stale, write = stored.take()
    if ctx.copy and write:
        write = copy_data(write)
    seen, stored.seen = stored.seen, None
    return (
        n_official,
        n_party,
        stale,
        write,
        stored.unchanged - before[0],
        stored.changed - before[1],
        seen,
        _TEMPLATES,
    )


def processes_for(parts: int) -> int:
    """Worker processes for a whole-year recompute of this many parts (1: in this process)."""
    if parts < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    configured = current_app.config.get("EVAL_RECOMPUTE_PROCESSES") if has_app_context() else 1
    wanted = int(configured or 0) or min(4, os.cpu_count() or 1)
    return max(1, min(wanted, parts))


def _rate_forked(ctx, parts, loaded, writer, processes, report) -> tuple[int, int, int]:
    """Rate the parts in `processes` forked workers, at most that many parts in flight; the
    stored rows' keys they saw are dropped here (what is left is deleted at the end)."""
    global _FORKED
    stored = ctx.stored
    done = n_official = n_party = 0
    in_flight: deque = deque()

    def collect() -> None:
        nonlocal done, n_official, n_party
        part, pending = in_flight.popleft()
        off, par, stale, write, unchanged, changed, seen, templates = pending.get()
        _TEMPLATES.update(templates)  # those the worker met (rules.TEMPLATES: none new)
        pop = stored.rows.pop
        for k in seen:
            pop(k, None)
        stored.unchanged += unchanged
        stored.changed += changed
        n_official += off
        n_party += par
        writer.add([writer.delete_ids(stale), writer.rows(write)])
        done += part.people
        report(done)

    _FORKED = ctx
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for part in parts:
                writer.wait()  # the connection is this thread's again
                rows = next(loaded)
                in_flight.append((part, pool.apply_async(_child_rate, ((part, rows),))))
                del rows
                if len(in_flight) > processes:
                    collect()
            while in_flight:
                collect()
    finally:
        _FORKED = None
    return done, n_official, n_party


def _official_levels(year_id: int, meta: dict, person_ids: set[int]) -> dict[str, Level]:
    """Code -> stored official level (after A10) of these people."""
    code_of = {v[0]: code for code, v in meta.items() if v[0] in person_ids}
    out: dict[str, Level] = {}
    for in_people in _in_ids(Rating.person_id, person_ids):
        for pid, level in db.session.execute(
            select(Rating.person_id, Rating.level).where(
                Rating.year_id == year_id, Rating.kind == "official", in_people
            )
        ):
            if pid in code_of:
                out[code_of[pid]] = Level(level)
    return out


class _Widen(Exception):
    """A narrowed part cannot be rated (an outsider has no stored official rating): rate the
    part closed under every scope instead. Raised before anything is written."""


_CLOSURE_UNITS = 3 * IDS  # a scope group bigger than this is found from the whole year


def _closure(year_row, units: _Units, only_root: str) -> _Part | bool | None:
    """The part holding `only_root` (its scope group), found by following the party links out
    of it: people of the group's units whose party unit lies elsewhere, and party members
    elsewhere whose party unit lies in the group. None when it has no one (nothing to rate),
    False when the group grew past _CLOSURE_UNITS units (then read the whole year)."""
    root = units.root
    part = _Part()
    seen: set[str] = {only_root}
    frontier = [only_root]
    registered = False
    n_units = 0
    while frontier:
        unit_ids = [uid for r in frontier for uid in units.ids_by_root.get(r, ())]
        n_units += len(unit_ids)
        if n_units > _CLOSURE_UNITS:
            return False
        part.roots.extend(frontier)
        found: set[str] = set()
        for in_units, in_cells in zip(
            _in_ids(Person.unit_id, unit_ids), _in_ids(Person.party_unit_id, unit_ids), strict=True
        ):
            # people of these units: their count, and where their party units are
            for unit_id, party_unit_id, is_member, n in db.session.execute(
                select(Person.unit_id, Person.party_unit_id, Person.is_party_member, func.count())
                .join(PersonEval, PersonEval.person_id == Person.id)
                .where(PersonEval.year_id == year_row.id, in_units)
                .group_by(Person.unit_id, Person.party_unit_id, Person.is_party_member)
            ):
                registered = True
                part.people += n
                if is_member:
                    found.add(root[party_unit_id or unit_id])
            # party members of these units' party cells, wherever they work
            for (unit_id,) in db.session.execute(
                select(Person.unit_id)
                .join(PersonEval, PersonEval.person_id == Person.id)
                .where(
                    PersonEval.year_id == year_row.id,
                    Person.is_party_member,
                    in_cells,
                )
                .group_by(Person.unit_id)
            ):
                registered = True
                found.add(root[unit_id])
        frontier = sorted(found - seen)
        seen.update(frontier)
    return part if registered else None


def _parts(year_row, units: _Units, only_root: str | None) -> list[_Part]:
    """Parts closed under the quota scopes (union-find over scope roots), from one grouped
    query: people with inputs counted by (unit, party unit, party member). The part of one
    quota root follows the links out of it instead (_closure), unless its group is large."""
    if only_root is not None:
        found = _closure(year_row, units, only_root)
        if found is None:
            return []
        if found is not False:
            return [found]
    rows = db.session.execute(
        select(Person.unit_id, Person.party_unit_id, Person.is_party_member, func.count())
        .join(PersonEval, PersonEval.person_id == Person.id)
        .where(PersonEval.year_id == year_row.id)
        .group_by(Person.unit_id, Person.party_unit_id, Person.is_party_member)
    ).all()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    root = units.root
    people: dict[str, int] = defaultdict(int)  # official scope root -> people with inputs
    for unit_id, party_unit_id, is_member, n in rows:
        a = root[unit_id]
        find(a)
        if is_member:
            b = root[party_unit_id or unit_id]
            if b != a:
                parent[find(b)] = find(a)
        people[a] += n
    groups: dict[str, _Part] = {}
    for r in list(parent):  # every root of a scope, grouped by its representative
        part = groups.get(find(r))
        if part is None:
            part = groups[find(r)] = _Part()
        part.roots.append(r)
        part.people += people.get(r, 0)
    if only_root is not None:
        if only_root not in parent:
            return []
        return [groups[find(only_root)]]
    parts: list[_Part] = []
    current = _Part()
    for key in sorted(groups):
        current.roots.extend(groups[key].roots)
        current.people += groups[key].people
        if current.people >= BATCH:
            parts.append(current)
            current = _Part()
    if current.people:
        parts.append(current)
    return parts


_PERSON_COLS = (
    Person.id,
    Person.code,
    Person.unit_id,
    Person.party_unit_id,
    Person.duty_group,
    Person.is_head,
    Person.category,
    Person.is_party_member,
    Person.party_status,
    Person.admitted_on,
)


def _inputs_stmt(year_row):
    eval_cols = [getattr(PersonEval, c) for c in _EVAL_COLS]
    return (
        select(*_PERSON_COLS, *eval_cols)
        .join(PersonEval, PersonEval.person_id == Person.id)
        .where(PersonEval.year_id == year_row.id)
    )


def _part_rows(year_row, units: _Units, parts: list[_Part], whole_year: bool) -> Iterator[list]:
    """Each part's input rows (tuples in _inputs_stmt's column order), part after part.

    One part (a unit's scope): its units' people, by unit id. The whole year: one query over
    every person with inputs, ordered by the part of their unit (a temporary table holds that
    mapping) and streamed, so only about one part is in memory at a time."""
    if not whole_year:
        for part in parts:
            unit_ids = part.unit_ids
            if unit_ids is None:
                unit_ids = [uid for r in part.roots for uid in units.ids_by_root.get(r, ())]
            rows: list = []
            for in_people in _in_ids(Person.id, part.outsiders):
                rows.extend(db.session.execute(_inputs_stmt(year_row).where(in_people)))
            for in_units in _in_ids(Person.unit_id, unit_ids):
                rows.extend(db.session.execute(_inputs_stmt(year_row).where(in_units)))
            yield rows
        return
    conn = db.session.connection()
    _create_parts_table(conn, units, parts)
    tp = table(_PARTS_TABLE, column("unit_id"), column("part"))
    stmt = (
        _inputs_stmt(year_row)
        .add_columns(tp.c.part)
        .join(tp, tp.c.unit_id == Person.unit_id)
        .order_by(tp.c.part)
    )
    current: list = []
    number = 0
    for batch in _stream(conn, stmt):
        for row in batch:
            if row[-1] != number:
                while number < row[-1]:
                    yield current
                    current = []
                    number += 1
            current.append(row)
    while number < len(parts):
        yield current
        current = []
        number += 1


def _stream(conn, stmt) -> Iterator[list]:
    """The rows of a big SELECT, _STREAM at a time. PostgreSQL: a server-side cursor of the
    driver itself (psycopg gives the Python types the columns map to: date, bool, str), without
    SQLAlchemy's per-row objects, and numeric columns as text. SQLite: SQLAlchemy's result (it
    turns the stored numbers into Decimal and the text into dates)."""
    if conn.dialect.name != "postgresql":
        result = conn.execute(stmt.execution_options(yield_per=_STREAM))
        try:
            yield from result.partitions()
        finally:
            result.close()
        return
    from psycopg.types.string import TextLoader

    compiled = stmt.compile(dialect=conn.dialect)
    cur = conn.connection.driver_connection.cursor(name="eval_recompute_inputs")
    # numbers as their text: a third less reading; _person_inputs makes each distinct one once
    cur.adapters.register_loader("numeric", TextLoader)
    try:
        cur.execute(str(compiled), compiled.params)
        while batch := cur.fetchmany(_STREAM):
            yield batch
    finally:
        try:
            cur.close()
        except Exception:  # noqa: S110 - a failed transaction is rolled back by the caller
            pass


def _create_parts_table(conn, units: _Units, parts: list[_Part]) -> None:
    mapping = [
        (uid, number)
        for number, part in enumerate(parts)
        for r in part.roots
        for uid in units.ids_by_root.get(r, ())
    ]
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_PARTS_TABLE}")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {_PARTS_TABLE} (unit_id INTEGER PRIMARY KEY, "
            "part INTEGER NOT NULL) ON COMMIT DROP"
        )
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {_PARTS_TABLE} (unit_id, part) FROM STDIN") as copy:
                for row in mapping:
                    copy.write_row(row)
            cur.execute(f"ANALYZE {_PARTS_TABLE}")
    else:
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {_PARTS_TABLE} (unit_id INTEGER PRIMARY KEY, "
            "part INTEGER NOT NULL)"
        )
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.executemany(f"INSERT INTO {_PARTS_TABLE} (unit_id, part) VALUES (?, ?)", mapping)
        finally:
            cur.close()


# PersonInput is a frozen slotted dataclass: set its slots through their descriptors (what
# rules.py does for its outputs), twice as fast as the generated __init__; same objects.
_INPUT_FIELDS = (
    "code",
    "unit_code",
    "party_unit_code",
    "duty_group",
    "is_head",
    "category",
    "is_party_member",
    "party_status",
    "admitted_on",
    "ct",
    "dd",
    "tp",
    "kl",
    "violations",
    "monthly_scores",
    "task_points",
    "tasks_total",
    "tasks_late",
    "tasks_exceeded",
    "months_worked",
    "maternity",
    "discipline_form",
    "discipline_year",
    "counted_before",
    "self_remedied",
    "party_discipline",
    "under_review",
)
_FAST_INPUT = not hasattr(PersonInput, "__post_init__") and {
    f.name for f in dataclass_fields(PersonInput)
} == set(_INPUT_FIELDS)
_INPUT_SET = (
    tuple(PersonInput.__dict__[name].__set__ for name in _INPUT_FIELDS) if _FAST_INPUT else ()
)
_new = object.__new__
_STATUS = {s.value: s for s in PartyStatus}


def _person_input(values: tuple) -> PersonInput:
    if not _FAST_INPUT:
        return PersonInput(**dict(zip(_INPUT_FIELDS, values, strict=True)))
    inp = _new(PersonInput)
    for setter, value in zip(_INPUT_SET, values):  # noqa: B905 - lengths checked at import
        setter(inp, value)
    return inp


def _part_nodes(units: _Units, part: _Part, inputs: list[PersonInput]) -> list[UnitNode]:
    """The units a part is rated over: those under its quota roots, which hold every unit of
    its people (and the path from each up to its quota root), so the scopes and the heads'
    unit levels are the same as over the whole tree. The whole tree if a person's unit is not
    there (inputs changed while the year was being read)."""
    nodes = [n for r in part.roots for n in units.nodes_by_root.get(r, ())]
    codes = {n.code for n in nodes}
    for inp in inputs:
        if inp.unit_code not in codes or (
            inp.is_party_member
            and inp.party_unit_code is not None
            and inp.party_unit_code not in codes
        ):
            return units.nodes
    return nodes


def _person_inputs(
    rows, units: _Units, violations, decimals: dict[str, Decimal]
) -> tuple[list[PersonInput], dict]:
    """PersonInputs of input rows. Numbers come as Decimal, or as their text (the whole year on
    PostgreSQL, see _stream): the same text gives the same Decimal, made once (`decimals`)."""
    inputs: list[PersonInput] = []
    meta: dict[str, tuple[int, int, int | None, str]] = {}
    code_of = units.code
    no_violations = ()
    known = decimals.get

    def num(value):
        if type(value) is str:
            found = known(value)
            if found is None:
                found = decimals[value] = Decimal(value)
            return found
        return _dec(value)

    for row in rows:
        (pid, code, unit_id, party_unit_id, duty, is_head, category, member, status, admitted) = (
            row[:10]
        )
        ct, dd, tp, kl = row[10:14]
        months = {}
        m = 0
        for score in row[14:26]:
            m += 1
            if score is not None:
                months[m] = num(score)
        (
            task_points,
            tasks_total,
            tasks_late,
            tasks_exceeded,
            months_worked,
            maternity,
            discipline_form,
            discipline_year,
            counted_before,
            self_remedied,
            party_discipline,
            under_review,
        ) = row[26:38]
        duty = duty or ""
        listed = violations.get(pid)
        inputs.append(
            _person_input(
                (
                    code,
                    code_of[unit_id],
                    code_of.get(party_unit_id),
                    duty,
                    bool(is_head),
                    str(category) if category else None,
                    bool(member),
                    (_STATUS.get(status) or PartyStatus(str(status)))
                    if status
                    else PartyStatus.ACTIVE,
                    admitted,
                    _ZERO if ct is None else num(ct),
                    _ZERO if dd is None else num(dd),
                    _ZERO if tp is None else num(tp),
                    _ZERO if kl is None else num(kl),
                    tuple(listed) if listed else no_violations,
                    months,
                    None if task_points is None else num(task_points),
                    tasks_total or 0,
                    tasks_late or 0,
                    tasks_exceeded or 0,
                    12 if months_worked is None else months_worked,
                    bool(maternity),
                    discipline_form or None,
                    discipline_year,
                    bool(counted_before),
                    bool(self_remedied),
                    bool(party_discipline),
                    bool(under_review),
                )
            )
        )
        meta[code] = (pid, unit_id, party_unit_id, duty)
    return inputs, meta


_COLUMNS = (
    "year_id",
    "kind",
    "person_id",
    "unit_id",
    "list_unit_id",
    "level",
    "score",
    "task_points",
    "provisional",
    "scope",
    "steps",
    "digest",
    "computed_at",
)


def _write(rows: list[tuple] | bytes, conn=None) -> None:
    """Insert rating rows (tuples in _COLUMNS order, steps already JSON text; or copy_data's
    text): COPY on PostgreSQL, executemany on SQLite, both inside the session's transaction."""
    if not rows:
        return
    conn = conn if conn is not None else db.session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        _copy(raw, rows)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
        cur = raw.cursor()
        try:
            cur.executemany(
                f"INSERT INTO ratings ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [(*r[:6], _text(r[6]), _text(r[7]), *r[8:]) for r in rows],
            )
        finally:
            cur.close()


def _save_templates(conn, items: list[tuple[str, str]]) -> None:
    """Store these (key, template) pairs where missing (sorted: concurrent recomputes take the
    keys' locks in the same order)."""
    if items:
        conn.execute(
            text(
                "INSERT INTO rating_templates (id, template) VALUES (:id, :template) "
                "ON CONFLICT (id) DO NOTHING"
            ),
            [{"id": key, "template": template} for key, template in items],
        )


def _text(value):
    # sqlite3 cannot bind a Decimal: the score and task points go as text (only they can be)
    return str(value) if isinstance(value, Decimal) else value


def _copy(raw, rows: list[tuple] | bytes) -> None:
    with raw.cursor() as cur:
        with cur.copy(f"COPY ratings ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            if isinstance(rows, bytes):
                copy.write(rows)
                return
            for row in rows:
                copy.write_row(row)


_COPY_BACKSLASH = str.maketrans({"\\": "\\\\"})
_NULL = "\\N"


def copy_data(rows: list[tuple]) -> bytes:
    """Rating rows (tuples in _COLUMNS order) as the text of a PostgreSQL COPY. A whole-year
    recompute's worker processes make it, so the process that writes passes one bytes object
    on instead of unpickling and formatting a tuple per row. The two text columns are JSON
    (scope, steps): control characters come escaped, so a backslash is all COPY needs doubled;
    kind and level are codes."""
    out = []
    append = out.append
    stamps: dict = {}
    for y, kind, pid, uid, luid, level, score, tp, prov, scope, steps, digest, at in rows:
        if "\\" in scope:
            scope = scope.translate(_COPY_BACKSLASH)
        if "\\" in steps:
            steps = steps.translate(_COPY_BACKSLASH)
        stamp = stamps.get(at)
        if stamp is None:
            stamp = stamps[at] = at.isoformat(" ")
        append(
            f"{y}\t{kind}\t{_NULL if pid is None else pid}\t{_NULL if uid is None else uid}\t"
            f"{luid}\t{level}\t{_NULL if score is None else score}\t"
            f"{_NULL if tp is None else tp}\t{'t' if prov else 'f'}\t{scope}\t{steps}\t"
            f"{_NULL if digest is None else digest}\t{stamp}\n"
        )
    return "".join(out).encode()


class _Writer:
    """Runs the transaction's writes (DELETEs, each part's rows) while the caller rates.

    PostgreSQL: in order, in one helper thread, on the session's connection and in its
    transaction (the server works on one part's rows while this process rates the next); the
    caller does not use the connection until wait(), which re-raises the helper's error (the
    writes queued after a failed one are skipped). SQLite: at once, in the caller (a helper
    thread gains nothing there: sqlite3 holds the GIL for most of an insert)."""

    def __init__(self) -> None:
        self.conn = db.session.connection()
        self.background = self.conn.dialect.name == "postgresql"
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.templates: set[str] = set()  # keys saved in this transaction

    def rows(self, rows: list[tuple] | bytes) -> Callable[[], None] | None:
        """The operation writing `rows` (None: nothing to write), after the templates their
        steps name (the first time: every template this process knows, in one statement)."""
        if not rows:
            return None
        new = sorted(item for item in _TEMPLATES.items() if item[0] not in self.templates)
        self.templates.update(key for key, _template in new)

        def op() -> None:
            _save_templates(self.conn, new)
            _write(rows, self.conn)

        return op

    def sql(self, stmt) -> Callable[[], None]:
        return lambda: self.conn.execute(stmt)

    def delete_ids(self, ids: list[int]) -> Callable[[], None] | None:
        if not ids:
            return None
        return lambda: _delete_ids(self.conn, ids)

    def add(self, ops: list) -> None:
        """Run these after the ones already added."""
        ops = [op for op in ops if op is not None]
        if not self.background:
            for op in ops:
                op()
            return
        if ops and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="eval-recompute-write")
            self.thread.daemon = True
            self.thread.start()
        for op in ops:
            self.queue.put(op)

    def _run(self) -> None:
        while True:
            op = self.queue.get()
            try:
                if op is None:
                    return
                if self.error is None:
                    op()
            except BaseException as err:  # handed to the caller by wait()
                self.error = err
            finally:
                self.queue.task_done()

    def wait(self) -> None:
        """Until every write added so far is done; the connection is the caller's again."""
        if self.thread is not None:
            self.queue.join()
        if self.error is not None:
            err, self.error = self.error, None
            raise err

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None


def rating_digest(list_unit_id: int, r: RatingResult, scope: str) -> int:
    """64-bit digest (signed, as BIGINT stores it) of what a rating row will hold but its
    year, subject and time: list, level, score, task points, provisional, scope, and each step's
    rule id, message template and figures. The stored explanation is a function of exactly
    these (the message is its template over the figures), so equal digests mean equal rows;
    the digest is the same in every process and on every database, and costs a fraction of
    the explanation's text, which is built only for the rows that changed."""
    out = [f"{list_unit_id}|{r.level}|{r.score}|{r.task_points}|{r.provisional:d}|{scope}"]
    last = None
    for s in r.steps:
        figures = s.figures
        out.append(s.rule_id)
        out.append(_template_key(s.template))
        out.append("=" if figures is last else repr(figures))
        last = figures
    text_ = "\x1f".join(out)
    return int.from_bytes(_blake2b(text_.encode(), digest_size=8).digest(), "big", signed=True)


def _row(year_id, kind, person_id, unit_id, list_unit_id, r: RatingResult, scope, digest, now):
    return (
        year_id,
        kind,
        person_id,
        unit_id,
        list_unit_id,
        str(r.level),
        r.score,
        r.task_points,
        bool(r.provisional),
        scope,
        steps_text(r),
        digest,
        now,
    )


_KIND_BIT = {"official": 0, "party": 1}


def _key(kind: str, person_id: int | None, unit_id: int | None) -> int:
    """One int per rating subject: people 2·id (+1 for the party rating), units −id."""
    if kind == "unit":
        return -unit_id
    return 2 * person_id + _KIND_BIT[kind]


class _Stored:
    """The stored ratings a recompute may replace, key -> (id, digest), and what it decided
    for each new result (offer): unchanged (skipped), changed (old row deleted, new one
    written) or new; what is left at the end was not produced again and is deleted."""

    def __init__(self, year_id: int, now: dt.datetime) -> None:
        self.rows: dict[int, tuple[int, int | None]] = {}
        self.year_id = year_id
        self.now = now
        self.unchanged = 0
        self.changed = 0
        self.stale: list[int] = []
        self.write: list[tuple] = []
        self.seen: list[int] | None = None  # keys offered (a worker process reports them)

    def load(self, stmt) -> None:
        """Add the rows of a SELECT kind, person_id, unit_id, id, digest."""
        conn = db.session.connection()
        rows = self.rows
        if conn.dialect.name == "postgresql":
            compiled = stmt.compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            with conn.connection.driver_connection.cursor() as cur:
                cur.execute(str(compiled), compiled.params)
                found = cur.fetchall()
        else:
            found = conn.execute(stmt).all()
        for kind, person_id, unit_id, rid, digest in found:
            rows[_key(kind, person_id, unit_id)] = (rid, digest)

    def offer(self, kind, person_id, unit_id, list_unit_id, r: RatingResult, scope) -> None:
        digest = rating_digest(list_unit_id, r, scope)
        k = _key(kind, person_id, unit_id)
        if self.seen is not None:
            self.seen.append(k)
        old = self.rows.pop(k, None)
        if old is not None:
            if old[1] == digest:
                self.unchanged += 1
                return
            self.stale.append(old[0])
            self.changed += 1
        self.write.append(
            _row(self.year_id, kind, person_id, unit_id, list_unit_id, r, scope, digest, self.now)
        )

    def take(self) -> tuple[list[int], list[tuple]]:
        """The ids to delete and the rows to write for what was offered since the last take."""
        out = (self.stale, self.write)
        self.stale, self.write = [], []
        return out

    def leftover(self) -> list[int]:
        ids = [rid for rid, _digest in self.rows.values()]
        self.rows.clear()
        return ids


def _delete_ids(conn, ids: list[int]) -> None:
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cur:
            cur.execute("DELETE FROM ratings WHERE id = ANY(%s)", (ids,))
        return
    for chunk in _chunks(ids):
        conn.execute(delete(Rating).where(Rating.id.in_(chunk)))


@contextmanager
def _gc_paused() -> Iterator[None]:
    # As in rules.compute_year: a whole year makes millions of small objects and no reference
    # cycles; left on, the cyclic collector walks them again and again (a fifth of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recompute(
    year_row: EvalYear, unit: Unit | None = None, progress: Progress | None = None
) -> dict:
    """Rate the year (or the scope part holding `unit`) and store the results. Returns counts.

    A unit's part rates the sibling groups of its units (B5), which reach past the part: the
    quota root's siblings. When one of those changes level, its heads (another part) are capped
    differently (A8), so that part is recomputed too, and so on; `also` names their quota
    roots."""
    with _gc_paused():
        counts = _recompute_or_widen(year_row, unit, progress)
        pending = counts.pop("_cascade")
        seen: set[str] = set()
        also: list[str] = []
        while pending:
            code = pending.pop(0)
            if code in seen:
                continue
            seen.add(code)
            other = db.session.scalar(select(Unit).where(Unit.code == code))
            if other is None:
                continue
            also.append(code)
            more = _recompute_or_widen(year_row, other, progress)
            pending += [c for c in more.pop("_cascade") if c not in seen]
            for name, value in more.items():
                counts[name] += value
        if unit is not None:
            counts["also"] = sorted(also)
        return counts


def _recompute_or_widen(year_row: EvalYear, unit: Unit | None, progress) -> dict:
    try:
        return _recompute(year_row, unit, progress, narrow=unit is not None)
    except _Widen:
        return _recompute(year_row, unit, progress, narrow=False)


def _recompute(
    year_row: EvalYear, unit: Unit | None, progress: Progress | None, narrow: bool = False
) -> dict:
    """Reads first, then writes while rating, only what changed: each new row's digest is
    compared with the stored row's; a changed row is deleted and written again, an unchanged
    one is left alone (see _Stored). The unit ratings are written while the first part is
    rated, and each part's writes run while the next part is rated (see _Writer)."""
    report = progress or (lambda done, total, message: None)
    now = dt.datetime.now().replace(microsecond=0)
    year_id = year_row.id
    pack = pack_of(year_row)
    catalog = catalog_of(year_row)
    units = _load_units()
    approved = _approved_lists(year_row)
    overrides = _overrides(year_row)
    report(0, 1, "Đang xếp loại tập thể")
    only_root = units.root[unit.id] if unit is not None else None
    if narrow:
        narrowed = _narrow_part(year_row, units, only_root)
        parts = [narrowed] if narrowed is not None else []
    else:
        parts = _parts(year_row, units, only_root)
    # one unit's part: the units of its sibling groups; the whole year: every unit
    rated_units = (
        None
        if unit is None
        else units.sibling_groups([only_root, *(r for p in parts for r in p.roots)])
    )
    unit_inputs = _unit_inputs(year_row, units, rated_units)
    locked = _locked_units(year_row, units, approved, rated_units)
    total = sum(p.people for p in parts)
    # one part: the levels of the rated units outside it, whose heads it does not rate
    # (a narrowed part rates only R's official scopes: every other root is outside)
    own_roots = {only_root} if narrow else {only_root, *(r for p in parts for r in p.roots)}
    outside = [uid for uid in rated_units or () if units.root[uid] not in own_roots]
    outside_levels = {}
    for in_outside in _in_ids(Rating.unit_id, outside):
        outside_levels.update(
            db.session.execute(
                select(Rating.unit_id, Rating.level).where(
                    Rating.year_id == year_id, Rating.kind == "unit", in_outside
                )
            ).all()
        )
    # the whole year: every person's violations; one part: its people's (read with the part)
    violations = _violation_codes(year_row, Violation.person_id) if unit is None else {}
    scopes: dict[tuple, str] = {}
    decimals: dict[str, Decimal] = {}

    def key(scope: tuple) -> str:
        found = scopes.get(scope)
        if found is None:
            found = scopes[scope] = scope_key(scope)
        return found

    def stored_stmt(*where):
        stmt = select(
            Rating.kind, Rating.person_id, Rating.unit_id, Rating.id, Rating.digest
        ).where(Rating.year_id == year_id, *where)
        return stmt.where(Rating.list_unit_id.not_in(approved)) if approved else stmt

    # what may be replaced: every unit rating of the year (all units are rated, cheap); the
    # whole year: every person's rating too (one part: its people's, loaded with the part)
    stored = _Stored(year_id, now)
    if unit is None:
        stored.load(stored_stmt())
    for in_rated in _in_ids(Rating.unit_id, rated_units or ()):
        stored.load(stored_stmt(Rating.kind == "unit", in_rated))
    writer = _Writer()
    ops: list = []
    unit_result: dict = {}
    approved_levels: dict = {}
    counts = {"units": 0, "official": 0, "party": 0, "people": total}

    def rate_units() -> list:
        nonlocal unit_result, approved_levels
        unit_result, approved_levels = _rate_units(
            year_row, units, pack, catalog, unit_inputs, locked, overrides
        )
        n = 0
        for code, r in unit_result.items():
            uid = units.id[code]
            list_unit = units.list_unit(uid)
            if list_unit in approved:
                continue
            scope = key(("unit", units.code.get(units.parent.get(uid))))
            stored.offer("unit", None, uid, list_unit, r, scope)
            n += 1
        counts["units"] = n
        stale, write = stored.take()
        report(0, total, "Đang xếp loại cá nhân")
        return [writer.delete_ids(stale), writer.rows(write)]

    def part_context() -> _PartContext:
        """After rate_units: what every part is rated with."""
        ctx = _PartContext(year_row.year, pack, catalog, units, approved, approved_levels)
        ctx.overrides, ctx.unit_result, ctx.stored, ctx.key = overrides, unit_result, stored, key
        ctx.violations = violations  # the whole year's (worker processes read them)
        ctx.copy = writer.conn.dialect.name == "postgresql"
        return ctx

    done = 0
    loaded = _part_rows(year_row, units, parts, whole_year=unit is None)
    processes = processes_for(len(parts)) if unit is None else 1
    try:
        if processes > 1:
            # the whole year in worker processes (forked: they inherit the context, read
            # nothing, write nothing); this process reads each part, hands it over and writes
            # what comes back, in order
            writer.add(rate_units())
            writer.wait()  # no helper thread busy on the connection while forking
            done, n_official, n_party = _rate_forked(
                part_context(),
                parts,
                loaded,
                writer,
                processes,
                lambda d: report(d, total, "Đang xếp loại cá nhân"),
            )
            counts["official"] += n_official
            counts["party"] += n_party
            parts_here: list = []
        else:
            parts_here = parts
        for number, part in enumerate(parts_here):
            writer.wait()  # the connection is the caller's again
            rows = next(loaded)
            if unit is not None:
                violations = _violation_codes(year_row, Violation.person_id, [r[0] for r in rows])
            inputs, meta = _person_inputs(rows, units, violations, decimals)
            del rows
            official_levels = None
            outsiders = set(part.outsiders)
            if outsiders:  # party members only, A9 against their stored official level
                official_levels = _official_levels(year_id, meta, outsiders)
                narrowed_inputs = []
                for inp in inputs:
                    if meta[inp.code][0] in outsiders:
                        if inp.category and inp.code not in official_levels:
                            raise _Widen  # nothing written yet
                        inp = dataclasses.replace(inp, category=None)
                    narrowed_inputs.append(inp)
                inputs = narrowed_inputs
            if unit is not None:
                own = [v[0] for v in meta.values() if v[0] not in outsiders]
                for in_people in _in_ids(Rating.person_id, own):
                    stored.load(stored_stmt(Rating.kind.in_(("official", "party")), in_people))
                for in_people in _in_ids(Rating.person_id, outsiders):
                    stored.load(stored_stmt(Rating.kind == "party", in_people))
            writer.add(ops)  # the rows of the part before
            ops = []
            if number == 0:
                writer.add(rate_units())  # while this part is rated
                ctx = part_context()
            n_official, n_party = _rate_part(ctx, part, inputs, meta, official_levels)
            counts["official"] += n_official
            counts["party"] += n_party
            del inputs, meta
            stale, write = stored.take()
            ops += [writer.delete_ids(stale), writer.rows(write)]
            done += part.people
            report(done, total, "Đang xếp loại cá nhân")
        writer.wait()
        loaded.close()  # the whole year's query is done with
        if not parts:
            ops += rate_units()
        counts["processes"] = processes
        removed = stored.leftover()  # not produced again: gone
        ops.append(writer.delete_ids(removed))
        if unit is None:
            ops.append(writer.sql(text(f"DROP TABLE IF EXISTS {_PARTS_TABLE}")))
        writer.add(ops)
        writer.wait()
    except BaseException:
        try:
            writer.wait()  # never leave the helper thread on the connection
        except BaseException:
            pass
        try:
            loaded.close()
        except Exception:  # noqa: S110 - the error being raised is the one to report
            pass
        raise
    finally:
        writer.close()
    cascade = set()
    for uid in outside:
        r = unit_result.get(units.code[uid])
        if (str(r.level) if r is not None else None) != outside_levels.get(uid):
            cascade.add(units.root[uid])
    counts["_cascade"] = sorted(cascade)
    counts["unchanged"] = stored.unchanged
    counts["rewritten"] = stored.changed
    counts["written"] = counts["units"] + counts["official"] + counts["party"] - stored.unchanged
    counts["removed"] = len(removed)
    year_row.computed_at = now
    db.session.flush()
    report(total, total, "Xong")
    return counts


def scope_root(unit: Unit) -> Unit:
    """The nearest unit at or above `unit` marked quota_root, else the topmost one (A10)."""
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    chain = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if chain[uid].quota_root:
            return chain[uid]
    return chain[ids[0]] if ids else unit


def note_change(year_row: EvalYear, unit_id: int) -> None:
    """An input of `unit_id` changed. Just before the transaction commits its scope part is
    recomputed in it (EVAL_RECOMPUTE = "sync"), or a background job is queued for it ("job",
    the default), or nothing happens ("off": on demand only)."""
    if current_app.config.get("EVAL_RECOMPUTE", "job") == "off":
        return
    db.session.info.setdefault("eval_recompute", set()).add((year_row.id, unit_id))


def apply_pending(pending: set) -> None:
    """Run or queue the recomputes noted in a transaction: one per (year, scope root)."""
    from service.jobs import enqueue

    mode = current_app.config.get("EVAL_RECOMPUTE", "job")
    roots: dict[tuple[int, int], Unit] = {}
    for year_id, unit_id in pending:
        unit = db.session.get(Unit, unit_id)
        if unit is not None:
            root = scope_root(unit)
            roots[(year_id, root.id)] = root
    for (year_id, _root_id), root in sorted(roots.items()):
        year_row = db.session.get(EvalYear, year_id)
        if mode == "sync":
            recompute(year_row, root)
        else:
            enqueue(
                "recompute",
                {"year": year_row.year, "unit_code": root.code},
                key=f"recompute:{year_row.year}:{root.code}",
                unit=root,
                delay=current_app.config.get("EVAL_RECOMPUTE_DELAY", 0),
                max_wait=current_app.config.get("EVAL_RECOMPUTE_MAX_WAIT", 0),
            )
