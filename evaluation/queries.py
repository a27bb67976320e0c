"""Reads of the yearly evaluation (years, catalog, inputs, violations, ratings and decisions,
rating lists, history) and their JSON shapes. Nothing here writes."""

from __future__ import annotations

from sqlalchemy import Text, cast, func, or_, outerjoin, select

from evaluation.models import (
    PERSON_EVAL_FIELDS,
    UNIT_EVAL_FIELDS,
    EvalYear,
    History,
    PersonEval,
    Rating,
    RatingDecision,
    Review,
    UnitEval,
    Violation,
    ViolationTypeRow,
)
from evaluation.rules import AppliesTo, RulePack, Severity, ViolationType
from evaluation.rules.entry import MONTHS, missing_inputs
from service.auth.access import can, scope_paths
from service.common.errors import NotFound
from service.common.queries import in_ids, read_rows, read_tuples
from service.extensions import db
from service.org.models import Person, Unit
from service.org.operations import visible_person

CATALOG_FIELDS = ("code", "group", "title", "applies_to", "severity")
HISTORY_FIELDS = ("official_level", "party_level", "awards", "initiatives_base", "initiatives_city")
STATE_LABELS = {"open": "Đang nhập", "submitted": "Đã gửi duyệt", "approved": "Đã phê duyệt"}
KIND_LABELS = {"official": "công chức, viên chức", "party": "đảng viên", "unit": "tập thể"}


# --- years and their catalog -----------------------------------------------------------------


def get_year(year: int) -> EvalYear:
    row = db.session.scalar(select(EvalYear).where(EvalYear.year == year))
    if row is None:
        raise NotFound(f"Năm {year} chưa được mở để đánh giá.")
    return row


def list_years() -> list[EvalYear]:
    return list(db.session.scalars(select(EvalYear).order_by(EvalYear.year.desc())))


def newest_year() -> int | None:
    return db.session.scalar(select(func.max(EvalYear.year)))


def has_approved(year_row: EvalYear) -> bool:
    return year_row.has_approved


def pack_of(year_row: EvalYear) -> RulePack:
    return RulePack.from_dict(year_row.pack)


def catalog_rows(year_row: EvalYear, *, individual_only: bool = False) -> list[ViolationTypeRow]:
    stmt = select(ViolationTypeRow).where(ViolationTypeRow.year_id == year_row.id)
    if individual_only:
        stmt = stmt.where(ViolationTypeRow.applies_to != "collective")
    return list(db.session.scalars(stmt.order_by(ViolationTypeRow.code)))


def catalog_of(year_row: EvalYear) -> dict[str, ViolationType]:
    return {
        r.code: ViolationType(
            code=r.code,
            title=r.title,
            group=r.group,
            applies_to=AppliesTo(r.applies_to),
            severity=Severity(r.severity),
        )
        for r in catalog_rows(year_row)
    }


def catalog_item(year_row: EvalYear, code: str) -> ViolationTypeRow:
    row = db.session.scalar(
        select(ViolationTypeRow).where(
            ViolationTypeRow.year_id == year_row.id, ViolationTypeRow.code == code
        )
    )
    if row is None:
        raise NotFound(f"Không có biểu hiện vi phạm mã {code} trong danh mục năm {year_row.year}.")
    return row


def year_out(row: EvalYear) -> dict:
    return {
        "year": row.year,
        "pack": row.pack,
        "pack_source": row.pack_source,
        "locked": row.locked,
        "pack_locked": row.pack_locked,
        "computed_at": row.computed_at.strftime("%d/%m/%Y %H:%M") if row.computed_at else None,
    }


def catalog_out(row: ViolationTypeRow) -> dict:
    return {f: getattr(row, f) for f in CATALOG_FIELDS}


# --- rating lists (reviews) ------------------------------------------------------------------


def list_unit_of_unit(unit: Unit) -> int:
    """The unit whose list holds `unit`'s own rating: its parent, or itself at the top."""
    return unit.parent_id or unit.id


def get_review(year_row: EvalYear, unit: Unit) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.year_id == year_row.id, Review.unit_id == unit.id)
    )


