"""Certificates (issue 13 item 5): a decision's Bằng khen, Giấy khen and Giấy chứng nhận as one
PDF (a page per awarded recipient, in the order of the decision's page, full design or fields
only on the blank), refused for a nomination voted down or a list not decided; read access
follows the decision."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from awards.models import Decision, Nomination
from service.extensions import db
from tests.awards import test_award_lists as base
from tests.awards.test_award_list_pages import login
from tests.awards.test_decisions import DECISION

YEAR = base.YEAR
year = base.year  # the fixture: 2025 rated, rating lists approved


def pdf_pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def text_at(data: bytes, needle: str, page: int = 0) -> tuple[float, float]:
    """(x, y) in pt from the page's bottom left where the text run holding `needle` starts."""
    found, seen = [], []

    def visit(text, cm, tm, font, size):
        seen.append(text)
        if needle in text:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    assert found, (needle, " | ".join(seen))
    return found[0]


def nominate(client, h, lst, subject, code, award):
    lst = base.the_list(client, h, "A")
    res = client.post(
        f"/api/v1/award-lists/{lst['id']}/nominations",
        json={"subject": subject, "code": code, "award": award, "reason": "Thành tích đột xuất",
              "version": lst["version"]},
        headers=h,
    )  # fmt: skip
    assert res.status_code == 201, res.get_json()


def approved_list(client, tree):
    """A's list with the rules' LĐTT of PA, PA2, PA1 and a Giấy khen for PA and for unit A1,
    submitted and approved; PA2's LĐTT voted down."""
    staff, committee = tree["headers"]["staff_a"], tree["headers"]["committee_a"]
    base.propose(client, staff, "A")
    lst = base.the_list(client, staff, "A")
    nominate(client, staff, lst, "person", "PA", "GK")
    nominate(client, staff, lst, "unit", "A1", "GK")
    lst = base.act(client, staff, base.the_list(client, staff, "A"), "submit").get_json()
    pa2 = db.session.scalars(
        db.select(Nomination).where(
            Nomination.list_id == lst["id"], Nomination.person_id == tree["people"]["PA2"].id
        )
    ).one()
    lst = base.approve(client, committee, lst, refused={pa2.id})  # the council refused PA2's
    assert lst["state"] == "approved", lst
    return lst, pa2.id


def decided(client, tree):
    lst, refused_id = approved_list(client, tree)
    res = base.act(client, tree["headers"]["committee_a"], lst, "decide", **DECISION)
    assert res.status_code == 200, res.get_json()
    return lst, db.session.get(Decision, res.get_json()["decision_id"]), refused_id


def certificates(client, h, d, **query):
    return client.get(f"/api/v1/decisions/{d.id}/certificates.pdf", query_string=query, headers=h)


def test_a_decision_prints_one_page_per_awarded_recipient_in_the_decision_order(client, tree, year):
    _lst, d, _refused = decided(client, tree)
    h = tree["headers"]["committee_a"]
    body = client.get(f"/api/v1/decisions/{d.id}", headers=h).get_json()
    awarded = [r for r in body["recipients"] if r["awarded"]]
    assert len(awarded) == 4 and not any(r["code"] == "PA2" for r in awarded)

    res = certificates(client, h, d, mode="full")
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    pages = pdf_pages(res.data)
    assert len(pages) == len(awarded)
    for text, r in zip(pages, awarded, strict=True):
        assert r["name"] in text  # in the order of the decision's page
        assert "15/QĐ-UBND" in text and "20/12/2025" in text
        assert "Nguyễn Văn Ký" in text and d.issuer.upper() in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Hà Nội, ngày 20 tháng 12 năm 2025" in text
        if r["award"] == "GK":
            assert "GIẤY KHEN" in text and "Giấy khen" in text
        else:
            assert "GIẤY CHỨNG NHẬN" in text and "Lao động tiên tiến" in text
    unit_page = next(t for t, r in zip(pages, awarded, strict=True) if r["subject"] == "unit")
    assert "Đơn vị A1" in unit_page and "Thuộc: Đơn vị A" in unit_page  # a collective
    assert "Trần Thị Bình" not in "".join(pages)  # voted down: no certificate

    res = certificates(client, h, d, mode="blank")
    assert res.status_code == 200
    blank = pdf_pages(res.data)
    assert len(blank) == len(awarded)
    for text, r in zip(blank, awarded, strict=True):
        assert r["name"] in text and "15/QĐ-UBND" in text and "20/12/2025" in text
        assert "CỘNG HÒA" not in text and "GIẤY KHEN" not in text and "Độc lập" not in text
    assert "attachment" in res.headers["Content-Disposition"]
    # named for what it holds (bằng khen, giấy khen, giấy chứng nhận), not «bang_khen»
    assert "khen_thuong_15-QĐ-UBND_blank.pdf" in unquote(res.headers["Content-Disposition"])


