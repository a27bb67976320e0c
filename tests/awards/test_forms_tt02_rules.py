"""The pure counting of the TT 02/2023 forms (awards.tt02): titles, forms and the party's codes
told apart; each form's "Tổng số" row the sum of its rows and its column 1 the sum of each
grouping, for any awards (hypothesis); 0604 puts a person in exactly one group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from awards import tt02
from awards.rules import DEFAULT_AWARDS

NAMES = {code: t.name for code, t in DEFAULT_AWARDS.items()}


def test_titles_forms_and_party_codes_are_told_apart():
    assert {c for c in DEFAULT_AWARDS if tt02.kind_of(c) == tt02.TITLE} == set(tt02.TITLE_CODES)
    assert {c for c in DEFAULT_AWARDS if tt02.kind_of(c) == tt02.FORM} == {"BK_TP", "BK_TTG", "GK"}
    party = {c for c in DEFAULT_AWARDS if tt02.kind_of(c) == tt02.PARTY}
    assert party == {c for c, t in DEFAULT_AWARDS.items() if t.rule.startswith("P")}
    assert tt02.kind_of("HUAN_CHUONG_LD3") == tt02.FORM  # a code the catalog may grow


awarded = st.builds(
    tt02.Awarded,
    decision_id=st.integers(1, 4),
    level=st.sampled_from(tt02.LEVELS),
    list_unit_id=st.integers(1, 3),
    subject=st.sampled_from([tt02.PERSON, tt02.UNIT]),
    award=st.sampled_from(sorted(DEFAULT_AWARDS)),
    female=st.booleans(),
    head=st.booleans(),
    category=st.sampled_from([None, "can_bo", "cong_chuc", "vien_chuc", "nguoi_lao_dong"]),
)
UNITS = [(1, "U1"), (2, "U2"), (3, "U3")]


def _check_total(rows, children=None):
    total, *rest = rows
    assert (total.code, total.label, total.depth) == ("01", "Tổng số", 0)
    assert [r.code for r in rows] == [f"{i:02d}" for i in range(1, len(rows) + 1)]
    below = children if children is not None else rest
    assert list(total.values) == [sum(r.values[i] for r in below) for i in range(len(total.values))]


@given(st.lists(awarded, max_size=40))
def test_every_total_is_the_sum_of_its_rows_and_groupings(awards):
    counted = tt02.counted(awards)
    rows = tt02.form_0601(awards, UNITS)
    _check_total(rows)
    assert rows[0].values[0] == len(counted)
    for r in rows:
        assert r.values[0] == r.values[1] + r.values[2] == r.values[3] + r.values[4]
    for rows in (tt02.form_0602(awards, NAMES), tt02.form_0603(awards, NAMES)):
        _check_total(rows)
        for r in rows:
            assert r.values[0] == r.values[1] + r.values[2]
            assert r.values[3] <= r.values[1] and r.values[4] <= r.values[1]
    titles, forms = tt02.form_0602(awards, NAMES)[0], tt02.form_0603(awards, NAMES)[0]
    assert titles.values[0] + forms.values[0] == len(counted)
    rows = tt02.form_0604(awards)
    person, units = rows[1], rows[-1]
    _check_total(rows, [person, units])
    groups = rows[2:-1]  # "Cá nhân" sums its groups
    assert list(person.values) == [sum(r.values[i] for r in groups) for i in range(5)]
    assert rows[0].values[0] == len(counted)
    for r in rows:
        assert r.values[0] == sum(r.values[1:])
    decisions = {(a.decision_id, a.level) for a in awards}
    rows = tt02.form_0605(awards, decisions)
    _check_total(rows)
    for r in rows:
        assert r.values[1] == r.values[2] + r.values[3] == r.values[4] + r.values[5]


def test_0604_codes_and_the_party_not_counted():
    awards = [
        tt02.Awarded(1, "co_so", 1, "person", "LDTT", head=True, category="cong_chuc"),
        tt02.Awarded(1, "co_so", 1, "person", "HHD30", category="cong_chuc"),
        tt02.Awarded(2, "nha_nuoc", 1, "person", "BK_TTG", category="vien_chuc"),
        tt02.Awarded(2, "nha_nuoc", 1, "unit", "GK"),
    ]
    rows = {r.code: (r.label, list(r.values)) for r in tt02.form_0604(awards)}
    assert rows["01"] == ("Tổng số", [3, 1, 0, 0, 2])
    assert rows["03"] == ("Lãnh đạo, quản lý", [1, 1, 0, 0, 0])
    assert rows["05"] == ("Công chức", [0, 0, 0, 0, 0])  # the badge is the party's
    assert rows["06"] == ("Viên chức", [1, 0, 0, 0, 1])
    assert rows["09"] == ("Tập thể", [1, 0, 0, 0, 1])