def recompute_pending(year_row: EvalYear, unit: Unit):
    """The recompute of `unit`'s results still to run or running (the job, or None): one of its
    quota scope, of a scope under it, or of the whole year. A save queues it a moment later
    (EVAL_RECOMPUTE_DELAY), so until it has run the stored results do not include the save."""
    from evaluation.compute.changes import scope_root
    from service.jobs.models import Job

    root = scope_root(unit)
    prefix = f"recompute:{year_row.year}:"
    under = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
    return db.session.scalar(
        select(Job)
        .where(
            Job.status.in_(("queued", "running")),
            Job.key.startswith(prefix, autoescape=True),
            or_(Job.key == prefix + "*", Job.unit_id == root.id, Job.unit_id.in_(under)),
        )
        .order_by(Job.id.desc())
        .limit(1)
    )


def review_of(year_row: EvalYear, unit: Unit) -> Review:
    """The list of `unit`, or an open one not yet stored (not added to the session)."""
    review = get_review(year_row, unit)
    if review is None:
        review = Review(year_id=year_row.id, unit_id=unit.id, state="open", version=0)
        review.year, review.unit = year_row, unit
    return review


def review_state(year_row: EvalYear, unit_id: int) -> str:
    state = db.session.scalar(
        select(Review.state).where(Review.year_id == year_row.id, Review.unit_id == unit_id)
    )
    return state or "open"


# --- how complete the inputs are (evaluation.rules.entry) ----------------------------------

_ENTRY_COLUMNS = ("ct", "dd", "tp", "kl", *MONTHS, "task_points", "months_worked", "maternity")


def missing_of(year_row: EvalYear, person_ids) -> dict[int, tuple[str, ...]]:
    """What is missing from each person's inputs of the year (() when entered)."""
    person_ids = list(person_ids)
    min_months = pack_of(year_row).a1_min_months
    values: dict[int, dict] = {}
    cols = [getattr(PersonEval, c) for c in _ENTRY_COLUMNS]
    for i in range(0, len(person_ids), 900):
        part = person_ids[i : i + 900]
        for pid, *row in db.session.execute(
            select(PersonEval.person_id, *cols).where(
                PersonEval.year_id == year_row.id, PersonEval.person_id.in_(part)
            )
        ):
            values[pid] = dict(zip(_ENTRY_COLUMNS, row, strict=True))
    return {pid: missing_inputs(values.get(pid), min_months) for pid in person_ids}


def entry_status(year_row: EvalYear, unit: Unit) -> dict:
    """The people of the list of `unit` (its own people): how many are entered, who is not and
    what each lacks, in page order."""
    people = db.session.execute(
        select(Person.id, Person.code, Person.full_name)
        .where(Person.unit_id == unit.id)
        .order_by(Person.sort_name, Person.code)
    ).all()
    missing = missing_of(year_row, [p.id for p in people])
    lacking = [
        {"code": code, "full_name": name, "missing": list(missing[pid])}
        for pid, code, name in people
        if missing[pid]
    ]
    return {
        "total": len(people),
        "entered": len(people) - len(lacking),
        "missing": lacking,
    }


def units_missing(year_row: EvalYear, unit: Unit) -> list[dict]:
    """The direct sub-units of `unit` (those whose ratings its list holds) with no collective
    evaluation of the year, in code order, each with its heads: without one a unit has no
    rating, and its head is not capped by it (A8)."""
    entered = select(UnitEval.id).where(
        UnitEval.year_id == year_row.id, UnitEval.unit_id == Unit.id
    )
    units = db.session.execute(
        select(Unit.id, Unit.code, Unit.name)
        .where(Unit.parent_id == unit.id, ~entered.exists())
        .order_by(Unit.code)
    ).all()
    heads: dict[int, list[str]] = {}
    if units:
        for uid, code, name in db.session.execute(
            select(Person.unit_id, Person.code, Person.full_name)
            .where(Person.unit_id.in_([u.id for u in units]), Person.is_head.is_(True))
            .order_by(Person.code)
        ):
            heads.setdefault(uid, []).append(f"{name} ({code})")
    return [{"code": c, "name": n, "heads": heads.get(uid, [])} for uid, c, n in units]


