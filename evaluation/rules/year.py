"""A year rated at once: B1–B5 for the units, then A1–A10 for official and party ratings."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import localcontext

from evaluation.rules._compiled import _CTX, _compile, _Compiled
from evaluation.rules._gc import gc_paused
from evaluation.rules._results import _OFFICIAL, _PARTY, _UNIT, Rating
from evaluation.rules.catalog import ViolationType
from evaluation.rules.levels import _RANK, Level
from evaluation.rules.pack import RulePack
from evaluation.rules.person import PersonInput, _Common, _common, _rate_person
from evaluation.rules.quota import _quota
from evaluation.rules.unit import UnitInput, UnitNode, UnitTree, _rate_unit


@dataclass(frozen=True, slots=True)
class YearResult:
    """compute_year's answer: ratings keyed by unit or person code."""

    units: dict[str, Rating]
    official: dict[str, Rating]
    party: dict[str, Rating]


def compute_year(
    year: int,
    pack: RulePack,
    catalog: Mapping[str, ViolationType],
    units: Iterable[UnitNode] | UnitTree,
    unit_inputs: Iterable[UnitInput],
    people: Iterable[PersonInput],
    approved_unit_levels: Mapping[str, Level] | None = None,
    scope_overrides: Mapping[Hashable, int] | None = None,
    unit_ratings: Mapping[str, Rating] | None = None,
    official_levels: Mapping[str, Level] | None = None,
) -> YearResult:
    """Rate a year: B1–B4 and the B5 quota among siblings, then (B6) official ratings A1–A8
    with the A10 quota by (quota root, duty_group), then party ratings A1–A9 with the A10 quota
    by quota root of the party unit.

    A8 caps a head at approved_unit_levels[unit] when given, else at the unit's computed level
    (the result is then provisional). scope_overrides maps a scope key ("unit", parent),
    ("official", root, duty_group) or ("party", root) to another p (A10 exception). The result
    does not depend on the order of the inputs; duplicate codes raise ValueError. The cyclic
    garbage collector is paused while it runs (and restored): it builds no cycles.

    unit_ratings, when given, are the year's unit ratings already computed (B1–B5, by an
    earlier call over all units): unit_inputs are then not rated again, so people can be rated
    in parts, each part closed under its quota scopes, with the heads capped as in one call.

    units may be a UnitTree (a caller rating a year in parts builds the tree once).

    official_levels, when given, are the official levels (after A10) of people passed without
    a category: they are rated as party members only, A9 comparing with that level. A party
    scope can then be rated with the members whose official scopes are not rated again.
    """
    with gc_paused():
        c = _compile(pack, catalog)
        unit_inputs = list(unit_inputs)
        people = list(people)
        _refuse_duplicates(
            [ui.code for ui in unit_inputs], "Đơn vị {} có hai dòng đánh giá tập thể."
        )
        _refuse_duplicates(
            [inp.code for inp in people], "Cán bộ {} có hai dòng đánh giá trong năm."
        )
        tree = _tree_of(units, unit_inputs)
        with localcontext(_CTX):
            if unit_ratings is not None:
                unit_result = dict(unit_ratings)
            else:
                unit_result = _rate_units(unit_inputs, c, tree, pack.b5_p, scope_overrides)
            # B6: the units' levels (approved, else computed) cap their heads (A8).
            unit_ranks = _unit_ranks(unit_result, approved_unit_levels)
            official_result, party_result = _rate_people(
                people, c, year, tree, unit_ranks, pack.a10_p, scope_overrides, official_levels
            )
        return YearResult(unit_result, official_result, party_result)


