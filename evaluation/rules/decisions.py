"""A11: a head's proposal and the final levels checked against the caps and the quota."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

from evaluation.rules._results import _UNIT, Rating
from evaluation.rules.levels import _RANK, Level
from evaluation.rules.quota import _scope_text, quota_allowed


def ceiling_of(rating: Rating) -> Level:
    """Highest level A1–A9 (B1–B4) allow: the level before the quota pass."""
    if rating.level is Level.T and any(
        s.rule_id in ("A10", "B5") and s.figures.get("rank", 0) > s.figures.get("allowed", 0)
        for s in rating.steps
    ):
        return Level.XS
    return rating.level


def check_proposal(computed: Level, proposed: Level, reason: str | None) -> list[str]:
    """A11: a head may propose a lower level than the computed one, with a reason; never higher."""
    errors = []
    if computed is Level.NR or proposed is Level.NR:
        if computed is not proposed:
            errors.append("A1: không được thay đổi việc không xếp loại (NR) khi đề xuất.")
        return errors
    if _RANK[proposed] > _RANK[computed]:
        errors.append(
            f"A11: chỉ được đề xuất mức thấp hơn mức tính toán «{computed.label}», không được "
            f"đề xuất «{proposed.label}»."
        )
    elif _RANK[proposed] < _RANK[computed] and not (reason and reason.strip()):
        errors.append(f"A11: hạ mức từ «{computed.label}» xuống «{proposed.label}» cần ghi lý do.")
    return errors


def check_final_reason(
    computed: Level, final: Level, reason: str | None, proposed: Level | None = None
) -> list[str]:
    """A11: a committee's final level that differs from the computed one needs its reason
    (taking the head's proposal, which carries its own reason, needs none more)."""
    if final is computed or final is proposed or (reason and reason.strip()):
        return []
    return [
        f"A11: mức cuối cùng {final.label} khác mức tính toán {computed.label}: "
        "cần ghi lý do của cấp ủy, hội đồng."
    ]


def check_final_levels(
    ratings: Iterable[Rating],
    final_levels: Mapping[str, Level],
    scope_of: Callable[[Rating], Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[str]:
    """A11: final levels of a list must keep A1 (NR), stay within each rating's caps (A1–A9 or
    B1–B4), keep the A10/B5 quota in every scope, and no head may still be provisional (A8)."""
    ratings = list(ratings)
    errors = check_caps(ratings, final_levels)
    entries = [(scope_of(r), Level(final_levels.get(r.code, r.level))) for r in ratings]
    return errors + check_quota(entries, p, overrides)


def check_caps(
    ratings: Iterable[Rating],
    final_levels: Mapping[str, Level],
    unit_lists: Mapping[str, str] | None = None,
) -> list[str]:
    """A11 for each rating alone: A8 not provisional, A1 kept, final level ≤ the caps' ceiling.
    A provisional head's refusal names their unit (the A8 step's figures) and, from
    `unit_lists` (unit code → where that unit's rating waits), the list to approve first."""
    errors: list[str] = []
    for r in ratings:
        final = Level(final_levels.get(r.code, r.level))
        if r.provisional:
            errors.append(_a8_refusal(r, unit_lists or {}))
        if (final is Level.NR) != (r.level is Level.NR):
            errors.append(f"A1: {r.code} mức {final} trái với việc xếp loại ({r.level}).")
            continue
        ceiling = ceiling_of(r)
        if _RANK[final] > _RANK[ceiling]:
            rule = next(
                (s.rule_id for s in reversed(r.steps) if s.rule_id not in ("A10", "B5")), "A11"
            )
            errors.append(f"{rule}: {r.code} mức {final} vượt mức tối đa {ceiling}.")
    return errors


def _a8_refusal(r: Rating, unit_lists: Mapping[str, str]) -> str:
    unit = next((s.figures.get("unit_code") for s in r.steps if s.rule_id == "A8"), None)
    if not unit:
        return (
            f"A8: {r.code} là người đứng đầu, kết quả tạm tính: cần phê duyệt xếp loại "
            "đơn vị trước."
        )
    where = f" {unit_lists[unit]}" if unit in unit_lists else ""
    return (
        f"A8: {r.code} là người đứng đầu đơn vị {unit}, kết quả tạm tính theo mức tính của đơn "
        f"vị: cần phê duyệt kết quả xếp loại của đơn vị {unit} trước.{where}"
    )


def check_quota(
    entries: Iterable[tuple[Hashable, Level]],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[str]:
    """A10/B5 on final levels: in each scope, XS ≤ k(p, n) with n = number at XS or T.
    `entries` are (scope, final level) of every rating of the scopes to check."""
    errors: list[str] = []
    counts: dict[Hashable, list[int]] = {}
    for scope, final in entries:
        if final is Level.XS or final is Level.T:
            slot = counts.setdefault(scope, [0, 0])
            slot[0] += 1
            if final is Level.XS:
                slot[1] += 1
    for scope, (n, xs) in counts.items():
        scope_p = p if overrides is None else overrides.get(scope, p)
        k = quota_allowed(scope_p, n)
        if xs > k:
            rule = "B5" if isinstance(scope, tuple) and scope[:1] == (_UNIT,) else "A10"
            errors.append(
                f"{rule}: phạm vi {_scope_text(scope)} có {xs} XS, chỉ được tối đa {k} "
                f"(p = {scope_p}%, {n} người/đơn vị ở mức XS hoặc T)."
            )
    return errors
