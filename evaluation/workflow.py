"""The rating list of a unit and year: open → submitted (staff) → approved (committee), returned
with a reason → open, reopened by an administrator with a reason. Transitions are data; the
head's proposal and the committee's final level follow A11; approval is refused naming the rule
when final levels break a cap or the quota. Exactly one of two simultaneous approvals wins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from evaluation.compute import explain, note_change, scope_tuple, stored_rating
from evaluation.inputs import check_writable, list_unit_of_unit
from evaluation.models import EvalYear, Rating, RatingDecision, Review
from evaluation.rules import Level, check_caps, check_proposal, check_quota
from evaluation.years import pack_of
from service.audit.operations import record
from service.auth.access import can, is_admin
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.queries import chunks
from service.extensions import db
from service.org.models import Person, Unit

STATE_LABELS = {"open": "Đang nhập", "submitted": "Đã gửi duyệt", "approved": "Đã phê duyệt"}


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    role: str  # "staff" | "committee" | "admin"
    to: str
    needs_reason: bool
    label: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("open", "submit", "staff", "submitted", False, "Gửi duyệt"),
    Transition("submitted", "return", "committee", "open", True, "Trả lại"),
    Transition("submitted", "approve", "committee", "approved", False, "Phê duyệt"),
    Transition("approved", "reopen", "admin", "open", True, "Mở lại"),
)
_PERMISSION = {"staff": "evaluation.enter", "committee": "evaluation.approve"}


def _may(user, role: str, unit: Unit) -> bool:
    if role == "admin":
        return is_admin(user)
    return can(user, _PERMISSION[role], unit)


def get_review(year_row: EvalYear, unit: Unit, create: bool = False) -> Review | None:
    review = db.session.scalar(
        select(Review).where(Review.year_id == year_row.id, Review.unit_id == unit.id)
    )
    if review is None and create:
        review = Review(year_id=year_row.id, unit_id=unit.id, state="open", version=0)
        db.session.add(review)
        db.session.flush()
    return review


def allowed_actions(user, year_row: EvalYear, unit: Unit) -> list[Transition]:
    review = get_review(year_row, unit)
    state = review.state if review else "open"
    if year_row.locked:
        return []
    return [t for t in TRANSITIONS if t.state == state and _may(user, t.role, unit)]


def review_out(year_row, unit, review: Review | None, user) -> dict:
    state = review.state if review else "open"
    return {
        "year": year_row.year,
        "unit_code": unit.code,
        "state": state,
        "state_label": STATE_LABELS[state],
        "version": review.version if review else 0,
        "last_action": review.last_action if review else None,
        "last_reason": review.last_reason if review else None,
        "actions": [
            {"action": t.action, "label": t.label, "needs_reason": t.needs_reason}
            for t in allowed_actions(user, year_row, unit)
        ],
    }


# --- list contents ---------------------------------------------------------------------------


def list_ratings(year_row: EvalYear, unit: Unit) -> list[tuple[Rating, str, str]]:
    """(rating, subject code, subject name) of the list of `unit`, people then units."""
    people = db.session.execute(
        select(Rating, Person.code, Person.full_name)
        .join(Person, Rating.person_id == Person.id)
        .where(Rating.year_id == year_row.id, Rating.list_unit_id == unit.id)
        .order_by(Person.full_name, Person.code, Rating.kind)
    ).all()
    units = db.session.execute(
        select(Rating, Unit.code, Unit.name)
        .join(Unit, Rating.unit_id == Unit.id)
        .where(Rating.year_id == year_row.id, Rating.list_unit_id == unit.id)
        .order_by(Unit.code)
    ).all()
    return [tuple(r) for r in people] + [tuple(r) for r in units]


def decisions_for(year_row: EvalYear, ratings: list[Rating]) -> dict[tuple, RatingDecision]:
    if not ratings:
        return {}
    person_ids = [r.person_id for r in ratings if r.person_id]
    unit_ids = [r.unit_id for r in ratings if r.unit_id]
    out = {}
    stmt = select(RatingDecision).where(RatingDecision.year_id == year_row.id)
    for chunk_ids, column in ((person_ids, "person_id"), (unit_ids, "unit_id")):
        for part in chunks(chunk_ids):
            for d in db.session.scalars(stmt.where(getattr(RatingDecision, column).in_(part))):
                out[(d.kind, d.person_id, d.unit_id)] = d
    return out


def final_of(rating: Rating, decision: RatingDecision | None) -> str:
    if decision is not None:
        return decision.final_level or decision.proposed_level or rating.level
    return rating.level


def _key(rating: Rating) -> tuple:
    return (rating.kind, rating.person_id, rating.unit_id)


def _code_key(rating: Rating) -> str:
    return f"{rating.kind}:{rating.person_id or ''}:{rating.unit_id or ''}"


def approval_errors(year_row: EvalYear, unit: Unit) -> list[str]:
    """A11 on the list's final levels: caps (A1–A9, B1–B4, A8 provisional) and the quota
    (A10, B5) of every scope the list touches, counted over the whole scope."""
    rows = list_ratings(year_row, unit)
    if not rows:
        return ["Danh sách chưa có kết quả xếp loại nào: cần nhập liệu và tính kết quả trước."]
    ratings = [r for r, _code, _name in rows]
    decisions = decisions_for(year_row, ratings)
    named = {_code_key(r): code for r, code, _name in rows}
    pure = []
    finals = {}
    for r in ratings:
        code = named[_code_key(r)]
        label = f"{code} ({_KIND_LABEL[r.kind]})"
        pure.append(stored_rating(r, label))
        finals[label] = Level(final_of(r, decisions.get(_key(r))))
    errors = check_caps(pure, finals)
    pack = pack_of(year_row)
    from evaluation.compute import _overrides

    overrides = _overrides(year_row)
    scopes = {r.scope for r in ratings if r.scope}
    entries = {"person": [], "unit": []}
    for part in chunks(sorted(scopes)):
        in_scope = list(
            db.session.scalars(
                select(Rating).where(Rating.year_id == year_row.id, Rating.scope.in_(part))
            )
        )
        scope_decisions = decisions_for(year_row, in_scope)
        for r in in_scope:
            final = Level(final_of(r, scope_decisions.get(_key(r))))
            entries["unit" if r.kind == "unit" else "person"].append((scope_tuple(r.scope), final))
    errors += check_quota(entries["person"], pack.a10_p, overrides)
    errors += check_quota(entries["unit"], pack.b5_p, overrides)
    return errors


_KIND_LABEL = {"official": "công chức, viên chức", "party": "đảng viên", "unit": "tập thể"}


# --- actions ---------------------------------------------------------------------------------


_BUSY = "Danh sách đang được người khác xử lý: tải lại trang rồi thử lại."


def act(user, year_row: EvalYear, unit: Unit, action: str, reason=None, version=None) -> Review:
    if year_row.locked:
        raise Conflict(f"Năm {year_row.year} đã khóa.")
    try:
        review = get_review(year_row, unit, create=True)
    except (IntegrityError, OperationalError) as err:
        # the list's first action, twice at once: both found no review and insert one; the
        # second hits the unique (year, unit) once the first commits, or SQLite's lock
        raise Conflict(_BUSY) from err
    transition = next((t for t in TRANSITIONS if t.action == action), None)
    if transition is None:
        raise NotFound("Không có thao tác này.")
    if not _may(user, transition.role, unit):
        raise Forbidden(f"Bạn không có quyền «{transition.label}» danh sách của đơn vị này.")
    current = next((t for t in TRANSITIONS if t.action == action and t.state == review.state), None)
    if current is None:
        raise Conflict(
            f"Không thể «{transition.label}»: danh sách đang ở trạng thái "
            f"«{STATE_LABELS[review.state]}»."
        )
    if version is not None and version != review.version:
        raise Conflict("Danh sách vừa được người khác thay đổi: tải lại trang rồi thử lại.")
    if current.needs_reason and not (reason and reason.strip()):
        raise ValidationError(f"«{current.label}» cần có lý do.", {"reason": ["Cần nhập lý do."]})
    if action == "submit":
        if not list_ratings(year_row, unit):
            raise ValidationError(
                "Chưa có kết quả xếp loại để gửi duyệt: nhập liệu và tính kết quả trước."
            )
    if action == "approve":
        errors = approval_errors(year_row, unit)
        if errors:
            raise ValidationError(
                "Không thể phê duyệt: " + "; ".join(errors[:5]), {"rules": errors}
            )
    old_version = review.version
    try:
        changed = db.session.execute(
            update(Review)
            .where(
                Review.id == review.id,
                Review.state == current.state,
                Review.version == old_version,
            )
            .values(
                state=current.to,
                version=old_version + 1,
                last_action=action,
                last_reason=(reason or "").strip() or None,
                last_user_id=user.id,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    except OperationalError as err:  # SQLite: the other writer holds the lock
        raise Conflict(_BUSY) from err
    if changed != 1:
        raise Conflict("Danh sách vừa được người khác thay đổi: tải lại trang rồi thử lại.")
    db.session.refresh(review)
    if action == "approve":
        _lock_finals(user, year_row, unit)
    if action in ("approve", "reopen"):
        # the units of this list cap their heads (A8): approved now, or computed again
        for child in db.session.scalars(select(Unit).where(Unit.parent_id == unit.id)):
            note_change(year_row, child.id)
        if unit.parent_id is None:
            note_change(year_row, unit.id)
    record(
        action,
        "review",
        f"{year_row.year}:{unit.code}",
        before={"state": current.state, "version": old_version},
        after={"state": current.to, "version": old_version + 1, "reason": reason},
        unit_id=unit.id,
    )
    return review


def _lock_finals(user, year_row: EvalYear, unit: Unit) -> None:
    """Write every rating's final level of the list into its decision (approved = locked)."""
    ratings = [r for r, _c, _n in list_ratings(year_row, unit)]
    decisions = decisions_for(year_row, ratings)
    for r in ratings:
        d = decisions.get(_key(r))
        if d is None:
            d = RatingDecision(
                year_id=year_row.id, kind=r.kind, person_id=r.person_id, unit_id=r.unit_id
            )
            db.session.add(d)
        d.final_level = final_of(r, d)
    db.session.flush()