def work_lists(
    year_row: EvalYear, user, action: str, limit: int = 200, state: str | None = None
) -> tuple[list[dict], int]:
    """The lists of the units within the user's reach for `action` that have people or hold
    their sub-units' ratings, with their state, how many are entered and how many sub-unit
    ratings they hold (the landing page "Việc của tôi"), returned ones first, then
    the ones still open, then submitted and approved (only those in `state` when given); at
    most `limit`, and how many in all."""
    paths = scope_paths(user, action)
    if not paths:
        return [], 0
    in_reach = [Unit.subtree_clause(p) for p in paths]
    counts = dict(
        db.session.execute(
            select(Person.unit_id, func.count())
            .join(Unit, Person.unit_id == Unit.id)
            .where(or_(*in_reach))
            .group_by(Person.unit_id)
        ).all()
    )
    # the lists of sub-units' own ratings (B6: approved before their heads, A8), also those of
    # a unit with no people of its own
    unit_ratings = dict(
        db.session.execute(
            select(Rating.list_unit_id, func.count())
            .join(Unit, Rating.list_unit_id == Unit.id)
            .where(Rating.year_id == year_row.id, Rating.kind == "unit", or_(*in_reach))
            .group_by(Rating.list_unit_id)
        ).all()
    )
    wanted = list(dict.fromkeys([*unit_ratings, *counts]))[:5000]
    if not wanted:
        return [], 0
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(wanted)))}
    reviews = {
        r.unit_id: r
        for r in db.session.scalars(
            select(Review).where(Review.year_id == year_row.id, Review.unit_id.in_(list(units)))
        )
    }
    if state is not None:  # only the lists in this state (their entries are all read below)
        units = {
            uid: u
            for uid, u in units.items()
            if (reviews[uid].state if uid in reviews else "open") == state
        }
    min_months = pack_of(year_row).a1_min_months
    entered: dict[int, int] = dict.fromkeys(units, 0)
    cols = [getattr(PersonEval, c) for c in _ENTRY_COLUMNS]
    joined = outerjoin(
        Person,
        PersonEval,
        (PersonEval.person_id == Person.id) & (PersonEval.year_id == year_row.id),
    )
    for uid, has_row, *row in db.session.execute(
        select(Person.unit_id, PersonEval.id, *cols)
        .select_from(joined)
        .where(Person.unit_id.in_(list(units)))
    ):
        values = dict(zip(_ENTRY_COLUMNS, row, strict=True)) if has_row else None
        if not missing_inputs(values, min_months):
            entered[uid] += 1
    order = {"returned": 0, "open": 1, "submitted": 2, "approved": 3}
    out = []
    for uid, unit in units.items():
        review = reviews.get(uid)
        state = review.state if review else "open"
        returned = bool(review and state == "open" and review.last_action == "return")
        out.append(
            {
                "unit": unit,
                "state": state,
                "state_label": STATE_LABELS[state],
                "returned": returned,
                "reason": review.last_reason if review and state == "open" else None,
                "total": counts.get(uid, 0),
                "entered": entered[uid],
                "unit_ratings": unit_ratings.get(uid, 0),
                "sort": (order["returned" if returned else state], unit.path),
            }
        )
    out.sort(key=lambda r: r["sort"])
    return out[:limit], len(out)


def review_out(year_row, unit, review: Review | None, user) -> dict:
    review = review if review is not None else review_of(year_row, unit)
    return {
        "year": year_row.year,
        "unit_code": unit.code,
        "state": review.state,
        "state_label": STATE_LABELS[review.state],
        "version": review.version or 0,
        "last_action": review.last_action,
        "last_reason": review.last_reason,
        "actions": [
            {"action": t.action, "label": t.label, "needs_reason": t.needs_reason}
            for t in review.allowed_actions(user)
        ],
        # the submit's check reads entry_status alone; the page and API also the sub-units
        "entry": entry_status(year_row, unit) | {"units_missing": units_missing(year_row, unit)},
    }


# --- inputs and violations -------------------------------------------------------------------


def get_person_eval(year_row: EvalYear, person: Person) -> PersonEval | None:
    return db.session.scalar(
        select(PersonEval).where(
            PersonEval.year_id == year_row.id, PersonEval.person_id == person.id
        )
    )


def get_unit_eval(year_row: EvalYear, unit: Unit) -> UnitEval | None:
    return db.session.scalar(
        select(UnitEval).where(UnitEval.year_id == year_row.id, UnitEval.unit_id == unit.id)
    )


