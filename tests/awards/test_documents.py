"""The Word documents of the commendation paperwork (issue 13 item 1): tờ trình, quyết định with
its annex, báo cáo thành tích and biên bản, each opened with python-docx and checked field by
field and row by row; the biên bản holds no voter linked to a vote (nor do the logs); access
per role."""

from __future__ import annotations

import io
import logging
import re

import docx
import pytest
from sqlalchemy import func, select

from awards.council_models import VotingSession
from awards.docfields import KINDS, achievements_text, ascii_slug, share_text, threshold_text
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import YEAR, opened, step, vote

clock, council_setup = cf.clock, cf.council_setup  # the fixtures
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def template_dir(app, tmp_path, monkeypatch):
    """Each test has its own folder of replaced templates (empty: the shipped ones)."""
    folder = tmp_path / "doc_templates"
    monkeypatch.setitem(app.config, "DOC_TEMPLATE_DIR", str(folder))
    return folder


def opened_docx(res) -> docx.document.Document:
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype == DOCX
    return docx.Document(io.BytesIO(res.data))


def text_of(d) -> str:
    """Every paragraph, also those of table cells, one per line."""
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            lines.extend(c.text for c in row.cells)
    return "\n".join(lines)


def table_after(d, heading: str):
    """The table that follows the paragraph `heading` in the body."""
    body = d.element.body
    seen = False
    tables = iter(d.tables)
    by_element = {t._tbl: t for t in tables}
    for child in body.iterchildren():
        if child.tag.endswith("}p") and "".join(child.xpath(".//w:t/text()")).strip() == heading:
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            return by_element[child]
    raise AssertionError(f"no table after {heading!r}")


def rows_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


# --- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, members, text",
    [(3, 5, "60,00 %"), (2, 3, "66,67 %"), (1, 3, "33,33 %"), (0, 5, "0,00 %"), (5, 5, "100,00 %")],
)
def test_share_of_all_members_with_a_decimal_comma(count, members, text):
    assert share_text(count, members) == text


def test_share_is_blank_without_figures():
    assert share_text(None, 5) == "" and share_text(3, 0) == ""


def test_threshold_text_follows_strictness():
    assert threshold_text(50, True) == "Trên 50 % tổng số thành viên hội đồng"
    assert threshold_text(90, False) == "Từ 90 % tổng số thành viên hội đồng trở lên"


def test_achievements_join_the_rules_texts_then_the_reason():
    why = [{"rule": "C2", "text": "C2: 2 năm HTXSNV"}, {"rule": "C3", "text": ""}, "junk"]
    assert achievements_text(why, " Đột xuất ") == "C2: 2 năm HTXSNV; Đột xuất"


def test_ascii_file_names():
    assert ascii_slug("Trần Thị Bình / Đội 1") == "Tran_Thi_Binh_Doi_1"


def test_shipped_templates_use_only_their_fields(app):
    from pathlib import Path

    from awards.documents import SHIPPED_DIR
    from service.common.word import template_fields

    for kind in KINDS.values():
        used = template_fields(Path(SHIPPED_DIR, f"{kind.key}.docx").read_bytes())
        assert used <= kind.names, (kind.key, used - kind.names)
        assert {"issuer", "year"} <= used


# --- tờ trình --------------------------------------------------------------------------------


def test_to_trinh_lists_persons_and_units_with_their_achievements(client, council_setup):
    s = council_setup
    res = client.get(
        f"/api/v1/award-lists/{s['list'].id}/documents/to-trinh", headers=s["headers"]["staff_a"]
    )
    d = opened_docx(res)
    disposition = res.headers["Content-Disposition"]
    assert f"filename=to_trinh_{YEAR}_A.docx" in disposition
    disposition.encode("ascii")
    text = text_of(d)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "TỜ TRÌNH" in text and f"Về việc đề nghị khen thưởng năm {YEAR}" in text
    assert re.search(r"Hà Nội, ngày \d\d tháng \d\d năm \d{4}", text)
    assert "Số:" in text and "/TTr-" in text and "Nơi nhận:" in text
    unit_a = s["units"]["A"]
    assert unit_a.name.upper() in text
    assert "đề nghị khen thưởng 2 cá nhân và 1 tập thể" in text
    persons = rows_of(table_after(d, "I. Cá nhân"))
    assert [r[:4] for r in persons] == [
        ["1", "Nguyễn Văn An", unit_a.name, "Chiến sĩ thi đua cơ sở"],
        ["2", "Trần Thị Bình", unit_a.name, "Lao động tiên tiến"],
    ]  # PA1 is over the cap: not proposed
    assert persons[0][4] == "C4: CSTDCS theo quy tắc"
    assert persons[1][4] == "C4: LDTT theo quy tắc; Có thành tích xuất sắc"
    units = rows_of(table_after(d, "II. Tập thể"))
    assert [r[:3] for r in units] == [["1", s["units"]["A1"].name, unit_a.name]]
    assert "Lê Văn Cường" not in text


