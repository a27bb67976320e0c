"""The Vietnamese message templates of the steps (str.format_map over each step's figures). Not
a character may change: stored explanations name a template by the BLAKE2b of its text."""

from __future__ import annotations

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
