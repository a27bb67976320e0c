"""Reading the registry of initiatives: the list a user may see, with its filters, and the
counts the award rules read (initiative_counts)."""

from __future__ import annotations

from sqlalchemy import distinct, exists, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from awards.models import MODEL, Initiative, InitiativeAuthor
from awards.rules.facts import BASE, CITY, NATIONAL, NO_INITIATIVES, Initiatives
from service.auth.access import scope_filter
from service.common.queries import in_ids, read_tuples, search_clause
from service.extensions import db
from service.org.models import Person, Unit

__all__ = ["initiative_counts", "initiative_years", "initiatives_query"]


def _authored_under(condition):
    """Entries with an author whose unit satisfies `condition` (over Unit)."""
    author_unit = aliased(Unit)
    return exists(
        select(InitiativeAuthor.initiative_id)
        .join(Person, InitiativeAuthor.person_id == Person.id)
        .join(author_unit, Person.unit_id == author_unit.id)
        .where(
            InitiativeAuthor.initiative_id == Initiative.id,
            condition(author_unit),
        )
    )


def _owned_under(condition):
    """Entries owned by a unit (mô hình) or authored by someone of a unit satisfying
    `condition(unit alias)`."""
    owner = aliased(Unit)
    return or_(
        exists(select(owner.id).where(owner.id == Initiative.unit_id, condition(owner))),
        _authored_under(condition),
    )


def initiatives_query(user, *, year=None, unit: Unit | None = None, person: Person | None = None,
                      kind=None, level=None, q=""):  # fmt: skip
    """The entries `user` may read (one owning unit in their initiative.read reach), newest
    year first; `unit`: owned by it or below it, or authored by someone there; `person`: the
    entries they authored."""
    stmt = (
        select(Initiative)
        .where(_owned_under(lambda u: scope_filter(user, "initiative.read", u.path)))
        .options(
            joinedload(Initiative.unit),
            selectinload(Initiative.authors)
            .joinedload(InitiativeAuthor.person)
            .joinedload(Person.unit),
        )
    )
    if year is not None:
        stmt = stmt.where(Initiative.year == year)
    if kind:
        stmt = stmt.where(Initiative.kind == kind)
    if level:
        stmt = stmt.where(Initiative.level == level)
    if unit is not None:
        stmt = stmt.where(_owned_under(lambda u: Unit.subtree_clause(unit.path, u.path)))
    if person is not None:
        stmt = stmt.where(
            exists(
                select(InitiativeAuthor.initiative_id).where(
                    InitiativeAuthor.initiative_id == Initiative.id,
                    InitiativeAuthor.person_id == person.id,
                )
            )
        )
    if q:
        stmt = stmt.where(search_clause(q, Initiative.decision_no, names=[Initiative.title]))
    return stmt


ORDER = (Initiative.year.desc(), Initiative.kind, Initiative.title, Initiative.id)


def initiative_years() -> list[int]:
    """The years the registry holds, newest first (the page's year choices)."""
    return list(
        db.session.scalars(select(distinct(Initiative.year)).order_by(Initiative.year.desc()))
    )


def initiative_counts(
    years, *, within=None, subjects=("person", "unit"), person_ids=None
) -> tuple[dict, dict]:
    """What RULES.md C counts, from the registry: ({(person_id, year): Initiatives} of the
    sáng kiến and đề tài each author has, {(unit_id, year): Initiatives} of the mô hình each
    unit owns}, by recognizing level, for `years`. A co-authored entry counts for each author;
    a mô hình for its owning unit only (spec/examples/awards-small reading 1); an unnamed entry
    (awards.unnamed) counts its quantity. One grouped query per kind of subject (`subjects`),
    whatever the number of people; `within` (a condition on Unit) keeps the authors whose unit,
    and the owning units, that meet it; `person_ids` (with subjects ("person",)) those
    authors only, by the authors' person_id alone (no join)."""
    years = list(years)
    people: dict[tuple[int, int], Initiatives] = {}
    units: dict[tuple[int, int], Initiatives] = {}
    if not years:
        return people, units
    authored = (
        select(
            InitiativeAuthor.person_id,
            Initiative.year,
            Initiative.level,
            func.sum(Initiative.quantity),
        )
        .join(Initiative, InitiativeAuthor.initiative_id == Initiative.id)
        .where(Initiative.year.in_(years), Initiative.kind != MODEL)
        .group_by(InitiativeAuthor.person_id, Initiative.year, Initiative.level)
    )
    owned = (
        select(Initiative.unit_id, Initiative.year, Initiative.level, func.sum(Initiative.quantity))
        .where(Initiative.year.in_(years), Initiative.kind == MODEL)
        .group_by(Initiative.unit_id, Initiative.year, Initiative.level)
    )
    if person_ids is not None:
        if "unit" in subjects:
            raise ValueError("person_ids= counts people's initiatives, not units'")
        if db.session.get_bind().dialect.name == "postgresql":
            authored = _authored_by(years, person_ids)
        else:
            authored = authored.where(in_ids(InitiativeAuthor.person_id, person_ids))
    elif within is not None:
        authored = (
            authored.join(Person, Person.id == InitiativeAuthor.person_id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(within)
        )
        owned = owned.join(Unit, Unit.id == Initiative.unit_id).where(within)
    wanted = [(authored, people)] if "person" in subjects else []
    wanted += [(owned, units)] if "unit" in subjects else []
    for stmt, out in wanted:
        for subject, year, level, n in read_tuples(stmt):
            key = (subject, year)
            out[key] = out.get(key, NO_INITIATIVES) + _one_level(level, int(n))
    return people, units


def _authored_by(years: list[int], person_ids):
    """PostgreSQL: the grouped (person_id, year, level, quantity) of the sáng kiến and đề tài
    of `person_ids` (RULES.md C2, C3, C4 count them), each author row looking its entry up by the
    primary key (a LATERAL subquery, OFFSET 0 keeps it from being flattened): the plain join
    was hashed over a seq scan of the whole registry for every proposal part (a city's
    490,000 entries; 240-270 ms a part against 130-145 ms, bench/README.md)."""
    author = InitiativeAuthor.person_id
    entry = (
        select(Initiative.year, Initiative.level, Initiative.quantity)
        .where(
            Initiative.id == InitiativeAuthor.initiative_id,
            Initiative.year.in_(years),
            Initiative.kind != MODEL,
        )
        .offset(0)
        .lateral("entry")
    )
    return (
        select(author, entry.c.year, entry.c.level, func.sum(entry.c.quantity))
        .select_from(InitiativeAuthor)
        .join(entry, true())
        .where(in_ids(author, person_ids))
        .group_by(author, entry.c.year, entry.c.level)
    )


def _one_level(level: str, n: int) -> Initiatives:
    return Initiatives(
        base=n if level == BASE else 0,
        city=n if level == CITY else 0,
        national=n if level == NATIONAL else 0,
    )