def test_to_trinh_leaves_out_removed_nominations(client, council_setup):
    s = council_setup
    s["noms"]["PA2"].status = "removed"
    db.session.commit()
    res = client.get(
        f"/api/v1/award-lists/{s['list'].id}/documents/to-trinh", headers=s["headers"]["hr_r"]
    )
    persons = rows_of(table_after(opened_docx(res), "I. Cá nhân"))
    assert [r[1] for r in persons] == ["Nguyễn Văn An"]


# --- quyết định ------------------------------------------------------------------------------


def _decide(s, failed=("PA2",)):
    import datetime as dt

    lst = s["list"]
    for key in failed:
        s["noms"][key].passed = False
    lst.state, lst.decision_no = "decided", "15/QĐ-UBND"
    lst.decision_date, lst.decision_signer = dt.date(2026, 1, 9), "Hoàng Văn Em"
    db.session.commit()


def test_quyet_dinh_needs_a_decision(client, council_setup):
    s = council_setup
    res = client.get(
        f"/api/v1/award-lists/{s['list'].id}/documents/quyet-dinh",
        headers=s["headers"]["committee_a"],
    )
    assert res.status_code == 409
    assert "chưa có quyết định" in res.get_json()["error"]["message"]


def test_quyet_dinh_articles_and_annex_of_the_awarded(client, council_setup):
    s = council_setup
    _decide(s)
    res = client.get(
        f"/api/v1/award-lists/{s['list'].id}/documents/quyet-dinh",
        headers=s["headers"]["committee_a"],
    )
    d = opened_docx(res)
    text = text_of(d)
    assert "Số: 15/QĐ-UBND" in text
    assert "Hà Nội, ngày 09 tháng 01 năm 2026" in text
    assert "QUYẾT ĐỊNH:" in text and "Điều 1." in text and "Điều 3." in text
    assert "cho 2 cá nhân, tập thể" in text  # PA2 failed the vote
    assert "- Chiến sĩ thi đua cơ sở: 1;" in text
    assert "Hoàng Văn Em" in text
    assert "(Kèm theo Quyết định số 15/QĐ-UBND ngày 09/01/2026" in text
    persons = rows_of(table_after(d, "I. Cá nhân"))
    assert [(r[0], r[1], r[4]) for r in persons] == [
        ("1", "Nguyễn Văn An", "Chiến sĩ thi đua cơ sở")
    ]
    units = rows_of(table_after(d, "II. Tập thể"))
    assert [r[1] for r in units] == [s["units"]["A1"].name]
    assert "Trần Thị Bình" not in text


def test_quyet_dinh_names_the_registry_issuer(client, council_setup):
    """Issue 13 item 4: a list decided through the registry shows its issuing body."""
    from awards.models import Decision

    s = council_setup
    _decide(s)
    lst = s["list"]
    lst.decision = Decision(
        year=lst.year, number=lst.decision_no, decided_on=lst.decision_date, level="huyen",
        signer=lst.decision_signer, issuer="Ủy ban nhân dân quận Mẫu", unit_id=lst.unit_id,
    )  # fmt: skip
    db.session.commit()
    res = client.get(
        f"/api/v1/award-lists/{lst.id}/documents/quyet-dinh", headers=s["headers"]["committee_a"]
    )
    text = text_of(opened_docx(res))
    assert "ỦY BAN NHÂN DÂN QUẬN MẪU" in text.upper()
    # signed by its chairman (it read «THỦ TRƯỞNG ỦY BAN NHÂN DÂN…» and «THỦ TRƯỞNG ĐƠN VỊ»)
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN QUẬN MẪU" in text and "THỦ TRƯỞNG" not in text, text
    article_1 = text[text.index("Điều 1.") : text.index("Điều 2.")]
    items = [line for line in article_1.splitlines() if line.startswith("- ")]
    assert items and items[-1].endswith(".") and all(i.endswith(";") for i in items[:-1]), items


