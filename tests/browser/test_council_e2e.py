"""The council's secret ballot in headless Debian Chromium: a member votes on "Phiếu bầu của
tôi" on a phone (390 px) and sees the confirmation; the committee closes and publishes the
session at 1366×768 and sees the totals; no page is wider than the screen."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from werkzeug.security import generate_password_hash

from service import create_app
from service.config import TestConfig
from service.extensions import db
from tests.browser.servers import fits, serving
from tests.browser.test_e2e import CHROMIUM, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]
PASSWORD = "matkhau123"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from awards import council_demo
    from awards.council_models import VotingSession
    from awards.models import AwardList, Nomination
    from service.auth.models import Role, RoleAssignment, User
    from service.org.models import Person, Unit
    from service.org.operations import set_path

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'council.db'}"

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
        unit = Unit(code="PX", name="Phường Xuân Hòa", kind="phường")
        db.session.add(unit)
        db.session.flush()
        set_path(unit)
        people = [
            Person(code=f"PX{i}", full_name=name, unit=unit)
            for i, name in enumerate(("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"))
        ]
        db.session.add_all(people)
        db.session.flush()
        from evaluation.models import EvalYear
        from evaluation.rules import RulePack

        db.session.add(EvalYear(year=2025, pack=RulePack().to_dict(), pack_source="mặc định"))
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        council_demo.seed(2025, "PX", hashed)
        committee = User(username="hdtd", full_name="Ban thi đua", password_hash=hashed)
        committee.roles.append(RoleAssignment(role=Role.COMMITTEE, unit=unit))
        db.session.add(committee)
        award_list = AwardList(year=2025, unit=unit, state="submitted", version=1)
        db.session.add(award_list)
        db.session.flush()
        for p, award in zip(people, ("CSTDCS", "LDTT", "LDTT"), strict=True):
            db.session.add(
                Nomination(
                    list_id=award_list.id, year=2025, subject="person", subject_key=f"p{p.id}",
                    person_id=p.id, award=award, status="proposed", rule="C4",
                    why=[{"rule": "C4", "text": f"{award}: đủ điều kiện theo quy tắc"}],
                )
            )  # fmt: skip
        now = dt.datetime.now()
        db.session.add(
            VotingSession(
                list_id=award_list.id, mode="secret", state="draft", version=1,
                opens_at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(hours=2),
            )
        )  # fmt: skip
        db.session.commit()
        list_id = award_list.id
    with serving(app) as url:
        yield url, list_id


QUESTIONS: list[str] = []


def login(b, base, username, width, height):
    context = b.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    # the pages ask before an irreversible step (close, publish, approve, decide): answered yes,
    # each question kept to be checked
    page.on("dialog", lambda d: (QUESTIONS.append(d.message), d.accept()))
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_council_votes_and_committee_publishes(server, browser, tmp_path):  # noqa: F811
    base, list_id = server
    committee = login(browser, base, "hdtd", 1366, 768)
    committee.goto(f"{base}/awards/lists/{list_id}/voting")
    fits(committee, 1366)
    committee.click("text=Phiên #")
    committee.click("button:has-text('Mở phiên')")
    committee.wait_for_selector("text=Đang bỏ phiếu")

    for who, choice in (("hd.thuky", "yes"), ("hd.uyvien1", "yes"), ("hd.uyvien2", "no")):
        member = login(browser, base, who, 390, 844)
        member.click("header nav >> text=Phiếu bầu của tôi")
        fits(member, 390)
        member.click("a.button:has-text('Bỏ phiếu')")
        ballot = member.inner_text("#ballot-form")
        assert "Nguyễn Văn An" in ballot
        # seed() linked hd.thuky to Trần Thị Bình, hd.uyvien1 to Lê Văn Cường: not on their own
        own = {"hd.thuky": "Trần Thị Bình", "hd.uyvien1": "Lê Văn Cường"}.get(who)
        assert own is None or own not in ballot
        fits(member, 390)
        # each choice is a finger's target on a phone (the radios were 13 px on a text line)
        box = member.locator("#ballot-form .choices label").first.bounding_box()
        assert box is not None and box["height"] >= 44, box
        if who == "hd.thuky":  # says yes to everything through the ballot's fill button
            assert "(còn " in member.inner_text("[data-ballot-count]")
            member.click(".ballot-bar [data-ballot-fill]")
            assert member.inner_text("[data-ballot-count]").endswith("— đủ")
        else:
            for radio in member.locator(f"#ballot-form input[value={choice}]").all():
                radio.check()
        member.click("button:has-text('Gửi phiếu bầu')")
        member.wait_for_selector("#voted")
        assert "Đã ghi nhận phiếu bầu" in member.inner_text("body")
        member.screenshot(path=str(tmp_path / f"ballot-{who}-390.png"), full_page=True)
        fits(member, 390)
        member.context.close()

    committee.reload()
    assert "Đồng ý</th>" not in committee.content()  # no totals while open
    QUESTIONS.clear()
    committee.click("button:has-text('Đóng phiên')")
    committee.click("button:has-text('Công bố kết quả')")
    committee.wait_for_selector("text=Đã công bố")
    assert QUESTIONS[0].startswith("Đóng phiên bỏ phiếu #") and "đã bỏ phiếu: 3/" in QUESTIONS[0], (
        QUESTIONS
    )
    assert QUESTIONS[1].startswith("Công bố kết quả phiên #"), QUESTIONS
    rows = committee.locator("table#ballot-items tbody tr").all_inner_texts()
    assert len(rows) == 3
    an = next(r for r in rows if "Nguyễn Văn An" in r)
    assert "\t2\t1\t" in an, an  # yes 2, no 1; the others 1 and 1 (their nominee abstained)
    # at most 2 yes of 5 council members: not more than half
    assert all("Không đạt" in r for r in rows)
    committee.screenshot(path=str(tmp_path / "session-1366.png"), full_page=True)
    fits(committee, 1366)

    # the published ballot lets the committee approve, then enter the decision: locked
    committee.goto(f"{base}/awards/lists/{list_id}")
    committee.click("#action-approve button")
    committee.wait_for_selector("text=Đã phê duyệt")
    committee.fill("#action-decide input[name=decision_no]", "21/QĐ-UBND")
    committee.fill("#action-decide input[name=decision_date]", "22/12/2025")
    committee.fill("#action-decide input[name=decision_signer]", "Nguyễn Văn Chủ")
    committee.click("#action-decide button")
    committee.wait_for_selector("text=Danh sách đã khóa")
    body = committee.inner_text("body")
    assert "21/QĐ-UBND" in body and "22/12/2025" in body and "không đạt biểu quyết" in body
    assert committee.locator("#action-return").count() == 0
    fits(committee, 1366)

    # the decision is in the registry: found by a nominee's name, with each one's result
    committee.click("a:has-text('21/QĐ-UBND')")
    committee.wait_for_selector("h1:has-text('Quyết định số 21/QĐ-UBND')")
    results = committee.locator("table#recipients tbody tr").all_inner_texts()
    assert len(results) == 3 and all("Không đạt biểu quyết" in r for r in results), results
    committee.goto(f"{base}/awards/decisions")
    committee.fill("input[name=person]", "Nguyễn Văn An")
    committee.click("#search button")
    assert (
        committee.locator("table#decisions tbody tr").all_inner_texts()[0].startswith("21/QĐ-UBND")
    )
    committee.set_viewport_size({"width": 390, "height": 844})
    fits(committee, 390)
