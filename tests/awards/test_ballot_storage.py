"""What the database itself keeps of a secret vote (RULES.md C10, issue 12 item 5, STYLE.md
"Secret ballots"): a vote writes the register row and the ballot in one transaction, so the rows it
writes share that transaction's id and sit together on disk. Nothing stored may pair a
member with their choices: no ballot row shares a transaction with a register row, and the
ballots' physical order (PostgreSQL's ctid, SQLite's rowid) follows their random keys over
the whole session, not the order of the voters."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from awards.council_models import Ballot, VoterRecord
from service.extensions import db
from tests.awards import council_fixtures as cf
from tests.awards.council_fixtures import opened, step, vote

clock, council_setup = cf.clock, cf.council_setup  # the fixtures

VOTERS = ("hd.thuky", "hd.uyvien1", "hd.uyvien2")


def _three_vote_and_close(client, s) -> int:
    sid = opened(client, s)
    for who, yes in zip(VOTERS, (True, False, True), strict=True):
        res = vote(client, s, sid, who, {s["noms"][k]: yes for k in ("PA", "PA2", "A1")})
        assert res.status_code == 201, res.get_json()
    assert step(client, s, sid, "close").status_code == 200
    db.session.expire_all()
    return sid


def _physical() -> str:
    return "ctid" if db.session.get_bind().dialect.name == "postgresql" else "rowid"


def test_closed_sessions_ballots_lie_in_one_random_order_over_all_members(
    client, council_setup, clock
):
    """Each member's choices are not a block in the table: the physical order of all the
    session's ballots is the order of their random keys."""
    sid = _three_vote_and_close(client, council_setup)
    ids = db.session.scalars(
        select(Ballot.id).where(Ballot.session_id == sid).order_by(text(_physical()))
    ).all()
    assert len(ids) == 9
    assert ids == sorted(ids)


def test_no_ballot_shares_a_transaction_with_a_voter(client, council_setup, clock):
    """PostgreSQL's xmin (the writing transaction) of every ballot is one and the same, the
    closing's, and no register row has it; SQLite has no such column (its rowid order is
    the test above)."""
    sid = _three_vote_and_close(client, council_setup)
    if db.session.get_bind().dialect.name != "postgresql":
        return
    ballots = set(
        db.session.scalars(
            text("SELECT xmin::text FROM ballots WHERE session_id = :sid"), {"sid": sid}
        )
    )
    voters = set(
        db.session.scalars(
            text("SELECT xmin::text FROM voting_register WHERE session_id = :sid"), {"sid": sid}
        )
    )
    assert len(voters) == 3
    assert len(ballots) == 1 and not ballots & voters
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(VoterRecord).where(VoterRecord.session_id == sid)
        )
        == 3
    )


def test_an_open_sessions_ballot_is_stored_sealed(app, client, council_setup, clock):
    """While the session is open a vote leaves no choice in the clear: no ballot row, one
    sealed row (no member, no time) that opens only under the server's key for its
    session."""
    from awards import ballot_box
    from awards.council_models import SealedBallot

    s = council_setup
    sid = opened(client, s)
    choices = {s["noms"]["PA"]: True, s["noms"]["PA2"]: False, s["noms"]["A1"]: True}
    assert vote(client, s, sid, "hd.thuky", choices).status_code == 201
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 0
    (row,) = db.session.scalars(select(SealedBallot).where(SealedBallot.session_id == sid)).all()
    assert {c.name for c in SealedBallot.__table__.columns} == {"id", "session_id", "sealed"}
    clear = sorted((n.id, y) for n, y in choices.items())
    plain = ",".join(f"[{nid},{int(yes)}]" for nid, yes in clear).encode()
    assert plain not in row.sealed
    key = ballot_box.box_key(app.config["SECRET_KEY"], sid)
    assert ballot_box.unseal(key, sid, row.id, row.sealed) == clear
    with pytest.raises(ballot_box.UnreadableBallot):
        ballot_box.unseal(ballot_box.box_key("another server", sid), sid, row.id, row.sealed)
    with pytest.raises(ballot_box.UnreadableBallot):
        ballot_box.unseal(
            ballot_box.box_key(app.config["SECRET_KEY"], sid + 1), sid + 1, row.id, row.sealed
        )


def test_closing_opens_the_box_once(client, council_setup, clock):
    from awards.council_models import SealedBallot

    sid = _three_vote_and_close(client, council_setup)
    assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 0
    res = client.get(
        f"/api/v1/voting-sessions/{sid}", headers=council_setup["headers"]["committee_a"]
    )
    totals = {i["nomination_id"]: (i["yes"], i["no"]) for i in res.get_json()["items"]}
    assert set(totals.values()) == {(2, 1)}


