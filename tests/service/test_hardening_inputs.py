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


BIG = "99999999999999999999999"


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", f"/api/v1/jobs/{BIG}"),
        ("get", f"/api/v1/users/{BIG}"),
        ("patch", f"/api/v1/users/{BIG}"),
        ("post", f"/api/v1/users/{BIG}/roles"),
        ("delete", f"/api/v1/users/1/roles/{BIG}"),
        ("get", f"/api/v1/imports/runs/{BIG}"),
        ("get", f"/api/v1/imports/runs/{BIG}/errors.xlsx"),
        ("delete", f"/api/v1/tokens/{BIG}"),
        ("get", f"/api/v1/jobs/{2**63}"),
        ("get", f"/api/v1/jobs/{2**63 - 1}"),
        ("get", f"/api/v1/jobs/{2**31}"),
    ],
)
def test_ids_beyond_the_integer_column_answer_404_in_vietnamese(
    client, admin_headers, method, path
):
    """Already held on main (the route converter's pattern, service/common/api.py): kept as a
    regression test of the finding, on SQLite and PostgreSQL."""
    res = getattr(client, method)(path, headers=admin_headers, json={})
    assert res.status_code == 404
    assert res.get_json()["error"] == {"status": 404, "message": "Không tìm thấy."}


@pytest.mark.parametrize("path", [f"/jobs/{BIG}", f"/admin/users/{BIG}", f"/tokens/{BIG}/revoke"])
def test_ids_beyond_the_integer_column_on_pages_answer_404(
    client, create_user, login_session, path
):
    login_session(client, create_user(roles=[("admin", None)]))
    res = client.get(path) if "revoke" not in path else client.post(path)
    assert res.status_code == 404


def test_nul_in_the_login_form_before_login_is_a_400_not_a_500(client, create_user):
    """Already held on main (the edge's text check reads forms too): a regression test."""
    create_user(username="admin")
    res = client.post("/login", data={"username": "adm\x00in", "password": "matkhau123"})
    assert res.status_code == 400
    assert "ký tự không hợp lệ" in res.get_data(as_text=True)


@pytest.mark.parametrize("method", ["patch", "post"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_json_api_refuses_a_body_that_is_not_json(
    client, admin_headers, create_unit, method, content_type
):
    """A body the API cannot read as JSON is refused, not read as an empty object (which saved
    an empty row: every field of an update is optional)."""
    unit = create_unit("CT1", name="Trước")
    path = "/api/v1/units/CT1" if method == "patch" else "/api/v1/units"
    res = getattr(client, method)(
        path, data="name=Sau&code=CT2", content_type=content_type, headers=admin_headers
    )
    assert res.status_code == 400
    error = res.get_json()["error"]
    assert "JSON" in error["message"] and error["fields"]["json"]
    assert unit.name == "Trước"


def test_a_json_api_write_without_a_body_still_reads_as_empty(client, admin_headers, create_unit):
    create_unit("CT3", name="Giữ")
    res = client.patch("/api/v1/units/CT3", headers=admin_headers)
    assert res.status_code == 200
    assert res.get_json()["name"] == "Giữ"


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "a\\u0000b"}',  # an escaped NUL
        b'{"name": "\\udc80"}',  # an escaped lone surrogate
        b'{"name": "\xed\xa0\x80"}',  # a surrogate's UTF-8 bytes (the decoder lets them in)
        '{"name": "a\\u0000"}'.encode("utf-16-le"),  # another encoding, zero bytes
    ],
)
def test_json_bodies_with_bad_text_are_refused_however_written(client, admin_headers, body):
    """The raw-body pre-check (may_hold_bad_text) never lets a bad string past: every way a
    NUL or a lone surrogate can reach a parsed JSON string is still walked and refused."""
    res = client.post(
        "/api/v1/tokens", data=body, content_type="application/json", headers=admin_headers
    )
    assert res.status_code == 400, res.get_json()
    assert "json" in res.get_json()["error"]["fields"]


def test_a_plain_json_body_is_not_walked():
    from service.common.api import may_hold_bad_text

    assert not may_hold_bad_text(b'{"votes": [{"nomination_id": 1, "yes": true}]}')
    assert not may_hold_bad_text('{"name": "Nguyễn Văn Anh"}'.encode())
    assert may_hold_bad_text('{"name": "한"}'.encode())  # U+D55C: 0xED lead byte, walked
