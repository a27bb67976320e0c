"""The award catalog of a year (issue 12 item 1): stored per year (a code never edited reads as
the shipped default), edited by administrators through PATCH /api/v1/years/<y>/award-catalog/<code>
until the year's first decided list; what catalog_of returns is what proposals apply (C2 cap)."""

from __future__ import annotations

from sqlalchemy import func, select

from awards.catalog_year import catalog_of
from awards.models import AwardCatalogEntry, AwardList
from awards.rules import DEFAULT_AWARDS
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards.test_example_awards_pipeline import (  # noqa: F401 - fixtures
    expected,
    proposals,
    read_all,
)
from tests.awards.test_initiatives_pages import csrf

URL = "/api/v1/years/2026/award-catalog"


def patch(client, h, code, /, **body):
    return client.patch(f"{URL}/{code}", json=body, headers=h)


def test_default_catalog_read_writes_nothing(client, tree):
    res = client.get(URL, headers=tree["headers"]["committee_a"])
    assert res.status_code == 200
    body = res.get_json()
    assert [i["code"] for i in body["items"]] == list(DEFAULT_AWARDS)
    cst = next(i for i in body["items"] if i["code"] == "CSTDCS")
    assert cst["cap_pct"] == 15 and cst["rule"] == "C2" and cst["kinds"] == ["person"]
    assert cst["version"] == 1 and body["locked"] is False and body["editable"] is False
    assert db.session.scalar(select(func.count()).select_from(AwardCatalogEntry)) == 0
    assert catalog_of(2026) == dict(DEFAULT_AWARDS)


def test_admin_edit_changes_catalog_of_and_is_audited(client, tree):
    h = tree["headers"]["admin"]
    res = patch(client, h, "CSTD_TP", name="  CSTĐ thành phố ", vote_pct=80, version=1)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["version"] == 2 and res.get_json()["name"] == "CSTĐ thành phố"
    t = catalog_of(2026)["CSTD_TP"]
    assert (t.name, t.vote_pct, t.vote_strict, t.rule) == ("CSTĐ thành phố", 80, False, "C3")
    assert catalog_of(2025)["CSTD_TP"] == DEFAULT_AWARDS["CSTD_TP"]  # other years untouched
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "award_catalog")
    ).one()
    assert entry.object_id == "2026/CSTD_TP" and entry.action == "update"
    assert entry.before == {"name": "Chiến sĩ thi đua thành phố", "vote_pct": 90}
    assert entry.after == {"name": "CSTĐ thành phố", "vote_pct": 80}
    res = patch(client, h, "CSTD_TP", cap_pct=None, vote_strict=True, version=2)
    assert res.status_code == 200 and res.get_json()["version"] == 3
    assert catalog_of(2026)["CSTD_TP"].vote_strict is True


def test_validation_errors_save_nothing(client, tree):
    h = tree["headers"]["admin"]
    for body, field in [
        ({"cap_pct": 101}, "cap_pct"),
        ({"cap_pct": -1}, "cap_pct"),
        ({"vote_pct": 0}, "vote_pct"),
        ({"name": "   "}, "name"),
        ({"authority": ""}, "authority"),
        ({"code": "X"}, "code"),
        ({"rule": "C9"}, "rule"),
        ({"kinds": ["unit"]}, "kinds"),
    ]:
        res = patch(client, h, "CSTDCS", version=1, **body)
        assert res.status_code in (400, 422), (body, res.get_json())
        assert field in str(res.get_json()), res.get_json()
    assert patch(client, h, "CSTDCS", cap_pct=20).status_code in (400, 422)  # no version
    assert patch(client, h, "NOPE", cap_pct=20, version=1).status_code == 404
    assert catalog_of(2026) == dict(DEFAULT_AWARDS)
    assert db.session.scalar(select(func.count()).select_from(AwardCatalogEntry)) == 0


def test_only_administrators_edit(client, tree):
    for role in ("staff_a", "hr_r", "committee_a"):
        res = patch(client, tree["headers"][role], "CSTDCS", cap_pct=20, version=1)
        assert res.status_code == 403, role
        assert "quản trị viên" in res.get_json()["error"]["message"]
    assert catalog_of(2026)["CSTDCS"].cap_pct == 15


def test_locked_after_a_decided_list(client, tree):
    h = tree["headers"]["admin"]
    db.session.add(AwardList(year=2026, unit_id=tree["units"]["A"].id, state="decided"))
    db.session.commit()  # into the test's outer transaction: the 409 below rolls back its own
    res = patch(client, h, "CSTDCS", cap_pct=20, version=1)
    assert res.status_code == 409
    assert "Đã khóa: năm đã có quyết định khen thưởng" in res.get_json()["error"]["message"]
    assert catalog_of(2026)["CSTDCS"].cap_pct == 15
    assert client.get(URL, headers=h).get_json()["locked"] is True
    res = client.patch(
        "/api/v1/years/2025/award-catalog/CSTDCS", json={"cap_pct": 20, "version": 1}, headers=h
    )
    assert res.status_code == 200  # another year stays editable


