"""Pure rating rules of RULES.md A (people), B (units) and D (violation catalog).

No Flask, no database, no I/O: dataclasses in, dataclasses out; every result carries the steps
(rule id, Vietnamese message, figures) that shaped it.

How RULES.md is read here. Forced by spec/examples/ratings-small/expected.json (another reading
changes at least one expected row):

- A2: task points are 70 × the mean of the monthly scores that exist (HB00026 has 3 months:
  mean 85 → 59.50), not a mean over 12 months or over months_worked; yearly task points are used
  only when no monthly score exists.
- A4: with tasks_total = 0 the XS condition "exceeded ≥ 30% of total" holds (0 ≥ 0): a person
  with no listed tasks is not lowered by A4 (HB00001, 90.00 → XS, then A10 → T).
- A6: self_remedied softens the discipline to cap HT for the party rating only; the official
  rating stays KHT (HB00013: official KHT, party HT).
- A8: caps the head's party rating too, not only the official one (HB00051: KHT in both).
- A9 comes before the party quota: n of the party A10 counts party ratings after A9, and A9
  reads the official level after its own quota (HB00021: official XS → T by A10, so party T by
  A9; HB00081 keeps party XS only because A9 first removed the other XS of its scope).
- A10: official scopes are (quota root, duty_group), party scopes the quota root alone; ties
  go by task points before code (HB00081).

Choices where the text is silent and expected.json does not decide:

- A1: "later than 30 June" is strict (admitted on 30 June is rated, on 1 July is not: HB00021,
  HB00022). A person under A1 gets no score (score and task points are None), as expected.json.
- A2: the score adds the rounded task points; rounding the sum of unrounded task points would
  differ by 0.01 in rare cases.
- A6: applies to both ratings whoever decided the discipline (party_discipline is not read);
  "decided in the year" is discipline_year == year; a form without a year counts as not decided
  this year.
- A8: the head is capped at the unit's computed level after B5; the result is provisional
  whenever that level is not an approved one, even if the cap did not lower it.
- A9: an official rating of NR counts as "no official rating" (no cap).
- A10: a unit with no quota_root at or above it uses the topmost unit reached as its root; a
  person whose unit is not in the tree forms a scope of their own unit code.
- B5: units without a parent form one sibling scope ("unit", None).
- Steps: a rule is named only when it lowered the level, except the always-named score and band
  rules (A2, A3; B1, B2), A8 when it makes the result provisional, and A10/B5 for every XS that
  went through the quota (kept or lowered). This is a superset of expected.json's rule lists.
- Violations are counted per listed occurrence (a code listed twice counts twice). A code that is
  not in the catalog raises ValueError: the import edge must reject it first.
"""

from evaluation.rules._gc import gc_paused as gc_paused
from evaluation.rules._messages import TEMPLATES as TEMPLATES
from evaluation.rules._results import Rating, RuleStep
from evaluation.rules.catalog import (
    DEFAULT_CATALOG,
    GROUP_TITLES,
    AppliesTo,
    Severity,
    ViolationType,
)
from evaluation.rules.decisions import (
    ceiling_of,
    check_caps,
    check_final_levels,
    check_final_reason,
    check_proposal,
    check_quota,
)
from evaluation.rules.levels import DISCIPLINE_FORMS, DISCIPLINE_RANK, Level, PartyStatus, cap
from evaluation.rules.pack import RulePack
from evaluation.rules.person import PersonInput, rate_person
from evaluation.rules.quota import apply_quota, quota_allowed
from evaluation.rules.unit import UnitInput, UnitNode, UnitTree, rate_unit
from evaluation.rules.year import YearResult, compute_year

__all__ = [
    "DEFAULT_CATALOG",
    "GROUP_TITLES",
    "DISCIPLINE_FORMS",
    "DISCIPLINE_RANK",
    "AppliesTo",
    "Level",
    "PartyStatus",
    "PersonInput",
    "Rating",
    "RuleStep",
    "RulePack",
    "Severity",
    "UnitInput",
    "UnitNode",
    "UnitTree",
    "ViolationType",
    "YearResult",
    "apply_quota",
    "cap",
    "ceiling_of",
    "check_caps",
    "check_final_levels",
    "check_final_reason",
    "check_quota",
    "check_proposal",
    "compute_year",
    "quota_allowed",
    "rate_person",
    "rate_unit",
]
