"""The secret ballot (RULES.md C10, STYLE.md "Secret ballots"): one vote per member and
session, also when two arrive at the same moment; a nominee does not vote on themself; votes
only within the window; nothing — table, answer, audit entry, log line — links a member to how
they voted."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, inspect, select

from awards import council
from awards.council_models import Ballot, CouncilMember, VoterRecord
from awards.models import AwardList
from service.audit.models import AuditEntry
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import T0, YEAR, nominate, opened, step, vote

clock, council_setup = cf.clock, cf.council_setup  # the fixtures


def _all_yes(s, *keys):
    return {s["noms"][k]: True for k in (keys or ("PA", "PA2", "A1"))}


def _ballots(client, sid) -> int:
    """The choices the session holds: sealed while it is open, ballots once it is closed."""
    opened_box = db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.session_id == sid)
    )
    with client.application.app_context():
        return opened_box + sum(len(b) for _, b in council._sealed(sid))


def test_member_votes_once(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    res = vote(client, s, sid, "hd.thuky", _all_yes(s))
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["ballots"] == 3
    again = vote(client, s, sid, "hd.thuky", {s["noms"][k]: False for k in ("PA", "PA2", "A1")})
    assert again.status_code == 409
    assert "chỉ bỏ phiếu một lần" in again.get_json()["error"]["message"]
    assert _ballots(client, sid) == 3
    voters = db.session.scalar(
        select(func.count()).select_from(VoterRecord).where(VoterRecord.session_id == sid)
    )
    assert voters == 1


def test_register_refuses_a_second_row_even_without_the_check(
    app_ctx, council_setup, clock, client
):
    """The unique key on the register is what stops a racing second vote, not only the check
    before it: with the check bypassed, the second cast is still refused (409)."""
    s = council_setup
    sid = opened(client, s)
    user = s["members"]["hd.uyvien1"]
    council.cast_vote(user, sid, {n.id: True for n in _all_yes(s)})
    real = council._vote_context

    def not_voted(*args):  # the check before the insert, as a racing vote sees it
        return SimpleNamespace(**(real(*args)._asdict() | {"voted": False}))

    try:
        council._vote_context = not_voted
        with pytest.raises(council.Conflict):
            council.cast_vote(user, sid, {n.id: False for n in _all_yes(s)})
    finally:
        council._vote_context = real
    assert _ballots(client, sid) == 3


def test_nominee_does_not_vote_on_themself(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    h = s["headers"]["hd.chutich"]  # the chair is PA, nominated for CSTĐCS
    mine = client.get(f"/api/v1/voting-sessions/{sid}/ballot", headers=h).get_json()
    assert s["noms"]["PA"].id not in {i["nomination_id"] for i in mine["items"]}
    res = vote(client, s, sid, "hd.chutich", _all_yes(s))
    assert res.status_code == 400
    assert "chính mình" in str(res.get_json())
    assert _ballots(client, sid) == 0
    res = vote(client, s, sid, "hd.chutich", _all_yes(s, "PA2", "A1"))
    assert res.status_code == 201 and res.get_json()["ballots"] == 2
    assert step(client, s, sid, "close").status_code == 200
    assert _ballots(client, sid) == 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.nomination_id == s["noms"]["PA"].id)
        )
        == 0
    )


def test_ballot_must_cover_every_nomination(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    assert vote(client, s, sid, "hd.thuky", _all_yes(s, "PA")).status_code == 400
    body = {"votes": [{"nomination_id": s["noms"]["PA1"].id, "yes": True}]}  # over cap: not on it
    res = client.post(
        f"/api/v1/voting-sessions/{sid}/ballot", json=body, headers=s["headers"]["hd.thuky"]
    )
    assert res.status_code == 400
    assert _ballots(client, sid) == 0


def test_ballot_rows_not_plain_are_read_and_worded_as_the_row_schema(client, council_setup, clock):
    """VoteList's fast path takes only plain rows; any other row goes through VoteRowSchema:
    "6" and "true" still read as 6 and True, and a bad row gets the schema's own messages."""
    s = council_setup
    sid = opened(client, s)
    ids = [n.id for n in _all_yes(s)]
    url, headers = f"/api/v1/voting-sessions/{sid}/ballot", s["headers"]["hd.thuky"]
    bad = [
        {"nomination_id": ids[0], "yes": True},
        {"nomination_id": 0, "yes": True},
        {"nomination_id": True, "yes": True},
        {"nomination_id": ids[2]},
        {"nomination_id": ids[1], "yes": True, "who": "x"},
        7,
    ]
    res = client.post(url, json={"votes": bad}, headers=headers)
    assert res.status_code == 400, res.get_json()
    assert res.get_json()["error"]["fields"]["votes"] == {
        "1": {"nomination_id": ["Phải trong khoảng 1–2147483647."]},
        "2": {"nomination_id": ["Phải là số nguyên."]},
        "3": {"yes": ["Bắt buộc nhập."]},
        "4": {"who": ["Trường không được hỗ trợ."]},
        "5": {"_schema": ["Dữ liệu phải là một đối tượng JSON."]},
    }
    assert _ballots(client, sid) == 0
    loose = [{"nomination_id": str(ids[0]), "yes": "true"}] + [
        {"nomination_id": n, "yes": False} for n in ids[1:]
    ]
    res = client.post(url, json={"votes": loose}, headers=headers)
    assert res.status_code == 201, res.get_json()
    assert _ballots(client, sid) == 3


