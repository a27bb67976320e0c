"""Import templates of TEMPLATES.md: the columns (Vietnamese label, key, type) of each file;
the schemas of the import API's answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluation.rules import Level
from evaluation.schemas import AWARD_CODES, DISCIPLINE_FORMS, LEVELS
from service.common.schemas import BaseSchema, ErrorDetailSchema, OutSchema, fields
from service.common.spreadsheets import Column
from service.org.models import CATEGORY_LABELS, GENDER_LABELS, PARTY_STATUS_LABELS

YES_NO = ["Có", "Không"]

UNIT_COLUMNS = [
    Column(
        "unit_code",
        "Mã đơn vị",
        "code",
        required=True,
        max_len=50,
        help="Mã duy nhất của đơn vị (chữ không dấu, số).",
        example="PX01",
    ),
    Column(
        "name",
        "Tên đơn vị",
        "text",
        required=True,
        help="Tên đầy đủ.",
        example="Đảng ủy phường Ví Dụ",
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        "code",
        max_len=50,
        help="Để trống nếu là đơn vị gốc; có thể là đơn vị trong cùng tệp.",
        example="",
    ),
    Column(
        "kind",
        "Loại đơn vị",
        "text",
        max_len=100,
        help="Ví dụ: đảng ủy, chi bộ, cơ quan, phòng, trường học.",
        example="đảng ủy",
    ),
    Column(
        "quota_root",
        "Đơn vị tính tỷ lệ",
        "bool",
        help="Có: tỷ lệ xuất sắc được tính trong phạm vi đơn vị này.",
        example="Có",
    ),
]

PEOPLE_COLUMNS = [
    Column(
        "person_code",
        "Mã cán bộ",
        "code",
        required=True,
        max_len=50,
        help="Mã duy nhất của cán bộ.",
        example="PX00001",
    ),
    Column("full_name", "Họ và tên", "text", required=True, example="Nguyễn Văn An"),
    Column("birth_date", "Ngày sinh", "date", help="dd/mm/yyyy.", example="15/03/1985"),
    Column(
        "gender",
        "Giới tính",
        "choice",
        choices={label: g.value for g, label in GENDER_LABELS.items()},
        example="Nam",
    ),
    Column(
        "unit_code",
        "Mã đơn vị",
        "code",
        required=True,
        max_len=50,
        help="Mã đơn vị công tác (phải có sẵn).",
        example="PX01",
    ),
    Column("position", "Chức vụ", "text", example="Chuyên viên"),
    Column(
        "duty_group",
        "Nhóm nhiệm vụ",
        "text",
        max_len=100,
        help="Nhóm có nhiệm vụ tương đồng (tính tỷ lệ).",
        example="chuyên môn",
    ),
    Column("is_head", "Người đứng đầu", "bool", example="Không"),
    Column(
        "category",
        "Đối tượng",
        "choice",
        choices={label: c.value for c, label in CATEGORY_LABELS.items()},
        help="cán bộ, công chức, viên chức, người lao động hoặc để trống.",
        example="công chức",
    ),
    Column("is_party_member", "Đảng viên", "bool", example="Có"),
    Column("party_unit_code", "Mã chi bộ", "code", max_len=50, example="PX01CB1"),
    Column("admitted_on", "Ngày vào Đảng", "date", help="dd/mm/yyyy.", example="03/02/2010"),
    Column("party_gap_days", "Số ngày gián đoạn", "int", min=0, max=36500, example=0),
    Column(
        "party_status",
        "Tình trạng sinh hoạt Đảng",
        "choice",
        choices={label: s.value for s, label in PARTY_STATUS_LABELS.items()},
        example="đang sinh hoạt",
    ),
    Column("seriously_ill", "Ốm nặng", "bool", example="Không"),
]


def _points(key, label, maximum, example=None, help=""):
    """A criterion, monthly or task score: a number 0–maximum (2 decimals, rounded half-up)."""
    return Column(
        key,
        label,
        "decimal",
        min=Decimal(0),
        max=Decimal(maximum),
        help=help or f"Số từ 0 đến {maximum}, tối đa 2 chữ số thập phân.",
        example=example,
    )


def _count(key, label, maximum=100_000, example=0, help=""):
    return Column(key, label, "int", min=0, max=maximum, help=help, example=example)


def _yes_no(key, label, help="", example="Không"):
    return Column(key, label, "bool", help=help, example=example)


EXAMPLE_YEAR = dt.date.today().year
YEAR_COLUMN = Column(
    "year",
    "Năm",
    "year",
    required=True,
    min=2000,
    max=2100,
    help="Năm đánh giá (phải được mở trong hệ thống).",
    example=EXAMPLE_YEAR,
)
VIOLATIONS_HELP = (
    "Mã biểu hiện vi phạm Chỉ thị 24 trong danh mục của năm (1.01 … 3.04), cách nhau bởi "
    "dấu phẩy hoặc chấm phẩy; để trống nếu không có. Nhập lại sẽ gỡ các vi phạm không còn trong ô."
)
CRITERIA_COLUMNS = [
    _points("ct", "Chính trị tư tưởng", 5, 5),
    _points("dd", "Đạo đức, lối sống", 5, 5),
    _points("tp", "Tác phong, lề lối", 5, 5),
    _points("kl", "Ý thức tổ chức kỷ luật", 5, 5),
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
        _points(f"m{m}", f"Tháng {m}", 100, 90, "Điểm nhiệm vụ của tháng, từ 0 đến 100.")
        for m in range(1, 13)
    ],
    _points(
        "task_points",
        "Điểm nhiệm vụ",
        70,
        None,
        "Điểm nhiệm vụ cả năm (0–70), chỉ dùng khi không có điểm tháng nào.",
    ),
    _count("tasks_total", "Tổng số nhiệm vụ", example=10),
    _count("tasks_late", "Số nhiệm vụ chậm", help="Không lớn hơn tổng số nhiệm vụ."),
    _count("tasks_exceeded", "Số nhiệm vụ vượt", help="Không lớn hơn tổng số nhiệm vụ.", example=3),
    _count(
        "months_worked",
        "Số tháng công tác",
        12,
        example=12,
        help="Số tháng công tác trong năm (0–12); để trống là 12.",
    ),
    _yes_no("maternity", "Nghỉ thai sản"),
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
    _yes_no("party_discipline", "Kỷ luật Đảng"),
    _yes_no(
        "counted_before", "Đã tính ở năm trước", "Kỷ luật đã được tính khi xếp loại năm trước."
    ),
    _yes_no("self_remedied", "Tự phát hiện, khắc phục"),
    _yes_no("under_review", "Đang bị xem xét", "Đang bị xem xét kỷ luật, điều tra, thanh tra…"),
    _count("initiatives_base", "Sáng kiến cấp cơ sở", 1000),
    _count("initiatives_city", "Sáng kiến cấp thành phố", 1000),
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
    _yes_no("k1", "Quán triệt đúng hạn", "Quán triệt, ban hành kế hoạch đúng hạn.", "Có"),
    _yes_no("k2", "Nhiệm vụ đột phá", "Đăng ký và hoàn thành ít nhất một nhiệm vụ đột phá.", "Có"),
    _yes_no("k3", "Giải quyết tồn đọng", "Rà soát, giải quyết việc tồn đọng.", "Có"),
    _yes_no("k4", "Tự kiểm tra", "Tự kiểm tra việc thực hiện Chỉ thị.", "Có"),
    Column("violations", "Biểu hiện vi phạm", "text", help=VIOLATIONS_HELP),
    _points("task_points", "Điểm nhiệm vụ", 70, 60, "Điểm nhiệm vụ (0–70) do cấp trên chấm."),
    _count("targets_total", "Tổng chỉ tiêu", example=10),
    _count("targets_done", "Chỉ tiêu hoàn thành", help="Không lớn hơn tổng chỉ tiêu.", example=10),
    _count("targets_late", "Chỉ tiêu chậm", help="Không lớn hơn tổng chỉ tiêu."),
    _count("targets_exceeded", "Chỉ tiêu vượt", help="Không lớn hơn tổng chỉ tiêu.", example=3),
    _count("subunits_total", "Số đơn vị trực thuộc", example=2),
    _count(
        "subunits_disciplined",
        "Số đơn vị trực thuộc bị kỷ luật",
        help="Không lớn hơn số đơn vị trực thuộc.",
    ),
    _yes_no("leadership_disciplined", "Tập thể lãnh đạo bị kỷ luật"),
    _yes_no("corruption_case", "Có vụ việc tham nhũng"),
    _yes_no("under_review", "Đang bị xem xét"),
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
    _yes_no("is_unit", "Là đơn vị", "Có: dòng của một đơn vị (tập thể); Không: của một cán bộ."),
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
    _count("initiatives_base", "Sáng kiến cấp cơ sở", 1000),
    _count("initiatives_city", "Sáng kiến cấp thành phố", 1000),
]

# kind -> its template; `permission` is the action (service.auth.access) that may import it
TEMPLATES = {
    "units": {
        "title": "Đơn vị",
        "columns": UNIT_COLUMNS,
        "file": "mau_don_vi.xlsx",
        "permission": "import.units",
    },
    "people": {
        "title": "Cán bộ",
        "columns": PEOPLE_COLUMNS,
        "file": "mau_can_bo.xlsx",
        "permission": "import.people",
    },
    "person_evals": {
        "title": "Đánh giá cá nhân",
        "columns": PERSON_EVAL_COLUMNS,
        "file": "mau_danh_gia_ca_nhan.xlsx",
        "permission": "import.evaluations",
    },
    "unit_evals": {
        "title": "Đánh giá tập thể",
        "columns": UNIT_EVAL_COLUMNS,
        "file": "mau_danh_gia_tap_the.xlsx",
        "permission": "import.evaluations",
    },
    "history": {
        "title": "Lịch sử",
        "columns": HISTORY_COLUMNS,
        "file": "mau_lich_su.xlsx",
        "permission": "import.history",
    },
}

KIND_HELP = {
    "text": "Chữ",
    "code": "Mã (ô dạng văn bản, giữ số 0 ở đầu)",
    "int": "Số nguyên",
    "decimal": "Số",
    "bool": "Có/Không",
    "date": "Ngày dd/mm/yyyy",
    "choice": "Chọn trong danh sách",
    "year": "Năm",
}


def blank_template_sheets(kind: str) -> list[dict]:
    """Sheets of a blank template: header + example row + validation lists, and "Hướng dẫn"."""
    spec = TEMPLATES[kind]
    cols = spec["columns"]
    validations = {}
    for i, c in enumerate(cols):
        if c.kind == "bool":
            validations[i] = YES_NO
        elif c.kind == "choice":
            validations[i] = list(c.choices)
    example = []
    for c in cols:
        value = c.example
        if c.kind == "date" and isinstance(value, str) and value:
            value = dt.datetime.strptime(value, "%d/%m/%Y").date()
        example.append(value)
    guide_rows = [
        (
            c.label,
            c.key,
            KIND_HELP[c.kind],
            "Có" if c.required else "Không",
            c.help or ", ".join(c.choices or ()),
        )
        for c in cols
    ]
    return [
        {
            "name": spec["title"],
            "headers": [(c.label, max(14, len(c.label) + 4)) for c in cols],
            "rows": [example],
            "validations": validations,
            "text_cols": {i for i, c in enumerate(cols) if c.kind == "code"},
        },
        {
            "name": "Hướng dẫn",
            "title": f"Hướng dẫn nhập mẫu {spec['title']}",
            "subtitle": [
                "Dòng 1 là tiêu đề cột; cột nhận theo tên tiếng Việt hoặc mã cột, thứ tự bất kỳ.",
                "Tệp được nhập toàn bộ hoặc không nhập gì: có lỗi thì không lưu dòng nào.",
                "Nhập lại cùng một tệp không thay đổi gì (khớp theo mã).",
            ],
            "headers": [
                ("Cột", 28),
                ("Mã cột", 18),
                ("Kiểu", 30),
                ("Bắt buộc", 10),
                ("Giải thích / giá trị", 70),
            ],
            "rows": guide_rows,
        },
    ]


# --- API answers -----------------------------------------------------------------------------


class CellErrorSchema(BaseSchema):
    """One error of an imported file: where (sheet, row, column), the value read, and why."""

    sheet = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    value = fields.Raw(allow_none=True)
    message = fields.String()


class ImportRunSchema(OutSchema):
    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    ok = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    total_errors = fields.Integer()
    errors = fields.List(fields.Nested(CellErrorSchema))
    warnings = fields.List(fields.String())


class ImportErrorDetailSchema(ErrorDetailSchema):
    import_ = fields.Nested(
        ImportRunSchema,
        data_key="import",
        metadata={"description": "Lần nhập bị từ chối (tệp có lỗi): danh sách lỗi."},
    )


class ImportErrorSchema(BaseSchema):
    """400 of an upload: a plain error, or a file with errors and the run that lists them."""

    error = fields.Nested(ImportErrorDetailSchema, required=True)


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}
XLSX_BODY = {"type": "string", "format": "binary"}
