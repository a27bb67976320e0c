"""Issue 15, item 3: inputs never crash the server."""

import pytest


@pytest.fixture
def admin_headers(create_user, bearer):
    return bearer(create_user(roles=[("admin", None)]))


def test_json_nested_100000_deep_is_refused_with_400(client, admin_headers):
    body = "[" * 100_000 + "]" * 100_000
    res = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers=admin_headers
    )
    assert res.status_code == 400
    assert res.get_json()["error"]["status"] == 400


@pytest.mark.parametrize("depth", [900, 990, 5000])
def test_json_nested_near_the_parser_limit_never_answers_500(client, admin_headers, depth):
    body = "[" * depth + "]" * depth
    res = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers=admin_headers
    )
    assert res.status_code == 400
