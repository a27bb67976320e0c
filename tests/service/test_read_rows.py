"""service.common.queries.read_rows: a select of columns run on the session's connection (no
ORM row loading) answers what the session's execute answers: the same rows, the columns' own
types (enums, dates), and changes not yet flushed (autoflush), unless autoflush is off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.common.queries import read_rows, read_tuples
from service.extensions import db
from service.org.models import Category, Person


def _person(unit, code: str) -> Person:
    return Person(
        code=code,
        full_name=f"Lê Văn {code}",
        unit_id=unit.id,
        category=Category.CIVIL_SERVANT,
        birth_date=dt.date(1988, 2, 29),
    )


def test_read_rows_answers_what_the_session_answers(create_unit):
    unit = create_unit("RR")
    db.session.add_all([_person(unit, "RR1"), _person(unit, "RR2")])
    db.session.commit()
    stmt = (
        select(Person.code, Person.category, Person.birth_date)
        .where(Person.unit_id == unit.id)
        .order_by(Person.code)
    )
    got = read_rows(stmt)
    assert [tuple(r) for r in got] == [tuple(r) for r in db.session.execute(stmt).all()]
    assert got[0].code == "RR1" and got[0].birth_date == dt.date(1988, 2, 29)
    assert got[0].category == db.session.execute(stmt).first().category


def test_read_rows_sees_what_is_not_flushed_yet_as_the_session_would(create_unit):
    unit = create_unit("RF")
    db.session.commit()
    db.session.add(_person(unit, "RF1"))  # pending, not flushed
    stmt = select(Person.code).where(Person.unit_id == unit.id)
    with db.session.no_autoflush:
        assert read_rows(stmt) == []  # autoflush off: not written yet, as with execute
    assert [r.code for r in read_rows(stmt)] == ["RF1"]


def test_read_tuples_answers_plain_tuples_of_what_the_session_answers(create_unit):
    """read_tuples: the same values as the session's execute, as plain tuples (on PostgreSQL
    the driver's own, where no column needs SQLAlchemy's processing); a column that does (an
    enum) still comes as its type's value; changes not flushed yet are seen."""
    unit = create_unit("RT")
    db.session.add_all([_person(unit, "RT1"), _person(unit, "RT2")])
    db.session.commit()
    db.session.add(_person(unit, "RT3"))  # pending, not flushed
    plain = (
        select(Person.id, Person.code, Person.birth_date, Person.party_gap_days)
        .where(Person.unit_id == unit.id)
        .order_by(Person.code)
    )
    got = read_tuples(plain)
    assert all(type(r) is tuple for r in got)
    assert got == [tuple(r) for r in db.session.execute(plain).all()]
    assert [r[1] for r in got] == ["RT1", "RT2", "RT3"]
    assert got[0][2] == dt.date(1988, 2, 29)
    typed = select(Person.code, Person.category).where(Person.unit_id == unit.id)
    found = read_tuples(typed.order_by(Person.code))
    assert found[0] == ("RT1", Category.CIVIL_SERVANT) and type(found[0]) is tuple
