"""What the award rules read and what they give: plain frozen dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from evaluation.rules import DISCIPLINE_FORMS, DISCIPLINE_RANK

# Initiative levels (RULES.md C): a higher level also counts as every lower one.
BASE, CITY, NATIONAL = "co_so", "thanh_pho", "toan_quoc"
INITIATIVE_LEVELS = (BASE, CITY, NATIONAL)
LEVEL_LABELS = {BASE: "cơ sở", CITY: "thành phố", NATIONAL: "toàn quốc"}

# Discipline forms, light to heavy, and their Vietnamese labels: the evaluation's (RULES.md C).
DISCIPLINE_WEIGHT = DISCIPLINE_RANK
DISCIPLINE_LABELS = DISCIPLINE_FORMS
WARNING = DISCIPLINE_WEIGHT["canh_cao"]


@dataclass(frozen=True)
class Initiatives:
    """Counts of sáng kiến and đề tài (or, for a unit, mô hình) recognized in one year, by the
    level that recognized them."""

    base: int = 0
    city: int = 0
    national: int = 0

    def at_least(self, level: str) -> int:
        if level == BASE:
            return self.base + self.city + self.national
        if level == CITY:
            return self.city + self.national
        return self.national

    def __add__(self, other: Initiatives) -> Initiatives:
        return Initiatives(
            self.base + other.base, self.city + other.city, self.national + other.national
        )


NO_INITIATIVES = Initiatives()


@dataclass(frozen=True)
class Discipline:
    form: str  # a DISCIPLINE_WEIGHT key
    year: int | None = None  # the year it was decided
    decided_on: date | None = None
    party: bool = False  # decided by the party (Kỷ luật Đảng): holds a badge (P4)

    @property
    def weight(self) -> int:
        return DISCIPLINE_WEIGHT.get(self.form, 0)

    @property
    def label(self) -> str:
        return DISCIPLINE_LABELS.get(self.form, self.form)

    def decided_in(self, year: int) -> bool:
        if self.year is not None:
            return self.year == year
        return self.decided_on is not None and self.decided_on.year == year


@dataclass(frozen=True)
class PastYear:
    """A past year of a person or unit (history) or the year being proposed."""

    official: str | None = None  # XS | T | HT | KHT | NR | None (no rating)
    party: str | None = None
    awards: frozenset[str] = frozenset()
    initiatives: Initiatives = NO_INITIATIVES


@dataclass(frozen=True)
class PersonFacts:
    code: str
    unit: str  # the person's unit code
    scope: str | None  # emulation scope: the nearest unit at or above marked quota_root
    official: str | None  # this year's final official level
    score: Decimal | None = None  # this year's official score
    party: str | None = None  # this year's final party level
    under_review: bool = False
    disciplines: tuple[Discipline, ...] = ()
    initiatives: Initiatives = NO_INITIATIVES  # this year's, registry and unnamed entries
    history: dict[int, PastYear] = field(default_factory=dict)
    admitted_on: date | None = None  # party admission
    gap_days: int = 0
    seriously_ill: bool = False
    party_unit: str | None = None  # the person's party cell


@dataclass(frozen=True)
class UnitFacts:
    code: str
    parent: str | None
    quota_root: bool = False
    level: str | None = None  # this year's final unit level (B rules); None = not rated
    under_review: bool = False
    models: Initiatives = NO_INITIATIVES  # good models of the unit recognized this year
    history: dict[int, PastYear] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One reason: the rule id and a sentence with the figures."""

    rule: str
    text: str


@dataclass(frozen=True)
class Award:
    code: str
    rule: str
    why: str


@dataclass
class PersonOutcome:
    code: str
    awards: dict[str, Award] = field(default_factory=dict)
    cut: dict[str, Award] = field(default_factory=dict)  # eligible, over a cap
    blocked: Step | None = None  # C0
    waiting: list[str] = field(default_factory=list)  # P4 held by a discipline


@dataclass
class UnitOutcome:
    code: str
    awards: dict[str, Award] = field(default_factory=dict)
    blocked: Step | None = None


@dataclass(frozen=True)
class BadgeDue:
    code: str  # person
    badge: str  # HHDxx
    milestone: int
    party_age: int
    reach_date: date
    occasion: date
    why: str


@dataclass(frozen=True)
class BadgeWaiting:
    code: str
    badge: str
    milestone: int
    reach_date: date
    occasion: date
    until: date  # the discipline holds it until this day (excluded)
    why: str


@dataclass
class YearOutcome:
    year: int
    people: dict[str, PersonOutcome]
    units: dict[str, UnitOutcome]
    badges: dict[date, list[BadgeDue]]
    waiting: dict[date, list[BadgeWaiting]]
