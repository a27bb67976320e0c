"""Exports (issue 14): the rating list opened with openpyxl — title block, frozen header,
levels in words with their code, two-decimal scores, text never a formula; reach (404)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from evaluation.models import RatingDecision
from service.extensions import db
from service.org.models import Person

YEAR = 2025
HEADER_ROW = 7  # title, four lines of the title block, a blank line, then the header


@pytest.fixture
def ward(create_unit, create_person, create_user, create_year, create_rating):
    w = create_unit("EW", quota_root=True, name="Phường Thử")
    office = create_unit("EW-O", w, name="Văn phòng")
    year_row = create_year(YEAR)
    evil = create_person(office, code="EW01", full_name='=HYPERLINK("http://x")')
    evil.duty_group = "+chuyên viên"
    plain = create_person(office, code="EW02", full_name="Nguyễn Văn An", is_party_member=True)
    create_rating(year_row, person=evil, level="T", score=Decimal("87.5"))
    create_rating(year_row, person=plain, level="XS", score=Decimal("95"), provisional=True)
    create_rating(year_row, person=plain, level="HT", kind="party")
    create_rating(year_row, unit=office, level="T", score=Decimal("90.25"))
    db.session.add(
        RatingDecision(
            year_id=year_row.id,
            kind="official",
            person_id=plain.id,
            proposed_level="T",
            proposal_reason="Chưa có sản phẩm nổi bật",
        )
    )

    db.session.commit()
    return {
        "ward": w,
        "office": office,
        "year": year_row,
        "hr": create_user(roles=[("hr", w)]),
        "outsider": create_user(roles=[("hr", create_unit("EW-OTHER"))]),
        "empty": create_unit("EW-E", w),
    }


def _open(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(res.data))


def _table(ws):
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return rows[0], rows[1:]


def test_rating_list_export_opens_with_values_formats_and_text_kept(client, ward, login_session):
    evil = db.session.scalar(select(Person).where(Person.code == "EW01"))
    db.session.add(
        RatingDecision(
            year_id=ward["year"].id, kind="official", person_id=evil.id, final_level="HT",
            final_reason="Chậm báo cáo quý IV",
        )
    )  # fmt: skip
    db.session.commit()
    login_session(client, ward["hr"])
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=EW")
    assert "ket_qua_xep_loai_2025_EW.xlsx" in res.headers["Content-Disposition"]
    wb = _open(res)
    assert wb.sheetnames == ["Công chức, viên chức", "Đảng viên", "Tập thể"]
    ws = wb["Công chức, viên chức"]
    assert ws["A1"].value == "Kết quả xếp loại công chức, viên chức"
    assert ws["A2"].value == "Đơn vị: EW — Phường Thử"
    assert ws["A3"].value == f"Năm đánh giá: {YEAR}"
    assert ws["A4"].value.startswith("Ngày xuất: ") and ws["A5"].value.startswith("Người xuất: ")
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    header, rows = _table(ws)
    assert header[:6] == ("Mã cán bộ", "Họ và tên", "Đơn vị", "Nhóm nhiệm vụ", "Điểm",
                          "Mức tính theo quy tắc")  # fmt: skip
    assert "Mức xếp loại cuối cùng (mã)" in header and "Thiếu dữ liệu" in header
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows if r[0] and r[0] != "Tổng số"}
    evil = by_code["EW01"]
    assert evil["Họ và tên"] == '=HYPERLINK("http://x")'  # a string, not a formula
    assert evil["Nhóm nhiệm vụ"] == "+chuyên viên"
    assert evil["Điểm"] == 87.5 and evil["Mức tính theo quy tắc"] == "Hoàn thành tốt nhiệm vụ"
    assert evil["Mức tính theo quy tắc (mã)"] == "T"
    an = by_code["EW02"]
    assert an["Mức tính theo quy tắc"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert an["Đề xuất của thủ trưởng (mã)"] == "T"
    assert an["Mức xếp loại cuối cùng (mã)"] == "T" and an["Tạm tính"] == "Có"
    assert an["Thiếu dữ liệu"] == "Có"  # no inputs entered
    # why the level is not the computed one: the head's and the committee's reasons (A11)
    assert an["Lý do điều chỉnh"] == "Thủ trưởng đề xuất: Chưa có sản phẩm nổi bật"
    assert evil["Mức xếp loại cuối cùng (mã)"] == "HT"
    assert evil["Lý do điều chỉnh"] == "Cấp có thẩm quyền quyết định: Chậm báo cáo quý IV"
    cells = {c.value: c for c in ws[HEADER_ROW + 1] + ws[HEADER_ROW + 2]}
    assert cells[87.5].number_format == "0.00"
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for cell in row:
            assert cell.data_type != "f"
    assert rows[-1][:2] == ("Tổng số", 2)
    assert ws.column_dimensions["B"].width >= len('=HYPERLINK("http://x")')
    party_header, party = _table(wb["Đảng viên"])
    assert [r[0] for r in party] == ["EW02", "Tổng số"]
    unit_header, units = _table(wb["Tập thể"])
    assert unit_header[:3] == ("Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên")
    assert units[0][:4] == ("EW-O", "Văn phòng", "Phường Thử", 90.25)


def test_rating_list_of_zero_rows_is_a_valid_file_with_headers(client, ward, login_session):
    login_session(client, ward["hr"])
    wb = _open(client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=EW-E"))
    header, rows = _table(wb["Công chức, viên chức"])
    assert header[0] == "Mã cán bộ" and rows == [("Tổng số", 0) + (None,) * (len(header) - 2)]


def test_export_outside_reach_or_unknown_is_404(client, ward, login_session):
    login_session(client, ward["outsider"])
    assert client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=EW").status_code == 404
    assert client.get(f"/api/v1/years/{YEAR}/exports/nope.xlsx?unit=EW").status_code == 404
    assert client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=ZZZ").status_code == 404


def test_exports_page_lists_the_rating_list_for_the_picked_unit(client, ward, login_session):
    login_session(client, ward["hr"])
    dash = client.get(f"/evaluation/{YEAR}").get_data(as_text=True)
    assert f"/evaluation/{YEAR}/exports" in dash
    assert client.get("/evaluation/exports").location.endswith(f"/evaluation/{YEAR}/exports")
    page = client.get(f"/evaluation/{YEAR}/exports?unit=EW-O — Văn phòng").get_data(as_text=True)
    assert "Kết quả xếp loại" in page and "Xuất bảng tính" in page
    assert f"/evaluation/{YEAR}/exports/ratings.xlsx?unit=EW-O" in page  # file or job page
    assert '<option value="EW — Phường Thử">' in page and "EW-OTHER" not in page
    login_session(client, ward["outsider"])
    # a unit outside reach and one that does not exist: the same words, at the field, with
    # what was typed (before: a bare 404 page, the text lost)
    for typed in ("EW", "van phong"):
        res = client.get(f"/evaluation/{YEAR}/exports", query_string={"unit": typed})
        page = res.get_data(as_text=True)
        assert res.status_code == 400
        assert f"Không tìm thấy đơn vị «{typed}» trong phạm vi của bạn" in page
        field = 'name="unit" list="unit-choices" autocomplete="off" required'
        assert f'{field} value="{typed}"' in page
        assert '/exports/ratings.xlsx?unit=EW"' not in page  # the outsider's own units only


def test_statistics_export_counts_shares_violations_and_native_charts(
    client, ward, login_session, create_violation, create_person, create_rating
):
    other = create_person(ward["empty"], code="EW03")
    create_rating(ward["year"], person=other, level="HT")
    create_violation(ward["year"], person=other, code="1.03")
    login_session(client, ward["hr"])
    wb = _open(client.get(f"/api/v1/years/{YEAR}/exports/statistics.xlsx?unit=EW"))
    assert wb.sheetnames[:2] == ["Tổng hợp CCVC", "Tổng hợp Đảng viên"]
    ws = wb["Tổng hợp CCVC"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    header, rows = _table(ws)
    assert header[:4] == (
        "Mã đơn vị",
        "Tên đơn vị",
        "Hoàn thành xuất sắc nhiệm vụ (XS)",  # levels in full (TEMPLATES.md, Exports)
        "Hoàn thành tốt nhiệm vụ (T)",
    )
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    office = table["EW-O"]  # EW01 T, EW02 final T (proposal over the computed XS)
    assert office["Hoàn thành tốt nhiệm vụ (T)"] == 2
    assert office["Tổng số"] == 2 and office["Tỷ lệ T"] == 1
    assert table["EW-E"]["Hoàn thành nhiệm vụ (HT)"] == 1
    total = table["Tổng cộng"]
    assert total["Tổng số"] == 3 and round(total["Tỷ lệ HT"], 4) == round(1 / 3, 4)
    share = ws.cell(row=HEADER_ROW + 1, column=header.index("Tỷ lệ T") + 1)
    assert share.number_format == "0.00%"
    # native charts: a stacked bar per unit and a pie of the total, in the file itself
    import zipfile

    with zipfile.ZipFile(io.BytesIO(client.get(
        f"/api/v1/years/{YEAR}/exports/statistics.xlsx?unit=EW").data)) as zf:  # fmt: skip
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4
    assert sum("<c:barChart>" in c and 'c:grouping val="stacked"' in c for c in charts) == 2
    assert sum("<c:pieChart>" in c for c in charts) == 2
    group_header, groups = _table(wb["Vi phạm theo nhóm"])
    assert group_header == ("Nhóm vi phạm", "Nội dung nhóm", "Số vi phạm")
    assert groups[0][1] == "Vi phạm kỷ cương, kỷ luật, nội quy, quy chế"  # not a bare number
    assert groups[-1][0] == "Tổng cộng" and groups[-1][-1] == 1
    _h, months = _table(wb["Vi phạm theo tháng"])
    assert len(months) == 13 and months[-1] == ("Tổng cộng", 1)


def test_rating_list_export_and_print_say_whether_the_list_is_approved(
    client, ward, login_session, create_review
):
    """HR could not tell a draft from an approved result: the xlsx had no list state and the
    PDF of a list «Đang nhập» printed its signature blocks with no word of it. A column
    «Đã phê duyệt» (Có/Không, by the list holding the rating), and the PDF says «chưa phê
    duyệt» on a list not approved."""
    create_review(ward["year"], ward["ward"], state="approved")  # EW's list: the office's rating
    login_session(client, ward["hr"])
    wb = _open(client.get(f"/api/v1/years/{YEAR}/exports/ratings.xlsx?unit=EW"))
    header, rows = _table(wb["Công chức, viên chức"])
    people = {r[0]: dict(zip(header, r, strict=True)) for r in rows if r[0] != "Tổng số"}
    assert {p["Đã phê duyệt"] for p in people.values()} == {"Không"}  # EW-O's list: open
    header, rows = _table(wb["Tập thể"])
    assert dict(zip(header, rows[0], strict=True))["Đã phê duyệt"] == "Có"
    res = client.get(f"/api/v1/years/{YEAR}/exports/ratings.pdf?unit=EW-O")
    assert res.status_code == 200
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(res.data)).pages)
    assert "chưa phê duyệt" in " ".join(text.split()).lower()
