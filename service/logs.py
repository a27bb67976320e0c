"""Request ids and logs. Every request gets an id (the proxy's X-Request-ID when it sends a
sane one, else a new one), answered in X-Request-ID and put on every log line of the request.
LOG_FORMAT=json (production's default) writes one JSON object a line (python-json-logger),
with one access line per request: method, path, status, duration, user."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.method = request.method
            record.path = request.path
        else:
            record.request_id = getattr(record, "request_id", "-")
        return True


def _json_handler() -> logging.Handler:
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestContext())
    return handler


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        root = logging.getLogger()
        for h in list(root.handlers):
            root.removeHandler(h)
        root.addHandler(_json_handler())
        root.setLevel(logging.INFO)
        app.logger.handlers.clear()  # propagate to the root's JSON handler
        app.logger.propagate = True
    else:
        for h in app.logger.handlers:
            h.addFilter(RequestContext())
    access = logging.getLogger("service.access")

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _answer_id(response):
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
        if app.config.get("LOG_FORMAT") == "json":
            from flask_login import current_user

            started = g.get("request_started")
            user = _user_id(current_user)
            access.info(
                "request",
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                    if started
                    else None,
                    "user_id": user,
                    "remote_addr": request.remote_addr,
                },
            )
        return response


def _user_id(user) -> int | None:
    """The signed-in user's id without loading it again: after the commit the ORM has expired
    the user's columns, and reading `user.id` would be one more query on every request."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None:  # nobody signed in (flask-login's anonymous user is not a model)
        return None
    return state.identity[0] if state.identity else None
