"""gc_paused: the cyclic garbage collector paused around a run that builds millions of objects
and no reference cycles (a 100,000-person import, an awards proposal).

The pure rating rules keep their own copy (evaluation.rules._gc): they may not import the
core, whose package loads Flask, and the core may not import a domain."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the block runs, restored after.

    A city year builds millions of small long-lived objects and no reference cycles; left on,
    the collector re-walks all of them about ten times and doubles the run time. Re-enabled
    as such, it would still walk them all at once at the next allocation (a fifth of the run):
    they are all young. So they are handed to the oldest generation without that walk
    (gc.freeze then gc.unfreeze moves every tracked object there), where the next full
    collection looks at them, as it would have anyway. Nothing escapes the collector; when
    something else keeps objects frozen (a pre-fork server), the collector is only re-enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
