"""initiative_counts: what the award rules (RULES.md C2, C3, C4, C8b) count from the registry,
per person or unit, year and level (co-authored entries count for each author; a higher level
also counts as every lower one through Initiatives.at_least)."""

from __future__ import annotations

from awards.queries import initiative_counts
from awards.rules import BASE, CITY, Initiatives
from tests.awards.conftest import initiative_body


def test_c2_c3_counts_per_person_unit_year_and_level(client, tree):
    h = tree["headers"]["staff_r"]
    for kw in (
        {"title": "S1", "person_codes": ["PA", "PA1"]},
        {"title": "S2", "person_codes": ["PA"], "level": "thanh_pho"},
        {"title": "D1", "person_codes": ["PA"], "kind": "de_tai", "level": "toan_quoc"},
        {"title": "S0", "person_codes": ["PA"], "year": 2024},
        {
            "title": "M1",
            "kind": "mo_hinh",
            "person_codes": [],
            "unit_code": "B",
            "level": "thanh_pho",
        },
    ):
        assert (
            client.post("/api/v1/initiatives", json=initiative_body(**kw), headers=h).status_code
            == 201
        )
    p, u = tree["people"], tree["units"]
    people, units = initiative_counts([2025])
    assert people[(p["PA"].id, 2025)] == Initiatives(base=1, city=1, national=1)
    assert people[(p["PA1"].id, 2025)] == Initiatives(base=1)
    assert people[(p["PA"].id, 2025)].at_least(BASE) == 3
    assert people[(p["PA"].id, 2025)].at_least(CITY) == 2
    assert (p["PA"].id, 2024) not in people  # another year
    assert units == {(u["B"].id, 2025): Initiatives(city=1)}  # models count for their unit only
    people, _ = initiative_counts([2024, 2025])
    assert people[(p["PA"].id, 2024)] == Initiatives(base=1)
    assert initiative_counts([]) == ({}, {})


def test_c2_c3_counts_of_some_authors_by_their_ids_are_the_whole_counts_of_those_authors(
    client, tree
):
    """person_ids= (a proposal part's people; on PostgreSQL each author row looks its entry up
    by key): the same counts as the whole registry's, for those people, years and kinds only."""
    h = tree["headers"]["staff_r"]
    for kw in (
        {"title": "S1", "person_codes": ["PA", "PA1"]},
        {"title": "S2", "person_codes": ["PA"], "level": "thanh_pho"},
        {"title": "S3", "person_codes": ["PA"], "level": "thanh_pho"},
        {"title": "D1", "person_codes": ["PA1"], "kind": "de_tai", "level": "toan_quoc"},
        {"title": "S0", "person_codes": ["PA"], "year": 2023},
        {"title": "M1", "kind": "mo_hinh", "person_codes": [], "unit_code": "A"},
    ):
        res = client.post("/api/v1/initiatives", json=initiative_body(**kw), headers=h)
        assert res.status_code == 201, res.get_json()
    p = tree["people"]
    whole, _ = initiative_counts([2024, 2025], subjects=("person",))
    for ids in ([p["PA"].id], [p["PA"].id, p["PA1"].id], [p["PB"].id], []):
        some, units = initiative_counts([2024, 2025], subjects=("person",), person_ids=ids)
        assert units == {}
        assert some == {k: v for k, v in whole.items() if k[0] in ids}, ids
    some, _ = initiative_counts([2025], subjects=("person",), person_ids=[p["PA"].id])
    assert some == {(p["PA"].id, 2025): Initiatives(base=1, city=2)}
    some, _ = initiative_counts([2023], subjects=("person",), person_ids=[p["PA"].id])
    assert some == {(p["PA"].id, 2023): Initiatives(base=1)}