def test_one_recipient_and_the_refusals(client, tree, year):
    lst, d, refused_id = decided(client, tree)
    h = tree["headers"]["committee_a"]
    pa_gk = db.session.scalars(
        db.select(Nomination).where(
            Nomination.person_id == tree["people"]["PA"].id, Nomination.award == "GK"
        )
    ).one()
    res = certificates(client, h, d, mode="blank", nomination=pa_gk.id)
    pages = pdf_pages(res.data)
    assert len(pages) == 1 and "Nguyễn Văn An" in pages[0] and "Giấy khen" in pages[0]
    # a nomination voted down by the council gets none, with a Vietnamese message
    res = certificates(client, h, d, nomination=refused_id)
    assert res.status_code == 400 and res.mimetype == "application/json"
    message = res.get_json()["error"]["message"]
    assert "không đạt biểu quyết" in message and "Trần Thị Bình" in message
    assert certificates(client, h, d, mode="other").status_code == 400
    assert certificates(client, h, d, nomination=999999).status_code == 404
    # the decided list prints through its own address too
    res = client.get(f"/api/v1/award-lists/{lst['id']}/certificates.pdf?mode=full", headers=h)
    assert res.status_code == 200 and len(pdf_pages(res.data)) == 4


def test_an_undecided_list_is_refused_nothing_printed(client, tree, year):
    _lst, d, _refused = decided(client, tree)
    staff_b, committee = tree["headers"]["staff_b"], tree["headers"]["hr_r"]
    base.propose(client, staff_b, "B")
    b = base.the_list(client, staff_b, "B")
    res = client.get(f"/api/v1/award-lists/{b['id']}/certificates.pdf", headers=committee)
    assert res.status_code == 400
    assert "chưa có quyết định" in res.get_json()["error"]["message"]
    # one of its nominations asked through a decision: refused the same way
    nom = db.session.scalars(db.select(Nomination).where(Nomination.list_id == b["id"])).first()
    res = certificates(client, committee, d, nomination=nom.id)
    assert res.status_code == 400 and "chưa có quyết định" in res.get_json()["error"]["message"]


def test_reading_follows_the_decision(client, tree, year):
    _lst, d, _refused = decided(client, tree)
    assert certificates(client, tree["headers"]["hr_r"], d).status_code == 200
    assert certificates(client, tree["headers"]["staff_a"], d).status_code == 200
    # staff of B do not read A's list: 404, as for the decision itself
    assert certificates(client, tree["headers"]["staff_b"], d).status_code == 404
    res = client.get("/api/v1/decisions/999999/certificates.pdf", headers=tree["headers"]["hr_r"])
    assert res.status_code == 404
    login(client, tree["users"]["staff_b"])
    assert client.get(f"/awards/decisions/{d.id}/certificates.pdf").status_code == 404


