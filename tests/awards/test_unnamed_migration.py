"""The migration of the unnamed entries writes those of the data already stored: the person
inputs' counts, the history's of years not evaluated (a person's: sáng kiến with the person
as author, a unit's: mô hình of the unit), never the history of an evaluated year."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from service import create_app
from service.config import TestConfig
from service.extensions import db

BEFORE = "e3f1a6c2d8b5"


def test_upgrade_writes_the_stored_counts_and_downgrade_removes_them(tmp_path):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'unnamed.db'}"

    app = create_app(Cfg)
    with app.app_context():
        upgrade(revision=BEFORE)
        engine = create_engine(Cfg.SQLALCHEMY_DATABASE_URI)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO units (id, code, name, kind, quota_root, path, depth) "
                    "VALUES (1, 'A', 'A', '', 0, '/1/', 0)"
                )
            )
            for i in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO people (id, code, full_name, sort_name, unit_id, position,"
                        " duty_group, is_head, is_party_member, party_gap_days, seriously_ill)"
                        " VALUES (:id, :code, 'X', 'x', 1, '', '', 0, 0, 0, 0)"
                    ),
                    {"id": i, "code": f"P{i}"},
                )
            conn.execute(
                text("INSERT INTO eval_years (id, year, pack, pack_source, locked) "
                     "VALUES (1, 2025, '{}', '', 0)")
            )  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO person_evals (year_id, person_id, tasks_total, tasks_late,"
                    " tasks_exceeded, months_worked, maternity, party_discipline,"
                    " counted_before, self_remedied, under_review, initiatives_base,"
                    " initiatives_city, version) VALUES (1, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 2, 1, 1)"
                )
            )
            for year, person, unit, base, city in (
                (2024, 1, None, 1, 0),
                (2024, None, 1, 0, 3),
                (2025, 1, None, 2, 1),  # record_awards' copy of the inputs: not twice
                (2023, 2, None, 0, 0),
            ):
                conn.execute(
                    text(
                        "INSERT INTO history (year, person_id, unit_id, awards, initiatives_base,"
                        " initiatives_city) VALUES (:y, :p, :u, '[]', :b, :c)"
                    ),
                    {"y": year, "p": person, "u": unit, "b": base, "c": city},
                )
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT i.year, i.kind, i.title, i.level, i.unit_id, i.quantity, i.source,"
                    " a.person_id FROM initiatives i LEFT JOIN initiative_authors a"
                    " ON a.initiative_id = i.id ORDER BY i.year, i.source, i.level, i.unit_id"
                )
            )
            assert [tuple(r) for r in rows] == [
                (2024, "sang_kien", "", "co_so", None, 1, "history", 1),
                (2024, "mo_hinh", "", "thanh_pho", 1, 3, "history", None),
                (2025, "sang_kien", "", "co_so", None, 2, "person_eval", 1),
                (2025, "sang_kien", "", "thanh_pho", None, 1, "person_eval", 1),
            ]
        downgrade(revision=BEFORE)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM initiatives")).scalar() == 0
        engine.dispose()
        db.engine.dispose()
