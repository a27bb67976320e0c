"""Titles history pages (issue 12 item 8): a person's and a unit's titles and commendations
per past year, read from the evaluation's history, with the awards' Vietnamese names; reach."""

from __future__ import annotations

from evaluation.models import History
from service.extensions import db


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
