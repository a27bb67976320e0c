"""Huy hiệu Đảng (RULES.md P4): milestones of party age, reach dates and the occasions."""

from __future__ import annotations

from datetime import date, timedelta

from awards.rules.catalog import MILESTONES, badge_code
from awards.rules.dates import add_months, add_years, dmy
from awards.rules.facts import BadgeDue, BadgeWaiting, PersonFacts

OCCASIONS = ((2, 3), (5, 19), (9, 2), (11, 7))  # 3/2, 19/5, 2/9, 7/11
HOLD_MONTHS = {"khien_trach": 6, "canh_cao": 9, "cach_chuc": 12, "giang_chuc": 12}


def occasions(year: int) -> list[date]:
    return [date(year, month, day) for month, day in OCCASIONS]


def reach_date(admitted: date, milestone: int, gap_days: int = 0, ill: bool = False) -> date:
    """admitted + m years (by the calendar) + gap days, minus 12 months (m ≤ 65) or 24 months
    (m ≥ 70) for a seriously ill member, in that order."""
    day = add_years(admitted, milestone) + timedelta(days=gap_days)
    if ill:
        day = add_months(day, -_ill_months(milestone))
    return day


def _ill_months(milestone: int) -> int:
    """How much earlier a seriously ill member reaches `milestone` (P4): 12 or 24 months."""
    return 12 if milestone <= 65 else 24


def party_age(admitted: date, gap_days: int, on: date) -> int:
    """Full years of party membership on `on`, time out of the party not counted."""
    start = admitted + timedelta(days=gap_days)
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return max(years, 0)


def awarded_milestones(p: PersonFacts) -> set[int]:
    found = set()
    for past in p.history.values():
        for code in past.awards:
            if code.startswith("HHD") and code[3:].isdigit():
                found.add(int(code[3:]))
    return found


def highest_reached(p: PersonFacts, on: date) -> tuple[int, date] | None:
    """The highest milestone whose reach date is on or before `on`. Reach dates grow with the
    milestone (5 years apart, 4 where the illness allowance goes from 12 to 24 months), so the
    first milestone not yet reached ends the search: most members stop at the first one."""
    found = _reached_by(p, on)
    return found[-1] if found else None


def _reached_by(p: PersonFacts, last: date) -> list[tuple[int, date]]:
    """(milestone, reach date) of every milestone reached on or before `last`, in order (the
    same order stop as highest_reached's)."""
    out = []
    for m in MILESTONES:
        reach = reach_date(p.admitted_on, m, p.gap_days, p.seriously_ill)
        if reach > last:
            break
        out.append((m, reach))
    return out


def holding_discipline(p: PersonFacts, on: date):
    """A party discipline decided less than 6, 9 or 12 months before `on` (its decision day
    included, the same day 6, 9 or 12 months later excluded): (discipline, end) or None."""
    for d in p.disciplines:
        months = HOLD_MONTHS.get(d.form, 12 if d.weight >= 3 else None)
        if not d.party or d.decided_on is None or months is None:
            continue
        end = add_months(d.decided_on, months)
        if d.decided_on <= on < end:
            return d, end
    return None


def badges_of(p: PersonFacts, days: list[date]) -> tuple[list[BadgeDue], list[BadgeWaiting]]:
    """The badges of one member on the occasions `days` (in order): a badge listed on an
    occasion counts as awarded on the later ones; only the highest reached milestone, and only
    when no higher or equal one was awarded."""
    if p.admitted_on is None or not days:
        return [], []
    last = max(days)
    if reach_date(p.admitted_on, MILESTONES[0], p.gap_days, p.seriously_ill) > last:
        return [], []  # the first milestone is not reached by the last occasion: none is
    awarded = awarded_milestones(p)
    due: list[BadgeDue] = []
    waiting: list[BadgeWaiting] = []
    reaches = _reached_by(p, last)  # once, not per occasion
    for on in sorted(days):
        reached = next(((m, r) for m, r in reversed(reaches) if r <= on), None)
        if reached is None:
            continue
        milestone, reach = reached
        if awarded and milestone <= max(awarded):
            continue
        code = badge_code(milestone)
        base = (
            f"P4: {milestone} năm tuổi Đảng, đạt ngày {dmy(reach)} (vào Đảng {dmy(p.admitted_on)}"
            + (f", gián đoạn {p.gap_days} ngày" if p.gap_days else "")
            + (f", ốm nặng: sớm {_ill_months(milestone)} tháng" if p.seriously_ill else "")
            + ")"
        )
        held = holding_discipline(p, on)
        if held:
            d, end = held
            months = HOLD_MONTHS.get(d.form, 12)
            waiting.append(
                BadgeWaiting(
                    p.code,
                    code,
                    milestone,
                    reach,
                    on,
                    end,
                    f"{base}; chưa xét dịp {dmy(on)}: kỷ luật Đảng {d.label} ngày "
                    f"{dmy(d.decided_on)}, chưa đủ {months} tháng (đến {dmy(end)})",
                )
            )
            continue
        awarded.add(milestone)
        due.append(
            BadgeDue(
                p.code,
                code,
                milestone,
                party_age(p.admitted_on, p.gap_days, on),
                reach,
                on,
                f"{base}; dịp {dmy(on)}",
            )
        )
    return due, waiting