@pytest.mark.parametrize(
    ("issuer", "title"),
    [
        ("Ủy ban nhân dân phường Đống Đa", "CHỦ TỊCH"),
        ("UBND phường X", "THỦ TRƯỞNG"),  # an abbreviation is not guessed
        ("Văn phòng HĐND và UBND phường", "THỦ TRƯỞNG"),
        ("Văn phòng Ủy ban nhân dân phường", "THỦ TRƯỞNG"),  # its chief, not the chairman
        ("Đảng ủy phường Đống Đa", "BÍ THƯ"),
        ("Đảng bộ các trường học", "BÍ THƯ"),
        ("Chi bộ Tổ dân phố 3", "BÍ THƯ"),
        ("Trường Tiểu học Kim Liên", "HIỆU TRƯỞNG"),
        ("Sở Nội vụ", "GIÁM ĐỐC"),
        ("Đơn vị A", "THỦ TRƯỞNG"),
    ],
)
def test_documents_sign_with_the_issuers_head_title(issuer, title):
    from awards.docfields import head_title

    assert head_title(issuer) == title


# --- báo cáo thành tích ----------------------------------------------------------------------


def test_bao_cao_thanh_tich_from_the_rules_reasons(client, council_setup):
    s = council_setup
    nom = s["noms"]["PA2"]
    res = client.get(
        f"/api/v1/nominations/{nom.id}/documents/bao-cao-thanh-tich",
        headers=s["headers"]["staff_a"],
    )
    d = opened_docx(res)
    assert "filename=bao_cao_thanh_tich_2025_PA2_LDTT.docx" in res.headers["Content-Disposition"]
    text = text_of(d)
    assert "BÁO CÁO THÀNH TÍCH" in text
    assert "ĐỀ NGHỊ TẶNG LAO ĐỘNG TIÊN TIẾN" in text
    assert "- Họ và tên: Trần Thị Bình" in text
    assert "- Mã: PA2" in text
    assert f"- Đơn vị: {s['units']['A'].name}" in text
    assert "1. C4: LDTT theo quy tắc" in text
    assert "Thành tích đột xuất, tiêu biểu: Có thành tích xuất sắc" in text


def test_bao_cao_of_a_unit_has_no_personal_lines(client, council_setup):
    s = council_setup
    res = client.get(
        f"/api/v1/nominations/{s['noms']['A1'].id}/documents/bao-cao-thanh-tich",
        headers=s["headers"]["staff_a"],
    )
    text = text_of(opened_docx(res))
    assert f"- Tên tập thể: {s['units']['A1'].name}" in text
    assert "Ngày sinh" not in text and "Thành tích đột xuất" not in text


def test_bao_cao_of_a_nomination_over_the_cap_is_refused(client, council_setup):
    s = council_setup
    res = client.get(
        f"/api/v1/nominations/{s['noms']['PA1'].id}/documents/bao-cao-thanh-tich",
        headers=s["headers"]["staff_a"],
    )
    assert res.status_code == 409


# --- biên bản --------------------------------------------------------------------------------


def _paper_published(client, s, yes_by_key):
    sid = opened(client, s, mode="paper")
    assert step(client, s, sid, "close").status_code == 200
    rows = [
        {"nomination_id": s["noms"][k].id, "yes": y, "no": 5 - y} for k, y in yes_by_key.items()
    ]
    res = client.put(
        f"/api/v1/voting-sessions/{sid}/paper-totals",
        json={"items": rows},
        headers=s["headers"]["hd.thuky"],
    )
    assert res.status_code == 200, res.get_json()
    assert step(client, s, sid, "publish").status_code == 200
    return sid


def test_bien_ban_of_a_paper_ballot(client, council_setup):
    s = council_setup
    s["members"]["hd.thuky"].full_name = "Đỗ Thị Giang"
    db.session.commit()
    sid = _paper_published(client, s, {"PA": 3, "PA2": 2, "A1": 5})
    res = client.put(
        f"/api/v1/voting-sessions/{sid}/minutes",
        json={"place": "Phòng họp số 2", "present_count": 5},
        headers=s["headers"]["hd.thuky"],
    )
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["present_count"] == 5
    res = client.get(
        f"/api/v1/voting-sessions/{sid}/documents/bien-ban", headers=s["headers"]["committee_a"]
    )
    d = opened_docx(res)
    assert f"filename=bien_ban_{YEAR}_A_phien{sid}.docx" in res.headers["Content-Disposition"]
    text = text_of(d)
    assert "BIÊN BẢN" in text and "Nơi nhận:" in text
    # closed at 08:30 (the clock), before its planned 10:00: the minutes tell when it ended
    assert "Thời gian: từ 01/12/2025 08:00 đến 01/12/2025 08:30." in text
    assert "Địa điểm: Phòng họp số 2." in text
    assert "Chủ trì: Nguyễn Văn An, Chủ tịch Hội đồng." in text  # the chair's account is PA
    assert "Thư ký: Đỗ Thị Giang." in text
    assert "Thành viên có mặt: 5/5 thành viên Hội đồng (vắng mặt: 0)." in text
    rows = rows_of(d.tables[1])
    by_name = {r[1].split(" (")[0]: r for r in rows}
    strict = "Trên 50 % tổng số thành viên hội đồng"
    assert by_name["Nguyễn Văn An"][3:] == ["3 (60,00 %)", "2 (40,00 %)", strict, "Đạt"]
    assert by_name["Trần Thị Bình"][3:] == ["2 (40,00 %)", "3 (60,00 %)", strict, "Không đạt"]
    assert by_name[s["units"]["A1"].name][6] == "Đạt"
    assert "Kết quả: 2 trường hợp đạt, 1 trường hợp không đạt" in text


