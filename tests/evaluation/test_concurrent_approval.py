"""Two committee members approve the same submitted list at the same moment, through the HTTP API
on a database of their own (committed data, one connection per request): exactly one approval
wins (200), the other gets 409; the list is approved with its version raised once and one audit
entry. On SQLite (file) and, when TEST_DATABASE_URL points to it, on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from evaluation import workflow
from evaluation.models import RatingDecision
from evaluation.operations import lists
from service.audit.models import AuditEntry
from service.extensions import db
from tests.evaluation.test_jobs import YEAR, compute_now, isolated_app, seed

pytestmark = pytest.mark.isolated_db

ROUNDS = 6
URL = f"/api/v1/years/{YEAR}/units/W-O/review"
LOSER_MESSAGES = (
    "Danh sách vừa được người khác thay đổi",  # the UPDATE … WHERE state, version found no row
    "Danh sách đang được người khác xử lý",  # SQLite: the other writer holds the lock
    "Không thể «Phê duyệt»: danh sách đang ở trạng thái «Đã phê duyệt»",  # came after the winner
)


@pytest.fixture
def approval_app(tmp_path):
    with isolated_app(tmp_path) as app:  # TestConfig: inline jobs, recompute in the transaction
        h = seed(app, scopes=(("W", 6),))
        compute_now(app)
        yield app, h


def _race(app, h, body, action="approve", who=("committee", "committee2")) -> dict:
    """Both users post `action` at the same moment, each from a thread with its own client."""
    start = threading.Barrier(2, timeout=10)
    results: dict = {}

    def post(user):
        client = app.test_client()
        try:
            start.wait()
            results[user] = client.post(f"{URL}/{action}", json=body, headers=h[user])
        except Exception as err:  # reported by the assertion below
            results[user] = err

    threads = [threading.Thread(target=post, args=(user,)) for user in who]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "an approval never answered"
    return results


def _outcome(results) -> tuple[dict, dict, dict]:
    """(all outcomes, the 200 body, the 409 body); fails unless exactly one of each."""
    outcome = {
        who: (r.status_code, r.get_json()) if not isinstance(r, Exception) else r
        for who, r in results.items()
    }
    codes = sorted(o[0] for o in outcome.values() if isinstance(o, tuple))
    assert codes == [200, 409], outcome
    (won,) = [o[1] for o in outcome.values() if o[0] == 200]
    (lost,) = [o[1] for o in outcome.values() if o[0] == 409]
    return outcome, won, lost


def _serialized(app) -> bool:
    """SQLite: every writing request begins IMMEDIATE (service.will_write), so two writes never
    overlap; the second starts after the first committed and finds its outcome."""
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_simultaneous_approvals_exactly_one_wins(approval_app, monkeypatch):
    app, h = approval_app
    client = app.test_client()
    # Odd rounds: both requests are held after their checks (state, version, A11) until both
    # have passed them, so the conditional UPDATE alone must decide. Even rounds run freely, as
    # every round does where writers are serialized (SQLite): the second finds the approval.
    overlap: dict = {"barrier": None}
    real_errors = workflow.approval_errors

    def approval_errors(year_row, unit):
        errors = real_errors(year_row, unit)
        barrier = overlap["barrier"]
        if barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return errors

    monkeypatch.setattr(workflow, "approval_errors", approval_errors)
    losers = []
    for round_no in range(1, ROUNDS + 1):
        res = client.post(f"{URL}/submit", json={}, headers=h["staff"])
        assert res.status_code == 200, res.get_json()
        before = res.get_json()["version"]
        forced = round_no % 2 == 1 and not _serialized(app)
        overlap["barrier"] = threading.Barrier(2, timeout=5) if forced else None
        body = {"version": before} if round_no > ROUNDS // 2 else {}

        results = _race(app, h, body)

        _all, won, lost = _outcome(results)
        assert won["state"] == "approved" and won["version"] == before + 1, won
        message = lost["error"]["message"]
        assert message.startswith(LOSER_MESSAGES), message
        if forced:  # both passed the checks: the UPDATE (or SQLite's lock) decided
            assert message.startswith(LOSER_MESSAGES[:2]), message
        losers.append(message)
        review = client.get(URL, headers=h["admin"]).get_json()
        assert (review["state"], review["version"]) == ("approved", before + 1), review
        approvals = _count(
            app, AuditEntry, AuditEntry.object_type == "review", AuditEntry.action == "approve"
        )
        assert approvals == round_no  # one audit entry per round: the winner's
        assert _count(app, RatingDecision, RatingDecision.final_level.is_not(None)) == 6

        res = client.post(f"{URL}/reopen", json={"reason": "Làm lại"}, headers=h["admin"])
        assert res.status_code == 200 and res.get_json()["version"] == before + 2
    print("409 messages:", losers)


def test_two_simultaneous_first_submits_exactly_one_wins(approval_app, monkeypatch):
    """The list has no review row yet: both requests find none and create it; the second must
    get 409 (not a 500 from the unique constraint, or from SQLite's lock)."""
    app, h = approval_app
    real_get_review = lists.get_review
    barrier = threading.Barrier(2, timeout=5)
    serialized = _serialized(app)

    def get_review(year_row, unit):
        found = real_get_review(year_row, unit)
        if found is None and not serialized:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()  # both saw no review: both create one
        return found

    monkeypatch.setattr(lists, "get_review", get_review)
    _all, won, lost = _outcome(_race(app, h, {}, "submit", ("staff", "staff2")))
    assert (won["state"], won["version"]) == ("submitted", 1), won
    # serialized: the second submit comes after the first and finds the list submitted
    expected = ("Không thể «",) if serialized else LOSER_MESSAGES[:2]
    assert lost["error"]["message"].startswith(expected), lost
    review = app.test_client().get(URL, headers=h["admin"]).get_json()
    assert (review["state"], review["version"]) == ("submitted", 1), review
    assert _count(app, AuditEntry, AuditEntry.object_type == "review") == 1
