"""The dossiers of the awards (issue 13 item 2): a list's and a nomination's typed attachments
(tờ trình, báo cáo thành tích, biên bản, quyết định, ý kiến, khác), kept by the core's file
store (service.files). Read: whoever may read the list; write: staff and committee acting on
the list's unit (award.attach). Also the nomination's dossier page."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from awards import lists as ops
from awards.models import AwardList, Nomination
from awards.proposals import award_label
from awards.views import bp
from awards.year_views import require_award_read
from service.auth.access import can
from service.extensions import db
from service.files.registry import OwnerKind, register_owner_kind
from service.files.views import dossier_card

DOC_TYPES = {
    "to_trinh": "Tờ trình",
    "bao_cao_thanh_tich": "Báo cáo thành tích",
    "bien_ban": "Biên bản",
    "quyet_dinh": "Quyết định",
    "y_kien": "Ý kiến",
    "khac": "Khác",
}


def _list(list_id: int) -> AwardList | None:
    return db.session.scalar(
        select(AwardList).where(AwardList.id == list_id).options(joinedload(AwardList.unit))
    )


def _nomination(nomination_id: int) -> Nomination | None:
    return db.session.scalar(
        select(Nomination)
        .where(Nomination.id == nomination_id)
        .options(joinedload(Nomination.award_list).joinedload(AwardList.unit))
        .options(joinedload(Nomination.person), joinedload(Nomination.unit))
    )


def _list_title(lst: AwardList) -> str:
    return f"Danh sách khen thưởng năm {lst.year} — {lst.unit.name}"


def _nomination_title(nom: Nomination) -> str:
    who = nom.person.full_name if nom.person else (nom.unit.name if nom.unit else "")
    return f"{who} — {award_label(nom.award) or 'chưa có danh hiệu'}"


DECIDED = (
    "Danh sách đã có quyết định khen thưởng: hồ sơ đã khóa, chỉ còn thêm hoặc gỡ được bản "
    "«Quyết định» (bản ký, đóng dấu)."
)


def _closed(lst: AwardList) -> tuple[str, tuple[str, ...]] | None:
    """A decided list's dossiers are its record: only the decision stays open."""
    return (DECIDED, ("quyet_dinh",)) if lst.state == "decided" else None


def _list_page(lst: AwardList) -> str:
    return url_for("awards.award_list", list_id=lst.id) + "#dossier"


register_owner_kind(
    OwnerKind(
        kind="award_list",
        label="Danh sách khen thưởng",
        doc_types=DOC_TYPES,
        find=_list,
        may_read=lambda user, lst: can(user, "award.read", lst.unit),
        may_write=lambda user, lst: can(user, "award.attach", lst.unit),
        title=_list_title,
        page=_list_page,
        back=lambda lst: (_list_title(lst), url_for("awards.award_list", list_id=lst.id)),
        unit_id=lambda lst: lst.unit_id,
        closed=_closed,
    )
)
register_owner_kind(
    OwnerKind(
        kind="nomination",
        label="Đề nghị khen thưởng",
        doc_types=DOC_TYPES,
        find=_nomination,
        may_read=lambda user, nom: can(user, "award.read", nom.award_list.unit),
        may_write=lambda user, nom: can(user, "award.attach", nom.award_list.unit),
        title=_nomination_title,
        page=lambda nom: url_for("awards.nomination_dossier", nomination_id=nom.id),
        back=lambda nom: (
            _list_title(nom.award_list),
            url_for("awards.award_list", list_id=nom.list_id),
        ),
        unit_id=lambda nom: nom.award_list.unit_id,
        closed=lambda nom: _closed(nom.award_list),
    )
)


@bp.route("/nominations/<int:nomination_id>/dossier")
@login_required
def nomination_dossier(nomination_id):
    """A nomination's dossier: its files (báo cáo thành tích, ...), upload and removal."""
    require_award_read()
    nom = ops.visible_nomination(current_user, nomination_id)
    return render_template("attachments/dossier.html", dossier=dossier_card("nomination", nom.id))
