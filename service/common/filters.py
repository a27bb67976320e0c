"""Jinja filters: dates as dd/mm/yyyy, level and role labels."""

from __future__ import annotations

import datetime as dt

from service.auth.models import ROLE_LABELS
from service.org.models import CATEGORY_LABELS, GENDER_LABELS, PARTY_STATUS_LABELS


def vn_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def init_app(app):
    app.add_template_filter(vn_date, "vndate")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(CATEGORY_LABELS, "CATEGORY_LABELS")
    app.add_template_global(GENDER_LABELS, "GENDER_LABELS")
    app.add_template_global(PARTY_STATUS_LABELS, "PARTY_STATUS_LABELS")

    from service.auth.access import can, is_admin
    from service.domains import menu_for
    from service.imports.registry import TEMPLATES

    app.add_template_global(can, "can")
    app.add_template_global(is_admin, "is_admin")
    app.add_template_global(menu_for, "menu_for")
    app.add_template_global(
        lambda user: any(can(user, spec["permission"]) for spec in TEMPLATES.values()),
        "may_import",
    )