# --- A11 proposal and final level ------------------------------------------------------------


def find_rating(year_row: EvalYear, kind: str, code: str) -> tuple[Rating, Unit]:
    if kind not in _KIND_LABEL:
        raise NotFound("Loại xếp loại không hợp lệ (official, party, unit).")
    if kind == "unit":
        stmt = select(Rating).join(Unit, Rating.unit_id == Unit.id).where(Unit.code == code)
    else:
        stmt = select(Rating).join(Person, Rating.person_id == Person.id).where(Person.code == code)
    rating = db.session.scalar(stmt.where(Rating.year_id == year_row.id, Rating.kind == kind))
    if rating is None:
        raise NotFound("Chưa có kết quả xếp loại này (cần nhập liệu và tính kết quả).")
    return rating, db.session.get(Unit, rating.list_unit_id)


def _decision(year_row, rating: Rating) -> RatingDecision:
    d = db.session.scalar(
        select(RatingDecision).where(
            RatingDecision.year_id == year_row.id,
            RatingDecision.kind == rating.kind,
            RatingDecision.person_id.is_(rating.person_id)
            if rating.person_id is None
            else RatingDecision.person_id == rating.person_id,
            RatingDecision.unit_id.is_(None)
            if rating.unit_id is None
            else RatingDecision.unit_id == rating.unit_id,
        )
    )
    if d is None:
        d = RatingDecision(
            year_id=year_row.id,
            kind=rating.kind,
            person_id=rating.person_id,
            unit_id=rating.unit_id,
        )
        db.session.add(d)
    return d


