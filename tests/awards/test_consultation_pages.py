"""The public consultation pages (issue 13 item 3): the card on a list's page (needed or not,
"Công bố lấy ý kiến", the window's end and days left, comments and their form) and the page of
a year's holidays, where administrators add and remove days."""

from __future__ import annotations

from datetime import date

from awards.consultation_models import ConsultationComment, PublicHoliday
from awards.models import AwardList
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards.test_award_list_pages import csrf, login, version
from tests.awards.test_award_lists import YEAR, propose, the_list, year  # noqa: F401
from tests.awards.test_consultation import nominate, on_day  # noqa: F401


def test_the_card_publishes_and_records_comments(app, client, tree, year, on_day):  # noqa: F811
    h, api = tree["headers"]["staff_a"], app.test_client()  # the API: no session, no CSRF
    propose(client, h)
    lst = db.session.query(AwardList).one()
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "không cần lấy ý kiến công khai" in page and "Công bố lấy ý kiến</button>" not in page

    nominate(api, h, the_list(api, h))
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "cấp Nhà nước (BK_TTG)" in page and "Công bố lấy ý kiến</button>" in page
    on_day(date(2025, 12, 15))
    res = client.post(
        f"/awards/lists/{lst.id}/consultation/publish", data={"csrf_token": csrf(page)}
    )
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    on_day(date(2025, 12, 17))
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "hết ngày 24/12/2025" in page and "còn 6 ngày làm việc" in page
    assert "Công bố lấy ý kiến</button>" not in page

    # submitting now is refused with the window's end, on the page
    res = client.post(
        f"/awards/lists/{lst.id}/action",
        data={"action": "submit", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 400
    assert "Chưa hết thời gian lấy ý kiến" in res.get_data(as_text=True)
    assert "đến hết ngày 24/12/2025" in res.get_data(as_text=True)

    body = {
        "author_name": "Trần Văn Ý",
        "author_address": "Phường 1",
        "content": "Đề nghị xem xét thêm thành tích.",
        "received_on": "20/12/2025",  # after today
        "csrf_token": csrf(page),
    }
    res = client.post(f"/awards/lists/{lst.id}/consultation/comments", data=body)
    text = res.get_data(as_text=True)
    assert res.status_code == 400 and "Ngày nhận không được sau hôm nay" in text
    assert 'value="Trần Văn Ý"' in text  # the form keeps what was typed
    assert db.session.query(ConsultationComment).count() == 0
    res = client.post(
        f"/awards/lists/{lst.id}/consultation/comments", data={**body, "received_on": "16/12/2025"}
    )
    assert res.status_code == 302
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Đề nghị xem xét thêm thành tích." in page and "nhận 16/12/2025" in page

    on_day(date(2025, 12, 25))
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "đã hết thời gian lấy ý kiến" in page
    res = client.post(
        f"/awards/lists/{lst.id}/action",
        data={"action": "submit", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 302
    assert db.session.get(AwardList, lst.id).state == "submitted"


def test_the_committee_reads_the_card_without_its_forms(client, tree, year, on_day):  # noqa: F811
    h = tree["headers"]["staff_a"]
    propose(client, h)
    lst = nominate(client, h, the_list(client, h))
    on_day(date(2025, 12, 15))
    client.post(f"/api/v1/award-lists/{lst['id']}/consultation", headers=h)
    login(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/lists/{lst['id']}").get_data(as_text=True)
    assert "hết ngày 24/12/2025" in page and 'id="consultation-comment"' not in page
    res = client.post(
        f"/awards/lists/{lst['id']}/consultation/comments",
        data={
            "author_name": "X",
            "content": "Y",
            "received_on": "15/12/2025",
            "csrf_token": csrf(page),
        },
    )
    assert res.status_code == 403
    assert db.session.query(ConsultationComment).count() == 0


def test_administrators_edit_the_years_holidays_on_its_page(client, tree, year):  # noqa: F811
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/holidays").get_data(as_text=True)
    assert "02/09/2025" in page and "Quốc khánh" in page and 'id="add-holiday"' not in page
    res = client.post(
        f"/awards/{YEAR}/holidays/add",
        data={"day": "22/12/2025", "name": "x", "version": "1", "csrf_token": csrf(page)},
    )
    assert res.status_code == 403
    assert client.get("/awards/2031/holidays").status_code == 404

    login(client, tree["users"]["admin"])
    page = client.get(f"/awards/{YEAR}/holidays").get_data(as_text=True)
    assert 'id="add-holiday"' in page and "lịch mặc định" in page
    body = {"day": "22/12/2025", "name": "Nghỉ bổ sung", "version": "1", "csrf_token": csrf(page)}
    res = client.post(f"/awards/{YEAR}/holidays/add", data={**body, "day": "32/12/2025"})
    assert res.status_code == 400 and "Ngày không hợp lệ" in res.get_data(as_text=True)
    res = client.post(f"/awards/{YEAR}/holidays/add", data={**body, "day": "22/12/2026"})
    assert res.status_code == 400 and "không thuộc năm 2025" in res.get_data(as_text=True)
    assert db.session.query(PublicHoliday).count() == 0
    res = client.post(f"/awards/{YEAR}/holidays/add", data=body)
    assert res.status_code == 302
    page = client.get(f"/awards/{YEAR}/holidays").get_data(as_text=True)
    assert "22/12/2025" in page and "Nghỉ bổ sung" in page and "Thứ Hai" in page
    assert db.session.query(PublicHoliday).filter_by(day=date(2025, 12, 22)).count() == 1
    res = client.post(
        f"/awards/{YEAR}/holidays/remove",
        data={"day": "02/09/2025", "version": version(page), "csrf_token": csrf(page)},
    )
    assert res.status_code == 302
    page = client.get(f"/awards/{YEAR}/holidays").get_data(as_text=True)
    assert "Đã bỏ ngày nghỉ 02/09/2025" in page and 'value="02/09/2025"' not in page
    assert db.session.query(AuditEntry).filter_by(object_type="holiday_calendar").count() == 2


def test_the_holidays_pages_year_links_lead_to_a_calendar(client, tree, year):  # noqa: F811
    """A link to the year before or after only where that year has a calendar (it led to a
    404: the year before the first open year has none)."""
    import re

    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/holidays").get_data(as_text=True)
    links = re.findall(r'href="(/awards/\d{4}/holidays)"', page)
    assert links == [f"/awards/{YEAR + 1}/holidays"], links
    for link in links:
        assert client.get(link).status_code == 200, link
