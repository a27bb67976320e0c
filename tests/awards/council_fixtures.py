"""Fixtures of the council tests: an award list of unit A for 2025 with votable and other
nominations, a council of five accounts (the chair is the nominee PA), and a clock."""

from __future__ import annotations

import datetime as dt

import pytest

from awards import council
from awards.council_models import CouncilMember
from awards.models import AwardList, Nomination
from service.extensions import db

YEAR = 2025
T0 = dt.datetime(2025, 12, 1, 8, 0)  # the session opens at T0 and closes two hours later


def nominate(award_list, award, person=None, unit=None, status="proposed", reason="") -> Nomination:
    n = Nomination(
        list_id=award_list.id,
        year=award_list.year,
        subject="person" if person is not None else "unit",
        subject_key=f"p{person.id}" if person is not None else f"u{unit.id}",
        person_id=person.id if person is not None else None,
        unit_id=unit.id if unit is not None else None,
        award=award,
        source="manual" if status == "manual" else "rule",
        status=status,
        rule="C4" if status != "manual" else "C9",
        why=[{"rule": "C4", "text": f"C4: {award} theo quy tắc"}],
        reason=reason,
    )
    db.session.add(n)
    db.session.commit()
    return n


@pytest.fixture
def clock(monkeypatch):
    """council.now() reads this clock; set clock.at to move it."""

    class Clock:
        at = T0 + dt.timedelta(minutes=30)

    monkeypatch.setattr(council, "now", lambda: Clock.at)
    return Clock


@pytest.fixture
def council_setup(tree, create_user, bearer, clock):
    units, people = tree["units"], tree["people"]
    award_list = AwardList(year=YEAR, unit_id=units["A"].id, state="submitted", version=1)
    db.session.add(award_list)
    db.session.commit()
    noms = {
        "PA": nominate(award_list, "CSTDCS", person=people["PA"]),
        "PA2": nominate(
            award_list,
            "LDTT",
            person=people["PA2"],
            status="manual",
            reason="Có thành tích xuất sắc",
        ),
        "A1": nominate(award_list, "TTLDTT", unit=units["A1"]),
        "PA1": nominate(award_list, "CSTDCS", person=people["PA1"], status="over_cap"),
    }
    members = {}
    for name, role, person in (
        ("hd.chutich", "chair", people["PA"]),
        ("hd.thuky", "secretary", None),
        ("hd.uyvien1", "member", None),
        ("hd.uyvien2", "member", None),
        ("hd.uyvien3", "member", None),
    ):
        u = create_user(username=name)
        if person is not None:
            u.person_id = person.id
        db.session.add(CouncilMember(year=YEAR, unit_id=units["A"].id, user_id=u.id, role=role))
        db.session.commit()
        members[name] = u
    committee_b = create_user(username="committee_b", roles=[("committee", units["B"])])
    users = dict(tree["users"], committee_b=committee_b, **members)
    headers = {k: bearer(u) for k, u in users.items()}
    return {
        **tree,
        "list": award_list,
        "noms": noms,
        "members": members,
        "users": users,
        "headers": headers,
    }


def api_session(client, setup, mode="secret", who="committee_a", opens=T0, hours=2):
    body = {
        "mode": mode,
        "opens_at": opens.isoformat(),
        "closes_at": (opens + dt.timedelta(hours=hours)).isoformat(),
    }
    return client.post(
        f"/api/v1/award-lists/{setup['list'].id}/voting-sessions",
        json=body,
        headers=setup["headers"][who],
    )


def opened(client, setup, mode="secret") -> int:
    res = api_session(client, setup, mode)
    assert res.status_code == 201, res.get_json()
    sid = res.get_json()["id"]
    res = client.post(
        f"/api/v1/voting-sessions/{sid}/open", json={}, headers=setup["headers"]["committee_a"]
    )
    assert res.status_code == 200, res.get_json()
    return sid


def vote(client, setup, sid, who, choices: dict) -> object:
    body = {"votes": [{"nomination_id": n.id, "yes": y} for n, y in choices.items()]}
    return client.post(
        f"/api/v1/voting-sessions/{sid}/ballot", json=body, headers=setup["headers"][who]
    )


def step(client, setup, sid, action, who="committee_a"):
    return client.post(
        f"/api/v1/voting-sessions/{sid}/{action}", json={}, headers=setup["headers"][who]
    )
