"""Evidence files of the violation records (issue 13 item 2) in the core's file store: staff
of the person's unit add and remove them, committee and HR read them, others are told nothing;
the record's dossier page is linked from the person's page."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from evaluation.models import Violation
from service.audit.models import AuditEntry
from service.extensions import db
from service.files.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
YEAR = 2025


@pytest.fixture
def world(app, tmp_path, monkeypatch, create_unit, create_person, create_user, bearer, create_year):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "att"))
    r = create_unit("R", quota_root=True)
    a = create_unit("A", r)
    b = create_unit("B", r)
    pa = create_person(a, code="PA", full_name="Nguyễn Văn An")
    row = create_year(YEAR)
    v = Violation(year_id=row.id, person_id=pa.id, code="1.03", evidence="Biên bản kiểm tra")
    db.session.add(v)
    users = {
        "staff_a": create_user(username="v_staff_a", roles=[("staff", a)]),
        "staff_b": create_user(username="v_staff_b", roles=[("staff", b)]),
        "hr_r": create_user(username="v_hr_r", roles=[("hr", r)]),
        "committee_a": create_user(username="v_committee_a", roles=[("committee", a)]),
        "canbo": create_user(username="v_canbo"),
    }
    users["canbo"].person_id = pa.id
    db.session.commit()
    return {"v": v, "users": users, "h": {k: bearer(u) for k, u in users.items()}}


def upload(client, h, owner_id, data=PNG, name="anh chup.png", doc_type="bang_chung"):
    body = {"file": FileStorage(io.BytesIO(data), filename=name), "doc_type": doc_type}
    stream, _length, boundary = stream_encode_multipart(body, use_tempfile=False)
    return client.post(
        f"/api/v1/attachments/violation/{owner_id}",
        data=stream.getvalue(),
        headers=h,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


# role -> (may read, may write)
ACCESS = {
    "staff_a": (True, True),
    "committee_a": (True, False),
    "hr_r": (True, False),
    "staff_b": (False, False),
    "canbo": (False, False),
}


@pytest.mark.parametrize("role", list(ACCESS))
def test_violation_evidence_access_per_role(client, world, role):
    v = world["v"]
    att = upload(client, world["h"]["staff_a"], v.id)
    assert att.status_code == 201, att.get_json()
    att = att.get_json()
    assert att["doc_type_label"] == "Bằng chứng" and att["content_type"] == "image/png"
    h = world["h"][role]
    may_read, may_write = ACCESS[role]
    listed = client.get(f"/api/v1/attachments/violation/{v.id}", headers=h)
    got = client.get(att["url"], headers=h)
    got.get_data()
    got.close()
    assert listed.status_code == (200 if may_read else 404)
    assert got.status_code == (200 if may_read else 404)
    res = upload(client, h, v.id, doc_type="khac")
    removed = client.post(
        f"/api/v1/attachments/{att['id']}/remove", json={"reason": "Ảnh mờ"}, headers=h
    )
    expected = (201, 200) if may_write else ((403, 403) if may_read else (404, 404))
    assert (res.status_code, removed.status_code) == expected


def test_refused_evidence_and_audit(client, world):
    h, v = world["h"]["staff_a"], world["v"]
    res = upload(client, h, v.id, data=b"GIF89a....", name="anh.png")
    assert res.status_code == 400
    assert "không khớp với phần mở rộng .png" in res.get_json()["error"]["message"]
    res = upload(client, h, v.id, doc_type="to_trinh")  # an award type, not a violation's
    assert res.status_code == 400 and "doc_type" in res.get_json()["error"]["fields"]
    assert db.session.query(Attachment).count() == 0
    att = upload(client, h, v.id).get_json()
    audit = db.session.query(AuditEntry).filter_by(object_type="attachment").one()
    assert audit.action == "attach" and audit.after["owner_kind"] == "violation"
    assert audit.object_id == str(att["id"])


def test_dossier_page_linked_from_the_person_page(client, world, login_session):
    v = world["v"]
    login_session(client, world["users"]["staff_a"])
    page = client.get(f"/evaluation/{YEAR}/people/PA").get_data(as_text=True)
    assert f"/attachments/violation/{v.id}" in page and "Tệp chứng cứ" in page
    page = client.get(f"/attachments/violation/{v.id}").get_data(as_text=True)
    assert "Hồ sơ: Vi phạm 1.03 năm 2025 — Nguyễn Văn An" in page and "Bằng chứng" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post(
        f"/attachments/violation/{v.id}/upload",
        data={"file": (io.BytesIO(PNG), "bien_ban.png"), "doc_type": "bang_chung",
              "csrf_token": token},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert res.status_code == 302 and res.location.endswith(f"/attachments/violation/{v.id}")
    assert "bien_ban.png" in client.get(res.location).get_data(as_text=True)
    # the person sees their own page, without the link to a dossier they may not read
    login_session(client, world["users"]["canbo"])
    page = client.get(f"/evaluation/{YEAR}/people/PA").get_data(as_text=True)
    assert "1.03" in page and "Tệp chứng cứ" not in page
    assert client.get(f"/attachments/violation/{v.id}").status_code == 404
