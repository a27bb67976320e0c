"""The awards' cards on "Việc của tôi" (service.domains.add_work): for staff the year's award
lists to propose, complete and submit; for the committee the lists waiting for the council's
vote, the approval or the decision; for council members their ballots open now."""

from __future__ import annotations

from flask import url_for

from awards import council
from awards.list_queries import lists_in_reach
from awards.lists import EDITABLE
from awards.proposals import top_units
from awards.workflow import STATE_LABELS
from service.auth.access import can
from service.domains import WorkSection


def _list_row(lst, detail: str, action: str) -> dict:
    return {
        "label": f"{lst.unit.name} ({lst.unit.code})",
        "detail": detail,
        "url": url_for("awards.award_list", list_id=lst.id),
        "action": action,
    }


def award_work(user, year: int) -> list[WorkSection]:
    sections = []
    lists = lists_in_reach(user, year) if can(user, "award.read") else []
    if can(user, "award.propose"):
        rows = []
        have = {lst.unit_id for lst in lists}
        for unit in top_units(user, "award.propose"):
            if unit.id not in have:  # nothing proposed yet for the unit one works for
                rows.append({
                    "label": f"{unit.name} ({unit.code})",
                    "detail": "Chưa lập danh sách đề nghị khen thưởng",
                    "url": url_for("awards.year_lists", year=year),
                    "action": "Đề xuất theo quy định",
                })  # fmt: skip
        for lst in lists:
            if lst.state in EDITABLE and can(user, "award.submit", lst.unit):
                detail = STATE_LABELS[lst.state]
                if lst.state == "returned" and lst.return_reason:
                    detail += f": {lst.return_reason}"
                if lst.provisional:
                    detail += " (còn đề nghị tạm tính)"
                rows.append(_list_row(lst, detail, "Xem và gửi duyệt"))
        sections.append(
            WorkSection(
                "award-lists-staff",
                f"Danh sách đề nghị khen thưởng năm {year} cần lập và gửi duyệt",
                rows,
                "Không có danh sách đề nghị khen thưởng nào cần lập hoặc gửi duyệt.",
            )
        )
    if can(user, "award.approve"):
        rows = []
        for lst in lists:
            if not can(user, "award.approve", lst.unit):
                continue
            if lst.state == "submitted":
                block = council.approval_block(lst)
                detail = "Chờ hội đồng bỏ phiếu" if block else "Chờ phê duyệt"
                rows.append(_list_row(lst, detail, "Bỏ phiếu, phê duyệt"))
            elif lst.state == "approved":
                rows.append(_list_row(lst, "Đã phê duyệt, chờ ghi quyết định", "Ghi quyết định"))
        sections.append(
            WorkSection(
                "award-lists-committee",
                f"Danh sách khen thưởng năm {year} chờ hội đồng, phê duyệt và quyết định",
                rows,
                "Không có danh sách khen thưởng nào chờ bỏ phiếu, phê duyệt hoặc ghi quyết định.",
            )
        )
    ballots = council.pending_ballots(user)
    if ballots:
        sections.append(
            WorkSection(
                "award-ballots",
                "Phiếu bầu đang chờ bạn",
                [
                    {
                        "label": f"{s.award_list.unit.name}, năm {s.award_list.year}",
                        "detail": f"Bỏ phiếu đến {s.closes_at:%d/%m/%Y %H:%M}",
                        "url": url_for("awards.ballot", session_id=s.id),
                        "action": "Bỏ phiếu",
                    }
                    for s in ballots
                ],
            )
        )
    return sections
