"""Message templates by key: the 8-byte blake2b of each template (rating_templates stores them),
those this process met and those read back from the database."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from evaluation.models import RatingTemplate
from evaluation.rules import TEMPLATES
from service.extensions import db

_blake2b = hashlib.blake2b
_TEMPLATE_KEYS: dict[str, str] = {}  # template -> key
_TEMPLATES: dict[str, str] = {}  # key -> template: this process's, and those read back


def _template_key(template: str) -> str:
    found = _TEMPLATE_KEYS.get(template)
    if found is None:
        found = _TEMPLATE_KEYS[template] = _blake2b(template.encode(), digest_size=8).hexdigest()
        _TEMPLATES[found] = template
    return found


for _template in TEMPLATES:
    _template_key(_template)


def _stored_template(key: str) -> str | None:
    found = _TEMPLATES.get(key)
    if found is None:
        found = db.session.scalar(select(RatingTemplate.template).where(RatingTemplate.id == key))
        if found is not None:
            _TEMPLATES[key] = found  # a key's template never changes
    return found