def active_violations(year_row: EvalYear, *, person_id=None, unit_id=None) -> list[Violation]:
    stmt = select(Violation).where(Violation.year_id == year_row.id, Violation.removed_at.is_(None))
    if person_id is not None:
        stmt = stmt.where(Violation.person_id == person_id)
    else:
        stmt = stmt.where(Violation.unit_id == unit_id)
    return list(db.session.scalars(stmt.order_by(Violation.id)))


def active_codes(year_row: EvalYear, *, person_id=None, unit_id=None) -> list[str]:
    return [v.code for v in active_violations(year_row, person_id=person_id, unit_id=unit_id)]


def person_violations(year_row: EvalYear, person: Person) -> list[Violation]:
    """Every record of the person in the year, removed ones too."""
    return list(
        db.session.scalars(
            select(Violation)
            .where(Violation.year_id == year_row.id, Violation.person_id == person.id)
            .order_by(Violation.id)
        )
    )


def get_violation(year_row, violation_id: int) -> Violation:
    v = db.session.get(Violation, violation_id)
    if v is None or v.year_id != year_row.id:
        raise NotFound("Không tìm thấy bản ghi vi phạm.")
    return v


def _eval_out(row, fields, violations: list[str]) -> dict:
    out: dict = {}
    for key in fields:
        value = getattr(row, key) if row is not None else None
        if key == "discipline_date" and value is not None:
            value = value.strftime("%d/%m/%Y")
        elif value is not None and not isinstance(value, (bool, int)):
            value = str(value)
        out[key] = value
    out["violations"] = violations
    out["exists"] = row is not None
    out["version"] = row.version if row is not None else 0
    return out


def person_eval_out(row: PersonEval | None, violations: list[str]) -> dict:
    return _eval_out(row, PERSON_EVAL_FIELDS, violations)


def unit_eval_out(row: UnitEval | None, violations: list[str]) -> dict:
    return _eval_out(row, UNIT_EVAL_FIELDS, violations)


def person_inputs_out(year_row: EvalYear, person: Person) -> dict:
    row = get_person_eval(year_row, person)
    codes = active_codes(year_row, person_id=person.id)
    missing = missing_inputs(_entry_values(row), pack_of(year_row).a1_min_months)
    return {"person_code": person.code, **person_eval_out(row, codes), "missing": list(missing)}


def unit_inputs_out(year_row: EvalYear, unit: Unit) -> dict:
    row = get_unit_eval(year_row, unit)
    codes = active_codes(year_row, unit_id=unit.id)
    return {"unit_code": unit.code, **unit_eval_out(row, codes)}


def child_inputs(year_row: EvalYear, unit: Unit) -> list[tuple[Unit, dict]]:
    """The direct children of `unit` with their unit inputs (the entry page's second grid)."""
    children = db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)
    ).all()
    return [(child, unit_inputs_out(year_row, child)) for child in children]


def grid_rows(year_row, unit) -> list[dict]:
    """The entry grid: the unit's own people with their yearly inputs (three queries)."""
    people = list(
        db.session.scalars(
            select(Person).where(Person.unit_id == unit.id).order_by(Person.sort_name, Person.code)
        )
    )
    ids = [p.id for p in people] or [0]
    evals = {
        e.person_id: e
        for e in db.session.scalars(
            select(PersonEval).where(
                PersonEval.year_id == year_row.id, PersonEval.person_id.in_(ids)
            )
        )
    }
    codes: dict[int, list[str]] = {}
    for pid, vcode in db.session.execute(
        select(Violation.person_id, Violation.code).where(
            Violation.year_id == year_row.id,
            Violation.removed_at.is_(None),
            Violation.person_id.in_(ids),
        )
    ):
        codes.setdefault(pid, []).append(vcode)
    min_months = pack_of(year_row).a1_min_months

    def lacking(row):
        return list(missing_inputs(_entry_values(row), min_months))

    return [
        {
            "person_code": p.code,
            "full_name": p.full_name,
            "position": p.position,
            "is_head": p.is_head,
            **person_eval_out(evals.get(p.id), codes.get(p.id, [])),
            "missing": lacking(evals.get(p.id)),
        }
        for p in people
    ]


