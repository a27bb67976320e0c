"""Columns of the evaluation's import files (TEMPLATES.md "Đánh giá cá nhân", "Đánh giá tập
thể", "Lịch sử"), described with the import framework's column builders."""

from __future__ import annotations

from evaluation.rules import Level
from evaluation.schemas import AWARD_CODES, DISCIPLINE_FORMS, LEVELS
from service.common.spreadsheets import Column
from service.imports.schemas import (
    EXAMPLE_YEAR,
    YEAR_COLUMN,
    count_column,
    points_column,
    yes_no_column,
)

VIOLATIONS_HELP = (
    "Mã biểu hiện vi phạm Chỉ thị 24 trong danh mục của năm (1.01 … 3.04), cách nhau bởi "
    "dấu phẩy hoặc chấm phẩy. Mã chưa ghi nhận được thêm; vi phạm đã ghi nhận không bị gỡ "
    "(gỡ trên trang của cán bộ, đơn vị, có lý do); để trống: không đổi."
)
CRITERIA_COLUMNS = [
    points_column("ct", "Chính trị tư tưởng", 5, 5),
    points_column("dd", "Đạo đức, lối sống", 5, 5),
    points_column("tp", "Tác phong, lề lối", 5, 5),
    points_column("kl", "Ý thức tổ chức kỷ luật", 5, 5),
]

PERSON_EVAL_COLUMNS = [
    YEAR_COLUMN,
    Column(
        "person_code",
        "Mã cán bộ",
        "code",
        required=True,
        max_len=50,
        help="Mã cán bộ (phải có sẵn).",
        example="PX00001",
    ),
    *CRITERIA_COLUMNS,
    Column("violations", "Biểu hiện vi phạm", "text", help=VIOLATIONS_HELP),
    *[
        points_column(f"m{m}", f"Tháng {m}", 100, 90, "Điểm nhiệm vụ của tháng, từ 0 đến 100.")
        for m in range(1, 13)
    ],
    points_column(
        "task_points",
        "Điểm nhiệm vụ",
        70,
        None,
        "Điểm nhiệm vụ cả năm (0–70), chỉ dùng khi không có điểm tháng nào.",
    ),
    count_column("tasks_total", "Tổng số nhiệm vụ", example=10),
    count_column("tasks_late", "Số nhiệm vụ chậm", help="Không lớn hơn tổng số nhiệm vụ."),
    count_column(
        "tasks_exceeded", "Số nhiệm vụ vượt", help="Không lớn hơn tổng số nhiệm vụ.", example=3
    ),
    count_column(
        "months_worked",
        "Số tháng công tác",
        12,
        example=12,
        help="Số tháng công tác trong năm (0–12); để trống là 12.",
    ),
    yes_no_column("maternity", "Nghỉ thai sản"),
    Column(
        "discipline_form",
        "Hình thức kỷ luật",
        "choice",
        choices={label: key for key, label in DISCIPLINE_FORMS.items()},
        help=", ".join(DISCIPLINE_FORMS.values()) + "; để trống nếu không bị kỷ luật.",
    ),
    Column(
        "discipline_year",
        "Năm quyết định kỷ luật",
        "year",
        min=1950,
        max=2100,
        help="Năm của quyết định kỷ luật.",
    ),
    Column(
        "discipline_date",
        "Ngày quyết định kỷ luật",
        "date",
        help="dd/mm/yyyy; không bắt buộc, khi có thì năm quyết định lấy theo ngày này.",
    ),
    yes_no_column("party_discipline", "Kỷ luật Đảng"),
    yes_no_column(
        "counted_before", "Đã tính ở năm trước", "Kỷ luật đã được tính khi xếp loại năm trước."
    ),
    yes_no_column("self_remedied", "Tự phát hiện, khắc phục"),
    yes_no_column(
        "under_review", "Đang bị xem xét", "Đang bị xem xét kỷ luật, điều tra, thanh tra…"
    ),
    count_column("initiatives_base", "Sáng kiến cấp cơ sở", 1000),
    count_column("initiatives_city", "Sáng kiến cấp thành phố", 1000),
]

