"""Certificate layouts (issue 13 item 5): where each field prints on an award code's blank,
checked against the page (pure), edited through the API and the page (committee and
administrators), versioned (409 on a stale form), audited, moving the printed text; the test
print with its millimetre grid."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from awards.certificate_models import CertificateLayout
from awards.rules import DEFAULT_AWARDS
from awards.rules.certificates import (
    CERTIFICATE_KINDS,
    FIELDS,
    PARTY_CODES,
    PT_MM,
    check_layout,
    default_layout,
    grid_lines,
)
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import test_award_lists as base
from tests.awards.test_award_list_pages import csrf, login
from tests.awards.test_certificates import certificates, decided, pdf_pages, text_at

year = base.year  # the fixture: 2025 rated, rating lists approved


def plain(layout=None) -> dict:
    return (layout or default_layout()).as_dict()


# --- the pure check --------------------------------------------------------------------------


def test_default_layout_is_valid_and_inside_an_a4_landscape_page():
    layout, errors = check_layout(plain())
    assert errors == {} and layout == default_layout()
    assert layout.size_mm == (297.0, 210.0) and set(layout.fields) == set(FIELDS)


@pytest.mark.parametrize(
    ("field", "change", "words"),
    [
        ("name", {"x_mm": 100, "width_mm": 237}, "vượt chiều ngang"),
        ("signer", {"y_mm": 209}, "vượt mép dưới"),
        ("unit", {"font_pt": 80}, "cỡ chữ"),
        ("unit", {"font_pt": 3}, "cỡ chữ"),
        ("award", {"width_mm": 5}, "chiều rộng"),
        ("date", {"x_mm": -1}, "không được âm"),
        ("date", {"x_mm": "abc"}, "phải là một số"),
        ("date", {"y_mm": "nan"}, "phải là một số"),
        ("decision", {"align": "justify"}, "căn lề"),
    ],
)
def test_a_field_outside_the_page_or_out_of_range_is_refused(field, change, words):
    data = plain()
    data["fields"][field] = {**data["fields"][field], **change}
    layout, errors = check_layout(data)
    assert layout is None and list(errors) == [field]
    assert any(words in m for m in errors[field]), errors


def test_page_size_and_orientation_bound_the_fields():
    data = {**plain(), "orientation": "portrait"}  # 210 wide: the name's 30 + 237 is out
    _layout, errors = check_layout(data)
    assert "name" in errors and "issuer" in errors
    assert check_layout({**plain(), "page_size": "B5"})[1] == {
        "page_size": ["Khổ giấy phải là A4, A3, A5."]
    }
    a3 = check_layout({**plain(), "page_size": "A3"})[0]
    assert a3.size_mm == (420.0, 297.0)
    # a decimal comma is read, numbers rounded to 0.1 mm
    data = plain()
    data["fields"]["name"] = {**data["fields"]["name"], "y_mm": "95,25"}
    assert check_layout(data)[0].fields["name"].y_mm == 95.2
    assert 22 * PT_MM == pytest.approx(7.76, abs=0.01)


def test_the_certificate_kinds_name_catalog_codes():
    assert set(CERTIFICATE_KINDS) <= set(DEFAULT_AWARDS) and PARTY_CODES <= set(CERTIFICATE_KINDS)
    assert CERTIFICATE_KINDS["BK_TP"] == "BẰNG KHEN" and CERTIFICATE_KINDS["GK"] == "GIẤY KHEN"
    assert CERTIFICATE_KINDS["CSTDCS"] == "GIẤY CHỨNG NHẬN"
    assert "CO_TP" not in CERTIFICATE_KINDS and "HHD30" not in CERTIFICATE_KINDS


def test_grid_lines_every_5_mm_major_every_10():
    lines = grid_lines(297, 210)
    xs = [p for a, p, _m in lines if a == "x"]
    assert xs[0] == 5 and xs[-1] == 295 and len(xs) == 59
    assert [m for a, p, m in lines if a == "y" and p in (5, 10)] == [False, True]


# --- through the API and the pages -----------------------------------------------------------


def test_layout_edit_is_validated_versioned_audited_and_moves_the_text(client, tree, year):
    _lst, d, _r = decided(client, tree)
    h = tree["headers"]["committee_r"]
    got = client.get("/api/v1/certificate-layouts/GK", headers=h).get_json()
    assert got["stored"] is False and got["version"] == 1 and got["fields"]["name"]["y_mm"] == 92
    before = certificates(client, h, d, mode="blank").data
    pages = pdf_pages(before)
    gk = next(i for i, t in enumerate(pages) if "Nguyễn Văn An" in t and "Giấy khen" in t)
    ldtt = next(i for i, t in enumerate(pages) if "Nguyễn Văn An" in t and "Lao động" in t)
    x0, y0 = text_at(before, "Nguyễn Văn An", gk)

    body = {k: got[k] for k in ("version", "page_size", "orientation", "fields")}
    bad = {**body, "fields": {**body["fields"], "name": {**body["fields"]["name"], "x_mm": 200}}}
    res = client.put("/api/v1/certificate-layouts/GK", json=bad, headers=h)
    assert res.status_code == 400 and "name" in res.get_json()["error"]["fields"]
    assert db.session.query(CertificateLayout).count() == 0

    moved = {**body["fields"], "name": {**body["fields"]["name"], "y_mm": 122, "x_mm": 20}}
    res = client.put("/api/v1/certificate-layouts/GK", json={**body, "fields": moved}, headers=h)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["version"] == 2 and res.get_json()["stored"] is True
    audit = db.session.query(AuditEntry).filter_by(object_type="certificate_layout").one()
    assert audit.object_id == "GK" and audit.action == "update"
    assert audit.before["name"]["y_mm"] == 92 and audit.after["name"]["y_mm"] == 122
    assert set(audit.after) == {"name"}  # only what changed

    # the same form sent again (version 1) is stale: 409, nothing changed
    res = client.put("/api/v1/certificate-layouts/GK", json={**body, "fields": moved}, headers=h)
    assert res.status_code == 409 and "version" in res.get_json()["error"]["fields"]
    assert db.session.query(CertificateLayout).one().version == 2

    after = certificates(client, h, d, mode="blank").data
    x1, y1 = text_at(after, "Nguyễn Văn An", gk)
    assert y0 - y1 == pytest.approx(30 * 72 / 25.4, abs=1)  # 30 mm lower on the page
    assert x1 < x0  # and its box starts 10 mm further left
    # the GK layout moves the GK pages only: PA's LĐTT certificate stays where it was
    assert text_at(after, "Nguyễn Văn An", ldtt) == text_at(before, "Nguyễn Văn An", ldtt)
    full = certificates(client, h, d, mode="full").data
    assert "CỘNG HÒA" in pdf_pages(full)[0]  # the full design ignores the blank's layout


def test_layout_roles_staff_cannot_committee_and_admin_can(client, tree, year):
    for who, status in (("staff_a", 403), ("hr_r", 403), ("committee_a", 200), ("admin", 200)):
        res = client.get("/api/v1/certificate-layouts/BK_TP", headers=tree["headers"][who])
        assert res.status_code == status, who
    h = tree["headers"]["committee_a"]
    assert client.get("/api/v1/certificate-layouts/CO_TP", headers=h).status_code == 404
    assert client.get("/api/v1/certificate-layouts/NOPE/test.pdf", headers=h).status_code == 404
    body = {**plain(), "version": 1}
    res = client.put(
        "/api/v1/certificate-layouts/BK_TP", json=body, headers=tree["headers"]["staff_a"]
    )
    assert res.status_code == 403 and db.session.query(CertificateLayout).count() == 0
    # one layout per code serves every unit's prints: a ward's committee reads it, the top
    # unit's committee and administrators change it
    res = client.put(
        "/api/v1/certificate-layouts/BK_TP", json=body, headers=tree["headers"]["committee_a"]
    )
    assert (
        res.status_code == 403 and "dùng chung cho mọi đơn vị" in res.get_json()["error"]["message"]
    )
    assert db.session.query(CertificateLayout).count() == 0
    res = client.put(
        "/api/v1/certificate-layouts/BK_TP", json=body, headers=tree["headers"]["committee_r"]
    )
    assert res.status_code == 200, res.get_json()


def test_test_print_is_one_page_of_samples_on_a_mm_grid(client, tree):
    h = tree["headers"]["committee_a"]
    res = client.get("/api/v1/certificate-layouts/GK/test.pdf", headers=h)
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    (text,) = pdf_pages(res.data)
    assert "Nguyễn Văn Mẫu" in text and "123/QĐ-UBND" in text and "In thử" in text
    assert "290" in text and "200" in text  # the ruler's labels in mm
    assert "CỘNG HÒA" not in text


def test_layout_page_edits_with_the_form(client, tree):
    login(client, tree["users"]["committee_r"])
    page = client.get("/awards/certificates/layouts").get_data(as_text=True)
    assert "/awards/certificates/layouts/BK_TP" in page and "mặc định" in page
    page = client.get("/awards/certificates/layouts/BK_TP").get_data(as_text=True)
    assert "In thử" in page and 'name="name__y_mm"' in page
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    form.update({"page_size": "A4", "orientation": "landscape", "csrf_token": csrf(page)})
    form.update({f"{f}__align": "center" for f in FIELDS})
    form["name__y_mm"] = "300"
    res = client.post("/awards/certificates/layouts/BK_TP", data=form)
    assert res.status_code == 400 and "vượt mép dưới" in res.get_data(as_text=True)
    form["name__y_mm"] = "99,5"
    res = client.post("/awards/certificates/layouts/BK_TP", data=form)
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    row = db.session.query(CertificateLayout).one()
    assert row.code == "BK_TP" and row.fields["name"]["y_mm"] == 99.5 and row.version == 2
    res = client.post("/awards/certificates/layouts/BK_TP", data=form)  # version 1 again
    assert res.status_code == 400 and "người khác" in res.get_data(as_text=True)
    login(client, tree["users"]["committee_a"])  # reads the shared layout, no save button
    page = client.get("/awards/certificates/layouts/BK_TP").get_data(as_text=True)
    assert 'id="layout-shared"' in page and ">Lưu</button>" not in page
    login(client, tree["users"]["staff_a"])
    assert client.get("/awards/certificates/layouts/BK_TP").status_code == 403


def test_each_award_code_prints_on_its_own_page_size(client, tree, year):
    _lst, d, _r = decided(client, tree)
    h = tree["headers"]["committee_r"]
    body = client.get("/api/v1/certificate-layouts/GK", headers=h).get_json()
    small = {  # an A5 portrait blank (148 x 210 mm)
        name: {**f, "x_mm": 10, "width_mm": 128, "font_pt": 12}
        for name, f in body["fields"].items()
    }
    res = client.put(
        "/api/v1/certificate-layouts/GK",
        json={"version": 1, "page_size": "A5", "orientation": "portrait", "fields": small},
        headers=h,
    )
    assert res.status_code == 200, res.get_json()
    data = certificates(client, h, d, mode="blank").data
    reader = PdfReader(io.BytesIO(data))
    sizes = {
        ("GK" if "Giấy khen" in p.extract_text() else "LDTT"): (
            round(float(p.mediabox.width) * 25.4 / 72),
            round(float(p.mediabox.height) * 25.4 / 72),
        )
        for p in reader.pages
    }
    assert sizes == {"GK": (148, 210), "LDTT": (297, 210)}


def test_a_print_over_the_page_limit_is_refused(app, client, tree, year, monkeypatch):
    _lst, d, _r = decided(client, tree)
    monkeypatch.setitem(app.config, "CERTIFICATE_MAX_PAGES", 3)
    res = certificates(client, tree["headers"]["committee_a"], d)
    assert res.status_code == 400 and "in từng phần" in res.get_json()["error"]["message"]
    res = certificates(client, tree["headers"]["committee_a"], d, part=2)  # the rest
    assert res.status_code == 200 and len(PdfReader(io.BytesIO(res.data)).pages) == 1
