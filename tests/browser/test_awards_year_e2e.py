"""The awards' year in headless Debian Chromium (issue 12): staff propose their unit's list by
rule (the job's progress page) and submit it; the committee opens a secret ballot; a council of
three votes on their phones (one "no"); the committee closes and publishes, approves and enters
the decision; the title is then in the person's history, traced to its decision in the
registry. No page is wider than the screen."""

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
YEAR = 2025
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
GOOD = {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **{f"m{m}": 90 for m in range(1, 13)}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from awards.council_models import CouncilMember
    from evaluation import operations
    from evaluation.models import Review
    from service.auth.models import Role, RoleAssignment, User
    from service.org.models import Category, Person, Unit
    from service.org.operations import set_path

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'year.db'}"

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")

        def user(name, full, role=None, unit=None):
            u = User(username=name, full_name=full, password_hash=hashed)
            if role is not None:
                u.roles.append(RoleAssignment(role=role, unit=unit))
            db.session.add(u)
            return u

        unit = Unit(code="PX", name="Phường Xuân Hòa", kind="phường", quota_root=True)
        db.session.add(unit)
        db.session.flush()
        set_path(unit)
        people = [
            Person(code=f"PX{i}", full_name=n, unit=unit, category=Category.CIVIL_SERVANT)
            for i, n in enumerate(NAMES, start=1)
        ]
        db.session.add_all(people)
        admin = user("quantri", "Quản trị", Role.ADMIN)
        user("tochuc", "Cán bộ tổ chức", Role.STAFF, unit)
        user("hdtd", "Ban thi đua", Role.COMMITTEE, unit)
        council = [user(f"hd{i}", f"Thành viên hội đồng {i}") for i in (1, 2, 3)]
        db.session.commit()
        with app.test_request_context():
            year_row = operations.open_year(admin, YEAR)
            for p in people:
                operations.save_person_inputs(admin, year_row, p, dict(GOOD))
            db.session.commit()  # the ratings are computed on this commit
        # the year's rating list approved by the committee (as the evaluation's workflow ends)
        db.session.add(Review(year_id=year_row.id, unit_id=unit.id, state="approved", version=1))
        for u, role in zip(council, ("chair", "secretary", "member"), strict=True):
            db.session.add(CouncilMember(year=YEAR, unit_id=unit.id, user_id=u.id, role=role))
        db.session.commit()
    with serving(app) as url:
        yield url


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


def test_the_awards_year_from_proposal_to_history(server, browser, tmp_path):  # noqa: F811
    base = server
    # staff propose by rule: the job's progress page, then back to the lists
    staff = login(browser, base, "tochuc", 1366, 768)
    staff.click("header nav >> text=Thi đua – Khen thưởng")
    staff.click("text=Danh sách đề nghị khen thưởng")
    staff.click("#propose button[type=submit]")
    staff.wait_for_selector("#job-status:has-text('hoàn thành')", timeout=30_000)
    staff.click("#job-back")
    staff.click("table#lists a:has-text('Phường Xuân Hòa')")
    rows = staff.locator("table#nominations tbody tr").all_inner_texts()
    assert len(rows) == 3 and all("Lao động tiên tiến" in r for r in rows), rows
    assert all("C1" in r for r in rows)  # each with its rule and reason
    fits(staff, 1366)
    list_url = staff.url
    staff.click("#action-submit button")
    staff.wait_for_selector("text=Đã gửi duyệt")
    # sending the list for approval is asked first too (it cannot be edited after)
    assert any(q.startswith("Gửi duyệt danh sách khen thưởng") for q in QUESTIONS), QUESTIONS

    # the committee opens a secret ballot on the list
    committee = login(browser, base, "hdtd", 1366, 768)
    committee.goto(list_url)
    committee.click("text=Bỏ phiếu của hội đồng thi đua")
    now = dt.datetime.now()
    committee.fill(
        "input[name=opens_at]", (now - dt.timedelta(minutes=1)).strftime("%d/%m/%Y %H:%M")
    )
    committee.fill(
        "input[name=closes_at]", (now + dt.timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")
    )
    committee.click("#new-session button")
    committee.click("text=Phiên #")
    committee.click("button:has-text('Mở phiên')")
    committee.wait_for_selector("text=Đang bỏ phiếu")

    # three members vote on their phones; the third says no to Nguyễn Văn An
    for who in ("hd1", "hd2", "hd3"):
        member = login(browser, base, who, 390, 844)
        member.click("header nav >> text=Phiếu bầu của tôi")
        member.click("a.button:has-text('Bỏ phiếu')")
        fits(member, 390)
        if who == "hd3":  # no to Nguyễn Văn An, then yes to the rest by the fill button
            row = member.locator("#ballot-form tbody tr", has_text="Nguyễn Văn An")
            row.locator("input[value=no]").check()
            member.click(".ballot-bar [data-ballot-fill]")
            assert row.locator("input[value=no]").is_checked()  # a choice made is kept
        for item in member.locator("#ballot-form tbody tr").all():
            text = item.inner_text()
            if who != "hd3" and any(n in text for n in NAMES):
                item.locator("input[value=yes]").check()
        member.click("button:has-text('Gửi phiếu bầu')")
        member.wait_for_selector("#voted")
        member.context.close()

    committee.reload()
    QUESTIONS.clear()
    committee.click("button:has-text('Đóng phiên')")
    committee.click("button:has-text('Công bố kết quả')")
    committee.wait_for_selector("text=Đã công bố")
    assert QUESTIONS[0].startswith("Đóng phiên bỏ phiếu #") and "đã bỏ phiếu: 3/" in QUESTIONS[0], (
        QUESTIONS
    )
    assert QUESTIONS[1].startswith("Công bố kết quả phiên #"), QUESTIONS
    rows = committee.locator("table#ballot-items tbody tr").all_inner_texts()
    an = next(r for r in rows if "Nguyễn Văn An" in r)
    assert "\t2\t1\t" in an, an  # 2 of 3 members: more than half, passed
    assert all("Không đạt" not in r for r in rows), rows

    # approve, then the decision: the list is locked
    committee.goto(list_url)
    committee.click("#action-approve button")
    committee.wait_for_selector("text=Đã phê duyệt")
    committee.fill("#action-decide input[name=decision_no]", "31/QĐ-UBND")
    committee.fill("#action-decide input[name=decision_date]", "26/12/2025")
    committee.fill("#action-decide input[name=decision_signer]", "Phạm Văn Ký")
    committee.click("#action-decide button")
    committee.wait_for_selector("text=Danh sách đã khóa")
    assert [q.split("?")[0] for q in QUESTIONS[2:]] == [
        "Phê duyệt danh sách khen thưởng năm 2025 của Phường Xuân Hòa",
        "Ghi quyết định khen thưởng",
    ], QUESTIONS
    committee.screenshot(path=str(tmp_path / "decided-1366.png"), full_page=True)

    # the title is in the person's history, traced to the decision
    staff.goto(f"{base}/awards/people/PX1/titles")
    history = staff.locator("table#titles tbody tr").first.inner_text()
    assert history.startswith("2025") and "Lao động tiên tiến" in history, history
    traced = staff.locator("table#traced tbody tr").first.inner_text()
    assert "Số 31/QĐ-UBND" in traced and "26/12/2025" in traced, traced
    staff.set_viewport_size({"width": 390, "height": 844})
    fits(staff, 390)
    staff.screenshot(path=str(tmp_path / "titles-390.png"), full_page=True)
