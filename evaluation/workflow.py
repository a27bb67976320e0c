"""The rating list of a unit and year as data: open → submitted (staff) → approved (committee),
returned with a reason → open, reopened by an administrator with a reason. `move` checks a
transition, moves the list and audits it; approval is refused naming the rule when final levels
break a cap or the quota (A11). Exactly one of two simultaneous approvals wins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from evaluation.compute import scope_tuple, stored_rating
from evaluation.models import EvalYear, Rating, Review
from evaluation.queries import (
    KIND_LABELS,
    STATE_LABELS,
    decisions_for,
    entry_status,
    final_of,
    list_ratings,
    pack_of,
    rating_key,
)
from evaluation.rules import Level, check_caps, check_quota
from service.audit.operations import record
from service.auth.access import can, is_admin
from service.common.errors import Conflict, ValidationError
from service.extensions import db
from service.org.models import Unit

BUSY = "Danh sách đang được người khác xử lý: tải lại trang rồi thử lại."
CHANGED = "Danh sách vừa được người khác thay đổi: tải lại trang rồi thử lại."


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


def may(user, role: str, unit: Unit) -> bool:
    if role == "admin":
        return is_admin(user)
    return can(user, _PERMISSION[role], unit)


def transition(action: str) -> Transition | None:
    """The first transition named `action` (its role and label are the same in every state)."""
    return next((t for t in TRANSITIONS if t.action == action), None)


def label_of(action: str) -> str:
    return transition(action).label


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
        label = f"{named[_code_key(r)]} ({KIND_LABELS[r.kind]})"
        pure.append(stored_rating(r, label))
        finals[label] = Level(final_of(r, decisions.get(rating_key(r))))
    errors = check_caps(pure, finals, _unit_lists(year_row, pure))
    pack = pack_of(year_row)
    from evaluation.compute import _overrides

    overrides = _overrides(year_row)
    scopes = {r.scope for r in ratings if r.scope}
    entries = {"person": [], "unit": []}
    for i in range(0, len(scopes), 900):
        part = sorted(scopes)[i : i + 900]
        in_scope = list(
            db.session.scalars(
                select(Rating).where(Rating.year_id == year_row.id, Rating.scope.in_(part))
            )
        )
        scope_decisions = decisions_for(year_row, in_scope)
        for r in in_scope:
            final = Level(final_of(r, scope_decisions.get(rating_key(r))))
            entries["unit" if r.kind == "unit" else "person"].append((scope_tuple(r.scope), final))
    errors += check_quota(entries["person"], pack.a10_p, overrides)
    errors += check_quota(entries["unit"], pack.b5_p, overrides)
    return errors


def _unit_lists(year_row: EvalYear, pure) -> dict[str, str]:
    """For the units whose heads are provisional (A8): where each unit's own rating waits,
    "Kết quả này nằm trong danh sách của <đơn vị> (<trạng thái>)."."""
    codes = {
        s.figures.get("unit_code")
        for r in pure
        if r.provisional
        for s in r.steps
        if s.rule_id == "A8" and s.figures.get("unit_code")
    }
    if not codes:
        return {}
    ListUnit = aliased(Unit)
    rows = db.session.execute(
        select(Unit.code, ListUnit.id, ListUnit.name)
        .join(Rating, (Rating.unit_id == Unit.id) & (Rating.kind == "unit"))
        .join(ListUnit, ListUnit.id == Rating.list_unit_id)
        .where(Rating.year_id == year_row.id, Unit.code.in_(sorted(codes)))
    ).all()
    states = dict(
        db.session.execute(
            select(Review.unit_id, Review.state).where(
                Review.year_id == year_row.id, Review.unit_id.in_({r.id for r in rows})
            )
        ).all()
    )
    return {code: _waits_in(name, states.get(list_id, "open")) for code, list_id, name in rows}


def _waits_in(name: str, state: str) -> str:
    if state == "approved":  # approved a moment ago: the heads' ratings are being recomputed
        return (
            f"Danh sách của {name} đã được phê duyệt; kết quả của người đứng đầu đang được tính "
            "lại theo mức đã phê duyệt: tải lại trang sau ít giây."
        )
    return f"Kết quả này nằm trong danh sách của {name} («{STATE_LABELS[state]}»)."


def _check_entered(year_row: EvalYear, unit: Unit) -> None:
    """A list is submitted only when every one of its people is entered (rules.entry) and it
    has ratings; refused naming who is missing (their codes in `missing`)."""
    status = entry_status(year_row, unit)
    lacking = status["missing"]
    if lacking:
        names = ", ".join(f"{p['full_name']} ({p['code']})" for p in lacking[:10])
        more = f" và {len(lacking) - 10} người khác" if len(lacking) > 10 else ""
        raise ValidationError(
            f"Chưa thể gửi duyệt: đã nhập {status['entered']}/{status['total']} người; "
            f"còn thiếu {names}{more}.",
            {"missing": [p["code"] for p in lacking]},
        )
    if not list_ratings(year_row, unit):
        raise ValidationError(
            "Chưa có kết quả xếp loại để gửi duyệt: nhập liệu và tính kết quả trước."
        )


def move(user, review: Review, action: str, reason=None, version=None) -> Transition:
    """Check `action` from the list's state (version, reason, contents), move the list with one
    conditional UPDATE (of two racing moves one finds no row: 409) and audit it. The caller has
    authorized the user for the action's role."""
    year_row, unit = review.year, review.unit
    current = next((t for t in TRANSITIONS if t.action == action and t.state == review.state), None)
    if current is None:
        raise Conflict(
            f"Không thể «{label_of(action)}»: danh sách đang ở trạng thái "
            f"«{STATE_LABELS[review.state]}»."
        )
    if version is not None and version != review.version:
        raise Conflict(CHANGED)
    if current.needs_reason and not (reason and reason.strip()):
        raise ValidationError(f"«{current.label}» cần có lý do.", {"reason": ["Cần nhập lý do."]})
    if action == "submit":
        _check_entered(year_row, unit)
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
        raise Conflict(BUSY) from err
    if changed != 1:
        raise Conflict(CHANGED)
    db.session.refresh(review)
    record(
        action,
        "review",
        f"{year_row.year}:{unit.code}",
        before={"state": current.state, "version": old_version},
        after={"state": current.to, "version": old_version + 1, "reason": reason},
        unit_id=unit.id,
        user=user,
    )
    return current


def touch(review: Review, state: str) -> None:
    """A decision changes the list: bump its version while it is still in `state`, so an action
    checked against the older version (an approval, a submission) gets 409 instead of passing
    unchecked data, and a decision racing that action gets 409 once the action has committed."""
    changed = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.state == state)
        .values(version=Review.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(CHANGED)


__all__ = ["STATE_LABELS", "TRANSITIONS", "Transition", "approval_errors", "may", "move", "touch"]
