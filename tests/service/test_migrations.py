"""Migrations: one head, and upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine

from service import create_app
from service.config import BASE_DIR, TestConfig
from service.extensions import db


def test_migration_head_is_single():
    cfg = Config(str(BASE_DIR / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(BASE_DIR / "migrations"))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, heads


def test_upgrade_matches_models(tmp_path):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'mig.db'}"

    app = create_app(Cfg)
    with app.app_context():
        upgrade()
        engine = create_engine(Cfg.SQLALCHEMY_DATABASE_URI)
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite's reflection cannot read an index on an expression; those are checked
            # by their SQL below instead
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified express")
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            expression_indexes = dict(
                conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%(%(%'"
                ).all()
            )
        engine.dispose()
        db.engine.dispose()
    assert diff == [], diff
    declared = {
        index.name: str(index.expressions[0].compile(dialect=engine.dialect))
        for table in db.metadata.tables.values()
        for index in table.indexes
        if not all(hasattr(e, "name") and e.name in table.c for e in index.expressions)
    }
    assert set(expression_indexes) == set(declared)
    for name, expression in declared.items():
        assert expression.replace("units.", "").replace("people.", "") in expression_indexes[name]


def test_people_sort_name_migration_fills_existing_rows(tmp_path):
    from flask_migrate import downgrade
    from sqlalchemy import text

    from service.common.vietnamese import vi_sort_key

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'fill.db'}"

    app = create_app(Cfg)
    with app.app_context():
        upgrade(revision="c41e8a2f6b90")
        engine = create_engine(Cfg.SQLALCHEMY_DATABASE_URI)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO units (id, code, name, kind, quota_root, path, depth) "
                    "VALUES (1, 'A', 'A', '', 0, '/1/', 0)"
                )
            )
            for i, name in enumerate(["Vũ Văn An", "Đặng Thị An"], 1):
                conn.execute(
                    text(
                        "INSERT INTO people (id, code, full_name, unit_id, position, duty_group,"
                        " is_head, is_party_member, party_gap_days, seriously_ill)"
                        " VALUES (:id, :code, :name, 1, '', '', 0, 0, 0, 0)"
                    ),
                    {"id": i, "code": f"P{i}", "name": name},
                )
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT full_name, sort_name FROM people ORDER BY sort_name"))
            assert [tuple(r) for r in rows] == [
                ("Đặng Thị An", vi_sort_key("Đặng Thị An")),
                ("Vũ Văn An", vi_sort_key("Vũ Văn An")),
            ]
        downgrade(revision="c41e8a2f6b90")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 2
        engine.dispose()
        db.engine.dispose()


def test_search_names_migration_fills_existing_rows(tmp_path):
    from flask_migrate import downgrade
    from sqlalchemy import text

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'search.db'}"

    app = create_app(Cfg)
    with app.app_context():
        upgrade(revision="d3f7a9c1e5b2")
        engine = create_engine(Cfg.SQLALCHEMY_DATABASE_URI)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO units (id, code, name, kind, quota_root, path, depth) "
                    "VALUES (1, 'DD', 'Phường Đống Đa', '', 0, '/1/', 0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO people (id, code, full_name, sort_name, unit_id, position,"
                    " duty_group, is_head, is_party_member, party_gap_days, seriously_ill)"
                    " VALUES (1, 'P1', 'Trịnh Thị Ước', '', 1, '', '', 0, 0, 0, 0)"
                )
            )
        upgrade()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT search_name FROM units")).scalar() == "phuong dong da"
            assert conn.execute(text("SELECT search_name FROM people")).scalar() == "trinh thi uoc"
        downgrade(revision="d3f7a9c1e5b2")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 1
        engine.dispose()
        db.engine.dispose()
