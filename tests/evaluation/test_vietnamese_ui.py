"""Issue 11 item 6, Vietnamese conventions in the evaluation pages and API: decimal commas,
catalog titles shown whole, field labels in messages, a violation's date, finding and evidence."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from service.common.filters import vn_decimal
from tests.evaluation.test_pages import YEAR, _csrf, ward  # noqa: F401 - the ward fixture


@pytest.mark.parametrize(
    "value,places,shown",
    [
        (Decimal("92.50"), None, "92,50"),
        (Decimal("92.5"), 2, "92,50"),
        ("92.5", None, "92,5"),
        (5, None, "5"),
        (None, None, ""),
        ("", None, ""),
        ("không phải số", None, "không phải số"),
        (Decimal("1234.5"), None, "1234,5"),
    ],
)
def test_vn_decimal(value, places, shown):
    assert vn_decimal(value, places) == shown


def test_api_takes_a_decimal_comma_and_answers_as_before(client, ward, bearer):  # noqa: F811
    h = bearer(ward["staff"])
    body = {"ct": "4,5", "dd": "4.5", "tp": 5, "kl": 5, **{f"m{m}": "92,5" for m in range(1, 13)}}
    res = client.put(f"/api/v1/years/{YEAR}/people/PW00/evaluation", json=body, headers=h)
    assert res.status_code == 200, res.get_json()
    out = res.get_json()
    assert out["ct"] == "4.50" and out["dd"] == "4.50" and out["m1"] == "92.50"  # JSON: unchanged
    bad = client.put(f"/api/v1/years/{YEAR}/people/PW00/evaluation", json={"ct": "4,,5"}, headers=h)
    assert bad.status_code == 400


def test_pages_show_decimals_with_a_comma(client, ward, bearer, login_session):  # noqa: F811
    h = bearer(ward["staff"])
    body = {"ct": "4,5", "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": "92,5" for m in range(1, 13)}}
    assert (
        client.put(f"/api/v1/years/{YEAR}/people/PW00/evaluation", json=body, headers=h).status_code
        == 200
    )
    login_session(client, ward["staff"])
    person = client.get(f"/evaluation/{YEAR}/people/PW00").get_data(as_text=True)
    assert "T1: 92,50" in person and "4,50, 5,00" in person
    facts = person[person.index('<dl class="facts">') : person.index("</dl>")]
    assert not re.search(r"\d\.\d", facts)
    unit = client.get(f"/evaluation/{YEAR}/units/PW-O").get_data(as_text=True)
    scores = re.findall(r'<td class="num" data-label="Điểm">([^<]*)</td>', unit)
    assert scores and all("." not in s for s in scores) and any("," in s for s in scores)
    entry = client.get(f"/evaluation/{YEAR}/units/PW-O/entry").get_data(as_text=True)
    assert 'name="m1" value="92,5"' in entry  # as stored, no trailing zero (as after a save)


def test_pack_form_takes_a_decimal_comma(client, ward, login_session):  # noqa: F811
    login_session(client, ward["admin"])
    page = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    res = client.post(
        f"/evaluation/{YEAR}/pack", data={"d_deduction_minor": "2,5", "csrf_token": _csrf(page)}
    )
    assert res.status_code == 302, res.get_data(as_text=True)
    page = client.get(f"/evaluation/{YEAR}/pack").get_data(as_text=True)
    assert 'value="2,5"' in page and "nhẹ 2,5" in page


def test_catalog_titles_are_shown_whole(client, ward, login_session):  # noqa: F811
    from markupsafe import escape

    from evaluation import queries as q

    login_session(client, ward["staff"])
    page = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    titles = [c.title for c in q.catalog_rows(q.get_year(YEAR), individual_only=True)]
    assert titles and max(len(t) for t in titles) > 70  # the ones a cut at 70 lost
    form = page[page.index('id="add-violation"') :]
    for title in titles:
        assert str(escape(title)) in form
    # one keyboard-usable group of radio buttons, a choice required
    assert form.count('type="radio" name="code"') == len(titles)
    assert "<legend>Biểu hiện</legend>" in form


VIOLATION = {
    "person_code": "PW02",
    "code": "1.03",
    "found_on": f"03/04/{YEAR}",
    "how_found": "complaint",
    "evidence": "Đơn phản ánh ngày 02/04",
}


@pytest.mark.parametrize("missing", ["found_on", "how_found", "evidence"])
def test_api_violation_needs_date_finding_and_evidence(client, ward, bearer, missing):  # noqa: F811
    h = bearer(ward["staff"])
    body = {k: v for k, v in VIOLATION.items() if k != missing}
    res = client.post(f"/api/v1/years/{YEAR}/violations", json=body, headers=h)
    assert res.status_code == 400
    assert missing in res.get_json()["error"]["fields"]  # the API keeps the field names
    blank = {**VIOLATION, missing: "  "}
    res = client.post(f"/api/v1/years/{YEAR}/violations", json=blank, headers=h)
    assert res.status_code == 400, res.get_json()
    res = client.post(f"/api/v1/years/{YEAR}/violations", json=VIOLATION, headers=h)
    assert res.status_code == 201, res.get_json()


def test_operation_refuses_a_violation_without_its_facts(app_ctx, ward):  # noqa: F811
    from evaluation import operations
    from evaluation import queries as q
    from service.common.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        operations.add_violation(
            ward["staff"], q.get_year(YEAR), {"code": "1.03"}, person=ward["people"][2]
        )
    assert set(err.value.fields) == {"found_on", "how_found", "evidence"}


def test_page_violation_needs_its_facts_and_names_fields_by_label(
    client,
    ward,  # noqa: F811
    login_session,
):
    login_session(client, ward["staff"])
    page = client.get(f"/evaluation/{YEAR}/people/PW02").get_data(as_text=True)
    form = page[page.index('id="add-violation"') :]
    assert 'name="found_on" placeholder="dd/mm/yyyy" size="10" required' in form
    res = client.post(
        f"/evaluation/{YEAR}/people/PW02/violations",
        data={"csrf_token": _csrf(page), "code": "1.03", "how_found": "complaint"},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Nhập ngày phát hiện." in html and "Nhập chứng cứ." in html
    assert "found_on" not in html.split('id="add-violation"')[0]
    bad = client.post(
        f"/evaluation/{YEAR}/people/PW02/violations",
        data={**VIOLATION, "csrf_token": _csrf(page), "found_on": "31/02/2025"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Ngày phát hiện: Ngày không hợp lệ" in bad
    # an operation's field error (the date outside the year) is flashed with the field's label
    res = client.post(
        f"/evaluation/{YEAR}/people/PW02/violations",
        data={**VIOLATION, "csrf_token": _csrf(page), "found_on": f"03/04/{YEAR + 1}"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"Ngày phát hiện phải trong năm {YEAR}." in res
    assert "found_on" not in res.split('id="add-violation"')[0]


def test_error_page_names_fields_by_label(app, client, ward, bearer):  # noqa: F811
    from evaluation.schemas import ViolationInSchema
    from service.common.errors import error_response

    with app.test_request_context("/evaluation/"):
        html, status = error_response(
            400,
            "Dữ liệu không hợp lệ.",
            {"found_on": ["Bắt buộc nhập."], "how_found": ["Bắt buộc nhập."]},
            schema=ViolationInSchema(),
        )
    assert status == 400
    assert "<li>Ngày phát hiện: Bắt buộc nhập.</li>" in html
    assert "<li>Cách phát hiện: Bắt buộc nhập.</li>" in html
    assert "found_on" not in html and "how_found" not in html
    # the API answers with the field names, as before
    res = client.post(
        f"/api/v1/years/{YEAR}/violations",
        json={"person_code": "PW02", "code": "1.03"},
        headers=bearer(ward["staff"]),
    )
    assert set(res.get_json()["error"]["fields"]) == {"found_on", "how_found", "evidence"}


def test_field_lines_use_labels():
    from evaluation.schemas import ViolationInSchema
    from service.common.labels import field_lines

    schema = ViolationInSchema()
    lines = field_lines({"json": {"found_on": ["Bắt buộc nhập."], "evidence": ["x"]}}, schema)
    assert lines == ["Ngày phát hiện: Bắt buộc nhập.", "Chứng cứ: x"]
    # without a schema: the registered labels (import columns and the domains')
    assert field_lines({"ct": ["Phải là số."], "_schema": ["Sai."]}) == [
        "Chính trị tư tưởng: Phải là số.",
        "Sai.",
    ]
    assert field_lines({"found_on": "Ngày phát hiện phải trong năm 2025."}) == [
        "Ngày phát hiện phải trong năm 2025."
    ]
    assert field_lines({"0": {"person_code": ["Bắt buộc nhập."]}}) == [
        "Mục 1: Mã cán bộ: Bắt buộc nhập."
    ]


def test_every_input_field_has_a_vietnamese_label(app):
    from awards import schemas as aw
    from evaluation import schemas as es
    from service.auth import schemas as auth
    from service.common.labels import label_of
    from service.common.schemas import ListArgsSchema
    from service.org import schemas as org

    inputs = [
        org.UnitInSchema, org.UnitUpdateSchema, org.PersonInSchema, org.PersonUpdateSchema,
        auth.RoleInSchema, auth.UserInSchema, auth.UserUpdateSchema, auth.TokenInSchema,
        ListArgsSchema, es.YearInSchema, es.PackSchema, es.CatalogItemSchema,
        es.CatalogUpdateSchema, es.PersonEvalSchema, es.UnitEvalSchema, es.ViolationInSchema,
        es.ReasonSchema, es.TransitionSchema, es.LevelChoiceSchema, es.ComputeSchema,
        es.QuotaOverrideSchema, es.HistorySchema, aw.InitiativeInSchema, aw.InitiativeUpdateSchema,
        aw.InitiativeDeleteSchema, aw.InitiativeListArgs,
    ]  # fmt: skip
    unlabeled = [
        (schema.__name__, name)
        for schema in inputs
        for name, field in schema._declared_fields.items()
        if not field.dump_only and label_of(name, schema) == name
    ]
    assert unlabeled == []


def test_why_lines_on_pages_use_a_decimal_comma_and_keep_codes(client, ward, bearer, login_session):  # noqa: F811
    """Issue 11 item 6: the "Vì sao" lines on the pages write figures as 92,50; a violation
    code (1.03) stays a code; the API's message_vi and figures stay as they were (machine text)."""
    h = bearer(ward["staff"])
    body = {"ct": "4,5", "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": "92,5" for m in range(1, 13)}}
    res = client.put(f"/api/v1/years/{YEAR}/people/PW02/evaluation", json=body, headers=h)
    assert res.status_code == 200, res.get_json()
    assert (
        client.post(f"/api/v1/years/{YEAR}/violations", json=VIOLATION, headers=h).status_code
        == 201
    )
    api = client.get(f"/api/v1/years/{YEAR}/people/PW02/ratings", headers=h).get_json()
    api_text = " ".join(s["message_vi"] for it in api["items"] for s in it["why"])
    assert re.search(r"\d\.\d\d", api_text)  # the API as before
    login_session(client, ward["staff"])
    for url in (f"/evaluation/{YEAR}/people/PW02", f"/evaluation/{YEAR}/units/PW-O"):
        page = client.get(url).get_data(as_text=True)
        lines = re.findall(r'<li data-rule="([^"]+)">([^<]*)</li>', page)
        assert lines, url
        text = " ".join(m for _r, m in lines)
        assert re.search(r"\d,\d\d", text), text  # 92,50-like figures
        assert "1.03" in text, text  # the code stays a code
        assert not re.search(r"\d\.\d", text.replace("1.03", "")), text


def test_the_rating_spreadsheet_explains_with_a_decimal_comma(client, ward, bearer):  # noqa: F811
    import io

    import openpyxl

    h = bearer(ward["admin"])
    res = client.put(
        f"/api/v1/years/{YEAR}/people/PW00/evaluation",
        json={"ct": 4.5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": 92.5 for m in range(1, 13)}},
        headers=h,
    )
    assert res.status_code == 200, res.get_json()
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=PW-O", headers=h)
    ws = openpyxl.load_workbook(io.BytesIO(res.data))["Công chức, viên chức"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Mã cán bộ")
    col = rows[head].index("Giải thích")
    why = next(r[col] for r in rows[head + 1 :] if r[0] == "PW00")
    assert "A2: điểm" in why and re.search(r"\d,\d", why) and not re.search(r"\d\.\d", why), why