def _entry_values(row: PersonEval | None) -> dict | None:
    return None if row is None else {c: getattr(row, c) for c in _ENTRY_COLUMNS}


def violation_out(v) -> dict:
    return {
        "id": v.id,
        "code": v.code,
        "person_code": v.person.code if v.person else None,
        "unit_code": v.unit.code if v.unit else None,
        "found_on": v.found_on.strftime("%d/%m/%Y") if v.found_on else None,
        "how_found": v.how_found,
        "evidence": v.evidence,
        "recorded_by": v.recorded_by,
        "removed": v.removed_at is not None,
        "removed_reason": v.removed_reason,
    }


# --- ratings and decisions -------------------------------------------------------------------


def list_ratings(year_row: EvalYear, unit: Unit) -> list[tuple[Rating, str, str]]:
    """(rating, subject code, subject name) of the list of `unit`, people then units."""
    people = db.session.execute(
        select(Rating, Person.code, Person.full_name)
        .join(Person, Rating.person_id == Person.id)
        .where(Rating.year_id == year_row.id, Rating.list_unit_id == unit.id)
        .order_by(Person.sort_name, Person.code, Rating.kind)
    ).all()
    units = db.session.execute(
        select(Rating, Unit.code, Unit.name)
        .join(Unit, Rating.unit_id == Unit.id)
        .where(Rating.year_id == year_row.id, Rating.list_unit_id == unit.id)
        .order_by(Unit.code)
    ).all()
    return [tuple(r) for r in people] + [tuple(r) for r in units]


def unapproved_lists(year_row: EvalYear, person_ids, unit_ids) -> list[dict]:
    """The rating lists not yet approved that hold ratings of these people (official or party)
    or units (their own rating), highest in the tree first: code, name, state label and how
    many of the given people and units each holds (what a provisional proposal waits for)."""
    out: dict[int, dict] = {}
    for ids, column in ((person_ids, Rating.person_id), (unit_ids, Rating.unit_id)):
        if not ids:
            continue
        rows = db.session.execute(
            select(
                Unit.id,
                Unit.code,
                Unit.name,
                Unit.path,
                Review.state,
                func.count(column.distinct()),
            )
            .select_from(Rating)
            .join(Unit, Unit.id == Rating.list_unit_id)
            .outerjoin(
                Review, (Review.year_id == Rating.year_id) & (Review.unit_id == Rating.list_unit_id)
            )
            .where(
                Rating.year_id == year_row.id,
                in_ids(column, sorted(set(ids))),
                func.coalesce(Review.state, "open") != "approved",
            )
            .group_by(Unit.id, Unit.code, Unit.name, Unit.path, Review.state)
        ).all()
        key = "people" if column is Rating.person_id else "units"
        for uid, code, name, path, state, n in rows:
            entry = out.setdefault(
                uid,
                {"code": code, "name": name, "path": path, "people": 0, "units": 0,
                 "state_label": STATE_LABELS[state or "open"]},
            )  # fmt: skip
            entry[key] += n
    return sorted(out.values(), key=lambda e: e["path"])


def decisions_for(year_row: EvalYear, ratings: list[Rating]) -> dict[tuple, RatingDecision]:
    if not ratings:
        return {}
    person_ids = [r.person_id for r in ratings if r.person_id]
    unit_ids = [r.unit_id for r in ratings if r.unit_id]
    out = {}
    stmt = select(RatingDecision).where(RatingDecision.year_id == year_row.id)
    for chunk_ids, column in ((person_ids, "person_id"), (unit_ids, "unit_id")):
        for i in range(0, len(chunk_ids), 900):
            part = chunk_ids[i : i + 900]
            for d in db.session.scalars(stmt.where(getattr(RatingDecision, column).in_(part))):
                out[(d.kind, d.person_id, d.unit_id)] = d
    return out


def final_of(rating: Rating, decision: RatingDecision | None) -> str:
    if decision is not None:
        return decision.final_level or decision.proposed_level or rating.level
    return rating.level


def rating_key(rating: Rating) -> tuple:
    return (rating.kind, rating.person_id, rating.unit_id)