def test_a_ballot_off_the_frozen_ballot_is_refused_by_the_database(client, council_setup, clock):
    """The ballot's key is the session's item: a nomination not on that session's ballot
    cannot be written, even past cast_vote's checks."""
    from sqlalchemy.exc import IntegrityError

    s = council_setup
    sid = opened(client, s)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(Ballot(session_id=sid, nomination_id=s["noms"]["PA1"].id, yes=True))
            db.session.flush()
    assert _ballots(client, sid) == 0


def test_ballot_problems_rule():
    on_ballot, mine = {1, 2, 3}, {1, 2}  # 3: the member's own nomination
    assert council.ballot_problems(on_ballot, mine, {1: True, 2: False}) == []
    assert council.ballot_problems(on_ballot, mine, {1: True, 2: False, 3: True, 9: True}) == [
        "Bạn không bỏ phiếu cho đề nghị khen thưởng của chính mình.",
        "Đề nghị không có trên phiếu bầu: 9.",
    ]
    assert council.ballot_problems(on_ballot, mine, {1: True}) == [
        "Cần chọn đồng ý hoặc không đồng ý cho mọi đề nghị trên phiếu."
    ]


def test_non_member_cannot_vote(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    assert vote(client, s, sid, "committee_a", _all_yes(s)).status_code == 403
    assert vote(client, s, sid, "staff_a", _all_yes(s)).status_code == 403
    assert vote(client, s, sid, "committee_b", _all_yes(s)).status_code == 404


@pytest.mark.parametrize(
    "at, message",
    [
        (T0 - dt.timedelta(minutes=1), "Ngoài thời gian bỏ phiếu"),
        (T0 + dt.timedelta(hours=2), "Ngoài thời gian bỏ phiếu"),  # the closing instant
        (T0 + dt.timedelta(hours=5), "Ngoài thời gian bỏ phiếu"),
    ],
)
def test_voting_outside_the_window_refused(client, council_setup, clock, at, message):
    s = council_setup
    sid = opened(client, s)
    clock.at = at
    res = vote(client, s, sid, "hd.thuky", _all_yes(s))
    assert res.status_code == 400 and message in res.get_json()["error"]["message"]
    assert (
        client.get("/api/v1/my/ballots", headers=s["headers"]["hd.thuky"]).get_json()["items"] == []
    )
    assert _ballots(client, sid) == 0


def test_voting_in_draft_or_after_closing_refused(client, council_setup, clock):
    s = council_setup
    res = cf.api_session(client, s)
    sid = res.get_json()["id"]
    assert vote(client, s, sid, "hd.thuky", _all_yes(s)).status_code == 400
    step(client, s, sid, "open")
    step(client, s, sid, "close")
    assert vote(client, s, sid, "hd.thuky", _all_yes(s)).status_code == 400
    assert _ballots(client, sid) == 0


def test_my_pending_ballots(client, council_setup, clock):
    s = council_setup
    h = s["headers"]["hd.uyvien2"]
    assert client.get("/api/v1/my/ballots", headers=h).get_json()["items"] == []
    sid = opened(client, s)
    items = client.get("/api/v1/my/ballots", headers=h).get_json()["items"]
    assert [i["session_id"] for i in items] == [sid]
    assert {i["name"] for i in items[0]["items"]} >= {"Nguyễn Văn An", "Đơn vị A1"}
    vote(client, s, sid, "hd.uyvien2", _all_yes(s))
    assert client.get("/api/v1/my/ballots", headers=h).get_json()["items"] == []


# --- nothing links a member to a vote -------------------------------------------------------


def test_ballots_table_has_no_member_time_or_order():
    columns = {c.name: c for c in Ballot.__table__.columns}
    assert set(columns) == {"id", "session_id", "nomination_id", "yes"}
    assert not any(c.autoincrement is True for c in columns.values())
    assert str(columns["id"].type).startswith("VARCHAR")  # a random key, not a sequence
    foreign = {fk.column.table.name for fk in Ballot.__table__.foreign_keys}
    assert foreign == {"voting_items"}  # the frozen ballot's item: no user, no register
    (key,) = Ballot.__table__.foreign_key_constraints
    assert [c.name for c in key.columns] == ["session_id", "nomination_id"]
    register = {c.name for c in VoterRecord.__table__.columns}
    assert register == {"id", "session_id", "user_id", "voted_at"}  # who and when, not how


def test_ballot_table_in_the_database_holds_no_user(app_ctx):
    cols = {c["name"] for c in inspect(db.session.connection()).get_columns("ballots")}
    assert cols == {"id", "session_id", "nomination_id", "yes"}


def test_ballot_ids_are_random(client, council_setup, clock):
    s = council_setup
    sid = opened(client, s)
    for who in ("hd.thuky", "hd.uyvien1", "hd.uyvien2"):
        vote(client, s, sid, who, _all_yes(s))
    assert step(client, s, sid, "close").status_code == 200
    ids = db.session.scalars(select(Ballot.id).where(Ballot.session_id == sid)).all()
    assert len(ids) == 9 and len(set(ids)) == 9
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert sorted(ids) != ids or sorted(ids, reverse=True) != ids  # not a sequence


def test_audit_and_answers_never_tell_how_a_member_voted(client, council_setup, clock, caplog):
    s = council_setup
    sid = opened(client, s)
    # a distinctive ballot: thư ký says no to A1 only
    choices = {s["noms"]["PA"]: True, s["noms"]["PA2"]: True, s["noms"]["A1"]: False}
    with caplog.at_level(logging.DEBUG):
        res = vote(client, s, sid, "hd.thuky", choices)
    assert res.status_code == 201
    assert set(res.get_json()) == {"voted", "ballots", "message"}
    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "voting_session", AuditEntry.action == "vote"
        )
    ).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.user_id == s["members"]["hd.thuky"].id  # that the member voted
    assert entry.after == {"voted": True} and entry.before is None  # not how
    text = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "A1" not in text and '"yes"' not in text
    for r in caplog.records:
        assert "yes" not in r.getMessage().lower()
    # after closing and publishing, every answer tells only totals
    step(client, s, sid, "close")
    step(client, s, sid, "publish")
    for who in ("admin", "committee_a", "hd.thuky"):
        body = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"][who]).get_json()
        flat = str(body)
        assert "hd.thuky" not in flat and "user" not in flat
    publish = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "voting_session", AuditEntry.action == "publish"
        )
    )
    assert "user" not in str(publish.after)
    # the admin's audit listing holds no choice either
    every = db.session.scalars(
        select(AuditEntry).where(AuditEntry.user_id == s["members"]["hd.thuky"].id)
    ).all()
    for e in every:
        assert "nomination" not in str(e.after) and "yes" not in str(e.after)


