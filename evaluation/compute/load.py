"""Loading a year's inputs: the unit tree (cached on PostgreSQL), unit inputs, violations,
locks, and the people's input rows (streamed part by part) as PersonInputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import column, select, table

from evaluation.compute.explain import scope_tuple, stored_rating
from evaluation.models import (
    UNIT_EVAL_FIELDS,
    EvalYear,
    PersonEval,
    QuotaOverride,
    Rating,
    RatingDecision,
    Review,
    UnitEval,
    Violation,
)
from evaluation.rules import Level, PartyStatus, PersonInput, UnitInput, UnitNode, UnitTree
from evaluation.rules import Rating as RatingResult
from service.common.queries import in_chunks
from service.extensions import db
from service.org.models import Person, Unit

if TYPE_CHECKING:
    from evaluation.compute.parts import _Part

# PersonInput's fields, in its order: the input rows and the tuples _person_inputs builds follow
# it. Its person fields (from duty_group up to the scores) are Person's columns of the same
# names, and its fields after the monthly scores are PersonEval's.
_INPUT_FIELDS = tuple(f.name for f in dataclass_fields(PersonInput))
_SCORES = ("ct", "dd", "tp", "kl")
_PERSON_FIELDS = _INPUT_FIELDS[
    _INPUT_FIELDS.index("party_unit_code") + 1 : _INPUT_FIELDS.index("ct")
]
_REST = _INPUT_FIELDS[_INPUT_FIELDS.index("monthly_scores") + 1 :]
if (len(_PERSON_FIELDS), len(_REST)) != (6, 12) or _INPUT_FIELDS != (
    "code",
    "unit_code",
    "party_unit_code",
    *_PERSON_FIELDS,
    *_SCORES,
    "violations",
    "monthly_scores",
    *_REST,
):  # _person_inputs unpacks the rows by position
    raise ImportError("PersonInput's fields are not laid out as _person_inputs builds them")
_EVAL_COLS = (*_SCORES, *(f"m{m}" for m in range(1, 13)), *_REST)
_UNIT_COLS = UNIT_EVAL_FIELDS  # every yearly unit input, in the stored order
_ZERO = Decimal(0)
_STREAM = 5_000  # rows per fetch of the whole year's inputs
_PARTS_TABLE = "eval_recompute_parts"  # temporary: unit id -> part number (whole-year runs)
_PARTS = table(_PARTS_TABLE, column("unit_id"), column("part"))
_PARTS_COLUMNS = ", ".join(c.name for c in _PARTS.c)
_PARTS_CREATE = (
    f"CREATE TEMPORARY TABLE {_PARTS_TABLE} (unit_id INTEGER PRIMARY KEY, part INTEGER NOT NULL)"
)


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
    stmts = [stmt] if only is None else [stmt.where(c) for c in in_chunks(column, only)]
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
    stmts = [stmt] if only is None else [stmt.where(c) for c in in_chunks(UnitEval.unit_id, only)]
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


def _official_levels(year_id: int, meta: dict, person_ids: set[int]) -> dict[str, Level]:
    """Code -> stored official level (after A10) of these people."""
    code_of = {v[0]: code for code, v in meta.items() if v[0] in person_ids}
    out: dict[str, Level] = {}
    for in_people in in_chunks(Rating.person_id, person_ids):
        for pid, level in db.session.execute(
            select(Rating.person_id, Rating.level).where(
                Rating.year_id == year_id, Rating.kind == "official", in_people
            )
        ):
            if pid in code_of:
                out[code_of[pid]] = Level(level)
    return out


_PERSON_COLS = (
    Person.id,
    Person.code,
    Person.unit_id,
    Person.party_unit_id,
    *(getattr(Person, name) for name in _PERSON_FIELDS),
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
            for in_people in in_chunks(Person.id, part.outsiders):
                rows.extend(db.session.execute(_inputs_stmt(year_row).where(in_people)))
            for in_units in in_chunks(Person.unit_id, unit_ids):
                rows.extend(db.session.execute(_inputs_stmt(year_row).where(in_units)))
            yield rows
        return
    conn = db.session.connection()
    _create_parts_table(conn, units, parts)
    tp = _PARTS
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
        conn.exec_driver_sql(f"{_PARTS_CREATE} ON COMMIT DROP")
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {_PARTS_TABLE} ({_PARTS_COLUMNS}) FROM STDIN") as copy:
                for row in mapping:
                    copy.write_row(row)
            cur.execute(f"ANALYZE {_PARTS_TABLE}")
    else:
        conn.exec_driver_sql(_PARTS_CREATE)
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.executemany(f"INSERT INTO {_PARTS_TABLE} ({_PARTS_COLUMNS}) VALUES (?, ?)", mapping)
        finally:
            cur.close()


# PersonInput is a frozen slotted dataclass: set its slots through their descriptors (what
# rules.py does for its outputs), twice as fast as the generated __init__; same objects.
_FAST_INPUT = not hasattr(PersonInput, "__post_init__")
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
