"""Table-driven tests of evaluation.rules, named by rule id (RULES.md A, B, D), plus properties."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.rules import (
    DEFAULT_CATALOG,
    AppliesTo,
    Level,
    PartyStatus,
    PersonInput,
    Rating,
    RulePack,
    RuleStep,
    Severity,
    UnitInput,
    UnitNode,
    UnitTree,
    apply_quota,
    cap,
    ceiling_of,
    check_final_levels,
    check_proposal,
    compute_year,
    quota_allowed,
    rate_person,
    rate_unit,
)

YEAR = 2026
PACK = RulePack()
D = Decimal
XS, T, HT, KHT, NR = Level.XS, Level.T, Level.HT, Level.KHT, Level.NR
# No example database on disk, no timing flakiness.
PROPERTY = settings(database=None, deadline=None, max_examples=150)


def person(**kw) -> PersonInput:
    """A full-year official with score 95.00 (30 general + 65 task points) and no conditions."""
    base = dict(
        code="P1",
        unit_code="U1",
        category="công chức",
        ct=D(5),
        dd=D(5),
        tp=D(5),
        kl=D(5),
        task_points=D(65),
    )
    base.update(kw)
    return PersonInput(**base)


def member(**kw) -> PersonInput:
    kw.setdefault("is_party_member", True)
    kw.setdefault("admitted_on", date(2010, 3, 15))
    return person(**kw)


def rate(inp: PersonInput, kind: str = "official", **kw) -> Rating:
    return rate_person(inp, PACK, YEAR, kind, DEFAULT_CATALOG, **kw)


def unit(**kw) -> UnitInput:
    """A unit with score 98.00 (20 general + 10 directive + 68 task) that meets every condition."""
    base = dict(
        code="U1",
        ct=D(5),
        dd=D(5),
        tp=D(5),
        kl=D(5),
        k1=True,
        k2=True,
        k3=True,
        k4=True,
        task_points=D(68),
        targets_total=10,
        targets_done=10,
        targets_exceeded=3,
        subunits_total=5,
    )
    base.update(kw)
    return UnitInput(**base)


def xs_rating(code: str, score: str, task: str = "60", kind: str = "official") -> Rating:
    return Rating(code, kind, XS, D(score), D(task), (), False)


def t_rating(code: str, score: str = "80") -> Rating:
    return Rating(code, "official", T, D(score), D("50"), (), False)


def step(rating: Rating, rule_id: str) -> RuleStep:
    return next(s for s in rating.steps if s.rule_id == rule_id)


# --- levels and caps --------------------------------------------------------------------------


def test_levels_rank_from_XS_down_to_NR():
    assert [lv.rank for lv in (XS, T, HT, KHT, NR)] == [4, 3, 2, 1, 0]
    assert XS == "XS" and Level("KHT") is KHT
    assert XS.label == "Hoàn thành xuất sắc nhiệm vụ"


@pytest.mark.parametrize(
    ("level", "limit", "expected"),
    [
        (XS, T, T),
        (T, XS, T),
        (HT, T, HT),
        (KHT, XS, KHT),
        (XS, KHT, KHT),
        (T, T, T),
        (NR, HT, NR),
        (XS, NR, XS),
        (HT, None, HT),
    ],
)
def test_cap_is_min_and_never_raises(level, limit, expected):
    assert cap(level, limit) is expected


# --- A1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "maternity", "expected"),
    [(5, False, NR), (6, False, HT), (0, True, XS), (5, True, XS), (12, False, XS)],
)
def test_A1_months_worked_and_maternity(months, maternity, expected):
    r = rate(person(months_worked=months, maternity=maternity))
    assert r.level is expected
    if expected is NR:
        assert r.score is None and r.task_points is None
        assert r.rule_ids == ("A1",)
        assert "5 tháng" in r.steps[0].message_vi
    else:
        assert r.score == D("95.00")


@pytest.mark.parametrize(
    ("admitted", "expected"),
    [
        (date(2026, 6, 30), XS),
        (date(2026, 7, 1), NR),
        (date(2026, 12, 31), NR),
        (date(2025, 7, 1), XS),
        (None, XS),
    ],
)
def test_A1_party_admitted_on_30_june_vs_1_july(admitted, expected):
    inp = member(admitted_on=admitted)
    assert rate(inp, "party").level is expected
    assert rate(inp, "official").level is XS  # A1 admission only concerns the party rating


@pytest.mark.parametrize(
    ("status", "expected"),
    [(PartyStatus.ACTIVE, XS), (PartyStatus.EXEMPT, NR), (PartyStatus.SUSPENDED, NR)],
)
def test_A1_party_status_exempt_or_suspended(status, expected):
    inp = member(party_status=status)
    r = rate(inp, "party")
    assert r.level is expected
    if expected is NR:
        assert r.rule_ids == ("A1",)
    assert rate(inp, "official").level is XS


def test_A1_cutoff_29_february_in_a_common_year():
    pack = replace(PACK, a1_party_admitted_month=2, a1_party_admitted_day=29)
    assert pack.validate() == []
    on_28 = member(admitted_on=date(2026, 2, 28))
    on_1_march = member(admitted_on=date(2026, 3, 1))
    assert rate_person(on_28, pack, YEAR, "party", DEFAULT_CATALOG).level is XS
    assert rate_person(on_1_march, pack, YEAR, "party", DEFAULT_CATALOG).level is NR


# --- A2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monthly", "yearly", "task", "score"),
    [
        ({1: D("93.5"), 2: D("94")}, None, "65.63", "95.63"),  # 65.625 rounds half-up
        ({1: D("100")}, D("10"), "70.00", "100.00"),  # yearly ignored when a month exists
        ({m: D("80") for m in range(1, 13)}, None, "56.00", "86.00"),
        ({}, D("59.99"), "59.99", "89.99"),
        ({}, D("12.345"), "12.35", "42.35"),
        ({}, None, "0.00", "30.00"),
        ({1: D(90), 2: D(85), 3: D(80)}, None, "59.50", "89.50"),
    ],
)
def test_A2_task_points_and_score(monthly, yearly, task, score):
    r = rate(person(monthly_scores=monthly, task_points=yearly))
    assert (str(r.task_points), str(r.score)) == (task, score)
    assert step(r, "A2").figures["task_points"] == D(task)


@pytest.mark.parametrize(
    ("violations", "directive", "score"),
    [
        ((), "10", "95.00"),
        (("1.03",), "8", "93.00"),  # minor: 2
        (("1.01",), "5", "90.00"),  # serious: 5
        (("1.03", "1.03"), "6", "91.00"),  # each listed occurrence counts
        (("1.01", "1.02", "3.01"), "0", "85.00"),  # never below 0
    ],
)
def test_A2_directive_points_from_catalog_deductions(violations, directive, score):
    r = rate(person(violations=violations))
    assert step(r, "A2").figures["directive"] == D(directive)
    assert str(r.score) == score


def test_A2_criteria_may_carry_two_decimals():
    r = rate(person(ct=D("4.25"), dd=D("4.5"), tp=D("4.75"), kl=D("4.99"), task_points=D(60)))
    assert r.score == D("88.49")


def test_A2_unknown_violation_code_is_refused():
    with pytest.raises(ValueError, match="9.99"):
        rate(person(violations=("9.99",)))


def test_A2_does_not_depend_on_callers_decimal_context():
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        r = rate(person(monthly_scores={1: D("93.5"), 2: D("94")}, task_points=None))
    assert r.score == D("95.63")


# --- A3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "level", "score"),
    [
        ("70", XS, "100.00"),
        ("60", XS, "90.00"),
        ("59.99", T, "89.99"),
        ("40", T, "70.00"),
        ("39.99", HT, "69.99"),
        ("20", HT, "50.00"),
        ("19.99", KHT, "49.99"),
        ("0", KHT, "30.00"),
    ],
)
def test_A3_band_boundaries(task, level, score):
    r = rate(person(task_points=D(task)))
    assert (r.level, str(r.score)) == (level, score)
    assert f"; điểm {score} → {level.words}" in step(r, "A3").message_vi


def test_A3_bands_are_pack_parameters():
    pack = replace(PACK, a3_band_xs=D("95"))
    assert rate_person(person(), pack, YEAR, "official", DEFAULT_CATALOG).level is XS
    r = rate_person(person(task_points=D("64.99")), pack, YEAR, "official", DEFAULT_CATALOG)
    assert r.level is T


# --- A4 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "late", "exceeded", "expected"),
    [
        (10, 0, 3, XS),  # exceeded exactly 30%
        (10, 0, 2, T),  # 20% < 30%
        (0, 0, 0, XS),  # 0 >= 30% of 0
        (9, 0, 3, XS),  # 300 >= 270
        (7, 0, 2, T),  # 200 < 210
        (10, 2, 10, HT),  # late exactly 20%
        (10, 3, 10, KHT),  # 30% late
        (6, 1, 6, HT),  # 100 <= 120
        (4, 1, 4, KHT),  # 100 > 80
        (0, 1, 0, KHT),
    ],
)
def test_A4_task_conditions(total, late, exceeded, expected):
    r = rate(person(tasks_total=total, tasks_late=late, tasks_exceeded=exceeded))
    assert r.level is expected
    assert ("A4" in r.rule_ids) == (expected is not XS)


def test_A4_never_raises_the_band():
    r = rate(person(task_points=D(30), tasks_total=10, tasks_exceeded=10))
    assert r.level is HT and "A4" not in r.rule_ids


def test_A4_message_carries_the_figures():
    r = rate(person(tasks_total=10, tasks_late=3))
    assert step(r, "A4").message_vi == (
        "A4: mức Hoàn thành nhiệm vụ cần không quá 20% nhiệm vụ chậm; "
        "có 3/10 nhiệm vụ chậm → Không hoàn thành nhiệm vụ"
    )


# --- A5 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("violations", "task", "expected"),
    [
        (("1.03",), "70", T),
        (("1.03", "2.01"), "70", T),
        (("1.03", "2.01", "3.04"), "70", HT),  # 3 or more
        (("1.05",), "70", HT),  # serious
        (("2.09",), "70", HT),
        (("3.02",), "70", HT),
    ],
)
def test_A5_directive_violation_caps(violations, task, expected):
    r = rate(person(violations=violations, task_points=D(task)))
    assert r.level is expected
    assert "A5" in r.rule_ids


def test_A5_message_names_count_and_codes():
    r = rate(person(violations=("1.03",), task_points=D(70)))
    assert step(r, "A5").message_vi.endswith("có 1 vi phạm (1.03) → Tốt")


def test_A5_not_named_when_it_does_not_lower():
    r = rate(person(violations=("1.03",), task_points=D(50)))  # 88 → T already
    assert r.level is T and "A5" not in r.rule_ids


@pytest.mark.parametrize("code", sorted(DEFAULT_CATALOG))
def test_A5_each_catalog_code_caps_by_its_severity(code):
    r = rate(person(violations=(code,), task_points=D(70)))
    serious = DEFAULT_CATALOG[code].severity is Severity.SERIOUS
    assert r.level is (HT if serious else T)


# --- A6 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "official", "party"),
    [
        (dict(discipline_form="khiển trách", discipline_year=2026), KHT, KHT),
        (dict(discipline_form="cảnh cáo", discipline_year=2026, self_remedied=True), KHT, HT),
        (dict(discipline_form="khiển trách", discipline_year=2026, counted_before=True), XS, XS),
        (dict(discipline_form="khiển trách", discipline_year=2025), XS, XS),
        (dict(discipline_form="khiển trách", discipline_year=None), XS, XS),
        (dict(discipline_form=None, discipline_year=2026), XS, XS),
    ],
)
def test_A6_discipline_and_party_self_remedied(kw, official, party):
    inp = member(**kw)
    assert rate(inp, "official").level is official
    assert rate(inp, "party").level is party
    if official is KHT:
        assert "A6" in rate(inp, "official").rule_ids


def test_A6_self_remedied_party_cap_does_not_raise():
    inp = member(
        discipline_form="cảnh cáo",
        discipline_year=2026,
        self_remedied=True,
        tasks_total=10,
        tasks_late=5,
    )
    r = rate(inp, "party")
    assert r.level is KHT and "A6" not in r.rule_ids  # A4 already made it KHT


# --- A7 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "maternity", "expected"),
    [(6, False, HT), (8, False, HT), (9, False, XS), (7, True, XS), (12, False, XS)],
)
def test_A7_absence_caps_HT(months, maternity, expected):
    r = rate(person(months_worked=months, maternity=maternity))
    assert r.level is expected
    assert ("A7" in r.rule_ids) == (expected is HT)


def test_A7_does_not_raise_a_lower_level():
    r = rate(person(months_worked=7, task_points=D(10)))
    assert r.level is KHT and "A7" not in r.rule_ids


# --- A8 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_head", "unit_level", "approved", "level", "provisional", "named"),
    [
        (True, T, False, T, True, True),
        (True, T, True, T, False, True),
        (True, KHT, True, KHT, False, True),
        (True, XS, False, XS, True, True),  # not lowered, still provisional
        (True, XS, True, XS, False, False),
        (True, None, False, XS, False, False),  # unit without rating: no cap
        (False, KHT, False, XS, False, False),  # only heads
    ],
)
def test_A8_head_capped_by_unit_provisional(
    is_head, unit_level, approved, level, provisional, named
):
    r = rate(person(is_head=is_head), unit_level=unit_level, unit_approved=approved)
    assert (r.level, r.provisional, "A8" in r.rule_ids) == (level, provisional, named)


def test_A8_applies_to_the_party_rating_too():
    r = rate(member(is_head=True), "party", unit_level=HT, unit_approved=True)
    assert r.level is HT and "A8" in r.rule_ids


# --- A9 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "expected"),
    [(XS, XS), (T, T), (HT, T), (None, XS), (NR, XS)],
)
def test_A9_party_XS_needs_official_XS(official, expected):
    r = rate(member(), "party", official_level=official)
    assert r.level is expected
    assert ("A9" in r.rule_ids) == (expected is T)


def test_A9_only_touches_party_XS():
    assert rate(member(task_points=D(50)), "party", official_level=HT).level is T
    assert rate(member(), "official", official_level=T).level is XS


# --- A10 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "n", "k"),
    [
        (20, 0, 0),
        (20, 5, 0),
        (20, 6, 1),
        (20, 11, 1),
        (20, 12, 2),
        (20, 17, 2),
        (20, 18, 3),
        (25, 4, 0),
        (25, 5, 1),
        (0, 100, 0),
        (100, 2, 1),
        (100, 3, 1),
    ],
)
def test_A10_k_floor_boundaries(p, n, k):
    assert quota_allowed(p, n) == k
    if n:
        # k XS leave n - k at T, and XS <= p% of T holds; k + 1 would break it.
        assert 100 * k <= p * (n - k)
        assert k == n or 100 * (k + 1) > p * (n - k - 1)


@pytest.mark.parametrize(("n_t", "kept"), [(2, 0), (3, 1), (8, 1), (9, 2), (15, 3)])
def test_A10_quota_keeps_first_k(n_t, kept):
    xs = [xs_rating(f"X{i}", str(99 - i)) for i in range(3)]
    ts = [t_rating(f"T{i}") for i in range(n_t)]
    out = apply_quota(xs + ts, lambda r: "S", 20)
    levels = [r.level for r in out[:3]]
    assert levels == [XS] * kept + [T] * (3 - kept)
    assert all(r.level is T for r in out[3:])
    assert out[3:] == ts  # T ratings are untouched


def test_A10_quota_ties():
    ratings = [
        xs_rating("C", "95.00", "60"),
        xs_rating("B", "95.00", "61"),  # same score, more task points
        xs_rating("A", "95.00", "60"),  # same score and task points as C, smaller code
        xs_rating("D", "96.00", "10"),  # best score
        *[t_rating(f"T{i}") for i in range(8)],
    ]
    n = 12
    k = quota_allowed(20, n)
    assert k == 2
    out = {r.code: r for r in apply_quota(ratings, lambda r: "S", 20)}
    assert [out[c].level for c in "DBAC"] == [XS, XS, T, T]
    assert step(out["A"], "A10").message_vi == (
        "A10: trong S, 12 người đạt Tốt trở lên nên được giữ tối đa 2 Xuất sắc; xếp hạng 3 → Tốt"
    )
    assert step(out["C"], "A10").figures["rank"] == 4
    assert step(out["D"], "A10").message_vi.endswith("tối đa 2 Xuất sắc; xếp hạng 1 → giữ Xuất sắc")


def test_A10_quota_is_per_scope_and_override_p():
    ratings = [xs_rating("A1", "95"), xs_rating("B1", "95")] + [
        t_rating(f"{s}T{i}") for s in "AB" for i in range(3)
    ]
    out = apply_quota(ratings, lambda r: r.code[0], 20, overrides={"B": 50})
    by = {r.code: r.level for r in out}
    assert by["A1"] is T  # n=4: k=0
    assert by["B1"] is XS  # n=4, p=50: k=1


def test_A10_scope_official_by_quota_root_and_duty_group_party_by_party_unit():
    tree = UnitTree(
        [
            UnitNode("R", None, True),
            UnitNode("A", "R", True),
            UnitNode("A1", "A", False),
            UnitNode("B1", "R", False),
            UnitNode("X", None, False),
            UnitNode("X1", "X", False),
        ]
    )
    assert tree.quota_root_of("A1") == "A"
    assert tree.quota_root_of("B1") == "R"
    assert tree.quota_root_of("X1") == "X"  # no quota root: topmost unit
    assert tree.quota_root_of("ZZ") == "ZZ"  # unknown unit is its own scope
    p = person(unit_code="A1", duty_group="chuyên môn", party_unit_code="B1")
    assert tree.official_scope(p) == ("official", "A", "chuyên môn")
    assert tree.party_scope(p) == ("party", "R")
    assert tree.party_scope(replace(p, party_unit_code=None)) == ("party", "A")


def test_A10_tree_cycle_is_refused():
    tree = UnitTree([UnitNode("A", "B"), UnitNode("B", "A")])
    with pytest.raises(ValueError, match="vòng lặp"):
        tree.quota_root_of("A")


def _people_in(unit_code: str, count: int, prefix: str, **kw) -> list[PersonInput]:
    return [person(code=f"{prefix}{i:02d}", unit_code=unit_code, **kw) for i in range(count)]


def test_A10_compute_year_scopes_and_overrides():
    units = [UnitNode("R", None, True), UnitNode("A", "R", False), UnitNode("B", "R", True)]
    # 6 XS-level officials in A (scope R) and 6 in B (scope B): k = 1 each.
    people = _people_in("A", 6, "A") + _people_in("B", 6, "B")
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, [], people)
    xs = sorted(c for c, r in res.official.items() if r.level is XS)
    assert xs == ["A00", "B00"]
    over = {("official", "B", ""): 50}
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, [], people, scope_overrides=over)
    assert sorted(c for c, r in res.official.items() if r.level is XS) == ["A00", "B00", "B01"]
    # different duty groups are different scopes
    people = _people_in("A", 6, "A") + _people_in("A", 6, "G", duty_group="lãnh đạo")
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, [], people)
    assert sorted(c for c, r in res.official.items() if r.level is XS) == ["A00", "G00"]


def test_A10_party_quota_after_A9_by_party_unit():
    units = [UnitNode("R", None, True), UnitNode("A", "R", True), UnitNode("C", "R", False)]
    # officials in A (scope A): 6 → 1 XS; party unit C (scope R).
    people = [
        member(code=f"M{i}", unit_code="A", party_unit_code="C", task_points=D(65 - i))
        for i in range(6)
    ]
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, [], people)
    assert [res.official[f"M{i}"].level for i in range(6)] == [XS] + [T] * 5
    assert res.party["M0"].level is XS
    assert all(res.party[f"M{i}"].rule_ids[-1] == "A9" for i in range(1, 6))


# --- A11 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("computed", "proposed", "reason", "errors"),
    [
        (T, T, None, []),
        (T, HT, "lý do", []),
        (T, HT, "  ", ["A11"]),
        (T, XS, "lý do", ["A11"]),
        (NR, NR, None, []),
        (HT, NR, "x", ["A1"]),
    ],
)
def test_A11_proposal_only_lower_with_reason(computed, proposed, reason, errors):
    got = check_proposal(computed, proposed, reason)
    assert [e.split(":")[0] for e in got] == errors


def test_A11_final_levels_must_keep_caps_quota_and_unit_first():
    a = rate(person(code="A", violations=("1.03",), task_points=D(70)))  # capped T by A5
    b = rate(person(code="B"))
    c = rate(person(code="C", task_points=D(50)))  # T
    head = rate(person(code="H", is_head=True, task_points=D(50)), unit_level=T)
    ratings = apply_quota([a, b, c, head], lambda r: "S", 20)
    assert ceiling_of(next(r for r in ratings if r.code == "B")) is XS
    assert check_final_levels(ratings[:3], {}, lambda r: "S", 20) == []
    errors = check_final_levels(ratings[:3], {"A": XS}, lambda r: "S", 20)
    assert [e.split(":")[0] for e in errors] == ["A5", "A10"]
    errors = check_final_levels(ratings[:3], {"B": XS}, lambda r: "S", 20)
    assert [e.split(":")[0] for e in errors] == ["A10"]
    errors = check_final_levels(ratings, {}, lambda r: "S", 20)
    assert [e.split(":")[0] for e in errors] == ["A8"]


# --- B ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "directive", "score"),
    [
        ({}, "10", "98.00"),
        (dict(k1=False), "7", "95.00"),
        (dict(k2=False), "7", "95.00"),
        (dict(k3=False), "8", "96.00"),
        (dict(k4=False), "8", "96.00"),
        (dict(k1=False, k2=False, k3=False, k4=False), "0", "88.00"),
        (dict(violations=("1.09",)), "8", "96.00"),
        (dict(violations=("2.09",)), "5", "93.00"),
        (dict(k1=False, k2=False, violations=("2.09",)), "0", "88.00"),  # floor at 0
    ],
)
def test_B1_directive_checklist_score(kw, directive, score):
    r = rate_unit(unit(**kw), PACK, DEFAULT_CATALOG)
    assert step(r, "B1").figures["directive"] == D(directive)
    assert str(r.score) == score and r.kind == "unit"


@pytest.mark.parametrize(
    ("task", "level"),
    [("60", XS), ("59.99", T), ("40", T), ("39.99", HT), ("20", HT), ("19.99", KHT)],
)
def test_B2_band_boundaries(task, level):
    r = rate_unit(unit(task_points=D(task)), PACK, DEFAULT_CATALOG)
    assert r.level is level
    assert "B2" in r.rule_ids


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, XS),
        (dict(targets_exceeded=2), T),  # 20% < 30%
        (dict(subunits_disciplined=1), T),  # XS needs none; 20% is not KHT
        (dict(targets_late=2), HT),  # 20% exactly
        (dict(targets_late=3), KHT),
        (dict(targets_done=5), XS),  # 50% exactly is enough
        (dict(targets_done=4), KHT),  # KHT trigger: done < 50%
        (dict(subunits_disciplined=2), KHT),  # KHT trigger: 40% > 20%
        (dict(leadership_disciplined=True), KHT),  # KHT trigger
        (dict(corruption_case=True), KHT),  # KHT trigger
        (dict(targets_total=0, targets_done=0, targets_exceeded=0), XS),
    ],
)
def test_B3_conditions_and_each_KHT_trigger(kw, expected):
    r = rate_unit(unit(**kw), PACK, DEFAULT_CATALOG)
    assert r.level is expected
    assert ("B3" in r.rule_ids) == (expected is not XS)


def test_B3_message_lists_the_KHT_triggers():
    r = rate_unit(unit(targets_done=4, corruption_case=True), PACK, DEFAULT_CATALOG)
    msg = step(r, "B3").message_vi
    assert "hoàn thành 4/10 chỉ tiêu" in msg and "tham nhũng" in msg


@pytest.mark.parametrize(
    ("kw", "expected", "named"),
    [
        (dict(k2=False, task_points=D(70)), T, True),  # 97 with K2 missing: cap T
        (dict(k2=False, task_points=D(50)), T, False),  # band T already: not named
        (dict(violations=("1.09",)), T, True),
        (dict(violations=("2.09",)), HT, True),
        (dict(violations=("1.09", "1.08", "2.03")), HT, True),
        (dict(violations=("1.09",), targets_late=3), KHT, False),  # B3 already KHT
    ],
)
def test_B4_K2_and_collective_violations(kw, expected, named):
    r = rate_unit(unit(**kw), PACK, DEFAULT_CATALOG)
    assert r.level is expected
    assert ("B4" in r.rule_ids) is named


def test_B5_quota_among_siblings():
    units = [UnitNode("R", None, False), UnitNode("A", "R"), UnitNode("B", "R")]
    inputs = [unit(code=f"A{i}", parent_code="A", task_points=D(68 - i)) for i in range(6)]
    inputs += [unit(code=f"B{i}", parent_code="B", task_points=D(68 - i)) for i in range(5)]
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, inputs, [])
    assert [res.units[f"A{i}"].level for i in range(6)] == [XS] + [T] * 5
    assert [res.units[f"B{i}"].level for i in range(5)] == [T] * 5
    assert "B5" in res.units["B0"].rule_ids
    over = compute_year(
        YEAR, PACK, DEFAULT_CATALOG, units, inputs, [], scope_overrides={("unit", "B"): 25}
    )
    assert over.units["B0"].level is XS


def test_B6_units_rated_before_heads():
    units = [UnitNode("R", None, True)]
    inputs = [unit(code=f"U{i}", parent_code="R") for i in range(3)]  # all XS, B5 keeps none
    head = person(code="H", unit_code="U0", is_head=True)
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, units, inputs, [head])
    assert res.units["U0"].level is T
    assert res.official["H"].level is T and res.official["H"].provisional
    approved = compute_year(
        YEAR, PACK, DEFAULT_CATALOG, units, inputs, [head], approved_unit_levels={"U0": HT}
    )
    assert approved.official["H"].level is HT and not approved.official["H"].provisional


# --- D and the rule pack ----------------------------------------------------------------------


def test_D_catalog_has_25_items_in_three_groups():
    codes = list(DEFAULT_CATALOG)
    assert len(codes) == 25
    assert codes[:12] == [f"1.{i:02d}" for i in range(1, 13)]
    assert codes[12:21] == [f"2.{i:02d}" for i in range(1, 10)]
    assert codes[21:] == [f"3.{i:02d}" for i in range(1, 5)]
    serious = {c for c, v in DEFAULT_CATALOG.items() if v.severity is Severity.SERIOUS}
    assert serious == {"1.01", "1.02", "1.05", "2.09", "3.01", "3.02"}
    for code, item in DEFAULT_CATALOG.items():
        assert item.code == code and item.group == int(code[0]) and item.title
        assert item.applies_to in set(AppliesTo)


def test_D_deductions_are_pack_parameters():
    pack = replace(PACK, d_deduction_minor=D("1.5"))
    r = rate_person(person(violations=("1.03",)), pack, YEAR, "official", DEFAULT_CATALOG)
    assert r.score == D("93.50")


def test_pack_round_trips_through_json():
    pack = replace(PACK, a10_p=25, a3_band_xs=D("91.5"))
    data = json.loads(json.dumps(pack.to_dict()))
    assert data["a3_band_xs"] == "91.5" and data["a10_p"] == 25
    assert RulePack.from_dict(data) == pack
    assert RulePack.from_dict({}) == PACK
    assert PACK.validate() == []


@pytest.mark.parametrize(
    "data",
    [{"unknown": 1}, {"a3_band_xs": "abc"}, {"a10_p": 1.5}, {"a10_p": True}, {"a3_band_t": 1.5}],
)
def test_pack_from_dict_refuses_bad_values(data):
    with pytest.raises(ValueError):
        RulePack.from_dict(data)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (dict(a3_band_t=D("95")), "HT < T < XS"),
        (dict(a10_p=120), "0 đến 100"),
        (dict(a4_ht_late_pct=-1), "không được âm"),
        (dict(a2_task_weight=D("60")), "bằng 100"),
        (dict(b1_k1=D("5")), "K1–K4"),
        (dict(d_deduction_minor=D("6")), "điểm trừ"),
        (dict(a7_min_months=5), "A7"),
        (dict(a1_party_admitted_month=13), "ngày hợp lệ"),
        (dict(a5_many_violations=0), "từ 1"),
        (dict(a10_p="20"), "số nguyên"),
        (dict(a3_band_xs=90), "thập phân"),
    ],
)
def test_pack_validate_reports_bad_parameters(changes, fragment):
    errors = replace(PACK, **changes).validate()
    assert errors and any(fragment in e for e in errors), errors


# --- compute_year -----------------------------------------------------------------------------


def test_compute_year_refuses_duplicate_codes():
    with pytest.raises(ValueError, match="P1"):
        compute_year(YEAR, PACK, DEFAULT_CATALOG, [], [], [person(), person()])
    with pytest.raises(ValueError, match="U1"):
        compute_year(YEAR, PACK, DEFAULT_CATALOG, [], [unit(), unit()], [])


def test_compute_year_rates_by_category_and_membership():
    people = [
        person(code="O"),
        member(code="B"),
        member(code="M", category=None),
        person(code="N", category=None),
    ]
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, [], [], people)
    assert sorted(res.official) == ["B", "O"]
    assert sorted(res.party) == ["B", "M"]


def test_rating_to_dict_is_json_safe():
    r = apply_quota([rate(person())] + [t_rating(f"T{i}") for i in range(4)], lambda r: 1, 20)[0]
    data = json.loads(json.dumps(r.to_dict()))
    assert data["level"] == "T" and data["score"] == "95.00"
    assert [s["rule_id"] for s in data["steps"]] == ["A2", "A3", "A10"]


# --- properties -------------------------------------------------------------------------------

levels = st.sampled_from(list(Level))


@PROPERTY
@given(levels, st.one_of(st.none(), levels))
def test_property_cap_never_raises_a_level(level, limit):
    capped = cap(level, limit)
    assert capped.rank <= level.rank
    if limit is not None and level is not NR and limit is not NR:
        assert capped.rank == min(level.rank, limit.rank)


person_inputs = st.builds(
    lambda i, unit, group, head, ct, task, total, late, exc, months, viols, party, disc: person(
        code=f"P{i:03d}",
        unit_code=unit,
        duty_group=group,
        is_head=head,
        ct=D(ct),
        task_points=D(task) / 4,
        tasks_total=total,
        tasks_late=min(late, total),
        tasks_exceeded=min(exc, total),
        months_worked=months,
        violations=viols,
        is_party_member=party,
        admitted_on=date(2000, 1, 1),
        discipline_form="khiển trách" if disc else None,
        discipline_year=YEAR if disc else None,
    ),
    st.integers(0, 999),
    st.sampled_from(["A", "A1", "A2", "B", "B1"]),
    st.sampled_from(["", "lãnh đạo"]),
    st.booleans(),
    st.integers(0, 5),
    st.integers(160, 280),
    st.integers(0, 10),
    st.integers(0, 3),
    st.integers(0, 10),
    st.integers(4, 12),
    st.lists(st.sampled_from(["1.03", "2.01", "1.01"]), max_size=3).map(tuple),
    st.booleans(),
    st.booleans(),
)
people_lists = st.lists(person_inputs, max_size=40, unique_by=lambda p: p.code)
TREE = [
    UnitNode("R", None, True),
    UnitNode("A", "R", True),
    UnitNode("A1", "A"),
    UnitNode("A2", "A"),
    UnitNode("B", "R"),
    UnitNode("B1", "B"),
]
unit_lists = st.lists(
    st.builds(
        lambda code, task, late: unit(
            code=code,
            parent_code=dict(A="R", B="R", A1="A", A2="A", B1="B")[code],
            task_points=D(task),
            targets_late=late,
        ),
        st.sampled_from(["A", "A1", "A2", "B", "B1"]),
        st.integers(40, 70),
        st.integers(0, 1),
    ),
    max_size=5,
    unique_by=lambda u: u.code,
)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([XS, T, HT]), st.integers(50, 100)),
        max_size=60,
    ),
    st.integers(0, 100),
)
def test_property_A10_after_quota_XS_at_most_p_percent_of_T(rows, p):
    ratings = [
        Rating(f"C{i:03d}", "official", lv, D(score), D(score) / 2, (), False)
        for i, (_, lv, score) in enumerate(rows)
    ]
    scope = {f"C{i:03d}": s for i, (s, _, _) in enumerate(rows)}
    out = apply_quota(ratings, lambda r: scope[r.code], p)
    for s in set(scope.values()):
        xs = sum(1 for r in out if scope[r.code] == s and r.level is XS)
        t = sum(1 for r in out if scope[r.code] == s and r.level is T)
        assert 100 * xs <= p * t
        before = sum(1 for r in ratings if scope[r.code] == s and r.level in (XS, T))
        assert xs + t == before  # the quota only moves XS to T
        assert xs == min(
            quota_allowed(p, before),
            sum(1 for r in ratings if scope[r.code] == s and r.level is XS),
        )


@PROPERTY
@given(people_lists, unit_lists)
def test_property_compute_year_XS_within_quota_in_every_scope(people, units):
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, units, people)
    tree = UnitTree(TREE)
    by_code = {p.code: p for p in people}
    for ratings, scope in (
        (res.official, lambda code: tree.official_scope(by_code[code])),
        (res.party, lambda code: tree.party_scope(by_code[code])),
        (res.units, tree.unit_scope),
    ):
        counts: dict = {}
        for code, r in ratings.items():
            slot = counts.setdefault(scope(code), [0, 0])
            slot[0] += r.level is XS
            slot[1] += r.level is T
        for xs, t in counts.values():
            assert 100 * xs <= PACK.a10_p * t


@PROPERTY
@given(people_lists, unit_lists, st.randoms(use_true_random=False))
def test_property_compute_year_does_not_depend_on_input_order(people, units, rnd):
    first = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, units, people)
    people2, units2, tree2 = list(people), list(units), list(TREE)
    for seq in (people2, units2, tree2):
        rnd.shuffle(seq)
    second = compute_year(YEAR, PACK, DEFAULT_CATALOG, tree2, units2, people2)
    assert first == second


def _before_quota(r: Rating) -> Rating:
    """The rating as A1–A9 left it: without its A10 step, XS if the quota moved it to T."""
    if not r.steps or r.steps[-1].rule_id != "A10":
        return r
    return replace(r, level=XS, steps=r.steps[:-1])


@PROPERTY
@given(people_lists, unit_lists)
def test_property_A1_A9_compute_year_rates_each_person_as_rate_person(people, units):
    """compute_year works A2–A5 out once for a person with both ratings: each of them still
    equals rating the person alone (rate_person), before the A10 quota."""
    res = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, units, people)
    for inp in people:
        unit_rating = res.units.get(inp.unit_code)
        unit_level = unit_rating.level if unit_rating is not None else None
        if inp.category:
            expected = rate(inp, "official", unit_level=unit_level)
            assert _before_quota(res.official[inp.code]) == expected
        if inp.is_party_member:
            official = res.official.get(inp.code)
            expected = rate(
                inp,
                "party",
                unit_level=unit_level,
                official_level=None if official is None else official.level,
            )
            assert _before_quota(res.party[inp.code]) == expected


@PROPERTY
@given(person_inputs, levels, st.booleans())
def test_property_caps_never_raise_above_band(inp, unit_level, approved):
    """Every rule after A3 only lowers: the level never exceeds the A3 band."""
    for kind in ("official", "party"):
        r = rate(inp, kind, unit_level=unit_level, unit_approved=approved, official_level=T)
        if r.level is NR:
            continue
        assert r.level.rank <= Level(step(r, "A3").figures["band"]).rank


@PROPERTY
@given(people_lists, unit_lists)
def test_property_A10_B5_compute_year_over_a_unit_tree_equals_over_its_nodes(people, units):
    """A UnitTree given as the units (built once, reused by every part) rates the same; one
    missing a unit with inputs takes that unit from its input (as a list of nodes would)."""
    expected = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, units, people)
    tree = UnitTree(TREE)
    assert compute_year(YEAR, PACK, DEFAULT_CATALOG, tree, units, people) == expected
    assert compute_year(YEAR, PACK, DEFAULT_CATALOG, tree, units, people) == expected  # reused
    partial = [n for n in TREE if n.code != "B1"]
    assert compute_year(YEAR, PACK, DEFAULT_CATALOG, UnitTree(partial), units, people) == (
        compute_year(YEAR, PACK, DEFAULT_CATALOG, partial, units, people)
    )


def test_random_year_is_reproducible():
    rnd = random.Random(7)
    people = [
        person(
            code=f"P{i}",
            unit_code=rnd.choice(["A1", "A2", "B1"]),
            task_points=D(rnd.randint(40, 70)),
        )
        for i in range(200)
    ]
    a = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, [], people)
    b = compute_year(YEAR, PACK, DEFAULT_CATALOG, TREE, [], list(reversed(people)))
    assert a == b
    assert sum(r.level is XS for r in a.official.values()) > 0


def test_A10_tree_conflicting_parents_are_refused():
    with pytest.raises(ValueError, match="A1"):
        UnitTree([UnitNode("A1", "A"), UnitNode("A1", "B")])
    # the tree's node wins over a yearly input's copy of the parent
    res = compute_year(
        YEAR, PACK, DEFAULT_CATALOG, [UnitNode("U1", "R")], [unit(parent_code="X")], []
    )
    assert step(res.units["U1"], "B5").figures["scope"] == ("unit", "R")


def test_A8_provisional_head_refusal_names_the_unit_and_where_its_rating_waits():
    from evaluation.rules import check_caps

    step = RuleStep("A8", "tạm tính", {"unit_code": "W-O", "unit_level": "T", "approved": False})
    head = Rating("WH", "official", Level.T, None, None, (step,), provisional=True)
    where = {"W-O": "Kết quả này nằm trong danh sách của Phường W («Đang nhập»)."}
    [message] = check_caps([head], {"WH": Level.T}, where)
    assert message.startswith("A8: WH là người đứng đầu đơn vị W-O")
    assert "đơn vị W-O trước." in message and message.endswith("Phường W («Đang nhập»).")
    [bare] = check_caps([head], {"WH": Level.T})  # where unknown: the unit still named
    assert "đơn vị W-O trước." in bare and "danh sách" not in bare
