"""propose_year: every title and commendation of a year for people and units, after the caps,
with the over-cap and the blocked, and the Huy hiệu Đảng lists of the year's occasions.

Deterministic: the result does not depend on the order of the inputs. It is also the sum of
its parts: propose_people rates any set of whole emulation scopes (C2 ranks within a scope) and
adds what the unit rules count to a UnitTally; propose_units then rates the units from the
tally. Rating the scopes part by part (awards.proposals, to hold one part in memory at a time)
gives the same outcome as rating them all at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from awards.rules import person as pr
from awards.rules import unit as ur
from awards.rules.badges import badges_of, occasions
from awards.rules.facts import (
    BadgeDue,
    BadgeWaiting,
    PersonFacts,
    PersonOutcome,
    UnitFacts,
    UnitOutcome,
    YearOutcome,
)


@dataclass
class UnitTally:
    """What the unit rules count over the people (C6–C8b, P3), added to part by part."""

    members: dict[str, ur.Members] = field(default_factory=dict)
    tree: set[str] = field(default_factory=set)  # the official tree
    party: set[str] = field(default_factory=set)  # party cells and their organizations

    def add(self, other: UnitTally) -> None:
        """Add another part's tally (counted apart, e.g. in a worker process)."""
        for code, m in other.members.items():
            t = self.members.get(code)
            if t is None:
                self.members[code] = m
                continue
            t.total += m.total
            t.ldtt += m.ldtt
            t.below_ht += m.below_ht
            t.warned += m.warned
            t.cstdcs += m.cstdcs
        self.tree |= other.tree
        self.party |= other.party


@dataclass
class PeopleOutcome:
    """The outcome of some whole emulation scopes' people."""

    people: dict[str, PersonOutcome]
    badges: dict[date, list[BadgeDue]]
    waiting: dict[date, list[BadgeWaiting]]


def propose_people(
    year: int,
    people: list[PersonFacts],
    units: dict[str, UnitFacts],
    tally: UnitTally,
    days: list[date],
    cap_pct: int | None = 15,
) -> PeopleOutcome:
    """The people's titles and commendations (C0–C5, P1, P2, P4); `people` holds every person
    of each emulation scope it touches. What the unit rules count is added to `tally`."""
    people = sorted(people, key=lambda p: p.code)
    out = {p.code: PersonOutcome(p.code) for p in people}

    # C0, C1 and the C2 candidates per emulation scope
    ldtt: set[str] = set()
    candidates: dict[str, list[PersonFacts]] = defaultdict(list)
    n_ldtt: dict[str, int] = defaultdict(int)
    for p in people:
        blocked = pr.c0_blocked(p, year)
        if blocked:
            out[p.code].blocked = blocked
            continue
        award = pr.c1_ldtt(p, year)
        if award:
            ldtt.add(p.code)
            out[p.code].awards[award.code] = award
            n_ldtt[p.scope] += 1
            if pr.c2_candidate(p, True):
                candidates[p.scope].append(p)

    # C2 cap per scope
    cstdcs: set[str] = set()
    for scope in sorted(candidates, key=str):
        kept, cut = pr.c2_apply_cap(candidates[scope], n_ldtt[scope], scope, year, cap_pct)
        for code, award in kept.items():
            out[code].awards[award.code] = award
            cstdcs.add(code)
        for code, award in cut.items():
            out[code].cut[award.code] = award

    # C3–C5, P1, P2
    for p in people:
        got = out[p.code]
        if got.blocked:
            continue
        now = p.code in cstdcs
        for award in (
            pr.c3_cstd_tp(p, year, now),
            pr.c4_bk_tp(p, year, now),
            pr.c5_bk_ttg(p, year, now),
            pr.p1_gk_dang(p, year),
            pr.p2_dang_5nam(p, year),
        ):
            if award:
                got.awards[award.code] = award

    # what the units' rules count
    ur.count_members(people, units, year, ldtt, cstdcs, into=tally.members)
    ur.official_tree(people, units, into=tally.tree)
    ur.party_units(people, units, into=tally.party)

    # P4 on the year's occasions
    badges: dict[date, list[BadgeDue]] = {d: [] for d in days}
    waiting: dict[date, list[BadgeWaiting]] = {d: [] for d in days}
    for p in people:
        if p.admitted_on is None:
            continue
        due, held = badges_of(p, days)
        for b in due:
            badges[b.occasion].append(b)
            out[p.code].awards[b.badge] = pr.Award(b.badge, "P4", b.why)
        for h in held:
            waiting[h.occasion].append(h)
            out[p.code].waiting.append(h.why)
    return PeopleOutcome(out, badges, waiting)


def propose_units(year: int, units: dict[str, UnitFacts], tally: UnitTally) -> dict:
    """The units' titles and commendations (C0, C6–C8b over the official tree, P3 over the
    party units) from the tally of every person."""
    members, tree, party = tally.members, tally.tree, tally.party
    units_out: dict[str, UnitOutcome] = {}
    for code in sorted(units):
        u = units[code]
        if u.level is None:
            continue
        result = units_out[code] = UnitOutcome(code)
        blocked = ur.c0_blocked(u, year)
        if blocked:
            result.blocked = blocked
            continue
        found = []
        if code in tree:
            m = members.get(code, ur.Members())
            xs = ur.c7_ttldxs(u, m, year)
            found += [ur.c6_ttldtt(u, m, year), xs, ur.c8_bk_tp(u, year)]
            found.append(ur.c8b_co_tp(u, year, xs is not None))
        if code in party:
            found += ur.p3_party_unit(u, year)
        for award in found:
            if award:
                result.awards[award.code] = award
    return units_out


def propose_year(
    year: int,
    people: list[PersonFacts],
    units: list[UnitFacts],
    occasion_days: list[date] | None = None,
    cap_pct: int | None = 15,
) -> YearOutcome:
    by_code = {u.code: u for u in units}
    days = sorted(occasion_days or occasions(year))
    tally = UnitTally()
    found = propose_people(year, people, by_code, tally, days, cap_pct)
    return YearOutcome(
        year, found.people, propose_units(year, by_code, tally), found.badges, found.waiting
    )
