"""Demo council: five accounts of a unit's council (chair, secretary, three members), linked to
people of the unit's subtree who have no account yet, and their seats for a year. The demo
loader calls seed(); it only flushes (the loader commits) and can be run twice."""

from __future__ import annotations

from sqlalchemy import select

from awards.council_models import CouncilMember
from service.auth.models import User
from service.extensions import db
from service.org.models import Person, Unit

SEATS = (
    ("hd.chutich", "chair", "Chủ tịch hội đồng"),
    ("hd.thuky", "secretary", "Thư ký hội đồng"),
    ("hd.uyvien1", "member", "Ủy viên hội đồng 1"),
    ("hd.uyvien2", "member", "Ủy viên hội đồng 2"),
    ("hd.uyvien3", "member", "Ủy viên hội đồng 3"),
)


def _free_people(unit: Unit) -> list[Person]:
    """People of the unit's subtree without an account, heads first, in name order."""
    taken = select(User.person_id).where(User.person_id.is_not(None))
    return db.session.scalars(
        select(Person)
        .join(Unit, Unit.id == Person.unit_id)
        .where(Unit.subtree_clause(unit.path, Unit.path), Person.id.not_in(taken))
        .order_by(Person.is_head.desc(), Person.sort_name, Person.id)
        .limit(len(SEATS))
    ).all()


def seed(year: int, unit_code: str, password_hash: str) -> list[str]:
    """Create (or keep) the council accounts hd.chutich, hd.thuky, hd.uyvien1..3 with
    `password_hash`, and seat them on the council of `unit_code` for `year`. Returns the
    usernames."""
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise ValueError(f"unknown unit {unit_code}")
    people = iter(_free_people(unit))
    names = []
    for username, role, label in SEATS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            person = next(people, None)
            user = User(
                username=username,
                full_name=person.full_name if person is not None else label,
                password_hash=password_hash,
                person_id=person.id if person is not None else None,
            )
            db.session.add(user)
            db.session.flush()
        seated = db.session.scalar(
            select(CouncilMember).where(
                CouncilMember.year == year,
                CouncilMember.unit_id == unit.id,
                CouncilMember.user_id == user.id,
            )
        )
        if seated is None:
            db.session.add(CouncilMember(year=year, unit_id=unit.id, user_id=user.id, role=role))
        names.append(username)
    db.session.flush()
    return names
