"""A generic file store for dossiers: attachments of any owner a domain registers (an owner
kind with its finder, read and write checks and pages: service.files.registry), stored under
ATTACHMENTS_DIR, served only to the owner's readers. The core never imports a domain."""

from __future__ import annotations


def init_app(app) -> None:
    from service.backup import register_files
    from service.extensions import api, csrf
    from service.files import models, store, views  # noqa: F401 - models: the attachments table
    from service.files.api import blp

    store.install()
    register_files("attachments", store.root)  # every backup carries the files (service.backup)
    csrf.exempt(blp)
    api.register_blueprint(blp)
    app.register_blueprint(views.bp)
    app.add_template_global(views.dossier_card, "dossier_card")
    app.add_template_global(views.dossier_readable, "dossier_readable")
