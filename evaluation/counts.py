"""The initiative count columns ("Sáng kiến cấp cơ sở", "Sáng kiến cấp thành phố") of "Đánh giá
cá nhân" (person_evals) and "Lịch sử" (history) and who follows them.

Another package that keeps something per count (awards: the registry's unnamed entries)
registers a listener; every path that changes a count column (a save of inputs or history,
the imports) calls `counts_changed` in its own transaction, after its rows are written, so
the listeners' writes are all or nothing with it. The evaluation imports no listener.

The history of a year the service evaluates is a copy of its person inputs (record_awards):
its counts are the inputs' (source "person_eval"), never announced twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

PERSON_EVAL, HISTORY = "person_eval", "history"


@dataclass(frozen=True)
class CountRow:
    """The counts of one subject and year as they now are (a person, or a unit's history)."""

    year: int
    person_id: int | None
    unit_id: int | None
    base: int
    city: int


LISTENERS: list[Callable[[str, list[CountRow]], None]] = []


def on_counts_changed(listener: Callable[[str, list[CountRow]], None]) -> None:
    """Call `listener(source, rows)` whenever count columns change (once per listener)."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)


def counts_changed(source: str, rows: Iterable[CountRow]) -> None:
    rows = list(rows)
    if not rows:
        return
    for listener in LISTENERS:
        listener(source, rows)


__all__ = ["HISTORY", "PERSON_EVAL", "CountRow", "counts_changed", "on_counts_changed"]
