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

from __future__ import annotations

import enum
import gc
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from types import MappingProxyType
from typing import Any

__all__ = [
    "DEFAULT_CATALOG",
    "DISCIPLINE_FORMS",
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
    "check_quota",
    "check_proposal",
    "compute_year",
    "quota_allowed",
    "rate_person",
    "rate_unit",
]

# Exact enough for every division here (denominators are at most 100 * 12); rules never depend on
# the caller's decimal context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
_Q2 = Decimal("0.01")
_ZERO = Decimal(0)
_ZERO_POINTS = Decimal("0.00")


# --- levels -----------------------------------------------------------------------------------


class Level(enum.StrEnum):
    """Quality level; XS > T > HT > KHT, NR = not rated (outside the scale)."""

    XS = "XS"
    T = "T"
    HT = "HT"
    KHT = "KHT"
    NR = "NR"

    @property
    def rank(self) -> int:
        """4 for XS down to 1 for KHT; 0 for NR."""
        return _RANK[self]

    @property
    def label(self) -> str:
        """Vietnamese name of the level."""
        return _LABELS[self]


_RANK = {Level.XS: 4, Level.T: 3, Level.HT: 2, Level.KHT: 1, Level.NR: 0}
_BY_RANK = (Level.NR, Level.KHT, Level.HT, Level.T, Level.XS)
# Plain-string codes for messages and figures: figures dicts holding only str/int/Decimal stay
# untracked by the cyclic garbage collector.
_CODE = ("NR", "KHT", "HT", "T", "XS")
_LABELS = {
    Level.XS: "Hoàn thành xuất sắc nhiệm vụ",
    Level.T: "Hoàn thành tốt nhiệm vụ",
    Level.HT: "Hoàn thành nhiệm vụ",
    Level.KHT: "Không hoàn thành nhiệm vụ",
    Level.NR: "Không xếp loại",
}


def cap(level: Level, limit: Level | None) -> Level:
    """Convention "cap L": min(level, limit). Never raises a level.

    NR stays NR; a limit of None or NR (no rating to cap at) leaves the level unchanged.
    """
    if limit is None or level is Level.NR or limit is Level.NR:
        return level
    return limit if _RANK[limit] < _RANK[level] else level


class PartyStatus(enum.StrEnum):
    """Tình trạng sinh hoạt Đảng."""

    ACTIVE = "active"
    EXEMPT = "exempt"
    SUSPENDED = "suspended"


# Discipline forms (RULES.md C; TEMPLATES.md "Hình thức kỷ luật"): stored key -> Vietnamese label
DISCIPLINE_FORMS: Mapping[str, str] = MappingProxyType(
    {
        "khien_trach": "khiển trách",
        "canh_cao": "cảnh cáo",
        "cach_chuc": "cách chức",
        "giang_chuc": "giáng chức",
        "buoc_thoi_viec": "buộc thôi việc",
        "khai_tru": "khai trừ",
    }
)

# --- D. violation catalog ---------------------------------------------------------------------


class Severity(enum.StrEnum):
    MINOR = "minor"
    SERIOUS = "serious"