def test_bien_ban_threshold_comes_from_the_catalog(client, council_setup):
    """An edited C10 threshold (90 %, not strict) is the one written, and AwardType.passes
    decides: 4 of 5 is 80 %, not enough."""
    from awards.models import AwardCatalogEntry

    s = council_setup
    db.session.add(
        AwardCatalogEntry(
            year=YEAR, code="LDTT", name="Lao động tiên tiến", authority="Thủ trưởng",
            cap_pct=None, vote_pct=90, vote_strict=False, state_level=False, version=2,
        )
    )  # fmt: skip
    db.session.commit()
    sid = _paper_published(client, s, {"PA": 5, "PA2": 4, "A1": 5})
    res = client.get(
        f"/api/v1/voting-sessions/{sid}/documents/bien-ban", headers=s["headers"]["committee_a"]
    )
    rows = {r[1].split(" (")[0]: r for r in rows_of(opened_docx(res).tables[1])}
    assert rows["Trần Thị Bình"][3] == "4 (80,00 %)"
    assert rows["Trần Thị Bình"][5] == "Từ 90 % tổng số thành viên hội đồng trở lên"
    assert rows["Trần Thị Bình"][6] == "Không đạt"


def test_minutes_checks_the_attendance(client, council_setup):
    s = council_setup
    sid = _paper_published(client, s, {"PA": 3, "PA2": 2, "A1": 5})
    url = f"/api/v1/voting-sessions/{sid}/minutes"
    res = client.put(url, json={"present_count": 4}, headers=s["headers"]["hd.thuky"])
    assert res.status_code == 400  # 5 ballots were counted on one nomination
    assert "từ 5" in res.get_json()["error"]["fields"]["present_count"][0]
    res = client.put(url, json={"place": "Hội trường"}, headers=s["headers"]["hd.uyvien1"])
    assert res.status_code == 403  # a plain member does not write the minutes
    res = client.put(url, json={"place": "Hội trường"}, headers=s["headers"]["staff_b"])
    assert res.status_code == 404


def test_minutes_of_a_decided_list_are_locked(client, council_setup, login_session):
    s = council_setup
    sid = _paper_published(client, s, {"PA": 3, "PA2": 2, "A1": 5})
    url = f"/api/v1/voting-sessions/{sid}/minutes"
    res = client.put(url, json={"place": "Hội trường"}, headers=s["headers"]["hd.thuky"])
    assert res.status_code == 200, res.get_json()
    session = db.session.get(VotingSession, sid)
    session.award_list.state = "decided"
    db.session.commit()
    res = client.put(url, json={"place": "Nơi khác"}, headers=s["headers"]["hd.thuky"])
    assert res.status_code == 409 and "đã có quyết định" in res.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(VotingSession, sid).place == "Hội trường"
    login_session(client, s["users"]["hd.thuky"])
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert 'id="minutes"' in page and "Lưu thông tin biên bản" not in page


def test_bien_ban_needs_a_closed_session(client, council_setup):
    s = council_setup
    sid = opened(client, s)
    res = client.get(
        f"/api/v1/voting-sessions/{sid}/documents/bien-ban", headers=s["headers"]["committee_a"]
    )
    assert res.status_code == 409