def find_rating(year_row: EvalYear, kind: str, code: str) -> tuple[Rating, Unit]:
    if kind not in KIND_LABELS:
        raise NotFound("Loại xếp loại không hợp lệ (official, party, unit).")
    if kind == "unit":
        stmt = select(Rating).join(Unit, Rating.unit_id == Unit.id).where(Unit.code == code)
    else:
        stmt = select(Rating).join(Person, Rating.person_id == Person.id).where(Person.code == code)
    rating = db.session.scalar(stmt.where(Rating.year_id == year_row.id, Rating.kind == kind))
    if rating is None:
        raise NotFound("Chưa có kết quả xếp loại này (cần nhập liệu và tính kết quả).")
    return rating, db.session.get(Unit, rating.list_unit_id)


def visible_rating(user, year_row: EvalYear, kind: str, code: str) -> tuple[Rating, Unit]:
    """find_rating within the user's reach (404 outside it)."""
    rating, list_unit = find_rating(year_row, kind, code)
    if not can(user, "evaluation.read", list_unit):
        raise NotFound("Không tìm thấy kết quả xếp loại.")
    return rating, list_unit


def rating_out(
    rating: Rating,
    code: str,
    name: str,
    decision: RatingDecision | None,
    missing=(),
    page: bool = False,
) -> dict:
    """A rating as the pages and the API show it; `missing`: what its person's inputs lack
    (a rating computed from them is flagged incomplete); `page`: the explanation with the
    pages' decimal comma."""
    from evaluation.compute import explain, scope_tuple

    return {
        "kind": rating.kind,
        "code": code,
        "name": name,
        "level": rating.level,
        "score": None if rating.score is None else str(rating.score),
        "task_points": None if rating.task_points is None else str(rating.task_points),
        "provisional": rating.provisional,
        "proposed_level": decision.proposed_level if decision else None,
        "proposal_reason": decision.proposal_reason if decision else None,
        "final_level": final_of(rating, decision),
        "final_reason": decision.final_reason if decision else None,
        "decided_level": decision.final_level if decision else None,  # the committee's own
        "rules": [s[0] if isinstance(s, list) else s["rule_id"] for s in rating.steps or []],
        "why": explain(rating.steps, decimal_comma=page),
        "scope": scope_tuple(rating.scope),
        "incomplete": bool(missing) and rating.level != "NR",
        "missing": list(missing) if rating.level != "NR" else [],
    }


def list_summary(items: list[dict]) -> list[dict]:
    """Per rating kind of a list (rating_out items): how many at each final level, how many
    final levels differ from the computed ones, how many were computed from incomplete inputs
    (what an approval or a reopening is asked to confirm)."""
    out = []
    for kind, label in KIND_LABELS.items():
        rows = [it for it in items if it["kind"] == kind]
        if not rows:
            continue
        counts = {lv: 0 for lv in ("XS", "T", "HT", "KHT", "NR")}
        for it in rows:
            counts[it["final_level"]] = counts.get(it["final_level"], 0) + 1
        out.append(
            {
                "kind": kind,
                "label": label,
                "total": len(rows),
                "counts": counts,
                "changed": [it for it in rows if it["final_level"] != it["level"]],
                "incomplete": sum(1 for it in rows if it["incomplete"]),
            }
        )
    return out


def unit_ratings_out(year_row: EvalYear, unit: Unit, page: bool = False) -> list[dict]:
    rows = list_ratings(year_row, unit)
    decisions = decisions_for(year_row, [r for r, _c, _n in rows])
    missing = missing_of(year_row, {r.person_id for r, _c, _n in rows if r.person_id})
    return [
        rating_out(r, c, n, decisions.get(rating_key(r)), missing.get(r.person_id, ()), page)
        for r, c, n in rows
    ]


def person_ratings_out(year_row: EvalYear, person: Person, page: bool = False) -> list[dict]:
    rows = list(
        db.session.scalars(
            select(Rating).where(Rating.year_id == year_row.id, Rating.person_id == person.id)
        )
    )
    decisions = decisions_for(year_row, rows)
    missing = missing_of(year_row, [person.id])[person.id]
    return [
        rating_out(r, person.code, person.full_name, decisions.get(rating_key(r)), missing, page)
        for r in rows
    ]


