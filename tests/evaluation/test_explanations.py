# ruff: noqa: F811 - the example fixtures are imported, then requested by name
"""Stored explanations: a rating's steps are stored as [rule_id, template key, figures] and read
back through rating_templates (compute.steps_text / compute.explain). What a reader gets must be
exactly the engine's own steps: the same rule ids, messages and figures."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from sqlalchemy import select, update

from evaluation import compute
from evaluation.models import Rating, RatingTemplate
from evaluation.queries import get_year, rating_out
from evaluation.rules import DEFAULT_CATALOG, TEMPLATES, RulePack, compute_year
from evaluation.rules._messages import _A4
from service.extensions import db
from tests.evaluation.test_example_pipeline import expected, imported  # noqa: F401 - fixtures
from tests.evaluation.test_example_rules import EXAMPLE, load_example
from tests.evaluation.test_rules import PACK, PROPERTY, TREE, YEAR, people_lists, unit_lists


@pytest.fixture(scope="module")
def result():
    year = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))["year"]
    nodes, unit_inputs, people = load_example(EXAMPLE)
    return compute_year(year, RulePack(), DEFAULT_CATALOG, nodes, unit_inputs, people)


def _all(res):
    return [*res.units.values(), *res.official.values(), *res.party.values()]


def _assert_reads_back(ratings) -> None:
    for r in ratings:
        stored = json.loads(compute.steps_text(r))
        assert [s[0] for s in stored] == [s.rule_id for s in r.steps]
        assert compute.explain(stored) == compute.steps_json(r), r.code
        for s in r.steps:
            assert s.template in TEMPLATES, (s.rule_id, s.template)


def test_stored_steps_read_back_as_computed_on_the_example(result):
    ratings = _all(result)
    rules = {s.rule_id for r in ratings for s in r.steps}
    # the example reaches the rules whose messages format dates and decimals (A1, A2, B1)
    assert {"A1", "A2", "A3", "A10", "B1", "B2", "B5"} <= rules
    _assert_reads_back(ratings)


def test_stored_steps_are_a_fraction_of_the_rendered_text(result):
    ratings = _all(result)
    compact = sum(len(compute.steps_text(r)) for r in ratings)
    rendered = sum(
        len(json.dumps(compute.steps_json(r), ensure_ascii=False, separators=(",", ":")))
        for r in ratings
    )
    assert compact < 0.6 * rendered, (compact, rendered)


@PROPERTY
@given(people_lists, unit_lists)
def test_property_stored_steps_read_back_as_computed(people, units):
    _assert_reads_back(_all(compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, units, people)))


def test_recompute_stores_the_templates_its_rows_name(imported, monkeypatch):
    _h, year, _answers = imported
    rows = db.session.scalars(select(Rating).where(Rating.year_id == get_year(year).id)).all()
    assert rows
    keys = {s[1] for r in rows for s in r.steps}
    saved = dict(db.session.execute(select(RatingTemplate.id, RatingTemplate.template)).all())
    assert keys <= saved.keys()
    assert set(saved.values()) <= set(TEMPLATES)
    # a process that never computed reads every template from the database
    before = {r.id: compute.explain(r.steps) for r in rows}
    monkeypatch.setattr(compute._templates, "_TEMPLATES", {})
    assert {r.id: compute.explain(r.steps) for r in rows} == before
    assert all(
        s["message_vi"].startswith(s["rule_id"]) or "tỷ lệ" in s["message_vi"]
        for steps in before.values()
        for s in steps
    )


def test_rows_with_rendered_steps_read_as_they_are(imported):
    _h, _year, _answers = imported
    row = db.session.scalars(select(Rating).where(Rating.kind == "official")).first()
    old = compute.explain(row.steps)
    db.session.execute(update(Rating).where(Rating.id == row.id).values(steps=old))
    db.session.expire_all()
    row = db.session.get(Rating, row.id)
    assert isinstance(row.steps[0], dict)
    out = rating_out(row, "X", "X", None)
    assert out["why"] == old
    assert out["rules"] == [s["rule_id"] for s in old]
    assert compute.stored_rating(row, "X").rule_ids == tuple(dict.fromkeys(out["rules"]))


# The A4 wording before the explanations were put in plain words (issue 11 item 5)
_OLD_A4 = (
    "A4 điều kiện nhiệm vụ: {from}→{to} "
    "(chậm {tasks_late}/{tasks_total}, vượt {tasks_exceeded}/{tasks_total})"
)


def test_rows_stored_with_an_old_wording_keep_reading_with_it(imported, monkeypatch):
    _h, _year, _answers = imported
    old_key = compute._templates._blake2b(_OLD_A4.encode(), digest_size=8).hexdigest()
    assert _OLD_A4 not in TEMPLATES
    db.session.add(RatingTemplate(id=old_key, template=_OLD_A4))
    row = db.session.scalars(select(Rating).where(Rating.kind == "official")).first()
    figures = {"from": "XS", "to": "HT", "tasks_total": 12, "tasks_late": 1, "tasks_exceeded": 3}
    db.session.execute(
        update(Rating).where(Rating.id == row.id).values(steps=[["A4", old_key, figures]])
    )
    db.session.flush()
    db.session.expire_all()
    # the same figures under this code's wording read in words
    [new] = compute.explain([["A4", compute._templates._template_key(_A4[1]), figures]])
    assert new["message_vi"] == (
        "A4: mức Tốt cần 0 nhiệm vụ chậm; có 1/12 nhiệm vụ chậm → Hoàn thành nhiệm vụ"
    )
    # a process that never met the old wording reads it from rating_templates
    monkeypatch.setattr(compute._templates, "_TEMPLATES", {})
    [step] = compute.explain(db.session.get(Rating, row.id).steps)
    assert step["message_vi"] == "A4 điều kiện nhiệm vụ: XS→HT (chậm 1/12, vượt 3/12)"


def test_a_whole_figure_written_with_places_reads_with_a_decimal_comma_on_the_pages():
    """«tiêu chí chung 10.00» stood next to «57,13» on the person's page and in the rating
    spreadsheet: a figure stored as a whole number (10) but written with places (:.2f)."""
    from evaluation.rules._messages import _A2_YEARLY

    key = compute._templates._template_key(_A2_YEARLY)
    figures = {"score": "57.13", "general": 10, "directive": "10.00", "task_points": "47.13"}
    [page] = compute.explain([["A2", key, figures]], decimal_comma=True)
    assert "tiêu chí chung 10,00" in page["message_vi"] and "57,13" in page["message_vi"]
    [api] = compute.explain([["A2", key, figures]])
    assert "tiêu chí chung 10.00" in api["message_vi"]  # the API keeps the decimal point
    [text] = compute.explain([["A2", key, {**figures, "general": "10"}]], decimal_comma=True)
    assert "tiêu chí chung 10,00" in text["message_vi"]
