"""Rating a part of people (_rate_part), and a whole year's parts in forked worker processes
that inherit the context (_rate_forked)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable
from decimal import Decimal

from evaluation.compute import _templates
from evaluation.compute.explain import scope_key
from evaluation.compute.load import _person_inputs
from evaluation.compute.parts import _part_nodes
from evaluation.compute.store import _Stored, copy_data
from evaluation.rules import compute_year
from service.common.workers import fork_processes
from service.common.workers import worker_init as _worker_init


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
        _templates._TEMPLATES,
    )


def processes_for(parts: int) -> int:
    """Worker processes for a whole-year recompute of this many parts (1: in this process)."""
    return fork_processes("EVAL_RECOMPUTE_PROCESSES", parts)


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
        _templates._TEMPLATES.update(templates)  # those the worker met (rules.TEMPLATES: none new)
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
        with multiprocessing.get_context("fork").Pool(processes, _worker_init) as pool:
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
