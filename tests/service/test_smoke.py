def test_openapi_document_lists_the_api(client):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    paths = res.get_json()["paths"]
    assert "/api/v1/units" in paths and "/api/v1/people/{code}" in paths


def test_api_without_credentials_is_401_json(client):
    res = client.get("/api/v1/units")
    assert res.status_code == 401
    assert res.get_json()["error"]["status"] == 401
