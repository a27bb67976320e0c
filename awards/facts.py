"""The facts of a year for the award rules, read from the database (RULES.md C, P): final
official, party and unit levels, the history years, disciplines, under-review flags, the
registry's initiatives and models, party admission data; as the awards.rules dataclasses.

Set-based: a fixed number of queries per call (units, people, ratings, inputs, history,
registry), never one per person. The evaluation's data come through its public queries.

A gathering root's people come in parts (year_source, then people_parts): each part is a set
of whole emulation scopes (C2 ranks within a scope) of at most about `part_people` people, its
queries kept to those scopes' units, so that a city's facts need not be held at once. The
units' facts are read once, whole."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import and_, func, not_, or_, select, true

from awards.queries import initiative_counts
from awards.rules import Discipline, Initiatives, PastYear, PersonFacts, UnitFacts
from evaluation import queries as eq
from service.common.queries import in_ids, read_tuples
from service.extensions import db
from service.org.models import Person, Unit

NONE = Initiatives()
PART_PEOPLE = 40_000  # people per part (whole scopes: a bigger scope makes a bigger part)
MAX_PIECES = 200  # subtrees OR-ed in one part's condition


@dataclass
class YearFacts:
    """What propose_year reads for one gathering root, and the names and ids to show it."""

    year: int
    root: Unit | None  # the subtree the facts cover (None: everything)
    people: list[PersonFacts]
    units: list[UnitFacts]
    person_rows: dict[str, dict]  # code -> {id, name, unit}
    unit_rows: dict[str, dict]  # code -> {id, name, path}
    provisional: set[tuple[str, str]]  # ("person"|"unit", code) rated on a list not approved


@dataclass
class Piece:
    """A subtree's units (`path`; None: everything), but for the subtrees `out` below it."""

    path: str | None
    out: tuple[str, ...] = ()

    def clause(self):
        inside = Unit.subtree_clause(self.path) if self.path is not None else true()
        if not self.out:
            return inside
        return and_(inside, not_(or_(*(Unit.subtree_clause(p) for p in self.out))))

    def holds(self, path: str) -> bool:
        """Whether the unit at `path` is one of this piece's (what clause() selects)."""
        inside = self.path is None or path.startswith(self.path)
        return inside and not any(path.startswith(p) for p in self.out)


@dataclass
class Part:
    """Some whole emulation scopes: the units of its pieces, and how many people they hold."""

    pieces: list[Piece] = field(default_factory=list)
    people: int = 0

    def clause(self):
        """A condition on Unit: the part's units (its people are those of these units)."""
        if len(self.pieces) == 1:
            return self.pieces[0].clause()
        return or_(*(p.clause() for p in self.pieces))

    def unit_ids(self, unit_rows: dict) -> list[int]:
        """The ids of the part's units among `unit_rows` ({code: {"id", "path", …}}: the
        gathering root's units), in the order of their ids."""
        return sorted(
            r["id"] for r in unit_rows.values() if any(p.holds(r["path"]) for p in self.pieces)
        )


@dataclass
class YearSource:
    """What every part of a gathering root shares: the year, the units' facts and rows, each
    unit's emulation scope, the history years, and the parts."""

    year: int
    year_row: object
    root: Unit | None
    units: list[UnitFacts]
    unit_rows: dict[str, dict]  # code -> {id, name, path}
    unit_code: dict[int, str]
    scope: dict[str, str | None]  # unit code -> its emulation scope
    unit_provisional: set[tuple[str, str]]
    years: list[int]  # the history years and the year (the registry's counts)
    parts: list[Part]

    @property
    def people(self) -> int:
        return sum(p.people for p in self.parts)


@dataclass
class PeopleFacts:
    """One part's people: their facts, rows and provisional flags; `within` selects them."""

    part: Part
    people: list[PersonFacts]
    person_rows: dict[str, dict]  # code -> {id, name, unit}
    provisional: set[tuple[str, str]]

    @property
    def within(self):
        return self.part.clause()


def gathering_root(unit: Unit | None) -> Unit | None:
    """The subtree whose facts decide `unit`'s proposals: the nearest emulation scope at or
    above it (C2 counts N and ranks over a whole scope), else the top of its tree."""
    if unit is None:
        return None
    found = unit
    while found is not None and not found.quota_root:
        found = found.parent
    if found is not None:
        return found
    top = unit
    while top.parent is not None:
        top = top.parent
    return top


def _inside(path: str | None):
    return Unit.subtree_clause(path) if path is not None else True


def _pasts(rows, key: int) -> dict[int, dict[int, PastYear]]:
    """{subject id: {year: PastYear}} of history rows (year, person_id, unit_id,
    *HISTORY_FIELDS); `key` 1 for the people's rows, 2 for the units'."""
    out: dict[int, dict[int, PastYear]] = defaultdict(dict)
    shared: dict = {}  # PastYear is frozen: one per distinct (levels, awards' text), decoded once
    for r in rows:
        subject = r[key]
        if subject is None:
            continue
        awards = r[5]  # the JSON's text (history_before's awards_text) or decoded already
        found = (r[3], r[4], awards if isinstance(awards, str) else tuple(awards or ()))
        past = shared.get(found)
        if past is None:
            awards = json.loads(awards) if isinstance(awards, str) else awards
            past = shared[found] = PastYear(
                official=r[3],
                party=r[4],
                awards=frozenset(awards or ()),
            )  # its initiatives: the registry's (its unnamed entries hold the history's counts)
        out[subject][r[0]] = past
    return out


