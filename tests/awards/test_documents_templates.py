"""The replaceable Word templates (issue 13 item 1): an administrator uploads, downloads and
resets a kind's template; a file that is not a .docx, or a template using a field the kind does
not fill (named in the message), is refused and nothing is stored; other roles get 403. And the
pages: the list's "Văn bản" card, the session's "Biên bản" card, the templates page."""

from __future__ import annotations

import io
import re

import docx
import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import opened, step

clock, council_setup = cf.clock, cf.council_setup  # the fixtures
URL = "/api/v1/doc-templates"


@pytest.fixture(autouse=True)
def template_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "doc_templates"
    monkeypatch.setitem(app.config, "DOC_TEMPLATE_DIR", str(folder))
    return folder


def word_file(*lines: str) -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def upload(client, headers, kind, data: bytes, name="mau.docx"):
    return client.put(
        f"{URL}/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def audits(kind: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "doc_template", AuditEntry.object_id == kind
            )
        )
    )


def test_not_a_docx_is_refused_and_nothing_stored(client, tree, template_dir):
    admin = tree["headers"]["admin"]
    for data, name in ((b"just text", "mau.docx"), (b"PK\x03\x04broken", "mau.docx")):
        res = upload(client, admin, "to-trinh", data, name)
        assert res.status_code == 400
        assert "không phải văn bản Word .docx" in res.get_json()["error"]["message"]
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")  # a zip, but a spreadsheet
    res = upload(client, admin, "to-trinh", buf.getvalue())
    assert res.status_code == 400
    assert not template_dir.exists() or not any(template_dir.iterdir())
    assert audits("to_trinh") == []


def test_unknown_field_is_named_and_nothing_stored(client, tree, template_dir):
    data = word_file("{{ issuer }}", "{{ chu_ky_so }} và {{ list.unit_name }}", "{{ nguoi_ky }}")
    res = upload(client, tree["headers"]["admin"], "to-trinh", data)
    assert res.status_code == 400
    message = res.get_json()["error"]["message"]
    assert "chu_ky_so, nguoi_ky" in message
    assert "issuer" not in message.split(":")[1].split(".")[0]  # known fields are not blamed
    assert not template_dir.exists() or not any(template_dir.iterdir())
    assert audits("to_trinh") == []


def test_a_field_of_another_kind_is_unknown(client, tree):
    data = word_file("{{ issuer }} {{ decision.no }}")  # decision belongs to quyết định
    res = upload(client, tree["headers"]["admin"], "to-trinh", data)
    assert res.status_code == 400
    assert "decision" in res.get_json()["error"]["message"]


def test_broken_tag_is_refused(client, tree):
    res = upload(client, tree["headers"]["admin"], "to-trinh", word_file("{{ issuer "))
    assert res.status_code == 400
    assert "thẻ trường không hợp lệ" in res.get_json()["error"]["message"]


def test_admin_replaces_downloads_and_resets(client, council_setup, template_dir):
    s = council_setup
    admin = s["headers"]["admin"]
    shipped = client.get(f"{URL}/to-trinh", headers=admin)
    assert shipped.status_code == 200
    data = word_file("MẪU RIÊNG của {{ issuer }}", "{%p for n in persons %}", "{{ n.name }}",
                     "{%p endfor %}")  # fmt: skip
    res = upload(client, admin, "to-trinh", data, "mau_to_trinh_moi.docx")
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["custom"] is True and body["changed_by"] == "root_admin"
    assert (template_dir / "to_trinh.docx").read_bytes() == data
    assert client.get(f"{URL}/to-trinh", headers=admin).data == data
    res = client.get(
        f"/api/v1/award-lists/{s['list'].id}/documents/to-trinh", headers=s["headers"]["staff_a"]
    )
    lines = [p.text for p in docx.Document(io.BytesIO(res.data)).paragraphs]
    assert lines == [f"MẪU RIÊNG của {s['units']['A'].name}", "Nguyễn Văn An", "Trần Thị Bình"]
    entry = audits("to_trinh")[-1]
    assert entry.action == "upload" and entry.after["filename"] == "mau_to_trinh_moi.docx"
    res = client.delete(f"{URL}/to-trinh", headers=admin)
    assert res.status_code == 200 and res.get_json()["custom"] is False
    assert not (template_dir / "to_trinh.docx").exists()
    assert client.get(f"{URL}/to-trinh", headers=admin).data == shipped.data
    assert [e.action for e in audits("to_trinh")] == ["upload", "reset"]
    items = client.get(URL, headers=admin).get_json()["items"]
    assert [i["kind"] for i in items] == [
        "to-trinh",
        "bien-ban",
        "quyet-dinh",
        "bao-cao-thanh-tich",
    ]
    assert "persons" in items[0]["fields"]


def test_only_admins_manage_templates(client, council_setup, template_dir):
    s = council_setup
    data = word_file("{{ issuer }}")
    for who in ("staff_a", "hr_r", "committee_a", "hd.chutich"):
        h = s["headers"][who]
        assert upload(client, h, "to-trinh", data).status_code == 403
        assert client.get(URL, headers=h).status_code == 403
        assert client.get(f"{URL}/to-trinh", headers=h).status_code == 403
        assert client.delete(f"{URL}/to-trinh", headers=h).status_code == 403
    assert not template_dir.exists() or not any(template_dir.iterdir())
    assert client.get(f"{URL}/khong-co", headers=s["headers"]["admin"]).status_code == 404


# --- pages -----------------------------------------------------------------------------------


