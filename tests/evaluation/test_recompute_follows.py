"""Every write that changes what a rating depends on queues its recompute itself, whoever calls
it: the ratings read after the request follow the quota override, the pack and the catalog as
they follow the inputs (the suite recomputes in the request's transaction)."""

from __future__ import annotations

import pytest

from tests.evaluation.test_api_flow import _enter_all, world  # noqa: F401 - fixture

YEAR = 2025
URL = f"/api/v1/years/{YEAR}"


def _officials(client, h) -> dict[str, dict]:
    body = client.get(f"{URL}/units/W-O/ratings", headers=h).get_json()
    return {i["code"]: i for i in body["items"] if i["kind"] == "official"}


def _xs(items: dict) -> int:
    return sum(1 for i in items.values() if i["level"] == "XS")


@pytest.fixture
def entered(client, world):  # noqa: F811 - the fixture imported above
    _enter_all(client, world["h"]["staff"])
    before = _officials(client, world["h"]["staff"])
    assert 0 < _xs(before) < len(before)  # A10 kept some XS, lowered others
    return world, before


def test_a_quota_override_recomputes_its_scope(client, entered):
    w, before = entered
    scope = next(iter(before.values()))["scope"]
    res = client.post(
        f"{URL}/quota-overrides",
        json={"scope": scope, "p": 100, "reason": "Hội đồng quyết định tỷ lệ khác"},
        headers=w["h"]["admin"],
    )
    assert res.status_code == 201, res.get_json()
    assert _xs(_officials(client, w["h"]["staff"])) > _xs(before)


def test_a_pack_change_recomputes_the_year(client, entered):
    w, before = entered
    res = client.patch(f"{URL}/pack", json={"params": {"a10_p": 100}}, headers=w["h"]["admin"])
    assert res.status_code == 200, res.get_json()
    assert _xs(_officials(client, w["h"]["staff"])) > _xs(before)


def test_a_catalog_change_recomputes_the_subjects_recorded_with_it(client, entered):
    h = entered[0]["h"]
    res = client.post(
        f"{URL}/violations",
        json={
            "person_code": "W00",
            "code": "1.03",
            "found_on": f"01/03/{YEAR}",
            "how_found": "inspection",
            "evidence": "Biên bản",
        },
        headers=h["staff"],
    )
    assert res.status_code == 201, res.get_json()
    minor = _officials(client, h["staff"])["W00"]
    res = client.patch(f"{URL}/catalog/1.03", json={"severity": "serious"}, headers=h["admin"])
    assert res.status_code == 200, res.get_json()
    serious = _officials(client, h["staff"])["W00"]
    assert (serious["score"], serious["level"]) != (minor["score"], minor["level"])
