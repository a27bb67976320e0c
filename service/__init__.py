"""Application factory: create_app(config) wires extensions, the core's blueprints and commands,
then each domain package the configuration names (DOMAINS) through its init_app."""

from __future__ import annotations

from flask import Flask, g, has_app_context, has_request_context, make_response, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from service import config as config_module
from service.common.vietnamese import fold
from service.extensions import api, csrf, db, login_manager, migrate


def create_app(config: type | None = None) -> Flask:
    config = config or config_module.from_environment()
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE_DIR),
        template_folder=str(config_module.BASE_DIR / "templates"),
        static_folder=str(config_module.BASE_DIR / "templates" / "static"),
    )
    app.config.from_object(config)
    if app.config.get("TIME_ZONE"):
        config_module.use_time_zone(app.config["TIME_ZONE"])  # Hanoi's, not the server's
    if app.config.get("PRODUCTION"):
        config_module.check_production(app.config)
    from service.common import api as api_edge

    api_edge.init_app(app)  # ids within 64 bits, no NUL in text (before any route is added)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No server-side prepared statements: a generic plan for the subtree range queries can
        # be 20-50x slower than a custom one (measured in bench/bench_listing.py).
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        args = {**opts.get("connect_args", {}), "prepare_threshold": None}
        if app.config.get("TIME_ZONE"):  # the columns the database fills in: Hanoi's time too
            args["options"] = f"{args.get('options', '')} -c timezone={app.config['TIME_ZONE']}"
        opts["connect_args"] = args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module._secret_key()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and not app.testing:
        config_module.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        _sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(config_module.BASE_DIR / "migrations"))
    csrf.init_app(app)
    from service import health, logs, security

    security.init_app(app)  # headers, HTTPS and proxies, rate limits
    logs.init_app(app)  # request ids, JSON logs
    login_manager.init_app(app)
    api.init_app(app, spec_kwargs={"info": {"description": "API JSON của dịch vụ (tiếng Việt)."}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})

    from service import exports as export_jobs
    from service import files as attachments
    from service import imports as imports_framework
    from service import jobs, models  # noqa: F401 - models: the core's tables
    from service.audit import chain as audit_chain
    from service.auth import login  # noqa: F401 - user and token loaders
    from service.auth import views as auth_views
    from service.auth.api import blp as auth_api
    from service.common import errors, filters, warmup
    from service.domains import init_domains
    from service.imports import api as imports_api
    from service.imports import views as imports_views
    from service.org import views as org_views
    from service.org.api import blp as org_api

    for blp in (org_api, auth_api, imports_api.blp):
        csrf.exempt(blp)
        api.register_blueprint(blp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(org_views.bp)
    app.register_blueprint(imports_views.bp)
    app.register_blueprint(health.bp)
    errors.init_app(app)
    filters.init_app(app)
    jobs.init_app(app)
    imports_framework.init_app(app)
    export_jobs.init_app(app)
    attachments.init_app(app)  # dossiers' files: domains register their owner kinds
    audit_chain.init_app(app)
    _request_boundary(app)
    warmup.register(_warm_core)

    from service import commands

    commands.init_app(app)
    init_domains(app)  # last: each domain's blueprints, commands, jobs, imports, menu, demo
    return app


def _warm_core() -> None:
    """The statements of every API request and write (service.common.warmup): a token's user
    (a token that matches none) and the audit seal's read of the unchained entries."""
    from service.audit.chain import unchained
    from service.auth.operations import user_for_token

    user_for_token("warm-up")
    unchained(db.session).all()


SQLITE_BUSY_MS = 30_000  # a writer waits this long for another's write lock, then gets 503


def _sqlite_pragmas(engine) -> None:
    """SQLite: enforce foreign keys; let SQLAlchemy own BEGIN so SAVEPOINTs work; a database
    file in WAL mode (readers never wait for the writer, nor it for them). A transaction that
    will write (a request other than GET/HEAD/OPTIONS, a background job) begins IMMEDIATE: it
    takes the write lock first, waiting for it up to SQLITE_BUSY_MS. A deferred transaction
    that reads and then writes cannot wait: it fails at once when another writer went first."""
    if engine.dialect.name != "sqlite":
        return
    file_db = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        # lower() (and so ILIKE) folds Vietnamese letters as PostgreSQL does ("Đ" -> "đ");
        # SQLite's own folds ASCII only
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        dbapi_connection.create_function("vn_fold", 1, fold, deterministic=True)
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if file_db:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if will_write() else "BEGIN")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def will_write() -> bool:
    """Whether the transaction about to begin is one that writes (see _sqlite_pragmas)."""
    if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    return has_app_context() and bool(g.get("db_writes"))


def _request_boundary(app: Flask) -> None:
    """One commit per request on success, rollback on any error (operations only flush)."""

    @app.before_request
    def _api_csrf():
        # The API is exempt from form CSRF for token clients; a browser session calling the API
        # with an unsafe method must still send the X-CSRFToken header.
        if (
            request.path.startswith("/api/")
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and current_user.is_authenticated  # loads the user (and sets g.token_auth) first
            and not g.get("token_auth")
        ):
            csrf.protect()

    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            try:
                db.session.commit()
            except IntegrityError:
                # a unique key taken meanwhile
                db.session.rollback()
                from service.common.errors import error_response

                return make_response(
                    error_response(409, "Xung đột dữ liệu: bản ghi đã tồn tại hoặc vừa bị đổi.")
                )
            except OperationalError as err:
                db.session.rollback()
                from service.common.errors import busy_response, is_busy

                if not is_busy(err):
                    raise
                return make_response(busy_response())
        else:
            db.session.rollback()
        return response
