"""The worked example spec/examples/awards-small through the pure rules (RULES.md C, P).

Reads the six import files as TEMPLATES.md describes, computes the 2026 ratings with the
evaluation's rules (final level = computed level, as the example says), builds the award facts
(history, registry, disciplines, party data) and compares every person's and unit's awards, the
over-cap CSTĐCS, the blocked and the four badge lists with expected.json: rule ids and codes
exact, reasons checked for their figures. The pipeline through the imports and the database is
a later step of issue 12."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest

from awards.rules import (
    Discipline,
    Initiatives,
    PastYear,
    PersonFacts,
    UnitFacts,
    propose_year,
)
from evaluation.rules import DEFAULT_CATALOG, RulePack, compute_year
from tests.evaluation.test_example_rules import (
    PEOPLE_COLUMNS,
    PERSON_YEAR_COLUMNS,
    SPEC,
    UNIT_COLUMNS,
    codes,
    day,
    integer,
    load_example,
    read_rows,
    text,
    yes,
)

EXAMPLE = SPEC / "examples" / "awards-small"
HISTORY_COLUMNS = [
    ("year", "Năm"),
    ("code", "Mã"),
    ("is_unit", "Là đơn vị"),
    ("official_level", "Xếp loại"),
    ("party_level", "Xếp loại đảng viên"),
    ("awards", "Danh hiệu, khen thưởng"),
    ("initiatives_base", "Sáng kiến cấp cơ sở"),
    ("initiatives_city", "Sáng kiến cấp thành phố"),
]
REGISTRY_COLUMNS = [
    ("year", "Năm"),
    ("kind", "Loại"),
    ("title", "Tên"),
    ("level", "Cấp công nhận"),
    ("person_codes", "Mã tác giả"),
    ("unit_code", "Mã đơn vị"),
    ("decision_no", "Số quyết định"),
    ("decision_date", "Ngày quyết định"),
]
LEVELS = {"co so": "base", "thanh pho": "city", "toan quoc": "national"}
FORMS = {
    "khien trach": "khien_trach",
    "canh cao": "canh_cao",
    "cach chuc": "cach_chuc",
    "giang chuc": "giang_chuc",
    "buoc thoi viec": "buoc_thoi_viec",
    "khai tru": "khai_tru",
}


def _key(value) -> str:
    from tests.evaluation.test_example_rules import normalize_header

    return normalize_header(value)


def build_facts():
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))
    year = expected["year"]
    nodes, unit_inputs, person_inputs = load_example(EXAMPLE)
    rated = compute_year(year, RulePack(), DEFAULT_CATALOG, nodes, unit_inputs, person_inputs)

    unit_rows = read_rows(EXAMPLE / "don_vi.xlsx", UNIT_COLUMNS)
    parents = {text(r["unit_code"]): text(r.get("parent_code")) for r in unit_rows}
    roots = {text(r["unit_code"]) for r in unit_rows if yes(r.get("quota_root"))}

    def scope_of(unit):
        while unit is not None and unit not in roots:
            unit = parents.get(unit)
        return unit

    history: dict[str, dict[int, PastYear]] = defaultdict(dict)
    for r in read_rows(EXAMPLE / "lich_su.xlsx", HISTORY_COLUMNS):
        history[text(r["code"])][int(r["year"])] = PastYear(
            official=text(r.get("official_level")),
            party=text(r.get("party_level")),
            awards=frozenset(codes(r.get("awards"))),
            initiatives=Initiatives(
                base=integer(r.get("initiatives_base")), city=integer(r.get("initiatives_city"))
            ),
        )
    person_registry: dict[str, Initiatives] = defaultdict(Initiatives)
    unit_models: dict[str, Initiatives] = defaultdict(Initiatives)
    for r in read_rows(EXAMPLE / "sang_kien_mo_hinh.xlsx", REGISTRY_COLUMNS):
        if int(r["year"]) != year:
            continue
        one = Initiatives(**{LEVELS[_key(r["level"])]: 1})
        if _key(r["kind"]) == "mo hinh":
            unit_models[text(r["unit_code"])] += one
        else:
            for code in codes(r.get("person_codes")):
                person_registry[code] += one

    units = []
    unit_inputs_by_code = {u.code: u for u in unit_inputs}
    for r in unit_rows:
        code = text(r["unit_code"])
        rating = rated.units.get(code)
        units.append(
            UnitFacts(
                code=code,
                parent=parents[code],
                quota_root=code in roots,
                level=rating.level.value if rating is not None else None,
                under_review=bool(
                    unit_inputs_by_code.get(code) and unit_inputs_by_code[code].under_review
                ),
                models=unit_models.get(code, Initiatives()),
                history=history.get(code, {}),
            )
        )

    person_rows = {
        text(r["person_code"]): r for r in read_rows(EXAMPLE / "can_bo.xlsx", PEOPLE_COLUMNS)
    }
    year_rows = {
        text(r["person_code"]): r
        for r in read_rows(EXAMPLE / "danh_gia_ca_nhan.xlsx", PERSON_YEAR_COLUMNS)
    }
    people = []
    for code, p in person_rows.items():
        r = year_rows.get(code, {})
        official = rated.official.get(code)
        party = rated.party.get(code)
        disciplines = ()
        form = text(r.get("discipline_form"))
        if form:
            decided_on = day(r.get("discipline_date"))
            disciplines = (
                Discipline(
                    form=FORMS[_key(form)],
                    year=decided_on.year
                    if decided_on
                    else integer(r.get("discipline_year")) or None,
                    decided_on=decided_on,
                    party=yes(r.get("party_discipline")),
                ),
            )
        unnamed = Initiatives(
            base=integer(r.get("initiatives_base")), city=integer(r.get("initiatives_city"))
        )
        people.append(
            PersonFacts(
                code=code,
                unit=text(p["unit_code"]),
                scope=scope_of(text(p["unit_code"])),
                official=official.level.value if official is not None else None,
                score=official.score if official is not None else None,
                party=party.level.value if party is not None else None,
                under_review=yes(r.get("under_review")),
                disciplines=disciplines,
                initiatives=person_registry.get(code, Initiatives()) + unnamed,
                history=history.get(code, {}),
                admitted_on=day(p.get("admitted_on")),
                gap_days=integer(p.get("party_gap_days")),
                seriously_ill=yes(p.get("seriously_ill")),
                party_unit=text(p.get("party_unit_code")),
            )
        )
    return expected, year, people, units


@pytest.fixture(scope="module")
def example():
    expected, year, people, units = build_facts()
    return expected, propose_year(year, people, units), people


def test_example_ratings_are_the_expected_ones(example):
    expected, _, people = example
    for p in people:
        assert p.official == expected["people"][p.code]["official"], p.code
        assert p.party == expected["people"][p.code]["party"], p.code


def test_example_C_P_every_person_gets_exactly_the_expected_awards(example):
    expected, result, _ = example
    wrong = {}
    for code, want in expected["people"].items():
        got = result.people[code]
        got_awards = {a: x.rule for a, x in got.awards.items()}
        want_awards = {a: x["rule"] for a, x in want["awards"].items()}
        if got_awards != want_awards:
            wrong[code] = (sorted(got_awards.items()), sorted(want_awards.items()))
    assert not wrong, f"{len(wrong)} people differ: {dict(list(wrong.items())[:8])}"


def test_example_C2_exactly_the_expected_over_cap(example):
    expected, result, _ = example
    want = {c for c, v in expected["people"].items() if v.get("cut")}
    got = {c for c, v in result.people.items() if v.cut}
    assert got == want


def test_example_C0_exactly_the_expected_blocked(example):
    expected, result, _ = example
    want = {c for c, v in expected["people"].items() if v.get("blocked")}
    got = {c for c, v in result.people.items() if v.blocked}
    assert got == want
    want_units = {c for c, v in expected["units"].items() if v.get("blocked")}
    assert {c for c, v in result.units.items() if v.blocked} == want_units


def test_example_C6_C8b_P3_every_unit_gets_exactly_the_expected_awards(example):
    expected, result, _ = example
    wrong = {}
    for code, want in expected["units"].items():
        got = result.units.get(code)
        got_awards = {a: x.rule for a, x in (got.awards if got else {}).items()}
        want_awards = {a: x["rule"] for a, x in want["awards"].items()}
        if got_awards != want_awards:
            wrong[code] = (sorted(got_awards.items()), sorted(want_awards.items()))
    assert not wrong, wrong
    for code in expected["unrated_units"]:
        assert code not in result.units or not result.units[code].awards


def test_example_P4_exactly_the_expected_badges_on_each_occasion(example):
    expected, result, _ = example
    for day_text, want in expected["badges"].items():
        got = {b.code: b.badge for b in result.badges[date.fromisoformat(day_text)]}
        assert got == want, day_text


def test_example_P4_waiting_as_expected(example):
    expected, result, _ = example
    want = {c: len(v["waiting"]) for c, v in expected["people"].items() if v.get("waiting")}
    got = {c: len(v.waiting) for c, v in result.people.items() if v.waiting}
    assert got == want


def test_example_reasons_show_the_figures(example):
    _, result, _ = example
    for outcome in result.people.values():
        for award in list(outcome.awards.values()) + list(outcome.cut.values()):
            assert award.why.startswith(award.rule), award
            assert any(ch.isdigit() for ch in award.why), award
        if outcome.cut:
            why = outcome.cut["CSTDCS"].why
            assert "hạng" in why and "floor((15×" in why
