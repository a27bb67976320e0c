"""Query helpers shared by lists: escaped case-insensitive search, paging, and WHERE clauses
over long id lists."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import ARRAY, Integer, Text, any_, cast, false, func, literal, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from service.common.vietnamese import FOLD_FROM, FOLD_TO, fold
from service.extensions import db

IN_LIST_SIZE = 900  # ids per IN (...) list (SQLite allows 32,766 variables; keep statements small)


def like_pattern(q: str) -> str:
    """'%q%' with the LIKE wildcards in q escaped (escape character: backslash)."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class vn_fold(GenericFunction):  # noqa: N801 - the SQL function's name
    """vn_fold(text): the text without tones and letter marks, lower-case (vietnamese.fold).
    SQLite: the Python function registered on each connection; PostgreSQL: translate over
    the precomposed letters, then lower()."""

    type = Text()
    inherit_cache = True


@compiles(vn_fold, "postgresql")
def _vn_fold_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    inner = func.translate(arg, literal(FOLD_FROM), literal(FOLD_TO))
    return compiler.process(func.lower(inner), **kw)


def folded_search(q: str, *columns):
    """Rows where any of `columns` holds q, ignoring case, tones and letter marks on both
    sides: "trinh" finds "Trịnh", "dong da" finds "Đống Đa" (as "bính" finds "Bình")."""
    pattern = like_pattern(fold(q.strip()))
    return or_(*(vn_fold(col).like(pattern, escape="\\") for col in columns))


def search_clause(q: str, *codes, names=(), folded=()):
    """Rows where any of `codes` contains q, ignoring case; or any of `names` does, ignoring
    case, tones and letter marks as well (folded_search: «nguyen van hung» finds «Nguyễn Văn
    Hùng»); or any of `folded`, columns that hold a name already folded (search_name), holds
    q folded. Codes are compared as typed (they are ASCII); a big table's names are searched
    through their folded column, not a fold of every row."""
    found = [col.ilike(like_pattern(q), escape="\\") for col in codes]
    if names:
        found.append(folded_search(q, *names))
    if folded:
        pattern = like_pattern(fold(q.strip()))
        found.extend(col.like(pattern, escape="\\") for col in folded)
    return or_(*found)


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
        if isinstance(column.type, Integer):  # one text parameter, cast by the server: the
            # driver dumps a list item by item (an object per id), and with the collector
            # paused (gcpause) a proposal's worker grew by some 60 MB a part of 30,000 people
            text = "{" + ",".join(str(int(i)) for i in ids) + "}"
            return [column == any_(cast(literal(text, Text), ARRAY(Integer)))]
        return [column == any_(literal(ids, ARRAY(column.type)))]
    return [column.in_(chunk) for chunk in chunks(ids)]


def in_ids(column, ids):
    """One WHERE clause: `column` among `ids` (in_chunks' clauses or'ed; false for no ids)."""
    return or_(false(), *in_chunks(column, ids))


def read_rows(stmt) -> list:
    """All rows of a select of columns, run on the session's connection: Core's row handling,
    not the ORM's per-row loading (for a proposal part's 155,000 history rows, 0.24-0.39 s of
    CPU instead of 0.58-0.64 s). Changes not flushed yet are flushed first, as the session's
    own execute does when autoflush is on."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(stmt).all()


def read_tuples(stmt) -> list[tuple]:
    """read_rows' rows as plain tuples (read by position, not by name). On PostgreSQL, when
    no column needs SQLAlchemy's result processing (psycopg makes the Python values itself:
    numbers, text, dates, booleans), the driver's tuples as fetched, no Row made per row: a
    proposal part's reads (31,000 people, 155,000 history rows) cost about a quarter less
    CPU. A column that needs processing (an enum, a JSON column not read as text) makes the
    whole answer go through Core's rows."""
    if db.session.autoflush:
        db.session.flush()
    result = db.session.connection().execute(stmt)
    try:
        processors = getattr(result._metadata, "_processors", None)
        if result.dialect.name == "postgresql" and processors is not None and not any(processors):
            return result.cursor.fetchall()
        return [tuple(r) for r in result]
    finally:
        result.close()


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
    _copy_rows(conn, conn.dialect.identifier_preparer.format_table(table), table, keys, rows)


