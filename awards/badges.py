"""Huy hiệu Đảng per occasion (issue 12 item 6, RULES.md P4): the members of a unit's subtree
due a badge on one of the year's four occasions (3/2, 19/5, 2/9, 7/11), with their party age
and reach date, and those a party discipline holds with the day it ends. Read-only: the lists
are the proposals' (awards.proposals), so a badge listed on an earlier occasion of the year
counts as awarded on the later ones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from awards.models import AwardList, Decision, Nomination
from awards.nominees import VOTABLE
from awards.proposals import read_proposals
from awards.rules import occasions
from awards.rules.dates import dmy
from service.common.errors import ValidationError
from service.common.queries import in_ids
from service.extensions import db
from service.org.models import Person

OCCASION_NAMES = {
    (2, 3): "Ngày thành lập Đảng 3/2",
    (5, 19): "Ngày sinh Chủ tịch Hồ Chí Minh 19/5",
    (9, 2): "Quốc khánh 2/9",
    (11, 7): "Cách mạng Tháng Mười 7/11",
}
NOT_AN_OCCASION = (
    "Ngày xét Huy hiệu Đảng phải là một trong các dịp 03/02, 19/05, 02/09 hoặc 07/11 của một năm."
)


def check_occasion(day: date) -> date:
    """`day` when it is one of its year's four occasions, else a 400 in Vietnamese."""
    if day not in occasions(day.year):
        raise ValidationError(NOT_AN_OCCASION, {"occasion": [NOT_AN_OCCASION]})
    return day


def occasion_choices(year: int) -> list[tuple[str, str]]:
    """(yyyy-mm-dd, "dd/mm/yyyy — name") of the year's occasions, in order."""
    return [
        (d.isoformat(), f"{dmy(d)} — {OCCASION_NAMES[(d.month, d.day)]}") for d in occasions(year)
    ]


def party_badges(user, day: date, unit) -> dict:
    """The badge lists of occasion `day` for `unit`'s subtree (checked within the user's reach;
    None: each top unit of it): {"date", "due", "waiting"} as the proposals give them, each
    due row with the decision that conferred it this year (`decided`, None if none yet)."""
    check_occasion(day)
    wanted = dmy(day)
    for o in read_proposals(user, day.year, unit).occasions:
        if o["date"] == wanted:
            return _with_decisions(day.year, [o])[0]
    return {"date": wanted, "due": [], "waiting": []}


def year_badges(user, year: int, unit) -> list[dict]:
    """The badge lists of every occasion of `year` for `unit`'s subtree (one reading of the
    proposals, like party_badges), in the occasions' order."""
    return _with_decisions(year, list(read_proposals(user, year, unit).occasions))


def _with_decisions(year: int, found: list[dict]) -> list[dict]:
    """The occasions' due rows each with `decided`: «Số … ngày …» of the decision that
    conferred that badge on that member this year (the history a decision writes is read from
    the next year on, so the year's own list would go on saying «Đến hạn»), else None."""
    codes = {b["code"] for o in found for b in o["due"]}
    decided = {}
    if codes:
        stmt = (
            select(Person.code, Nomination.award, Decision.number, Decision.decided_on)
            .join(Nomination, Nomination.person_id == Person.id)
            .join(AwardList, AwardList.id == Nomination.list_id)
            .join(Decision, Decision.id == AwardList.decision_id)
            .where(
                Nomination.year == year,
                Nomination.award.like("HHD%"),
                Nomination.status.in_(VOTABLE),
                Nomination.passed.is_not(False),
                in_ids(Person.code, sorted(codes)),
            )
        )
        for code, badge, number, on in db.session.execute(stmt):
            decided[(code, badge)] = f"Số {number} ngày {dmy(on)}"
    for o in found:
        for b in o["due"]:
            b["decided"] = decided.get((b["code"], b["badge"]))
        for b in o["waiting"]:
            b["decided"] = None
    return found


def default_occasion(days: list[date], due: dict[date, int], today: date) -> date:
    """The occasion a page opens on: the year's next one from `today`; once the year's are
    past, the first with members due (a badge listed once is not listed again later in the
    year, so the last occasion is often empty), else the last."""
    upcoming = [d for d in days if d >= today]
    if upcoming:
        return upcoming[0]
    return next((d for d in days if due.get(d)), days[-1])


__all__ = [
    "NOT_AN_OCCASION",
    "check_occasion",
    "default_occasion",
    "occasion_choices",
    "party_badges",
    "year_badges",
]
