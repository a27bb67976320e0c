"""Operations on a unit's rating list: the workflow actions (evaluation.workflow.TRANSITIONS)
and the A11 decisions on its ratings (the head's proposal, the committee's final level).
Decisions change no computed rating: they queue no recompute."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from evaluation import workflow
from evaluation.compute import stored_rating
from evaluation.models import EvalYear, Rating, RatingDecision, Review
from evaluation.operations.inputs import check_writable
from evaluation.operations.recompute import units_changed
from evaluation.queries import (
    decisions_for,
    final_of,
    get_review,
    list_ratings,
    rating_key,
    review_of,
)
from evaluation.rules import Level, check_caps, check_final_reason, check_proposal
from service.audit.operations import record
from service.auth.access import can
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db
from service.org.models import Unit


def review_action(user, year_row: EvalYear, unit: Unit, action: str, reason=None, version=None):
    """Take a workflow action on the list of `unit` (workflow.TRANSITIONS): submit (staff),
    return and approve (committee), reopen (administrator). Approving locks the final levels;
    approving and reopening recompute the list's units (A8 caps their heads)."""
    if year_row.locked:
        raise Conflict(f"Năm {year_row.year} đã khóa.")
    step = workflow.transition(action)
    if step is None:
        raise NotFound("Không có thao tác này.")
    if not workflow.may(user, step.role, unit):
        raise Forbidden(f"Bạn không có quyền «{step.label}» danh sách của đơn vị này.")
    try:
        review = get_review(year_row, unit) or _new_review(year_row, unit)
    except (IntegrityError, OperationalError) as err:
        # the list's first action, twice at once: both found no review and insert one; the
        # second hits the unique (year, unit) once the first commits, or SQLite's lock
        raise Conflict(workflow.BUSY) from err
    workflow.move(user, review, action, reason, version)
    if action == "approve":
        _lock_finals(year_row, unit)
    if action in ("approve", "reopen"):
        children = list(db.session.scalars(select(Unit.id).where(Unit.parent_id == unit.id)))
        units_changed(year_row, children + ([unit.id] if unit.parent_id is None else []))
    db.session.flush()
    return review


def submit_list(user, year_row, unit, version=None):
    return review_action(user, year_row, unit, "submit", None, version)


def return_list(user, year_row, unit, reason, version=None):
    return review_action(user, year_row, unit, "return", reason, version)


def approve_list(user, year_row, unit, version=None):
    return review_action(user, year_row, unit, "approve", None, version)


def reopen_list(user, year_row, unit, reason, version=None):
    return review_action(user, year_row, unit, "reopen", reason, version)


def _new_review(year_row: EvalYear, unit: Unit) -> Review:
    review = Review(year_id=year_row.id, unit_id=unit.id, state="open", version=0)
    db.session.add(review)
    db.session.flush()
    return review


def _lock_finals(year_row: EvalYear, unit: Unit) -> None:
    """Write every rating's final level of the list into its decision (approved = locked)."""
    ratings = [r for r, _c, _n in list_ratings(year_row, unit)]
    decisions = decisions_for(year_row, ratings)
    for r in ratings:
        d = decisions.get(rating_key(r))
        if d is None:
            d = RatingDecision(
                year_id=year_row.id, kind=r.kind, person_id=r.person_id, unit_id=r.unit_id
            )
            db.session.add(d)
        d.final_level = final_of(r, d)
    db.session.flush()


# --- A11: proposal and final level -----------------------------------------------------------


def _decision(year_row, rating: Rating) -> RatingDecision:
    d = decisions_for(year_row, [rating]).get(rating_key(rating))
    if d is None:
        d = RatingDecision(
            year_id=year_row.id,
            kind=rating.kind,
            person_id=rating.person_id,
            unit_id=rating.unit_id,
        )
        db.session.add(d)
    return d


def set_proposal(
    user, year_row, rating: Rating, list_unit: Unit, level: str, reason, shown: str | None = None
):
    """A11: the head (through staff) proposes a lower level with a reason; never a higher one.
    Decisions change no computed rating: no recompute."""
    if not can(user, "evaluation.enter", list_unit):
        raise Forbidden()
    check_writable(year_row, list_unit.id, list_unit.name)
    errors = check_proposal(Level(rating.level), Level(level), reason)
    if errors:
        raise ValidationError(errors[0], {"level": errors})
    review = review_of(year_row, list_unit)
    workflow.touch(review if review.id else _new_review(year_row, list_unit), "open")
    same = level == rating.level
    values = {
        "proposed_level": None if same else level,
        "proposal_reason": None if same else reason.strip(),
    }
    return _set_decision(user, year_row, rating, list_unit, "propose", values, shown)


def set_final_level(
    user, year_row, rating: Rating, list_unit: Unit, level: str, reason, shown: str | None = None
):
    """A11: the committee's final level of one rating, while the list is submitted. Caps are
    checked now; the quota of the whole scope when the list is approved."""
    if not can(user, "evaluation.approve", list_unit):
        raise Forbidden()
    review = get_review(year_row, list_unit)
    if review is None or not review.can_decide(user):
        raise Conflict("Chỉ quyết định mức cuối cùng khi danh sách đã được gửi duyệt.")
    errors = check_caps([stored_rating(rating, "")], {"": Level(level)})
    errors = [e for e in errors if not e.startswith("A8")]
    decision = decisions_for(year_row, [rating]).get(rating_key(rating))
    proposed = decision.proposed_level if decision is not None else None
    errors += check_final_reason(
        Level(rating.level), Level(level), reason, Level(proposed) if proposed else None
    )
    if errors:
        raise ValidationError(errors[0], {"level": errors})
    workflow.touch(review, "submitted")
    values = {"final_level": level, "final_reason": (reason or "").strip() or None}
    return _set_decision(user, year_row, rating, list_unit, "decide", values, shown)


WHAT = {"propose": "Mức đề xuất", "decide": "Mức cuối cùng"}


def shown_decision(level: str | None, reason: str | None) -> str:
    """A level form's record of what its page showed: "level|reason" ("" for none)."""
    return f"{level or ''}|{reason or ''}"


def _set_decision(
    user, year_row, rating: Rating, list_unit: Unit, action: str, values: dict, shown=None
):
    """Write `values` into the rating's decision (created when it has none) and audit them.
    `shown` (shown_decision of the level and reason the page showed): refused when someone
    saved another meanwhile (the list's version was moved first, so a racing save waits for
    this one's commit, then reads it)."""
    d = _decision(year_row, rating)
    before = {k: getattr(d, k) for k in values}
    if shown is not None:
        level, reason = before.values()  # (proposed_level, proposal_reason) or (final, reason)
        if shown_decision(level, reason) != shown:
            code = rating.person.code if rating.person_id else rating.unit.code
            words = f"«{Level(level).label}»" if level else "chưa có"
            saved = f"{words} (lý do: {reason})" if level and reason else words
            raise Conflict(
                f"{WHAT[action]} của {code} vừa được người khác lưu: {saved}. Mức bạn chọn "
                "chưa được lưu; xem lại rồi lưu lại nếu vẫn muốn đổi."
            )
    for key, value in values.items():
        setattr(d, key, value)
    db.session.flush()
    record(
        action, "rating", rating.id, before=before, after=values, unit_id=list_unit.id, user=user
    )
    return d