def test_a_box_that_does_not_open_refuses_the_close_and_changes_nothing(
    app, client, council_setup, clock
):
    from awards.council_models import SealedBallot, VotingSession

    s = council_setup
    sid = opened(client, s)
    assert (
        vote(
            client, s, sid, "hd.thuky", {s["noms"][k]: True for k in ("PA", "PA2", "A1")}
        ).status_code
        == 201
    )
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a key changed while the session was open"
    try:
        res = step(client, s, sid, "close")
    finally:
        app.config["SECRET_KEY"] = secret
    assert res.status_code == 400, res.get_json()
    assert "Không mở được hòm phiếu" in res.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(VotingSession, sid).state == "open"
    assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 0
    assert step(client, s, sid, "close").status_code == 200  # the key back: the box opens
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 3


def test_past_the_closing_time_the_totals_count_the_sealed_box_without_writing(
    client, council_setup, clock
):
    """Nobody has closed the session, its time is over: the totals are read from the sealed
    ballots (opened in memory), and the box stays as it is until the close is recorded."""
    import datetime as dt

    from awards.council_models import SealedBallot

    s = council_setup
    sid = opened(client, s)
    for who, yes in zip(VOTERS, (True, False, True), strict=True):
        assert (
            vote(client, s, sid, who, {s["noms"][k]: yes for k in ("PA", "PA2", "A1")}).status_code
            == 201
        )
    clock.at = cf.T0 + dt.timedelta(hours=3)
    res = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert res.status_code == 200
    totals = {i["nomination_id"]: (i["yes"], i["no"]) for i in res.get_json()["items"]}
    assert set(totals.values()) == {(2, 1)}
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 3
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 0
    res = step(client, s, sid, "publish")
    assert res.status_code == 200, res.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 9


def test_a_nomination_gone_from_an_open_ballot_takes_its_sealed_choices_along(
    client, council_setup, clock
):
    """A nomination deleted while the session is open (its item goes with it, by the
    cascade): the close still opens the box, and the other choices are counted."""
    from awards.models import Nomination

    s = council_setup
    sid = opened(client, s)
    for who in VOTERS:
        res = vote(client, s, sid, who, {s["noms"][k]: True for k in ("PA", "PA2", "A1")})
        assert res.status_code == 201
    gone = s["noms"]["A1"].id
    db.session.execute(db.delete(Nomination).where(Nomination.id == gone))
    db.session.flush()
    res = client.get(f"/api/v1/voting-sessions/{sid}", headers=s["headers"]["committee_a"])
    assert res.status_code == 200
    assert step(client, s, sid, "close").status_code == 200
    db.session.expire_all()
    held = db.session.scalars(select(Ballot.nomination_id).where(Ballot.session_id == sid)).all()
    assert len(held) == 6 and gone not in held


def _two_vote(client, s) -> int:
    sid = opened(client, s)
    for who in VOTERS[:2]:
        res = vote(client, s, sid, who, {s["noms"][k]: True for k in ("PA", "PA2", "A1")})
        assert res.status_code == 201
    return sid


def _state(sid) -> str:
    from awards.council_models import VotingSession

    db.session.expire_all()
    return db.session.get(VotingSession, sid).state


def test_a_sealed_row_copied_in_the_database_does_not_open(client, council_setup, clock):
    """The row's own key is sealed in: a copy under another key is not one more vote."""
    from awards.council_models import SealedBallot

    s = council_setup
    sid = _two_vote(client, s)
    row = db.session.scalars(select(SealedBallot).where(SealedBallot.session_id == sid)).first()
    db.session.add(SealedBallot(id="f" * 32, session_id=sid, sealed=row.sealed))
    db.session.flush()
    res = step(client, s, sid, "close")
    assert res.status_code == 400 and "Không mở được hòm phiếu" in str(res.get_json())
    assert _state(sid) == "open"


def test_a_sealed_row_deleted_in_the_database_refuses_the_close(client, council_setup, clock):
    """Two members in the register, one sealed ballot: the close says so and changes nothing."""
    from awards.council_models import SealedBallot

    s = council_setup
    sid = _two_vote(client, s)
    row = db.session.scalars(select(SealedBallot).where(SealedBallot.session_id == sid)).first()
    db.session.delete(row)
    db.session.flush()
    res = step(client, s, sid, "close")
    assert res.status_code == 400, res.get_json()
    assert "2 thành viên đã bỏ phiếu nhưng có 1 phiếu niêm phong" in str(res.get_json())
    assert _state(sid) == "open"
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 0


