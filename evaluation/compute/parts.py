"""Parts of the people rated together, closed under the quota scopes: the whole year's (a
union-find over scope roots), one unit's (its closure, or the narrowed part)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from evaluation.models import PersonEval
from evaluation.rules import PersonInput, UnitNode
from service.common.queries import IN_LIST_SIZE, in_chunks
from service.extensions import db
from service.org.models import Person

if TYPE_CHECKING:
    from evaluation.compute.load import _Units

BATCH = 20_000  # people per part (parts hold whole scopes, so one may be larger)


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
    for in_units in in_chunks(Person.unit_id, r_units):
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
    for in_cells in in_chunks(Person.party_unit_id, touched_units):
        found += db.session.execute(members.where(in_cells)).all()
    # members without a party unit are in the party scope of their own unit's root
    other_units = [uid for r in touched - {only_root} for uid in units.ids_by_root.get(r, ())]
    for in_units in in_chunks(Person.unit_id, other_units):
        found += db.session.execute(members.where(Person.party_unit_id.is_(None), in_units)).all()
    outsiders = sorted({(pid, uid) for pid, uid in found if uid not in r_set})
    part.outsiders = [pid for pid, _uid in outsiders]
    part.people += len(part.outsiders)
    part.roots = sorted(touched | {root[uid] for _pid, uid in outsiders})
    return part if part.people else None


class _Widen(Exception):
    """A narrowed part cannot be rated (an outsider has no stored official rating): rate the
    part closed under every scope instead. Raised before anything is written."""


_CLOSURE_UNITS = 3 * IN_LIST_SIZE  # a scope group bigger than this is found from the whole year


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
            in_chunks(Person.unit_id, unit_ids),
            in_chunks(Person.party_unit_id, unit_ids),
            strict=True,
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
