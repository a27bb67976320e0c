"""Session-scoped app and schema; each test runs in a transaction rolled back at its end.

The database is a SQLite file unless TEST_DATABASE_URL is set (the Makefile runs the suite a
second time against PostgreSQL). No application context stays pushed between requests, so each
request gets its own `g` (logged-in user, grants cache) as in production; the test and its
requests share one database session bound to the test's outer transaction."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import scoped_session, sessionmaker

from service import create_app
from service.config import TestConfig
from service.extensions import db

pytest_plugins = ["tests.fixtures.factories", "tests.fixtures.evaluation"]


class _TestScopedSession(scoped_session):
    """Flask-SQLAlchemy removes the session after each request; keep it for the whole test."""

    def remove(self):
        pass

    def really_remove(self):
        super().remove()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class SuiteConfig(TestConfig):
        pass

    if SuiteConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        # a file, not :memory:, so each connection is its own (as in production)
        db_file = tmp_path_factory.mktemp("db") / "suite.db"
        SuiteConfig.SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_file}"
    app = create_app(SuiteConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(request, app):
    """Bind one session to an outer transaction; commits inside become savepoint releases."""
    if any(request.node.get_closest_marker(m) for m in ("browser", "isolated_db")):
        # browser tests run a real server, isolated_db tests workers and races, on a database
        # of their own with committed data (other connections cannot see the outer transaction)
        yield None
        return
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    old_session = db.session
    # A plain Session: Flask-SQLAlchemy's own picks the engine per table and would ignore `bind`.
    db.session = _TestScopedSession(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=lambda: 0,
    )
    try:
        yield db.session
    finally:
        # Each step on its own: a test that left the transaction aborted must still give its
        # connection back, or the session's final drop_all waits for its locks for ever.
        try:
            db.session.really_remove()
        finally:
            db.session = old_session
            try:
                outer.rollback()
            finally:
                connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    """For tests that call operations directly (they read current_app.config)."""
    with app.test_request_context():
        yield
