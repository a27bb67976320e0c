"""The registry's unnamed entries: what the count columns of "Đánh giá cá nhân" and "Lịch sử"
("Sáng kiến cấp cơ sở", "Sáng kiến cấp thành phố") write into it (issue 12 item 2: the registry
is the one store the rules count).

Per subject, year, source and level one entry with an empty title and `quantity` the count (0:
no entry): a person's counts are a sáng kiến authored by the person, a unit's history counts a
mô hình of the unit. Its `owner_key` is "<owner>:<source>:<level>" (the owner as a named
entry's, "p<id>" or "u<id>"), so each is unique by the registry's natural key and found in one
IN list. The evaluation announces every change of the columns (evaluation.counts) inside its
own transaction; `sync_counts` replaces the entries of the subjects announced, set-based (five
statements per 2,500 subjects on PostgreSQL, per 450 on SQLite; never one per row)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select

from awards.models import HISTORY, MODEL, PERSON_EVAL, Initiative, InitiativeAuthor
from awards.rules.facts import BASE, CITY
from evaluation import queries as eq
from evaluation.counts import CountRow
from service.common.queries import IN_LIST_SIZE, chunks, in_chunks
from service.extensions import db

__all__ = ["sync_counts", "sync_stored_counts", "unnamed_owner_key"]


def unnamed_owner_key(source: str, level: str, *, person_id=None, unit_id=None) -> str:
    owner = f"u{unit_id}" if unit_id is not None else f"p{person_id}"
    return f"{owner}:{source}:{level}"


def sync_counts(source: str, rows: list[CountRow]) -> int:
    """Make the unnamed entries of `source` of each (subject, year) of `rows` their counts.
    Returns the number of entries written."""
    if source not in (PERSON_EVAL, HISTORY):
        raise ValueError(source)
    wanted: dict[int, dict[str, tuple[CountRow, str, int]]] = defaultdict(dict)
    for r in rows:
        for level, n in ((BASE, r.base), (CITY, r.city)):
            key = unnamed_owner_key(source, level, person_id=r.person_id, unit_id=r.unit_id)
            wanted[r.year][key] = (r, level, n or 0)
    written = 0
    # owner keys per IN list: PostgreSQL takes long lists, SQLite the usual IN_LIST_SIZE
    size = 5000 if db.session.get_bind().dialect.name == "postgresql" else IN_LIST_SIZE
    for year, keys in wanted.items():
        for part in chunks(keys, size):
            _drop(source, year, part)
            written += _write(source, year, [keys[k] + (k,) for k in part if keys[k][2] > 0])
    return written


def _drop(source: str, year: int, owner_keys: list[str]) -> None:
    ids = db.session.scalars(
        select(Initiative.id).where(
            Initiative.source == source,
            Initiative.year == year,
            Initiative.owner_key.in_(owner_keys),
        )
    ).all()
    for clause in in_chunks(InitiativeAuthor.initiative_id, ids):
        db.session.execute(delete(InitiativeAuthor).where(clause))
    for clause in in_chunks(Initiative.id, ids):
        db.session.execute(delete(Initiative).where(clause))


def _write(source: str, year: int, entries: list[tuple]) -> int:
    if not entries:
        return 0
    values = [
        {
            "year": year,
            "kind": MODEL if r.unit_id is not None else "sang_kien",
            "title": "",
            "level": level,
            "unit_id": r.unit_id,
            "owner_key": key,
            "decision_no": "",
            "decision_date": None,
            "version": 1,
            "quantity": n,
            "source": source,
        }
        for r, level, n, key in entries
    ]
    ids = db.session.scalars(
        insert(Initiative)
        .returning(Initiative.id, sort_by_parameter_order=True)
        .execution_options(render_nulls=True),
        values,
    ).all()
    links = [
        {"initiative_id": ini_id, "person_id": r.person_id, "position": 0}
        for ini_id, (r, _level, _n, _key) in zip(ids, entries, strict=True)
        if r.unit_id is None
    ]
    if links:
        db.session.execute(insert(InitiativeAuthor), links)
    return len(values)


def sync_stored_counts(year: int) -> int:
    """Write the unnamed entries of what is stored: the person inputs of the evaluated `year`
    and the history of the years before it that the service does not evaluate (the demo, whose
    rows are inserted in bulk). Returns the number of entries written."""
    written = 0
    year_row = eq.get_year(year)
    people, _units = eq.award_inputs(year_row)
    written += sync_counts(
        PERSON_EVAL,
        [CountRow(year, r.person_id, None, r.initiatives_base, r.initiatives_city) for r in people],
    )
    evaluated = {y.year for y in eq.list_years()}
    history = [
        CountRow(r.year, r.person_id, r.unit_id, r.initiatives_base, r.initiatives_city)
        for r in eq.history_before(year)
        if r.year not in evaluated
    ]
    written += sync_counts(HISTORY, history)
    return written
