"""The award rules (RULES.md C0–C10, P1–P4), table-driven, named by rule id, plus properties."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awards.rules import (
    DEFAULT_AWARDS,
    Discipline,
    Initiatives,
    PastYear,
    PersonFacts,
    UnitFacts,
    add_months,
    add_years,
    badges_of,
    c2_cap,
    propose_year,
    reach_date,
)
from awards.rules import person as pr

Y = 2026


def person(code="P1", official="T", score="90", unit="U1", scope="S", **kw) -> PersonFacts:
    return PersonFacts(
        code=code,
        unit=unit,
        scope=scope,
        official=official,
        score=Decimal(score) if score is not None else None,
        **kw,
    )


def hist(**years) -> dict[int, PastYear]:
    """hist(y2025=("XS", None, "LDTT CSTDCS"), ...)"""
    out = {}
    for key, (official, party, awards, *rest) in years.items():
        out[int(key[1:])] = PastYear(
            official=official,
            party=party,
            awards=frozenset(awards.split()),
            initiatives=rest[0] if rest else Initiatives(),
        )
    return out


# --- dates (P4: "29/02 + 1 year = 28/02") ---


@pytest.mark.parametrize(
    "start, months, want",
    [
        (date(1976, 2, 29), 12 * 50, date(2026, 2, 28)),
        (date(1996, 2, 29), 12 * 28, date(2024, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -12, date(2025, 1, 15)),
    ],
)
def test_P4_calendar_months_clamp_to_the_month_end(start, months, want):
    assert add_months(start, months) == want


def test_P4_add_years_of_29_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


# --- C0 ---


def test_C0_under_review_blocks_every_title_but_not_the_badge():
    p = person(
        official="XS",
        party="XS",
        under_review=True,
        admitted_on=date(1996, 2, 3),
        history=hist(y2025=("XS", "XS", "LDTT CSTDCS")),
    )
    result = propose_year(Y, [p], [])
    outcome = result.people["P1"]
    assert outcome.blocked.rule == "C0"
    assert set(outcome.awards) == {"HHD30"}  # P4 is not blocked (example reading 3)


def test_C0_unit_under_review_gets_nothing_its_members_keep_theirs():
    u = UnitFacts("U1", None, quota_root=True, level="XS", under_review=True)
    people = [person(f"P{i}", official="T") for i in range(4)]
    result = propose_year(Y, people, [u])
    assert result.units["U1"].blocked.rule == "C0" and not result.units["U1"].awards
    assert all("LDTT" in result.people[p.code].awards for p in people)


# --- C1 ---


@pytest.mark.parametrize(
    "official, disciplines, want",
    [
        ("XS", (), True),
        ("T", (), True),
        ("HT", (), False),
        ("KHT", (), False),
        (None, (), False),
        ("T", (Discipline("khien_trach", year=Y),), False),
        ("T", (Discipline("khien_trach", year=Y - 1),), True),
        ("T", (Discipline("canh_cao", decided_on=date(Y, 3, 1)),), False),
    ],
)
def test_C1_ldtt_needs_xs_or_t_and_no_discipline_decided_in_the_year(official, disciplines, want):
    assert (pr.c1_ldtt(person(official=official, disciplines=disciplines), Y) is not None) is want


# --- C2 ---


@pytest.mark.parametrize(
    "n, cap", [(0, 0), (3, 0), (4, 1), (9, 1), (10, 2), (46, 7), (63, 9), (64, 10), (100, 15)]
)
def test_C2_cap_is_floor_of_15_n_plus_50_over_100(n, cap):
    assert c2_cap(n) == cap


@pytest.mark.parametrize("n, pct, cap", [(46, None, 46), (46, 0, 0), (46, 100, 46), (10, 20, 2)])
def test_C2_cap_follows_the_catalog_none_means_no_cap(n, pct, cap):
    assert c2_cap(n, pct) == cap


def test_C2_apply_cap_without_a_cap_keeps_every_candidate_and_says_so():
    people = [person(code=f"P{i}", official="XS") for i in range(5)]
    kept, cut = pr.c2_apply_cap(people, 5, "HB3", Y, None)
    assert set(kept) == {p.code for p in people} and cut == {}
    assert all("không giới hạn tỷ lệ, N = 5 LĐTT trong HB3" in a.why for a in kept.values())


def test_C2_candidate_needs_ldtt_and_xs_or_an_initiative():
    assert pr.c2_candidate(person(official="XS"), True)
    assert not pr.c2_candidate(person(official="T"), True)
    assert pr.c2_candidate(person(official="T", initiatives=Initiatives(base=1)), True)
    assert pr.c2_candidate(person(official="T", initiatives=Initiatives(national=1)), True)
    assert not pr.c2_candidate(person(official="XS"), False)


def test_C2_ranking_xs_first_then_score_then_initiatives_then_code():
    ps = [
        person("A3", official="T", score="99", initiatives=Initiatives(base=3)),
        person("A2", official="XS", score="91"),
        person("A1", official="XS", score="91", initiatives=Initiatives(base=1)),
        person("A0", official="XS", score="95"),
        person("A4", official="T", score="99", initiatives=Initiatives(base=3)),
    ]
    kept, cut = pr.c2_apply_cap(ps, n_ldtt=20, scope="S", year=Y)  # cap 3
    assert list(kept) == ["A0", "A1", "A2"]
    assert set(cut) == {"A3", "A4"}
    assert "hạng 4/5" in cut["A3"].why and "floor((15×20+50)/100)" in cut["A3"].why


def test_C2_tie_at_the_cap_broken_by_code():
    ps = [person(c, official="XS", score="92") for c in ("B2", "B1", "B3")]
    kept, cut = pr.c2_apply_cap(ps, n_ldtt=10, scope="S", year=Y)  # cap 2
    assert list(kept) == ["B1", "B2"] and list(cut) == ["B3"]


# --- C3, C4, C5 ---


def test_C3_three_years_of_cstdcs_and_a_city_initiative():
    h = hist(
        y2024=("XS", None, "LDTT CSTDCS"),
        y2025=("XS", None, "LDTT CSTDCS", Initiatives(city=1)),
    )
    assert pr.c3_cstd_tp(person(history=h), Y, True).rule == "C3"
    assert pr.c3_cstd_tp(person(history=h), Y, False) is None
    only_base = hist(
        y2024=("XS", None, "CSTDCS"), y2025=("XS", None, "CSTDCS", Initiatives(base=2))
    )
    assert pr.c3_cstd_tp(person(history=only_base), Y, True) is None
    national_now = hist(y2024=("XS", None, "CSTDCS"), y2025=("XS", None, "CSTDCS"))
    p = person(history=national_now, initiatives=Initiatives(national=1))
    assert pr.c3_cstd_tp(p, Y, True) is not None
    too_old = hist(
        y2023=("XS", None, "CSTDCS", Initiatives(city=1)),
        y2024=("XS", None, "CSTDCS"),
        y2025=("XS", None, "CSTDCS"),
    )
    assert pr.c3_cstd_tp(person(history=too_old), Y, True) is None


def test_C4_both_branches():
    two = hist(y2025=("T", None, "LDTT CSTDCS"))
    assert "CSTĐCS" in pr.c4_bk_tp(person(history=two), Y, True).why
    xs = hist(y2025=("XS", None, "LDTT", Initiatives(base=1)))
    p = person(official="XS", history=xs, initiatives=Initiatives(base=1))
    assert "2 sáng kiến" in pr.c4_bk_tp(p, Y, False).why
    p_one = person(official="XS", history=hist(y2025=("XS", None, "LDTT", Initiatives(base=1))))
    assert pr.c4_bk_tp(p_one, Y, False) is None


def test_C5_bk_tp_five_years_back_good_levels_and_three_cstdcs():
    h = hist(
        y2021=("XS", None, "BK_TP CSTDCS"),
        y2022=("T", None, "LDTT CSTDCS"),
        y2023=("T", None, "LDTT"),
        y2024=("XS", None, "LDTT CSTDCS"),
        y2025=("T", None, "LDTT"),
    )
    assert pr.c5_bk_ttg(person(history=h), Y, True).rule == "C5"
    assert pr.c5_bk_ttg(person(history=h), Y, False) is None  # 2 of 5
    late = dict(h)
    late[2021] = PastYear("XS", None, frozenset({"CSTDCS"}))
    late[2022] = PastYear("T", None, frozenset({"BK_TP", "CSTDCS"}))
    assert pr.c5_bk_ttg(person(history=late), Y, True) is None  # first BK_TP 2022 > Y-5
    ht = dict(h)
    ht[2025] = PastYear("HT", None, frozenset())
    assert pr.c5_bk_ttg(person(history=ht), Y, True) is None


# --- C6, C7, C8, C8b ---


def _unit_year(members, level="XS", history=None, models=Initiatives()):
    u = UnitFacts("U1", None, quota_root=True, level=level, history=history or {}, models=models)
    return propose_year(Y, members, [u]).units["U1"]


def test_C6_more_than_half_ldtt_exactly_half_is_not_enough():
    half = [person(f"P{i}", official="T" if i < 2 else "HT") for i in range(4)]
    assert "TTLDTT" not in _unit_year(half, level="T").awards
    more = [person(f"P{i}", official="T" if i < 3 else "HT") for i in range(4)]
    assert _unit_year(more, level="T").awards["TTLDTT"].rule == "C6"


def test_C6_C7_a_member_warned_in_the_year_blocks_khien_trach_does_not():
    warned = Discipline("canh_cao", year=Y)
    ps = [person(f"P{i}", official="XS", score="95") for i in range(10)]
    ps[9] = person("P9", official="T", disciplines=(warned,))
    got = _unit_year(ps)
    assert "TTLDTT" not in got.awards and "TTLDXS" not in got.awards
    ps[9] = person("P9", official="T", disciplines=(Discipline("khien_trach", year=Y),))
    got = _unit_year(ps)
    assert {"TTLDTT", "TTLDXS"} <= set(got.awards)


def test_C7_exactly_70_percent_ldtt_and_a_cstdcs():
    ps = [person(f"P{i}", official="XS" if i == 0 else "T" if i < 7 else "HT") for i in range(10)]
    assert _unit_year(ps).awards["TTLDXS"].rule == "C7"
    ps[6] = person("P6", official="HT")
    assert "TTLDXS" not in _unit_year(ps).awards
    no_cst = [person(f"P{i}", official="T") for i in range(10)]
    assert "TTLDXS" not in _unit_year(no_cst).awards


def test_C7_a_member_below_ht_refuses():
    ps = [person(f"P{i}", official="XS" if i < 9 else "KHT") for i in range(10)]
    assert "TTLDXS" not in _unit_year(ps).awards


def test_C8_xs_two_years_and_C8b_flag_needs_ttldxs_and_a_city_model():
    ps = [person(f"P{i}", official="XS" if i == 0 else "T") for i in range(10)]
    got = _unit_year(ps, history=hist(y2025=("XS", None, "")), models=Initiatives(city=1))
    assert got.awards["BK_TP"].rule == "C8" and got.awards["CO_TP"].rule == "C8b"
    got = _unit_year(ps, history=hist(y2025=("T", None, "")), models=Initiatives(base=1))
    assert "BK_TP" not in got.awards and "CO_TP" not in got.awards


# --- P1, P2, P3 ---


def test_P1_P2_party_xs_and_five_years_in_a_row():
    five = hist(**{f"y{y}": (None, "XS", "") for y in range(2022, 2026)})
    p = person(official=None, score=None, party="XS", history=five)
    assert pr.p1_gk_dang(p, Y).rule == "P1" and pr.p2_dang_5nam(p, Y).rule == "P2"
    four = dict(five)
    four[2022] = PastYear(None, "T")
    assert pr.p2_dang_5nam(person(party="XS", history=four), Y) is None


def test_P3_party_cell_and_its_grassroots_organization():
    cell = UnitFacts(
        "C1",
        "G",
        level="XS",
        history=hist(**{f"y{y}": ("XS", None, "") for y in range(2022, 2026)}),
    )
    org = UnitFacts("G", None, quota_root=True, level="T")
    p = person(official=None, score=None, party="T", unit="C1", party_unit="C1")
    got = propose_year(Y, [p], [cell, org])
    assert set(got.units["C1"].awards) >= {"GK_TCD", "TCD_5NAM"}
    assert "GK_TCD" not in got.units["G"].awards  # T, not XS


# --- C10 ---


@pytest.mark.parametrize(
    "code, yes, members, passed",
    [
        ("CSTDCS", 4, 7, True),  # > 50 %
        ("CSTDCS", 3, 6, False),  # exactly 50 % is not more
        ("CSTD_TP", 9, 10, True),  # ≥ 90 %
        ("CSTD_TP", 8, 9, False),  # 88.9 %
        ("CO_TP", 9, 10, True),
        ("LDTT", 0, 0, False),
    ],
)
def test_C10_vote_thresholds_over_all_council_members(code, yes, members, passed):
    assert DEFAULT_AWARDS[code].passes(yes, members) is passed


@pytest.mark.parametrize(
    "code, members, needed",
    [("CSTDCS", 5, 3), ("CSTDCS", 6, 4), ("CSTDCS", 7, 4), ("CSTD_TP", 10, 9), ("CSTD_TP", 9, 9),
     ("LDTT", 0, None)],
)  # fmt: skip
def test_C10_yes_votes_needed_is_the_least_that_passes(code, members, needed):
    award = DEFAULT_AWARDS[code]
    assert award.yes_needed(members) == needed
    if needed is not None:
        assert award.passes(needed, members) and not award.passes(needed - 1, members)


@given(st.integers(0, 60), st.integers(1, 100), st.booleans())
def test_C10_yes_needed_agrees_with_passes(members, pct, strict):
    award = DEFAULT_AWARDS["CSTDCS"].edited(vote_pct=pct, vote_strict=strict)
    needed = award.yes_needed(members)
    passing = [y for y in range(members + 1) if award.passes(y, members)]
    assert needed == (passing[0] if passing else None)


def test_catalog_has_every_code_of_RULES_C_and_P():
    codes = (
        "LDTT CSTDCS CSTD_TP BK_TP BK_TTG GK TTLDTT TTLDXS CO_TP GK_DANG DANG_5NAM GK_TCD TCD_5NAM"
    )
    for code in codes.split() + [
        f"HHD{m}" for m in (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
    ]:
        assert code in DEFAULT_AWARDS, code
    assert set(DEFAULT_AWARDS["BK_TP"].kinds) == {"person", "unit"}


# --- P4 ---


@pytest.mark.parametrize(
    "admitted, m, gap, ill, want",
    [
        (date(1976, 2, 29), 50, 80, False, date(2026, 5, 19)),
        (date(1996, 2, 29), 30, 0, False, date(2026, 2, 28)),
        (date(1967, 5, 19), 60, 0, True, date(2026, 5, 19)),  # − 12 months (m ≤ 65)
        (date(1958, 9, 2), 70, 0, True, date(2026, 9, 2)),  # − 24 months (m ≥ 70)
        (date(1986, 1, 1), 40, 33, False, date(2026, 2, 3)),
    ],
)
def test_P4_reach_date(admitted, m, gap, ill, want):
    assert reach_date(admitted, m, gap, ill) == want


def _member(admitted, discipline=None, awarded=(), **kw):
    history = {2020: PastYear(awards=frozenset(awarded))} if awarded else {}
    return PersonFacts(
        code="D1",
        unit="U",
        scope="S",
        official=None,
        admitted_on=admitted,
        disciplines=(discipline,) if discipline else (),
        history=history,
        **kw,
    )


OCC = [date(Y, 2, 3), date(Y, 5, 19), date(Y, 9, 2), date(Y, 11, 7)]


@pytest.mark.parametrize(
    "form, decided, due_on",
    [
        ("khien_trach", date(2026, 3, 2), date(2026, 9, 2)),  # ends 02/09 (excluded): due then
        ("khien_trach", date(2026, 3, 3), date(2026, 11, 7)),  # one day inside on 02/09
        ("canh_cao", date(2026, 2, 7), date(2026, 11, 7)),
        ("cach_chuc", date(2025, 9, 2), date(2026, 9, 2)),
        ("cach_chuc", date(2025, 9, 3), date(2026, 11, 7)),
    ],
)
def test_P4_party_discipline_waiting_periods_at_and_one_day_inside_their_end(form, decided, due_on):
    held = Discipline(form, decided_on=decided, party=True)
    p = _member(date(1976, 4, 1), held, awarded=["HHD45"])  # 50 years on 01/04/2026
    due, waiting = badges_of(p, OCC)
    assert [b.occasion for b in due] == [due_on]
    assert all(w.occasion < due_on for w in waiting) and waiting


def test_P4_an_administrative_discipline_holds_nothing_and_the_decision_day_holds():
    admin = _member(date(1986, 1, 1), Discipline("khien_trach", decided_on=date(2026, 3, 1)))
    assert [b.occasion for b in badges_of(admin, OCC)[0]] == [date(2026, 2, 3)]
    same_day = _member(
        date(1996, 3, 20), Discipline("khien_trach", decided_on=date(2026, 5, 19), party=True)
    )
    due, waiting = badges_of(same_day, OCC)
    assert not due and [w.occasion for w in waiting] == OCC[1:]  # 30 years on 20/03/2026


def test_P4_highest_milestone_only_and_never_a_lower_one_after_a_higher_one():
    p = _member(date(1980, 1, 1))  # 45 reached 2025, 40 in 2020: lists 45
    assert [b.badge for b in badges_of(p, OCC)[0]] == ["HHD45"]
    assert badges_of(_member(date(1980, 1, 1), awarded=["HHD45"]), OCC) == ([], [])
    listed_once = badges_of(_member(date(1986, 3, 1), awarded=["HHD30"]), OCC)[0]
    assert [(b.badge, b.occasion) for b in listed_once] == [("HHD40", date(2026, 5, 19))]


# --- properties ---

LEVELS = st.sampled_from(["XS", "T", "HT", "KHT", None])


@st.composite
def years(draw):
    n = draw(st.integers(0, 40))
    scopes = ["S1", "S2", "S3"]
    people = []
    for i in range(n):
        people.append(
            PersonFacts(
                code=f"P{i:03d}",
                unit=draw(st.sampled_from(["U1", "U2", "U3"])),
                scope=None,
                official=draw(LEVELS),
                score=Decimal(draw(st.integers(50, 100))),
                party=draw(LEVELS),
                under_review=draw(st.booleans()) and draw(st.booleans()),
                initiatives=Initiatives(base=draw(st.integers(0, 2))),
                disciplines=(Discipline("khien_trach", year=Y),)
                if draw(st.integers(0, 9)) == 0
                else (),
            )
        )
    people = [PersonFacts(**{**p.__dict__, "scope": scopes[int(p.unit[1]) - 1]}) for p in people]
    units = [
        UnitFacts("U1", "S1", level=draw(LEVELS)),
        UnitFacts("U2", "S2", level=draw(LEVELS)),
        UnitFacts("U3", "S3", level=draw(LEVELS)),
        *[UnitFacts(s, None, quota_root=True, level=draw(LEVELS)) for s in scopes],
    ]
    return people, units


def _flatten(result):
    return (
        {
            c: sorted((a, x.rule, x.why) for a, x in o.awards.items())
            for c, o in result.people.items()
        },
        {c: sorted(o.cut) for c, o in result.people.items()},
        {c: sorted(o.awards) for c, o in result.units.items()},
    )


@settings(max_examples=60, deadline=None)
@given(years())
def test_C2_property_at_most_the_cap_per_scope_and_C0_gets_nothing(data):
    people, units = data
    result = propose_year(Y, people, units)
    for scope in ("S1", "S2", "S3"):
        ldtt = [p for p in people if p.scope == scope and "LDTT" in result.people[p.code].awards]
        cst = [p for p in ldtt if "CSTDCS" in result.people[p.code].awards]
        assert len(cst) <= c2_cap(len(ldtt))
    for p in people:
        if p.under_review:
            assert not result.people[p.code].awards


@settings(max_examples=40, deadline=None)
@given(years(), st.randoms(use_true_random=False))
def test_C_property_results_do_not_depend_on_input_order(data, rnd: random.Random):
    people, units = data
    shuffled_people, shuffled_units = people[:], units[:]
    rnd.shuffle(shuffled_people)
    rnd.shuffle(shuffled_units)
    assert _flatten(propose_year(Y, people, units)) == _flatten(
        propose_year(Y, shuffled_people, shuffled_units)
    )


def test_P4_reach_dates_grow_with_the_milestone_ill_or_not():
    """highest_reached stops at the first milestone not reached: it relies on this order."""
    from datetime import date

    from awards.rules import MILESTONES, reach_date

    for admitted in (date(1950, 2, 29 - 1), date(1952, 2, 29), date(1990, 12, 31)):
        for ill in (False, True):
            for gap in (0, 400):
                days = [reach_date(admitted, m, gap, ill) for m in MILESTONES]
                assert days == sorted(days) and len(set(days)) == len(days)


DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(2200, 12, 31))


def _month_end_day(y: int, m: int, d: int) -> date:
    import calendar

    return date(y, m, min(d, calendar.monthrange(y, m)[1]))


# days 26-31 often: the days a month's end clamps (31/08 + 6 months = 28/02 or 29/02)
MONTH_ENDS = st.builds(
    _month_end_day, st.integers(1000, 2200), st.integers(1, 12), st.integers(26, 31)
)


@given(st.one_of(DATES, MONTH_ENDS), st.integers(-1200, 1200))
def test_P4_add_months_is_the_calendar_clamp_for_any_day(day, months):
    """add_months skips the month's length for days 1-28: the same as clamping every day."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    if not 1 <= year <= 9999:
        return
    last = calendar.monthrange(year, month)[1]
    assert add_months(day, months) == date(year, month, min(day.day, last))


