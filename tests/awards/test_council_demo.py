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


def test_the_demo_history_holds_only_rating_levels_the_pages_name(app_ctx):
    """Five past years written by the demo: every official and party level is a level code
    (a «K» was shown as it is on the titles page)."""
    import random

    from awards import demo
    from evaluation.rules.levels import Level

    people = [(i, i % 2 == 0) for i in range(1, 400)]
    rows = demo._history_rows(random.Random(7), people, [])
    known = {level.value for level in Level}
    assert {r["official_level"] for r in rows} <= known
    assert {r["party_level"] for r in rows} - {None} <= known