def _rate_people(
    people: list[PersonInput],
    c: _Compiled,
    year: int,
    tree: UnitTree,
    unit_ranks: dict[str, tuple[int, bool]],
    p: int,
    scope_overrides: Mapping[Hashable, int] | None,
    official_levels: Mapping[str, Level] | None,
) -> tuple[dict[str, Rating], dict[str, Rating]]:
    """A1–A8 and the A10 quota for officials, then A1–A9 and the A10 quota for party members:
    the official and the party ratings, keyed by person code."""
    # quota roots looked up as needed: memoized in the tree, the dict read first
    root_of = tree._roots.get
    quota_root_of = tree.quota_root_of
    head_unit = unit_ranks.get
    no_unit = (0, True)
    cutoff = c.admitted_cutoff(year)
    rate = _rate_person

    # A1–A8, A10 for officials
    official: list[Rating] = []
    scopes: list[Hashable] = []
    # A2–A5 worked out for an official who is also a party member, for the party rating.
    shared: dict[str, _Common] = {}
    a1_min = c.a1_min
    for inp in people:
        if inp.category:
            unit_rank, unit_ok = head_unit(inp.unit_code, no_unit) if inp.is_head else no_unit
            if inp.is_party_member and (inp.months_worked >= a1_min or inp.maternity):
                common = shared[inp.code] = _common(inp, c)
                rated = rate(inp, c, year, cutoff, False, unit_rank, unit_ok, 0, common)
            else:
                rated = rate(inp, c, year, cutoff, False, unit_rank, unit_ok, 0)
            official.append(rated)
            unit_code = inp.unit_code
            root = root_of(unit_code) or quota_root_of(unit_code)
            scopes.append((_OFFICIAL, root, inp.duty_group))
    _quota(official, scopes, p, scope_overrides)
    official_result = {r.code: r for r in official}

    # A1–A9, A10 for party members, after the officials' quota
    party: list[Rating] = []
    scopes = []
    own_official = official_result.get
    given_official = (official_levels or {}).get
    shared_common = shared.get
    for inp in people:
        if inp.is_party_member:
            unit_rank, unit_ok = head_unit(inp.unit_code, no_unit) if inp.is_head else no_unit
            own = own_official(inp.code)
            if own is not None:
                official_rank = _RANK[own.level]
            else:
                given = given_official(inp.code)
                official_rank = 0 if given is None else _RANK[Level(given)]
            party.append(
                rate(
                    inp,
                    c,
                    year,
                    cutoff,
                    True,
                    unit_rank,
                    unit_ok,
                    official_rank,
                    shared_common(inp.code),
                )
            )
            unit_code = inp.party_unit_code or inp.unit_code
            root = root_of(unit_code) or quota_root_of(unit_code)
            scopes.append((_PARTY, root))
    _quota(party, scopes, p, scope_overrides)
    return official_result, {r.code: r for r in party}


def _tree_of(units: Iterable[UnitNode] | UnitTree, unit_inputs: list[UnitInput]) -> UnitTree:
    """The tree of the year: the units' own nodes, then the units only the inputs declare."""
    # The tree's own nodes win over the parent/quota_root copies carried by the yearly inputs.
    # A UnitTree given as such is used as it is (its memo of quota roots grows) when it holds
    # every unit with inputs.
    if isinstance(units, UnitTree) and all(ui.code in units for ui in unit_inputs):
        return units
    units = units.nodes() if isinstance(units, UnitTree) else list(units)
    declared = {node.code for node in units}
    return UnitTree([*units, *(ui for ui in unit_inputs if ui.code not in declared)])


def _rate_units(
    unit_inputs: list[UnitInput],
    c: _Compiled,
    tree: UnitTree,
    p: int,
    scope_overrides: Mapping[Hashable, int] | None,
) -> dict[str, Rating]:
    """B1–B4, then B5 among siblings, keyed by unit code."""
    rated = [_rate_unit(ui, c) for ui in unit_inputs]
    _quota(rated, [(_UNIT, tree.parent_of(r.code)) for r in rated], p, scope_overrides)
    return {r.code: r for r in rated}


def _unit_ranks(
    unit_result: Mapping[str, Rating], approved_unit_levels: Mapping[str, Level] | None
) -> dict[str, tuple[int, bool]]:
    """Unit code -> (rank of its level, approved): the approved level, else the computed one."""
    unit_ranks = {code: (_RANK[r.level], False) for code, r in unit_result.items()}
    for code, level in (approved_unit_levels or {}).items():
        unit_ranks[code] = (_RANK[Level(level)], True)
    return unit_ranks


def _refuse_duplicates(codes: list[str], message: str) -> None:
    if len(set(codes)) != len(codes):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise ValueError(message.format(code))
            seen.add(code)
