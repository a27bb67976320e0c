"""Jinja filters: dates as dd/mm/yyyy, decimals with a comma (92,50), level and role labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from service.auth.models import ROLE_LABELS
from service.org.models import CATEGORY_LABELS, GENDER_LABELS, PARTY_STATUS_LABELS


def vn_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def vn_decimal(value, places: int | None = None, trim: bool = False) -> str:
    """A number as the interface writes it: a decimal comma, no thousands separator (92,50).
    Keeps the value's own places unless `places` is given (`trim`: without trailing zeros,
    92,5 and 85, as the entry grid shows a saved number); "" for None; text that is not a
    number is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    if trim and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    elif trim:
        number = number.normalize()
    return f"{number:f}".replace(".", ",")


def init_app(app):
    from service.common.labels import code_name

    app.add_template_filter(vn_date, "vndate")
    app.add_template_filter(code_name, "code_name")
    app.add_template_filter(vn_decimal, "vn_decimal")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(CATEGORY_LABELS, "CATEGORY_LABELS")
    app.add_template_global(GENDER_LABELS, "GENDER_LABELS")
    app.add_template_global(PARTY_STATUS_LABELS, "PARTY_STATUS_LABELS")

    from service.auth.access import can, is_admin
    from service.domains import menu_for, person_links_for
    from service.imports.registry import TEMPLATES

    app.add_template_global(can, "can")
    app.add_template_global(is_admin, "is_admin")
    app.add_template_global(menu_for, "menu_for")
    app.add_template_global(person_links_for, "person_links")
    app.add_template_global(
        lambda user: any(can(user, spec["permission"]) for spec in TEMPLATES.values()),
        "may_import",
    )
