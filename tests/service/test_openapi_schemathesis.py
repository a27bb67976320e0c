"""Property-based check of the API against its own OpenAPI document (schemathesis, in-process).

Every operation of /api/v1/openapi.json is called with generated requests (valid and invalid
ones), as an administrator with a Bearer token, against the WSGI app itself, twice: with random
path parameters (mostly 404s), then on objects that exist. A run fails on any 5xx answer, on a
status the operation does not document, on a body or content type other than the documented
one, and on an invalid request that is accepted. SEED and MAX_EXAMPLES make a run reproducible:
the same requests every time (generation is derandomized, nothing is kept between runs).
Each test runs in the suite's rolled-back transaction, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from service.extensions import db

SEED = 20261203
MAX_EXAMPLES = 10
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
EXCLUDED_PATHS: tuple[str, ...] = ()
YEAR = 2025
# The second run calls the operations on objects that exist (the fixture's units, person and
# year), so that the answers of success are checked too, not only the 404s of random codes.
KNOWN_OBJECTS = {  # path pattern -> path parameters (the first pattern that matches)
    r"^/api/v1/(years/\{year\}/)?units/": {"code": "ST-ROOT", "year": YEAR, "action": "submit"},
    r"^/api/v1/(years/\{year\}/)?people/": {"code": "ST-P1", "year": YEAR},
    r"^/api/v1/years/\{year\}/ratings/": {"code": "ST-P1", "year": YEAR, "kind": "official"},
    r"^/api/v1/years/\{year\}": {"year": YEAR},
    r"^/api/v1/imports/": {"kind": "units"},
}


def _config(token: str, known_objects: bool) -> SchemathesisConfig:
    operations = [
        {"include-path-regex": pattern, "parameters": parameters}
        for pattern, parameters in (KNOWN_OBJECTS.items() if known_objects else ())
    ]
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                "with-security-parameters": False,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": False},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "operations": operations,
        }
    )


@pytest.fixture
def admin_token(client, create_user, create_unit, create_person, bearer):
    """An administrator's token; two units, a person and an open year to call things on."""
    admin = create_user(roles=[("admin", None)])
    root = create_unit(code="ST-ROOT", quota_root=True)
    create_person(create_unit(code="ST-CHILD", parent=root), code="ST-P1")
    headers = bearer(admin)
    assert client.post("/api/v1/years", json={"year": YEAR}, headers=headers).status_code == 201
    db.session.commit()
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def api_schema(app, admin_token):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=_config(admin_token, known_objects=False)
    )


@pytest.fixture
def api_schema_known(app, admin_token):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=_config(admin_token, known_objects=True)
    )


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path=list(EXCLUDED_PATHS))
# deleting the fixture's objects would leave the later operations nothing to work on
known = (
    schemathesis.pytest.from_fixture("api_schema_known")
    .exclude(path=list(EXCLUDED_PATHS))
    .exclude(method="DELETE")
)


@schema.parametrize()
def test_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()


@known.parametrize()
def test_api_conforms_on_existing_objects(case):
    case.call_and_validate()