def one_rating_out(year_row: EvalYear, rating: Rating) -> dict:
    decisions = decisions_for(year_row, [rating])
    if rating.person_id:
        p = db.session.get(Person, rating.person_id)
        code, name = p.code, p.full_name
        missing = missing_of(year_row, [p.id])[p.id]
    else:
        u = db.session.get(Unit, rating.unit_id)
        code, name, missing = u.code, u.name, ()
    return rating_out(rating, code, name, decisions.get(rating_key(rating)), missing)


# --- people and units the user sees ----------------------------------------------------------


def own_or_visible_person(user, code: str) -> Person:
    """The user's own person record, or a person within their evaluation.read reach."""
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        person = db.session.get(Person, person_id)
        if person is not None and person.code == code:
            return person
    return visible_person(user, code, "evaluation.read")


def latest_year_with_result(person: Person) -> int | None:
    return db.session.scalar(
        select(func.max(EvalYear.year))
        .join(Rating, Rating.year_id == EvalYear.id)
        .where(Rating.person_id == person.id)
    )


def home_unit(user) -> Unit | None:
    """The topmost unit the user may read evaluations of (None: everywhere)."""
    paths = scope_paths(user, "evaluation.read")
    if paths is None or not paths:
        return None
    first = min(paths, key=len)
    uid = int(first.strip("/").split("/")[-1])
    return db.session.get(Unit, uid)


def reach_tops(user, action: str) -> list[Unit]:
    """The units at the top of the user's reach for `action` (an administrator: the single
    root, when there is one), by path."""
    paths = scope_paths(user, action)
    if paths is None:
        root = single_root()
        return [root] if root else []
    ids = [int(p.strip("/").split("/")[-1]) for p in paths]
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.path)))


def single_root() -> Unit | None:
    roots = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(2)).all()
    return roots[0] if len(roots) == 1 else None


def visible_ancestors(user, unit: Unit) -> list[Unit]:
    ids = [int(p) for p in unit.path.strip("/").split("/")[:-1]]
    return [
        a
        for a in db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.depth))
        if can(user, "evaluation.read", a)
    ]


# --- history ---------------------------------------------------------------------------------


def history_of(*, person_id=None, unit_id=None) -> list[History]:
    stmt = select(History).order_by(History.year.desc())
    if person_id is not None:
        stmt = stmt.where(History.person_id == person_id)
    else:
        stmt = stmt.where(History.unit_id == unit_id)
    return list(db.session.scalars(stmt))


def history_out(row: History) -> dict:
    return {"year": row.year, **{f: getattr(row, f) for f in HISTORY_FIELDS}}


# --- what the awards read (RULES.md C, P): set-based, a few queries per call -----------------

FINAL_LEVEL = func.coalesce(RatingDecision.final_level, RatingDecision.proposed_level, Rating.level)


def _under(stmt, path: str | None, *, person=None, unit=None, within=None, person_ids=None):
    """`stmt` kept to the subjects under `path` (None: unchanged), or to those whose unit
    meets `within` (a condition on Unit, instead of the path): a person (the `person` id
    column) by their unit, a unit (the `unit` id column) by itself. `person_ids` (instead of
    both): those people, by the id column alone (no join: on PostgreSQL one array
    parameter, read by the column's index)."""
    if person_ids is not None:
        if person is None:
            raise ValueError("person_ids= keeps a query of people, not of units")
        return stmt.where(in_ids(person, person_ids))
    if path is None and within is None:
        return stmt
    if person is not None:
        stmt = stmt.join(Person, Person.id == person).join(Unit, Unit.id == Person.unit_id)
    else:
        stmt = stmt.join(Unit, Unit.id == unit)
    return stmt.where(within if within is not None else Unit.subtree_clause(path))


SUBJECTS = ("person", "unit")


