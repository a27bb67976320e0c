"""Dossiers of award lists and nominations (issue 13 item 2): typed attachments uploaded,
listed, downloaded and removed with a reason through the API and the pages; refusals store
nothing (no row, no file); access per role and unit; audit entries."""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from awards.models import AwardList, Nomination
from service.audit.models import AuditEntry
from service.extensions import db
from service.files.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.fixture
def files_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "att"))
    return tmp_path / "att"


def stored_files(root) -> list[str]:
    if not root.exists():
        return []
    return [os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names]


@pytest.fixture
def dossier(tree, create_user, bearer):
    a = tree["units"]["A"]
    lst = AwardList(year=2025, unit_id=a.id)
    db.session.add(lst)
    db.session.flush()
    pa = tree["people"]["PA"]
    nom = Nomination(
        list_id=lst.id, year=2025, subject="person", subject_key=f"p{pa.id}", person_id=pa.id,
        award="LDTT", status="proposed",
    )  # fmt: skip
    db.session.add(nom)
    canbo = create_user(username="canbo_pa")
    canbo.person_id = pa.id
    db.session.commit()
    return {"list": lst, "nomination": nom, "canbo": canbo, "h_canbo": bearer(canbo)}


def download(client, url, headers=None):
    """The answer, read whole and closed (a sent file holds its file open until then)."""
    res = client.get(url, headers=headers or {})
    res.get_data()
    res.close()
    return res


