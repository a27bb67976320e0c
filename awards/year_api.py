"""More of the awards API (routes added to awards.api.blp, so one tag in the OpenAPI
document): the Huy hiệu Đảng lists per occasion."""

from __future__ import annotations

from flask_login import current_user

from awards.api import blp
from awards.badges import party_badges
from awards.year_schemas import PartyBadgeArgs, PartyBadgesSchema
from service.auth.access import can
from service.common.errors import Forbidden
from service.org.operations import visible_unit


def _unit_or_reach(code):
    """The unit `code` within the user's award.read reach (else 404), or None for all of it."""
    unit = visible_unit(current_user, code, "award.read") if code else None
    if unit is None and not can(current_user, "award.read"):
        raise Forbidden()
    return unit


@blp.route("/party-badges")
@blp.arguments(PartyBadgeArgs, location="query")
@blp.answers(200, PartyBadgesSchema)
@blp.errors(400, 403, 404)
def list_party_badges(args):
    """Huy hiệu Đảng (RULES.md P4) của một dịp (3/2, 19/5, 2/9, 7/11) cho cây đơn vị `unit`
    (mặc định: các đơn vị trong phạm vi): người đến hạn với tuổi Đảng và ngày đạt mốc, rồi
    người chưa xét do kỷ luật Đảng với ngày kỷ luật hết tác dụng (`until`, không kể ngày đó)."""
    unit = _unit_or_reach(args["unit"])
    found = party_badges(current_user, args["occasion"], unit)
    items = found["due"] + found["waiting"]
    return {
        "occasion": found["date"],
        "unit": unit.code if unit is not None else None,
        "items": items,
        "total": len(items),
        "due": len(found["due"]),
        "waiting": len(found["waiting"]),
    }