def test_stale_version_answers_409(client, tree):
    h = tree["headers"]["admin"]
    assert patch(client, h, "GK", name="Giấy khen (sửa)", version=1).status_code == 200
    res = patch(client, h, "GK", name="Giấy khen (cũ)", version=1)
    assert res.status_code == 409 and "phiên bản hiện tại là 2" in str(res.get_json())
    assert catalog_of(2026)["GK"].name == "Giấy khen (sửa)"


def test_c2_cap_of_the_catalog_changes_the_over_cap_count(client, proposals):  # noqa: F811
    h, year, answer = proposals
    over = [i for i in answer["items"] if i["status"] == "over_cap"]
    kept = [i for i in answer["items"] if i["award"] == "CSTDCS" and i["status"] == "proposed"]
    assert over, "the example has over-cap CSTĐCS"
    res = client.patch(
        f"/api/v1/years/{year}/award-catalog/CSTDCS",
        json={"cap_pct": None, "version": 1},
        headers=h,
    )
    assert res.status_code == 200, res.get_json()
    again = read_all(client, h, year)
    assert [i for i in again["items"] if i["status"] == "over_cap"] == []
    kept_now = [i for i in again["items"] if i["award"] == "CSTDCS" and i["status"] == "proposed"]
    assert len(kept_now) == len(kept) + len(over)
    res = client.patch(
        f"/api/v1/years/{year}/award-catalog/CSTDCS", json={"cap_pct": 0, "version": 2}, headers=h
    )
    assert res.status_code == 200
    zero = read_all(client, h, year)
    assert [i for i in zero["items"] if i["award"] == "CSTDCS" and i["status"] == "proposed"] == []
    assert len([i for i in zero["items"] if i["status"] == "over_cap"]) == len(kept) + len(over)


def test_award_catalog_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/years/{year}/award-catalog"]
    assert "patch" in paths["/api/v1/years/{year}/award-catalog/{code}"]


PAGE = "/awards/2026/catalog"


def test_catalog_page_is_editable_for_administrators_only(client, tree, login_session):
    login_session(client, tree["users"]["committee_a"])
    page = client.get(PAGE).get_data(as_text=True)
    assert "<code>CSTDCS</code>" in page and "/catalog/CSTDCS/edit" not in page
    assert client.get(f"{PAGE}/CSTDCS/edit").status_code == 403
    login_session(client, tree["users"]["admin"])
    page = client.get(PAGE).get_data(as_text=True)
    assert "/awards/2026/catalog/CSTDCS/edit" in page
    form = client.get(f"{PAGE}/CSTDCS/edit").get_data(as_text=True)
    assert 'value="Chiến sĩ thi đua cơ sở"' in form and 'value="15"' in form


def test_catalog_edit_page_saves_and_refuses_bad_input(client, tree, login_session):
    login_session(client, tree["users"]["admin"])
    data = {
        "csrf_token": csrf(client.get(f"{PAGE}/CSTDCS/edit")),
        "name": "Chiến sĩ thi đua cơ sở",
        "authority": "Thủ trưởng cơ quan, đơn vị",
        "cap_pct": "",
        "vote_pct": "50",
        "vote_strict": "1",
        "version": "1",
    }
    page = client.post(f"{PAGE}/CSTDCS/edit", data=dict(data, cap_pct="150")).get_data(as_text=True)
    assert "Giới hạn tỷ lệ phải trong khoảng 0–100 %." in page
    page = client.post(f"{PAGE}/CSTDCS/edit", data=dict(data, vote_pct="0", name="")).get_data(
        as_text=True
    )
    assert "Ngưỡng biểu quyết phải trong khoảng 1–100 %." in page and "Nhập tên." in page
    assert catalog_of(2026)["CSTDCS"] == DEFAULT_AWARDS["CSTDCS"]
    res = client.post(f"{PAGE}/CSTDCS/edit", data=dict(data, state_level="y"))
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    t = catalog_of(2026)["CSTDCS"]
    assert t.cap_pct is None and t.state_level is True
    page = client.get(PAGE).get_data(as_text=True)
    assert "(lấy ý kiến công khai)" in page
    stale = client.post(f"{PAGE}/CSTDCS/edit", data=dict(data, cap_pct="10"))
    stale_page = stale.get_data(as_text=True)  # the message, not the hidden version's number
    assert "đã được người khác" in stale_page and "phiên bản hiện tại" not in stale_page
    assert catalog_of(2026)["CSTDCS"].cap_pct is None


def test_catalog_page_says_locked_after_a_decision(client, tree, login_session):
    db.session.add(AwardList(year=2026, unit_id=tree["units"]["A"].id, state="decided"))
    db.session.commit()
    login_session(client, tree["users"]["admin"])
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đã khóa: năm đã có quyết định khen thưởng" in page
    assert "/catalog/CSTDCS/edit" not in page
    res = client.get(f"{PAGE}/CSTDCS/edit")
    assert res.status_code == 403
