"""A web worker warms up before its first request (issue 12: 50 members voting at once met
cold workers): gunicorn's post_worker_init runs service.common.warmup.warm, which opens the
connections and runs the registered warmers, writing nothing."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from sqlalchemy import event

from service.common import warmup
from service.extensions import db


def test_post_worker_init_warms_the_worker_s_app(monkeypatch):
    conf = importlib.import_module("service.gunicorn_conf")
    seen = []
    monkeypatch.setattr(warmup, "warm", lambda app, n: seen.append((app, n)))
    conf.post_worker_init(SimpleNamespace(wsgi="the app"))
    assert seen == [("the app", conf.threads)]


def test_warm_runs_the_vote_s_reads_and_writes_nothing(app):
    names = {fn.__qualname__ for fn in warmup._WARMERS}
    assert {"_warm_core", "warm_up"} <= names  # the core's and the council's
    statements = []
    with app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, *args):
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert warmup.warm(app, 2) == []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements.count("SELECT") >= 5, statements  # ping ×2, token, seal, vote ×2
    allowed = {"SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "ROLLBACK", "RELEASE"}
    assert not set(statements) - allowed, statements  # reads only


def test_a_failing_warmer_is_named_and_the_worker_still_starts(app, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    warned = []  # the app's logging config may stop propagation: the logger itself is watched
    monkeypatch.setattr(warmup.log, "warning", lambda msg, *a, **kw: warned.append(msg % a))
    monkeypatch.setattr(warmup, "_WARMERS", [*warmup._WARMERS, broken])
    assert warmup.warm(app, 1) == [broken.__qualname__]
    assert warned == [f"warm-up {broken.__qualname__} failed"]
