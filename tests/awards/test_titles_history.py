"""Titles history pages (issue 12 item 8): a person's and a unit's titles and commendations
per past year, read from the evaluation's history, with the awards' Vietnamese names; reach."""

from __future__ import annotations

from evaluation.models import History
from service.extensions import db
from tests.awards.test_award_lists import year  # noqa: F401 - the fixture


def seed(tree):
    p, u = tree["people"]["PA"], tree["units"]["A"]
    db.session.add_all(
        [
            History(year=2024, person_id=p.id, official_level="XS", awards=["LDTT", "CSTDCS"]),
            History(year=2023, person_id=p.id, official_level="T", awards=["LDTT"]),
            History(year=2024, unit_id=u.id, official_level="XS", awards=["TTLDXS"]),
        ]
    )
    db.session.commit()


def test_person_titles_history_newest_first_with_names(client, tree, login_session):
    seed(tree)
    login_session(client, tree["users"]["hr_r"])
    res = client.get("/awards/people/PA/titles")
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "Nguyễn Văn An" in page
    assert "Chiến sĩ thi đua cơ sở (CSTDCS)" in page
    assert '<td data-label="Xếp loại">Hoàn thành xuất sắc nhiệm vụ</td>' in page  # words, not XS
    assert page.index("2024") < page.index("2023") and 'class="cards"' in page


def test_unit_titles_history(client, tree, login_session):
    seed(tree)
    login_session(client, tree["users"]["staff_a"])
    page = client.get("/awards/units/A/titles").get_data(as_text=True)
    assert "Tập thể lao động xuất sắc" in page and "2024" in page
    page = client.get("/awards/units/A1/titles").get_data(as_text=True)
    assert "Chưa có lịch sử" in page


def test_titles_history_outside_reach_is_404(client, tree, login_session):
    seed(tree)
    login_session(client, tree["users"]["staff_b"])
    assert client.get("/awards/units/A/titles").status_code == 404
    assert client.get("/awards/people/PA/titles").status_code == 404


def test_the_person_pages_link_the_ratings_and_the_titles(client, tree, login_session, app_ctx):
    """A person's page (the tree's) had no way to their ratings or titles; the ratings page
    had none to the titles: each was reached only from lists elsewhere."""
    from evaluation.operations import open_year

    seed(tree)
    open_year(tree["users"]["admin"], 2026)
    db.session.commit()
    login_session(client, tree["users"]["hr_r"])
    page = client.get("/people/PA").get_data(as_text=True)
    assert 'href="/evaluation/2026/people/PA"' in page
    assert 'href="/awards/people/PA/titles"' in page
    ratings = client.get("/evaluation/2026/people/PA").get_data(as_text=True)
    assert 'href="/awards/people/PA/titles"' in ratings
    assert "Kết quả đánh giá, xếp loại</a>" not in ratings  # not a link to itself
    titles = client.get("/awards/people/PA/titles").get_data(as_text=True)
    assert 'href="/evaluation/2026/people/PA"' in titles and 'href="/people/PA"' in titles


def test_an_own_result_account_on_the_tree_is_shown_its_own_pages(
    client, tree, create_user, login_session, app_ctx
):
    """An account that only sees its own result (a cán bộ's), on «Cây đơn vị», was told to
    ask an administrator for rights it is not meant to have. It is shown its own pages."""
    from evaluation.operations import open_year

    open_year(tree["users"]["admin"], 2026)
    own = create_user(username="canbo_pa")
    own.person_id = tree["people"]["PA"].id
    db.session.commit()
    login_session(client, own)
    page = client.get("/units").get_data(as_text=True)
    assert "Liên hệ quản trị viên" not in page
    assert 'href="/evaluation/2026/people/PA"' in page and 'href="/awards/people/PA/titles"' in page


def test_a_rated_year_not_yet_in_the_history_shows_its_rating_and_no_award_yet(
    client, tree, login_session
):
    """An approved 2025 rating and no decision yet: the year had no row at all (a person
    rated XS looked unrated). It shows the year's final level, and that no decision has
    conferred anything yet; a rating not approved says «chưa chính thức»."""
    seed(tree)
    login_session(client, tree["users"]["hr_r"])
    page = client.get("/awards/people/PA/titles").get_data(as_text=True)
    assert "2025" not in page  # no year of evaluation open yet


def test_the_open_years_rating_stands_beside_the_history(
    client,
    tree,
    login_session,
    year,  # noqa: F811
):
    seed(tree)
    login_session(client, tree["users"]["hr_r"])
    page = client.get("/awards/people/PA/titles").get_data(as_text=True)
    row = page.split('<td data-label="Năm">2025</td>', 1)[1].split("</tr>", 1)[0]
    assert "Hoàn thành" in row and "chưa có quyết định khen thưởng" in row
    assert page.index(">2025<") < page.index(">2024<")


def test_an_own_result_accounts_work_page_offers_no_summary_it_may_not_open(
    client,
    tree,
    create_user,
    login_session,
    year,  # noqa: F811
):
    """«Tổng hợp năm 2025» on canbo's «Việc của tôi» answered 403: a unit's summary."""
    own = create_user(username="canbo_pa2")
    own.person_id = tree["people"]["PA"].id
    db.session.commit()
    login_session(client, own)
    page = client.get("/evaluation/work?year=2025").get_data(as_text=True)
    assert "Việc của tôi" in page and "Tổng hợp năm" not in page
    login_session(client, tree["users"]["staff_a"])
    assert "Tổng hợp năm 2025" in client.get("/evaluation/work?year=2025").get_data(as_text=True)
