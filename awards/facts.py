"""The facts of a year for the award rules, read from the database (RULES.md C, P): final
official, party and unit levels, the history years, disciplines, under-review flags, the
registry's initiatives and models, party admission data; as the awards.rules dataclasses.

Set-based: a fixed number of queries per call (units, people, ratings, inputs, history,
registry), never one per person. The evaluation's data come through its public queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from awards.queries import initiative_counts
from awards.rules import Discipline, Initiatives, PastYear, PersonFacts, UnitFacts
from evaluation import queries as eq
from service.extensions import db
from service.org.models import Person, Unit

NONE = Initiatives()


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


def _pasts(rows, key) -> dict[int, dict[int, PastYear]]:
    out: dict[int, dict[int, PastYear]] = defaultdict(dict)
    for r in rows:
        subject = getattr(r, key)
        if subject is None:
            continue
        out[subject][r.year] = PastYear(
            official=r.official_level,
            party=r.party_level,
            awards=frozenset(r.awards or ()),
        )  # its initiatives: the registry's (its unnamed entries hold the history's counts)
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
    if not row or not row.discipline_form:
        return ()
    on = row.discipline_date
    return (
        Discipline(
            form=row.discipline_form,
            year=on.year if on else (row.discipline_year or None),
            decided_on=on,
            party=bool(row.party_discipline),
        ),
    )


def year_facts(year: int, unit: Unit | None = None) -> YearFacts:
    """The facts of `year` for the gathering root of `unit` (everything when None)."""
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

    def scope_of(code):
        while code is not None and not quota.get(code):
            code = parent.get(code)
        return code

    people = db.session.execute(
        select(
            Person.id,
            Person.code,
            Person.full_name,
            Person.unit_id,
            Person.party_unit_id,
            Person.admitted_on,
            Person.party_gap_days,
            Person.seriously_ill,
        )  # fmt: skip
        .join(Unit, Unit.id == Person.unit_id)
        .where(_inside(path))
    ).all()

    ratings = eq.final_ratings(year_row, path)
    official = {r.person_id: r for r in ratings if r.kind == "official"}
    party = {r.person_id: r for r in ratings if r.kind == "party"}
    unit_level = {r.unit_id: r for r in ratings if r.kind == "unit"}
    person_inputs, unit_inputs = eq.award_inputs(year_row, path)
    person_in = {r.person_id: r for r in person_inputs}
    unit_review = {r.unit_id: bool(r.under_review) for r in unit_inputs}

    history = eq.history_before(year, path)
    person_past, unit_past = _pasts(history, "person_id"), _pasts(history, "unit_id")
    years = sorted({r.year for r in history} | {year})
    person_counts, unit_counts = initiative_counts(years)
    _add_registry(person_past, {k: v for k, v in person_counts.items() if k[1] != year})
    _add_registry(unit_past, {k: v for k, v in unit_counts.items() if k[1] != year})

    provisional: set[tuple[str, str]] = set()
    person_facts, person_rows = [], {}
    for p in people:
        row = person_in.get(p.id)
        o, pa = official.get(p.id), party.get(p.id)
        if any(r is not None and not r.approved for r in (o, pa)):
            provisional.add(("person", p.code))
        person_facts.append(
            PersonFacts(
                code=p.code,
                unit=unit_code[p.unit_id],
                scope=scope_of(unit_code[p.unit_id]),
                official=o.level if o is not None else None,
                score=o.score if o is not None else None,
                party=pa.level if pa is not None else None,
                under_review=bool(row is not None and row.under_review),
                disciplines=_discipline(row),
                initiatives=person_counts.get((p.id, year), NONE),
                history=person_past.get(p.id, {}),
                admitted_on=p.admitted_on,
                gap_days=p.party_gap_days or 0,
                seriously_ill=bool(p.seriously_ill),
                party_unit=unit_code.get(p.party_unit_id),
            )
        )
        person_rows[p.code] = {"id": p.id, "name": p.full_name, "unit": unit_code[p.unit_id]}

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
    return YearFacts(year, root, person_facts, unit_facts, person_rows, unit_rows, provisional)


__all__ = ["YearFacts", "gathering_root", "year_facts"]
