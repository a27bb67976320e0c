"""The recompute: reads the year (or one unit's scope part), rates the units and the parts of
people, and writes only what changed (with the cascade to parts whose heads' caps moved)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

from sqlalchemy import select, text

from evaluation.compute.explain import scope_key
from evaluation.compute.load import (
    _PARTS_TABLE,
    _approved_lists,
    _load_units,
    _locked_units,
    _official_levels,
    _overrides,
    _part_rows,
    _person_inputs,
    _unit_inputs,
    _Units,
    _violation_codes,
)
from evaluation.compute.parallel import _PartContext, _rate_forked, _rate_part, processes_for
from evaluation.compute.parts import _narrow_part, _Part, _parts, _Widen
from evaluation.compute.store import _Stored, _Writer
from evaluation.models import EvalYear, Rating, Violation
from evaluation.queries import catalog_of, pack_of
from evaluation.rules import Level, compute_year, gc_paused
from service.common.queries import in_chunks
from service.extensions import db
from service.org.models import Unit

Progress = Callable[[int, int, str], None]


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


def recompute(
    year_row: EvalYear, unit: Unit | None = None, progress: Progress | None = None
) -> dict:
    """Rate the year (or the scope part holding `unit`) and store the results. Returns counts.

    A unit's part rates the sibling groups of its units (B5), which reach past the part: the
    quota root's siblings. When one of those changes level, its heads (another part) are capped
    differently (A8), so that part is recomputed too, and so on; `also` names their quota
    roots."""
    with gc_paused():  # as rules.compute_year: millions of objects, no cycles
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
        refresh_statistics(counts)
        return counts


ANALYZE_AFTER_ROWS = 10_000


def needs_analyze(counts: dict, dialect: str, threshold: int | None = None) -> bool:
    """Whether a recompute changed enough ratings that PostgreSQL's planner statistics of the
    table must be refreshed now: a year's first recompute fills the table, and until
    autovacuum's next ANALYZE the planner, believing it nearly empty, reads a whole-city rating
    export with nested loops over every unit (a 500,000-row export stalled for 10 minutes on a
    cursor fetching 2,000 rows in 6 s)."""
    changed = counts.get("written", 0) + counts.get("removed", 0)
    limit = ANALYZE_AFTER_ROWS if threshold is None else threshold
    return dialect == "postgresql" and changed >= limit


def refresh_statistics(counts: dict) -> None:
    """ANALYZE the ratings table in the recompute's transaction when needs_analyze (its new
    statistics commit with the ratings)."""
    if needs_analyze(counts, db.session.get_bind().dialect.name):
        db.session.execute(text("ANALYZE ratings"))


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
    run = _Run(year_row, unit, narrow, progress or (lambda done, total, message: None))
    writer = run.writer
    loaded = _part_rows(year_row, run.units, run.parts, whole_year=unit is None)
    processes = processes_for(len(run.parts)) if unit is None else 1
    try:
        if processes > 1:
            run.rate_forked(loaded, processes)
            parts_here: list = []
        else:
            parts_here = run.parts
        for number, part in enumerate(parts_here):
            run.rate_part(number, part, loaded)
        writer.wait()
        loaded.close()  # the whole year's query is done with
        removed = run.write_rest(processes)
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
    return run.result(removed)


def _scope_keys() -> Callable[[tuple], str]:
    """scope_key, made once per scope."""
    scopes: dict[tuple, str] = {}

    def key(scope: tuple) -> str:
        found = scopes.get(scope)
        if found is None:
            found = scopes[scope] = scope_key(scope)
        return found

    return key


class _Run:
    """One _recompute: what it read, what it rated so far, and the writes still to add."""

    def __init__(self, year_row: EvalYear, unit: Unit | None, narrow: bool, report) -> None:
        self.year_row, self.unit, self.narrow, self.report = year_row, unit, narrow, report
        self.now = dt.datetime.now().replace(microsecond=0)
        self.year_id = year_row.id
        self.pack = pack_of(year_row)
        self.catalog = catalog_of(year_row)
        self.units: _Units = _load_units()
        self.approved = _approved_lists(year_row)
        self.overrides = _overrides(year_row)
        report(0, 1, "Đang xếp loại tập thể")
        self._read_parts()
        self.unit_inputs = _unit_inputs(year_row, self.units, self.rated_units)
        self.locked = _locked_units(year_row, self.units, self.approved, self.rated_units)
        self.total = sum(p.people for p in self.parts)
        self._read_outside_levels()
        # the whole year: every person's violations; one part: its people's (read with the part)
        self.violations = _violation_codes(year_row, Violation.person_id) if unit is None else {}
        self.key = _scope_keys()
        self.decimals: dict[str, Decimal] = {}
        self._load_stored()
        self.writer = _Writer()
        self.ops: list = []
        self.unit_result: dict = {}
        self.approved_levels: dict = {}
        self.counts = {"units": 0, "official": 0, "party": 0, "people": self.total}
        self.ctx: _PartContext | None = None
        self.done = 0  # people rated in this process

    def _read_parts(self) -> None:
        """The parts of people to rate, and the units rated with them."""
        units, unit = self.units, self.unit
        self.only_root = only_root = units.root[unit.id] if unit is not None else None
        if self.narrow:
            narrowed = _narrow_part(self.year_row, units, only_root)
            self.parts: list[_Part] = [narrowed] if narrowed is not None else []
        else:
            self.parts = _parts(self.year_row, units, only_root)
        # one unit's part: the units of its sibling groups; the whole year: every unit
        self.rated_units = (
            None
            if unit is None
            else units.sibling_groups([only_root, *(r for p in self.parts for r in p.roots)])
        )

    def _read_outside_levels(self) -> None:
        """One part: the levels of the rated units outside it, whose heads it does not rate
        (a narrowed part rates only R's official scopes: every other root is outside)."""
        units, only_root = self.units, self.only_root
        own_roots = (
            {only_root} if self.narrow else {only_root, *(r for p in self.parts for r in p.roots)}
        )
        self.outside = [uid for uid in self.rated_units or () if units.root[uid] not in own_roots]
        self.outside_levels: dict = {}
        for in_outside in in_chunks(Rating.unit_id, self.outside):
            self.outside_levels.update(
                db.session.execute(
                    select(Rating.unit_id, Rating.level).where(
                        Rating.year_id == self.year_id, Rating.kind == "unit", in_outside
                    )
                ).all()
            )

    def _stored_stmt(self, *where):
        stmt = select(
            Rating.kind, Rating.person_id, Rating.unit_id, Rating.id, Rating.digest
        ).where(Rating.year_id == self.year_id, *where)
        approved = self.approved
        return stmt.where(Rating.list_unit_id.not_in(approved)) if approved else stmt

    def _load_stored(self) -> None:
        """What may be replaced: every unit rating of the year (all units are rated, cheap);
        the whole year: every person's rating too (one part: its people's, loaded with it)."""
        self.stored = stored = _Stored(self.year_id, self.now)
        if self.unit is None:
            stored.load(self._stored_stmt())
        for in_rated in in_chunks(Rating.unit_id, self.rated_units or ()):
            stored.load(self._stored_stmt(Rating.kind == "unit", in_rated))

    def rate_units(self) -> list:
        """Rate the units and offer their ratings; the writes of those that changed."""
        units, stored, key = self.units, self.stored, self.key
        self.unit_result, self.approved_levels = _rate_units(
            self.year_row,
            units,
            self.pack,
            self.catalog,
            self.unit_inputs,
            self.locked,
            self.overrides,
        )
        n = 0
        for code, r in self.unit_result.items():
            uid = units.id[code]
            list_unit = units.list_unit(uid)
            if list_unit in self.approved:
                continue
            scope = key(("unit", units.code.get(units.parent.get(uid))))
            stored.offer("unit", None, uid, list_unit, r, scope)
            n += 1
        self.counts["units"] = n
        stale, write = stored.take()
        self.report(0, self.total, "Đang xếp loại cá nhân")
        return [self.writer.delete_ids(stale), self.writer.rows(write)]

    def part_context(self) -> _PartContext:
        """After rate_units: what every part is rated with."""
        ctx = _PartContext(
            self.year_row.year,
            self.pack,
            self.catalog,
            self.units,
            self.approved,
            self.approved_levels,
        )
        ctx.overrides, ctx.unit_result, ctx.stored = self.overrides, self.unit_result, self.stored
        ctx.key = self.key
        ctx.violations = self.violations  # the whole year's (worker processes read them)
        ctx.copy = self.writer.conn.dialect.name == "postgresql"
        return ctx

    def rate_forked(self, loaded: Iterator[list], processes: int) -> None:
        """The whole year in worker processes (forked: they inherit the context, read nothing,
        write nothing); this process reads each part, hands it over and writes what comes
        back, in order."""
        writer, total, report = self.writer, self.total, self.report
        writer.add(self.rate_units())
        writer.wait()  # no helper thread busy on the connection while forking
        _done, n_official, n_party = _rate_forked(
            self.part_context(),
            self.parts,
            loaded,
            writer,
            processes,
            lambda d: report(d, total, "Đang xếp loại cá nhân"),
        )
        self.counts["official"] += n_official
        self.counts["party"] += n_party

    def rate_part(self, number: int, part: _Part, loaded: Iterator[list]) -> None:
        """Rate the next part in this process: its writes run while the part after it is
        rated (the units' while the first part is)."""
        writer, stored, counts = self.writer, self.stored, self.counts
        writer.wait()  # the connection is the caller's again
        inputs, meta, official_levels = self._part_inputs(part, next(loaded))
        writer.add(self.ops)  # the rows of the part before
        self.ops = []
        if number == 0:
            writer.add(self.rate_units())  # while this part is rated
            self.ctx = self.part_context()
        n_official, n_party = _rate_part(self.ctx, part, inputs, meta, official_levels)
        counts["official"] += n_official
        counts["party"] += n_party
        del inputs, meta
        stale, write = stored.take()
        self.ops += [writer.delete_ids(stale), writer.rows(write)]
        self.done += part.people
        self.report(self.done, self.total, "Đang xếp loại cá nhân")

    def _part_inputs(self, part: _Part, rows: list) -> tuple[list, dict, dict | None]:
        """A part's PersonInputs, meta and the outsiders' stored official levels; one unit's
        part: its people's violations and stored ratings are read here."""
        unit = self.unit
        if unit is not None:
            self.violations = _violation_codes(
                self.year_row, Violation.person_id, [r[0] for r in rows]
            )
        inputs, meta = _person_inputs(rows, self.units, self.violations, self.decimals)
        del rows
        official_levels = None
        outsiders = set(part.outsiders)
        if outsiders:  # party members only, A9 against their stored official level
            official_levels = _official_levels(self.year_id, meta, outsiders)
            narrowed_inputs = []
            for inp in inputs:
                if meta[inp.code][0] in outsiders:
                    if inp.category and inp.code not in official_levels:
                        raise _Widen  # nothing written yet
                    inp = dataclasses.replace(inp, category=None)
                narrowed_inputs.append(inp)
            inputs = narrowed_inputs
        if unit is not None:
            stored, stmt = self.stored, self._stored_stmt
            own = [v[0] for v in meta.values() if v[0] not in outsiders]
            for in_people in in_chunks(Rating.person_id, own):
                stored.load(stmt(Rating.kind.in_(("official", "party")), in_people))
            for in_people in in_chunks(Rating.person_id, outsiders):
                stored.load(stmt(Rating.kind == "party", in_people))
        return inputs, meta, official_levels

    def write_rest(self, processes: int) -> list[int]:
        """After the last part: its writes, the units' if there was no part, the deletion of
        the stored ratings not produced again (returned); waits for them all."""
        writer, ops = self.writer, self.ops
        if not self.parts:
            ops += self.rate_units()
        self.counts["processes"] = processes
        removed = self.stored.leftover()  # not produced again: gone
        ops.append(writer.delete_ids(removed))
        if self.unit is None:
            ops.append(writer.sql(text(f"DROP TABLE IF EXISTS {_PARTS_TABLE}")))
        writer.add(ops)
        writer.wait()
        return removed

    def result(self, removed: list[int]) -> dict:
        """The counts, with the quota roots whose unit levels outside the part changed."""
        units, counts, stored = self.units, self.counts, self.stored
        cascade = set()
        for uid in self.outside:
            r = self.unit_result.get(units.code[uid])
            if (str(r.level) if r is not None else None) != self.outside_levels.get(uid):
                cascade.add(units.root[uid])
        counts["_cascade"] = sorted(cascade)
        counts["unchanged"] = stored.unchanged
        counts["rewritten"] = stored.changed
        counts["written"] = (
            counts["units"] + counts["official"] + counts["party"] - stored.unchanged
        )
        counts["removed"] = len(removed)
        self.year_row.computed_at = self.now
        db.session.flush()
        self.report(self.total, self.total, "Đã xếp loại xong.")
        return counts
