"""Computing a year's ratings from the database and storing them with their explanation.

recompute(year, unit) rates every unit of the year (B1–B5: 25,000 units take well under a
second), then the people, in parts that are closed under the quota scopes: each person's
official scope root (A10: quota root of their unit) and party scope root (quota root of their
party unit) are joined with a union-find, so a part holds every member of each scope it
touches and gives exactly what one whole-year call would. Given a unit, only the part holding
that unit's quota root is rated; without one, the whole year, part by part (bounded memory).

Ratings of lists already approved are locked: kept as stored, and their unit levels cap the
heads below them as approved (A8). Everything else of the recomputed parts is replaced in the
caller's transaction: a reader sees the old results or the new ones, never a mix.

Speed (bench/bench_recompute.py, 500,000 people): the parts come from one grouped query; the
whole year streams its inputs in one query ordered by part (a temporary table maps each unit to
its part), one part only loads its units' people; rows are plain tuples; each part is rated
over its own units only; explanations are JSON-encoded by one reused encoder. On PostgreSQL the
COPY of a part's ratings runs in a helper thread, on the same connection and transaction, while
the next part is rated (the caller's thread does not use the connection meanwhile).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from decimal import Decimal

from flask import current_app
from sqlalchemy import column, delete, func, select, table

from evaluation.models import (
    EvalYear,
    PersonEval,
    QuotaOverride,
    Rating,
    RatingDecision,
    Review,
    UnitEval,
    Violation,
)
from evaluation.rules import (
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
_UNIT_COLS = (
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
_ZERO = Decimal(0)
_STREAM = 5_000  # rows per fetch of the whole year's inputs
_PARTS_TABLE = "eval_recompute_parts"  # temporary: unit id -> part number (whole-year runs)


def _chunks(seq, n=IDS):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def scope_key(scope: tuple) -> str:
    return json.dumps(list(scope), ensure_ascii=False)


def scope_tuple(key: str) -> tuple:
    return tuple(json.loads(key)) if key else ()


def steps_json(rating: RatingResult) -> list:
    """Stored explanation: [rule_id, message, figures] per step (figures JSON-safe)."""
    return [s.to_dict() for s in rating.steps]


def _json_default(value):
    # what rules._json_safe turns into JSON-safe values (tuples and lists the encoder does)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode


_STEP_HEADS: dict[str, str] = {}


def steps_text(rating: RatingResult) -> str:
    """The stored explanation as JSON text, exactly json.dumps(steps_json(rating),
    ensure_ascii=False, separators=(",", ":")), built without the JSON-safe copies; a figures
    dict shared by consecutive steps (A2 and A3) is encoded once."""
    out = []
    last = last_json = None
    for s in rating.steps:
        figures = s.figures
        if figures is not last:
            last, last_json = figures, _ENCODE(figures)
        head = _STEP_HEADS.get(s.rule_id)
        if head is None:
            head = _STEP_HEADS[s.rule_id] = '{"rule_id":' + _ENCODE(s.rule_id) + ',"message_vi":'
        out.append(f'{head}{_ENCODE(s.template.format_map(figures))},"figures":{last_json}}}')
    return "[" + ",".join(out) + "]"


def stored_rating(row: Rating, code: str) -> RatingResult:
    """A stored rating back as the pure engine's Rating (for the A11 checks)."""
    steps = tuple(
        RuleStep(
            s["rule_id"],
            s["message_vi"].replace("{", "{{").replace("}", "}}"),
            dict(s.get("figures") or {}),
        )
        for s in row.steps or []
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


class _Units:
    """The whole unit tree of the year, by id and by code, with quota roots."""

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
        # per quota root: its units' ids and tree nodes (a part is rated over its own units)
        self.ids_by_root: dict[str, list[int]] = defaultdict(list)
        self.nodes_by_root: dict[str, list[UnitNode]] = defaultdict(list)
        for (uid, *_rest), node in zip(rows, self.nodes, strict=True):
            self.ids_by_root[self.root[uid]].append(uid)
            self.nodes_by_root[self.root[uid]].append(node)

    def list_unit(self, unit_id: int) -> int:
        return self.parent.get(unit_id) or unit_id


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


def _violation_codes(year_row: EvalYear, column) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for subject, code in db.session.execute(
        select(column, Violation.code).where(
            Violation.year_id == year_row.id,
            Violation.removed_at.is_(None),
            column.is_not(None),
        )
    ):
        out[subject].append(code)
    return out


def _dec(value) -> Decimal:
    # Decimal(d) of a Decimal is the same value and exponent: skip the copy
    if value is None:
        return _ZERO
    return value if type(value) is Decimal else Decimal(value)


def _rate_units(year_row, units: _Units, pack, catalog, approved: set[int], overrides):
    """B1–B5 for every unit with inputs; ratings of approved lists are the stored ones."""
    violations = _violation_codes(year_row, Violation.unit_id)
    inputs = []
    code_of = units.code
    parent_of = units.parent
    for unit_id, ct, dd, tp, kl, k1, k2, k3, k4, task, *rest in db.session.execute(
        select(UnitEval.unit_id, *(getattr(UnitEval, c) for c in _UNIT_COLS)).where(
            UnitEval.year_id == year_row.id
        )
    ):
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
    result = compute_year(
        year_row.year, pack, catalog, units.nodes, inputs, [], None, overrides
    ).units
    # locked: approved lists keep their stored unit ratings, and those levels are approved (A8)
    approved_levels: dict[str, Level] = {}
    if approved:
        finals = dict(
            db.session.execute(
                select(RatingDecision.unit_id, RatingDecision.final_level).where(
                    RatingDecision.year_id == year_row.id,
                    RatingDecision.kind == "unit",
                    RatingDecision.final_level.is_not(None),
                )
            ).all()
        )
        for row in db.session.scalars(
            select(Rating).where(
                Rating.year_id == year_row.id,
                Rating.kind == "unit",
                Rating.list_unit_id.in_(approved),
            )
        ):
            code = units.code[row.unit_id]
            result[code] = stored_rating(row, code)
            approved_levels[code] = Level(finals.get(row.unit_id) or row.level)
    return result, approved_levels


class _Part:
    """People rated together: the quota roots of whole scope groups, and how many people."""

    __slots__ = ("roots", "people")

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.people = 0


def _parts(year_row, units: _Units, only_root: str | None) -> list[_Part]:
    """Parts closed under the quota scopes (union-find over scope roots), from one grouped
    query: people with inputs counted by (unit, party unit, party member)."""
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
            unit_ids = [uid for r in part.roots for uid in units.ids_by_root.get(r, ())]
            rows: list = []
            for chunk in _chunks(unit_ids):
                rows.extend(
                    db.session.execute(_inputs_stmt(year_row).where(Person.unit_id.in_(chunk)))
                )
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
        .execution_options(yield_per=_STREAM)
    )
    result = conn.execute(stmt)
    try:
        current: list = []
        number = 0
        for batch in result.partitions():
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
    finally:
        result.close()


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


