"""The Vietnamese message templates of the steps, rendered over each step's figures at read
time (render: str.format with one more format spec, `{to:level}`, that names a level code in
words). Not a character of a template may change once it is stored: stored explanations name a
template by the BLAKE2b of its text; a new wording is a new template (old rows keep theirs).

Each message says, in plain words, the rule's condition with the year's thresholds, then the
person's (or unit's) figures, then what follows: "A4: mức Tốt cần 0 nhiệm vụ chậm; có 1/12
nhiệm vụ chậm → Hoàn thành nhiệm vụ". Levels are named in words, never by code."""

from __future__ import annotations

import string
from typing import Any

from evaluation.rules.levels import LEVEL_WORDS

_A1_MONTHS = (
    "A1: được xếp loại cần ít nhất {min_months} tháng công tác hoặc nghỉ thai sản; "
    "có {months_worked} tháng công tác → Không xếp loại"
)
_A1_STATUS = (
    "A1: đảng viên được xếp loại cần đang sinh hoạt Đảng; đang {status_text} Đảng → Không xếp loại"
)
_A1_ADMITTED = (
    "A1: đảng viên được xếp loại cần vào Đảng đến hết ngày {cutoff:%d/%m/%Y}; "
    "vào Đảng ngày {admitted_on:%d/%m/%Y} → Không xếp loại"
)
_A2_MONTHLY = (
    "A2: điểm {score} = tiêu chí chung {general:.2f} (trong đó Chỉ thị 24: {directive}) "
    "+ điểm nhiệm vụ {task_points} ({task_weight} × trung bình {monthly_count} tháng chấm điểm "
    "/ 100)"
)
_A2_YEARLY = (
    "A2: điểm {score} = tiêu chí chung {general:.2f} (trong đó Chỉ thị 24: {directive}) "
    "+ điểm nhiệm vụ cả năm {task_points}"
)
# A3 and B2 by band, KHT first (indexed by the level's rank - 1)
_A3 = (
    "A3: mức Không hoàn thành nhiệm vụ dưới {band_ht} điểm; điểm {score} "
    "→ Không hoàn thành nhiệm vụ",
    "A3: mức Hoàn thành nhiệm vụ từ {band_ht} đến dưới {band_t} điểm; điểm {score} "
    "→ Hoàn thành nhiệm vụ",
    "A3: mức Tốt từ {band_t} đến dưới {band_xs} điểm; điểm {score} → Tốt",
    "A3: mức Xuất sắc từ {band_xs} điểm; điểm {score} → Xuất sắc",
)
_B2 = tuple("B2" + t[2:] for t in _A3)
# A4 by the level the tasks allow: KHT, HT, T (indexed by its rank - 1)
_A4 = (
    "A4: mức Hoàn thành nhiệm vụ cần không quá {ht_late_pct}% nhiệm vụ chậm; "
    "có {tasks_late}/{tasks_total} nhiệm vụ chậm → Không hoàn thành nhiệm vụ",
    "A4: mức Tốt cần 0 nhiệm vụ chậm; có {tasks_late}/{tasks_total} nhiệm vụ chậm "
    "→ Hoàn thành nhiệm vụ",
    "A4: mức Xuất sắc cần 0 nhiệm vụ chậm và ít nhất {xs_exceeded_pct}% nhiệm vụ vượt; "
    "có {tasks_exceeded}/{tasks_total} nhiệm vụ vượt → Tốt",
)
_A6 = (
    "A6: bị kỷ luật trong năm thì Không hoàn thành nhiệm vụ; "
    "bị {discipline_label} năm {discipline_year} → Không hoàn thành nhiệm vụ"
)
_A6_SELF = (
    "A6: đảng viên bị kỷ luật trong năm nhưng tự phát hiện và khắc phục thì tối đa "
    "Hoàn thành nhiệm vụ; bị {discipline_label} năm {discipline_year} → Hoàn thành nhiệm vụ"
)
_A7 = (
    "A7: mức Tốt trở lên cần ít nhất {min_months} tháng công tác (trừ nghỉ thai sản); "
    "có {months_worked} tháng công tác → Hoàn thành nhiệm vụ"
)
_A8_RULE = "A8: người đứng đầu không được xếp cao hơn đơn vị mình; "
_A8_APPROVED = _A8_RULE + "{unit_code} được xếp {unit_level:level} (đã phê duyệt) → {to:level}"
_A8_COMPUTED = (
    _A8_RULE + "{unit_code} tạm tính {unit_level:level}, chờ phê duyệt → {to:level} (tạm tính)"
)
_A8_PROVISIONAL = (
    _A8_RULE + "{unit_code} tạm tính {unit_level:level}, chờ phê duyệt → kết quả tạm tính"
)
_A9 = (
    "A9: đảng viên mức Xuất sắc cần xếp loại cán bộ Xuất sắc; "
    "xếp loại cán bộ {official_level:level} → Tốt"
)
_A10_QUOTA = (
    "A10: trong {scope_name}, {rated} người đạt Tốt trở lên nên được giữ tối đa {allowed} "
    "Xuất sắc; xếp hạng {rank}"
)
_B5_QUOTA = (
    "B5: trong {scope_name}, {rated} đơn vị đạt Tốt trở lên nên được giữ tối đa {allowed} "
    "Xuất sắc; xếp hạng {rank}"
)
_A10_KEEP = _A10_QUOTA + " → giữ Xuất sắc"
_A10_DOWN = _A10_QUOTA + " → Tốt"
_B5_KEEP = _B5_QUOTA + " → giữ Xuất sắc"
_B5_DOWN = _B5_QUOTA + " → Tốt"
_B1 = (
    "B1: điểm {score} = tiêu chí chung {criteria:.2f} + Chỉ thị 24 {directive:.2f} "
    "(đạt {k_met_text}: {k_points:.2f} điểm, trừ vi phạm {deducted:.2f}) "
    "+ điểm nhiệm vụ {task_points}"
)
# B3 by the level the targets allow: KHT, HT, T (indexed by its rank - 1), and KHT by a trigger
_B3 = (
    "B3: mức Hoàn thành nhiệm vụ cần không quá {ht_late_pct}% chỉ tiêu chậm; "
    "có {targets_late}/{targets_total} chỉ tiêu chậm → Không hoàn thành nhiệm vụ",
    "B3: mức Tốt cần 0 chỉ tiêu chậm; có {targets_late}/{targets_total} chỉ tiêu chậm "
    "→ Hoàn thành nhiệm vụ",
    "B3: mức Xuất sắc cần 0 chỉ tiêu chậm, ít nhất {xs_exceeded_pct}% chỉ tiêu vượt và không "
    "đơn vị trực thuộc nào bị kỷ luật; có {targets_exceeded}/{targets_total} chỉ tiêu vượt, "
    "{subunits_disciplined} đơn vị trực thuộc bị kỷ luật → Tốt",
)
_B3_KHT = (
    "B3: Không hoàn thành nhiệm vụ khi hoàn thành dưới {done_min_pct}% chỉ tiêu, "
    "trên {subunits_disciplined_max_pct}% đơn vị trực thuộc bị kỷ luật, tập thể lãnh đạo bị "
    "kỷ luật hoặc có vụ việc tham nhũng; {detail} → Không hoàn thành nhiệm vụ"
)
_B4_K2 = (
    "B4: mức Xuất sắc cần đạt K2 (nhiệm vụ đột phá được đăng ký và hoàn thành); K2 chưa đạt → Tốt"
)
# A5 and B4 (the same caps): one or more violations cap T, many or a serious one cap HT
_VIOLATION_FEW = (
    "{rule}: mức Xuất sắc cần không có vi phạm Chỉ thị 24; có {count} vi phạm ({codes}) → Tốt"
)
_VIOLATION_MANY = (
    "{rule}: mức Tốt cần dưới {many} vi phạm Chỉ thị 24; có {count} vi phạm ({codes}) "
    "→ Hoàn thành nhiệm vụ"
)
_VIOLATION_SERIOUS = (
    "{rule}: mức Tốt cần không có vi phạm nghiêm trọng; có {count} vi phạm ({codes}), "
    "có vi phạm nghiêm trọng → Hoàn thành nhiệm vụ"
)

