"""Issue 14 item 5, the dashboard's charts: each built from the dashboard's figures with its
table beside it (evaluation/charts.py, pure), the violations counted by group and by month in the
subtree (stats.violation_counts), the collective ratings per level, and the page carrying a chart
spec whose data are the table's figures."""

from __future__ import annotations

import json
import re
from html import unescape

from evaluation.charts import dashboard_charts, share
from tests.evaluation.test_entry_complete import YEAR, _csrf, _full, _save, world  # noqa: F401


def _row(code, selected, people, evaluated, official, party=None, state="open"):
    levels = dict.fromkeys(("XS", "T", "HT", "KHT", "NR"), 0)
    return {
        "unit_code": code,
        "name": f"Đơn vị {code}",
        "is_selected": selected,
        "people": people,
        "evaluated": evaluated,
        "state_label": {"open": "Đang nhập", "approved": "Đã phê duyệt"}[state],
        "levels": {**levels, **official},
        "party_levels": {**levels, **(party or {})},
    }


def _by_id(charts):
    return {c["id"]: c for c in charts}


NO_VIOLATIONS = {
    "by_group": {1: 0, 2: 0, 3: 0},
    "by_month": dict.fromkeys(range(1, 13), 0),
    "undated": 0,
}


def test_charts_show_the_children_and_the_chosen_units_total():
    rows = [
        _row("W", True, 9, 6, {"XS": 1, "T": 4, "HT": 1}),
        _row("W-A", False, 5, 5, {"XS": 1, "T": 3, "HT": 1}),
        _row("W-B", False, 4, 1, {"T": 1}, state="approved"),
    ]
    charts = _by_id(dashboard_charts(rows, {"T": 2, "XS": 1}, NO_VIOLATIONS))
    progress = charts["progress"]
    assert progress["spec"]["labels"] == ["Đơn vị W-A", "Đơn vị W-B"]  # the children
    assert [d["data"] for d in progress["spec"]["datasets"]] == [[5, 1], [0, 3]]
    assert progress["table"]["rows"][1] == ["Đơn vị W-B", 4, 1, "Đã phê duyệt"]
    total = charts["total-official"]
    assert total["spec"]["keys"] == ["XS", "T", "HT"]  # levels with nobody are left out
    assert total["spec"]["datasets"][0]["data"] == [1, 4, 1]  # the chosen unit's row
    assert total["table"]["rows"][1][1:] == [4, "66,7%"] and total["table"]["foot"][1] == 6
    units = charts["units-official"]
    assert [d["key"] for d in units["spec"]["datasets"]] == ["XS", "T", "HT"]
    assert units["spec"]["datasets"][1]["data"] == [3, 1]
    assert charts["total-unit"]["spec"]["datasets"][0]["data"] == [1, 2]
    assert charts["total-party"]["empty"] and charts["violations-month"]["empty"]
    assert charts["units-party"]["empty"]


def test_a_unit_without_children_charts_itself_and_shares_are_written_with_a_comma():
    rows = [_row("W-A", True, 3, 3, {"T": 3})]
    charts = _by_id(dashboard_charts(rows, {}, NO_VIOLATIONS))
    assert charts["progress"]["spec"]["labels"] == ["Đơn vị W-A"]
    assert share(1, 3) == "33,3%" and share(0, 0) == "—"


def _violation(client, h, code, vcode, found_on):
    body = {
        "person_code": code,
        "code": vcode,
        "found_on": found_on,
        "how_found": "inspection",
        "evidence": "Biên bản kiểm tra",
    }
    res = client.post(f"/api/v1/years/{YEAR}/violations", json=body, headers=h)
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def test_violations_are_counted_by_group_and_month_in_the_subtree(
    app,
    client,
    world,  # noqa: F811
    create_unit,
    create_person,
):
    from evaluation import queries as q
    from evaluation.stats import violation_counts
    from service.org.models import Unit

    h = world["h"]["staff"]
    _violation(client, h, "EW00", "1.03", f"03/04/{YEAR}")
    _violation(client, h, "EW01", "2.01", f"15/04/{YEAR}")
    removed = _violation(client, h, "EW02", "3.01", f"20/09/{YEAR}")
    res = client.post(
        f"/api/v1/years/{YEAR}/violations/{removed}/remove",
        json={"reason": "Ghi nhầm người"},
        headers=h,
    )
    assert res.status_code == 200, res.get_json()
    other = create_unit("XW")
    create_person(other, code="XW00")
    _violation(client, world["h"]["admin"], "XW00", "1.04", f"01/04/{YEAR}")
    with app.test_request_context():
        year_row = q.get_year(YEAR)
        ward = Unit.query.filter_by(code="EW").one()
        counts = violation_counts(year_row, ward)
        assert counts["by_group"] == {1: 1, 2: 1, 3: 0}
        assert counts["by_month"][4] == 2 and sum(counts["by_month"].values()) == 2
        assert sum(violation_counts(year_row, None)["by_group"].values()) == 3  # every unit


def test_the_dashboard_page_carries_each_chart_with_its_table(client, world, login_session):  # noqa: F811
    staff = world["h"]["staff"]
    assert _save(client, staff, "EW00", _full(95)).status_code == 200
    login_session(client, world["committee"])
    html = client.get(f"/evaluation/{YEAR}?unit=EW").get_data(as_text=True)
    specs = {
        fid: json.loads(unescape(spec))
        for fid, spec in re.findall(
            r'<figure class="chart" id="chart-([^"]+)">.*?data-chart=\'([^\']+)\'', html, re.S
        )
    }
    assert "progress" in specs and "total-official" in specs
    assert specs["progress"]["labels"] == ["EW-O"] or specs["progress"]["datasets"][0]["data"] == [
        1
    ]
    assert specs["progress"]["datasets"][1]["data"] == [2]  # 3 people, 1 entered
    assert html.count('<figure class="chart"') == 8 and html.count("chart-table") == 8
    assert "vendor/chartjs/chart.umd.min.js" in html and "charts.js" in html
    assert "<script>" not in html  # no inline script