UNIT_EVAL_COLUMNS = [
    YEAR_COLUMN,
    Column(
        "unit_code",
        "Mã đơn vị",
        "code",
        required=True,
        max_len=50,
        help="Mã đơn vị được đánh giá (phải có sẵn).",
        example="PX01",
    ),
    *CRITERIA_COLUMNS,
    yes_no_column("k1", "Quán triệt đúng hạn", "Quán triệt, ban hành kế hoạch đúng hạn.", "Có"),
    yes_no_column(
        "k2", "Nhiệm vụ đột phá", "Đăng ký và hoàn thành ít nhất một nhiệm vụ đột phá.", "Có"
    ),
    yes_no_column("k3", "Giải quyết tồn đọng", "Rà soát, giải quyết việc tồn đọng.", "Có"),
    yes_no_column("k4", "Tự kiểm tra", "Tự kiểm tra việc thực hiện Chỉ thị.", "Có"),
    Column("violations", "Biểu hiện vi phạm", "text", help=VIOLATIONS_HELP),
    points_column("task_points", "Điểm nhiệm vụ", 70, 60, "Điểm nhiệm vụ (0–70) do cấp trên chấm."),
    count_column("targets_total", "Tổng chỉ tiêu", example=10),
    count_column(
        "targets_done", "Chỉ tiêu hoàn thành", help="Không lớn hơn tổng chỉ tiêu.", example=10
    ),
    count_column("targets_late", "Chỉ tiêu chậm", help="Không lớn hơn tổng chỉ tiêu."),
    count_column(
        "targets_exceeded", "Chỉ tiêu vượt", help="Không lớn hơn tổng chỉ tiêu.", example=3
    ),
    count_column("subunits_total", "Số đơn vị trực thuộc", example=2),
    count_column(
        "subunits_disciplined",
        "Số đơn vị trực thuộc bị kỷ luật",
        help="Không lớn hơn số đơn vị trực thuộc.",
    ),
    yes_no_column("leadership_disciplined", "Tập thể lãnh đạo bị kỷ luật"),
    yes_no_column("corruption_case", "Có vụ việc tham nhũng"),
    yes_no_column("under_review", "Đang bị xem xét"),
]

LEVEL_CHOICES = {Level(code).label: code for code in LEVELS}
LEVEL_HELP = (
    "Mã XS, T, HT, KHT, NR hoặc tên đầy đủ ("
    + ", ".join(f"{code}: {label}" for label, code in LEVEL_CHOICES.items())
    + "); để trống nếu không có."
)

HISTORY_COLUMNS = [
    Column(
        "year",
        "Năm",
        "year",
        required=True,
        min=1950,
        max=2100,
        help="Năm đã qua, chưa đánh giá trong hệ thống.",
        example=EXAMPLE_YEAR - 1,
    ),
    Column(
        "code",
        "Mã",
        "code",
        required=True,
        max_len=50,
        help="Mã cán bộ, hoặc mã đơn vị khi cột Là đơn vị là Có.",
        example="PX00001",
    ),
    yes_no_column(
        "is_unit", "Là đơn vị", "Có: dòng của một đơn vị (tập thể); Không: của một cán bộ."
    ),
    Column(
        "official_level",
        "Xếp loại",
        "choice",
        choices=LEVEL_CHOICES,
        help=LEVEL_HELP,
        example=Level.XS.label,
    ),
    Column(
        "party_level",
        "Xếp loại đảng viên",
        "choice",
        choices=LEVEL_CHOICES,
        help=LEVEL_HELP,
        example=Level.T.label,
    ),
    Column(
        "awards",
        "Danh hiệu, khen thưởng",
        "text",
        help="Mã danh hiệu, khen thưởng cách nhau bởi dấu phẩy: " + ", ".join(AWARD_CODES) + ".",
        example="LDTT, CSTDCS",
    ),
    count_column("initiatives_base", "Sáng kiến cấp cơ sở", 1000),
    count_column("initiatives_city", "Sáng kiến cấp thành phố", 1000),
]
