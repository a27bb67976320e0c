"""One authorization function for every "may this user do X on this unit", and the list filter.

A role held at unit U reaches U and everything below it, nothing else; the administrator reaches
everything. Objects outside a user's reach answer 404 (not 403), so their existence is not told.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import false, or_, true

from service.auth.models import Role
from service.org.models import Unit

# action -> roles (besides the administrator) that may do it, within their units. The core's
# actions; a domain adds its own with register_permissions in its init_app.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "unit.read": frozenset({Role.STAFF, Role.COMMITTEE, Role.HR}),
    "unit.write": frozenset(),
    "person.read": frozenset({Role.STAFF, Role.COMMITTEE, Role.HR}),
    "person.write": frozenset({Role.STAFF}),
    "import.units": frozenset(),
    "import.people": frozenset({Role.STAFF}),
    "user.manage": frozenset(),
    "audit.read": frozenset({Role.COMMITTEE, Role.HR}),
    "export": frozenset({Role.STAFF, Role.COMMITTEE, Role.HR}),
}


def register_permissions(actions: dict[str, set[Role] | set[str] | frozenset[Role]]) -> None:
    """A domain's actions and the roles that may do them (besides the administrator); a role
    may be given by its value ("staff"), and an unknown one raises ValueError."""
    for action, roles in actions.items():
        PERMISSIONS[action] = frozenset(Role(r) for r in roles)


def _grants(user) -> list[tuple[Role, str | None]]:
    """(role, unit path) pairs of the user, cached for the request."""
    cache = g.setdefault("_grants", {})
    if user.id not in cache:
        cache[user.id] = [(ra.role, ra.unit.path if ra.unit else None) for ra in user.roles]
    return cache[user.id]


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and any(r == Role.ADMIN for r, _ in _grants(user)))


def scope_paths(user, action: str) -> list[str] | None:
    """The unit paths under which `action` is allowed; None means everywhere (administrator)."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action}")
    if not user or not user.is_authenticated:
        return []
    if is_admin(user):
        return None
    allowed = PERMISSIONS[action]
    paths = sorted({p for r, p in _grants(user) if r in allowed and p})
    # drop paths already covered by a shorter one
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def can(user, action: str, unit: Unit | None = None) -> bool:
    """May `user` do `action` on `unit` (or anywhere at all, when unit is None)?"""
    paths = scope_paths(user, action)
    if paths is None:
        return True
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


def scope_filter(user, action: str, path_column=None):
    """SQL condition restricting a query on units (or a joined Unit.path) to the user's reach."""
    paths = scope_paths(user, action)
    if paths is None:
        return true()
    if not paths:
        return false()
    col = path_column if path_column is not None else Unit.path
    return or_(*(Unit.subtree_clause(p, col) for p in paths))


def roles_in(user) -> set[Role]:
    return {r for r, _ in _grants(user)} if user and user.is_authenticated else set()