# Every message template a step can carry (a test checks the steps against it): the stored
# explanations name their template by a key (evaluation.compute), and a recompute registers
# these in one statement before it writes.
TEMPLATES = (
    _A1_MONTHS,
    _A1_STATUS,
    _A1_ADMITTED,
    _A2_MONTHLY,
    _A2_YEARLY,
    *_A3,
    *_A4,
    _A6,
    _A6_SELF,
    _A7,
    _A8_APPROVED,
    _A8_COMPUTED,
    _A8_PROVISIONAL,
    _A9,
    _A10_KEEP,
    _A10_DOWN,
    _B5_KEEP,
    _B5_DOWN,
    _B1,
    *_B2,
    *_B3,
    _B3_KHT,
    _B4_K2,
    _VIOLATION_SERIOUS,
    _VIOLATION_MANY,
    _VIOLATION_FEW,
)


class _Words(string.Formatter):
    """str.format with `{figure:level}`: a level code (XS, T, ...) in words (LEVEL_WORDS)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "level":
            return LEVEL_WORDS[value]
        return format(value, format_spec)


_render = _Words().vformat


def render(template: str, figures: dict[str, Any]) -> str:
    """A step's message: its template over its figures."""
    if ":level}" in template:
        return _render(template, (), figures)
    return template.format_map(figures)
