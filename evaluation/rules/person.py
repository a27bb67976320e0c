"""A. Individual rating: a person's yearly inputs and rules A1–A9 (before the A10 quota)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from evaluation.rules._compiled import _CTX, _Q2, _ZERO, _ZERO_POINTS, _compile, _Compiled
from evaluation.rules._messages import (
    _A1_ADMITTED,
    _A1_MONTHS,
    _A1_STATUS,
    _A2_MONTHLY,
    _A2_YEARLY,
    _A3,
    _A4,
    _A6,
    _A6_SELF,
    _A7,
    _A8_APPROVED,
    _A8_COMPUTED,
    _A8_PROVISIONAL,
    _A9,
)
from evaluation.rules._results import _OFFICIAL, _PARTY, Rating, RuleStep, _rating, _step
from evaluation.rules.catalog import ViolationType, _deductions, _violation_step
from evaluation.rules.levels import _BY_RANK, _CODE, _RANK, DISCIPLINE_FORMS, Level, PartyStatus
from evaluation.rules.pack import RulePack


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonInput:
    """One person's yearly inputs (RULES.md A; TEMPLATES.md "Cán bộ", "Đánh giá cá nhân").

    Numbers are Decimal (or int); `category` set means an official rating, `is_party_member` a
    party rating. `monthly_scores` maps month (1–12) to the month's score.
    """

    code: str
    unit_code: str
    party_unit_code: str | None = None
    duty_group: str = ""
    is_head: bool = False
    category: str | None = None
    is_party_member: bool = False
    party_status: PartyStatus = PartyStatus.ACTIVE
    admitted_on: date | None = None
    ct: Decimal = _ZERO
    dd: Decimal = _ZERO
    tp: Decimal = _ZERO
    kl: Decimal = _ZERO
    violations: tuple[str, ...] = ()
    monthly_scores: Mapping[int, Decimal] = field(default_factory=dict)
    task_points: Decimal | None = None
    tasks_total: int = 0
    tasks_late: int = 0
    tasks_exceeded: int = 0
    months_worked: int = 12
    maternity: bool = False
    discipline_form: str | None = None
    discipline_year: int | None = None
    counted_before: bool = False
    self_remedied: bool = False
    party_discipline: bool = False
    under_review: bool = False


_STATUS_TEXT = {PartyStatus.EXEMPT: "miễn sinh hoạt", PartyStatus.SUSPENDED: "đình chỉ sinh hoạt"}


# What A2–A5 give for one person (score, task points, level rank, steps), shared by both kinds
_Common = tuple[Decimal, Decimal, int, tuple[RuleStep, ...]]


def _not_rated(code: str, kind: str, template: str, figures: dict[str, Any]) -> Rating:
    return _rating(code, kind, Level.NR, None, None, (_step("A1", template, figures),), False)


def _common(inp: PersonInput, c: _Compiled) -> _Common:
    """A2–A5 for one person: the same for the official and the party rating, so compute_year
    works them out once per person and both ratings share the (immutable) steps. Returns the
    score, the task points, the level (rank) after A5 and the steps so far."""
    # A2
    violations = inp.violations
    if violations:
        deducted, serious = _deductions(violations, c.vinfo)
        directive = c.directive_max - deducted
        if directive < 0:
            directive = _ZERO
    else:
        serious = False
        directive = c.directive_max
    general = inp.ct + inp.dd + inp.tp + inp.kl + directive
    monthly = inp.monthly_scores
    if monthly:
        n_months = len(monthly)
        task = (c.task_weight * sum(monthly.values()) / (100 * n_months)).quantize(
            _Q2, ROUND_HALF_UP
        )
        template = _A2_MONTHLY
    else:
        n_months = 0
        yearly = inp.task_points
        task = _ZERO_POINTS if yearly is None else yearly.quantize(_Q2, ROUND_HALF_UP)
        template = _A2_YEARLY
    score = (general + task).quantize(_Q2, ROUND_HALF_UP)

    # A3
    level = c.band(score)
    # A2 and A3 share one figures dict: the score and the band come from the same numbers.
    figures = {
        "score": score,
        "band": _CODE[level],
        "general": general,
        "directive": directive,
        "task_points": task,
        "monthly_count": n_months,
        "task_weight": c.task_weight_text,
        "band_xs": c.band_xs,
        "band_t": c.band_t,
        "band_ht": c.band_ht,
    }
    steps: tuple[RuleStep, ...] = (
        _step("A2", template, figures),
        _step("A3", _A3[level - 1], figures),
    )

    # A4
    late = inp.tasks_late
    total = inp.tasks_total
    if late == 0:
        allowed = 4 if 100 * inp.tasks_exceeded >= c.a4_xs * total else 3
    elif 100 * late <= c.a4_ht * total:
        allowed = 2
    else:
        allowed = 1
    if allowed < level:
        steps = (*steps, _a4_step(inp, c, level, allowed))
        level = allowed

    # A5
    if violations:
        limit = 2 if serious or len(violations) >= c.many else 3
        if limit < level:
            a5 = _violation_step("A5", violations, serious, c.many, level, limit)
            return score, task, limit, (*steps, a5)
    return score, task, level, steps


def _a4_step(inp: PersonInput, c: _Compiled, level: int, allowed: int) -> RuleStep:
    """The A4 step that lowers `level` to `allowed`."""
    return _step(
        "A4",
        _A4[allowed - 1],
        {
            "from": _CODE[level],
            "to": _CODE[allowed],
            "tasks_total": inp.tasks_total,
            "tasks_late": inp.tasks_late,
            "tasks_exceeded": inp.tasks_exceeded,
            "xs_exceeded_pct": c.a4_xs,
            "ht_late_pct": c.a4_ht,
        },
    )


def _a6_step(form: str, year: int, softened: bool, level: int, limit: int) -> RuleStep:
    """The A6 step that lowers `level` to `limit` for a discipline decided in `year`."""
    figures = {
        "from": _CODE[level],
        "to": _CODE[limit],
        "discipline_form": form,
        "discipline_label": DISCIPLINE_FORMS.get(form, form),
        "discipline_year": year,
        "self_remedied": softened,
    }
    return _step("A6", _A6_SELF if softened else _A6, figures)


def _a8_step(unit_code: str, level: int, unit_rank: int, unit_approved: bool) -> RuleStep:
    """The A8 step of a head at `level` whose unit is at `unit_rank`: a cap, or provisional."""
    figures = {
        "from": _CODE[level],
        "to": _CODE[min(level, unit_rank)],
        "unit_code": unit_code,
        "unit_level": _CODE[unit_rank],
        "approved": unit_approved,
    }
    if unit_rank < level:
        template = _A8_APPROVED if unit_approved else _A8_COMPUTED
    else:
        template = _A8_PROVISIONAL
    return _step("A8", template, figures)


def _rate_person(
    inp: PersonInput,
    c: _Compiled,
    year: int,
    cutoff: date,
    party: bool,
    unit_rank: int,
    unit_approved: bool,
    official_rank: int,
    common: _Common | None = None,
) -> Rating:
    """A1–A9 for one rating kind; unit_rank / official_rank are 0 when absent. common is
    _common(inp, c) when the caller has it already (the other kind of the same person)."""
    kind = _PARTY if party else _OFFICIAL
    months = inp.months_worked
    maternity = inp.maternity

    # A1
    if months < c.a1_min and not maternity:
        return _not_rated(
            inp.code, kind, _A1_MONTHS, {"months_worked": months, "min_months": c.a1_min}
        )
    if party:
        status = inp.party_status
        if status != PartyStatus.ACTIVE:
            figures = {"party_status": str(status), "status_text": _STATUS_TEXT[status]}
            return _not_rated(inp.code, kind, _A1_STATUS, figures)
        admitted = inp.admitted_on
        if admitted is not None and admitted > cutoff:
            figures = {"admitted_on": admitted, "cutoff": cutoff}
            return _not_rated(inp.code, kind, _A1_ADMITTED, figures)

    # A2–A5
    score, task, level, steps = _common(inp, c) if common is None else common

    # A6
    form = inp.discipline_form
    if form and inp.discipline_year == year and not inp.counted_before:
        softened = party and inp.self_remedied
        limit = 2 if softened else 1
        if limit < level:
            steps = (*steps, _a6_step(form, year, softened, level, limit))
            level = limit

    # A7
    if not maternity and months < c.a7_min and level > 2:
        figures = {"from": _CODE[level], "to": "HT", "months_worked": months}
        figures["min_months"] = c.a7_min
        steps = (*steps, _step("A7", _A7, figures))
        level = 2

    # A8
    provisional = False
    if unit_rank and inp.is_head:
        provisional = not unit_approved
        if unit_rank < level or provisional:
            steps = (*steps, _a8_step(inp.unit_code, level, unit_rank, unit_approved))
            if unit_rank < level:
                level = unit_rank

    # A9
    if party and level == 4 and official_rank and official_rank != 4:
        figures = {"from": "XS", "to": "T", "official_level": _CODE[official_rank]}
        steps = (*steps, _step("A9", _A9, figures))
        level = 3

    return _rating(inp.code, kind, _BY_RANK[level], score, task, steps, provisional)


def rate_person(
    inp: PersonInput,
    pack: RulePack,
    year: int,
    kind: str,
    catalog: Mapping[str, ViolationType],
    unit_level: Level | None = None,
    official_level: Level | None = None,
    *,
    unit_approved: bool = False,
) -> Rating:
    """Rules A1–A9 for one person and one kind ('official' or 'party'), before the A10 quota.

    unit_level: the level of the person's own unit (A8, read only when inp.is_head); the result
    is provisional unless unit_approved. official_level: the person's official level after its
    quota pass (A9, party kind only); None when the person has no official rating.
    """
    if kind not in (_OFFICIAL, _PARTY):
        raise ValueError(f"Loại xếp loại không hợp lệ: {kind!r} (official | party)")
    c = _compile(pack, catalog)
    with localcontext(_CTX):
        return _rate_person(
            inp,
            c,
            year,
            c.admitted_cutoff(year),
            kind == _PARTY,
            0 if unit_level is None else _RANK[unit_level],
            unit_approved,
            0 if official_level is None or kind != _PARTY else _RANK[official_level],
        )
