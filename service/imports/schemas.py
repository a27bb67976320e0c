"""Import templates of TEMPLATES.md: the core files' columns ("Đơn vị", "Cán bộ"), the column
builders domains describe theirs with, the blank template of any registered kind, and the
schemas of the import API's answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from service.common.schemas import BaseSchema, ErrorDetailSchema, OutSchema, fields
from service.common.spreadsheets import Column, ExportColumn
from service.imports.registry import TEMPLATES
from service.jobs.schemas import JobOutSchema
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
    Column(
        "username",
        "Tên đăng nhập",
        "text",
        max_len=80,
        help="Tài khoản (đã có) của chính cán bộ này, để người đó xem kết quả của mình; "
        "chỉ quản trị hệ thống điền. Để trống: không thay đổi.",
        example="",
    ),
]


def points_column(key, label, maximum, example=None, help=""):
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


def count_column(key, label, maximum=100_000, example=0, help=""):
    return Column(key, label, "int", min=0, max=maximum, help=help, example=example)


def yes_no_column(key, label, help="", example="Không"):
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


EXPORT_KINDS = {"year": "int", "bool": "yesno"}  # an import column's kind -> its export's


def export_columns(columns, choices: dict | None = None) -> tuple[ExportColumn, ...]:
    """An import's columns as an export's, in the same order and with the same labels, so the
    export reads back through the import: a choice written in its words with its list, Có/Không
    with theirs. `choices` adds a hint list to other columns (key -> values, not enforced:
    e.g. the violation codes, several in a cell)."""
    out = []
    for c in columns:
        kind = EXPORT_KINDS.get(c.kind, c.kind)
        if c.kind == "choice":
            words = {stored: label for label, stored in (c.choices or {}).items()}
            out.append(ExportColumn(c.label, kind, words=words, choices=tuple(c.choices or ())))
        elif c.kind == "bool":
            out.append(ExportColumn(c.label, kind, choices=tuple(YES_NO)))
        elif c.key in (choices or {}):
            out.append(ExportColumn(c.label, kind, choices=tuple(choices[c.key]), strict=False))
        else:
            out.append(ExportColumn(c.label, kind))
    return tuple(out)


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
                "Dòng 2 là dòng ví dụ: ghi dữ liệu thật đè lên hoặc xóa dòng trước khi nhập "
                "(để nguyên, tệp bị từ chối).",
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


class ImportChangeSchema(OutSchema):
    row = fields.Integer()
    year = fields.Integer(allow_none=True)
    code = fields.String()
    action = fields.String(metadata={"description": "thêm mới | cập nhật"})
    text = fields.String(metadata={"description": "Ví dụ: thêm vi phạm 1.06; đổi Tháng 1 80 → 85"})


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
    changes = fields.List(
        fields.Nested(ImportChangeSchema),
        metadata={"description": "Lần nhập thành công: mỗi dòng đã thêm, đã đổi gì."},
    )


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


class ImportJobSchema(OutSchema):
    """A big file's import, queued as a job."""

    job = fields.Nested(JobOutSchema)
