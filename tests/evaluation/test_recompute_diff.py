# ruff: noqa: F811 - the example fixtures are imported, then requested by name
"""A recompute writes only the ratings that changed (compute._Stored, compute.row_digest), and
what it leaves in the table is exactly what a computation from an empty table gives: on the
worked example (spec/examples/ratings-small), after a second run with nothing changed, after
changes of every kind of input, for the whole year and for one unit's scope part."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from evaluation import compute
from evaluation.models import PersonEval, Rating, UnitEval, Violation
from evaluation.queries import get_year
from evaluation.rules import Level, RuleStep
from evaluation.rules import Rating as RatingResult
from service.extensions import db
from service.org.models import Person, Unit
from tests.evaluation.test_example_pipeline import expected, imported  # noqa: F401 - fixtures

_STORED = (
    Rating.kind,
    Rating.person_id,
    Rating.unit_id,
    Rating.list_unit_id,
    Rating.level,
    Rating.score,
    Rating.task_points,
    Rating.provisional,
    Rating.scope,
    Rating.steps,
    Rating.digest,
)


def _table(year_row) -> dict[tuple, tuple]:
    """subject -> everything stored but id and time."""
    rows = db.session.execute(select(*_STORED).where(Rating.year_id == year_row.id)).all()
    return {(r.kind, r.person_id, r.unit_id): tuple(r) for r in rows}


def _ids(year_row) -> dict[tuple, int]:
    rows = db.session.execute(
        select(Rating.kind, Rating.person_id, Rating.unit_id, Rating.id).where(
            Rating.year_id == year_row.id
        )
    ).all()
    return {(k, p, u): rid for k, p, u, rid in rows}


def _from_scratch(year_row) -> dict[tuple, tuple]:
    """What a computation into an empty table stores (inside a savepoint, undone after)."""
    nested = db.session.begin_nested()
    db.session.execute(delete(Rating).where(Rating.year_id == year_row.id))
    compute.recompute(year_row)
    table = _table(year_row)
    nested.rollback()
    return table


def _rating(**changes) -> RatingResult:
    figures = {"score": Decimal("91.50"), "threshold": 90}
    base = {
        "code": "P1",
        "kind": "official",
        "level": Level.T,
        "score": Decimal("91.50"),
        "task_points": Decimal("88.25"),
        "steps": (
            RuleStep("A2", "Điểm {score} ≥ {threshold}", figures),
            RuleStep("A3", "Mức theo điểm {score}", figures),
        ),
        "provisional": False,
    }
    base.update(changes)
    return RatingResult(**base)


def test_digest_is_stable_and_covers_every_stored_field():
    first = compute.rating_digest(7, _rating(), '["official","X",""]')
    assert first == compute.rating_digest(7, _rating(), '["official","X",""]')
    assert -(2**63) <= first < 2**63  # fits a BIGINT
    other_steps = {
        "figure": (
            RuleStep("A2", "Điểm {score} ≥ {threshold}", {"score": "91.5", "threshold": 90}),
        ),
        "template": (RuleStep("A2", "Điểm {score} > {threshold}", {"score": 1, "threshold": 90}),),
        "rule": (RuleStep("A4", "Điểm {score} ≥ {threshold}", {"score": 1, "threshold": 90}),),
        "fewer": _rating().steps[:1],
    }
    variants = [
        compute.rating_digest(8, _rating(), '["official","X",""]'),
        compute.rating_digest(7, _rating(), '["official","Y",""]'),
        compute.rating_digest(7, _rating(level=Level.XS), '["official","X",""]'),
        compute.rating_digest(7, _rating(score=Decimal("91.5")), '["official","X",""]'),
        compute.rating_digest(7, _rating(task_points=None), '["official","X",""]'),
        compute.rating_digest(7, _rating(provisional=True), '["official","X",""]'),
        *(
            compute.rating_digest(7, _rating(steps=steps), '["official","X",""]')
            for steps in other_steps.values()
        ),
    ]
    assert first not in variants and len(set(variants)) == len(variants)
    # the code is not stored: another person with the same result has the same digest
    assert compute.rating_digest(7, _rating(code="P2"), '["official","X",""]') == first


def test_recompute_with_nothing_changed_writes_nothing(app, imported, expected):
    with app.app_context():
        year_row = get_year(expected["year"])
        before, ids = _table(year_row), _ids(year_row)
        assert all(row[-1] is not None for row in before.values())  # every row has its digest
        counts = compute.recompute(year_row)
        assert counts["written"] == 0 and counts["removed"] == 0
        assert counts["unchanged"] == len(before) == 12 + 236 + 128
        assert _table(year_row) == before and _ids(year_row) == ids


def _change_inputs(year_row) -> dict:
    """One change of each kind: monthly scores, a violation removed, a unit input, a person who
    leaves the party (their party rating must go)."""
    evals = db.session.scalars(
        select(PersonEval).where(PersonEval.year_id == year_row.id).order_by(PersonEval.id)
    ).all()
    for pe in evals[:5]:
        pe.m1 = Decimal("55.00") if pe.m1 != Decimal("55.00") else Decimal("99.00")
    violation = db.session.scalars(
        select(Violation).where(Violation.year_id == year_row.id, Violation.person_id.is_not(None))
    ).first()
    violation.removed_at = violation.recorded_at
    violation.removed_reason = "thử"
    ue = db.session.scalars(select(UnitEval).where(UnitEval.year_id == year_row.id)).first()
    ue.k1 = not ue.k1
    leaver = db.session.scalars(
        select(Person)
        .join(Rating, Rating.person_id == Person.id)
        .where(Rating.kind == "party", Rating.year_id == year_row.id)
        .order_by(Person.code)
    ).first()
    leaver.is_party_member = False
    db.session.flush()
    return {"leaver": leaver.id}


def test_recompute_after_changes_stores_what_a_fresh_computation_does(
    app,
    imported,
    expected,
):
    with app.app_context():
        year_row = get_year(expected["year"])
        before, ids = _table(year_row), _ids(year_row)
        leaver = _change_inputs(year_row)["leaver"]
        counts = compute.recompute(year_row)
        after = _table(year_row)
        assert after == _from_scratch(year_row)
        assert ("party", leaver, None) in before and ("party", leaver, None) not in after
        assert counts["removed"] == 1
        changed = {k for k in after if after[k] != before.get(k)}
        assert 0 < len(changed) < len(after) // 2
        assert counts["written"] == len(changed)
        new_ids = _ids(year_row)
        # unchanged rows were left where they were; changed ones were written again
        assert all(new_ids[k] == ids[k] for k in after if k not in changed)
        assert all(new_ids[k] != ids.get(k) for k in changed)


def test_partial_recompute_after_changes_stores_what_a_fresh_computation_does(
    app,
    imported,
    expected,
):
    with app.app_context():
        year_row = get_year(expected["year"])
        pe = db.session.scalars(
            select(PersonEval).where(PersonEval.year_id == year_row.id).order_by(PersonEval.id)
        ).first()
        pe.m1, pe.m2, pe.m3 = Decimal("40.00"), Decimal("41.00"), Decimal("42.00")
        db.session.flush()
        unit = db.session.get(Unit, db.session.get(Person, pe.person_id).unit_id)
        counts = compute.recompute(year_row, compute.scope_root(unit))
        assert 0 < counts["written"] < counts["unchanged"]
        assert _table(year_row) == _from_scratch(year_row)


def test_recompute_leaves_approved_lists_as_they_are(app, imported, expected):
    from evaluation.models import Review

    with app.app_context():
        year_row = get_year(expected["year"])
        # the list with most people is approved; then every monthly score changes
        list_unit, _n = db.session.execute(
            select(Rating.list_unit_id, func.count())
            .where(Rating.year_id == year_row.id, Rating.kind == "official")
            .group_by(Rating.list_unit_id)
            .order_by(func.count().desc())
        ).first()
        db.session.add(Review(year_id=year_row.id, unit_id=list_unit, state="approved"))
        before, ids = _table(year_row), _ids(year_row)
        locked = {k for k, row in before.items() if row[3] == list_unit}
        db.session.execute(
            update(PersonEval).where(PersonEval.year_id == year_row.id).values(m1=Decimal("50"))
        )
        counts = compute.recompute(year_row)
        after, new_ids = _table(year_row), _ids(year_row)
        assert locked and all(after[k] == before[k] and new_ids[k] == ids[k] for k in locked)
        assert counts["written"] > len(after) // 2
        fresh = _from_scratch(year_row)
        assert {k: v for k, v in after.items() if k not in locked} == fresh


def _wards_with_heads(create_unit, create_person, create_year):
    """A district with six quota-root wards (B5 among them: k = floor(20·6/120) = 1 XS), each
    ward with six people whose best is its head (A10 in the ward: one XS, the head's, capped by
    the ward's own level, A8). Ward task points 69, 68, 67, …: W1 is the XS ward."""
    district = create_unit("D")
    year_row = create_year(2031)
    wards = []
    for w in range(1, 7):
        ward = create_unit(f"D-W{w}", district, quota_root=True)
        wards.append(ward)
        db.session.add(
            UnitEval(
                year_id=year_row.id, unit_id=ward.id, ct=5, dd=5, tp=5, kl=5,
                k1=True, k2=True, k3=True, k4=True, task_points=70 - w,
                targets_total=10, targets_done=10, targets_exceeded=3,
            )
        )  # fmt: skip
        for i in range(6):
            person = create_person(ward, code=f"W{w}P{i}", is_head=(i == 0))
            db.session.add(
                PersonEval(
                    year_id=year_row.id, person_id=person.id, ct=5, dd=5, tp=5, kl=5,
                    **{f"m{m}": 99 - i for m in range(1, 13)},
                )
            )  # fmt: skip
    db.session.flush()
    return year_row, wards


def _head_level(year_row, code):
    return db.session.scalar(
        select(Rating.level)
        .join(Person, Person.id == Rating.person_id)
        .where(Rating.year_id == year_row.id, Rating.kind == "official", Person.code == code)
    )


def test_a_unit_change_recomputes_the_heads_of_the_siblings_it_moves(
    app, create_unit, create_person, create_year
):
    """B5 ranks W2 above W1 after W2's input changes: W1 drops to T, so W1's head (another
    scope part) must drop to T as well (A8), though only W2's scope was recomputed."""
    with app.app_context():
        year_row, wards = _wards_with_heads(create_unit, create_person, create_year)
        compute.recompute(year_row)
        assert (_head_level(year_row, "W1P0"), _head_level(year_row, "W2P0")) == ("XS", "T")
        ue = db.session.scalar(select(UnitEval).where(UnitEval.unit_id == wards[1].id))
        ue.task_points = 70
        db.session.flush()
        counts = compute.recompute(year_row, wards[1])
        assert (_head_level(year_row, "W1P0"), _head_level(year_row, "W2P0")) == ("T", "XS")
        assert counts["also"] == ["D-W1"]
        assert _table(year_row) == _from_scratch(year_row)


def test_partial_recompute_rates_the_party_scopes_its_people_share_with_other_wards(
    app, create_unit, create_person, create_year
):
    """Two wards (quota roots) whose members sit in one district party committee (its own
    party scope, A10): a change in W1 moves the committee's quota, so the party ratings of
    W2's members change too, while W2's official scope is not rated again (their official
    level is read back for A9). The table ends as a fresh computation leaves it."""
    with app.app_context():
        district = create_unit("Q")
        committee = create_unit("Q-DU", district)
        year_row = create_year(2032)
        people = {}
        for w in (1, 2):
            ward = create_unit(f"Q-W{w}", district, quota_root=True)
            cell = create_unit(f"Q-W{w}-C", ward)
            for i in range(18):  # the best three (official XS: k = 3 of 18) sit on it
                party_unit = committee if i < 3 else cell if i < 10 else None
                person = create_person(
                    ward,
                    code=f"Q{w}P{i:02d}",
                    is_party_member=party_unit is not None,
                    party_unit=party_unit,
                )
                people[person.code] = person
                score = Decimal(99 - i) - Decimal(w) / 10
                db.session.add(
                    PersonEval(
                        year_id=year_row.id, person_id=person.id, ct=5, dd=5, tp=5, kl=5,
                        **{f"m{m}": score for m in range(1, 13)},
                    )
                )  # fmt: skip
        db.session.flush()
        compute.recompute(year_row)

        def party_level(code):
            return db.session.scalar(
                select(Rating.level).where(
                    Rating.kind == "party", Rating.person_id == people[code].id
                )
            )

        # the committee's six members are official XS; its one party XS (A10) is Q1P00's
        assert party_level("Q1P00") == "XS" and party_level("Q2P00") == "T"
        pe = db.session.scalar(select(PersonEval).where(PersonEval.person_id == people["Q1P00"].id))
        for m in range(1, 13):
            setattr(pe, f"m{m}", Decimal("60.00"))
        db.session.flush()
        ward1 = db.session.scalar(select(Unit).where(Unit.code == "Q-W1"))
        counts = compute.recompute(year_row, ward1)
        # W1's 18 people, and W2's three committee members as party members only
        assert counts["people"] == 18 + 3 and counts["official"] == 18
        assert party_level("Q2P00") == "XS"  # W2's best committee member takes the XS
        assert _table(year_row) == _from_scratch(year_row)
        # a committee member of W2 never rated (no stored official level for A9): the part
        # is widened to every scope it touches, W2's official scope included
        ward2 = db.session.scalar(select(Unit).where(Unit.code == "Q-W2"))
        newcomer = create_person(ward2, code="Q2NEW", is_party_member=True, party_unit=committee)
        db.session.add(
            PersonEval(
                year_id=year_row.id, person_id=newcomer.id, ct=5, dd=5, tp=5, kl=5,
                **{f"m{m}": 90 for m in range(1, 13)},
            )
        )  # fmt: skip
        db.session.flush()
        counts = compute.recompute(year_row, ward1)
        assert counts["people"] == 18 + 19 and counts["official"] == 18 + 19
        assert _table(year_row) == _from_scratch(year_row)


def test_whole_year_in_worker_processes_stores_what_one_process_does(
    app,
    imported,
    expected,
    monkeypatch,
):
    """Parts of ten people each, rated in two forked processes: the same table as in one, both
    from an empty table and after changes (rows compared field by field, ids of unchanged rows
    kept)."""
    monkeypatch.setattr(compute.parts, "BATCH", 10)
    with app.app_context():
        year_row = get_year(expected["year"])
        one = _from_scratch(year_row)
        app.config["EVAL_RECOMPUTE_PROCESSES"] = 2
        try:
            db.session.execute(delete(Rating).where(Rating.year_id == year_row.id))
            counts = compute.recompute(year_row)
            assert counts["processes"] == 2 and counts["written"] == len(one)
            assert _table(year_row) == one
            ids = _ids(year_row)
            leaver = _change_inputs(year_row)["leaver"]
            counts = compute.recompute(year_row)
            assert counts["processes"] == 2 and 0 < counts["written"] < len(one) // 2
            assert counts["removed"] == 1 and ("party", leaver, None) not in _ids(year_row)
            after = _table(year_row)
            new_ids = _ids(year_row)
            assert sum(new_ids[k] == ids.get(k) for k in after) == counts["unchanged"]
        finally:
            app.config["EVAL_RECOMPUTE_PROCESSES"] = 1
        assert after == _from_scratch(year_row)


def test_the_unit_tree_is_reused_only_while_no_unit_changed(app, imported, expected):
    """PostgreSQL: a recompute reuses the unit tree the last one built while the units' ids,
    codes, parents and quota roots are the same; after a change it reads the tree again and
    stores what a fresh computation does (SQLite reads it every time)."""
    with app.app_context():
        year_row = get_year(expected["year"])
        compute._UNITS_CACHE.clear()
        first = compute._load_units()
        reuses = db.engine.dialect.name == "postgresql"
        assert (compute._load_units() is first) is reuses
        office = db.session.scalars(
            select(Unit)
            .join(Person, Person.unit_id == Unit.id)
            .where(Unit.quota_root.is_(False), Unit.parent_id.is_not(None))
            .order_by(Unit.code)
        ).first()
        office.quota_root = True  # a new quota scope: its people's A10 scope changes
        db.session.flush()
        moved = compute._load_units()
        assert moved is not first and moved.root[office.id] == office.code
        assert (compute._load_units() is moved) is reuses
        office.code = office.code + "X"  # a code is part of the tree too
        db.session.flush()
        renamed = compute._load_units()
        assert renamed is not moved and renamed.code[office.id] == office.code
        compute.recompute(year_row)
        table = _table(year_row)
        compute._UNITS_CACHE.clear()
        assert table == _from_scratch(year_row)
        assert any(row[8].find(office.code) >= 0 for row in table.values())  # its scope key


def test_copy_text_of_worker_rows_reads_back_as_the_rows(app, imported, expected):
    """What a worker process hands back on PostgreSQL (compute.copy_data): NULLs, booleans,
    decimals, and a backslash in the JSON text columns (doubled for COPY) come back as given."""
    import datetime as dt

    with app.app_context():
        year_row = get_year(expected["year"])
        unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
        at = dt.datetime(2026, 12, 3, 1, 2, 3)
        steps = '[["A2","0123456789abcdef",{"codes":"a\\\\b \\"c\\" Đạt"}]]'
        row = (
            year_row.id,
            "unit",
            None,
            unit.id,
            unit.id,
            "HT",
            Decimal("65.50"),
            None,
            True,
            '["unit","X\\\\Y"]',
            steps,
            -5,
            at,
        )
        text_ = compute.copy_data([row]).decode()
        assert text_.split("\t")[2] == "\\N" and text_.endswith("\t-5\t2026-12-03 01:02:03\n")
        assert "\t" + steps.replace("\\", "\\\\") + "\t" in text_  # backslashes doubled
        if db.engine.dialect.name != "postgresql":
            return
        db.session.execute(delete(Rating).where(Rating.unit_id == unit.id))
        compute._write(compute.copy_data([row]), db.session.connection())
        got = db.session.execute(
            select(*_STORED, Rating.computed_at).where(Rating.unit_id == unit.id)
        ).one()
        assert got.steps == json.loads(steps) and got.scope == row[9]
        assert (got.level, got.score, got.task_points, got.provisional, got.digest) == (
            "HT",
            Decimal("65.50"),
            None,
            True,
            -5,
        )
        assert got.person_id is None and got.list_unit_id == unit.id and got.computed_at == at


def test_forked_workers_end_on_terminate_whatever_handler_the_parent_installed():
    """An RQ worker's SIGTERM handler (a warm stop) inherited by the pool's workers made the
    pool's exit wait forever (seen on PostgreSQL when an RQ test ran earlier in the process)."""
    import multiprocessing
    import signal
    import time

    from evaluation.compute import parallel

    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # ignores SIGTERM, as RQ's does
    try:
        pool = multiprocessing.get_context("fork").Pool(1, parallel._worker_init)
        assert pool.apply_async(signal.getsignal, (signal.SIGTERM,)).get(10) == signal.SIG_DFL
        started = time.monotonic()
        pool.terminate()
        pool.join()
        assert time.monotonic() - started < 10
    finally:
        signal.signal(signal.SIGTERM, previous)