def _person_inputs(rows, units: _Units, violations) -> tuple[list[PersonInput], dict]:
    inputs: list[PersonInput] = []
    meta: dict[str, tuple[int, int, int | None, str]] = {}
    code_of = units.code
    no_violations = ()
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
                months[m] = score if type(score) is Decimal else Decimal(score)
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
        found = violations.get(pid)
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
                    _dec(ct),
                    _dec(dd),
                    _dec(tp),
                    _dec(kl),
                    tuple(found) if found else no_violations,
                    months,
                    None if task_points is None else _dec(task_points),
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
    "computed_at",
)


def _write(rows: list[tuple]) -> None:
    """Insert rating rows (tuples in _COLUMNS order, steps already JSON text): COPY on
    PostgreSQL, executemany on SQLite, both inside the session's transaction."""
    if not rows:
        return
    conn = db.session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        _copy(raw, rows)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
        cur = raw.cursor()
        try:
            cur.executemany(
                f"INSERT INTO ratings ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [tuple(str(x) if isinstance(x, Decimal) else x for x in row) for row in rows],
            )
        finally:
            cur.close()


def _copy(raw, rows: list[tuple]) -> None:
    with raw.cursor() as cur:
        with cur.copy(f"COPY ratings ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class _Writer:
    """Writes each part's rows while the caller rates the next one. PostgreSQL: the COPY runs
    in a helper thread on the session's connection (same transaction); the caller must call
    wait() before using the connection again. SQLite: written at once, in the caller."""

    def __init__(self) -> None:
        conn = db.session.connection()
        self.raw = conn.connection.driver_connection
        self.background = conn.dialect.name == "postgresql"
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self, rows: list[tuple]) -> None:
        self.wait()
        if not rows:
            return
        if not self.background:
            _write(rows)
            return

        def run():
            try:
                _copy(self.raw, rows)
            except BaseException as err:  # handed to the caller by wait()
                self.error = err

        self.thread = threading.Thread(target=run, name="eval-recompute-copy", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            err, self.error = self.error, None
            raise err


def _row(year_id, kind, person_id, unit_id, list_unit_id, r: RatingResult, scope, now):
    return (
        year_id,
        kind,
        person_id,
        unit_id,
        list_unit_id,
        str(r.level),
        r.score,
        r.task_points,
        r.provisional,
        scope,
        steps_text(r),
        now,
    )


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
    """Rate the year (or the scope part holding `unit`) and store the results. Returns counts."""
    with _gc_paused():
        return _recompute(year_row, unit, progress)


def _recompute(year_row: EvalYear, unit: Unit | None, progress: Progress | None) -> dict:
    report = progress or (lambda done, total, message: None)
    now = dt.datetime.now().replace(microsecond=0)
    pack = pack_of(year_row)
    catalog = catalog_of(year_row)
    units = _Units()
    approved = _approved_lists(year_row)
    overrides = _overrides(year_row)
    report(0, 1, "Đang xếp loại tập thể")
    unit_result, approved_levels = _rate_units(year_row, units, pack, catalog, approved, overrides)
    # unit ratings: all of the year (cheap), except approved lists
    db.session.execute(
        delete(Rating)
        .where(Rating.year_id == year_row.id, Rating.kind == "unit")
        .where(Rating.list_unit_id.not_in(approved) if approved else True)
    )
    unit_rows = []
    for code, r in unit_result.items():
        uid = units.id[code]
        list_unit = units.list_unit(uid)
        if list_unit in approved:
            continue
        scope = scope_key(("unit", units.code.get(units.parent.get(uid))))
        unit_rows.append(_row(year_row.id, "unit", None, uid, list_unit, r, scope, now))

    only_root = units.root[unit.id] if unit is not None else None
    parts = _parts(year_row, units, only_root)
    total = sum(p.people for p in parts)
    report(0, total, "Đang xếp loại cá nhân")
    if unit is None:
        stmt = delete(Rating).where(
            Rating.year_id == year_row.id, Rating.kind.in_(("official", "party"))
        )
        if approved:
            stmt = stmt.where(Rating.list_unit_id.not_in(approved))
        db.session.execute(stmt)
    violations = _violation_codes(year_row, Violation.person_id)
    counts = {"units": len(unit_rows), "official": 0, "party": 0, "people": total}
    scopes: dict[tuple, str] = {}

    def key(scope: tuple) -> str:
        text = scopes.get(scope)
        if text is None:
            text = scopes[scope] = scope_key(scope)
        return text

    writer = _Writer()
    pending = unit_rows  # written while the first part is rated
    done = 0
    try:
        loaded = _part_rows(year_row, units, parts, whole_year=unit is None)
        for part in parts:
            writer.wait()  # the connection is the caller's again
            inputs, meta = _person_inputs(next(loaded), units, violations)
            if unit is not None:
                for chunk in _chunks(pid for pid, *_ in meta.values()):
                    stmt = delete(Rating).where(
                        Rating.year_id == year_row.id,
                        Rating.kind.in_(("official", "party")),
                        Rating.person_id.in_(chunk),
                    )
                    if approved:
                        stmt = stmt.where(Rating.list_unit_id.not_in(approved))
                    db.session.execute(stmt)
            writer.start(pending)
            nodes = _part_nodes(units, part, inputs)
            result = compute_year(
                year_row.year,
                pack,
                catalog,
                nodes,
                [],
                inputs,
                approved_levels,
                overrides,
                unit_ratings={n.code: unit_result[n.code] for n in nodes if n.code in unit_result},
            )
            del inputs
            rows = []
            root = units.root
            year_id = year_row.id
            for code, r in result.official.items():
                pid, unit_id, _party_unit, duty = meta[code]
                if unit_id in approved:
                    continue
                scope = key(("official", root[unit_id], duty))
                rows.append(_row(year_id, "official", pid, None, unit_id, r, scope, now))
            counts["official"] += len(rows)
            n_official = len(rows)
            for code, r in result.party.items():
                pid, unit_id, party_unit, _duty = meta[code]
                if unit_id in approved:
                    continue
                scope = key(("party", root[party_unit or unit_id]))
                rows.append(_row(year_id, "party", pid, None, unit_id, r, scope, now))
            counts["party"] += len(rows) - n_official
            del result, meta
            pending = rows
            done += part.people
            report(done, total, "Đang xếp loại cá nhân")
        writer.wait()
        loaded.close()  # the whole year's query is done with
        if unit is None:
            db.session.connection().exec_driver_sql(f"DROP TABLE IF EXISTS {_PARTS_TABLE}")
        writer.start(pending)
        writer.wait()
    except BaseException:
        try:
            writer.wait()  # never leave the helper thread on the connection
        except BaseException:
            pass
        raise
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
    from evaluation.jobs import enqueue

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
            )
