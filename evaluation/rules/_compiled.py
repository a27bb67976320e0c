"""The decimal context and constants of the rules, and a pack compiled for hot-path lookups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal

from evaluation.rules.catalog import Severity, ViolationType
from evaluation.rules.pack import RulePack

# Exact enough for every division here (denominators are at most 100 * 12); rules never depend on
# the caller's decimal context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
_Q2 = Decimal("0.01")
_ZERO = Decimal(0)
_ZERO_POINTS = Decimal("0.00")


class _Compiled:
    __slots__ = (
        "vinfo",
        "a1_min",
        "a7_min",
        "admit_month",
        "admit_day",
        "directive_max",
        "task_weight",
        "xs",
        "t",
        "ht",
        "a4_xs",
        "a4_ht",
        "many",
        "k_points",
        "b3_xs",
        "b3_ht",
        "b3_done",
        "b3_sub",
        "band_xs",
        "band_t",
        "band_ht",
        "task_weight_text",
    )

    def __init__(self, pack: RulePack, catalog: Mapping[str, ViolationType]) -> None:
        minor, serious = pack.d_deduction_minor, pack.d_deduction_serious
        self.vinfo = {
            code: (serious, True) if vt.severity == Severity.SERIOUS else (minor, False)
            for code, vt in catalog.items()
        }
        self.a1_min = pack.a1_min_months
        self.a7_min = pack.a7_min_months
        self.admit_month = pack.a1_party_admitted_month
        self.admit_day = pack.a1_party_admitted_day
        self.directive_max = pack.a2_directive_max
        self.task_weight = pack.a2_task_weight
        self.xs, self.t, self.ht = pack.a3_band_xs, pack.a3_band_t, pack.a3_band_ht
        self.a4_xs, self.a4_ht = pack.a4_xs_exceeded_pct, pack.a4_ht_late_pct
        self.many = pack.a5_many_violations
        self.k_points = (pack.b1_k1, pack.b1_k2, pack.b1_k3, pack.b1_k4)
        self.b3_xs, self.b3_ht = pack.b3_xs_exceeded_pct, pack.b3_ht_late_pct
        self.b3_done = pack.b3_done_min_pct
        self.b3_sub = pack.b3_subunits_disciplined_max_pct
        # The thresholds the messages name, as the figures hold them (JSON-safe text, one
        # shared object per year: no per-person work).
        self.band_xs, self.band_t, self.band_ht = str(self.xs), str(self.t), str(self.ht)
        self.task_weight_text = str(self.task_weight)

    def band(self, score: Decimal) -> int:
        """A3 (people) and B2 (units): the level (rank) of the score's band."""
        if score >= self.xs:
            return 4
        if score >= self.t:
            return 3
        if score >= self.ht:
            return 2
        return 1

    def admitted_cutoff(self, year: int) -> date:
        # 29 February in a pack stays valid in common years: use the month's last day.
        day = self.admit_day
        while True:
            try:
                return date(year, self.admit_month, day)
            except ValueError:
                day -= 1


def _compile(pack: RulePack, catalog: Mapping[str, ViolationType]) -> _Compiled:
    # Once per call: no module state, so a catalog edited between calls is always read afresh.
    return _Compiled(pack, catalog)