def bulk_insert_values(table, keys: list[str], values: list, conn=None, as_text=()) -> None:
    """bulk_insert of rows given as sequences of the `keys`' values, in that order (no dict
    per row: a proposal stores 700,000 rows). Every column with a Python default must be
    among `keys`. The values of the keys in `as_text` are already the text the database
    stores (a JSON column's serialized text, made by the caller once) and are written as they
    are: PostgreSQL's COPY only."""
    if not values:
        return
    conn = conn if conn is not None else db.session.connection()
    missing = [c.key for c in table.c if c.key not in keys and c.default is not None]
    if missing:
        raise ValueError(f"bulk_insert_values into {table.name}: give {missing}")
    if conn.dialect.name != "postgresql":
        if as_text:
            raise ValueError("bulk_insert_values: as_text is for PostgreSQL's COPY")
        rows = [dict(zip(keys, v, strict=True)) for v in values]
        conn.execute(table.insert().execution_options(render_nulls=True), rows)
        return
    target = conn.dialect.identifier_preparer.format_table(table)
    _copy_values(conn, target, table, keys, values, as_text)


def _copy_rows(conn, target: str, table, keys: list[str], rows: list[dict]) -> None:
    """COPY `rows` (their `keys`, as `table`'s columns) into `target`, a table's quoted name;
    each value through its column's bind processing (enums, JSON) first."""
    values = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)

    def rows_values():
        for row in rows:
            try:
                yield values(row)
            except KeyError:  # a key missing from this row: NULL, as in an INSERT
                yield [row.get(k) for k in keys]

    _copy_values(conn, target, table, keys, rows_values())


def _copy_values(conn, target: str, table, keys: list[str], values, as_text=()) -> None:
    """COPY rows given as sequences of the `keys`' values into `target` (_copy_rows), those of
    `as_text` as they are."""
    processors = [
        (i, p)
        for i, k in enumerate(keys)
        if k not in as_text and (p := table.c[k].type.bind_processor(conn.dialect)) is not None
    ]
    raw = conn.connection.driver_connection
    quote = conn.dialect.identifier_preparer.quote  # "group", "order": SQL words as names
    names = ", ".join(quote(table.c[k].name) for k in keys)
    with raw.cursor() as cur, cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        write = copy.write_row
        if not processors:
            for row in values:
                write(row)
            return
        for row in values:
            out = list(row)
            for i, p in processors:
                if out[i] is not None:
                    out[i] = p(out[i])
            write(out)


def bulk_update(model, rows: list[dict], conn=None) -> None:
    """Update many rows of a model's table by primary key (dicts with the same keys, the key
    among them) inside the session's transaction. On PostgreSQL the rows go by COPY into a
    temporary table and one UPDATE … FROM sets them (an executemany is one UPDATE per row);
    elsewhere the ORM's bulk UPDATE by primary key, 5,000 rows a statement. A column with an
    SQL onupdate (updated_at = now()) gets it, as in an UPDATE."""
    if not rows:
        return
    table = model.__table__
    conn = conn if conn is not None else db.session.connection()
    if conn.dialect.name != "postgresql":
        for batch in chunks(rows, 5000):
            db.session.execute(update(model), batch)
        return
    keys = list(rows[0])
    pk = [c.key for c in table.primary_key]
    if not set(pk) <= set(keys):
        raise ValueError(f"bulk_update of {table.name}: every row needs {pk}")
    prep = conn.dialect.identifier_preparer
    col = {k: prep.quote(table.c[k].name) for k in keys}  # "group", "order": SQL words as names
    sets = [f"{col[k]} = s.{col[k]}" for k in keys if k not in pk]
    for c in table.c:
        if c.key not in keys and c.onupdate is not None:
            if not c.onupdate.is_clause_element:
                raise ValueError(f"bulk_update of {table.name}: give {c.key}")
            sql = c.onupdate.arg.compile(dialect=conn.dialect)
            sets.append(f"{prep.quote(c.name)} = {sql}")
    target = prep.format_table(table)
    temp = prep.quote(f"bulk_update_{table.name}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
        f"SELECT {', '.join(col.values())} FROM {target} WITH NO DATA"
    )
    _copy_rows(conn, temp, table, keys, rows)
    match = " AND ".join(f"t.{col[k]} = s.{col[k]}" for k in pk)
    conn.exec_driver_sql(
        f"UPDATE {target} AS t SET {', '.join(sets)} FROM {temp} AS s WHERE {match}"
    )
    conn.exec_driver_sql(f"DROP TABLE {temp}")
