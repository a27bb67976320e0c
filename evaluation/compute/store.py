"""Storing ratings: digests of what a row holds (only changed rows are rewritten), the rows,
and the writer (COPY on PostgreSQL, in a helper thread while the caller rates)."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import delete, text

from evaluation.compute import _templates
from evaluation.compute._templates import _blake2b, _template_key
from evaluation.compute.explain import steps_text
from evaluation.models import Rating
from evaluation.rules import Rating as RatingResult
from service.common.queries import chunks
from service.extensions import db

_COLUMNS = (
    "year_id",
    "kind",
    "person_id",
    "unit_id",
    "list_unit_id",
    "level",
    "score",
    "task_points",
    "provisional",
    "scope",
    "steps",
    "digest",
    "computed_at",
)


def _write(rows: list[tuple] | bytes, conn=None) -> None:
    """Insert rating rows (tuples in _COLUMNS order, steps already JSON text; or copy_data's
    text): COPY on PostgreSQL, executemany on SQLite, both inside the session's transaction."""
    if not rows:
        return
    conn = conn if conn is not None else db.session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        _copy(raw, rows)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
        cur = raw.cursor()
        try:
            cur.executemany(
                f"INSERT INTO ratings ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [(*r[:6], _text(r[6]), _text(r[7]), *r[8:]) for r in rows],
            )
        finally:
            cur.close()


def _save_templates(conn, items: list[tuple[str, str]]) -> None:
    """Store these (key, template) pairs where missing (sorted: concurrent recomputes take the
    keys' locks in the same order)."""
    if items:
        conn.execute(
            text(
                "INSERT INTO rating_templates (id, template) VALUES (:id, :template) "
                "ON CONFLICT (id) DO NOTHING"
            ),
            [{"id": key, "template": template} for key, template in items],
        )


def _text(value):
    # sqlite3 cannot bind a Decimal: the score and task points go as text (only they can be)
    return str(value) if isinstance(value, Decimal) else value


def _copy(raw, rows: list[tuple] | bytes) -> None:
    with raw.cursor() as cur:
        with cur.copy(f"COPY ratings ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            if isinstance(rows, bytes):
                copy.write(rows)
                return
            for row in rows:
                copy.write_row(row)


_COPY_BACKSLASH = str.maketrans({"\\": "\\\\"})
_NULL = "\\N"


def copy_data(rows: list[tuple]) -> bytes:
    """Rating rows (tuples in _COLUMNS order) as the text of a PostgreSQL COPY. A whole-year
    recompute's worker processes make it, so the process that writes passes one bytes object
    on instead of unpickling and formatting a tuple per row. The two text columns are JSON
    (scope, steps): control characters come escaped, so a backslash is all COPY needs doubled;
    kind and level are codes."""
    out = []
    append = out.append
    stamps: dict = {}
    for y, kind, pid, uid, luid, level, score, tp, prov, scope, steps, digest, at in rows:
        if "\\" in scope:
            scope = scope.translate(_COPY_BACKSLASH)
        if "\\" in steps:
            steps = steps.translate(_COPY_BACKSLASH)
        stamp = stamps.get(at)
        if stamp is None:
            stamp = stamps[at] = at.isoformat(" ")
        append(
            f"{y}\t{kind}\t{_NULL if pid is None else pid}\t{_NULL if uid is None else uid}\t"
            f"{luid}\t{level}\t{_NULL if score is None else score}\t"
            f"{_NULL if tp is None else tp}\t{'t' if prov else 'f'}\t{scope}\t{steps}\t"
            f"{_NULL if digest is None else digest}\t{stamp}\n"
        )
    return "".join(out).encode()


class _Writer:
    """Runs the transaction's writes (DELETEs, each part's rows) while the caller rates.

    PostgreSQL: in order, in one helper thread, on the session's connection and in its
    transaction (the server works on one part's rows while this process rates the next); the
    caller does not use the connection until wait(), which re-raises the helper's error (the
    writes queued after a failed one are skipped). SQLite: at once, in the caller (a helper
    thread gains nothing there: sqlite3 holds the GIL for most of an insert)."""

    def __init__(self) -> None:
        self.conn = db.session.connection()
        self.background = self.conn.dialect.name == "postgresql"
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.templates: set[str] = set()  # keys saved in this transaction

    def rows(self, rows: list[tuple] | bytes) -> Callable[[], None] | None:
        """The operation writing `rows` (None: nothing to write), after the templates their
        steps name (the first time: every template this process knows, in one statement)."""
        if not rows:
            return None
        new = sorted(
            item for item in _templates._TEMPLATES.items() if item[0] not in self.templates
        )
        self.templates.update(key for key, _template in new)

        def op() -> None:
            _save_templates(self.conn, new)
            _write(rows, self.conn)

        return op

    def sql(self, stmt) -> Callable[[], None]:
        return lambda: self.conn.execute(stmt)

    def delete_ids(self, ids: list[int]) -> Callable[[], None] | None:
        if not ids:
            return None
        return lambda: _delete_ids(self.conn, ids)

    def add(self, ops: list) -> None:
        """Run these after the ones already added."""
        ops = [op for op in ops if op is not None]
        if not self.background:
            for op in ops:
                op()
            return
        if ops and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="eval-recompute-write")
            self.thread.daemon = True
            self.thread.start()
        for op in ops:
            self.queue.put(op)

    def _run(self) -> None:
        while True:
            op = self.queue.get()
            try:
                if op is None:
                    return
                if self.error is None:
                    op()
            except BaseException as err:  # handed to the caller by wait()
                self.error = err
            finally:
                self.queue.task_done()

    def wait(self) -> None:
        """Until every write added so far is done; the connection is the caller's again."""
        if self.thread is not None:
            self.queue.join()
        if self.error is not None:
            err, self.error = self.error, None
            raise err

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None


