"""The browser tests' server: an app of the given config on a SQLite file with the demo data,
served on a free port in a thread (the in-process job worker drained at the end)."""

from __future__ import annotations

import contextlib
import threading

from werkzeug.serving import make_server

from service import create_app
from service.extensions import db


@contextlib.contextmanager
def demo_server(config):
    app = create_app(config)
    with app.app_context():
        db.create_all()
        from service.demo import load_demo

        load_demo()
        db.session.commit()
    with serving(app) as url:
        yield url


@contextlib.contextmanager
def serving(app):
    """`app` served on a free port in a thread; its URL. At the end the server stops, the
    in-process job worker is drained and the database's connections closed."""
    srv = make_server("127.0.0.1", 0, _static_read_whole(app), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        from service.jobs import wait_idle

        wait_idle()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _static_read_whole(app):
    """The static files read whole and closed before they are sent: werkzeug's development
    server leaves a file unclosed when the browser drops the connection mid-answer (a page
    closed while its icon loads), and the ResourceWarning fails whichever test is running."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        if not environ.get("PATH_INFO", "").startswith("/static/"):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


def fits(page, width: int = 390) -> None:
    """The page, once loaded and styled (a page still loading its CSS is wider), is no wider
    than the viewport's `width`: nothing to scroll sideways."""
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