def test_a_box_sealed_under_a_rotated_key_opens_with_the_old_key_as_a_fallback(
    app, client, council_setup, clock
):
    s = council_setup
    sid = _two_vote(client, s)
    secret, fallbacks = app.config["SECRET_KEY"], app.config.get("SECRET_KEY_FALLBACKS")
    app.config["SECRET_KEY"] = "the new key of the server"
    app.config["SECRET_KEY_FALLBACKS"] = [secret]
    try:
        assert step(client, s, sid, "close").status_code == 200
    finally:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = secret, fallbacks
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 6


def test_deleting_a_session_deletes_its_sealed_ballots(client, council_setup, clock):
    from awards.council_models import SealedBallot, VotingSession

    s = council_setup
    sid = _two_vote(client, s)
    db.session.execute(db.delete(VotingSession).where(VotingSession.id == sid))
    db.session.flush()
    assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 0


# --- a vote racing the close (PostgreSQL: SQLite runs writing requests one at a time) -------


def _race(tmp_path, monkeypatch, hold: str):
    """A member's vote and the committee's close at the same moment, on committed data: the
    vote held `hold` ("checks": after its checks, before its statement; "statement": after
    its statement, before its commit) while the close runs. Returns (vote status, close
    error or None, register rows, sealed rows, ballots, yes ballots)."""
    import datetime as dt
    import threading

    from awards import council
    from awards.council_models import SealedBallot, VotingSession
    from tests.awards.test_ballot import _seed_committed
    from tests.evaluation.test_jobs import isolated_app

    monkeypatch.setattr(council, "now", lambda: cf.T0 + dt.timedelta(minutes=30))
    with isolated_app(tmp_path) as app:
        ids = _seed_committed(app)
        if ids["dialect"] != "postgresql":
            return None
        held, go = threading.Event(), threading.Event()
        target = "_ballot_ids" if hold == "checks" else "record"
        real = getattr(council, target)

        def holding(*args, **kwargs):
            if target == "record" and args[0] != "vote":
                return real(*args, **kwargs)
            found = real(*args, **kwargs) if target == "_ballot_ids" else None
            held.set()
            go.wait(10)
            return found if target == "_ballot_ids" else real(*args, **kwargs)

        monkeypatch.setattr(council, target, holding)
        body = {"votes": [{"nomination_id": n, "yes": True} for n in ids["noms"]]}
        status = []

        def member():
            res = app.test_client().post(
                f"/api/v1/voting-sessions/{ids['sid']}/ballot", json=body, headers=ids["h"]
            )
            status.append((res.status_code, res.get_json()))

        def close():
            with app.test_request_context():
                council._record_close(db.session.get(VotingSession, ids["sid"]), None, False)
                db.session.commit()

        voter = threading.Thread(target=member)
        voter.start()
        assert held.wait(10)
        closer = threading.Thread(target=close)
        closer.start()
        if hold == "checks":
            closer.join(20)  # the close commits while the vote waits after its checks
            go.set()
        else:
            closer.join(1)  # the close waits for the vote's lock on the session
            assert closer.is_alive()
            go.set()
            closer.join(20)
        voter.join(20)
        with app.app_context():

            def count(model, *where):
                return db.session.scalar(select(db.func.count()).select_from(model).where(*where))

            return (
                status[0],
                count(VoterRecord),
                count(SealedBallot),
                count(Ballot),
                count(Ballot, Ballot.yes.is_(True)),
            )


@pytest.mark.isolated_db
def test_a_vote_after_its_checks_is_refused_when_the_close_commits_first(tmp_path, monkeypatch):
    found = _race(tmp_path, monkeypatch, "checks")
    if found is None:
        return
    (code, answer), voters, sealed, ballots, _ = found
    assert code == 409 and "vừa đóng" in answer["error"]["message"], answer
    assert (voters, sealed, ballots) == (0, 0, 0)


@pytest.mark.isolated_db
def test_a_close_waits_for_a_vote_in_flight_and_counts_it(tmp_path, monkeypatch):
    found = _race(tmp_path, monkeypatch, "statement")
    if found is None:
        return
    (code, answer), voters, sealed, ballots, yes = found
    assert code == 201, answer
    assert (voters, sealed, ballots, yes) == (1, 0, 2, 2)
