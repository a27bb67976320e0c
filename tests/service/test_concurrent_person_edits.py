"""Two clerks save the same field of one person at the same moment, from pages loaded with the
same values, on a database of their own (committed data, one connection per request): one
save wins, the other is told the field changed meanwhile; neither is overwritten without a
word. On SQLite every writing request begins IMMEDIATE, so the two never overlap; on
PostgreSQL (TEST_DATABASE_URL) the person's row is locked from the page's first read, or both
would compare against the values before either save and the later one would win silently."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from service.auth.models import Role, RoleAssignment, User
from service.extensions import db
from service.org import operations as ops
from service.org.models import Person, Unit
from tests.evaluation.test_jobs import isolated_app
from tests.service.test_auth import post_login

pytestmark = pytest.mark.isolated_db


def _seed(app):
    with app.app_context():
        ward = Unit(code="PW", name="Phường Mẫu", quota_root=True)
        db.session.add(ward)
        db.session.flush()
        ops.set_path(ward)
        db.session.add(Person(code="PW001", full_name="Nguyễn Thị Hoa", unit=ward, position=""))
        for name in ("clerk1", "clerk2"):
            user = User(username=name, full_name=name)
            user.password_hash = generate_password_hash("matkhau123", method="pbkdf2:sha256:1")
            user.roles.append(RoleAssignment(role=Role.STAFF, unit=ward))
            db.session.add(user)
        db.session.commit()


def _form(html, position):
    import html as h

    def hidden(name):
        return h.unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)[1])

    return {
        "csrf_token": hidden("csrf_token"), "loaded": hidden("loaded"),
        "full_name": "Nguyễn Thị Hoa", "birth_date": "", "gender": "",
        "unit_code": "PW — Phường Mẫu", "position": position, "duty_group": "", "category": "",
        "party_unit_code": "",
        "admitted_on": "", "party_gap_days": "0", "party_status": "",
    }  # fmt: skip


def test_two_clerks_saving_one_field_at_once_do_not_overwrite_each_other(tmp_path, monkeypatch):
    with isolated_app(tmp_path) as app:
        _seed(app)
        real = ops.update_person

        def slow_update(*args, **kwargs):  # widens the window between the read and the write
            time.sleep(0.4)
            return real(*args, **kwargs)

        monkeypatch.setattr(ops, "update_person", slow_update)
        clients, forms = {}, {}
        for name, position in (("clerk1", "Kế toán"), ("clerk2", "Thủ quỹ")):
            clients[name] = app.test_client()
            assert post_login(clients[name], name, "matkhau123").status_code == 302
            page = clients[name].get("/people/PW001").get_data(as_text=True)
            forms[name] = _form(page, position)
        start = threading.Barrier(2, timeout=10)
        answers = {}

        def save(name):
            start.wait()
            answers[name] = clients[name].post("/people/PW001/edit", data=forms[name])

        threads = [threading.Thread(target=save, args=(n,)) for n in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(a.status_code for a in answers.values())
        assert codes == [302, 400], {n: a.status_code for n, a in answers.items()}
        (winner,) = [n for n, a in answers.items() if a.status_code == 302]
        (loser,) = [n for n, a in answers.items() if a.status_code == 400]
        assert "người khác đã lưu" in answers[loser].get_data(as_text=True)
        with app.app_context():
            stored = db.session.scalar(select(Person.position).where(Person.code == "PW001"))
        assert stored == forms[winner]["position"]


def test_a_save_does_not_wait_for_a_long_job_that_refers_to_the_person(tmp_path):
    """The save's lock on the person must not conflict with the key-share lock that any
    insert referring to the person holds until it commits (a whole-year recompute's ratings,
    a proposal's nominations: 20-25 s for a city): FOR UPDATE did, and a clerk's save waited
    for the job. PostgreSQL's own lock modes; SQLite has none."""
    with isolated_app(tmp_path) as app:
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                pytest.skip("PostgreSQL's row lock modes (SQLite serializes writers)")
        _seed(app)
        with app.app_context():
            pid = db.session.scalar(select(Person.id).where(Person.code == "PW001"))
            clerk = db.session.scalar(select(User).where(User.username == "clerk1"))
            job = db.engine.connect()  # a job's open transaction referring to the person
            job.execute(
                text("UPDATE users SET person_id = :p WHERE username = 'clerk2'"), {"p": pid}
            )
            try:
                db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
                person = ops.visible_person(clerk, "PW001", lock=True)  # not held by the job
                assert person.id == pid
                db.session.rollback()
            finally:
                job.rollback()
                job.close()