def test_list_page_has_the_documents_card(client, council_setup, login_session):
    s = council_setup
    login_session(client, s["users"]["staff_a"])
    page = client.get(f"/awards/lists/{s['list'].id}").get_data(as_text=True)
    assert 'id="documents"' in page
    assert f"/awards/lists/{s['list'].id}/documents/to-trinh" in page
    assert "quyet-dinh" not in page  # not decided yet
    # each nominee's report from their row, whichever page or search finds them
    links = re.findall(r'documents/bao-cao-thanh-tich\?nomination=(\d+)"', page)
    assert {int(o) for o in links} == {s["noms"][k].id for k in ("PA", "PA2", "A1")}
    page = client.get(f"/awards/lists/{s['list'].id}?q=PA2").get_data(as_text=True)
    links = re.findall(r'documents/bao-cao-thanh-tich\?nomination=(\d+)"', page)
    assert [int(o) for o in links] == [s["noms"]["PA2"].id]
    res = client.get(f"/awards/lists/{s['list'].id}/documents/to-trinh")
    assert res.status_code == 200 and res.data[:2] == b"PK"
    res = client.get(
        f"/awards/lists/{s['list'].id}/documents/bao-cao-thanh-tich",
        query_string={"nomination": s["noms"]["PA"].id},
    )
    assert res.status_code == 200
    assert "bao_cao_thanh_tich_2025_PA_CSTDCS.docx" in res.headers["Content-Disposition"]
    login_session(client, s["users"]["staff_b"])
    assert client.get(f"/awards/lists/{s['list'].id}/documents/to-trinh").status_code == 404


def test_session_page_minutes_form_and_download(client, council_setup, login_session):
    s = council_setup
    sid = opened(client, s, mode="paper")
    assert step(client, s, sid, "close").status_code == 200
    login_session(client, s["users"]["hd.thuky"])
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert 'id="minutes"' in page and "Lưu thông tin biên bản" in page
    # before the ballot, which may hold hundreds of nominations
    assert page.index('id="minutes"') < page.index('id="ballot-items"')
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post(
        f"/awards/voting-sessions/{sid}/minutes",
        data={"csrf_token": token, "place": "Hội trường tầng 3", "present_count": "5"},
    )
    assert res.status_code == 302
    page = client.get(f"/awards/voting-sessions/{sid}").get_data(as_text=True)
    assert "Hội trường tầng 3" in page
    assert f"/awards/voting-sessions/{sid}/documents/bien-ban" in page
    res = client.get(f"/awards/voting-sessions/{sid}/documents/bien-ban")
    assert res.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(res.data)).paragraphs)
    assert "Địa điểm: Hội trường tầng 3." in text and "5/5 thành viên" in text


def test_templates_page_upload_refusal_shown(client, tree, login_session, template_dir):
    login_session(client, tree["users"]["admin"])
    page = client.get("/awards/doc-templates").get_data(as_text=True)
    assert "Mẫu văn bản Word" in page and "Tờ trình đề nghị khen thưởng" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post(
        "/awards/doc-templates/bien-ban/upload",
        data={"csrf_token": token, "file": (io.BytesIO(word_file("{{ ai_bau_gi }}")), "x.docx")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 400
    assert "ai_bau_gi" in res.get_data(as_text=True)
    assert not template_dir.exists() or not any(template_dir.iterdir())
    res = client.post(
        "/awards/doc-templates/bien-ban/upload",
        data={"csrf_token": token, "file": (io.BytesIO(word_file("{{ chair }}")), "x.docx")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    assert (template_dir / "bien_ban.docx").exists()
    res = client.post("/awards/doc-templates/bien-ban/reset", data={"csrf_token": token})
    assert res.status_code == 302 and not (template_dir / "bien_ban.docx").exists()


def test_templates_page_is_for_admins(client, tree, login_session):
    login_session(client, tree["users"]["staff_a"])
    assert client.get("/awards/doc-templates").status_code == 403


def test_a_template_failing_while_filling_answers_409(client, council_setup):
    s = council_setup
    admin = s["headers"]["admin"]
    data = word_file("{{ persons[9].name.first }}|{{ list.nothing.deeper }}|{{ year }}")
    assert upload(client, admin, "to-trinh", data).status_code == 200
    url = f"/api/v1/award-lists/{s['list'].id}/documents/to-trinh"
    res = client.get(url, headers=s["headers"]["staff_a"])
    assert [p.text for p in docx.Document(io.BytesIO(res.data)).paragraphs] == ["||2025"]
    assert upload(client, admin, "to-trinh", word_file("{{ year // 0 }}")).status_code == 200
    res = client.get(url, headers=s["headers"]["staff_a"])
    assert res.status_code == 409
    assert "trở lại mẫu gốc" in res.get_json()["error"]["message"]


def test_decided_list_page_links_the_decision(client, council_setup, login_session):
    from tests.awards.test_documents import _decide

    s = council_setup
    _decide(s)
    login_session(client, s["users"]["committee_a"])
    page = client.get(f"/awards/lists/{s['list'].id}").get_data(as_text=True)
    link = f"/awards/lists/{s['list'].id}/documents/quyet-dinh"
    assert link in page
    res = client.get(link)
    assert res.status_code == 200
    assert "filename=quyet_dinh_2025_A.docx" in res.headers["Content-Disposition"]


def test_menu_shows_the_templates_page_to_admins_only(client, tree, login_session):
    login_session(client, tree["users"]["admin"])
    assert "/awards/doc-templates" in client.get("/", follow_redirects=True).get_data(as_text=True)
    login_session(client, tree["users"]["committee_a"])
    assert "/awards/doc-templates" not in client.get("/", follow_redirects=True).get_data(
        as_text=True
    )
