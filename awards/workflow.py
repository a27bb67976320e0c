"""The award list's states as data (RULES.md C11): draft → submitted (staff) → approved
(committee) | returned with a reason (committee; edited, then submitted again) → decided
(committee: decision number, date and signer), then locked. Pure: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass

STATE_LABELS = {
    "draft": "Đang lập",
    "submitted": "Đã gửi duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Bị trả lại",
    "decided": "Đã có quyết định",
}
EDITABLE = frozenset({"draft", "returned"})  # proposals and nominations may change
ROLE_PERMISSION = {"staff": "award.submit", "committee": "award.approve"}


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    role: str  # "staff" | "committee"
    to: str
    needs_reason: bool
    label: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("draft", "submit", "staff", "submitted", False, "Gửi duyệt"),
    Transition("returned", "submit", "staff", "submitted", False, "Gửi duyệt lại"),
    Transition("submitted", "return", "committee", "returned", True, "Trả lại"),
    Transition("submitted", "approve", "committee", "approved", False, "Phê duyệt"),
    Transition("approved", "return", "committee", "returned", True, "Trả lại"),
    Transition("approved", "decide", "committee", "decided", False, "Ghi quyết định"),
)
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def transition(state: str, action: str) -> Transition | None:
    """The transition `action` from `state`, or None when the action is not allowed there."""
    return next((t for t in TRANSITIONS if t.state == state and t.action == action), None)


def label_of(action: str) -> str:
    return next(t.label for t in TRANSITIONS if t.action == action)


def actions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.state == state]


def refusal(state: str, action: str) -> str:
    """Why `action` cannot be done in `state` (Vietnamese)."""
    if state == "decided":
        return "Danh sách đã có quyết định khen thưởng: đã khóa, không thay đổi được."
    return f"Không thể «{label_of(action)}» khi danh sách ở trạng thái «{STATE_LABELS[state]}»."