def _add_registry(pasts, counts) -> None:
    """The registry's entries of the history years (named, and the unnamed ones written from
    the count columns, awards.unnamed) as the history years' initiatives."""
    for (subject, y), found in counts.items():
        past = pasts[subject].get(y, PastYear())
        pasts[subject][y] = PastYear(
            past.official, past.party, past.awards, past.initiatives + found
        )


def _discipline(row) -> tuple[Discipline, ...]:
    """The discipline of a person's inputs row (person_id, *eq.PERSON_AWARD_INPUTS)."""
    if not row or not row[2]:
        return ()
    on = row[4]
    return (
        Discipline(
            form=row[2],
            year=on.year if on else (row[3] or None),
            decided_on=on,
            party=bool(row[5]),
        ),
    )


def _plan(units, scope, counts, root_path: str | None, limit: int) -> list[Part]:
    """The parts: each emulation scope whole (with the scopes below it while the whole
    subtree holds at most `limit` people), neighbouring small ones together."""
    top = "\0top"  # the root's own scope (the root itself, or no scope at all)
    path = {u.code: u.path for u in units}
    node = {}  # unit code -> the scope node it belongs to
    for u in units:
        s = scope[u.code]
        node[u.code] = s if s is not None and path.get(s) != root_path else top
    own: dict[str, int] = defaultdict(int)
    for u in units:
        own[node[u.code]] += counts.get(u.id, 0)
    children: dict[str, list[str]] = defaultdict(list)
    parent = {u.id: u for u in units}
    for u in sorted(units, key=lambda u: u.path):
        if node[u.code] != u.code:
            continue  # not a scope of its own
        above = parent.get(u.parent_id)
        children[node[above.code] if above is not None else top].append(u.code)
    whole: dict[str, int] = {}

    def total(n: str) -> int:
        whole[n] = own[n] + sum(total(c) for c in children[n])
        return whole[n]

    total(top)
    pieces: list[tuple[Piece, int]] = []

    def walk(n: str) -> None:
        at = root_path if n == top else path[n]
        if whole[n] <= limit:
            if whole[n]:
                pieces.append((Piece(at), whole[n]))
            return
        if own[n]:
            pieces.append((Piece(at, tuple(path[c] for c in children[n])), own[n]))
        for c in children[n]:
            walk(c)

    walk(top)
    parts: list[Part] = []
    for piece, n in pieces:
        last = parts[-1] if parts else None
        if last is None or last.people + n > limit or len(last.pieces) >= MAX_PIECES:
            last = Part()
            parts.append(last)
        last.pieces.append(piece)
        last.people += n
    return parts


def year_source(year: int, unit: Unit | None = None, part_people: int | None = None) -> YearSource:
    """What the parts of `year`'s facts for the gathering root of `unit` (everything when
    None) share, and the parts (of at most about `part_people` people, PART_PEOPLE)."""
    year_row = eq.get_year(year)
    root = gathering_root(unit)
    path = root.path if root is not None else None

    units = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.quota_root, Unit.path).where(
            _inside(path)
        )
    ).all()
    unit_code = {u.id: u.code for u in units}
    quota = {u.code: u.quota_root for u in units}
    parent = {u.code: unit_code.get(u.parent_id) for u in units}
    scope: dict[str, str | None] = {}

    def scope_of(code):
        seen = []
        while code is not None and not quota.get(code):
            if code in scope:
                found = scope[code]
                break
            seen.append(code)
            code = parent.get(code)
        else:
            found = code
        for c in seen:
            scope[c] = found
        return found

    for u in units:
        scope[u.code] = scope_of(u.code)

    counts = dict(
        db.session.execute(
            select(Person.unit_id, func.count())
            .join(Unit, Unit.id == Person.unit_id)
            .where(_inside(path))
            .group_by(Person.unit_id)
        ).all()
    )
    parts = _plan(units, scope, counts, path, part_people or PART_PEOPLE)

    unit_level = {r.unit_id: r for r in eq.final_ratings(year_row, path, subjects=("unit",))}
    _none, unit_inputs = eq.award_inputs(year_row, path, subjects=("unit",))
    unit_review = {r.unit_id: bool(r.under_review) for r in unit_inputs}
    years = sorted(eq.history_years(year, path) | {year})
    unit_past = _pasts(eq.history_before(year, path, subjects=("unit",), awards_text=True), 2)
    _none, unit_counts = initiative_counts(
        years, within=_inside(path) if path is not None else None, subjects=("unit",)
    )
    _add_registry(unit_past, {k: v for k, v in unit_counts.items() if k[1] != year})

    provisional: set[tuple[str, str]] = set()
    unit_facts, unit_rows = [], {}
    for u in units:
        rating = unit_level.get(u.id)
        if rating is not None and not rating.approved:
            provisional.add(("unit", u.code))
        unit_facts.append(
            UnitFacts(
                code=u.code,
                parent=parent[u.code],
                quota_root=bool(u.quota_root),
                level=rating.level if rating is not None else None,
                under_review=unit_review.get(u.id, False),
                models=unit_counts.get((u.id, year), NONE),
                history=unit_past.get(u.id, {}),
            )
        )
        unit_rows[u.code] = {"id": u.id, "name": u.name, "path": u.path}
    return YearSource(
        year, year_row, root, unit_facts, unit_rows, unit_code, scope, provisional, years, parts
    )


