"""More of the awards API (routes added to awards.api.blp, so one tag in the OpenAPI
document): the Huy hiệu Đảng lists per occasion, the award catalog of a year."""

from __future__ import annotations

from flask_login import current_user

from awards.api import blp
from awards.badges import party_badges
from awards.catalog_year import (
    can_edit_catalog,
    catalog_items,
    update_catalog_entry,
    year_has_decision,
)
from awards.year_schemas import (
    CatalogEntrySchema,
    CatalogPatchSchema,
    CatalogSchema,
    PartyBadgeArgs,
    PartyBadgesSchema,
)
from service.auth.access import can
from service.common.errors import Forbidden
from service.org.operations import visible_unit

catalog_out = CatalogSchema()
catalog_entry_out = CatalogEntrySchema()


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


@blp.route("/years/<int:year>/award-catalog")
@blp.answers(200, CatalogSchema)
@blp.errors(403, 404)
def get_award_catalog(year):
    """Danh mục danh hiệu, khen thưởng của năm (RULES.md C, P): đối tượng, tên, cấp quyết
    định, quy tắc, giới hạn tỷ lệ, ngưỡng biểu quyết (C10); mã chưa sửa là mặc định."""
    if not can(current_user, "award.read"):
        raise Forbidden()
    return catalog_out.dump(
        {
            "year": year,
            "locked": year_has_decision(year),
            "editable": can_edit_catalog(current_user, year),
            "items": catalog_items(year),
        }
    )


@blp.route("/years/<int:year>/award-catalog/<code>", methods=["PATCH"])
@blp.arguments(CatalogPatchSchema)
@blp.answers(200, CatalogEntrySchema)
@blp.errors(403, 404, 409)
def update_award_catalog(data, year, code):
    """Sửa tên, cấp quyết định, giới hạn tỷ lệ, ngưỡng biểu quyết của một mã (quản trị viên;
    gửi kèm `version` đã đọc: đã bị sửa ở nơi khác thì 409; năm đã có quyết định: 409)."""
    return catalog_entry_out.dump(update_catalog_entry(current_user, year, code, data))
