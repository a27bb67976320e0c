"""The public consultation in headless Debian Chromium on a phone (390 px): staff publish a
list holding a state-level nomination for consultation, see the window's end and the days
left, record a comment; an administrator adds a day to the year's holidays; no page is wider
than the screen."""

from __future__ import annotations

import os

import pytest
from werkzeug.security import generate_password_hash

from service import create_app
from service.config import TestConfig
from service.extensions import db
from tests.browser.servers import serving
from tests.browser.test_council_e2e import PASSWORD, fits, login
from tests.browser.test_e2e import CHROMIUM, browser  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from awards.models import AwardList, Nomination
    from evaluation.models import EvalYear
    from evaluation.rules import RulePack
    from service.auth.models import Role, RoleAssignment, User
    from service.org.models import Person, Unit
    from service.org.operations import set_path

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'consult.db'}"

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
        unit = Unit(code="PX", name="Phường Xuân Hòa", kind="phường")
        db.session.add(unit)
        db.session.flush()
        set_path(unit)
        person = Person(code="PX1", full_name="Nguyễn Văn An", unit=unit)
        db.session.add(person)
        db.session.add(EvalYear(year=2025, pack=RulePack().to_dict(), pack_source="mặc định"))
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        staff = User(username="canbo", full_name="Cán bộ thi đua", password_hash=hashed)
        staff.roles.append(RoleAssignment(role=Role.STAFF, unit=unit))
        admin = User(username="quantri", full_name="Quản trị", password_hash=hashed)
        admin.roles.append(RoleAssignment(role=Role.ADMIN, unit=None))
        db.session.add_all([staff, admin])
        award_list = AwardList(year=2025, unit=unit, state="draft", version=1)
        db.session.add(award_list)
        db.session.flush()
        db.session.add(
            Nomination(
                list_id=award_list.id, year=2025, subject="person", subject_key=f"p{person.id}",
                person_id=person.id, award="BK_TTG", status="manual", source="manual",
                rule="C9", reason="Thành tích xuất sắc",
                why=[{"rule": "C9", "text": "C9: đề nghị ngoài quy định"}],
            )
        )  # fmt: skip
        db.session.commit()
        list_id = award_list.id
    with serving(app) as url:
        yield url, list_id


def test_staff_publish_and_record_a_comment_on_a_phone(server, browser, tmp_path):  # noqa: F811
    base, list_id = server
    page = login(browser, base, "canbo", 390, 844)
    page.goto(f"{base}/awards/lists/{list_id}")
    fits(page, 390)
    assert "cấp Nhà nước (BK_TTG)" in page.inner_text("#consultation")
    page.click("#consultation button:has-text('Công bố lấy ý kiến')")
    page.wait_for_selector("text=còn 7 ngày làm việc")
    assert "hết ngày" in page.inner_text("#consultation")
    fits(page, 390)
    # «Gửi duyệt» waits for the window's end, and the page says so before it is pressed
    assert page.locator("#action-submit button").is_disabled()
    assert "Chưa hết thời gian lấy ý kiến" in page.inner_text("#submit-blockers")
    page.fill("#consultation-comment input[name=author_name]", "Trần Văn Ý")
    page.fill("#consultation-comment input[name=author_address]", "Tổ dân phố 3")
    page.fill(
        "#consultation-comment input[name=received_on]",
        page.evaluate(
            "(() => { const d = new Date(); return String(d.getDate()).padStart(2, '0') + '/' + "
            "String(d.getMonth() + 1).padStart(2, '0') + '/' + d.getFullYear(); })()"
        ),
    )
    page.fill("#consultation-comment textarea[name=content]", "Đồng ý với đề nghị.")
    page.click("#consultation-comment button")
    page.wait_for_selector("#consultation-comments >> text=Đồng ý với đề nghị.")
    page.screenshot(path=str(tmp_path / "consultation-390.png"), full_page=True)
    fits(page, 390)
    page.context.close()

    admin = login(browser, base, "quantri", 390, 844)
    admin.goto(f"{base}/awards/2025/holidays")
    fits(admin, 390)
    admin.fill("#add-holiday input[name=day]", "22/12/2025")
    admin.fill("#add-holiday input[name=name]", "Nghỉ bổ sung")
    admin.click("#add-holiday button")
    admin.wait_for_selector("#holidays >> text=Nghỉ bổ sung")
    admin.screenshot(path=str(tmp_path / "holidays-390.png"), full_page=True)
    fits(admin, 390)
    admin.context.close()
