"""Emulation titles, state commendations, party commendations and Huy hiệu Đảng (RULES.md C, P).

A domain package like evaluation/: init_app(app) registers what the core needs to know of it
(permissions, models, the API and pages, the import kind "initiatives", menu entries). So far
it holds the pure rules (awards.rules), the registry of initiatives, research projects and good
models, the year's award catalog, the award lists with their nominations, and the council's
secret ballot. Importing the package
loads no Flask and no database library."""

from __future__ import annotations

# Role names (service.auth.models.Role values), plain strings so that importing the pure rules
# (awards.rules) does not load Flask and SQLAlchemy through this package.
PERMISSIONS = {
    "initiative.read": {"staff", "committee", "hr"},
    "initiative.write": {"staff"},  # DOMAIN.md: staff enter initiatives, HR reads and exports
    "import.initiatives": {"staff"},
    "award.read": {"staff", "committee", "hr"},
    "award.propose": {"staff"},
    "award.nominate": {"staff"},
    "award.submit": {"staff"},
    "award.approve": {"committee"},
    "award.attach": {"staff", "committee"},  # the dossiers' files (awards.dossier)
    "council.manage": {"committee"},
    "certificate.layout": {"committee"},
}


def init_app(app) -> None:
    # models: the awards' tables; year_api, year_views: more routes on the same blueprints
    # council_*: the council and its secret ballot (models, API routes and pages)
    from awards import (  # noqa: F401
        certificate_api,
        certificate_models,
        certificate_views,
        consultation,
        consultation_api,
        consultation_views,
        council,
        council_api,
        council_models,
        council_views,
        decision_api,
        decision_views,
        documents_api,
        documents_views,
        dossier,
        imports,
        list_api,
        list_views,
        lists,
        models,
        tt02_exports,
        unnamed,
        views,
        year_api,
        year_views,
    )
    from awards.api import blp as awards_api
    from awards.list_schemas import FIELD_LABELS as LIST_LABELS
    from awards.schemas import FIELD_LABELS
    from evaluation.counts import on_counts_changed
    from service.auth.access import can, register_permissions
    from service.common import warmup
    from service.common.labels import register_labels
    from service.domains import add_demo, add_menu_entry, add_person_links, add_work
    from service.extensions import api, csrf
    from service.imports.registry import register_import

    register_permissions(PERMISSIONS)
    tt02_exports.init_app(app)  # the statistical forms of TT 02/2023 as export kinds
    from awards import documents
    from service.backup import register_files

    register_files("doc_templates", documents.template_dir)  # the replaced Word templates
    from awards import demo

    add_demo(app, demo.load)
    add_person_links(app, _person_links, 20)
    lists.init_jobs()
    lists.APPROVAL_CHECKS[:] = [council.approval_block]  # a ballot not yet published holds it
    lists.SUBMIT_CHECKS[:] = [consultation.submit_block]  # the consultation window (issue 13)
    on_counts_changed(unnamed.sync_counts)  # the registry's unnamed entries follow the counts
    warmup.register(council.warm_up)  # a web worker compiles a vote's reads before its first
    register_labels(FIELD_LABELS)
    register_labels(LIST_LABELS)  # "award: …" on a page read as its label
    from awards.proposals import award_name
    from service.common.labels import register_names

    register_names("award", award_name)  # an award's name on the other domains' pages
    csrf.exempt(awards_api)
    api.register_blueprint(awards_api)
    app.register_blueprint(views.bp)
    add_menu_entry(  # also a person's own titles (an account linked to its person)
        app,
        "Thi đua – Khen thưởng",
        "awards.index",
        lambda u: can(u, "initiative.read") or u.person_id is not None,
        40,
    )
    add_menu_entry(app, "Phiếu bầu của tôi", "awards.my_ballots", council.sits_on_council, 41)
    from awards.work import award_work

    add_work(app, award_work, 40)  # the award lists and ballots on "Việc của tôi"
    register_import(
        "initiatives", "Sáng kiến, mô hình", imports.INITIATIVE_COLUMNS,
        "mau_sang_kien_mo_hinh.xlsx", "import.initiatives", imports.import_initiatives,
    )  # fmt: skip


def _person_links(user, person):
    """A person's titles and commendations, for whoever may read the awards of the person's
    unit, and for the person's own account (as the titles page allows)."""
    from flask import url_for

    from service.auth.access import can
    from service.domains import PersonLink

    if user.person_id != person.id and not can(user, "award.read", person.unit):
        return []
    url = url_for("awards.person_titles", code=person.code)
    return [PersonLink("titles", "Danh hiệu, khen thưởng các năm", url)]
