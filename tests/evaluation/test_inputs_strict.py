"""Issue 15 item 3 on the evaluation's inputs: a body that is not JSON, numbers with more
decimals than allowed, fractional counts and unbounded lists of violation codes are refused
(400 naming the field), never altered or stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from evaluation.models import PersonEval, Violation
from service.extensions import db

YEAR = 2025
PERSON = f"/api/v1/years/{YEAR}/people/SX001/evaluation"
UNIT = f"/api/v1/years/{YEAR}/units/SX1/evaluation"


@pytest.fixture
def world(app_ctx, create_unit, create_person, create_user, bearer, create_year):
    root = create_unit("SX", quota_root=True)
    unit = create_unit("SX1", root)
    person = create_person(unit, code="SX001")
    staff = create_user(roles=[("staff", root)])
    return {"year": create_year(YEAR), "unit": unit, "person": person, "h": bearer(staff)}


def rows_of(person):
    return db.session.scalar(
        select(func.count()).select_from(PersonEval).where(PersonEval.person_id == person.id)
    )


def violations_of(person):
    return db.session.scalar(
        select(func.count()).select_from(Violation).where(Violation.person_id == person.id)
    )


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_text_plain_body_is_refused_and_creates_no_row(client, world, method):
    res = getattr(client, method)(
        PERSON, data="ct=5&garbage{{", content_type="text/plain", headers=world["h"]
    )
    assert res.status_code == 400
    assert res.get_json()["error"]["fields"]["json"]
    assert rows_of(world["person"]) == 0


@pytest.mark.parametrize(
    "field,value",
    [("ct", 5.001), ("ct", "4.999"), ("m3", "92,505"), ("task_points", 60.125), ("kl", "1e-3")],
)
def test_more_decimals_than_allowed_are_refused_not_rounded(client, world, field, value):
    res = client.put(PERSON, json={field: value}, headers=world["h"])
    assert res.status_code == 400, res.get_json()
    messages = res.get_json()["error"]["fields"][field]
    assert any("2 chữ số thập phân" in m for m in messages)
    assert rows_of(world["person"]) == 0


@pytest.mark.parametrize("value", [5, 5.0, "4,5", "4.50", 4.25, "4.10", "5.00"])
def test_two_decimals_or_fewer_still_save(client, world, value):
    res = client.put(PERSON, json={"ct": value}, headers=world["h"])
    assert res.status_code == 200, res.get_json()


def test_unit_scores_refuse_more_decimals_too(client, world):
    res = client.put(UNIT, json={"tp": 4.125}, headers=world["h"])
    assert res.status_code == 400 and "tp" in res.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "field,value",
    [("months_worked", 1.5), ("tasks_total", 10.5), ("tasks_late", 0.1), ("initiatives_base", 2.5)],
)
def test_fractional_counts_are_refused_not_truncated(client, world, field, value):
    res = client.put(PERSON, json={field: value}, headers=world["h"])
    assert res.status_code == 400, res.get_json()
    assert res.get_json()["error"]["fields"][field] == ["Phải là số nguyên."]
    assert rows_of(world["person"]) == 0


def test_a_whole_number_written_as_a_float_or_text_is_still_a_count(client, world):
    res = client.put(PERSON, json={"months_worked": 6.0, "tasks_total": "3"}, headers=world["h"])
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["months_worked"] == 6 and res.get_json()["tasks_total"] == 3


def test_unit_counts_refuse_fractions(client, world):
    res = client.put(UNIT, json={"targets_total": 2.5}, headers=world["h"])
    assert res.status_code == 400 and "targets_total" in res.get_json()["error"]["fields"]


def test_ten_thousand_copies_of_a_code_are_refused(client, world):
    res = client.patch(PERSON, json={"violations": ["1.03"] * 10_000}, headers=world["h"])
    assert res.status_code == 400
    assert res.get_json()["error"]["fields"]["violations"] == ["Tối đa 25 mã vi phạm mỗi lần lưu."]
    assert violations_of(world["person"]) == 0


def test_twenty_six_codes_are_refused_twenty_five_saved(client, world):
    codes = ["1.03", "1.04", "1.06", "2.03", "2.04"] * 5
    res = client.patch(PERSON, json={"violations": codes + ["1.03"]}, headers=world["h"])
    assert res.status_code == 400
    res = client.patch(PERSON, json={"violations": codes}, headers=world["h"])
    assert res.status_code == 200, res.get_json()
    assert violations_of(world["person"]) == 25


def test_a_repeated_code_is_two_occurrences_not_a_duplicate(client, world):
    """RULES A2/A5: each listed occurrence counts (deduction and the 3-violation cap), so a
    code twice in one save is two records, kept as such (bounded by the 25 of the list)."""
    res = client.patch(PERSON, json={"violations": ["1.03", "1.03"]}, headers=world["h"])
    assert res.status_code == 200
    assert res.get_json()["violations"] == ["1.03", "1.03"]


def test_the_codes_shown_are_bounded_too(client, world):
    res = client.patch(
        PERSON,
        json={"violations": [], "violations_shown": ["1.03"] * 100_000},
        headers=world["h"],
    )
    assert res.status_code == 400
    assert "violations_shown" in res.get_json()["error"]["fields"]


def test_an_import_cell_with_more_than_25_codes_is_refused(client, world):
    from tests.evaluation.test_inputs_safety import row, upload, xlsx

    cell = ", ".join(["1.03"] * 26)
    res = upload(client, world["h"], xlsx([row("SX001", **{"Biểu hiện vi phạm": cell})]))
    assert res.status_code == 400, res.get_json()
    errors = res.get_json()["error"]["import"]["errors"]
    assert [e["message"] for e in errors if e["column"] == "Biểu hiện vi phạm"] == [
        "Tối đa 25 mã vi phạm mỗi lần lưu."
    ]
    assert violations_of(world["person"]) == 0


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"discipline_form": "khien_trach"}, "discipline_year", "Cần năm (hoặc ngày) quyết định"),
        (
            {"discipline_form": "khien_trach", "discipline_year": 2030},
            "discipline_year",
            "sau năm đánh giá 2025",
        ),
        (
            {"discipline_form": "canh_cao", "discipline_date": "2026-01-05"},
            "discipline_year",
            "sau năm đánh giá 2025",
        ),
    ],
)
def test_A6_a_discipline_without_its_year_or_after_the_year_is_refused(
    client, world, body, field, message
):
    """A6 counts a discipline decided in the year: a form with no year (nor date) or a year
    after the one rated would be stored and silently not counted (the rating stayed T with
    «khiển trách» and no year), so it is refused, naming the field; nothing is stored."""
    res = client.put(PERSON, json=body, headers=world["h"])
    assert res.status_code == 400, res.get_json()
    assert any(message in m for m in res.get_json()["error"]["fields"][field])
    assert rows_of(world["person"]) == 0
    ok = {"discipline_form": "khien_trach", "discipline_year": 2024}  # an earlier year stands
    assert client.put(PERSON, json=ok, headers=world["h"]).status_code == 200
