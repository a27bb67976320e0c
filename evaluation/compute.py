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
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, select

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
        rows = db.session.execute(
            select(Unit.id, Unit.code, Unit.parent_id, Unit.quota_root, Unit.path)
        ).all()
        self.code = {r.id: r.code for r in rows}
        self.id = {r.code: r.id for r in rows}
        self.parent = {r.id: r.parent_id for r in rows}
        self.nodes = [
            UnitNode(r.code, self.code.get(r.parent_id), bool(r.quota_root)) for r in rows
        ]
        self.tree = UnitTree(self.nodes)
        roots = self.tree.all_quota_roots()
        self.root = {r.id: roots.get(r.code) or self.tree.quota_root_of(r.code) for r in rows}

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
    return _ZERO if value is None else Decimal(value)


def _rate_units(year_row, units: _Units, pack, catalog, approved: set[int], overrides):
    """B1–B5 for every unit with inputs; ratings of approved lists are the stored ones."""
    violations = _violation_codes(year_row, Violation.unit_id)
    inputs = []
    for row in db.session.execute(
        select(UnitEval.unit_id, *(getattr(UnitEval, c) for c in _UNIT_COLS)).where(
            UnitEval.year_id == year_row.id
        )
    ):
        values = row._mapping
        code = units.code[row.unit_id]
        inputs.append(
            UnitInput(
                code=code,
                parent_code=units.code.get(units.parent.get(row.unit_id)),
                ct=_dec(values["ct"]),
                dd=_dec(values["dd"]),
                tp=_dec(values["tp"]),
                kl=_dec(values["kl"]),
                k1=bool(values["k1"]),
                k2=bool(values["k2"]),
                k3=bool(values["k3"]),
                k4=bool(values["k4"]),
                violations=tuple(violations.get(row.unit_id, ())),
                task_points=_dec(values["task_points"]),
                targets_total=values["targets_total"] or 0,
                targets_done=values["targets_done"] or 0,
                targets_late=values["targets_late"] or 0,
                targets_exceeded=values["targets_exceeded"] or 0,
                subunits_total=values["subunits_total"] or 0,
                subunits_disciplined=values["subunits_disciplined"] or 0,
                leadership_disciplined=bool(values["leadership_disciplined"]),
                corruption_case=bool(values["corruption_case"]),
                under_review=bool(values["under_review"]),
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


def _parts(year_row, units: _Units, only_root: str | None) -> list[list[int]]:
    """Person ids in parts closed under the quota scopes (union-find over scope roots)."""
    rows = db.session.execute(
        select(Person.id, Person.unit_id, Person.party_unit_id, Person.is_party_member)
        .join(PersonEval, PersonEval.person_id == Person.id)
        .where(PersonEval.year_id == year_row.id)
    ).all()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keyed = []
    root = units.root
    for pid, unit_id, party_unit_id, is_member in rows:
        a = root[unit_id]
        find(a)
        if is_member:
            b = root[party_unit_id or unit_id]
            if b != a:
                parent[find(b)] = find(a)
        keyed.append((pid, a))
    groups: dict[str, list[int]] = defaultdict(list)
    for pid, a in keyed:
        groups[find(a)].append(pid)
    if only_root is not None:
        if only_root not in parent:
            return []
        return [groups.get(find(only_root), [])]
    parts: list[list[int]] = []
    current: list[int] = []
    for key in sorted(groups):
        current.extend(groups[key])
        if len(current) >= BATCH:
            parts.append(current)
            current = []
    if current:
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


def _person_inputs(year_row, ids, units: _Units, violations) -> tuple[list[PersonInput], dict]:
    inputs: list[PersonInput] = []
    meta: dict[str, tuple[int, int]] = {}
    eval_cols = [getattr(PersonEval, c) for c in _EVAL_COLS]
    code_of = units.code
    for chunk in _chunks(ids):
        for row in db.session.execute(
            select(*_PERSON_COLS, *eval_cols)
            .join(PersonEval, PersonEval.person_id == Person.id)
            .where(PersonEval.year_id == year_row.id, Person.id.in_(chunk))
        ):
            v = row._mapping
            months = {}
            for m in range(1, 13):
                score = v[f"m{m}"]
                if score is not None:
                    months[m] = Decimal(score)
            status = v["party_status"]
            inputs.append(
                PersonInput(
                    code=v["code"],
                    unit_code=code_of[v["unit_id"]],
                    party_unit_code=code_of.get(v["party_unit_id"]),
                    duty_group=v["duty_group"] or "",
                    is_head=bool(v["is_head"]),
                    category=str(v["category"]) if v["category"] else None,
                    is_party_member=bool(v["is_party_member"]),
                    party_status=PartyStatus(str(status)) if status else PartyStatus.ACTIVE,
                    admitted_on=v["admitted_on"],
                    ct=_dec(v["ct"]),
                    dd=_dec(v["dd"]),
                    tp=_dec(v["tp"]),
                    kl=_dec(v["kl"]),
                    violations=tuple(violations.get(v["id"], ())),
                    monthly_scores=months,
                    task_points=None if v["task_points"] is None else Decimal(v["task_points"]),
                    tasks_total=v["tasks_total"] or 0,
                    tasks_late=v["tasks_late"] or 0,
                    tasks_exceeded=v["tasks_exceeded"] or 0,
                    months_worked=12 if v["months_worked"] is None else v["months_worked"],
                    maternity=bool(v["maternity"]),
                    discipline_form=v["discipline_form"] or None,
                    discipline_year=v["discipline_year"],
                    counted_before=bool(v["counted_before"]),
                    self_remedied=bool(v["self_remedied"]),
                    party_discipline=bool(v["party_discipline"]),
                    under_review=bool(v["under_review"]),
                )
            )
            meta[v["code"]] = (v["id"], v["unit_id"], v["party_unit_id"], v["duty_group"] or "")
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
        with raw.cursor() as cur:
            with cur.copy(f"COPY ratings ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
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
        json.dumps(steps_json(r), ensure_ascii=False, separators=(",", ":")),
        now,
    )


def recompute(
    year_row: EvalYear, unit: Unit | None = None, progress: Progress | None = None
) -> dict:
    """Rate the year (or the scope part holding `unit`) and store the results. Returns counts."""
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
    _write(unit_rows)

    only_root = units.root[unit.id] if unit is not None else None
    parts = _parts(year_row, units, only_root)
    total = sum(len(p) for p in parts)
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
    done = 0
    for part in parts:
        if unit is not None:
            for chunk in _chunks(part):
                stmt = delete(Rating).where(
                    Rating.year_id == year_row.id,
                    Rating.kind.in_(("official", "party")),
                    Rating.person_id.in_(chunk),
                )
                if approved:
                    stmt = stmt.where(Rating.list_unit_id.not_in(approved))
                db.session.execute(stmt)
        inputs, meta = _person_inputs(year_row, part, units, violations)
        result = compute_year(
            year_row.year,
            pack,
            catalog,
            units.nodes,
            [],
            inputs,
            approved_levels,
            overrides,
            unit_ratings=unit_result,
        )
        rows = []
        root = units.root
        for code, r in result.official.items():
            pid, unit_id, _party_unit, duty = meta[code]
            if unit_id in approved:
                continue
            scope = scope_key(("official", root[unit_id], duty))
            rows.append(_row(year_row.id, "official", pid, None, unit_id, r, scope, now))
        for code, r in result.party.items():
            pid, unit_id, party_unit, _duty = meta[code]
            if unit_id in approved:
                continue
            scope = scope_key(("party", root[party_unit or unit_id]))
            rows.append(_row(year_row.id, "party", pid, None, unit_id, r, scope, now))
        for row in rows:
            counts[row[1]] += 1
        _write(rows)
        done += len(part)
        report(done, total, "Đang xếp loại cá nhân")
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
