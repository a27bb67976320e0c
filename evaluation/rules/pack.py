"""The rule pack: every number of RULES.md A and B for one year, with labels and validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def _param(default: Any, label: str) -> Any:
    """A RulePack field: its default and its Vietnamese label (RulePack.label)."""
    return field(default=default, metadata={"label": label})


@dataclass(frozen=True, slots=True)
class RulePack:
    """Every number of RULES.md A and B for one year, with the shipped defaults."""

    a1_min_months: int = _param(6, "A1 số tháng công tác tối thiểu để được xếp loại")
    a1_party_admitted_month: int = _param(6, "A1 tháng của hạn vào Đảng để được xếp loại")
    a1_party_admitted_day: int = _param(30, "A1 ngày của hạn vào Đảng để được xếp loại")
    a2_criterion_max: Decimal = _param(Decimal("5"), "A2 điểm tối đa mỗi tiêu chí chung")
    a2_directive_max: Decimal = _param(Decimal("10"), "A2 điểm tối đa tiêu chí Chỉ thị 24")
    a2_task_weight: Decimal = _param(Decimal("70"), "A2 điểm tối đa kết quả nhiệm vụ")
    a2_monthly_max: Decimal = _param(Decimal("100"), "A2 điểm tối đa chấm hằng tháng")
    d_deduction_minor: Decimal = _param(Decimal("2"), "D điểm trừ mỗi vi phạm nhẹ")
    d_deduction_serious: Decimal = _param(Decimal("5"), "D điểm trừ mỗi vi phạm nghiêm trọng")
    a3_band_xs: Decimal = _param(Decimal("90"), "A3 ngưỡng điểm XS")
    a3_band_t: Decimal = _param(Decimal("70"), "A3 ngưỡng điểm T")
    a3_band_ht: Decimal = _param(Decimal("50"), "A3 ngưỡng điểm HT")
    a4_xs_exceeded_pct: int = _param(30, "A4 tỷ lệ nhiệm vụ vượt tối thiểu cho XS (%)")
    a4_ht_late_pct: int = _param(20, "A4 tỷ lệ nhiệm vụ chậm tối đa cho HT (%)")
    a5_many_violations: int = _param(3, "A5 số vi phạm từ đó giới hạn HT")
    a7_min_months: int = _param(9, "A7 số tháng công tác để không bị giới hạn HT")
    a10_p: int = _param(20, "A10 tỷ lệ XS so với T (%)")
    b1_k1: Decimal = _param(Decimal("3"), "B1 điểm K1 quán triệt đúng hạn")
    b1_k2: Decimal = _param(Decimal("3"), "B1 điểm K2 nhiệm vụ đột phá")
    b1_k3: Decimal = _param(Decimal("2"), "B1 điểm K3 giải quyết tồn đọng")
    b1_k4: Decimal = _param(Decimal("2"), "B1 điểm K4 tự kiểm tra")
    b3_xs_exceeded_pct: int = _param(30, "B3 tỷ lệ chỉ tiêu vượt tối thiểu cho XS (%)")
    b3_ht_late_pct: int = _param(20, "B3 tỷ lệ chỉ tiêu chậm tối đa cho HT (%)")
    b3_done_min_pct: int = _param(50, "B3 tỷ lệ chỉ tiêu hoàn thành tối thiểu (%)")
    b3_subunits_disciplined_max_pct: int = _param(
        20, "B3 tỷ lệ đơn vị trực thuộc bị kỷ luật tối đa (%)"
    )
    b5_p: int = _param(20, "B5 tỷ lệ đơn vị XS so với T (%)")

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


# Parameter name -> Vietnamese label, from the fields
_PACK_LABELS = {f.name: f.metadata["label"] for f in fields(RulePack)}
