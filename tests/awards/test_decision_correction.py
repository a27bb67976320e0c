"""A decision recorded with a typo (its number, date, signer or issuing body's name) is
corrected on its page by the committee that may decide its lists, with a reason (audited);
the lists it decided and what is printed from it (certificates, quyết định, TT 02) follow.
Bad input is refused with nothing changed; others may not correct it (the walk: a typo in
the number flowed into certificates and TT 02 for good)."""

from __future__ import annotations

import re

from awards.models import AwardList, Decision
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import test_award_lists as base
from tests.awards.test_award_list_pages import csrf, login
from tests.awards.test_certificates import decided

year = base.year  # the fixture: 2025 rated, rating lists approved


def _form(page: str) -> dict:
    form = re.search(r'<form[^>]*id="correct-decision".*?</form>', page, re.S).group(0)
    return dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))


def test_the_committee_corrects_a_decisions_number_and_signer_with_a_reason(
    client,
    tree,
    year,  # noqa: F811
):
    lst, d, _refused = decided(client, tree)
    login(client, tree["users"]["committee_a"])
    url = f"/awards/decisions/{d.id}"
    page = client.get(url).get_data(as_text=True)
    body = _form(page) | {"csrf_token": csrf(page)}
    assert body["number"] == "15/QĐ-UBND" and body["date"] == "20/12/2025"
    # refused, nothing changed: no reason, an empty number, a day that does not exist
    for bad, told in (({"reason": ""}, "lý do"), ({"number": " ", "reason": "Sai số"}, "số"),
                      ({"date": "31/02/2025", "reason": "Sai ngày"}, "28 ngày")):  # fmt: skip
        res = client.post(f"{url}/correct", data=body | {"number": "16/QĐ-UBND"} | bad)
        assert res.status_code == 400 and told in res.get_data(as_text=True).lower()
        db.session.expire_all()
        assert db.session.get(Decision, d.id).number == "15/QĐ-UBND"
    fixed = body | {"number": "16/QĐ-UBND", "signer": "Nguyễn Văn Kỳ", "reason": "Gõ nhầm số"}
    res = client.post(f"{url}/correct", data=fixed)
    assert res.status_code == 302, res.get_data(as_text=True)[:400]
    db.session.expire_all()
    got = db.session.get(Decision, d.id)
    assert (got.number, got.signer) == ("16/QĐ-UBND", "Nguyễn Văn Kỳ")
    the_list = db.session.get(AwardList, lst["id"])
    assert (the_list.decision_no, the_list.decision_signer) == ("16/QĐ-UBND", "Nguyễn Văn Kỳ")
    entry = db.session.query(AuditEntry).filter_by(action="correct", object_type="decision").one()
    assert entry.before["number"] == "15/QĐ-UBND" and entry.after["reason"] == "Gõ nhầm số"
    page = client.get(url).get_data(as_text=True)
    assert "Quyết định số 16/QĐ-UBND" in page and "Đã sửa thông tin quyết định" in page


def test_others_may_not_correct_a_decision(client, tree, year):  # noqa: F811
    _lst, d, _refused = decided(client, tree)
    login(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/decisions/{d.id}").get_data(as_text=True)
    assert 'id="correct-decision"' not in page
    data = {"csrf_token": csrf(page), "number": "99", "date": "20/12/2025", "signer": "X",
            "issuer": "Y", "reason": "z"}  # fmt: skip
    assert client.post(f"/awards/decisions/{d.id}/correct", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Decision, d.id).number == "15/QĐ-UBND"


def test_the_api_corrects_a_decision_as_the_page_does(client, tree, year):  # noqa: F811
    _lst, d, _refused = decided(client, tree)
    url = f"/api/v1/decisions/{d.id}"
    body = {"number": "17/QĐ-UBND", "date": "20/12/2025", "signer": "Nguyễn Văn Ký",
            "issuer": d.issuer, "reason": "Gõ nhầm số"}  # fmt: skip
    res = client.patch(url, json={**body, "reason": ""}, headers=tree["headers"]["committee_a"])
    assert res.status_code == 400 and "reason" in res.get_json()["error"]["fields"]
    assert client.patch(url, json=body, headers=tree["headers"]["staff_a"]).status_code == 403
    res = client.patch(url, json=body, headers=tree["headers"]["committee_a"])
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["number"] == "17/QĐ-UBND"
    assert (
        "/api/v1/decisions/{decision_id}" in client.get("/api/v1/openapi.json").get_json()["paths"]
    )
