"""The demo council: five accounts linked to people of the unit, seated once (seed twice)."""

from __future__ import annotations

from awards import council, council_demo
from service.auth.models import User
from service.extensions import db


def test_seed_creates_council_accounts_and_seats(app_ctx, tree):
    names = council_demo.seed(2025, "A", "pbkdf2:sha256:1$x$y")
    assert names == ["hd.chutich", "hd.thuky", "hd.uyvien1", "hd.uyvien2", "hd.uyvien3"]
    assert council_demo.seed(2025, "A", "pbkdf2:sha256:1$x$y") == names  # again: no change
    seats = council.council_members(2025, tree["units"]["A"].id)
    assert [m.user.username for m in seats] == names
    assert [m.role for m in seats] == ["chair", "secretary", "member", "member", "member"]
    linked = {u.person_id for u in db.session.query(User).filter(User.username.in_(names))}
    people_of_a = {tree["people"][c].id for c in ("PA", "PA2", "PA1")}  # A and A1
    assert people_of_a <= linked  # three people in A's subtree, two accounts without a person
    assert None in linked