def rating_digest(list_unit_id: int, r: RatingResult, scope: str) -> int:
    """64-bit digest (signed, as BIGINT stores it) of what a rating row will hold but its
    year, subject and time: list, level, score, task points, provisional, scope, and each step's
    rule id, message template and figures. The stored explanation is a function of exactly
    these (the message is its template over the figures), so equal digests mean equal rows;
    the digest is the same in every process and on every database, and costs a fraction of
    the explanation's text, which is built only for the rows that changed."""
    out = [f"{list_unit_id}|{r.level}|{r.score}|{r.task_points}|{r.provisional:d}|{scope}"]
    last = None
    for s in r.steps:
        figures = s.figures
        out.append(s.rule_id)
        out.append(_template_key(s.template))
        out.append("=" if figures is last else repr(figures))
        last = figures
    text_ = "\x1f".join(out)
    return int.from_bytes(_blake2b(text_.encode(), digest_size=8).digest(), "big", signed=True)


def _row(year_id, kind, person_id, unit_id, list_unit_id, r: RatingResult, scope, digest, now):
    return (
        year_id,
        kind,
        person_id,
        unit_id,
        list_unit_id,
        str(r.level),
        r.score,
        r.task_points,
        bool(r.provisional),
        scope,
        steps_text(r),
        digest,
        now,
    )


_KIND_BIT = {"official": 0, "party": 1}


def _key(kind: str, person_id: int | None, unit_id: int | None) -> int:
    """One int per rating subject: people 2·id (+1 for the party rating), units −id."""
    if kind == "unit":
        return -unit_id
    return 2 * person_id + _KIND_BIT[kind]


class _Stored:
    """The stored ratings a recompute may replace, key -> (id, digest), and what it decided
    for each new result (offer): unchanged (skipped), changed (old row deleted, new one
    written) or new; what is left at the end was not produced again and is deleted."""

    def __init__(self, year_id: int, now: dt.datetime) -> None:
        self.rows: dict[int, tuple[int, int | None]] = {}
        self.year_id = year_id
        self.now = now
        self.unchanged = 0
        self.changed = 0
        self.stale: list[int] = []
        self.write: list[tuple] = []
        self.seen: list[int] | None = None  # keys offered (a worker process reports them)

    def load(self, stmt) -> None:
        """Add the rows of a SELECT kind, person_id, unit_id, id, digest."""
        conn = db.session.connection()
        rows = self.rows
        if conn.dialect.name == "postgresql":
            compiled = stmt.compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            with conn.connection.driver_connection.cursor() as cur:
                cur.execute(str(compiled), compiled.params)
                found = cur.fetchall()
        else:
            found = conn.execute(stmt).all()
        for kind, person_id, unit_id, rid, digest in found:
            rows[_key(kind, person_id, unit_id)] = (rid, digest)

    def offer(self, kind, person_id, unit_id, list_unit_id, r: RatingResult, scope) -> None:
        digest = rating_digest(list_unit_id, r, scope)
        k = _key(kind, person_id, unit_id)
        if self.seen is not None:
            self.seen.append(k)
        old = self.rows.pop(k, None)
        if old is not None:
            if old[1] == digest:
                self.unchanged += 1
                return
            self.stale.append(old[0])
            self.changed += 1
        self.write.append(
            _row(self.year_id, kind, person_id, unit_id, list_unit_id, r, scope, digest, self.now)
        )

    def take(self) -> tuple[list[int], list[tuple]]:
        """The ids to delete and the rows to write for what was offered since the last take."""
        out = (self.stale, self.write)
        self.stale, self.write = [], []
        return out

    def leftover(self) -> list[int]:
        ids = [rid for rid, _digest in self.rows.values()]
        self.rows.clear()
        return ids


def _delete_ids(conn, ids: list[int]) -> None:
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cur:
            cur.execute("DELETE FROM ratings WHERE id = ANY(%s)", (ids,))
        return
    for chunk in chunks(ids):
        conn.execute(delete(Rating).where(Rating.id.in_(chunk)))