def upload(client, h, kind, owner_id, data=PDF, name="To trinh.pdf", doc_type="to_trinh"):
    body = {"file": FileStorage(io.BytesIO(data), filename=name)}
    if doc_type is not None:
        body["doc_type"] = doc_type
    # encoded here in memory: the test client spools a large body to a file it never closes
    stream, length, boundary = stream_encode_multipart(body, use_tempfile=False)
    return client.post(
        f"/api/v1/attachments/{kind}/{owner_id}",
        data=stream.getvalue(),
        headers=h,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def test_upload_list_download_remove_through_the_api(client, tree, dossier, files_dir):
    h = tree["headers"]["staff_a"]
    lst = dossier["list"]
    res = upload(client, h, "award_list", lst.id, name="Tờ trình số 12.pdf")
    assert res.status_code == 201, res.get_json()
    att = res.get_json()
    assert att["doc_type_label"] == "Tờ trình" and att["filename"] == "Tờ trình số 12.pdf"
    assert att["size"] == len(PDF) and att["content_type"] == "application/pdf"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", att["added_at"])
    # stored content-addressed, never under the user's name; no temporary file left
    files = stored_files(files_dir)
    assert len(files) == 1 and files[0].endswith(att["sha256"]) and "Tờ" not in files[0]
    row = db.session.get(Attachment, att["id"])
    assert row.added_by == tree["users"]["staff_a"].id

    listed = client.get(f"/api/v1/attachments/award_list/{lst.id}", headers=h).get_json()
    assert [i["id"] for i in listed["items"]] == [att["id"]]
    assert listed["may_write"] is True and listed["items"][0]["added_by_name"]
    assert {t["code"] for t in listed["doc_types"]} == {
        "to_trinh", "bao_cao_thanh_tich", "bien_ban", "quyet_dinh", "y_kien", "khac",
    }  # fmt: skip

    got = download(client, att["url"], h)
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''T%E1%BB%9D" in disposition

    # a nomination's dossier, a docx
    nom = dossier["nomination"]
    res = upload(client, h, "nomination", nom.id, docx_bytes(), "BC.docx", "bao_cao_thanh_tich")
    assert res.status_code == 201, res.get_json()

    # removal needs a reason, then keeps the row, hidden unless asked
    res = client.post(f"/api/v1/attachments/{att['id']}/remove", json={"reason": " "}, headers=h)
    assert res.status_code == 400
    assert res.get_json()["error"]["message"] == "Gỡ tệp cần có lý do."
    assert res.get_json()["error"]["fields"] == {"reason": ["Cần nhập lý do gỡ tệp."]}
    res = client.post(
        f"/api/v1/attachments/{att['id']}/remove", json={"reason": "Nhầm bản"}, headers=h
    )
    assert res.status_code == 200 and res.get_json()["removed"] is True
    listed = client.get(f"/api/v1/attachments/award_list/{lst.id}", headers=h).get_json()
    assert listed["items"] == []
    listed = client.get(f"/api/v1/attachments/award_list/{lst.id}?removed=true", headers=h)
    (item,) = listed.get_json()["items"]
    assert item["removed_reason"] == "Nhầm bản" and item["removed_by_name"]
    res = client.post(f"/api/v1/attachments/{att['id']}/remove", json={"reason": "x"}, headers=h)
    assert res.status_code == 409
    db.session.expire_all()
    assert db.session.get(Attachment, att["id"]).removed_reason == "Nhầm bản"

    actions = [
        (e.action, e.object_type, e.object_id, e.unit_id)
        for e in db.session.query(AuditEntry).filter_by(object_type="attachment")
    ]
    a_id = tree["units"]["A"].id
    assert ("attach", "attachment", str(att["id"]), a_id) in actions
    assert ("remove", "attachment", str(att["id"]), a_id) in actions
    removal = db.session.query(AuditEntry).filter_by(object_type="attachment", action="remove")
    assert removal.one().after["removed_reason"] == "Nhầm bản"


@pytest.mark.parametrize(
    ("data", "name", "doc_type", "status", "message"),
    [
        (b"MZ\x90\x00", "virus.exe", "khac", 400, "Không nhận loại tệp «.exe»"),
        (b"hello", "ghichu", "khac", 400, "Không nhận loại tệp không có phần mở rộng"),
        (b"<html>", "fake.pdf", "khac", 400, "Nội dung tệp không khớp với phần mở rộng .pdf"),
        (PDF, "doc.docx", "khac", 400, "Nội dung tệp không khớp với phần mở rộng .docx"),
        (b"", "empty.pdf", "khac", 400, "Tệp rỗng."),
        (PDF, "a.pdf", "bang_chung", 400, "Chọn loại tài liệu của tệp."),
        (PDF, "a.pdf", None, 400, "Chọn loại tài liệu của tệp."),
    ],
)
def test_refused_uploads_store_nothing(
    client, tree, dossier, files_dir, data, name, doc_type, status, message
):
    h = tree["headers"]["staff_a"]
    res = upload(client, h, "award_list", dossier["list"].id, data, name, doc_type)
    assert res.status_code == status, res.get_json()
    assert res.get_json()["error"]["message"].startswith(message), res.get_json()
    assert db.session.query(Attachment).count() == 0
    assert stored_files(files_dir) == []


def test_too_large_refused_unread_or_while_streamed(app, client, tree, dossier, files_dir):
    h = tree["headers"]["staff_a"]
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    big = PDF + b"0" * (limit + 100 * 1024)  # announced larger: refused before reading
    res = upload(client, h, "award_list", dossier["list"].id, big, "big.pdf")
    assert res.status_code == 413
    assert res.get_json()["error"]["message"] == "Tệp quá lớn: mỗi tệp tối đa 10 MB."
    # just over the limit (within the form's slack): stopped while streamed to disk
    just = PDF + b"0" * (limit - len(PDF) + 1)
    res = upload(client, h, "award_list", dossier["list"].id, just, "just.pdf")
    assert res.status_code == 413 and "tối đa 10 MB" in res.get_json()["error"]["message"]
    assert db.session.query(Attachment).count() == 0
    assert stored_files(files_dir) == []


def test_a_failed_commit_leaves_no_file(app, client, tree, dossier, files_dir):
    """The file is moved into place only after the commit: a commit that fails (here a unique
    key taken meanwhile, answered 409) leaves neither the row nor the file."""
    from sqlalchemy import event
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from service.files import store

    def fail(session):
        if session.info.get(store.PENDING):
            raise IntegrityError("INSERT", {}, Exception("taken"))

    event.listen(Session, "before_commit", fail)
    try:
        res = upload(client, tree["headers"]["staff_a"], "award_list", dossier["list"].id)
    finally:
        event.remove(Session, "before_commit", fail)
    assert res.status_code == 409, res.get_json()
    assert db.session.query(Attachment).count() == 0
    assert stored_files(files_dir) == []


ROLES = ["staff_a", "staff_b", "hr_r", "committee_a", "canbo"]
# role -> (may read, may write) the dossier of A's list
ACCESS = {
    "staff_a": (True, True),
    "committee_a": (True, True),
    "hr_r": (True, False),
    "staff_b": (False, False),
    "canbo": (False, False),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["award_list", "nomination"])
def test_access_per_role(client, tree, dossier, files_dir, role, kind):
    owner = dossier["list"] if kind == "award_list" else dossier["nomination"]
    staff = tree["headers"]["staff_a"]
    att = upload(client, staff, kind, owner.id).get_json()
    h = dossier["h_canbo"] if role == "canbo" else tree["headers"][role]
    may_read, may_write = ACCESS[role]

    listed = client.get(f"/api/v1/attachments/{kind}/{owner.id}", headers=h)
    got = download(client, att["url"], h)
    if may_read:
        assert listed.status_code == 200 and listed.get_json()["may_write"] is may_write
        assert got.status_code == 200 and got.data == PDF
    else:  # not told it exists
        assert listed.status_code == 404 and got.status_code == 404

    res = upload(client, h, kind, owner.id, name="y_kien.pdf", doc_type="y_kien")
    removed = client.post(
        f"/api/v1/attachments/{att['id']}/remove", json={"reason": "r"}, headers=h
    )
    if may_write:
        assert res.status_code == 201 and removed.status_code == 200
    else:
        expected = 403 if may_read else 404
        assert res.status_code == expected and removed.status_code == expected
        assert db.session.query(Attachment).count() == 1
        db.session.expire_all()
        assert db.session.get(Attachment, att["id"]).removed_at is None


def test_unknown_kind_and_ids_are_404(client, tree, dossier):
    h = tree["headers"]["staff_a"]
    assert client.get("/api/v1/attachments/nope/1", headers=h).status_code == 404
    assert client.get("/api/v1/attachments/award_list/999999", headers=h).status_code == 404
    assert client.get("/api/v1/attachments/999999/file", headers=h).status_code == 404
    res = client.post("/api/v1/attachments/999999/remove", json={"reason": "x"}, headers=h)
    assert res.status_code == 404
    assert upload(client, h, "award_list", 999999).status_code == 404


# --- pages ---------------------------------------------------------------------------------


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_list_page_card_upload_download_remove(client, tree, dossier, files_dir, login_session):
    login_session(client, tree["users"]["staff_a"])
    lst, nom = dossier["list"], dossier["nomination"]
    xlsx = xlsx_bytes()
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert 'id="dossier"' in page and "Chưa có tệp nào" in page and "Thêm tệp" in page
    assert f"/awards/nominations/{nom.id}/dossier" in page  # the row's link
    token = csrf(page)
    res = client.post(
        f"/attachments/award_list/{lst.id}/upload",
        data={"file": (io.BytesIO(xlsx), "Biên bản họp.xlsx"), "doc_type": "bien_ban",
              "csrf_token": token},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert res.status_code == 302 and res.location.endswith(f"/awards/lists/{lst.id}#dossier")
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Đã thêm tệp «Biên bản họp.xlsx» vào hồ sơ." in page
    assert "Biên bản</td>" in page and "Biên bản họp.xlsx" in page
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", page)
    att = db.session.query(Attachment).one()
    assert f"/api/v1/attachments/{att.id}/file" in page
    assert download(client, f"/api/v1/attachments/{att.id}/file").data == xlsx

    # refused on the page with the reason, nothing stored
    res = client.post(
        f"/attachments/award_list/{lst.id}/upload",
        data={"file": (io.BytesIO(b"not a pdf"), "x.pdf"), "doc_type": "khac", "csrf_token": token},
        content_type="multipart/form-data",
    )
    page = client.get(res.location).get_data(as_text=True)
    assert "Nội dung tệp không khớp với phần mở rộng .pdf" in page
    assert db.session.query(Attachment).count() == 1 and len(stored_files(files_dir)) == 1

    # removal without a reason refused, then with one: shown under "Đã gỡ" with its reason
    res = client.post(f"/attachments/{att.id}/remove", data={"reason": "", "csrf_token": token})
    page = client.get(res.location).get_data(as_text=True)
    assert "Gỡ tệp cần có lý do." in page
    res = client.post(
        f"/attachments/{att.id}/remove", data={"reason": "Bản cũ", "csrf_token": token}
    )
    assert res.status_code == 302
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "Đã gỡ (1)" in page and "lý do: Bản cũ" in page and "Chưa có tệp nào" in page


def test_nomination_dossier_page(client, tree, dossier, files_dir, login_session):
    nom = dossier["nomination"]
    login_session(client, tree["users"]["committee_a"])
    page = client.get(f"/awards/nominations/{nom.id}/dossier").get_data(as_text=True)
    assert "Hồ sơ: Nguyễn Văn An" in page and "Báo cáo thành tích" in page
    res = client.post(
        f"/attachments/nomination/{nom.id}/upload",
        data={"file": (io.BytesIO(docx_bytes()), "BCTT.docx"), "doc_type": "bao_cao_thanh_tich",
              "csrf_token": csrf(page)},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert res.status_code == 302 and res.location.endswith(f"/awards/nominations/{nom.id}/dossier")
    page = client.get(res.location).get_data(as_text=True)
    assert "BCTT.docx" in page

    # hr reads without forms; staff of another unit is told nothing
    login_session(client, tree["users"]["hr_r"])
    page = client.get(f"/awards/nominations/{nom.id}/dossier").get_data(as_text=True)
    assert "BCTT.docx" in page and "Thêm tệp" not in page and "Lý do gỡ" not in page
    login_session(client, tree["users"]["staff_b"])
    assert client.get(f"/awards/nominations/{nom.id}/dossier").status_code == 404
    page = client.get(f"/awards/lists/{dossier['list'].id}")
    assert page.status_code == 404


def test_too_large_on_the_page_is_refused_with_the_limit(app, client, tree, dossier, files_dir):
    lst = dossier["list"]
    with client.session_transaction() as sess:
        sess["_user_id"] = tree["users"]["staff_a"].get_id()
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    assert "mỗi tệp tối đa 10 MB" in page
    limit = app.config["ATTACHMENT_MAX_BYTES"]

    def post(size):
        body = {"file": FileStorage(io.BytesIO(PDF + b"0" * size), filename="big.pdf"),
                "doc_type": "khac", "csrf_token": csrf(page)}  # fmt: skip
        stream, _length, boundary = stream_encode_multipart(body, use_tempfile=False)
        return client.post(
            f"/attachments/award_list/{lst.id}/upload",
            data=stream.getvalue(),
            content_type=f'multipart/form-data; boundary="{boundary}"',
        )

    res = post(limit + 100 * 1024)  # announced larger: an error page, the body unread
    assert res.status_code == 413
    assert "Tệp quá lớn: mỗi tệp tối đa 10 MB." in res.get_data(as_text=True)
    res = post(limit)  # just over, found while streamed: back on the list with the message
    assert res.status_code == 302
    page = client.get(res.location).get_data(as_text=True)
    assert "Tệp quá lớn: mỗi tệp tối đa 10 MB." in page
    assert db.session.query(Attachment).count() == 0 and stored_files(files_dir) == []


def test_a_decided_lists_dossiers_keep_only_the_decision_open(
    client, tree, dossier, files_dir, login_session
):
    """Once the list is decided its dossiers are the record: nothing but the signed decision
    («Quyết định») may be added or removed, through the API and the page; refusals store
    nothing."""
    h = tree["headers"]["staff_a"]
    lst, nom = dossier["list"], dossier["nomination"]
    res = upload(client, h, "award_list", lst.id)
    assert res.status_code == 201, res.get_json()
    kept = res.get_json()["id"]
    lst.state = "decided"
    db.session.commit()
    for kind, owner in (("award_list", lst.id), ("nomination", nom.id)):
        res = upload(client, h, kind, owner, doc_type="bao_cao_thanh_tich")
        assert res.status_code == 409, res.get_json()
        assert "đã có quyết định" in res.get_json()["error"]["message"]
    assert db.session.query(Attachment).count() == 1 and len(stored_files(files_dir)) == 1
    res = client.post(f"/api/v1/attachments/{kept}/remove", json={"reason": "Nhầm"}, headers=h)
    assert res.status_code == 409 and db.session.get(Attachment, kept).removed_at is None
    res = upload(client, h, "award_list", lst.id, name="QD 15.pdf", doc_type="quyet_dinh")
    assert res.status_code == 201, res.get_json()
    listed = client.get(f"/api/v1/attachments/award_list/{lst.id}", headers=h).get_json()
    assert [t["code"] for t in listed["open_types"]] == ["quyet_dinh"]
    assert "đã có quyết định" in listed["closed"]

    login_session(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/lists/{lst.id}").get_data(as_text=True)
    card = page[page.index('id="dossier"') :]
    assert "đã có quyết định" in card and 'value="quyet_dinh"' in card
    assert 'value="to_trinh"' not in card
    assert card.count(">Gỡ</button>") == 1  # only the decision's file
