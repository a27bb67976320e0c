"""The proposals of a year, read-only (RULES.md C, P): the facts from the database
(awards.facts), the pure rules (awards.rules.propose_year), then what a unit's subtree gets:
one item per (subject, award) proposed, over the cap (C2) or blocked (C0), and the Huy hiệu
Đảng lists per occasion (P4) with those a party discipline holds. Computed, not stored:
awards.lists stores them as a list's nominations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from awards.catalog_year import catalog_of
from awards.facts import YearFacts, year_facts
from awards.rules import DEFAULT_AWARDS, party_age, propose_year
from awards.rules.dates import dmy
from service.auth.access import scope_paths
from service.extensions import db
from service.org.models import Unit

STATUS_LABELS = {
    "proposed": "Đề nghị",
    "over_cap": "Vượt giới hạn tỷ lệ",
    "blocked": "Không xét (đang bị xem xét)",
}
SUBJECT_LABELS = {"person": "Cá nhân", "unit": "Tập thể"}


def award_name(code: str | None) -> str | None:
    kind = DEFAULT_AWARDS.get(code) if code else None
    return kind.name if kind is not None else code


def award_label(code: str | None) -> str | None:
    """The award's full Vietnamese name with its code: "Chiến sĩ thi đua cơ sở (CSTDCS)"."""
    return f"{award_name(code)} ({code})" if code else None


@dataclass
class Proposals:
    year: int
    unit: Unit | None
    items: list[dict]
    occasions: list[dict]


def top_units(user, permission: str) -> list[Unit]:
    """The top units of `user`'s reach for `permission` (an administrator's: the roots of the
    tree), in path order."""
    paths = scope_paths(user, permission)
    if paths is None:
        stmt = select(Unit).where(Unit.parent_id.is_(None))
    else:
        tops = sorted(p for p in set(paths) if not any(p != q and p.startswith(q) for q in paths))
        stmt = select(Unit).where(Unit.path.in_(tops))
    return list(db.session.scalars(stmt.order_by(Unit.path)))


def _roots(user, unit: Unit | None) -> list[Unit | None]:
    """The subtrees to answer: the chosen unit, else each top unit of the user's reach
    (everything, None, for an administrator)."""
    if unit is not None:
        return [unit]
    if scope_paths(user, "award.read") is None:
        return [None]
    return top_units(user, "award.read")


def _step(rule: str, text: str) -> list[dict]:
    return [{"rule": rule, "text": text}]


def _item(facts: YearFacts, subject, code, award, status, rule, why, occasion=None) -> dict:
    if subject == "person":
        row = facts.person_rows[code]
        name, unit, subject_id = row["name"], row["unit"], row["id"]
    else:
        name, unit, subject_id = facts.unit_rows[code]["name"], code, facts.unit_rows[code]["id"]
    return {
        "subject_id": subject_id,
        "subject": subject,
        "code": code,
        "name": name,
        "unit": unit,
        "unit_name": facts.unit_rows[unit]["name"],
        "award": award,
        "award_name": award_name(award),
        "award_label": award_label(award),
        "status": status,
        "rule": rule,
        "why": _step(rule, why),
        "occasion": dmy(occasion) if occasion else None,
        "provisional": rule != "P4" and (subject, code) in facts.provisional,
    }


def _within(path: str | None, unit_path: str) -> bool:
    return path is None or unit_path.startswith(path)


def proposals_of(year: int, unit: Unit | None) -> tuple[list[dict], list[dict]]:
    """(items, occasions) of `year` for the subtree of `unit` (everything when None)."""
    facts = year_facts(year, unit)
    outcome = propose_year(
        year, facts.people, facts.units, cap_pct=catalog_of(year)["CSTDCS"].cap_pct
    )
    path = unit.path if unit is not None else None
    unit_path = {c: r["path"] for c, r in facts.unit_rows.items()}
    inside = {
        code for code, row in facts.person_rows.items() if _within(path, unit_path[row["unit"]])
    }
    badge_day = {}
    for day, due in outcome.badges.items():
        for b in due:
            badge_day[(b.code, b.badge)] = day
    items = []
    for code in sorted(inside):
        got = outcome.people[code]
        if got.blocked:
            items.append(_item(facts, "person", code, None, "blocked", "C0", got.blocked.text))
        for a in got.awards.values():
            day = badge_day.get((code, a.code))
            items.append(_item(facts, "person", code, a.code, "proposed", a.rule, a.why, day))
        for a in got.cut.values():
            items.append(_item(facts, "person", code, a.code, "over_cap", a.rule, a.why))
    for code in sorted(c for c in outcome.units if _within(path, unit_path[c])):
        got = outcome.units[code]
        if got.blocked:
            items.append(_item(facts, "unit", code, None, "blocked", "C0", got.blocked.text))
        for a in got.awards.values():
            items.append(_item(facts, "unit", code, a.code, "proposed", a.rule, a.why))
    return items, _occasions(facts, outcome, inside)


def _occasions(facts: YearFacts, outcome, inside: set[str]) -> list[dict]:
    admitted = {p.code: p for p in facts.people}
    out = []
    for day in sorted(outcome.badges):
        due = [
            _badge(facts, b.code, b.badge, b.party_age, b.reach_date, "due", b.why)
            for b in sorted(outcome.badges[day], key=lambda b: b.code)
            if b.code in inside
        ]
        waiting = []
        for h in sorted(outcome.waiting.get(day, []), key=lambda h: h.code):
            if h.code not in inside:
                continue
            p = admitted[h.code]
            age = party_age(p.admitted_on, p.gap_days, day)
            row = _badge(facts, h.code, h.badge, age, h.reach_date, "waiting", h.why)
            row["until"] = dmy(h.until)
            waiting.append(row)
        out.append({"date": dmy(day), "due": due, "waiting": waiting})
    return out


def _badge(facts, code, badge, age, reach, status, why) -> dict:
    row = facts.person_rows[code]
    return {
        "code": code,
        "name": row["name"],
        "unit": row["unit"],
        "badge": badge,
        "badge_name": award_name(badge),
        "party_age": age,
        "reach_date": dmy(reach),
        "status": status,
        "until": None,
        "why": _step("P4", why),
    }


def read_proposals(user, year: int, unit: Unit | None) -> Proposals:
    """The proposals `user` may read: of `unit` (already checked to be within their reach), or
    of each top unit of their reach."""
    items: list[dict] = []
    occasions: dict[str, dict] = {}
    for root in _roots(user, unit):
        found, days = proposals_of(year, root)
        items += found
        for o in days:
            merged = occasions.setdefault(o["date"], {"date": o["date"], "due": [], "waiting": []})
            merged["due"] += o["due"]
            merged["waiting"] += o["waiting"]
    return Proposals(year, unit, items, list(occasions.values()))
