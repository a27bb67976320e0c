"""The TT 02/2023 forms on HR's exports page (issue 13 item 6): each form offered per unit with
its period inputs; the page's button gives the file of the period asked; a bad period is
refused with its Vietnamese message, no file."""

from __future__ import annotations

from tests.awards import forms_fixtures
from tests.awards import test_award_lists as base
from tests.awards.forms_fixtures import YEAR, read_form, values
from tests.awards.test_award_list_pages import login

year = base.year
decided = forms_fixtures.decided


def test_hr_exports_a_form_of_a_period_from_the_exports_page(client, tree, decided):
    login(client, tree["users"]["hr_r"])
    page = client.get(f"/evaluation/{YEAR}/exports?unit=R")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for code in ("0601", "0602", "0603", "0604", "0605"):
        assert f'data-export-period="tt02_{code}" data-unit="R"' in html
    assert "Biểu 0601: Khen thưởng theo đơn vị trình (TT 02/2023/TT-BNV)" in html
    assert 'name="from"' in html and 'value="01/01/2025"' in html and 'value="31/12/2025"' in html
    query = {"unit": "R", "from": "01/01/2026", "to": "31/12/2026"}
    res = client.get(f"/evaluation/{YEAR}/exports/tt02_0601.xlsx", query_string=query)
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    form = read_form(res.data, "0601")
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in form["texts"]
    assert values(form) == {"01": [2, 1, 1, 2, 0], "02": [2, 1, 1, 2, 0]}  # list B only
    # named by the period asked (2026), not the page's year (2025)
    assert "bieu_0601_2026_R.xlsx" in res.headers["Content-Disposition"]
    half = {"unit": "R", "from": "01/01/2026", "to": "30/06/2026"}
    res = client.get(f"/evaluation/{YEAR}/exports/tt02_0601.xlsx", query_string=half)
    assert "bieu_0601_20260101-20260630_R.xlsx" in res.headers["Content-Disposition"]


def test_a_bad_period_on_the_page_is_refused(client, tree, decided):
    login(client, tree["users"]["hr_r"])
    query = {"unit": "R", "from": "31/12/2025", "to": "01/01/2025"}
    res = client.get(f"/evaluation/{YEAR}/exports/tt02_0601.xlsx", query_string=query)
    assert not res.mimetype.endswith("spreadsheetml.sheet")
    # back on the exports page, told in words (not «to: …» on a bare error page), with the
    # days as typed in that form
    assert res.status_code == 302 and "/exports" in res.location, res.location
    assert res.location.endswith("#export-tt02_0601-R"), res.location  # the form it came from
    html = client.get(res.location).get_data(as_text=True)
    assert "Biểu 0601: Khen thưởng theo đơn vị trình (TT 02/2023/TT-BNV): Đến ngày phải từ" in html
    assert "to:" not in html and 'id="export-tt02_0601-R"' in html
    form = html[html.index('data-export-period="tt02_0601"') :]
    form = form[: form.index("</form>")]
    assert 'value="31/12/2025"' in form and 'value="01/01/2025"' in form, form
    assert "Đến ngày phải từ «Từ ngày» trở đi." in form, form  # told at the form too
    query = {"unit": "R", "from": "31/02/2025"}
    res = client.get(f"/evaluation/{YEAR}/exports/tt02_0602.xlsx", query_string=query)
    html = client.get(res.location).get_data(as_text=True)
    assert "Từ ngày không hợp lệ (dd/mm/yyyy)." in html
    form = html[html.index('data-export-period="tt02_0602"') :]
    assert 'value="31/02/2025"' in form[: form.index("</form>")]


def test_a_forms_period_names_the_latest_year_with_a_decision():
    """The exports page of 2025 while the only decision is of 2024 offered 01/01–31/12/2025
    (every figure 0) and said nothing; it names 2024 beside the period."""
    from awards.tt02_exports import default_period_year

    assert default_period_year(2025, [2024]) == 2024
    assert default_period_year(2025, [2025, 2024]) == 2025
    assert default_period_year(2025, []) == 2025
    assert default_period_year(2023, [2024]) == 2023  # nothing before it: its own year
    assert default_period_year(2026, [2024, 2022]) == 2024