def test_json_access_log_line_holds_no_choice(app, client, council_setup, clock, caplog):
    s = council_setup
    sid = opened(client, s)
    app.config["LOG_FORMAT"] = "json"
    try:
        with caplog.at_level(logging.INFO, logger="service.access"):
            vote(client, s, sid, "hd.uyvien3", _all_yes(s))
    finally:
        app.config["LOG_FORMAT"] = "text"
    for r in caplog.records:
        assert not any(k in r.__dict__ for k in ("votes", "yes", "nomination_id"))


# --- two votes at the same moment -----------------------------------------------------------


@pytest.mark.isolated_db
def test_two_simultaneous_votes_of_one_member_count_once(tmp_path, monkeypatch):
    """The same member posts the ballot twice at the same moment (two clients, two connections,
    committed data): one 201, one 409, three ballots. Both requests are held after the checks
    until both passed them (PostgreSQL), so the register's unique key alone decides."""
    from tests.evaluation.test_jobs import isolated_app

    monkeypatch.setattr(council, "now", lambda: T0 + dt.timedelta(minutes=30))
    with isolated_app(tmp_path) as app:
        ids = _seed_committed(app)
        serialized = ids["dialect"] == "sqlite"
        barrier = threading.Barrier(2, timeout=5)
        real = council.has_voted

        def has_voted(user, session):
            found = real(user, session)
            if not serialized:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
            return found

        monkeypatch.setattr(council, "has_voted", has_voted)
        body = {"votes": [{"nomination_id": n, "yes": True} for n in ids["noms"]]}
        results = []
        start = threading.Barrier(2, timeout=10)

        def post():
            c = app.test_client()
            start.wait()
            results.append(
                c.post(f"/api/v1/voting-sessions/{ids['sid']}/ballot", json=body, headers=ids["h"])
            )

        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409], [r.get_json() for r in results]
        with app.app_context():
            sealed = council._sealed(ids["sid"])
            assert sum(len(b) for _, b in sealed) == len(ids["noms"])
            assert db.session.scalar(select(func.count()).select_from(VoterRecord)) == 1


