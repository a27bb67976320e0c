"""The award catalog page of a year (issue 12 item 1, read-only part) and year_has_decision."""

from __future__ import annotations

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
