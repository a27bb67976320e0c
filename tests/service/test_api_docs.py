"""The OpenAPI document says what the API answers, and the edge of every request holds."""

from __future__ import annotations

import pytest

from evaluation.models import PERSON_EVAL_FIELDS, UNIT_EVAL_FIELDS
from evaluation.schemas import PersonEvalOutSchema, UnitEvalOutSchema
from service.common.api import MAX_ID

WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def test_every_operation_needs_the_bearer_token_and_documents_its_answers(document):
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for path, method, op in operations(document):
        assert op["security"] == [{"bearer": []}], (method, path)
        responses = op["responses"]
        assert "default" not in responses, (method, path)
        assert "401" in responses, (method, path)
        if method in WRITES:
            assert {"413", "503"} <= set(responses), (method, path)
        if path != "/api/v1/jobs/{job_id}":  # documented where it moves (service/jobs)
            assert any(code.startswith("2") for code in responses), (method, path)


def test_error_answers_have_the_error_shape(document):
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert set(detail["properties"]) == {"status", "message", "fields"}
    for name, response in document["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, name


def test_numeric_bounds_are_numbers(document):
    schemas = document["components"]["schemas"]
    ct = schemas["PersonEval"]["properties"]["ct"]
    assert (ct["minimum"], ct["maximum"]) == (0, 5) and isinstance(ct["maximum"], float)
    year = schemas["YearIn"]["properties"]["year"]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    ids = document["paths"]["/api/v1/users/{user_id}"]["parameters"][0]["schema"]
    assert ids == {"type": "integer", "minimum": 0, "maximum": MAX_ID}


def test_evaluation_answers_list_every_stored_field():
    person = set(PersonEvalOutSchema().fields)
    # and what the person still lacks to be rated (the grid's «Thiếu: …»)
    assert person == {
        "person_code", *PERSON_EVAL_FIELDS, "violations", "exists", "version", "missing"
    }  # fmt: skip
    unit = set(UnitEvalOutSchema().fields)
    assert unit == {"unit_code", *UNIT_EVAL_FIELDS, "violations", "exists", "version"}


@pytest.fixture
def admin_headers(create_user, bearer):
    return bearer(create_user(roles=[("admin", None)]))


def test_405_tells_the_allowed_methods(client, admin_headers):
    res = client.delete("/api/v1/years", headers=admin_headers)
    assert res.status_code == 405
    assert set(res.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert res.get_json()["error"]["status"] == 405


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_an_id_beyond_an_integer_column_is_404(client, admin_headers, method):
    for number in (MAX_ID + 1, 10**30):
        res = getattr(client, method)(
            f"/api/v1/years/{number}/people/X/evaluation", json={}, headers=admin_headers
        )
        assert res.status_code == 404, (method, number)  # not 405, nor a driver overflow
        assert res.get_json()["error"]["status"] == 404


def test_nul_and_lone_surrogates_are_refused_at_the_edge(client, admin_headers):
    res = client.get("/api/v1/units?q=a%00b", headers=admin_headers)
    assert res.status_code == 400 and "q" in res.get_json()["error"]["fields"]
    res = client.post("/api/v1/tokens", json={"name": "a\x00"}, headers=admin_headers)
    assert res.status_code == 400 and "json" in res.get_json()["error"]["fields"]
    res = client.post(
        "/api/v1/tokens",
        data='{"name": "\\ud800"}',
        content_type="application/json",
        headers=admin_headers,
    )
    assert res.status_code == 400
    assert client.get("/api/v1/units/a%00b", headers=admin_headers).status_code == 404


def test_invalid_json_answers_in_vietnamese(client, admin_headers):
    res = client.post(
        "/api/v1/tokens", data="{oops", content_type="application/json", headers=admin_headers
    )
    assert res.status_code == 400
    error = res.get_json()["error"]
    assert error["message"] == "Nội dung gửi lên không phải JSON hợp lệ."
    assert list(error["fields"]) == ["json"]