def _touch(year_row: EvalYear, list_unit: Unit, state: str) -> None:
    """A decision changes the list: bump its version while it is still in `state`, so an action
    checked against the older version (an approval, a submission) gets 409 instead of passing
    unchecked data, and a decision racing that action gets 409 once the action has committed."""
    review = get_review(year_row, list_unit, create=True)
    changed = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.state == state)
        .values(version=Review.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict("Danh sách vừa được người khác thay đổi: tải lại trang rồi thử lại.")


def propose(user, year_row, rating: Rating, list_unit: Unit, level: str, reason) -> RatingDecision:
    """A11: the head (through staff) proposes a lower level with a reason; never a higher one."""
    if not can(user, "evaluation.enter", list_unit):
        raise Forbidden()
    check_writable(year_row, list_unit.id, list_unit.name)
    errors = check_proposal(Level(rating.level), Level(level), reason)
    if errors:
        raise ValidationError(errors[0], {"level": errors})
    _touch(year_row, list_unit, "open")
    d = _decision(year_row, rating)
    before = {"proposed_level": d.proposed_level, "proposal_reason": d.proposal_reason}
    same = level == rating.level
    d.proposed_level = None if same else level
    d.proposal_reason = None if same else reason.strip()
    db.session.flush()
    record(
        "propose",
        "rating",
        rating.id,
        before=before,
        after={"proposed_level": d.proposed_level, "proposal_reason": d.proposal_reason},
        unit_id=list_unit.id,
    )
    return d


def decide(user, year_row, rating: Rating, list_unit: Unit, level: str, reason) -> RatingDecision:
    """The committee's final level of one rating, while the list is submitted. Caps are checked
    now; the quota of the whole scope is checked when the list is approved."""
    if not can(user, "evaluation.approve", list_unit):
        raise Forbidden()
    review = get_review(year_row, list_unit)
    if review is None or review.state != "submitted":
        raise Conflict("Chỉ quyết định mức cuối cùng khi danh sách đã được gửi duyệt.")
    d = _decision(year_row, rating)
    errors = check_caps([stored_rating(rating, "")], {"": Level(level)})
    errors = [e for e in errors if not e.startswith("A8")]
    if errors:
        raise ValidationError(errors[0], {"level": errors})
    _touch(year_row, list_unit, "submitted")
    before = {"final_level": d.final_level, "final_reason": d.final_reason}
    d.final_level = level
    d.final_reason = (reason or "").strip() or None
    db.session.flush()
    record(
        "decide",
        "rating",
        rating.id,
        before=before,
        after={"final_level": d.final_level, "final_reason": d.final_reason},
        unit_id=list_unit.id,
    )
    return d


def rating_out(rating: Rating, code: str, name: str, decision: RatingDecision | None) -> dict:
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
        "rules": [s[0] if isinstance(s, list) else s["rule_id"] for s in rating.steps or []],
        "why": explain(rating.steps),
        "scope": scope_tuple(rating.scope),
    }


__all__ = ["TRANSITIONS", "act", "approval_errors", "decide", "list_unit_of_unit", "propose"]
