"""The award catalog page of a year (issue 12 item 1, read-only part) and year_has_decision."""

from __future__ import annotations

import pytest

from awards.catalog_year import year_has_decision
from awards.models import AwardList
from service.extensions import db


def test_catalog_page_lists_every_code_with_cap_and_vote(client, tree, login_session):
    login_session(client, tree["users"]["committee_a"])
    res = client.get("/awards/2026/catalog")
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "năm 2026" in page
    assert "<code>CSTDCS</code>" in page and "15 %" in page
    assert "≥ 90 % số thành viên hội đồng" in page and "Huy hiệu 30 năm tuổi Đảng" in page


def test_catalog_page_needs_award_read(client, tree, create_user, login_session):
    login_session(client, create_user(username="plain"))
    assert client.get("/awards/2026/catalog").status_code == 403


def test_year_has_decision_reads_the_decided_award_lists(app_ctx, tree):
    assert year_has_decision(2026) is False
    a, b = tree["units"]["A"], tree["units"]["B"]
    db.session.add_all(
        [
            AwardList(year=2026, unit_id=a.id, state="decided"),
            AwardList(year=2025, unit_id=b.id, state="draft"),
        ]
    )
    db.session.flush()
    assert year_has_decision(2026) is True and year_has_decision(2025) is False


@pytest.mark.parametrize(
    ("codes", "level", "refused"),
    [
        (["LDTT", "CSTDCS", "GK", "TTLDTT"], "co_so", []),
        (["LDTT", "BK_TP"], "co_so", ["BK_TP"]),
        (["LDTT", "BK_TP"], "huyen", ["BK_TP"]),
        (["LDTT", "BK_TP", "CSTD_TP", "HHD30"], "thanh_pho", []),
        (["BK_TTG", "CO_TP", "BK_TTG"], "thanh_pho", ["BK_TTG"]),
        (["BK_TTG"], "nha_nuoc", []),
        (["DANG_5NAM", "GK_DANG"], "huyen", []),
        (["DANG_5NAM"], "co_so", ["DANG_5NAM"]),
    ],
)
def test_C11_a_decision_confers_no_award_of_a_higher_authority(codes, level, refused):
    from awards.rules import DEFAULT_AWARDS, above_level

    found = above_level([DEFAULT_AWARDS[c] for c in codes], level)
    assert [a.code for a in found] == refused


@pytest.mark.parametrize(
    ("codes", "level"),
    [
        ([], None),
        (["LDTT", "CSTDCS", "GK"], "co_so"),
        (["LDTT", "BK_TP"], "thanh_pho"),
        (["DANG_5NAM", "LDTT"], "huyen"),
        (["BK_TTG", "LDTT", "CSTD_TP"], "nha_nuoc"),
    ],
)
def test_C11_a_list_is_decided_at_its_highest_authoritys_level(codes, level):
    from awards.rules import DEFAULT_AWARDS, decision_level_of

    assert decision_level_of([DEFAULT_AWARDS[c] for c in codes]) == level


def test_C11_every_award_type_has_a_decision_level_matching_its_authority():
    from awards.models import DECISION_LEVELS
    from awards.rules import DEFAULT_AWARDS

    for t in DEFAULT_AWARDS.values():
        assert t.level in DECISION_LEVELS, t.code
        if "thành phố" in t.authority.lower() or "thành ủy" in t.authority.lower():
            assert t.level == "thanh_pho", t.code
        if "Thủ tướng" in t.authority:
            assert t.level == "nha_nuoc", t.code


@pytest.mark.parametrize(
    ("code", "member", "admitted", "refused"),
    [
        ("HHD40", False, None, "chỉ xét cho đảng viên"),
        ("GK_DANG", False, None, "chỉ xét cho đảng viên"),
        ("DANG_5NAM", True, None, "chỉ xét cho đảng viên"),
        ("HHD40", True, "1985-12-31", None),  # 40 years on the year's last day
        ("HHD40", True, "1986-01-01", "sớm nhất ngày 01/01/2026"),
        ("HHD30", True, "1996-02-29", "sớm nhất ngày 28/02/2026"),  # 29/02 + 30 years
        ("GK_DANG", True, "2024-05-19", None),
        ("LDTT", False, None, None),  # not a party award
        ("GK_TCD", False, None, None),  # a party organization's, not a person's
    ],
)
def test_C9_P4_a_manual_party_award_needs_a_member_and_a_badge_its_party_age(
    code, member, admitted, refused
):
    import datetime as dt

    from awards.rules import DEFAULT_AWARDS, manual_party_refusal

    day = dt.date.fromisoformat(admitted) if admitted else None
    found = manual_party_refusal(DEFAULT_AWARDS[code], member, day, 2025)
    assert (found is None) == (refused is None), found
    if refused:
        assert refused in found, found
