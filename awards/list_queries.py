"""Reading the award lists: a list's summary, its nominations one page at a time (joined with
their person or unit in SQL, whatever the list's size), and a nomination as the API and pages
show it. The status shown follows the list: a proposal on a submitted list reads "submitted",
on a decided one "decided"."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from awards.catalog_year import catalog_of
from awards.lists import VOTABLE, allowed_actions, counts_for, counts_of
from awards.models import AwardList, Nomination
from awards.proposals import STATUS_LABELS, award_label, award_name, top_units
from awards.rules.dates import dmy_or_none as _dmy
from awards.workflow import STATE_LABELS
from service.auth.access import scope_paths
from service.common.queries import search_clause
from service.common.vietnamese import fold
from service.extensions import db
from service.org.models import Person, Unit

NOMINATION_LABELS = {
    **STATUS_LABELS,
    "manual": "Đề nghị ngoài quy định (C9)",
    "removed": "Đã bỏ khỏi danh sách",
    "submitted": "Đã gửi duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Bị trả lại",
    "decided": "Đã có quyết định",
}
GROUPS = {
    "nominated": ("proposed", "manual"),
    "over_cap": ("over_cap",),
    "blocked": ("blocked",),
    "removed": ("removed",),
}


SHOWN = ("proposed", "manual", "over_cap", "blocked")  # what the proposals read shows


def stored_list(user, year: int, unit: Unit | None) -> AwardList | None:
    """The stored list the proposals read answers from: `unit`'s, else the list of the user's
    one top unit; None when there is none (the proposals are then computed, not stored)."""
    if unit is None:
        tops = top_units(user, "award.read")
        if len(tops) != 1:
            return None
        unit = tops[0]
    found = db.session.scalar(
        select(AwardList).where(AwardList.year == year, AwardList.unit_id == unit.id)
    )
    return found


def shown_status(status: str, list_state: str) -> str:
    """The status a nomination shows: its own in an editable list, or else the list's state
    for what is nominated (over_cap and blocked stay what they are)."""
    if status in VOTABLE and list_state != "draft":
        return list_state
    return status


def list_out(user, lst: AwardList, counts: dict[str, int] | None = None) -> dict:
    """A list as the API and pages show it; `counts` when already read (counts_for)."""
    counts = counts if counts is not None else counts_of(lst)
    return {
        "id": lst.id,
        "year": lst.year,
        "unit": lst.unit.code,
        "unit_name": lst.unit.name,
        "state": lst.state,
        "state_label": STATE_LABELS[lst.state],
        "version": lst.version,
        "provisional": lst.provisional,
        "proposed_at": lst.proposed_at.strftime("%d/%m/%Y %H:%M") if lst.proposed_at else None,
        "return_reason": lst.return_reason or None,
        "decision_no": lst.decision_no or None,
        "decision_date": _dmy(lst.decision_date),
        "decision_signer": lst.decision_signer or None,
        "decision_id": lst.decision_id,
        "counts": {
            s: counts.get(s, 0) for s in ("proposed", "manual", "over_cap", "blocked", "removed")
        },
        "actions": allowed_actions(user, lst),
    }


def lists_out(user, lists: list[AwardList]) -> list[dict]:
    """Many lists as list_out shows them, their counts read in one query."""
    counts = counts_for([lst.id for lst in lists])
    return [list_out(user, lst, counts[lst.id]) for lst in lists]


def lists_in_reach(user, year: int) -> list[AwardList]:
    stmt = select(AwardList).join(Unit, Unit.id == AwardList.unit_id).where(AwardList.year == year)
    paths = scope_paths(user, "award.read")
    if paths is not None:
        if not paths:
            return []
        stmt = stmt.where(db.or_(*(Unit.subtree_clause(p) for p in sorted(set(paths)))))
    return list(db.session.scalars(stmt.order_by(Unit.path)))


def nomination_row(lst: AwardList, nomination_id: int) -> dict:
    """One nomination of `lst` as the API shows it."""
    rows, _total = nominations_page(lst, only=nomination_id)
    return rows[0]


def nominations_page(
    lst: AwardList, statuses=None, page: int = 1, per_page: int = 50, q: str = "", only=None
):
    """(rows, total): one page of the list's nominations, people first (by unit path, then
    code), then units; `statuses` keeps some statuses only, `only` one nomination id."""
    unit_of_person = aliased(Unit)
    person_unit = aliased(Unit)
    stmt = (
        select(
            Nomination,
            Person.code.label("person_code"),
            Person.full_name,
            person_unit.code.label("person_unit_code"),
            person_unit.name.label("person_unit_name"),
            unit_of_person.code.label("unit_code"),
            unit_of_person.name.label("unit_name"),
        )
        .outerjoin(Person, Person.id == Nomination.person_id)
        .outerjoin(person_unit, person_unit.id == Person.unit_id)
        .outerjoin(unit_of_person, unit_of_person.id == Nomination.unit_id)
        .where(Nomination.list_id == lst.id)
    )
    if statuses:
        stmt = stmt.where(Nomination.status.in_(statuses))
    if only is not None:
        stmt = stmt.where(Nomination.id == only)
    if q:
        # codes as typed, names with or without accents, and the awards by their names
        wanted = fold(q.strip())
        named = [c for c, a in catalog_of(lst.year).items() if wanted in fold(a.name)]
        stmt = stmt.where(
            or_(
                search_clause(
                    q.strip(),
                    Person.code,
                    unit_of_person.code,
                    Nomination.award,
                    folded=[Person.search_name, unit_of_person.search_name],
                ),
                Nomination.award.in_(named),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (
        case((Nomination.subject == "person", 0), else_=1),
        func.coalesce(person_unit.path, unit_of_person.path),
        func.coalesce(Person.code, unit_of_person.code),
        Nomination.award,
    )
    rows = db.session.execute(
        stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [_row_out(r, lst.state) for r in rows], total


def _row_out(row, list_state: str) -> dict:
    nom: Nomination = row[0]
    person = nom.subject == "person"
    status = shown_status(nom.status, list_state)
    return {
        "id": nom.id,
        "list_id": nom.list_id,
        "subject": nom.subject,
        "code": row.person_code if person else row.unit_code,
        "name": row.full_name if person else row.unit_name,
        "unit": row.person_unit_code if person else row.unit_code,
        "unit_name": row.person_unit_name if person else row.unit_name,
        "award": nom.award or None,
        "award_name": award_name(nom.award or None),
        "award_label": award_label(nom.award or None),
        "status": status,
        "status_label": NOMINATION_LABELS.get(status, status),
        "stored_status": nom.status,  # proposed, manual, removed…: what a row change acts on
        "source": nom.source,
        "rule": nom.rule,
        "why": nom.why or [],
        "reason": nom.reason or None,
        "removed_reason": nom.removed_reason or None,
        "occasion": _dmy(nom.occasion),
        "provisional": bool(nom.provisional),
        "passed": nom.passed,
    }