class AppliesTo(enum.StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class ViolationType:
    """One Directive 24 violation item (RULES.md D)."""

    code: str
    title: str
    group: int
    applies_to: AppliesTo
    severity: Severity


_GROUP_TITLES = {
    1: "Vi phạm kỷ cương, kỷ luật, nội quy, quy chế",
    2: "Né tránh, đùn đẩy, thiếu trách nhiệm trong giải quyết công việc",
    3: "Gây phiền hà, nhũng nhiễu, lạm quyền khi giải quyết công việc của người dân, doanh nghiệp",
}

_B = AppliesTo.BOTH
_I = AppliesTo.INDIVIDUAL
_SERIOUS_CODES = frozenset({"1.01", "1.02", "1.05", "2.09", "3.01", "3.02"})
# Paraphrases of the directive's themes (seeds/); administrators replace them with the official
# appendix text in the year's catalog.
_CATALOG_ITEMS = (
    ("1.01", _B, "Không chấp hành nghiêm chủ trương, nghị quyết, chỉ thị, quyết định của cấp trên"),
    ("1.02", _B, "Vi phạm nguyên tắc tập trung dân chủ, quy chế làm việc; lạm quyền, vượt quyền"),
    ("1.03", _I, "Không chấp hành thời giờ làm việc; đi muộn, về sớm, bỏ vị trí công tác"),
    ("1.04", _I, "Sử dụng thời giờ làm việc vào việc riêng"),
    ("1.05", _I, "Sử dụng rượu, bia, đồ uống có cồn trong giờ làm việc, giờ nghỉ trưa"),
    ("1.06", _I, "Không chấp hành quy tắc ứng xử, văn hóa công sở"),
    ("1.07", _I, "Không chấp hành sự phân công, điều động của tổ chức"),
    ("1.08", _B, "Không thực hiện chế độ thông tin, báo cáo đầy đủ, đúng hạn, chính xác"),
    ("1.09", _B, "Chậm xây dựng, ban hành, triển khai chương trình, kế hoạch công tác"),
    ("1.10", _B, "Thiếu gương mẫu, không tự giác nêu gương, nhất là người đứng đầu"),
    ("1.11", _I, "Phát ngôn, đăng tải, chia sẻ thông tin trái quy định, nhất là trên mạng xã hội"),
    ("1.12", _B, "Vi phạm quy định về quản lý hồ sơ, tài liệu, bảo vệ bí mật nhà nước"),
    ("2.01", _B, "Né tránh, đùn đẩy, không dám quyết định công việc thuộc thẩm quyền"),
    ("2.02", _B, "Đẩy việc lên cấp trên, xin ý kiến không cần thiết để né tránh trách nhiệm"),
    ("2.03", _B, "Để công việc tồn đọng, chậm trễ, kéo dài, quá hạn không có lý do chính đáng"),
    ("2.04", _I, "Tham mưu, đề xuất chậm, thiếu chất lượng, phải làm đi làm lại nhiều lần"),
    ("2.05", _B, "Phối hợp thiếu trách nhiệm; chậm trả lời văn bản xin ý kiến của nơi khác"),
    ("2.06", _B, "Trả lời chung chung, không rõ quan điểm, không rõ trách nhiệm"),
    ("2.07", _I, "Sợ sai, sợ trách nhiệm, làm việc cầm chừng, thiếu chủ động"),
    ("2.08", _B, "Không thực hiện hoặc thực hiện không đầy đủ kết luận thanh tra, kiểm tra"),
    ("2.09", _B, "Thiếu trách nhiệm để xảy ra sai phạm, thất thoát, lãng phí nghiêm trọng"),
    ("3.01", _B, "Gây phiền hà, sách nhiễu, vòi vĩnh người dân, doanh nghiệp"),
    ("3.02", _B, "Lợi dụng chức vụ, quyền hạn để trục lợi, tiếp tay cho vi phạm"),
    ("3.03", _B, "Yêu cầu thêm thủ tục, giấy tờ ngoài quy định; hẹn lại nhiều lần"),
    ("3.04", _I, "Thái độ hách dịch, cửa quyền, thiếu tôn trọng người dân, doanh nghiệp"),
)
DEFAULT_CATALOG: Mapping[str, ViolationType] = MappingProxyType(
    {
        code: ViolationType(
            code=code,
            title=title,
            group=int(code[0]),
            applies_to=applies_to,
            severity=Severity.SERIOUS if code in _SERIOUS_CODES else Severity.MINOR,
        )
        for code, applies_to, title in _CATALOG_ITEMS
    }
)
"""The 25 items of Directive 24's appendix (1.01–1.12, 2.01–2.09, 3.01–3.04), keyed by code."""


# --- rule pack --------------------------------------------------------------------------------

_PACK_LABELS = {
    "a1_min_months": "A1 số tháng công tác tối thiểu để được xếp loại",
    "a1_party_admitted_month": "A1 tháng của hạn vào Đảng để được xếp loại",
    "a1_party_admitted_day": "A1 ngày của hạn vào Đảng để được xếp loại",
    "a2_criterion_max": "A2 điểm tối đa mỗi tiêu chí chung",
    "a2_directive_max": "A2 điểm tối đa tiêu chí Chỉ thị 24",
    "a2_task_weight": "A2 điểm tối đa kết quả nhiệm vụ",
    "a2_monthly_max": "A2 điểm tối đa chấm hằng tháng",
    "d_deduction_minor": "D điểm trừ mỗi vi phạm nhẹ",
    "d_deduction_serious": "D điểm trừ mỗi vi phạm nghiêm trọng",
    "a3_band_xs": "A3 ngưỡng điểm XS",
    "a3_band_t": "A3 ngưỡng điểm T",
    "a3_band_ht": "A3 ngưỡng điểm HT",
    "a4_xs_exceeded_pct": "A4 tỷ lệ nhiệm vụ vượt tối thiểu cho XS (%)",
    "a4_ht_late_pct": "A4 tỷ lệ nhiệm vụ chậm tối đa cho HT (%)",
    "a5_many_violations": "A5 số vi phạm từ đó giới hạn HT",
    "a7_min_months": "A7 số tháng công tác để không bị giới hạn HT",
    "a10_p": "A10 tỷ lệ XS so với T (%)",
    "b1_k1": "B1 điểm K1 quán triệt đúng hạn",
    "b1_k2": "B1 điểm K2 nhiệm vụ đột phá",
    "b1_k3": "B1 điểm K3 giải quyết tồn đọng",
    "b1_k4": "B1 điểm K4 tự kiểm tra",
    "b3_xs_exceeded_pct": "B3 tỷ lệ chỉ tiêu vượt tối thiểu cho XS (%)",
    "b3_ht_late_pct": "B3 tỷ lệ chỉ tiêu chậm tối đa cho HT (%)",
    "b3_done_min_pct": "B3 tỷ lệ chỉ tiêu hoàn thành tối thiểu (%)",
    "b3_subunits_disciplined_max_pct": "B3 tỷ lệ đơn vị trực thuộc bị kỷ luật tối đa (%)",
    "b5_p": "B5 tỷ lệ đơn vị XS so với T (%)",
}


@dataclass(frozen=True, slots=True)
class RulePack:
    """Every number of RULES.md A and B for one year, with the shipped defaults."""

    a1_min_months: int = 6
    a1_party_admitted_month: int = 6
    a1_party_admitted_day: int = 30
    a2_criterion_max: Decimal = Decimal("5")
    a2_directive_max: Decimal = Decimal("10")
    a2_task_weight: Decimal = Decimal("70")
    a2_monthly_max: Decimal = Decimal("100")
    d_deduction_minor: Decimal = Decimal("2")
    d_deduction_serious: Decimal = Decimal("5")
    a3_band_xs: Decimal = Decimal("90")
    a3_band_t: Decimal = Decimal("70")
    a3_band_ht: Decimal = Decimal("50")
    a4_xs_exceeded_pct: int = 30
    a4_ht_late_pct: int = 20
    a5_many_violations: int = 3
    a7_min_months: int = 9
    a10_p: int = 20
    b1_k1: Decimal = Decimal("3")
    b1_k2: Decimal = Decimal("3")
    b1_k3: Decimal = Decimal("2")
    b1_k4: Decimal = Decimal("2")
    b3_xs_exceeded_pct: int = 30
    b3_ht_late_pct: int = 20
    b3_done_min_pct: int = 50
    b3_subunits_disciplined_max_pct: int = 20
    b5_p: int = 20

    @staticmethod
    def label(name: str) -> str:
        """Vietnamese label of a parameter."""
        return _PACK_LABELS[name]

    def to_dict(self) -> dict[str, int | str]:
        """JSON-safe dict: decimals as strings, integers as integers."""
        out: dict[str, int | str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RulePack:
        """Inverse of to_dict; missing keys take the default. Raises ValueError (Vietnamese)."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"Tham số không có trong bộ quy tắc: {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            default = known[name].default
            label = _PACK_LABELS[name]
            if isinstance(default, Decimal):
                if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
                    raise ValueError(
                        f"{label}: giá trị phải là số thập phân (chuỗi), nhận {value!r}"
                    )
                try:
                    kwargs[name] = Decimal(str(value).strip())
                except InvalidOperation:
                    raise ValueError(f"{label}: '{value}' không phải là số") from None
            else:
                if isinstance(value, bool):
                    raise ValueError(f"{label}: giá trị phải là số nguyên, nhận {value!r}")
                if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                    value = int(value.strip())
                if not isinstance(value, int):
                    raise ValueError(f"{label}: giá trị phải là số nguyên, nhận {value!r}")
                kwargs[name] = value
        return cls(**kwargs)

    def validate(self) -> list[str]:
        """Vietnamese messages for every bad parameter value; empty when the pack is usable."""
        errors: list[str] = []
        bad_type: set[str] = set()
        for f in fields(self):
            value = getattr(self, f.name)
            label = _PACK_LABELS[f.name]
            if isinstance(f.default, Decimal):
                if not isinstance(value, Decimal) or not value.is_finite():
                    errors.append(f"{label}: phải là một số thập phân hữu hạn.")
                    bad_type.add(f.name)
                elif value < 0:
                    errors.append(f"{label}: không được âm ({value}).")
            elif isinstance(value, bool) or not isinstance(value, int):
                errors.append(f"{label}: phải là một số nguyên.")
                bad_type.add(f.name)
            elif value < 0:
                errors.append(f"{label}: không được âm ({value}).")
        if bad_type:
            return errors

        def check(ok: bool, message: str) -> None:
            if not ok:
                errors.append(message)

        lab = _PACK_LABELS
        check(
            self.a1_min_months <= 12,
            f"{lab['a1_min_months']}: phải từ 0 đến 12 ({self.a1_min_months}).",
        )
        check(
            self.a1_min_months <= self.a7_min_months <= 12,
            f"{lab['a7_min_months']}: phải từ {lab['a1_min_months'].lower()} "
            f"({self.a1_min_months}) đến 12 ({self.a7_min_months}).",
        )
        try:
            date(2024, self.a1_party_admitted_month, self.a1_party_admitted_day)
        except ValueError:
            errors.append(
                f"A1 hạn vào Đảng: {self.a1_party_admitted_day}/{self.a1_party_admitted_month} "
                "không phải là ngày hợp lệ."
            )
        check(
            self.a3_band_ht < self.a3_band_t < self.a3_band_xs <= 100,
            "A3 ngưỡng điểm: phải thỏa HT < T < XS ≤ 100 "
            f"(đang là {self.a3_band_ht} / {self.a3_band_t} / {self.a3_band_xs}).",
        )
        total = 4 * self.a2_criterion_max + self.a2_directive_max + self.a2_task_weight
        check(
            total == 100,
            "A2 tổng điểm tối đa (4 tiêu chí chung + Chỉ thị 24 + nhiệm vụ) phải bằng 100 "
            f"(đang là {total}).",
        )
        check(self.a2_monthly_max > 0, f"{lab['a2_monthly_max']}: phải lớn hơn 0.")
        check(
            self.d_deduction_minor <= self.d_deduction_serious <= self.a2_directive_max,
            "D điểm trừ: phải thỏa vi phạm nhẹ ≤ vi phạm nghiêm trọng ≤ điểm Chỉ thị 24 "
            f"(đang là {self.d_deduction_minor} / {self.d_deduction_serious}).",
        )
        for name in (
            "a4_xs_exceeded_pct",
            "a4_ht_late_pct",
            "a10_p",
            "b3_xs_exceeded_pct",
            "b3_ht_late_pct",
            "b3_done_min_pct",
            "b3_subunits_disciplined_max_pct",
            "b5_p",
        ):
            value = getattr(self, name)
            check(value <= 100, f"{lab[name]}: phải từ 0 đến 100 ({value}).")
        check(self.a5_many_violations >= 1, f"{lab['a5_many_violations']}: phải từ 1 trở lên.")
        k_total = self.b1_k1 + self.b1_k2 + self.b1_k3 + self.b1_k4
        check(
            k_total <= self.a2_directive_max,
            f"B1 tổng điểm K1–K4 ({k_total}) không được vượt điểm tối đa tiêu chí Chỉ thị 24 "
            f"({self.a2_directive_max}).",
        )
        return errors


# --- inputs -----------------------------------------------------------------------------------


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


# --- outputs ----------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class RuleStep:
    """One rule that shaped a result: its id, the figures it used and a Vietnamese message.

    `template` is the message with {figure} placeholders (str.format_map over `figures`);
    message_vi renders it, so the message always carries the same figures the rule used and a
    step costs no string building until it is shown. A template without braces is a plain
    message.
    """

    rule_id: str
    template: str
    figures: dict[str, Any]

    @property
    def message_vi(self) -> str:
        return self.template.format_map(self.figures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "message_vi": self.message_vi,
            "figures": {k: _json_safe(v) for k, v in self.figures.items()},
        }


@dataclass(frozen=True, slots=True)
class Rating:
    """A computed level ('official' | 'party' | 'unit') with its score and explanation."""

    code: str
    kind: str
    level: Level
    score: Decimal | None
    task_points: Decimal | None
    steps: tuple[RuleStep, ...]
    provisional: bool = False

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules named in the steps, in order, without repeats."""
        return tuple(dict.fromkeys(s.rule_id for s in self.steps))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "level": str(self.level),
            "score": None if self.score is None else str(self.score),
            "task_points": None if self.task_points is None else str(self.task_points),
            "provisional": self.provisional,
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class YearResult:
    """compute_year's answer: ratings keyed by unit or person code."""

    units: dict[str, Rating]
    official: dict[str, Rating]
    party: dict[str, Rating]


# Hot-path constructors of the frozen outputs: setting the slots through their descriptors is
# twice as fast as the generated __init__ (object.__setattr__ per field); same objects.
_new = object.__new__
_STEP_SET = tuple(RuleStep.__dict__[name].__set__ for name in ("rule_id", "template", "figures"))
_RATING_SET = tuple(
    Rating.__dict__[name].__set__
    for name in ("code", "kind", "level", "score", "task_points", "steps", "provisional")
)


def _step(
    rule_id: str, template: str, figures: dict[str, Any], _set: tuple = _STEP_SET
) -> RuleStep:
    step = _new(RuleStep)
    _set[0](step, rule_id)
    _set[1](step, template)
    _set[2](step, figures)
    return step


def _rating(
    code: str,
    kind: str,
    level: Level,
    score: Decimal | None,
    task_points: Decimal | None,
    steps: tuple[RuleStep, ...],
    provisional: bool,
    _set: tuple = _RATING_SET,
) -> Rating:
    rating = _new(Rating)
    _set[0](rating, code)
    _set[1](rating, kind)
    _set[2](rating, level)
    _set[3](rating, score)
    _set[4](rating, task_points)
    _set[5](rating, steps)
    _set[6](rating, provisional)
    return rating


# --- messages (templates over each step's figures) --------------------------------------------

_A1_MONTHS = (
    "A1 không xếp loại: {months_worked} tháng công tác (dưới {min_months} tháng), "
    "không nghỉ thai sản"
)
_A1_STATUS = "A1 không xếp loại đảng viên: đang {status_text} Đảng"
_A1_ADMITTED = (
    "A1 không xếp loại đảng viên: vào Đảng ngày {admitted_on:%d/%m/%Y}, sau {cutoff:%d/%m/%Y}"
)
_A2_MONTHLY = (
    "A2 điểm {score} = tiêu chí chung {general:.2f} (Chỉ thị 24: {directive}) "
    "+ nhiệm vụ {task_points} ({monthly_count} tháng chấm điểm)"
)
_A2_YEARLY = (
    "A2 điểm {score} = tiêu chí chung {general:.2f} (Chỉ thị 24: {directive}) "
    "+ nhiệm vụ {task_points} (điểm nhiệm vụ cả năm)"
)
_A3 = "A3 khung điểm {band} (điểm {score})"
_A4 = (
    "A4 điều kiện nhiệm vụ: {from}→{to} "
    "(chậm {tasks_late}/{tasks_total}, vượt {tasks_exceeded}/{tasks_total})"
)
_A6 = "A6 kỷ luật {discipline_label} năm {discipline_year}: {from}→{to}"
_A6_SELF = (
    "A6 kỷ luật {discipline_label} năm {discipline_year}, tự phát hiện và khắc phục: "
    "giới hạn HT: {from}→{to}"
)
_A7 = "A7 vắng mặt: {months_worked} tháng công tác (dưới {min_months} tháng): {from}→{to}"
_A8_APPROVED = (
    "A8 người đứng đầu {unit_code}: giới hạn theo xếp loại đơn vị {unit_level} "
    "(đã phê duyệt): {from}→{to}"
)
_A8_COMPUTED = (
    "A8 người đứng đầu {unit_code}: giới hạn theo xếp loại đơn vị {unit_level} "
    "(tạm tính, chờ phê duyệt xếp loại đơn vị): {from}→{to}"
)
_A8_PROVISIONAL = (
    "A8 người đứng đầu {unit_code}: kết quả tạm tính theo xếp loại đơn vị {unit_level} "
    "chưa phê duyệt"
)
_A9 = "A9 đảng viên XS cần xếp loại cán bộ XS (đang là {official_level}): {from}→{to}"
_QUOTA_KEEP = "{rule} tỷ lệ: giữ XS (hạng {rank}, được giữ {allowed}; {scope_name})"
_QUOTA_DOWN = "{rule} tỷ lệ: XS→T (hạng {rank}, được giữ {allowed}; {scope_name})"
_B1 = (
    "B1 điểm {score} = tiêu chí chung {criteria:.2f} + Chỉ thị 24 {directive:.2f} "
    "(đạt {k_met_text}: {k_points:.2f}, trừ {deducted:.2f}) + nhiệm vụ {task_points}"
)
_B2 = "B2 khung điểm {band} (điểm {score})"
_B3 = "B3 điều kiện: {from}→{to} ({detail})"
_B4_K2 = "B4 giới hạn T: K2 nhiệm vụ đột phá chưa đạt: {from}→{to}"
_VIOLATION_SERIOUS = (
    "{rule} giới hạn {to}: {from}→{to}, {count} vi phạm, có vi phạm nghiêm trọng ({codes})"
)
_VIOLATION_MANY = (
    "{rule} giới hạn {to}: {from}→{to}, {count} vi phạm, từ {many} vi phạm trở lên ({codes})"
)
_VIOLATION_FEW = "{rule} giới hạn {to}: {from}→{to}, {count} vi phạm ({codes})"

# Every message template a step can carry (a test checks the steps against it): the stored
# explanations name their template by a key (evaluation.compute), and a recompute registers
# these in one statement before it writes.
TEMPLATES = (
    _A1_MONTHS,
    _A1_STATUS,
    _A1_ADMITTED,
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
    _QUOTA_KEEP,
    _QUOTA_DOWN,
    _B1,
    _B2,
    _B3,
    _B4_K2,
    _VIOLATION_SERIOUS,
    _VIOLATION_MANY,
    _VIOLATION_FEW,
)


# --- compiled pack (hot-path lookups) ---------------------------------------------------------


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


def _deductions(codes: Sequence[str], vinfo: dict[str, tuple[Decimal, bool]]) -> tuple[Any, bool]:
    total: Any = 0
    serious = False
    for code in codes:
        info = vinfo.get(code)
        if info is None:
            raise ValueError(f"Mã biểu hiện vi phạm '{code}' không có trong danh mục của năm.")
        total += info[0]
        if info[1]:
            serious = True
    return total, serious


def _violation_step(
    rule: str, codes: Sequence[str], serious: bool, many: int, level: int, limit: int
) -> RuleStep:
    if serious:
        template = _VIOLATION_SERIOUS
    elif len(codes) >= many:
        template = _VIOLATION_MANY
    else:
        template = _VIOLATION_FEW
    return _step(
        rule,
        template,
        {
            "rule": rule,
            "from": _CODE[level],
            "to": _CODE[limit],
            "count": len(codes),
            "codes": ", ".join(codes),
            "serious": serious,
            "many": many,
        },
    )


# --- A. individual rating ---------------------------------------------------------------------

_OFFICIAL = "official"
_PARTY = "party"
_UNIT = "unit"
_STATUS_TEXT = {PartyStatus.EXEMPT: "miễn sinh hoạt", PartyStatus.SUSPENDED: "đình chỉ sinh hoạt"}


def _not_rated(code: str, kind: str, template: str, figures: dict[str, Any]) -> Rating:
    return _rating(code, kind, Level.NR, None, None, (_step("A1", template, figures),), False)


def _common(inp: PersonInput, c: _Compiled) -> tuple[Decimal, Decimal, int, tuple[RuleStep, ...]]:
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
    if score >= c.xs:
        level = 4
    elif score >= c.t:
        level = 3
    elif score >= c.ht:
        level = 2
    else:
        level = 1
    # A2 and A3 share one figures dict: the score and the band come from the same numbers.
    figures = {
        "score": score,
        "band": _CODE[level],
        "general": general,
        "directive": directive,
        "task_points": task,
        "monthly_count": n_months,
    }
    steps: tuple[RuleStep, ...] = (_step("A2", template, figures), _step("A3", _A3, figures))

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
        a4 = _step(
            "A4",
            _A4,
            {
                "from": _CODE[level],
                "to": _CODE[allowed],
                "tasks_total": total,
                "tasks_late": late,
                "tasks_exceeded": inp.tasks_exceeded,
                "xs_exceeded_pct": c.a4_xs,
                "ht_late_pct": c.a4_ht,
            },
        )
        steps = (*steps, a4)
        level = allowed

    # A5
    if violations:
        limit = 2 if serious or len(violations) >= c.many else 3
        if limit < level:
            a5 = _violation_step("A5", violations, serious, c.many, level, limit)
            return score, task, limit, (*steps, a5)
    return score, task, level, steps


def _rate_person(
    inp: PersonInput,
    c: _Compiled,
    year: int,
    cutoff: date,
    party: bool,
    unit_rank: int,
    unit_approved: bool,
    official_rank: int,
    common: tuple[Decimal, Decimal, int, tuple[RuleStep, ...]] | None = None,
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
            figures = {
                "from": _CODE[level],
                "to": _CODE[limit],
                "discipline_form": form,
                "discipline_label": DISCIPLINE_FORMS.get(form, form),
                "discipline_year": year,
                "self_remedied": softened,
            }
            steps = (*steps, _step("A6", _A6_SELF if softened else _A6, figures))
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
            figures = {
                "from": _CODE[level],
                "to": _CODE[min(level, unit_rank)],
                "unit_code": inp.unit_code,
                "unit_level": _CODE[unit_rank],
                "approved": unit_approved,
            }
            if unit_rank < level:
                template = _A8_APPROVED if unit_approved else _A8_COMPUTED
                level = unit_rank
            else:
                template = _A8_PROVISIONAL
            steps = (*steps, _step("A8", template, figures))

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


# --- A10 / B5 quota ---------------------------------------------------------------------------


def quota_allowed(p: int, n: int) -> int:
    """A10/B5: how many of n ratings at XS or T may stay XS: floor(p·n / (100 + p))."""
    return (p * n) // (100 + p)


def _scope_text(scope: Hashable) -> str:
    if isinstance(scope, tuple) and scope and scope[0] in (_OFFICIAL, _PARTY, _UNIT):
        parts = [str(part) for part in scope[1:] if part not in (None, "")]
        return " / ".join(parts) if parts else "gốc"
    return str(scope)


def _rank_key(r: Rating) -> tuple[Decimal, Decimal, str]:
    # score desc, task points desc, code asc
    return (-r.score, -r.task_points, r.code)  # type: ignore[operator]


def apply_quota(
    ratings: Iterable[Rating],
    scope_of: Callable[[Rating], Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[Rating]:
    """A10 (people) and B5 (units, kind 'unit'): in each scope keep at most
    k = floor(p·n / (100 + p)) XS, n = ratings at XS or T; rank by score desc, task points desc,
    code asc; the rest become T. overrides gives another p for a scope. Returns the ratings in
    the given order, XS ones replaced with their quota step added.
    """
    ratings = list(ratings)
    _quota(ratings, [scope_of(r) for r in ratings], p, overrides)
    return ratings


def _quota(
    ratings: list[Rating],
    scopes: Sequence[Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None,
) -> None:
    """apply_quota in place; scopes[i] is the scope of ratings[i]."""
    counts: dict[Hashable, int] = {}
    top: dict[Hashable, list[int]] = {}
    xs, t = Level.XS, Level.T
    get = counts.get
    for i, r in enumerate(ratings):
        level = r.level
        if level is t:
            scope = scopes[i]
            counts[scope] = get(scope, 0) + 1
        elif level is xs:
            scope = scopes[i]
            counts[scope] = get(scope, 0) + 1
            if scope in top:
                top[scope].append(i)
            else:
                top[scope] = [i]
    for scope, indexes in top.items():
        scope_p = p if overrides is None else overrides.get(scope, p)
        n = counts[scope]
        k = quota_allowed(scope_p, n)
        indexes.sort(key=lambda i: _rank_key(ratings[i]))
        name = _scope_text(scope)
        for position, i in enumerate(indexes, start=1):
            r = ratings[i]
            rule = "B5" if r.kind == _UNIT else "A10"
            figures = {
                "rule": rule,
                "rank": position,
                "allowed": k,
                "rated": n,
                "p": scope_p,
                "scope": scope,
                "scope_name": name,
            }
            kept = position <= k
            step = _step(rule, _QUOTA_KEEP if kept else _QUOTA_DOWN, figures)
            ratings[i] = _rating(
                r.code,
                r.kind,
                xs if kept else t,
                r.score,
                r.task_points,
                (*r.steps, step),
                r.provisional,
            )


# --- B. unit rating ---------------------------------------------------------------------------


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
    if score >= c.xs:
        level = 4
    elif score >= c.t:
        level = 3
    elif score >= c.ht:
        level = 2
    else:
        level = 1
    steps.append(_step("B2", _B2, {"score": score, "band": _CODE[level]}))

    # B3
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
        reasons.append(f"hoàn thành {done}/{total} chỉ tiêu (dưới {c.b3_done}%)")
    if 100 * sub_disc > c.b3_sub * sub_total:
        reasons.append(f"{sub_disc}/{sub_total} đơn vị trực thuộc bị kỷ luật (trên {c.b3_sub}%)")
    if inp.leadership_disciplined:
        reasons.append("tập thể lãnh đạo bị kỷ luật")
    if inp.corruption_case:
        reasons.append("có vụ việc tham nhũng")
    if reasons:
        allowed = 1
    if allowed < level:
        if reasons:
            detail = "; ".join(reasons)
        else:
            detail = f"chậm {late}/{total}, vượt {exceeded}/{total}"
            if late == 0 and exceeded * 100 >= c.b3_xs * total:
                detail += f", {sub_disc} đơn vị trực thuộc bị kỷ luật"
        steps.append(
            _step(
                "B3",
                _B3,
                {
                    "from": _CODE[level],
                    "to": _CODE[allowed],
                    "detail": detail,
                    "targets_total": total,
                    "targets_done": done,
                    "targets_late": late,
                    "targets_exceeded": exceeded,
                    "subunits_total": sub_total,
                    "subunits_disciplined": sub_disc,
                    "leadership_disciplined": inp.leadership_disciplined,
                    "corruption_case": inp.corruption_case,
                    "kht_reasons": tuple(reasons),
                },
            )
        )
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


# --- unit tree and quota scopes ---------------------------------------------------------------


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


# --- the year ---------------------------------------------------------------------------------


def compute_year(
    year: int,
    pack: RulePack,
    catalog: Mapping[str, ViolationType],
    units: Iterable[UnitNode] | UnitTree,
    unit_inputs: Iterable[UnitInput],
    people: Iterable[PersonInput],
    approved_unit_levels: Mapping[str, Level] | None = None,
    scope_overrides: Mapping[Hashable, int] | None = None,
    unit_ratings: Mapping[str, Rating] | None = None,
    official_levels: Mapping[str, Level] | None = None,
) -> YearResult:
    """Rate a year: B1–B4 and the B5 quota among siblings, then (B6) official ratings A1–A8
    with the A10 quota by (quota root, duty_group), then party ratings A1–A9 with the A10 quota
    by quota root of the party unit.

    A8 caps a head at approved_unit_levels[unit] when given, else at the unit's computed level
    (the result is then provisional). scope_overrides maps a scope key ("unit", parent),
    ("official", root, duty_group) or ("party", root) to another p (A10 exception). The result
    does not depend on the order of the inputs; duplicate codes raise ValueError. The cyclic
    garbage collector is paused while it runs (and restored): it builds no cycles.

    unit_ratings, when given, are the year's unit ratings already computed (B1–B5, by an
    earlier call over all units): unit_inputs are then not rated again, so people can be rated
    in parts, each part closed under its quota scopes, with the heads capped as in one call.

    units may be a UnitTree (a caller rating a year in parts builds the tree once).

    official_levels, when given, are the official levels (after A10) of people passed without
    a category: they are rated as party members only, A9 comparing with that level. A party
    scope can then be rated with the members whose official scopes are not rated again.
    """
    with _gc_paused():
        return _compute_year(
            year,
            pack,
            catalog,
            units,
            unit_inputs,
            people,
            approved_unit_levels,
            scope_overrides,
            unit_ratings,
            official_levels,
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the block runs, restored after.

    A city year builds millions of small long-lived objects and no reference cycles; left on,
    the collector re-walks all of them about ten times and doubles the run time. Re-enabled
    as such, it would still walk them all at once at the next allocation (a fifth of the run):
    they are all young. So they are handed to the oldest generation without that walk
    (gc.freeze then gc.unfreeze moves every tracked object there), where the next full
    collection looks at them, as it would have anyway. Nothing escapes the collector; when
    something else keeps objects frozen (a pre-fork server), the collector is only re-enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _compute_year(
    year: int,
    pack: RulePack,
    catalog: Mapping[str, ViolationType],
    units: Iterable[UnitNode] | UnitTree,
    unit_inputs: Iterable[UnitInput],
    people: Iterable[PersonInput],
    approved_unit_levels: Mapping[str, Level] | None,
    scope_overrides: Mapping[Hashable, int] | None,
    unit_ratings: Mapping[str, Rating] | None = None,
    official_levels: Mapping[str, Level] | None = None,
) -> YearResult:
    c = _compile(pack, catalog)
    unit_inputs = list(unit_inputs)
    people = list(people)
    _refuse_duplicates([ui.code for ui in unit_inputs], "Đơn vị {} có hai dòng đánh giá tập thể.")
    _refuse_duplicates([inp.code for inp in people], "Cán bộ {} có hai dòng đánh giá trong năm.")
    # The tree's own nodes win over the parent/quota_root copies carried by the yearly inputs.
    # A UnitTree given as such is used as it is (its memo of quota roots grows) when it holds
    # every unit with inputs.
    if isinstance(units, UnitTree) and all(ui.code in units for ui in unit_inputs):
        tree = units
    else:
        units = units.nodes() if isinstance(units, UnitTree) else list(units)
        declared = {node.code for node in units}
        tree = UnitTree([*units, *(ui for ui in unit_inputs if ui.code not in declared)])
    # quota roots looked up as needed: memoized in the tree, the dict read first
    root_of = tree._roots.get
    quota_root_of = tree.quota_root_of
    with localcontext(_CTX):
        if unit_ratings is not None:
            unit_result = dict(unit_ratings)
        else:
            # B1–B4, then B5 among siblings
            rated = [_rate_unit(ui, c) for ui in unit_inputs]
            _quota(
                rated,
                [(_UNIT, tree.parent_of(r.code)) for r in rated],
                pack.b5_p,
                scope_overrides,
            )
            unit_result = {r.code: r for r in rated}

        # B6: the units' levels (approved, else computed) cap their heads (A8).
        unit_ranks: dict[str, tuple[int, bool]] = {
            code: (_RANK[r.level], False) for code, r in unit_result.items()
        }
        for code, level in (approved_unit_levels or {}).items():
            unit_ranks[code] = (_RANK[Level(level)], True)
        head_unit = unit_ranks.get
        no_unit = (0, True)
        cutoff = c.admitted_cutoff(year)
        rate = _rate_person

        # A1–A8, A10 for officials
        official: list[Rating] = []
        scopes: list[Hashable] = []
        # A2–A5 worked out for an official who is also a party member, for the party rating.
        shared: dict[str, tuple[Decimal, Decimal, int, tuple[RuleStep, ...]]] = {}
        a1_min = c.a1_min
        for inp in people:
            if inp.category:
                unit_rank, unit_ok = head_unit(inp.unit_code, no_unit) if inp.is_head else no_unit
                if inp.is_party_member and (inp.months_worked >= a1_min or inp.maternity):
                    common = shared[inp.code] = _common(inp, c)
                    rated = rate(inp, c, year, cutoff, False, unit_rank, unit_ok, 0, common)
                else:
                    rated = rate(inp, c, year, cutoff, False, unit_rank, unit_ok, 0)
                official.append(rated)
                unit_code = inp.unit_code
                root = root_of(unit_code) or quota_root_of(unit_code)
                scopes.append((_OFFICIAL, root, inp.duty_group))
        _quota(official, scopes, pack.a10_p, scope_overrides)
        official_result = {r.code: r for r in official}

        # A1–A9, A10 for party members, after the officials' quota
        party: list[Rating] = []
        scopes = []
        own_official = official_result.get
        given_official = (official_levels or {}).get
        shared_common = shared.get
        for inp in people:
            if inp.is_party_member:
                unit_rank, unit_ok = head_unit(inp.unit_code, no_unit) if inp.is_head else no_unit
                own = own_official(inp.code)
                if own is not None:
                    official_rank = _RANK[own.level]
                else:
                    given = given_official(inp.code)
                    official_rank = 0 if given is None else _RANK[Level(given)]
                party.append(
                    rate(
                        inp,
                        c,
                        year,
                        cutoff,
                        True,
                        unit_rank,
                        unit_ok,
                        official_rank,
                        shared_common(inp.code),
                    )
                )
                unit_code = inp.party_unit_code or inp.unit_code
                root = root_of(unit_code) or quota_root_of(unit_code)
                scopes.append((_PARTY, root))
        _quota(party, scopes, pack.a10_p, scope_overrides)
        party_result = {r.code: r for r in party}
    return YearResult(unit_result, official_result, party_result)


def _refuse_duplicates(codes: list[str], message: str) -> None:
    if len(set(codes)) != len(codes):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise ValueError(message.format(code))
            seen.add(code)


# --- A11 proposal and decision ----------------------------------------------------------------


def ceiling_of(rating: Rating) -> Level:
    """Highest level A1–A9 (B1–B4) allow: the level before the quota pass."""
    if rating.level is Level.T and any(
        s.rule_id in ("A10", "B5") and s.figures.get("rank", 0) > s.figures.get("allowed", 0)
        for s in rating.steps
    ):
        return Level.XS
    return rating.level


def check_proposal(computed: Level, proposed: Level, reason: str | None) -> list[str]:
    """A11: a head may propose a lower level than the computed one, with a reason; never higher."""
    errors = []
    if computed is Level.NR or proposed is Level.NR:
        if computed is not proposed:
            errors.append("A1: không được thay đổi việc không xếp loại (NR) khi đề xuất.")
        return errors
    if _RANK[proposed] > _RANK[computed]:
        errors.append(
            f"A11: không được đề xuất mức cao hơn mức tính toán ({proposed} > {computed})."
        )
    elif _RANK[proposed] < _RANK[computed] and not (reason and reason.strip()):
        errors.append(f"A11: đề xuất mức thấp hơn ({proposed} < {computed}) phải có lý do.")
    return errors


def check_final_levels(
    ratings: Iterable[Rating],
    final_levels: Mapping[str, Level],
    scope_of: Callable[[Rating], Hashable],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[str]:
    """A11: final levels of a list must keep A1 (NR), stay within each rating's caps (A1–A9 or
    B1–B4), keep the A10/B5 quota in every scope, and no head may still be provisional (A8)."""
    ratings = list(ratings)
    errors = check_caps(ratings, final_levels)
    entries = [(scope_of(r), Level(final_levels.get(r.code, r.level))) for r in ratings]
    return errors + check_quota(entries, p, overrides)


def check_caps(ratings: Iterable[Rating], final_levels: Mapping[str, Level]) -> list[str]:
    """A11 for each rating alone: A8 not provisional, A1 kept, final level ≤ the caps' ceiling."""
    errors: list[str] = []
    for r in ratings:
        final = Level(final_levels.get(r.code, r.level))
        if r.provisional:
            errors.append(
                f"A8: {r.code} là người đứng đầu, kết quả tạm tính: cần phê duyệt xếp loại "
                "đơn vị trước."
            )
        if (final is Level.NR) != (r.level is Level.NR):
            errors.append(f"A1: {r.code} mức {final} trái với việc xếp loại ({r.level}).")
            continue
        ceiling = ceiling_of(r)
        if _RANK[final] > _RANK[ceiling]:
            rule = next(
                (s.rule_id for s in reversed(r.steps) if s.rule_id not in ("A10", "B5")), "A11"
            )
            errors.append(f"{rule}: {r.code} mức {final} vượt mức tối đa {ceiling}.")
    return errors


def check_quota(
    entries: Iterable[tuple[Hashable, Level]],
    p: int,
    overrides: Mapping[Hashable, int] | None = None,
) -> list[str]:
    """A10/B5 on final levels: in each scope, XS ≤ k(p, n) with n = number at XS or T.
    `entries` are (scope, final level) of every rating of the scopes to check."""
    errors: list[str] = []
    counts: dict[Hashable, list[int]] = {}
    for scope, final in entries:
        if final is Level.XS or final is Level.T:
            slot = counts.setdefault(scope, [0, 0])
            slot[0] += 1
            if final is Level.XS:
                slot[1] += 1
    for scope, (n, xs) in counts.items():
        scope_p = p if overrides is None else overrides.get(scope, p)
        k = quota_allowed(scope_p, n)
        if xs > k:
            rule = "B5" if isinstance(scope, tuple) and scope[:1] == (_UNIT,) else "A10"
            errors.append(
                f"{rule}: phạm vi {_scope_text(scope)} có {xs} XS, chỉ được tối đa {k} "
                f"(p = {scope_p}%, {n} người/đơn vị ở mức XS hoặc T)."
            )
    return errors
