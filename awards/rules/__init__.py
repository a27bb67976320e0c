"""The award rules (RULES.md C and P) as pure functions: frozen dataclasses in, results with
their reasons out; no Flask, no database.

Readings of RULES.md (those of spec/examples/awards-small/README.md):
- Initiatives count once each at their level; "≥ cơ sở" = cơ sở + thành phố + toàn quốc,
  "city level" = thành phố + toàn quốc; good models count for their owning unit only.
- C1's "no discipline decided in the year" is any discipline decided in the year; C6/C7's
  "disciplined" is one decided in the year, cảnh cáo or heavier.
- C0 blocks every title and commendation of C and P1–P3 of the subject under review (not P4);
  a person under review stays a member of their unit but is not LĐTT, so not in C2's N.
- C6–C8b consider the units of the official tree; P3 the party cells and their grassroots
  organizations. A unit can be proposed both TTLĐTT and TTLĐXS (the council picks).
- P4 lists the highest reached milestone when no higher or equal one was awarded; a badge
  listed on an occasion counts as awarded on the later ones; only a party discipline holds it.
"""

from awards.rules.badges import OCCASIONS, badges_of, occasions, party_age, reach_date
from awards.rules.catalog import (
    DEFAULT_AWARDS,
    LEVELS,
    MILESTONES,
    AwardType,
    above_level,
    badge_code,
    decision_level_of,
    manual_party_refusal,
)
from awards.rules.dates import add_months, add_years
from awards.rules.facts import (
    BASE,
    CITY,
    NATIONAL,
    Award,
    BadgeDue,
    BadgeWaiting,
    Discipline,
    Initiatives,
    PastYear,
    PersonFacts,
    PersonOutcome,
    Step,
    UnitFacts,
    UnitOutcome,
    YearOutcome,
)
from awards.rules.person import c2_cap
from awards.rules.year import propose_year

__all__ = [
    "LEVELS",
    "above_level",
    "decision_level_of",
    "manual_party_refusal",
    "BASE",
    "CITY",
    "DEFAULT_AWARDS",
    "MILESTONES",
    "NATIONAL",
    "OCCASIONS",
    "Award",
    "AwardType",
    "BadgeDue",
    "BadgeWaiting",
    "Discipline",
    "Initiatives",
    "PastYear",
    "PersonFacts",
    "PersonOutcome",
    "Step",
    "UnitFacts",
    "UnitOutcome",
    "YearOutcome",
    "add_months",
    "add_years",
    "badge_code",
    "badges_of",
    "c2_cap",
    "occasions",
    "party_age",
    "propose_year",
    "reach_date",
]
