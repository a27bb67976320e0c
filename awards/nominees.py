"""The nominations on a list that still wait for something (a rating approved, the council's
vote), and how a refusal names the first of them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from awards.models import Nomination
from service.extensions import db

VOTABLE = ("proposed", "manual")  # on the list, not removed: what the council votes on


def waiting_on(list_id: int, *where, limit: int | None = None) -> list[Nomination]:
    """The list's nominations on it (not removed) that meet `where`, with their person or
    unit loaded, in the order they were made (the first `limit` of them when given)."""
    return db.session.scalars(
        select(Nomination)
        .where(Nomination.list_id == list_id, Nomination.status.in_(VOTABLE), *where)
        .options(joinedload(Nomination.person), joinedload(Nomination.unit))
        .order_by(Nomination.id)
        .limit(limit)
    ).all()


def first_named(nominations: list[Nomination], label: Callable[[Nomination], str]) -> str:
    """The first three as `label` tells them, and « …» when there are more."""
    named = ", ".join(label(n) for n in nominations[:3])
    return named + (" …" if len(nominations) > 3 else "")
