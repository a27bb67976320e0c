"""Query helpers shared by lists: escaped case-insensitive search and paging."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from service.extensions import db


def like_pattern(q: str) -> str:
    """'%q%' with the LIKE wildcards in q escaped (escape character: backslash)."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_clause(q: str, *columns):
    """Rows where any of `columns` contains q, ignoring case."""
    pattern = like_pattern(q)
    return or_(*(col.ilike(pattern, escape="\\") for col in columns))


def paginate(stmt, page: int, per_page: int, order_by):
    """(rows of the page, total count) for a select."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(
        stmt.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
