"""The printable rating list (issue 14 item 4): a PDF that opens with pypdf, A4 landscape, the
national heading and the unit's name, the rows with levels in full words and scores with a
decimal comma, page numbers, the signature blocks; 0 rows still a PDF; 404 outside reach."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from evaluation.models import RatingDecision
from service.common.documents import decimal_comma, place_and_date
from service.extensions import db

YEAR = 2025


@pytest.fixture
def ward(create_unit, create_person, create_user, create_year, create_rating):
    w = create_unit("PW", quota_root=True, name="Phường Hàng Bạc")
    office = create_unit("PW-O", w, name="Văn phòng Đảng ủy")
    year_row = create_year(YEAR)
    an = create_person(office, code="PW01", full_name="Nguyễn Thị Ánh Tuyết")
    an.duty_group = "chuyên viên"
    binh = create_person(office, code="PW02", full_name="Trần Văn Bình", is_party_member=True)
    create_rating(year_row, person=an, level="XS", score=Decimal("95.5"))
    create_rating(year_row, person=binh, level="T", score=Decimal("87.25"))
    create_rating(year_row, person=binh, level="HT", kind="party")
    create_rating(year_row, unit=office, level="T", score=Decimal("90"))
    db.session.add(
        RatingDecision(
            year_id=year_row.id,
            kind="official",
            person_id=binh.id,
            final_level="HT",
            final_reason="Chậm nộp báo cáo",
        )
    )
    db.session.commit()
    return {
        "hr": create_user(roles=[("hr", w)]),
        "outsider": create_user(roles=[("hr", create_unit("PW-OTHER"))]),
        "empty": create_unit("PW-E", w, name="Tổ dân phố số 9"),
    }


def _pdf(res) -> pypdf.PdfReader:
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype == "application/pdf"
    assert res.data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(res.data))


def _text(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_rating_list_pdf_has_headings_rows_levels_pages_and_signatures(client, ward, login_session):
    login_session(client, ward["hr"])
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW")
    assert "ket_qua_xep_loai_2025_PW.pdf" in res.headers["Content-Disposition"]
    reader = _pdf(res)
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape
    text = _text(reader)
    for heading in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHƯỜNG HÀNG BẠC",
        f"DANH SÁCH KẾT QUẢ XẾP LOẠI NĂM {YEAR}",
        "Người lập biểu",
        "Thủ trưởng đơn vị",
    ):
        assert heading in text, heading
    assert "Nguyễn Thị Ánh Tuyết" in text and "Hoàn thành xuất sắc nhiệm vụ" in text
    assert "95,50" in text and "87,25" in text
    assert "Hoàn thành nhiệm vụ" in text  # Bình's final level (the decision), in full words
    # and why it differs from the computed level (A11)
    assert "Lý do điều chỉnh — Cấp có thẩm quyền quyết định: Chậm nộp báo cáo" in text
    assert "Văn phòng Đảng ủy" in text  # the units' section
    n = len(reader.pages)
    assert f"Trang 1/{n}" in reader.pages[0].extract_text()
    assert place_and_date("Hà Nội", dt.date.today()) in text


def test_rating_list_pdf_of_zero_rows_is_still_a_pdf(client, ward, login_session):
    login_session(client, ward["hr"])
    reader = _pdf(client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW-E"))
    text = _text(reader)
    assert "TỔ DÂN PHỐ SỐ 9" in text and "Chưa có kết quả xếp loại" in text
    assert "Thủ trưởng đơn vị" in text


def test_rating_list_pdf_outside_reach_is_404(client, ward, login_session):
    login_session(client, ward["outsider"])
    assert client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW").status_code == 404
    assert client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=ZZZ").status_code == 404
    assert (
        client.get(f"/api/v1/years/{YEAR}/exports/statistics.pdf?unit=PW-OTHER").status_code == 404
    )


def test_exports_page_links_the_printable_list(client, ward, login_session):
    login_session(client, ward["hr"])
    page = client.get(f"/evaluation/{YEAR}/exports?unit=PW").get_data(as_text=True)
    assert "Bản in (PDF)" in page
    assert f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW" in page
    assert "statistics.pdf" not in page


def test_decimal_comma_and_date_line():
    assert decimal_comma(Decimal("87.5")) == "87,50"
    assert decimal_comma(Decimal("1234.5")) == "1.234,50"
    assert decimal_comma(None) == ""
    assert place_and_date("Hà Nội", dt.date(2026, 3, 4)) == "Hà Nội, ngày 04 tháng 03 năm 2026"


def test_rating_list_pdf_too_long_to_print_is_a_clear_400(
    client, ward, login_session, app, monkeypatch
):
    login_session(client, ward["hr"])
    monkeypatch.setitem(app.config, "PDF_MAX_ROWS", 3)  # the ward has 4 ratings
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW")
    small = client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW-O")
    assert res.status_code == 400
    assert "quá dài để in" in res.get_json()["error"]["message"]
    assert small.status_code == 200  # the office: 3 person ratings, its own unit's is its parent's


@pytest.mark.parametrize(
    ("role", "at", "expected"),
    [
        ("committee", "PW", 200),
        ("staff", "PW", 200),
        ("hr", "PW-O", 404),  # below the ward: the ward is outside its reach
        ("staff", "PW-OTHER", 404),
        (None, None, 401),
    ],
)
def test_rating_list_pdf_reach_by_role(
    client, ward, login_session, create_user, monkeypatch, role, at, expected
):
    from service.org.models import Unit

    monkeypatch.setattr("evaluation.documents.render_pdf", lambda *a, **k: b"%PDF-1.7 stub")
    if role:
        unit = db.session.scalar(db.select(Unit).where(Unit.code == at))
        login_session(client, create_user(roles=[(role, unit)]))
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=PW")
    assert res.status_code == expected, res.get_data(as_text=True)[:300]
