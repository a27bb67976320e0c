# ruff: noqa: F811 - the example fixtures are imported, then requested by name
"""A recompute that changes many ratings refreshes PostgreSQL's planner statistics of the
ratings table in its own transaction (issue 14: right after a year's first recompute, a
whole-city rating export planned on an "empty" table stalled for ten minutes)."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import delete

from evaluation import compute
from evaluation.models import Rating
from evaluation.queries import get_year
from service.extensions import db
from tests.evaluation.test_example_pipeline import expected, imported  # noqa: F401 - fixtures

rc = importlib.import_module("evaluation.compute.recompute")  # the package exports a function


@pytest.mark.parametrize(
    "counts, dialect, wanted",
    [
        ({"written": 10_000}, "postgresql", True),
        ({"written": 6_000, "removed": 4_000}, "postgresql", True),
        ({"written": 9_999}, "postgresql", False),
        ({"written": 500_000}, "sqlite", False),  # SQLite plans without such statistics
        ({}, "postgresql", False),
    ],
)
def test_needs_analyze_after_many_changed_ratings(counts, dialect, wanted):
    assert rc.needs_analyze(counts, dialect) is wanted


def test_a_big_recompute_analyzes_the_ratings_in_its_transaction(imported, monkeypatch):
    _h, year, _answers = imported
    monkeypatch.setattr(rc, "ANALYZE_AFTER_ROWS", 1)
    ran = []
    execute = db.session.execute

    def spy(statement, *args, **kwargs):
        ran.append(str(statement))
        return execute(statement, *args, **kwargs)

    year_row = get_year(year)
    db.session.execute(delete(Rating).where(Rating.year_id == year_row.id))
    monkeypatch.setattr(db.session, "execute", spy)
    counts = compute.recompute(year_row)
    monkeypatch.undo()
    assert counts["written"] > 1
    analyzed = [s for s in ran if s.startswith("ANALYZE")]
    postgres = db.session.get_bind().dialect.name == "postgresql"
    assert analyzed == (["ANALYZE ratings"] if postgres else [])
    db.session.commit()  # the statistics commit with the ratings (a savepoint in the suite)
