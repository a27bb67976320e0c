"""The award catalog of a year (RULES.md C and P): every code with its kind, Vietnamese name,
conferring authority, the rule that makes it eligible, its ratio cap and its vote threshold
(C10). A year's rule pack holds a copy that stays editable until the year's first decision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from awards.rules.dates import add_years

PERSON, UNIT, MODEL = "person", "unit", "model"
# the levels a decision is issued at, lowest first (awards.models.DECISION_LEVELS names them)
LEVELS = ("co_so", "huyen", "thanh_pho", "nha_nuoc")


@dataclass(frozen=True)
class AwardType:
    code: str
    kinds: tuple[str, ...]  # who can receive it: person, unit, model
    name: str
    authority: str
    rule: str  # the RULES.md id that makes a subject eligible ("C9" = by nomination only)
    cap_pct: int | None = None  # ratio cap per emulation scope (C2: 15 %), None = no cap
    vote_pct: int = 50  # C10: yes votes needed, in % of all council members
    vote_strict: bool = True  # True: yes > vote_pct %; False: yes >= vote_pct %
    state_level: bool = False  # a public consultation precedes it (issue 13)
    level: str = "co_so"  # the lowest decision level that confers it (its authority's, C11)

    def passes(self, yes: int, members: int) -> bool:
        """C10: the nomination passes with `yes` votes out of all `members` of the council."""
        if members <= 0:
            return False
        if self.vote_strict:
            return yes * 100 > self.vote_pct * members
        return yes * 100 >= self.vote_pct * members

    def yes_needed(self, members: int) -> int | None:
        """C10: the fewest yes votes that pass with `members` council members (None: no
        number does, as with an empty council or a threshold above every member)."""
        if members <= 0:
            return None
        needed = (
            self.vote_pct * members // 100 + 1
            if self.vote_strict
            else -(-self.vote_pct * members // 100)
        )
        return needed if needed <= members else None

    def edited(self, **changes) -> AwardType:
        return replace(self, **changes)


def decision_level_of(awards: list[AwardType]) -> str | None:
    """C11: the level of the decision that confers `awards`: their highest authority's (a
    list holding a city's Bằng khen is decided at the city's level); None for no award."""
    return max((a.level for a in awards), key=LEVELS.index, default=None)


def above_level(awards: list[AwardType], level: str) -> list[AwardType]:
    """C11: the award types a decision at `level` cannot confer, their authority being higher
    (a ward's decision does not confer a Bằng khen of the city's chairman); in the given order,
    each once."""
    rank = LEVELS.index(level)
    seen: dict[str, AwardType] = {}
    for a in awards:
        if LEVELS.index(a.level) > rank:
            seen.setdefault(a.code, a)
    return list(seen.values())


_CITY = "Chủ tịch UBND thành phố"
_BASE = "Thủ trưởng cơ quan, đơn vị"
_CITY_PARTY = "Ban Thường vụ Thành ủy"
_DISTRICT_PARTY = "Ban Thường vụ cấp ủy cấp trên trực tiếp"
_GRASSROOTS_PARTY = "Đảng ủy cơ sở"

_TYPES = [
    AwardType("LDTT", (PERSON,), "Lao động tiên tiến", _BASE, "C1"),
    AwardType("CSTDCS", (PERSON,), "Chiến sĩ thi đua cơ sở", _BASE, "C2", cap_pct=15),
    AwardType(
        "CSTD_TP",
        (PERSON,),
        "Chiến sĩ thi đua thành phố",
        _CITY,
        "C3",
        level="thanh_pho",
        vote_pct=90,
        vote_strict=False,
    ),
    AwardType(
        "BK_TP",
        (PERSON, UNIT),
        "Bằng khen của Chủ tịch UBND thành phố",
        _CITY,
        "C4, C8",
        level="thanh_pho",
    ),
    AwardType(
        "BK_TTG",
        (PERSON,),
        "Bằng khen của Thủ tướng Chính phủ",
        "Thủ tướng Chính phủ",
        "C5",
        state_level=True,
        level="nha_nuoc",
    ),
    AwardType("GK", (PERSON, UNIT, MODEL), "Giấy khen", _BASE, "C9"),
    AwardType("TTLDTT", (UNIT,), "Tập thể lao động tiên tiến", _BASE, "C6"),
    AwardType("TTLDXS", (UNIT,), "Tập thể lao động xuất sắc", _CITY, "C7", level="thanh_pho"),
    AwardType(
        "CO_TP",
        (UNIT,),
        "Cờ thi đua của UBND thành phố",
        _CITY,
        "C8b",
        level="thanh_pho",
        vote_pct=90,
        vote_strict=False,
    ),
    AwardType(
        "GK_DANG",
        (PERSON,),
        "Giấy khen của Đảng ủy cơ sở (đảng viên hoàn thành xuất sắc nhiệm vụ)",
        _GRASSROOTS_PARTY,
        "P1",
    ),
    AwardType(
        "DANG_5NAM",
        (PERSON,),
        "Khen thưởng đảng viên hoàn thành xuất sắc nhiệm vụ 5 năm liền",
        _DISTRICT_PARTY,
        "P2",
        level="huyen",
    ),
    AwardType(
        "GK_TCD", (UNIT,), "Giấy khen tổ chức đảng trong sạch, vững mạnh", _GRASSROOTS_PARTY, "P3"
    ),
    AwardType(
        "TCD_5NAM",
        (UNIT,),
        "Khen thưởng tổ chức đảng hoàn thành xuất sắc nhiệm vụ 5 năm liền",
        _CITY_PARTY,
        "P3",
        level="thanh_pho",
    ),
]
MILESTONES = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
_TYPES += [
    AwardType(
        f"HHD{m}", (PERSON,), f"Huy hiệu {m} năm tuổi Đảng", _CITY_PARTY, "P4", level="thanh_pho"
    )
    for m in MILESTONES
]

DEFAULT_AWARDS: MappingProxyType[str, AwardType] = MappingProxyType({t.code: t for t in _TYPES})


def badge_code(milestone: int) -> str:
    return f"HHD{milestone}"


def manual_party_refusal(
    award: AwardType, is_member: bool, admitted_on: date | None, year: int
) -> str | None:
    """C9 within P: a manual nomination of a person for a party commendation (P1, P2) or a
    Huy hiệu Đảng (P4) needs a party member; a badge of m years also needs m years of party
    age by the year's end (admission + m years by the calendar, before any gap days, which
    only push the reach date later). Why it is refused, or None."""
    if PERSON not in award.kinds or not award.rule.startswith("P"):
        return None
    if not is_member or admitted_on is None:
        return f"{award.name} chỉ xét cho đảng viên (không có ngày vào Đảng)."
    if award.rule == "P4":
        milestone = int(award.code.removeprefix("HHD"))
        reach = add_years(admitted_on, milestone)
        if reach > date(year, 12, 31):
            return (
                f"{award.name}: vào Đảng ngày {admitted_on:%d/%m/%Y}, đủ {milestone} năm tuổi "
                f"Đảng sớm nhất ngày {reach:%d/%m/%Y}, sau năm {year}."
            )
    return None
