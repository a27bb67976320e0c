"""Pages of the council: members of a unit and year, a list's voting sessions, "Phiếu bầu của
tôi" (the ballot only within the window, a confirmation after voting), totals after closing."""

from __future__ import annotations

import re

from awards import council
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import T0, YEAR, opened, step

clock, council_setup = cf.clock, cf.council_setup  # the fixtures


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_members_page_add_member(client, council_setup, login_session, create_user):
    s = council_setup
    create_user(username="hd.moi")
    login_session(client, s["users"]["committee_a"])
    page = client.get(f"/awards/council/A/{YEAR}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "hd.thuky" in html and "Thư ký" in html
    res = client.post(
        f"/awards/council/A/{YEAR}",
        data={"csrf_token": _csrf(html), "username": "hd.moi", "role": "member"},
        follow_redirects=True,
    )
    assert "Đã thêm hd.moi" in res.get_data(as_text=True)
    # without the CSRF token nothing changes
    res = client.post(
        f"/awards/council/A/{YEAR}", data={"username": "staff_a"}, follow_redirects=True
    )
    assert res.status_code == 400
    assert len(council.council_members(YEAR, s["units"]["A"].id)) == 6  # five + hd.moi


def test_members_page_scope(client, council_setup, login_session):
    s = council_setup
    login_session(client, s["users"]["committee_b"])
    assert client.get(f"/awards/council/A/{YEAR}").status_code == 404


def test_member_votes_through_the_page(client, council_setup, clock, login_session):
    s = council_setup
    sid = opened(client, s)
    login_session(client, s["members"]["hd.chutich"])
    mine = client.get("/awards/ballots").get_data(as_text=True)
    assert f"/awards/voting-sessions/{sid}/ballot" in mine
    # 3 on the ballot, the chair votes on 2: not on their own nomination
    assert "2 đề nghị" in mine and "không bỏ phiếu cho đề nghị của chính mình" in mine, mine
    page = client.get(f"/awards/voting-sessions/{sid}/ballot")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trần Thị Bình" in html and "Có thành tích xuất sắc" in html  # nominee, reason
    # a nomination outside the rules is marked so on the ballot (the list marks it C9)
    assert "Đề nghị ngoài quy định" in html
    assert "Lao động tiên tiến" in html or "LDTT" in html
    assert f'name="n{s["noms"]["PA"].id}"' not in html  # the chair's own nomination
    data = {"csrf_token": _csrf(html)}
    data |= {f"n{s['noms'][k].id}": "yes" for k in ("PA2", "A1")}
    res = client.post(f"/awards/voting-sessions/{sid}/ballot", data=data, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "Đã ghi nhận phiếu bầu" in html and "Bạn đã bỏ phiếu" in html
    assert 'id="ballot-form"' not in html
    assert _held(client, sid) == 2
    # a second post is refused, nothing added
    res = client.post(f"/awards/voting-sessions/{sid}/ballot", data=data)
    assert res.status_code == 400
    assert _held(client, sid) == 2


def _held(client, sid) -> int:
    """The choices a session holds sealed (it is open)."""
    with client.application.app_context():
        return sum(len(b) for _, b in council._sealed(sid))


def test_ballot_page_only_in_window(client, council_setup, clock, login_session):
    s = council_setup
    sid = opened(client, s)
    clock.at = T0 + cf.dt.timedelta(hours=3)
    login_session(client, s["members"]["hd.thuky"])
    html = client.get(f"/awards/voting-sessions/{sid}/ballot").get_data(as_text=True)
    assert 'id="ballot-form"' not in html and "không trong thời gian" in html
    assert f"/voting-sessions/{sid}/ballot" not in client.get("/awards/ballots").get_data(
        as_text=True
    )


def test_session_pages_totals_after_closing(client, council_setup, clock, login_session):
    s = council_setup
    login_session(client, s["users"]["committee_a"])
    lst = client.get(f"/awards/lists/{s['list'].id}/voting")
    html = lst.get_data(as_text=True)
    assert lst.status_code == 200 and "Tạo phiên" in html
    assert 'id="who-opens"' not in html
    res = client.post(
        f"/awards/lists/{s['list'].id}/voting",
        data={
            "csrf_token": _csrf(html),
            "mode": "secret",
            "opens_at": "01/12/2025 08:00",  # the interface's dd/mm/yyyy hh:mm
            "closes_at": "2025-12-01T10:00",
        },
        follow_redirects=True,
    )
    assert "Đã tạo phiên" in res.get_data(as_text=True)
    sid = int(re.search(r"/awards/voting-sessions/(\d+)", res.get_data(as_text=True)).group(1))
    # one session at a time: its form gives way to a line leading to the session not published
    again = client.get(f"/awards/lists/{s['list'].id}/voting").get_data(as_text=True)
    assert 'id="new-session"' not in again and "chưa công bố kết quả" in again
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    res = client.post(
        f"/awards/voting-sessions/{sid}/open",
        data={"csrf_token": _csrf(page)},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Đang bỏ phiếu" in html and "Đồng ý</th>" not in html
    # the threshold of each nomination, over all five members, is told before anyone votes
    assert "tính trên toàn bộ 5 thành viên hội đồng" in html
    assert '<td data-label="Cần đạt">ít nhất 3 phiếu đồng ý</td>' in html  # CSTDCS: > 50 %
    assert "chưa bỏ phiếu" in html  # the close's question says the absent count against
    twice = client.post(
        f"/awards/voting-sessions/{sid}/open",
        data={"csrf_token": _csrf(html)},
        follow_redirects=True,
    )  # a second window: said as done already, not as a move from a state to the same one
    assert "đã ở trạng thái «Đang bỏ phiếu»: không cần làm lại" in twice.get_data(as_text=True)
    res = client.post(
        f"/awards/voting-sessions/{sid}/close",
        data={"csrf_token": _csrf(html)},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Đã đóng" in html and "Đồng ý</th>" in html
    res = client.post(
        f"/awards/voting-sessions/{sid}/publish",
        data={"csrf_token": _csrf(html)},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Đã công bố" in html and "Không đạt" in html  # nobody voted: 0 of 5


def test_paper_totals_page(app, client, council_setup, clock, login_session, monkeypatch):
    s = council_setup
    sid = opened(client, s, mode="paper")
    step(client, s, sid, "close")
    monkeypatch.setattr(council, "BALLOT_PAGE", 1)  # the form is whole all the same
    login_session(client, s["members"]["hd.thuky"])
    html = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert 'id="paper-totals"' in html and "Trang 1/" not in html
    assert all(f'name="yes_{s["noms"][k].id}"' in html for k in ("PA", "PA2", "A1"))
    data = {"csrf_token": _csrf(html)}
    for k in ("PA", "PA2", "A1"):
        data |= {f"yes_{s['noms'][k].id}": "4", f"no_{s['noms'][k].id}": "1"}
    res = client.post(
        f"/awards/voting-sessions/{sid}/paper-totals", data=data, follow_redirects=True
    )
    assert "Đã lưu kết quả kiểm phiếu" in res.get_data(as_text=True)
    body = step(app.test_client(), s, sid, "publish").get_json()  # no session cookie
    assert [i["passed"] for i in body["items"]] == [True, True, True]  # 4 of 5


def test_menu_shows_my_ballots_to_members(client, council_setup, login_session):
    s = council_setup
    login_session(client, s["members"]["hd.uyvien1"])
    html = client.get("/awards/ballots").get_data(as_text=True)
    assert "Phiếu bầu của tôi" in html


def test_session_form_refuses_a_moment_not_written_dd_mm_yyyy(
    client, council_setup, clock, login_session
):
    s = council_setup
    login_session(client, s["users"]["committee_a"])
    html = client.get(f"/awards/lists/{s['list'].id}/voting").get_data(as_text=True)

    def create(opens_at, closes_at):
        data = {"csrf_token": _csrf(html), "mode": "secret", "opens_at": opens_at,
                "closes_at": closes_at}  # fmt: skip
        url = f"/awards/lists/{s['list'].id}/voting"
        return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)

    page = create("12/2025 8h", "01/12/2025 10:00")
    assert "dd/mm/yyyy hh:mm" in page and "Đã tạo phiên" not in page
    # written as asked, on a day the month does not have: that is what is told
    assert "tháng 2/2026 chỉ có 28 ngày" in create("31/02/2026 08:00", "01/03/2026 10:00")


def _ballot_rows(html: str) -> list[str]:
    body = html.split('id="ballot-items"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td data-label="Đề nghị">[^<]*<code>([^<]+)</code>', body)


def test_session_page_pages_its_ballot(client, council_setup, clock, login_session, monkeypatch):
    """A long ballot is shown a page at a time (a list of 593 nominations was one page of
    80,000 px on a phone); every nomination is on exactly one page, in ballot order."""
    s = council_setup
    sid = opened(client, s)
    monkeypatch.setattr(council, "BALLOT_PAGE", 2)
    login_session(client, s["users"]["committee_a"])
    first = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    second = client.get(f"/awards/voting-sessions/{sid}?page=2").get_data(as_text=True)
    assert "Trang 1/2 (3 đề nghị" in first and "Trang 2/2 (3 đề nghị" in second
    assert f"/awards/voting-sessions/{sid}?page=2" in first
    shown = _ballot_rows(first) + _ballot_rows(second)
    assert len(_ballot_rows(first)) == 2 and len(shown) == 3 and len(set(shown)) == 3
    # past the last page: the last page, not an empty table
    assert _ballot_rows(
        client.get(f"/awards/voting-sessions/{sid}?page=9").get_data(as_text=True)
    ) == _ballot_rows(second)
    # the API still answers the whole ballot
    api = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert len(api.get_json()["items"]) == 3


def test_ballot_reads_take_a_fixed_number_of_statements(
    app, client, council_setup, clock, login_session
):
    """Issue 12: a member's ballot (the page and GET /api/v1/voting-sessions/<id>/ballot) is
    read in a fixed number of statements whatever its size (a 200-nomination ballot took up
    to 1.4 s under load: two statements a nomination)."""
    from sqlalchemy import event

    from awards.rules import DEFAULT_AWARDS

    s = council_setup
    people = [p for k, p in s["people"].items() if k not in ("PA",)]
    codes = [c for c, t in DEFAULT_AWARDS.items() if c not in ("LDTT", "CSTDCS")][:4]
    for person in people:
        for code in codes:
            cf.nominate(s["list"], code, person=person)
    sid = opened(client, s)
    login_session(client, s["members"]["hd.thuky"])
    with app.app_context():
        engine = db.engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    def statements(get) -> int:
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert get().status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    page = statements(lambda: client.get(f"/awards/voting-sessions/{sid}/ballot"))
    api = statements(
        lambda: client.get(
            f"/api/v1/voting-sessions/{sid}/ballot", headers=s["headers"]["hd.thuky"]
        )
    )
    total = 3 + len(people) * len(codes)
    assert total >= 10
    assert page <= 15 and api <= 15, (page, api, seen)  # 42 and 43 before, at 15 nominations


def test_session_page_filters_by_nominee_and_outcome(
    client, council_setup, clock, login_session, monkeypatch
):
    """A published ballot of hundreds of nominations: the committee finds a nominee by name or
    code, and lists the nominations that passed or failed; the pager keeps the filter."""
    s = council_setup
    sid = opened(client, s)
    noms = s["noms"]
    for who in ("hd.thuky", "hd.uyvien1", "hd.uyvien2"):  # 3 of 5: PA2 passes, the rest fail
        res = cf.vote(
            client, s, sid, who, {noms["PA"]: False, noms["PA2"]: True, noms["A1"]: False}
        )
        assert res.status_code == 201, res.get_json()
    clock.at = T0 + cf.dt.timedelta(hours=3)
    assert step(client, s, sid, "close").status_code == 200
    assert step(client, s, sid, "publish").status_code == 200
    login_session(client, s["users"]["committee_a"])

    def shown(query: str) -> set[str]:
        html = client.get(f"/awards/voting-sessions/{sid}?{query}").get_data(as_text=True)
        return set(_ballot_rows(html))

    pa2, pa, a1 = s["people"]["PA2"].code, s["people"]["PA"].code, s["units"]["A1"].code
    assert shown("") == {pa2, pa, a1}
    assert shown("outcome=passed") == {pa2}
    assert shown("outcome=failed") == {pa, a1}
    assert shown(f"q={pa2.lower()}") == {pa2}
    name = s["people"]["PA2"].full_name.split()[-1]
    assert pa2 in shown(f"q={name.upper()}")
    assert shown("q=tran thi binh") == {pa2}  # typed without accents: Trần Thị Bình
    assert shown("q=cuong") == set()  # Lê Văn Cường is not on this ballot
    assert shown("q=khongcoainhuvay") == set()
    assert "Không có đề nghị nào khớp bộ lọc" in client.get(
        f"/awards/voting-sessions/{sid}?q=khongcoainhuvay"
    ).get_data(as_text=True)
    monkeypatch.setattr(council, "BALLOT_PAGE", 1)  # the pager keeps the filter
    html = client.get(f"/awards/voting-sessions/{sid}?outcome=failed").get_data(as_text=True)
    assert "Trang 1/2 (2 đề nghị" in html
    assert f"/awards/voting-sessions/{sid}?page=2&amp;outcome=failed" in html


def test_a_refused_ballot_comes_back_with_its_choices_and_names_what_is_missing(
    client, council_setup, clock, login_session
):
    """One choice left out: the ballot comes back with every choice the member made still
    chosen, the missing nomination named and marked; nothing is cast (every choice was lost)."""
    s = council_setup
    sid = opened(client, s)
    login_session(client, s["members"]["hd.chutich"])
    html = client.get(f"/awards/voting-sessions/{sid}/ballot").get_data(as_text=True)
    pa2 = s["noms"]["PA2"].id
    res = client.post(
        f"/awards/voting-sessions/{sid}/ballot",
        data={"csrf_token": _csrf(html), f"n{pa2}": "no"},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 400
    assert re.search(rf'name="n{pa2}" value="no"[^>]*checked', html), "the choice was lost"
    assert not re.search(rf'name="n{pa2}" value="yes"[^>]*checked', html)
    assert "Chưa chọn: " in html and "ballot-missing" in html
    assert _held(client, sid) == 0


def test_a_refused_session_keeps_its_times_and_none_is_made_without_council_members(
    client, council_setup, clock, login_session
):
    from awards.council_models import CouncilMember, VotingSession

    s = council_setup
    login_session(client, s["users"]["committee_a"])
    url = f"/awards/lists/{s['list'].id}/voting"
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": _csrf(html), "mode": "secret", "opens_at": "20/12/2025 11:00",
            "closes_at": "20/12/2025 08:00"}  # fmt: skip
    res = client.post(url, data=data)
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "Thời điểm đóng phải sau thời điểm mở" in html
    assert 'value="20/12/2025 11:00"' in html and 'value="20/12/2025 08:00"' in html
    # a council without members: no session that could never be opened (it held approval)
    db.session.query(CouncilMember).delete()
    db.session.commit()
    res = client.post(url, data={**data, "closes_at": "20/12/2025 12:00"})
    assert res.status_code == 400 and "chưa có thành viên" in res.get_data(as_text=True)
    assert db.session.query(VotingSession).count() == 0


def test_a_refused_council_member_keeps_the_username_typed(client, council_setup, login_session):
    s = council_setup
    login_session(client, s["users"]["committee_a"])
    html = client.get(f"/awards/council/A/{YEAR}").get_data(as_text=True)
    res = client.post(
        f"/awards/council/A/{YEAR}",
        data={"csrf_token": _csrf(html), "username": "khong.co.ai", "role": "member"},
    )
    assert res.status_code == 400
    assert 'value="khong.co.ai"' in res.get_data(as_text=True)


def test_a_council_members_sessions_page_says_who_opens_a_session(
    client, council_setup, login_session
):
    s = council_setup
    login_session(client, s["users"]["hd.thuky"])
    html = client.get(f"/awards/lists/{s['list'].id}/voting").get_data(as_text=True)
    assert "Tạo phiên bỏ phiếu" not in html
    assert 'id="who-opens"' in html and "ban thi đua, khen thưởng" in html


def test_a_refused_paper_count_keeps_every_typed_total_and_names_the_nominee(
    client, council_setup, clock, login_session
):
    """One row over the number of members refused the whole count and cleared the 360 boxes
    typed, told as «items: Đề nghị 878: …». Now the page comes back with every total as typed,
    the faulty row named by the nominee and marked, nothing saved."""
    s = council_setup
    sid = opened(client, s, mode="paper")
    step(client, s, sid, "close")
    login_session(client, s["members"]["hd.thuky"])
    html = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    pa, pa2, a1 = (s["noms"][k] for k in ("PA", "PA2", "A1"))
    data = {"csrf_token": _csrf(html), f"yes_{pa.id}": "4", f"no_{pa.id}": "3"}  # 7 > 5
    data |= {f"yes_{pa2.id}": "3", f"no_{pa2.id}": "2", f"yes_{a1.id}": "2", f"no_{a1.id}": "x"}
    res = client.post(f"/awards/voting-sessions/{sid}/paper-totals", data=data)
    page = res.get_data(as_text=True)
    assert res.status_code == 400
    assert f'name="yes_{pa2.id}" value="3"' in page and f'name="no_{pa2.id}" value="2"' in page
    assert f'name="yes_{pa.id}" value="4"' in page and f'name="no_{a1.id}" value="x"' in page
    name = pa.person.full_name
    assert f"{name} ({pa.person.code})" in page and "vượt số thành viên" in page
    assert "items:" not in page and f"Đề nghị {pa.id}" not in page
    assert re.search(
        rf'<tr[^>]*class="[^"]*refused[^"]*"[^>]*>\s*<td data-label="Đề nghị">{name}', page
    )
    db.session.expire_all()
    assert all(i.yes is None for i in db.session.get(council.VotingSession, sid).items)