@given(DATES)
def test_P4_dmy_is_day_month_year_as_strftime_writes_it(day):
    from awards.rules.dates import dmy, dmy_or_none

    assert dmy(day) == dmy_or_none(day) == day.strftime("%d/%m/%Y")
    assert dmy(None) == "–" and dmy_or_none(None) is None


@given(
    st.dates(min_value=date(1930, 1, 1), max_value=date(2000, 12, 31)),
    st.integers(0, 4000),
    st.booleans(),
    st.lists(st.sampled_from(["HHD30", "HHD40", "HHD45", "HHD50", "HHD55", "HHD60"]), max_size=2),
)
def test_P4_badges_of_lists_each_occasions_highest_milestone_reached_by_then(
    admitted, gap, ill, awarded
):
    """badges_of works out each member's reach dates once for all occasions: on each occasion
    it lists the highest milestone reached on or before it (every milestone tried here), once,
    and none at or below an awarded one."""
    from awards.rules import MILESTONES

    p = _member(admitted, awarded=awarded, gap_days=gap, seriously_ill=ill)
    got = [(b.badge, b.occasion, b.reach_date) for b in badges_of(p, OCC)[0]]
    want, done = [], {int(a[3:]) for a in awarded}
    for on in OCC:
        reached = [(m, reach_date(admitted, m, gap, ill)) for m in MILESTONES]
        reached = [(m, r) for m, r in reached if r <= on]
        if reached and not (done and reached[-1][0] <= max(done)):
            m, r = reached[-1]
            want.append((f"HHD{m}", on, r))
            done.add(m)
    assert got == want
