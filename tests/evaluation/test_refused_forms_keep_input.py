"""A refused form on an evaluation page shows again what was typed, at the form, and a
violation recorded twice by a double click is refused (it would be deducted twice)."""

from __future__ import annotations

import pytest

from tests.evaluation.test_pages import YEAR, _csrf, _enter, ward  # noqa: F401 - the fixture

VIOLATION = {
    "code": "1.03",
    "found_on": f"03/04/{YEAR}",
    "how_found": "complaint",
    "evidence": "Đơn phản ánh của người dân ngày 02/04",
}
URL = f"/evaluation/{YEAR}/people/PW02/violations"


def _form(html):
    return html[
        html.index('id="add-violation"') : html.index("</form>", html.index('id="add-violation"'))
    ]


def test_a_refused_violation_keeps_what_was_typed(client, ward, login_session):  # noqa: F811
    login_session(client, ward["staff"])
    page = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    for bad_day in ("31/02/2025", f"05/03/{YEAR + 2}"):
        res = client.post(URL, data={**VIOLATION, "found_on": bad_day, "csrf_token": _csrf(page)})
        assert res.status_code == 400
        form = _form(res.get_data(as_text=True))
        assert f'value="{bad_day}"' in form  # the day as typed
        assert 'value="Đơn phản ánh của người dân ngày 02/04"' in form
        assert 'value="1.03" required checked' in form
        assert 'value="complaint" selected' in form
        assert "Ngày phát hiện" in form and 'class="field-error"' in form  # told at the form


def test_the_same_violation_twice_is_refused(client, ward, login_session):  # noqa: F811
    login_session(client, ward["staff"])
    _enter(client, "PW02", 90)
    page = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    first = client.post(URL, data={**VIOLATION, "csrf_token": _csrf(page)})
    assert first.status_code == 302
    again = client.post(URL, data={**VIOLATION, "csrf_token": _csrf(page)})
    html = again.get_data(as_text=True)
    assert again.status_code == 400 and "đã được ghi nhận" in html, html
    person = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    table = person[
        person.index('id="violations"') : person.index("</table>", person.index('id="violations"'))
    ]
    assert table.count("<code>1.03</code>") == 1
    # another finding of the same kind (another day or other evidence) is recorded
    other = client.post(
        URL, data={**VIOLATION, "found_on": f"04/05/{YEAR}", "csrf_token": _csrf(page)}
    )
    assert other.status_code == 302


def _submitted(client, ward, login_session):  # noqa: F811
    login_session(client, ward["staff"])
    for i, score in enumerate((80, 80, 80, 80)):
        _enter(client, f"PW{i:02d}", score)
    page = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/units/PW-O/review/submit", data={"csrf_token": _csrf(page)}
    )
    assert res.status_code == 302
    login_session(client, ward["committee"])
    return client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)


@pytest.fixture
def committee_page(client, ward, login_session):  # noqa: F811
    """The ward's list submitted; the committee on its page."""
    return _submitted(client, ward, login_session)


def _final(client, page, code, level, reason):
    return client.post(
        f"/evaluation/{YEAR}/ratings/official/{code}/final",
        data={"csrf_token": _csrf(page), "level": level, "reason": reason},
    )


def test_a_refused_final_level_keeps_its_level_and_reason_at_its_row(client, committee_page):
    page = committee_page
    res = _final(client, page, "PW02", "XS", "Thành tích nổi bật quý IV")
    html = res.get_data(as_text=True)
    assert res.status_code == 400, html
    row = html[html.index('id="final-official-PW02"') :]
    row = row[: row.index("</form>")]
    assert '<option value="XS" selected>' in row
    assert 'value="Thành tích nổi bật quý IV"' in row and "A3" in row  # the cap, at the row
    assert 'href="#final-official-PW02"' in html  # and named at the top, with a link
    other = html[html.index('id="final-official-PW01"') :]
    assert 'value="Thành tích nổi bật quý IV"' not in other[: other.index("</form>")]


def test_a_return_refused_after_the_list_moved_on_keeps_its_reason(client, committee_page):
    page = committee_page
    reason = "Đề nghị bổ sung minh chứng cho các tháng 10, 11 và 12"
    res = client.post(  # another member approved it meanwhile
        f"/evaluation/{YEAR}/units/PW-O/review/approve", data={"csrf_token": _csrf(page)}
    )
    assert res.status_code == 302
    res = client.post(
        f"/evaluation/{YEAR}/units/PW-O/review/return",
        data={"csrf_token": _csrf(page), "reason": reason},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "Đã phê duyệt" in html
    assert reason in html  # shown as typed, to copy


def test_a_final_level_other_than_computed_is_named_so_before_approval(client, committee_page):
    page = committee_page
    res = _final(client, page, "PW02", "HT", "Chậm tiến độ quý IV")
    assert res.status_code == 302
    html = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    assert "Mức sau điều chỉnh (chưa phê duyệt):" in html
    assert "Mức tính toán: Hoàn thành tốt nhiệm vụ (T)" in html
    assert "lý do điều chỉnh: Chậm tiến độ quý IV" in html and "; ;" not in html