def part_rows(src: YearSource, part: Part) -> tuple:
    """The database rows of one part's people (plain tuples, to hand to a worker process):
    (people, person ratings, person inputs, history, {(person id, year): Initiatives})."""
    stmt = select(
        Person.id,
        Person.code,
        Person.full_name,
        Person.unit_id,
        Person.party_unit_id,
        Person.admitted_on,
        Person.party_gap_days,
        Person.seriously_ill,
    )  # fmt: skip
    if db.session.get_bind().dialect.name == "postgresql":
        # by ids, each query one array parameter read by an index: a part holds a few percent
        # of the city, and a join on the units' paths had PostgreSQL scan every person (in
        # parallel workers, taking the cores the proposal's own workers run on) per query
        units = part.unit_ids(src.unit_rows)
        stmt = stmt.where(in_ids(Person.unit_id, units))
        people = read_tuples(stmt)
        by = {"person_ids": [r[0] for r in people]}
    else:
        within = part.clause()
        stmt = stmt.join(Unit, Unit.id == Person.unit_id).where(within)
        people = read_tuples(stmt)
        by = {"within": within}
    # plain tuples read by position (read_tuples): on PostgreSQL the driver's own, no Row each
    ratings = [  # (kind, person_id, level, score, approved)
        (r[0], r[1], r[3], r[4], r[5])
        for r in eq.final_ratings(src.year_row, subjects=("person",), tuples=True, **by)
    ]
    inputs, _none = eq.award_inputs(src.year_row, subjects=("person",), tuples=True, **by)
    history = eq.history_before(src.year, subjects=("person",), awards_text=True, tuples=True, **by)
    counts, _none = initiative_counts(src.years, subjects=("person",), **by)
    return people, ratings, inputs, history, counts


def people_facts(src: YearSource, part: Part, rows: tuple | None = None) -> PeopleFacts:
    """The facts of one part's people (whole emulation scopes), from `rows` (part_rows) or
    read now. No database access when the rows are given."""
    people, ratings, inputs, history, person_counts = rows or part_rows(src, part)
    year, unit_code, scope = src.year, src.unit_code, src.scope
    official, party = {}, {}
    for r in ratings:
        if r[0] == "official":
            official[r[1]] = r
        elif r[0] == "party":
            party[r[1]] = r
    person_in = {r[0]: r for r in inputs}
    person_past = _pasts(history, 1)
    _add_registry(person_past, {k: v for k, v in person_counts.items() if k[1] != year})

    provisional: set[tuple[str, str]] = set()
    person_facts, person_rows = [], {}
    no_past: dict = {}
    for pid, code, name, unit_id, party_unit_id, admitted_on, gap, ill in people:
        row = person_in.get(pid)
        o, pa = official.get(pid), party.get(pid)
        if (o is not None and not o[4]) or (pa is not None and not pa[4]):
            provisional.add(("person", code))
        unit = unit_code[unit_id]
        person_facts.append(
            PersonFacts(
                code=code,
                unit=unit,
                scope=scope[unit],
                official=o[2] if o is not None else None,
                score=o[3] if o is not None else None,
                party=pa[2] if pa is not None else None,
                under_review=bool(row is not None and row[1]),
                disciplines=_discipline(row) if row is not None and row[2] else (),
                initiatives=person_counts.get((pid, year), NONE),
                history=person_past.get(pid, no_past),
                admitted_on=admitted_on,
                gap_days=gap or 0,
                seriously_ill=bool(ill),
                party_unit=unit_code.get(party_unit_id),
            )
        )
        person_rows[code] = {"id": pid, "name": name, "unit": unit}
    return PeopleFacts(part, person_facts, person_rows, provisional)


def people_parts(src: YearSource) -> Iterator[PeopleFacts]:
    """The facts of each part's people in turn (one part held at a time)."""
    for part in src.parts:
        yield people_facts(src, part)


def year_facts(year: int, unit: Unit | None = None) -> YearFacts:
    """The facts of `year` for the gathering root of `unit` (everything when None), whole."""
    src = year_source(year, unit)
    people, person_rows = [], {}
    provisional = set(src.unit_provisional)
    for found in people_parts(src):
        people += found.people
        person_rows.update(found.person_rows)
        provisional |= found.provisional
    return YearFacts(year, src.root, people, src.units, person_rows, src.unit_rows, provisional)


__all__ = [
    "PeopleFacts",
    "YearFacts",
    "YearSource",
    "gathering_root",
    "people_facts",
    "people_parts",
    "year_facts",
    "year_source",
]
