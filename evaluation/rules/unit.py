"""B. Unit rating: the unit tree (parents, quota roots, quota scopes), a unit's yearly inputs
and rules B1–B4 (before the B5 quota)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

from evaluation.rules._compiled import _CTX, _Q2, _ZERO, _compile, _Compiled
from evaluation.rules._messages import _B1, _B2, _B3, _B3_KHT, _B4_K2
from evaluation.rules._results import _OFFICIAL, _PARTY, _UNIT, Rating, RuleStep, _rating, _step
from evaluation.rules.catalog import ViolationType, _deductions, _violation_step
from evaluation.rules.levels import _BY_RANK, _CODE
from evaluation.rules.pack import RulePack

if TYPE_CHECKING:
    from evaluation.rules.person import PersonInput


@dataclass(frozen=True, slots=True)
class UnitNode:
    """A unit of the tree, whether or not it has yearly inputs."""

    code: str
    parent_code: str | None = None
    quota_root: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitInput:
    """One unit's yearly inputs (RULES.md B; TEMPLATES.md "Đánh giá tập thể")."""

    code: str
    parent_code: str | None = None
    quota_root: bool = False
    ct: Decimal = _ZERO
    dd: Decimal = _ZERO
    tp: Decimal = _ZERO
    kl: Decimal = _ZERO
    k1: bool = False
    k2: bool = False
    k3: bool = False
    k4: bool = False
    violations: tuple[str, ...] = ()
    task_points: Decimal = _ZERO
    targets_total: int = 0
    targets_done: int = 0
    targets_late: int = 0
    targets_exceeded: int = 0
    subunits_total: int = 0
    subunits_disciplined: int = 0
    leadership_disciplined: bool = False
    corruption_case: bool = False
    under_review: bool = False


def _b3_allowed(inp: UnitInput, c: _Compiled) -> tuple[int, list[str]]:
    """B3: the highest level (rank) the targets and discipline allow, and the KHT reasons."""
    total, late = inp.targets_total, inp.targets_late
    exceeded, done = inp.targets_exceeded, inp.targets_done
    sub_total, sub_disc = inp.subunits_total, inp.subunits_disciplined
    if late == 0:
        xs_ok = (
            100 * exceeded >= c.b3_xs * total and sub_disc == 0 and not inp.leadership_disciplined
        )
        allowed = 4 if xs_ok else 3
    elif 100 * late <= c.b3_ht * total:
        allowed = 2
    else:
        allowed = 1
    reasons = []
    if 100 * done < c.b3_done * total:
        reasons.append(f"hoàn thành {done}/{total} chỉ tiêu")
    if 100 * sub_disc > c.b3_sub * sub_total:
        reasons.append(f"{sub_disc}/{sub_total} đơn vị trực thuộc bị kỷ luật")
    if inp.leadership_disciplined:
        reasons.append("tập thể lãnh đạo bị kỷ luật")
    if inp.corruption_case:
        reasons.append("có vụ việc tham nhũng")
    if reasons:
        allowed = 1
    return allowed, reasons


def _b3_step(
    inp: UnitInput, c: _Compiled, level: int, allowed: int, reasons: list[str]
) -> RuleStep:
    """The B3 step that lowers `level` to `allowed`."""
    if reasons:
        template = _B3_KHT
        detail = ", ".join(reasons)
    else:
        template = _B3[allowed - 1]
        detail = ""
    return _step(
        "B3",
        template,
        {
            "from": _CODE[level],
            "to": _CODE[allowed],
            "detail": detail,
            "targets_total": inp.targets_total,
            "targets_done": inp.targets_done,
            "targets_late": inp.targets_late,
            "targets_exceeded": inp.targets_exceeded,
            "subunits_total": inp.subunits_total,
            "subunits_disciplined": inp.subunits_disciplined,
            "leadership_disciplined": inp.leadership_disciplined,
            "corruption_case": inp.corruption_case,
            "kht_reasons": tuple(reasons),
            "xs_exceeded_pct": c.b3_xs,
            "ht_late_pct": c.b3_ht,
            "done_min_pct": c.b3_done,
            "subunits_disciplined_max_pct": c.b3_sub,
        },
    )