def final_ratings(
    year_row: EvalYear,
    path: str | None = None,
    *,
    within=None,
    subjects=SUBJECTS,
    person_ids=None,
    tuples=False,
) -> list:
    """Every rating of the year whose subject lies under `path` (a person by their unit, a unit
    itself; everything when None; or whose unit meets `within`, a condition on Unit) with its
    final level (A11: the decision's, else the computed one): rows (kind, person_id, unit_id,
    level, score, approved), `approved` when the list holding it is approved. One query per
    kind of subject ("person", "unit": `subjects`), whatever the number of people. `tuples`:
    plain tuples, read by position (service.common.queries.read_tuples)."""
    read = read_tuples if tuples else read_rows
    approved = func.coalesce(Review.state == "approved", False).label("approved")
    columns = (Rating.kind, Rating.person_id, Rating.unit_id, FINAL_LEVEL.label("level"))
    out = []
    for name in subjects:
        subject = Rating.person_id if name == "person" else Rating.unit_id
        decision = (
            (RatingDecision.year_id == Rating.year_id)
            & (RatingDecision.kind == Rating.kind)
            & (getattr(RatingDecision, subject.key) == subject)
        )
        listed = (Review.year_id == Rating.year_id) & (Review.unit_id == Rating.list_unit_id)
        stmt = (
            select(*columns, Rating.score, approved)
            .outerjoin(RatingDecision, decision)
            .outerjoin(Review, listed)
            .where(Rating.year_id == year_row.id, subject.is_not(None))
        )
        stmt = _under(stmt, path, within=within, person_ids=person_ids, **{name: subject})
        out += read(stmt)
    return out


PERSON_AWARD_INPUTS = (
    "under_review", "discipline_form", "discipline_year", "discipline_date", "party_discipline",
    "initiatives_base", "initiatives_city",
)  # fmt: skip


def award_inputs(
    year_row: EvalYear,
    path: str | None = None,
    *,
    within=None,
    subjects=SUBJECTS,
    person_ids=None,
    tuples=False,
) -> tuple[list, list]:
    """The yearly inputs the award rules read, for the people and units under `path` (all when
    None; or whose unit meets `within`): (rows (person_id, *PERSON_AWARD_INPUTS) of the person
    inputs, rows (unit_id, under_review) of the unit inputs); a kind of subject left out of
    `subjects` answers []. One query per kind; `tuples`: plain tuples (read_tuples)."""
    read = read_tuples if tuples else read_rows
    people = units = []
    if "person" in subjects:
        stmt = select(
            PersonEval.person_id, *(getattr(PersonEval, f) for f in PERSON_AWARD_INPUTS)
        ).where(PersonEval.year_id == year_row.id)
        stmt = _under(stmt, path, within=within, person_ids=person_ids, person=PersonEval.person_id)
        people = read(stmt)
    if "unit" in subjects:
        stmt = select(UnitEval.unit_id, UnitEval.under_review).where(
            UnitEval.year_id == year_row.id
        )
        units = read(_under(stmt, path, within=within, unit=UnitEval.unit_id))
    return people, units


def history_before(
    year: int,
    path: str | None = None,
    *,
    within=None,
    subjects=SUBJECTS,
    awards_text=False,
    person_ids=None,
    tuples=False,
) -> list:
    """The history ("Lịch sử") of every year before `year` of the people and units under `path`
    (all when None; or whose unit meets `within`, a condition on Unit): rows (year, person_id,
    unit_id, *HISTORY_FIELDS). One query per kind of subject (`subjects`); `person_ids`: those
    people's rows instead (`_under`). `awards_text`: the
    awards as their JSON text, undecoded (a reader of many rows decodes each distinct text
    once); `tuples`: plain tuples (read_tuples)."""
    read = read_tuples if tuples else read_rows
    cols = (History.year, History.person_id, History.unit_id)
    cols += tuple(
        cast(History.awards, Text).label("awards")
        if f == "awards" and awards_text
        else getattr(History, f)
        for f in HISTORY_FIELDS
    )
    out: list = []
    for name in subjects:
        subject = History.person_id if name == "person" else History.unit_id
        stmt = select(*cols).where(History.year < year, subject.is_not(None))
        stmt = _under(stmt, path, within=within, person_ids=person_ids, **{name: subject})
        out += read(stmt)
    return out


def history_years(year: int, path: str | None = None) -> set[int]:
    """The years before `year` that the history holds for some person or unit under `path`."""
    out: set[int] = set()
    for name in SUBJECTS:
        subject = History.person_id if name == "person" else History.unit_id
        stmt = select(History.year).distinct().where(History.year < year, subject.is_not(None))
        out.update(db.session.scalars(_under(stmt, path, **{name: subject})))
    return out
