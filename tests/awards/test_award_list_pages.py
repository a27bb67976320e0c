"""The award list pages (issue 12 item 8): staff propose from the year's page (the job's
progress page follows), review the reasons, add a manual nomination, remove one with a reason
and submit; the committee returns with a reason, approves and enters the decision."""

from __future__ import annotations

import re

from awards.models import AwardList, Nomination
from service.extensions import db
from tests.awards.test_award_lists import YEAR, council_voted, year  # noqa: F401 - the fixture


def login(client, user):
    client.get("/logout")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post(
        "/login", data={"username": user.username, "password": "matkhau123", "csrf_token": token}
    )
    assert res.status_code == 302, res.get_data(as_text=True)[:300]


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def test_staff_propose_review_nominate_remove_and_submit_then_committee_decides(
    client,
    tree,
    year,  # noqa: F811
):
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/lists").get_data(as_text=True)
    assert "Đề xuất theo quy định" in page
    res = client.post(f"/awards/{YEAR}/lists/propose", data={"unit": "A", "csrf_token": csrf(page)})
    assert res.status_code == 302 and "/jobs/" in res.location
    lst = db.session.query(AwardList).one()
    # the done job's page leads to the list it made (not only «Quay lại»)
    job_page = client.get(res.location).get_data(as_text=True)
    assert f'href="/awards/lists/{lst.id}">Mở danh sách đề nghị</a>' in job_page, job_page
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Lao động tiên tiến" in page and "C1:" in page  # the reason is shown
    # the manual nomination's award select says who may receive each award (app.js offers
    # a person's awards for «Cá nhân», a unit's for «Tập thể»)
    assert 'data-kinds-for="subject"' in page
    assert '<option value="LDTT" data-kinds="person">' in page
    assert '<option value="TTLDTT" data-kinds="unit">' in page
    # a manual nomination without a reason is refused on the page, nothing saved
    body = {
        "subject": "person",
        "code": "PA2",
        "award": "GK",
        "csrf_token": csrf(page),
        "version": version(page),
    }
    assert 'href="#manual"' in page  # the form at the page's end, reached from its top
    res = client.post(f"/awards/lists/{lst.id}/nominations", data={**body, "reason": ""})
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "cần ghi lý do" in html
    # told at the form (focused, the browser scrolls there), announced at the top with a link
    assert html.index("cần ghi lý do") > html.index('id="manual"')
    assert html.index("Chưa thêm được đề nghị") < html.index('id="state"')
    assert re.search(
        r'<input[^>]*autofocus[^>]*name="code"|<input[^>]*name="code"[^>]*autofocus', html
    )
    assert db.session.query(Nomination).filter_by(source="manual").count() == 0
    res = client.post(f"/awards/lists/{lst.id}/nominations", data={**body, "reason": "Cứu người"})
    assert res.status_code == 302
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Đã thêm đề nghị Giấy khen (GK) cho Trần Thị Bình (PA2)." in page  # a name, not a code
    nom = db.session.query(Nomination).filter_by(award="LDTT").first()
    res = client.post(
        f"/awards/nominations/{nom.id}/remove",
        data={"reason": "Chuyển công tác", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nom.id).status == "removed"
    page = client.get(f"/awards/lists/{lst.id}?group=removed").get_data(as_text=True)
    assert "Chuyển công tác" in page and "Khôi phục" in page
    res = client.post(
        f"/awards/lists/{lst.id}/action",
        data={"action": "submit", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 302
    db.session.expire_all()
    assert db.session.get(AwardList, lst.id).state == "submitted"

    login(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Phê duyệt" in page and "Trả lại" in page and "Thêm đề nghị" not in page
    res = client.post(
        f"/awards/lists/{lst.id}/action",
        data={"action": "return", "reason": "", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 400 and "lý do" in res.get_data(as_text=True)
    approve = {"action": "approve", "csrf_token": csrf(page), "version": version(page)}
    res = client.post(f"/awards/lists/{lst.id}/action", data=approve)
    assert "chưa được hội đồng" in res.get_data(as_text=True)  # C10: not voted on yet
    api = client.application.test_client()  # the API by token, beside the page's session
    council_voted(api, tree["headers"]["committee_a"], {"id": lst.id})
    res = client.post(f"/awards/lists/{lst.id}/action", data=approve)
    assert res.status_code == 302
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    data = {
        "action": "decide",
        "decision_no": "15/QĐ-UBND",
        "decision_date": "20/12/2025",
        "decision_signer": "Nguyễn Văn A",
        "csrf_token": csrf(page),
        "version": version(page),
    }
    # a refused decision (no number, a day that does not exist) keeps what was typed
    bad = {**data, "decision_no": "", "decision_date": "31/02/2025", "decision_level": "huyen"}
    res = client.post(f"/awards/lists/{lst.id}/action", data=bad)
    html = res.get_data(as_text=True)
    assert 'value="31/02/2025"' in html and 'value="Nguyễn Văn A"' in html, "input lost"
    assert "Cần nhập số quyết định." in html  # told with the date, not after it is mended
    assert 'value="huyen" selected' in html
    assert db.session.get(AwardList, lst.id).state == "approved"
    assert client.post(f"/awards/lists/{lst.id}/action", data=data).status_code == 302
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "15/QĐ-UBND" in page and "đã khóa" in page


def test_the_job_page_after_proposing_does_not_say_still_running_once_done(
    client,
    tree,
    year,  # noqa: F811
):
    """The message flashed on starting a proposal is read on the job page, where the job may
    already be done: it says the proposal was started, not that it is running."""
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/lists").get_data(as_text=True)
    res = client.post(f"/awards/{YEAR}/lists/propose", data={"unit": "A", "csrf_token": csrf(page)})
    job_page = client.get(res.location).get_data(as_text=True)
    assert "hoàn thành" in job_page
    assert "Đang lập danh sách" not in job_page
    assert "Đã bắt đầu lập danh sách đề nghị theo quy định." in job_page


def test_C11_the_decision_form_offers_the_level_of_the_lists_highest_authority(
    client,
    tree,
    year,  # noqa: F811
):
    """A list holding a city's Bằng khen is decided at the city's level: the committee's
    form has «cấp thành phố» chosen, not the ward's level it would be refused at."""
    from tests.awards.test_award_lists import act, approve, proposed_list, the_list

    api = client.application.test_client()
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    url, body = proposed_list(api, staff)
    body = {**body, "award": "BK_TP", "reason": "Thành tích đột xuất trong phòng chống lụt bão"}
    assert api.post(url, json=body, headers=staff).status_code == 201
    lst = approve(api, committee, act(api, staff, the_list(api, staff), "submit").get_json())
    login(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/lists/{lst['id']}").get_data(as_text=True)
    form = page[page.index('name="decision_level"') :]
    form = form[: form.index("</select>")]
    assert re.findall(r'value="(\w+)" selected', form) == ["thanh_pho"], form
    # several authorities' awards on one list: the form says how many of each, and how it
    # is recorded
    note = re.search(r'id="mixed-levels">([^<]*)<', page).group(1)
    assert "cấp cơ sở" in note and "cấp thành phố 1 (Bằng khen của Chủ tịch UBND" in note, note
    assert "ở cấp cao nhất (cấp thành phố)" in note, note


def test_removing_and_restoring_a_found_row_keeps_the_search(
    client,
    tree,
    year,  # noqa: F811
):
    """A clerk removing several people found by a search comes back to the same search, not
    to the list's first page; restoring one does the same in «Đã bỏ khỏi danh sách»."""
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/lists").get_data(as_text=True)
    client.post(f"/awards/{YEAR}/lists/propose", data={"unit": "A", "csrf_token": csrf(page)})
    lst = db.session.query(AwardList).one()
    # found by a name typed without accents, as by its code
    page = client.get(f"/awards/lists/{lst.id}?q=tran thi binh").get_data(as_text=True)
    assert "<code>PA2</code>" in page and "<code>PA</code>" not in page
    page = client.get(f"/awards/lists/{lst.id}?q=PA2").get_data(as_text=True)
    nom = db.session.query(Nomination).filter_by(person_id=tree["people"]["PA2"].id).first()
    form = {"csrf_token": csrf(page), "version": version(page), "group": "nominated", "q": "PA2"}
    res = client.post(f"/awards/nominations/{nom.id}/remove", data={**form, "reason": "Nghỉ hưu"})
    assert res.status_code == 302 and res.location.endswith("group=nominated&q=PA2"), res.location
    page = client.get(f"/awards/lists/{lst.id}?group=removed&q=PA2").get_data(as_text=True)
    assert 'name="q" value="PA2"' in page and 'name="group" value="removed"' in page
    form = {**form, "version": version(page), "group": "removed"}
    res = client.post(f"/awards/nominations/{nom.id}/restore", data=form)
    assert res.status_code == 302 and res.location.endswith("group=removed&q=PA2"), res.location
    # a page past the end (its last row removed) shows the last page, not an empty table
    page = client.get(f"/awards/lists/{lst.id}?page=9").get_data(as_text=True)
    assert "Không có mục nào" not in page and "<code>PA2</code>" in page


def test_a_provisional_lists_page_says_why_it_cannot_be_submitted_before_the_button(
    app, client, tree, create_year, create_person_inputs
):
    """«Gửi duyệt» is disabled, and the page names the rating list to approve first (it was
    told only after pressing, in one long message)."""
    from tests.awards.test_award_lists import propose, the_list

    with app.test_request_context():
        row = create_year(YEAR)
        for code in ("PA", "PA2"):
            create_person_inputs(row, tree["people"][code])  # rated, its list not approved
    api = client.application.test_client()
    propose(api, tree["headers"]["staff_a"])
    lst = the_list(api, tree["headers"]["staff_a"])
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/lists/{lst['id']}").get_data(as_text=True)
    box = page[page.index('id="submit-blockers"') :]
    box = box[: box.index("</div>")]
    assert "Đơn vị A</a> <code>A</code> — Đang nhập — 2 người" in box, box
    assert f'href="/evaluation/{YEAR}/units/A"' in box, box  # the rating list to approve
    button = re.search(r'id="action-submit".*?(<button[^>]*>)', page, re.S).group(1)
    assert "disabled" in button, button


def _proposed(client, tree) -> tuple[AwardList, str]:
    """A's list proposed through the pages by its staff, logged in: (the list, its page)."""
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/{YEAR}/lists").get_data(as_text=True)
    client.post(f"/awards/{YEAR}/lists/propose", data={"unit": "A", "csrf_token": csrf(page)})
    lst = db.session.query(AwardList).one()
    return lst, client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)


def _proposed_and_submitted(client, tree) -> AwardList:
    """A's list proposed and submitted through the pages by its staff."""
    lst, page = _proposed(client, tree)
    data = {"action": "submit", "csrf_token": csrf(page), "version": version(page)}
    assert client.post(f"/awards/lists/{lst.id}/action", data=data).status_code == 302
    return lst


def test_a_returned_lists_rows_can_be_removed_and_restored_on_its_page(
    client,
    tree,
    year,  # noqa: F811
):
    """A list the committee returned is edited again by its staff (C11): each proposed row
    offers «Bỏ» with its reason, a removed one «Khôi phục», as on a draft (the page showed
    every row as «Bị trả lại» with no button, so the return could not be acted on)."""
    lst = _proposed_and_submitted(client, tree)
    login(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    data = {"action": "return", "reason": "Xem lại", "csrf_token": csrf(page)}
    res = client.post(f"/awards/lists/{lst.id}/action", data={**data, "version": version(page)})
    assert res.status_code == 302
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    nom = db.session.query(Nomination).filter_by(award="LDTT").first()
    assert f'action="/awards/nominations/{nom.id}/remove"' in page, "no «Bỏ» on a returned list"
    res = client.post(
        f"/awards/nominations/{nom.id}/remove",
        data={"reason": "Chuyển công tác", "csrf_token": csrf(page), "version": version(page)},
    )
    assert res.status_code == 302
    page = client.get(f"/awards/lists/{lst.id}?group=removed").get_data(as_text=True)
    assert f'action="/awards/nominations/{nom.id}/restore"' in page


def test_a_list_with_failed_votes_says_so_before_it_is_approved(
    client,
    tree,
    year,  # noqa: F811
):
    """C10: approving went through with no word of the nominations the council did not pass
    (they are left out of the decision). The committee's page says how many, and the
    approval asks with that number."""
    lst = _proposed_and_submitted(client, tree)
    api = client.application.test_client()
    noms = db.session.query(Nomination).filter_by(list_id=lst.id, status="proposed").all()
    council_voted(api, tree["headers"]["committee_a"], {"id": lst.id}, refused=(noms[0].id,))
    login(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "1 đề nghị không đạt biểu quyết" in page
    approve = page.split('id="action-approve"', 1)[1].split(">", 1)[0]
    assert "1 đề nghị không đạt biểu quyết" in approve  # in the question asked


def test_a_manual_nomination_typed_in_lower_case_is_told_by_its_stored_code(
    client,
    tree,
    year,  # noqa: F811
):
    lst, page = _proposed(client, tree)
    body = {"subject": "person", "code": "pa2", "award": "GK", "reason": "Cứu người",
            "csrf_token": csrf(page), "version": version(page)}  # fmt: skip
    res = client.post(f"/awards/lists/{lst.id}/nominations", data=body, follow_redirects=True)
    assert "cho Trần Thị Bình (PA2)." in res.get_data(as_text=True)


def test_a_lists_search_comes_back_at_its_results_with_their_count(
    client,
    tree,
    year,  # noqa: F811
):
    """A search went back to the page's top, the tabs still counting the whole list."""
    lst, page = _proposed(client, tree)
    assert f'action="/awards/lists/{lst.id}#list-search"' in page
    page = client.get(f"/awards/lists/{lst.id}?q=lao+dong").get_data(as_text=True)
    found = re.search(r"(\d+) mục khớp «lao dong»", page)
    table = page.split('id="nominations"', 1)[1].split("</table>", 1)[0]
    assert found and int(found.group(1)) == table.count("Lao động tiên tiến (LDTT)") > 0
