"""service.common.queries.bulk_insert: COPY on PostgreSQL, executemany elsewhere; the values
read back as an ORM INSERT would have written them (enums, booleans, dates, Python defaults)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.common.queries import bulk_insert
from service.extensions import db
from service.org.models import Category, Gender, Person, sort_name_values


def test_bulk_insert_writes_what_an_insert_would(create_unit):
    unit = create_unit("BI")
    rows = [
        sort_name_values(
            {
                "code": f"BI{i}",
                "full_name": f"Đặng Thị {i}",
                "unit_id": unit.id,
                "gender": Gender.FEMALE if i else None,
                "category": Category.CIVIL_SERVANT.value,
                "is_party_member": bool(i % 2),
                "birth_date": dt.date(1990, 2, 28),
                "party_unit_id": None,
            }
        )
        for i in range(3)
    ]
    bulk_insert(Person.__table__, rows)
    got = db.session.scalars(select(Person).where(Person.unit_id == unit.id).order_by(Person.code))
    people = list(got)
    assert [p.code for p in people] == ["BI0", "BI1", "BI2"]
    assert people[1].gender == Gender.FEMALE and people[0].gender is None
    assert people[2].category == Category.CIVIL_SERVANT
    assert [p.is_party_member for p in people] == [False, True, False]
    assert people[0].birth_date == dt.date(1990, 2, 28)
    assert people[0].position == "" and people[0].party_gap_days == 0  # Python defaults
    assert people[0].sort_name and people[0].created_at is not None


def test_bulk_insert_quotes_column_names_that_are_sql_words(app_ctx):
    """violation_types has a column named "group": COPY must quote it (a restore on PostgreSQL
    failed with a syntax error at "group"). A table of the test's own, made in its transaction."""
    from sqlalchemy import Column, Integer, MetaData, String, Table

    table = Table(
        "bulk_quote_check",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("group", Integer),
        Column("order", String(10)),
    )
    conn = db.session.connection()
    table.create(conn)
    bulk_insert(table, [{"id": 1, "group": 2, "order": "a"}, {"id": 2, "group": 3, "order": "b"}])
    got = conn.execute(select(table.c.group, table.c.order).order_by(table.c.id)).all()
    assert [tuple(r) for r in got] == [(2, "a"), (3, "b")]
