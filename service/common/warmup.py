"""A web worker's warm-up before its first request (gunicorn's post_worker_init hook in
service/gunicorn_conf.py): the mappers configured, one database connection per thread opened,
and the statements of the hot requests compiled by running them once on ids that match
nothing (no writes). Without it, each worker's first requests pay for these: 50 council
members voting in the same minute met five cold workers (issue 12, bench/bench_vote.py).

Domains add their own statements with register(fn); fn runs in an app context, reads only,
and its transaction is rolled back."""

from __future__ import annotations

import logging

from sqlalchemy.orm import configure_mappers

from service.extensions import db

log = logging.getLogger(__name__)
_WARMERS: list = []


def register(fn):
    """Run `fn()` at each web worker's warm-up (once per function, whatever the app count)."""
    if fn not in _WARMERS:
        _WARMERS.append(fn)
    return fn


def warm(app, connections: int = 1) -> list[str]:
    """Warm `app` for `connections` threads; returns the names of warmers that failed (a
    failure is logged and does not stop the worker: it only starts cold)."""
    failed = []
    with app.app_context():
        configure_mappers()
        opened = [db.engine.connect() for _ in range(max(1, connections))]
        for conn in opened:
            conn.exec_driver_sql("SELECT 1")
            conn.close()  # back to the pool, connected
        for fn in _WARMERS:
            try:
                fn()
            except Exception:  # the worker still serves, only cold: say which
                log.warning("warm-up %s failed", fn.__qualname__, exc_info=True)
                failed.append(fn.__qualname__)
            finally:
                db.session.rollback()
        db.session.remove()
    return failed
