"""A10 / B5 quota: in each scope at most floor(p·n / (100 + p)) ratings stay XS."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal

from evaluation.rules._messages import _A10_DOWN, _A10_KEEP, _B5_DOWN, _B5_KEEP
from evaluation.rules._results import _OFFICIAL, _PARTY, _UNIT, Rating, _rating, _step
from evaluation.rules.levels import Level


def quota_allowed(p: int, n: int) -> int:
    """A10/B5: how many of n ratings at XS or T may stay XS: floor(p·n / (100 + p))."""
    return (p * n) // (100 + p)


def _scope_text(scope: Hashable) -> str:
    """A quota scope in words, as the messages say "trong ...": ("official", "DD-UB",
    "chuyên môn") → "DD-UB, nhóm chuyên môn"; ("unit", "R") → "các đơn vị trực thuộc R"."""
    if isinstance(scope, tuple) and scope:
        kind = scope[0]
        if kind == _UNIT:
            parent = scope[1] if len(scope) > 1 else None
            if parent in (None, ""):
                return "các đơn vị không có đơn vị cấp trên"
            return f"các đơn vị trực thuộc {parent}"
        if kind in (_OFFICIAL, _PARTY):
            root = str(scope[1]) if len(scope) > 1 and scope[1] not in (None, "") else "gốc"
            groups = [f"nhóm {part}" for part in scope[2:] if part not in (None, "")]
            return ", ".join([root, *groups])
    return str(scope)


def _rank_key(r: Rating) -> tuple[Decimal, Decimal, str]:
    # score desc, task points desc, code asc
    return (-r.score, -r.task_points, r.code)  # type: ignore[operator]


def apply_quota(
    ratings: Iterable[Rating],
    scope_of: Callable[[Rating], Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[Rating]:
    """A10 (people) and B5 (units, kind 'unit'): in each scope keep at most
    k = floor(p·n / (100 + p)) XS, n = ratings at XS or T; rank by score desc, task points desc,
    code asc; the rest become T. overrides gives another p for a scope. Returns the ratings in
    the given order, XS ones replaced with their quota step added.
    """
    ratings = list(ratings)
    _quota(ratings, [scope_of(r) for r in ratings], p, overrides)
    return ratings


def _quota(
    ratings: list[Rating],
    scopes: Sequence[Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None,
) -> None:
    """apply_quota in place; scopes[i] is the scope of ratings[i]."""
    counts: dict[Hashable, int] = {}
    top: dict[Hashable, list[int]] = {}
    xs, t = Level.XS, Level.T
    get = counts.get
    for i, r in enumerate(ratings):
        level = r.level
        if level is t:
            scope = scopes[i]
            counts[scope] = get(scope, 0) + 1
        elif level is xs:
            scope = scopes[i]
            counts[scope] = get(scope, 0) + 1
            if scope in top:
                top[scope].append(i)
            else:
                top[scope] = [i]
    for scope, indexes in top.items():
        scope_p = p if overrides is None else overrides.get(scope, p)
        n = counts[scope]
        k = quota_allowed(scope_p, n)
        indexes.sort(key=lambda i: _rank_key(ratings[i]))
        name = _scope_text(scope)
        for position, i in enumerate(indexes, start=1):
            r = ratings[i]
            unit = r.kind == _UNIT
            rule = "B5" if unit else "A10"
            figures = {
                "rule": rule,
                "rank": position,
                "allowed": k,
                "rated": n,
                "p": scope_p,
                "scope": scope,
                "scope_name": name,
            }
            kept = position <= k
            if unit:
                template = _B5_KEEP if kept else _B5_DOWN
            else:
                template = _A10_KEEP if kept else _A10_DOWN
            step = _step(rule, template, figures)
            ratings[i] = _rating(
                r.code,
                r.kind,
                xs if kept else t,
                r.score,
                r.task_points,
                (*r.steps, step),
                r.provisional,
            )
