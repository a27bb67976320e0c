"""Computing a year's ratings from the database and storing them with their explanation.

recompute(year, unit) rates every unit of the year (B1–B5: 25,000 units take well under a
second), then the people, in parts that are closed under the quota scopes: each person's
official scope root (A10: quota root of their unit) and party scope root (quota root of their
party unit) are joined with a union-find, so a part holds every member of each scope it
touches and gives exactly what one whole-year call would. Given a unit, only the part holding
that unit's quota root is rated; without one, the whole year, part by part (bounded memory).

Ratings of lists already approved are locked: kept as stored, and their unit levels cap the
heads below them as approved (A8). Everything else of the recomputed parts is brought up to
date in the caller's transaction (a reader sees the old results or the new ones, never a mix),
writing only what changed: every stored rating keeps a digest of its result (rating_digest:
list, level, score, scope and each step's rule, message template and figures); a new result
with the stored digest is left alone, a changed one replaces its row, and a stored rating not
produced again is deleted. The explanation's text is built only for the rows written. So a
recompute after one save rewrites a handful of rows, and a whole-year recompute of a year that
did not change writes nothing.

Speed (bench/bench_recompute.py, 500,000 people; same results as before, checked row by row):
everything is read first, then written while rating. The parts come from one grouped query (one
unit's part: by following the party links out of its quota root); the whole year streams its
inputs in one query ordered by part (a temporary table maps each unit to its part; on
PostgreSQL a server-side cursor of the driver), one part loads only its units' people; rows
are plain tuples; each part is rated over its own units only; an explanation is stored as
[rule id, template key, figures] per step (steps_text; rating_templates holds the templates,
explain() renders the messages when read), a third of the rendered text and no message
formatted while computing; the cyclic garbage collector is paused. On PostgreSQL the writes
(the DELETEs of the old ratings, then each part's COPY) run in a helper thread, on the same
connection and transaction, while the units and the next part are rated (the caller's thread
does not use the connection meanwhile); a whole year's worker processes hand back each part's
rows as COPY text (copy_data).

Modules: explain (stored explanations, scope keys), load (reading the inputs), parts (the
parts of people), parallel (rating a part, forked workers), store (digests, rows, the writer),
recompute (the recompute itself), changes (note_change / apply_pending).
"""

from evaluation.compute.changes import apply_pending, note_change, scope_root
from evaluation.compute.explain import (
    explain,
    scope_key,
    scope_tuple,
    steps_json,
    steps_text,
    stored_rating,
)
from evaluation.compute.load import _UNITS_CACHE, _load_units, _overrides
from evaluation.compute.parallel import processes_for
from evaluation.compute.recompute import Progress, recompute
from evaluation.compute.store import _Stored, _write, copy_data, rating_digest

# `recompute` and `explain` here are the functions (each bound after its module was loaded),
# not the modules of the same names: reach those through sys.modules if ever needed.

__all__ = [
    "Progress",
    "_Stored",
    "_UNITS_CACHE",
    "_load_units",
    "_overrides",
    "_write",
    "apply_pending",
    "copy_data",
    "explain",
    "note_change",
    "processes_for",
    "rating_digest",
    "recompute",
    "scope_key",
    "scope_root",
    "scope_tuple",
    "steps_json",
    "steps_text",
    "stored_rating",
]