def test_decision_page_has_the_buttons_and_a_link_per_recipient(client, tree, year):
    _lst, d, refused_id = decided(client, tree)
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/decisions/{d.id}").get_data(as_text=True)
    assert "In bằng khen, giấy khen (mẫu đầy đủ)" in page and "(in trên phôi)" in page
    assert f"/awards/decisions/{d.id}/certificates.pdf?mode=blank" in page
    assert f"nomination={refused_id}" not in page  # no link for a refused nomination
    assert page.count(f"/awards/decisions/{d.id}/certificates.pdf?mode=full&amp;nomination=") == 4
    res = client.get(f"/awards/decisions/{d.id}/certificates.pdf?mode=full")
    assert res.status_code == 200 and len(pdf_pages(res.data)) == 4
    # a refusal from the page is flashed on the decision's page
    res = client.get(
        f"/awards/decisions/{d.id}/certificates.pdf?nomination={refused_id}", follow_redirects=True
    )
    assert "không đạt biểu quyết" in res.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "pdf", "layouts"),
    [
        ("admin", 200, 200),
        ("committee_a", 200, 200),
        ("staff_a", 200, 403),
        ("hr_r", 200, 403),
        ("staff_b", 404, 403),
        (None, 401, 401),
    ],
)
def test_access_per_role(client, tree, year, who, pdf, layouts):
    _lst, d, _r = decided(client, tree)
    h = tree["headers"][who] if who else {}
    assert certificates(client, h, d, mode="blank").status_code == pdf
    assert client.get("/api/v1/certificate-layouts/GK", headers=h).status_code == layouts
    assert client.get("/api/v1/certificate-layouts/GK/test.pdf", headers=h).status_code == layouts


def test_the_index_links_the_layouts_for_those_who_edit_them(client, tree):
    login(client, tree["users"]["committee_a"])
    assert "/awards/certificates/layouts" in client.get("/awards/").get_data(as_text=True)
    login(client, tree["users"]["staff_a"])
    assert "/awards/certificates/layouts" not in client.get("/awards/").get_data(as_text=True)


def test_a_certificate_addresses_a_person_by_their_stored_gender(client, tree, year):
    """«Ông/Bà» was printed whatever the person's record said: «Ông» for a man, «Bà» for a
    woman, «Ông/Bà» only when the record holds no gender."""
    from service.org.models import Gender

    people = tree["people"]
    people["PA"].gender = Gender.MALE
    db.session.commit()
    _lst, d, _refused = decided(client, tree)
    h = tree["headers"]["committee_a"]
    body = client.get(f"/api/v1/decisions/{d.id}", headers=h).get_json()
    awarded = [r for r in body["recipients"] if r["awarded"]]
    pages = pdf_pages(certificates(client, h, d, mode="full").data)
    for text, r in zip(pages, awarded, strict=True):
        if r["code"] == "PA":
            assert f"Ông {r['name']}" in text and "Ông/Bà" not in text
        elif r["subject"] == "person":
            assert f"Ông/Bà {r['name']}" in text


def test_a_decision_too_big_to_print_at_once_is_printed_in_parts(client, tree, year, app):
    """581 recipients over the 500 a print holds: told to print list by list, a decision of one
    list had no way but one person at a time. The page offers parts of at most the limit,
    each printing its recipients in the decision's order."""
    _lst, d, _refused = decided(client, tree)
    app.config["CERTIFICATE_MAX_PAGES"] = 3  # 4 awarded recipients
    try:
        login(client, tree["users"]["staff_a"])
        res = client.get(
            f"/awards/decisions/{d.id}/certificates.pdf?mode=full", follow_redirects=True
        )
        assert "in từng phần" in res.get_data(as_text=True)
        page = client.get(f"/awards/decisions/{d.id}").get_data(as_text=True)
        assert "Phần 1 (1–3)" in page and "Phần 2 (4–4)" in page
        whole = []
        for part in (1, 2):
            url = f"/awards/decisions/{d.id}/certificates.pdf?mode=full&amp;part={part}"
            assert url in page
            res = client.get(url.replace("&amp;", "&"))
            assert res.status_code == 200, res.get_data(as_text=True)[:300]
            whole += pdf_pages(res.data)
        assert len(whole) == 4
        h = tree["headers"]["committee_a"]
        body = client.get(f"/api/v1/decisions/{d.id}", headers=h).get_json()
        awarded = [r["name"] for r in body["recipients"] if r["awarded"]]
        assert all(name in text for name, text in zip(awarded, whole, strict=True))
    finally:
        app.config["CERTIFICATE_MAX_PAGES"] = 500