def test_bien_ban_of_a_secret_ballot_links_no_voter_to_a_vote(client, council_setup, caplog):
    s = council_setup
    names = {"hd.uyvien1": "Vũ Văn Hải", "hd.uyvien2": "Đặng Thị Yến", "hd.uyvien3": "Bùi Văn Khoa"}
    for username, full_name in names.items():
        s["members"][username].full_name = full_name
    db.session.commit()
    sid = opened(client, s)
    noms = s["noms"]
    for who, choice in (
        ("hd.uyvien1", {noms["PA"]: True, noms["PA2"]: False, noms["A1"]: True}),
        ("hd.uyvien2", {noms["PA"]: True, noms["PA2"]: True, noms["A1"]: True}),
        ("hd.uyvien3", {noms["PA"]: False, noms["PA2"]: False, noms["A1"]: True}),
        ("hd.thuky", {noms["PA"]: True, noms["PA2"]: True, noms["A1"]: False}),
    ):
        assert vote(client, s, sid, who, choice).status_code == 201
    assert step(client, s, sid, "close").status_code == 200
    assert step(client, s, sid, "publish").status_code == 200
    audits_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    caplog.set_level(logging.DEBUG)
    res = client.get(
        f"/api/v1/voting-sessions/{sid}/documents/bien-ban", headers=s["headers"]["committee_a"]
    )
    d = opened_docx(res)
    text = text_of(d)
    assert "Thành viên có mặt: 4/5" in text  # the voter register: 4 voted
    rows = {r[1].split(" (")[0]: r for r in rows_of(d.tables[1])}
    assert rows["Nguyễn Văn An"][3:5] == ["3 (60,00 %)", "1 (20,00 %)"]  # the chair did not vote
    voters = [s["members"][k] for k in (*names, "hd.thuky")]
    results = "\n".join(" ".join(r) for r in rows.values())
    for user in voters:
        assert user.username not in text
        assert user.full_name not in results
        for name in names.values():
            assert name not in text
    assert "Ủy viên" not in results
    logged = caplog.text
    for user in voters:
        assert user.username not in logged and user.full_name not in logged
    # reading the minutes writes nothing to the audit log
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits_before


# --- access ----------------------------------------------------------------------------------


def test_documents_follow_the_list_read_check(client, council_setup):
    s = council_setup
    lst, nom = s["list"], s["noms"]["PA"]
    urls = [
        f"/api/v1/award-lists/{lst.id}/documents/to-trinh",
        f"/api/v1/nominations/{nom.id}/documents/bao-cao-thanh-tich",
    ]
    for url in urls:
        assert client.get(url, headers=s["headers"]["staff_b"]).status_code == 404
        assert client.get(url).status_code == 401
        assert client.get(url, headers=s["headers"]["staff_a"]).status_code == 200
    assert client.get(urls[0] + "x", headers=s["headers"]["staff_a"]).status_code == 404
    assert (
        client.get("/api/v1/award-lists/999999/documents/to-trinh", headers=s["headers"]["admin"])
    ).status_code == 404


def test_bien_ban_follows_the_session_read_check(client, council_setup):
    s = council_setup
    sid = _paper_published(client, s, {"PA": 3, "PA2": 2, "A1": 5})
    url = f"/api/v1/voting-sessions/{sid}/documents/bien-ban"
    assert client.get(url, headers=s["headers"]["staff_b"]).status_code == 404
    assert client.get(url, headers=s["headers"]["committee_b"]).status_code == 404
    assert client.get(url, headers=s["headers"]["hd.uyvien1"]).status_code == 200  # a member


def test_bien_ban_leaves_blanks_for_what_was_not_entered(client, council_setup):
    s = council_setup
    sid = _paper_published(client, s, {"PA": 3, "PA2": 2, "A1": 5})
    res = client.get(
        f"/api/v1/voting-sessions/{sid}/documents/bien-ban", headers=s["headers"]["committee_a"]
    )
    text = text_of(opened_docx(res))
    assert "Địa điểm: ……." in text
    assert "Thành viên có mặt: ……/5 thành viên Hội đồng (vắng mặt: ……)." in text


def test_a_submitted_lists_papers_are_dated_the_day_it_was_submitted(client, council_setup):
    """Downloaded again a year later (an archive copy), the tờ trình and a nominee's báo cáo
    keep the day the list was submitted, not the day they are printed."""
    import datetime as dt

    from service.audit.operations import record

    s = council_setup
    lst = s["list"]
    record("submit", "award_list", lst.id, unit_id=lst.unit_id, user=s["users"]["staff_a"])
    db.session.flush()
    db.session.execute(
        AuditEntry.__table__.update()
        .where(AuditEntry.action == "submit")
        .values(at=dt.datetime(2025, 12, 5, 9, 30))
    )
    db.session.commit()
    h = s["headers"]["staff_a"]
    res = client.get(f"/api/v1/award-lists/{lst.id}/documents/to-trinh", headers=h)
    assert "Hà Nội, ngày 05 tháng 12 năm 2025" in text_of(opened_docx(res))
    res = client.get(
        f"/api/v1/nominations/{s['noms']['PA'].id}/documents/bao-cao-thanh-tich", headers=h
    )
    assert "Hà Nội, ngày 05 tháng 12 năm 2025" in text_of(opened_docx(res))
