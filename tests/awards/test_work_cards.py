"""The awards on "Việc của tôi" (service.domains.add_work): staff find the list to propose or
submit, the committee the lists waiting for the council, the approval or the decision."""

from __future__ import annotations

from tests.awards.test_award_list_pages import login
from tests.awards.test_award_lists import (  # noqa: F401
    YEAR,
    act,
    approve,
    council_voted,
    propose,
    the_list,
    year,
)


def card(pages, key: str) -> str:
    page = pages.get(f"/evaluation/work?year={YEAR}").get_data(as_text=True)
    assert f'id="{key}"' in page, page
    start = page.index(f'id="{key}"')
    return page[start : page.index("</section>", start)]


def test_work_page_shows_the_award_lists_waiting_for_each_role(app, client, tree, year):  # noqa: F811
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    pages = app.test_client()  # the browser; `client` is the API's token client
    login(pages, tree["users"]["staff_a"])
    text = card(pages, "award-lists-staff")
    assert "Chưa lập danh sách đề nghị khen thưởng" in text and "Đề xuất theo quy định" in text
    propose(client, staff)
    lst = the_list(client, staff)
    text = card(pages, "award-lists-staff")
    assert "Đang lập" in text and f"/awards/lists/{lst['id']}" in text, text
    lst = act(client, staff, lst, "submit").get_json()
    assert "Không có danh sách đề nghị khen thưởng nào" in card(pages, "award-lists-staff")

    login(pages, tree["users"]["committee_a"])
    text = card(pages, "award-lists-committee")
    assert "Chờ hội đồng bỏ phiếu" in text and f"/awards/lists/{lst['id']}" in text, text
    council_voted(client, committee, lst)
    assert "Chờ phê duyệt" in card(pages, "award-lists-committee")
    res = act(client, committee, the_list(client, committee), "approve")
    assert res.status_code == 200, res.get_json()
    assert "chờ ghi quyết định" in card(pages, "award-lists-committee")
