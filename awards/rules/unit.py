"""Titles and commendations of a unit (RULES.md C6, C7, C8, C8b, P3) and the membership they
count. "Member of unit U" = a person whose unit is U or below U with an official rating other
than NR."""

from __future__ import annotations

from dataclasses import dataclass, field

from awards.rules import words as w
from awards.rules.facts import CITY, WARNING, Award, PastYear, PersonFacts, Step, UnitFacts

EMPTY_YEAR = PastYear()


@dataclass
class Members:
    """What C6 and C7 count among a unit's members."""

    total: int = 0
    ldtt: int = 0
    below_ht: int = 0  # members rated KHT
    warned: list[str] = field(default_factory=list)  # disciplined cảnh cáo or heavier this year
    cstdcs: list[str] = field(default_factory=list)  # after the C2 cap


def ancestors(code: str, units: dict[str, UnitFacts]):
    """The unit itself, then each unit above it."""
    seen = set()
    while code is not None and code in units and code not in seen:
        seen.add(code)
        yield code
        code = units[code].parent


def count_members(
    people: list[PersonFacts],
    units: dict[str, UnitFacts],
    year: int,
    ldtt: set[str],
    cstdcs: set[str],
    into: dict[str, Members] | None = None,
) -> dict[str, Members]:
    """Each unit's members among `people` (added to `into` when given): counted per person's
    own unit first, then added to that unit and every unit above it."""
    members: dict[str, Members] = into if into is not None else {}
    own: dict[str, Members] = {}
    for p in people:
        official = p.official
        if official is None or official == "NR":
            continue
        m = own.get(p.unit)
        if m is None:
            m = own[p.unit] = Members()
        m.total += 1
        if p.code in ldtt:
            m.ldtt += 1
        if official == "KHT":
            m.below_ht += 1
        if p.disciplines and any(d.decided_in(year) and d.weight >= WARNING for d in p.disciplines):
            m.warned.append(p.code)
        if p.code in cstdcs:
            m.cstdcs.append(p.code)
    for unit, m in own.items():
        for code in ancestors(unit, units):
            t = members.get(code)
            if t is None:
                t = members[code] = Members()
            t.total += m.total
            t.ldtt += m.ldtt
            t.below_ht += m.below_ht
            t.warned += m.warned
            t.cstdcs += m.cstdcs
    return members


def official_tree(
    people: list[PersonFacts], units: dict[str, UnitFacts], into: set[str] | None = None
) -> set[str]:
    """Units that are some person's unit, or above one (C6–C8b consider only these)."""
    tree: set[str] = into if into is not None else set()
    for unit in {p.unit for p in people}:
        for code in ancestors(unit, units):
            if code in tree:
                break
            tree.add(code)
    return tree


def c0_blocked(u: UnitFacts, year: int) -> Step | None:
    if u.under_review:
        return Step(
            "C0", f"C0: đơn vị đang bị xem xét năm {year}: không đề nghị danh hiệu, khen thưởng"
        )
    return None


def _no_warning(m: Members) -> str:
    return "không thành viên nào bị kỷ luật từ cảnh cáo trở lên"


def c6_ttldtt(u: UnitFacts, m: Members, year: int) -> Award | None:
    if u.level not in ("XS", "T") or m.warned or m.ldtt * 2 <= m.total:
        return None
    return Award(
        "TTLDTT",
        "C6",
        f"C6: đơn vị xếp loại {w.level(u.level)} năm {year}; {m.ldtt}/{m.total} thành viên "
        f"đạt LĐTT ({w.pct(m.ldtt, m.total)}, cần trên 50%); {_no_warning(m)}",
    )


def c7_ttldxs(u: UnitFacts, m: Members, year: int) -> Award | None:
    if u.level != "XS" or m.warned or m.below_ht or not m.total:
        return None
    if m.ldtt * 10 < 7 * m.total or not m.cstdcs:
        return None
    return Award(
        "TTLDXS",
        "C7",
        f"C7: đơn vị xếp loại {w.level('XS')} năm {year}; cả {m.total} thành viên hoàn thành "
        f"nhiệm vụ trở lên; {m.ldtt}/{m.total} LĐTT ({w.pct(m.ldtt, m.total)}, cần từ 70%); "
        f"CSTĐCS: {', '.join(sorted(m.cstdcs))}; {_no_warning(m)}",
    )


def c8_bk_tp(u: UnitFacts, year: int) -> Award | None:
    before = u.history.get(year - 1, EMPTY_YEAR).official
    if u.level == "XS" and before == "XS":
        return Award(
            "BK_TP",
            "C8",
            f"C8: đơn vị Hoàn thành xuất sắc nhiệm vụ hai năm liền {year - 1}, {year}",
        )
    return None


def c8b_co_tp(u: UnitFacts, year: int, ttldxs: bool) -> Award | None:
    models = u.models.at_least(CITY)
    if ttldxs and models:
        return Award(
            "CO_TP",
            "C8b",
            f"C8b: Tập thể lao động xuất sắc năm {year}; {models} mô hình, cách làm hay của "
            f"đơn vị được công nhận từ cấp thành phố năm {year}",
        )
    return None


def party_units(
    people: list[PersonFacts], units: dict[str, UnitFacts], into: set[str] | None = None
) -> set[str]:
    """P3 considers the party cells named by members and, for each, the nearest unit at or
    above it marked quota_root (its grassroots organization)."""
    found: set[str] = into if into is not None else set()
    for cell in {p.party_unit for p in people}:
        if not cell or cell not in units:
            continue
        found.add(cell)
        for code in ancestors(cell, units):
            if units[code].quota_root:
                found.add(code)
                break
    return found


def p3_party_unit(u: UnitFacts, year: int) -> list[Award]:
    if u.level != "XS":
        return []
    out = [Award("GK_TCD", "P3", f"P3: tổ chức đảng xếp loại {w.level('XS')} năm {year}")]
    if all(u.history.get(y, EMPTY_YEAR).official == "XS" for y in range(year - 4, year)):
        out.append(
            Award(
                "TCD_5NAM",
                "P3",
                f"P3: tổ chức đảng Hoàn thành xuất sắc nhiệm vụ 5 năm liền {year - 4}–{year}",
            )
        )
    return out
