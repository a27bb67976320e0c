"""Yearly evaluation: inputs, rule pack, ratings of people and units (RULES.md A, B, D).

A domain package: init_app(app) registers what the core needs to know of it (permissions,
models, blueprints, CLI commands, the recompute job kind, the import kinds, menu entries and
demo data); the core (service/) never imports it."""

from __future__ import annotations

# Role names (service.auth.models.Role values). Kept as plain strings so that importing the
# pure rules (evaluation.rules) does not load Flask and SQLAlchemy through this package.
PERMISSIONS = {
    "import.evaluations": {"staff"},
    "import.history": {"staff", "hr"},
    "evaluation.enter": {"staff"},
    "evaluation.read": {"staff", "committee", "hr"},
    "evaluation.approve": {"committee"},
    "violation.attach": {"staff"},  # evidence files of violations (evaluation.dossier)
}


def init_app(app) -> None:
    from evaluation import (
        commands,
        demo,
        documents,
        dossier,  # noqa: F401 - registers the owner kind "violation"
        exports,
        exports_inputs,
        import_columns,
        imports,
        jobs,
        models,  # noqa: F401 - the evaluation's tables
        views,
    )
    from evaluation.api import blp as evaluation_api
    from evaluation.schemas import FIELD_LABELS
    from service.auth.access import can, register_permissions
    from service.common.exports import register_export
    from service.common.labels import register_labels
    from service.domains import (
        add_demo,
        add_landing,
        add_menu_entry,
        add_org_listener,
        add_person_links,
    )
    from service.extensions import api, csrf
    from service.imports.registry import register_import

    register_permissions(PERMISSIONS)
    add_org_listener(app, _tree_changed)
    add_person_links(app, _person_links, 10)
    register_labels(FIELD_LABELS)
    csrf.exempt(evaluation_api)
    api.register_blueprint(evaluation_api)
    app.register_blueprint(views.bp)
    commands.init_app(app)
    jobs.init_app(app)
    register_import(
        "person_evals", "Đánh giá cá nhân", import_columns.PERSON_EVAL_COLUMNS,
        "mau_danh_gia_ca_nhan.xlsx", "import.evaluations", imports.import_person_evals,
    )  # fmt: skip
    register_import(
        "unit_evals", "Đánh giá tập thể", import_columns.UNIT_EVAL_COLUMNS,
        "mau_danh_gia_tap_the.xlsx", "import.evaluations", imports.import_unit_evals,
    )  # fmt: skip
    register_import(
        "history", "Lịch sử", import_columns.HISTORY_COLUMNS,
        "mau_lich_su.xlsx", "import.history", imports.import_history,
    )  # fmt: skip
    register_export(
        app, "ratings", "Kết quả xếp loại", "ket_qua_xep_loai", "evaluation.read",
        exports.write_ratings, count=exports.count_ratings, year=exports.load_year,
        pdf=documents.pdf_ratings,
    )  # fmt: skip
    register_export(
        app, "statistics", "Tổng hợp", "tong_hop", "evaluation.read", exports.write_statistics,
        year=exports.load_year,
    )  # fmt: skip
    register_export(
        app, "person_evals", "Đánh giá cá nhân", "danh_gia_ca_nhan", "evaluation.read",
        exports_inputs.write_person_evals, count=exports_inputs.count_person_evals,
        year=exports.load_year,
    )  # fmt: skip
    register_export(
        app, "unit_evals", "Đánh giá tập thể", "danh_gia_tap_the", "evaluation.read",
        exports_inputs.write_unit_evals, count=exports_inputs.count_unit_evals,
        year=exports.load_year,
    )  # fmt: skip
    add_menu_entry(
        app, "Đánh giá, xếp loại", "evaluation.index", lambda u: can(u, "evaluation.read"), 20
    )
    add_menu_entry(
        app, "Xuất bảng tính", "evaluation.exports_latest", lambda u: can(u, "evaluation.read"), 25
    )
    add_menu_entry(app, "Kết quả của tôi", "evaluation.me", lambda u: bool(u.person_id), 30)
    add_menu_entry(
        app,
        "Việc của tôi",
        "evaluation.work",
        lambda u: can(u, "evaluation.enter") or can(u, "evaluation.approve"),
        10,
    )
    add_landing(app, views.landing, 20)
    add_demo(app, demo.load)


WHOLE_YEAR_AFTER = 200  # units changed at once above which the whole year is recomputed


def _tree_changed(unit_ids: set[int]) -> None:
    """People or units moved, added or removed in these units: the scopes of every open year
    they touch are recomputed (a moved person was rated in the old unit's list until then)."""
    from sqlalchemy import select

    from evaluation.models import EvalYear
    from evaluation.operations.recompute import units_changed, year_changed
    from service.extensions import db

    for year_row in db.session.scalars(select(EvalYear).where(EvalYear.locked.is_(False))):
        if len(unit_ids) > WHOLE_YEAR_AFTER:
            year_changed(None, year_row)  # a big import: one whole-year recompute
        else:
            units_changed(year_row, unit_ids)


def _person_links(user, person):
    """A person's ratings: of the newest year with a result (else the newest year), for whoever
    may read the evaluation of the person's unit, and for the person's own account."""
    from flask import url_for

    from evaluation import queries as q
    from service.auth.access import can
    from service.domains import PersonLink

    if user.person_id != person.id and not can(user, "evaluation.read", person.unit):
        return []
    year = q.latest_year_with_result(person) or q.newest_year()
    if year is None:
        return []
    url = url_for("evaluation.person_result", year=year, code=person.code)
    return [PersonLink("ratings", "Kết quả đánh giá, xếp loại", url)]
