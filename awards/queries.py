"""Reading the registry of initiatives: the list a user may see, with its filters."""

from __future__ import annotations

from sqlalchemy import distinct, exists, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from awards.models import Initiative, InitiativeAuthor
from service.auth.access import scope_filter
from service.common.queries import search_clause
from service.extensions import db
from service.org.models import Person, Unit

__all__ = ["initiatives_query", "initiative_years"]


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
        stmt = stmt.where(search_clause(q, Initiative.title, Initiative.decision_no))
    return stmt


ORDER = (Initiative.year.desc(), Initiative.kind, Initiative.title, Initiative.id)


def initiative_years() -> list[int]:
    """The years the registry holds, newest first (the page's year choices)."""
    return list(
        db.session.scalars(select(distinct(Initiative.year)).order_by(Initiative.year.desc()))
    )
