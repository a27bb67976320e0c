"""service.common.queries.bulk_insert: COPY on PostgreSQL, executemany elsewhere; the values
read back as an ORM INSERT would have written them (enums, booleans, dates, Python defaults)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.common.queries import bulk_insert
from service.extensions import db
from service.org.models import Category, Gender, Person, sort_name_values


def people_rows(unit, prefix: str, gender: Gender, born: dt.date) -> list[dict]:
    """Three people of `unit` as an import writes them (codes prefix0..prefix2; the first
    without a gender, the second a party member)."""
    return [
        sort_name_values(
            {
                "code": f"{prefix}{i}",
                "full_name": f"Đặng Thị {i}",
                "unit_id": unit.id,
                "gender": gender if i else None,
                "category": Category.CIVIL_SERVANT.value,
                "is_party_member": bool(i % 2),
                "birth_date": born,
                "party_unit_id": None,
            }
        )
        for i in range(3)
    ]


def read_back(unit, prefix: str, gender: Gender, born: dt.date) -> list:
    """The people of `unit` as written, checked against people_rows' values."""
    got = db.session.scalars(select(Person).where(Person.unit_id == unit.id).order_by(Person.code))
    people = list(got)
    assert [p.code for p in people] == [f"{prefix}{i}" for i in range(3)]
    assert people[1].gender == gender and people[0].gender is None
    assert people[2].category == Category.CIVIL_SERVANT
    assert [p.is_party_member for p in people] == [False, True, False]
    assert people[0].birth_date == born and people[0].sort_name
    return people


def test_bulk_insert_writes_what_an_insert_would(create_unit):
    unit = create_unit("BI")
    rows = people_rows(unit, "BI", Gender.FEMALE, dt.date(1990, 2, 28))
    bulk_insert(Person.__table__, rows)
    people = read_back(unit, "BI", Gender.FEMALE, dt.date(1990, 2, 28))
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


def test_bulk_update_sets_the_given_columns_by_id(create_unit):
    """service.common.queries.bulk_update: on PostgreSQL COPY into a temporary table and one
    UPDATE … FROM (the ORM's bulk UPDATE elsewhere); only the rows named, only their keys."""
    from service.common.queries import bulk_update

    unit, other = create_unit("BU"), create_unit("BV")
    rows = [
        sort_name_values({"code": f"BU{i}", "full_name": f"Lê Văn {i}", "unit_id": unit.id})
        for i in range(3)
    ]
    bulk_insert(Person.__table__, rows)
    ids = dict(
        db.session.execute(select(Person.code, Person.id).where(Person.unit_id == unit.id)).all()
    )
    bulk_update(
        Person,
        [
            sort_name_values(
                {
                    "id": ids[f"BU{i}"],
                    "full_name": f"Trần Thị {i}",
                    "unit_id": other.id,
                    "gender": Gender.FEMALE.value if i else None,
                    "is_head": True,
                    "birth_date": dt.date(1980, 1, i + 1),
                }
            )
            for i in range(2)
        ],
    )
    bulk_update(Person, [])
    db.session.expire_all()
    people = {p.code: p for p in db.session.scalars(select(Person).where(Person.code.like("BU%")))}
    assert people["BU0"].full_name == "Trần Thị 0" and people["BU0"].unit_id == other.id
    assert people["BU1"].gender == Gender.FEMALE and people["BU0"].gender is None
    assert people["BU1"].is_head and people["BU1"].birth_date == dt.date(1980, 1, 2)
    assert people["BU0"].sort_name == sort_name_values({"full_name": "Trần Thị 0"})["sort_name"]
    assert people["BU0"].code == "BU0" and people["BU0"].position == ""  # not given: kept
    untouched = people["BU2"]
    assert (untouched.full_name, untouched.unit_id, untouched.is_head) == (
        "Lê Văn 2",
        unit.id,
        False,
    )


def test_bulk_insert_values_writes_sequences_as_bulk_insert_writes_dicts(create_unit):
    """bulk_insert_values: rows as sequences in the keys' order (no dict per row), the values
    through the columns' bind processing (enums) as in bulk_insert; a column with a Python
    default left out is refused before anything is written."""
    import pytest

    from service.common.queries import bulk_insert_values

    unit = create_unit("BW")
    rows = people_rows(unit, "BW", Gender.MALE, dt.date(1988, 2, 29))
    for r in rows:  # every column with a Python default given, as the function asks
        for c in Person.__table__.c:
            if c.default is not None and c.key not in r:
                r[c.key] = c.default.arg
    keys = list(rows[0])
    short = [k for k in keys if k != "position"]
    with pytest.raises(ValueError, match="position"):
        bulk_insert_values(Person.__table__, short, [[r[k] for k in short] for r in rows])
    bulk_insert_values(Person.__table__, keys, [tuple(r[k] for k in keys) for r in rows])
    read_back(unit, "BW", Gender.MALE, dt.date(1988, 2, 29))