def _rate_unit(inp: UnitInput, c: _Compiled) -> Rating:
    # B1
    met = (inp.k1, inp.k2, inp.k3, inp.k4)
    k_points = sum((pts for ok, pts in zip(met, c.k_points, strict=True) if ok), _ZERO)
    violations = inp.violations
    deducted, serious = _deductions(violations, c.vinfo) if violations else (_ZERO, False)
    directive = k_points - deducted
    if directive < 0:
        directive = _ZERO
    criteria = inp.ct + inp.dd + inp.tp + inp.kl
    task = inp.task_points.quantize(_Q2, ROUND_HALF_UP)
    score = (criteria + directive + task).quantize(_Q2, ROUND_HALF_UP)
    met_ids = tuple(f"K{i}" for i, ok in enumerate(met, start=1) if ok)
    steps = [
        _step(
            "B1",
            _B1,
            {
                "score": score,
                "criteria": criteria,
                "directive": directive,
                "k_met": met_ids,
                "k_met_text": ", ".join(met_ids) or "không mục nào",
                "k_points": k_points,
                "deducted": deducted,
                "task_points": task,
            },
        )
    ]
    # B2
    level = c.band(score)
    figures = {
        "score": score,
        "band": _CODE[level],
        "band_xs": c.band_xs,
        "band_t": c.band_t,
        "band_ht": c.band_ht,
    }
    steps.append(_step("B2", _B2[level - 1], figures))

    # B3
    allowed, reasons = _b3_allowed(inp, c)
    if allowed < level:
        steps.append(_b3_step(inp, c, level, allowed, reasons))
        level = allowed

    # B4
    if not inp.k2 and level > 3:
        steps.append(_step("B4", _B4_K2, {"from": _CODE[level], "to": "T", "k2": False}))
        level = 3
    if violations:
        limit = 2 if serious or len(violations) >= c.many else 3
        if limit < level:
            steps.append(_violation_step("B4", violations, serious, c.many, level, limit))
            level = limit
    return _rating(inp.code, _UNIT, _BY_RANK[level], score, task, tuple(steps), False)


def rate_unit(inp: UnitInput, pack: RulePack, catalog: Mapping[str, ViolationType]) -> Rating:
    """Rules B1–B4 for one unit, before the B5 quota."""
    c = _compile(pack, catalog)
    with localcontext(_CTX):
        return _rate_unit(inp, c)


class UnitTree:
    """Parent links and quota roots of the unit tree (pure, memoized)."""

    __slots__ = ("_nodes", "_roots")

    def __init__(self, nodes: Iterable[UnitNode | UnitInput]) -> None:
        self._nodes: dict[str, tuple[str | None, bool]] = {}
        for node in nodes:
            entry = (node.parent_code, bool(node.quota_root))
            known = self._nodes.setdefault(node.code, entry)
            if known != entry:
                raise ValueError(
                    f"Đơn vị {node.code} được khai báo hai lần, "
                    "khác cấp trên hoặc đơn vị tính tỷ lệ."
                )
        self._roots: dict[str, str] = {}

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def nodes(self) -> list[UnitNode]:
        return [UnitNode(code, parent, q) for code, (parent, q) in self._nodes.items()]

    def parent_of(self, code: str) -> str | None:
        node = self._nodes.get(code)
        return None if node is None else node[0]

    def quota_root_of(self, code: str) -> str:
        """Nearest unit at or above `code` marked quota_root; else the topmost unit reached."""
        found = self._roots.get(code)
        if found is not None:
            return found
        path = []
        seen = set()
        current: str | None = code
        root = code
        while current is not None:
            known = self._roots.get(current)
            if known is not None:
                root = known
                break
            if current in seen:
                raise ValueError(f"Cây đơn vị có vòng lặp tại đơn vị {current}.")
            seen.add(current)
            path.append(current)
            root = current
            node = self._nodes.get(current)
            if node is None:
                break
            if node[1]:
                break
            current = node[0]
        for visited in path:
            self._roots[visited] = root
        return root

    def all_quota_roots(self) -> dict[str, str]:
        """quota_root_of for every unit of the tree."""
        for code in self._nodes:
            self.quota_root_of(code)
        return self._roots

    def official_scope(self, inp: PersonInput) -> tuple[str, str, str]:
        """A10 scope of an official rating: ("official", quota root, duty_group)."""
        return (_OFFICIAL, self.quota_root_of(inp.unit_code), inp.duty_group)

    def party_scope(self, inp: PersonInput) -> tuple[str, str]:
        """A10 scope of a party rating: ("party", quota root of party unit or unit)."""
        return (_PARTY, self.quota_root_of(inp.party_unit_code or inp.unit_code))

    def unit_scope(self, code: str) -> tuple[str, str | None]:
        """B5 scope of a unit: ("unit", parent code)."""
        return (_UNIT, self.parent_of(code))
