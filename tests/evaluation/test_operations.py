"""The evaluation's named operations, called directly: each leaves its audit entry, one refused
by authorization changes nothing, and each queues the recompute its change implies itself (the
pages, the API and the imports never do)."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from sqlalchemy import func, select

from evaluation import api, imports, operations, views
from evaluation.compute import scope_tuple
from evaluation.models import (
    EvalYear,
    History,
    PersonEval,
    QuotaOverride,
    Rating,
    RatingDecision,
    Review,
    UnitEval,
    Violation,
    ViolationTypeRow,
)
from evaluation.queries import catalog_item
from service.audit.models import AuditEntry
from service.common.errors import Forbidden, ValidationError
from service.extensions import db
from service.jobs.models import Job

YEAR = 2025
# what a violation record needs besides its code
FACTS = {"found_on": dt.date(YEAR, 3, 1), "how_found": "inspection", "evidence": "Biên bản"}
TABLES = (
    EvalYear,
    ViolationTypeRow,
    PersonEval,
    UnitEval,
    Violation,
    History,
    Rating,
    RatingDecision,
    Review,
    QuotaOverride,
    Job,
    AuditEntry,
)


@pytest.fixture
def w(app_ctx, create_unit, create_person, create_user, create_year, create_person_inputs):
    """A ward (quota root) with an office of three people with inputs and ratings."""
    ward = create_unit("OW", quota_root=True)
    office = create_unit("OW-O", ward)
    people = [create_person(office, code=f"OW{i}") for i in range(3)]
    users = {
        "admin": create_user(roles=[("admin", None)]),
        "staff": create_user(roles=[("staff", ward)]),
        "committee": create_user(roles=[("committee", ward)]),
        "outsider": create_user(roles=[("staff", create_unit("OTHER"))]),
    }
    year = create_year(YEAR)
    for p in people:
        create_person_inputs(year, p)  # recomputed on its commit
    return {"year": year, "ward": ward, "office": office, "people": people, **users}


def _violation(w):
    v = operations.add_violation(
        w["staff"], w["year"], {"code": "1.03", **FACTS}, person=w["people"][0]
    )
    db.session.commit()
    return v


def _rating(w):
    return db.session.scalar(
        select(Rating).where(Rating.person_id == w["people"][1].id, Rating.kind == "official")
    )


def _submitted(w):
    operations.submit_list(w["staff"], w["year"], w["office"])
    db.session.commit()


def _approved(w):
    _submitted(w)
    operations.approve_list(w["committee"], w["year"], w["office"])
    db.session.commit()


# name: (set-up, the operation by the user allowed to do it, expected (action, object type))
CASES = {
    "open_year": (None, lambda w: operations.open_year(w["admin"], YEAR + 1), ("open", "year")),
    "update_pack": (
        None,
        lambda w: operations.update_pack(w["admin"], w["year"], {"a10_p": 30}),
        ("update_pack", "year"),
    ),
    "add_catalog_item": (
        None,
        lambda w: operations.add_catalog_item(
            w["admin"],
            w["year"],
            {"code": "9.01", "group": 9, "title": "Mới", "applies_to": "both", "severity": "minor"},
        ),
        ("create", "violation_type"),
    ),
    "update_catalog_item": (
        None,
        lambda w: operations.update_catalog_item(
            w["admin"], w["year"], catalog_item(w["year"], "1.03"), {"severity": "serious"}
        ),
        ("update", "violation_type"),
    ),
    "add_quota_override": (
        None,
        lambda w: operations.add_quota_override(
            w["admin"], w["year"], list(scope_tuple(_rating(w).scope)), 50, "Hội đồng quyết định"
        ),
        ("quota_override", "year"),
    ),
    "save_person_inputs": (
        None,
        lambda w: operations.save_person_inputs(w["staff"], w["year"], w["people"][0], {"m1": 70}),
        ("update", "person_eval"),
    ),
    "save_unit_inputs": (
        None,
        lambda w: operations.save_unit_inputs(w["staff"], w["year"], w["office"], {"ct": 5}),
        ("create", "unit_eval"),
    ),
    "add_violation": (
        None,
        lambda w: operations.add_violation(
            w["staff"], w["year"], {"code": "1.03", **FACTS}, person=w["people"][0]
        ),
        ("create", "violation"),
    ),
    "remove_violation": (
        _violation,
        lambda w, v: operations.remove_violation(w["staff"], w["year"], v, "Ghi nhầm"),
        ("remove", "violation"),
    ),
    "record_awards": (
        None,
        lambda w: operations.record_awards(
            w["committee"], YEAR, w["ward"], {w["people"][0].id: {"LDTT"}}, {}
        ),
        ("record_awards", "history"),
    ),
    "save_history": (
        None,
        lambda w: operations.save_history(
            w["staff"], 2020, {"official_level": "T"}, person=w["people"][0]
        ),
        ("create", "history"),
    ),
    "review_action": (
        None,
        lambda w: operations.review_action(w["staff"], w["year"], w["office"], "submit"),
        ("submit", "review"),
    ),
    "submit_list": (
        None,
        lambda w: operations.submit_list(w["staff"], w["year"], w["office"]),
        ("submit", "review"),
    ),
    "return_list": (
        _submitted,
        lambda w, _: operations.return_list(w["committee"], w["year"], w["office"], "Bổ sung"),
        ("return", "review"),
    ),
    "approve_list": (
        _submitted,
        lambda w, _: operations.approve_list(w["committee"], w["year"], w["office"]),
        ("approve", "review"),
    ),
    "reopen_list": (
        _approved,
        lambda w, _: operations.reopen_list(w["admin"], w["year"], w["office"], "Làm lại"),
        ("reopen", "review"),
    ),
    "set_proposal": (
        _rating,
        lambda w, r: operations.set_proposal(
            w["staff"], w["year"], r, w["office"], "HT", "Chưa chủ động"
        ),
        ("propose", "rating"),
    ),
    "set_final_level": (
        lambda w: (_submitted(w), _rating(w))[1],
        lambda w, r: operations.set_final_level(
            w["committee"], w["year"], r, w["office"], "HT", "Hội đồng xem xét lại"
        ),
        ("decide", "rating"),
    ),
    "start_computation": (
        None,
        lambda w: operations.start_computation(w["staff"], w["year"], w["office"]),
        ("compute", "year"),
    ),
}

# name: the user refused (the role, or the unit out of reach)
REFUSED = {
    "open_year": "staff",
    "update_pack": "staff",
    "add_catalog_item": "committee",
    "update_catalog_item": "staff",
    "add_quota_override": "staff",
    "save_person_inputs": "committee",
    "save_unit_inputs": "outsider",
    "add_violation": "committee",
    "remove_violation": "outsider",
    "save_history": "committee",
    "record_awards": "staff",
    "review_action": "committee",
    "submit_list": "committee",
    "return_list": "staff",
    "approve_list": "staff",
    "reopen_list": "committee",
    "set_proposal": "committee",
    "set_final_level": "staff",
    "start_computation": "outsider",
}


def _run(w, name, user=None):
    setup, operation, _expected = CASES[name]
    if user is not None:
        # the same call by another user: swap the one the case uses for the refused one
        w = {**w, **dict.fromkeys(("admin", "staff", "committee"), w[user])}
    return operation(w) if setup is None else operation(w, w["_setup"])


def _prepare(w, name):
    setup = CASES[name][0]
    w["_setup"] = setup(w) if setup is not None else None
    return w


def test_every_operation_is_tested_here():
    assert set(CASES) == set(operations.__all__) == set(REFUSED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_operation_audits_its_change(w, name):
    w = _prepare(w, name)
    _run(w, name)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_type) == CASES[name][2]
    assert entry.user_id is not None


def _counts() -> dict:
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_operation_refused_by_authorization_changes_nothing(w, name):
    w = _prepare(w, name)
    before, pack = _counts(), dict(w["year"].pack)
    with pytest.raises(Forbidden):
        _run(w, name, user=REFUSED[name])
    db.session.flush()
    assert _counts() == before
    assert w["year"].pack == pack
    assert not db.session.info.get("eval_recompute")


def _noted(w) -> set:
    return db.session.info.get("eval_recompute", set())


@pytest.mark.parametrize(
    "name",
    [
        "save_person_inputs",
        "save_unit_inputs",
        "add_violation",
        "remove_violation",
        "add_quota_override",
    ],
)
def test_the_operation_itself_queues_the_recompute_of_the_scope(w, name):
    w = _prepare(w, name)
    assert not _noted(w)
    _run(w, name)
    assert (w["year"].id, w["office"].id) in _noted(w)


def test_a_catalog_change_queues_the_recompute_of_who_is_recorded_with_it(w):
    _violation(w)
    row = catalog_item(w["year"], "1.03")
    operations.update_catalog_item(w["admin"], w["year"], row, {"title": "Chỉ đổi tiêu đề"})
    assert (w["year"].id, w["office"].id) not in _noted(w)  # the rating does not read titles
    operations.update_catalog_item(w["admin"], w["year"], row, {"severity": "serious"})
    assert (w["year"].id, w["office"].id) in _noted(w)


def test_a_pack_change_queues_a_recompute_of_the_whole_year(w):
    operations.update_pack(w["admin"], w["year"], {"a10_p": 30})
    job = db.session.scalar(select(Job).where(Job.key == f"recompute:{YEAR}:*"))
    assert job is not None and job.params == {"year": YEAR, "unit_code": None}


def test_pages_api_and_imports_leave_recomputes_and_jobs_to_the_operations():
    for module in (api, views, imports):
        source = inspect.getsource(module)
        assert "note_change" not in source and "enqueue(" not in source, module.__name__


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (
            "open",
            {
                "staff": {"submit", "propose", "enter"},
                "committee": set(),
                "admin": {"submit", "propose", "enter"},
            },
        ),
        (
            "submitted",
            {
                "staff": set(),
                "committee": {"return", "approve", "decide"},
                "admin": {"return", "approve", "decide"},
            },
        ),
        ("approved", {"staff": set(), "committee": set(), "admin": {"reopen"}}),
    ],
)
def test_the_list_predicates_follow_its_state_and_the_users_role(
    app_ctx, create_unit, create_user, create_year, create_review, state, allowed
):
    ward = create_unit("PW", quota_root=True)
    users = {
        "staff": create_user(roles=[("staff", ward)]),
        "committee": create_user(roles=[("committee", ward)]),
        "admin": create_user(roles=[("admin", None)]),
    }
    review = create_review(create_year(YEAR), ward, state=state)
    for who, user in users.items():
        got = {t.action for t in review.allowed_actions(user)}
        got |= {"propose"} if review.can_propose(user) else set()
        got |= {"decide"} if review.can_decide(user) else set()
        got |= {"enter"} if review.can_enter(user) else set()
        assert got == allowed[who], who
        assert review.can_submit(user) == ("submit" in got)
        assert review.can_approve(user) == ("approve" in got)
    outsider = create_user(roles=[("staff", create_unit("ELSEWHERE"))])
    assert not review.allowed_actions(outsider) and not review.can_enter(outsider)


def test_a_stored_rating_is_proposed_lower_only_with_a_reason(w, create_person, create_rating):
    rating = create_rating(w["year"], person=create_person(w["office"]), level="T")
    with pytest.raises(ValidationError):
        operations.set_proposal(w["staff"], w["year"], rating, w["office"], "HT", "")
    with pytest.raises(ValidationError):
        operations.set_proposal(w["staff"], w["year"], rating, w["office"], "XS", "Lý do")
    d = operations.set_proposal(w["staff"], w["year"], rating, w["office"], "HT", "Lý do")
    assert (d.proposed_level, d.proposal_reason) == ("HT", "Lý do")