def _seed_committed(app) -> dict:
    """A list of unit W with two nominations, a council of one, an open session."""
    from werkzeug.security import generate_password_hash

    from awards.council_models import VotingItem, VotingSession
    from service.auth.models import User
    from service.auth.operations import create_token
    from service.org.models import Person, Unit
    from service.org.operations import set_path

    with app.app_context():
        unit = Unit(code="W", name="Phường W", kind="phường")
        db.session.add(unit)
        db.session.flush()
        set_path(unit)
        people = [Person(code=f"W{i}", full_name=f"Người {i}", unit=unit) for i in range(2)]
        db.session.add_all(people)
        user = User(username="hd.w", full_name="Ủy viên")
        user.password_hash = generate_password_hash("x", method="pbkdf2:sha256:1")
        db.session.add(user)
        award_list = AwardList(year=YEAR, unit=unit, state="submitted", version=1)
        db.session.add(award_list)
        db.session.flush()
        noms = [nominate(award_list, "LDTT", person=p) for p in people]
        db.session.add(CouncilMember(year=YEAR, unit_id=unit.id, user_id=user.id, role="member"))
        session = VotingSession(
            list_id=award_list.id, mode="secret", state="open", version=2, members_count=1,
            opens_at=T0, closes_at=T0 + dt.timedelta(hours=2),
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        for i, n in enumerate(noms):
            db.session.add(VotingItem(session_id=session.id, nomination_id=n.id, position=i))
        _, clear = create_token(user, "thử")
        db.session.commit()
        return {
            "sid": session.id,
            "noms": [n.id for n in noms],
            "h": {"Authorization": f"Bearer {clear}"},
            "dialect": db.engine.dialect.name,
        }


def test_a_vote_costs_a_bounded_number_of_statements(app, client, council_setup, clock):
    """Issue 12 (50 members voting at once): one vote's request runs a fixed, small number of
    statements, whatever the size of the ballot: the token, the session, the seat (once), the
    register, the ballot's ids, the ballots in one statement, the audit entry and its seal."""
    from sqlalchemy import event

    s = council_setup
    sid = opened(client, s)
    choices = _all_yes(s)
    assert all(n.id for n in choices)  # loaded before counting
    seen = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert vote(client, s, sid, "hd.thuky", choices).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    writes = [x for x in seen if x not in ("SELECT", "SAVEPOINT", "RELEASE")]
    if engine.dialect.name == "postgresql":
        # the register and the ballots in one statement, the entries and the chain's head in
        # one (WITH … INSERT / UPDATE); the audit entry; the seal's lock of the head
        assert writes == ["UPDATE", "WITH", "INSERT", "UPDATE", "WITH"], seen
    else:
        assert seen.count("INSERT") == 3, seen  # the register, the ballots, the audit entry
    # the token, its last use (written at most every 5 minutes), the session with the seat
    # and the register's check, the ballot's ids, the seal's read of the unchained entries
    assert seen.count("SELECT") == 4, seen
    assert len([x for x in seen if x not in ("SAVEPOINT", "RELEASE")]) <= (
        9 if engine.dialect.name == "postgresql" else 11
    ), seen
