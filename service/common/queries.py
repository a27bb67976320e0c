"""Query helpers shared by lists: escaped case-insensitive search, paging, and WHERE clauses
over long id lists."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import ARRAY, any_, func, literal, or_, select

from service.extensions import db

IN_LIST_SIZE = 900  # ids per IN (...) list (SQLite allows 32,766 variables; keep statements small)


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


def chunks(seq, n: int = IN_LIST_SIZE):
    """`seq` (any iterable) as lists of at most n items, in order."""
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def in_chunks(column, ids) -> list:
    """WHERE clauses that together cover `ids` (values of the column's type: ids, codes): one
    `column = ANY(array)` on PostgreSQL (one statement, one parameter), IN lists of
    IN_LIST_SIZE ids elsewhere (SQLite's variable limit). No clause for no ids."""
    ids = list(ids)
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return [column == any_(literal(ids, ARRAY(column.type)))]
    return [column.in_(chunk) for chunk in chunks(ids)]


def bulk_insert(table, rows: list[dict], conn=None) -> None:
    """Insert many rows (dicts with the same keys) into a Table inside the session's transaction:
    COPY on PostgreSQL (several times faster than one INSERT per row, which is what an
    executemany becomes), an executemany elsewhere. Values go through the columns' own bind
    processing (enums, JSON) first, as in an INSERT."""
    if not rows:
        return
    conn = conn if conn is not None else db.session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert().execution_options(render_nulls=True), rows)
        return
    keys = list(rows[0])
    missing = [c for c in table.c if c.key not in rows[0] and c.default is not None]
    if any(not c.default.is_scalar for c in missing):
        raise ValueError(f"bulk_insert into {table.name}: give {[c.key for c in missing]}")
    if missing:  # what an INSERT would fill in from the columns' Python defaults
        rows = [{**{c.key: c.default.arg for c in missing}, **r} for r in rows]
        keys = list(rows[0])
    processors = [
        (i, p)
        for i, k in enumerate(keys)
        if (p := table.c[k].type.bind_processor(conn.dialect)) is not None
    ]
    raw = conn.connection.driver_connection
    quote = conn.dialect.identifier_preparer.quote  # "group", "order": SQL words as names
    names = ", ".join(quote(table.c[k].name) for k in keys)
    statement = f"COPY {conn.dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    values = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    with raw.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            try:
                out = list(values(row))
            except KeyError:  # a key missing from this row: NULL, as in an INSERT
                out = [row.get(k) for k in keys]
            for i, p in processors:
                if out[i] is not None:
                    out[i] = p(out[i])
            copy.write_row(out)
