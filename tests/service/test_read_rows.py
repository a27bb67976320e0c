"""service.common.queries.read_rows: a select of columns run on the session's connection (no
ORM row loading) answers what the session's execute answers: the same rows, the columns' own
types (enums, dates), and changes not yet flushed (autoflush), unless autoflush is off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.common.queries import read_rows
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
