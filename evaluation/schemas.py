"""Marshmallow schemas of the evaluation API: years, rule pack, catalog, inputs, decisions; the
schemas of its answers (documented in the OpenAPI document, the views dump their bodies)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from evaluation.rules import DISCIPLINE_FORMS
from service.common.schemas import (
    BaseSchema,
    ErrorDetailSchema,
    Integer,
    Length,
    OneOf,
    OutSchema,
    Range,
    VnDate,
    VnDecimal,
    items_schema,
)

HOW_FOUND = {
    "self_check": "tự kiểm tra",
    "inspection": "kiểm tra, giám sát",
    "complaint": "phản ánh, khiếu nại",
    "other": "khác",
}
LEVELS = ("XS", "T", "HT", "KHT", "NR")
# Vietnamese labels of the evaluation's input fields for messages (service.common.labels); the
# import columns add theirs (ct, m1, task_points, ...) when registered
FIELD_LABELS = {
    "code": "Mã biểu hiện vi phạm",
    "found_on": "Ngày phát hiện",
    "how_found": "Cách phát hiện",
    "evidence": "Chứng cứ",
    "violations": "Vi phạm",
    "violations_removal_reason": "Lý do gỡ vi phạm",
    "params": "Bộ quy tắc",
    "rules": "Quy tắc",
    "title": "Biểu hiện",
    "applies_to": "Áp dụng",
    "severity": "Mức độ",
    "level": "Mức",
    "action": "Thao tác",
    "kind": "Loại xếp loại",
    "unit": "Đơn vị",
    "official_level": "Xếp loại",
    "party_level": "Xếp loại đảng viên",
    "awards": "Danh hiệu, khen thưởng",
    "monthly_scores": "Điểm hằng tháng",
    "p": "Tỷ lệ (%)",
    "scope": "Phạm vi",
    "group": "Nhóm",
    "background": "Chạy nền",
}


def _points(maximum):
    return VnDecimal(
        places=2,
        allow_none=True,
        validate=Range(0, maximum),
        as_string=True,
        error_messages={"invalid": "Phải là số."},
    )


def _version():
    """The row's version when it was loaded (optimistic check of person and unit inputs)."""
    return Integer(
        allow_none=True,
        validate=Range(0, 2**31 - 1),
        metadata={
            "description": "Phiên bản của dòng khi được tải (trường `version` của câu trả lời; 0: "
            "chưa có dòng). Dòng đã đổi từ đó: 409 kèm dòng hiện tại (`error.current`). Có thể "
            "gửi bằng tiêu đề If-Match thay cho trường này. Không gửi: lưu đè (các ứng dụng cũ)."
        },
    )


def _count(maximum=100_000):
    """A count; an empty cell (null) means 0."""
    return Integer(allow_none=True, validate=Range(0, maximum))


class YearInSchema(BaseSchema):
    year = Integer(required=True, validate=Range(2000, 2100))


class PackSchema(BaseSchema):
    """Any subset of the pack's parameters; RulePack.validate checks the whole pack."""

    params = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class CatalogItemSchema(BaseSchema):
    code = fields.String(
        required=True,
        validate=fields.validate.Regexp(r"^[1-9]\.\d{2}$", error="Mã dạng 1.01 … 3.04."),
    )
    group = Integer(required=True, validate=Range(1, 9))
    title = fields.String(required=True, validate=Length(1, 2000))
    applies_to = fields.String(
        required=True,
        validate=OneOf(["individual", "collective", "both"], ["cá nhân", "tập thể", "cả hai"]),
    )
    severity = fields.String(
        required=True, validate=OneOf(["minor", "serious"], ["nhẹ (minor)", "nặng (serious)"])
    )


class CatalogUpdateSchema(BaseSchema):
    group = Integer(validate=Range(1, 9))
    title = fields.String(validate=Length(1, 2000))
    applies_to = fields.String(validate=OneOf(["individual", "collective", "both"]))
    severity = fields.String(validate=OneOf(["minor", "serious"]))


MAX_VIOLATIONS = 25  # codes of one save (API, grid, a cell of an import): issue 15 item 3
TOO_MANY_VIOLATIONS = f"Tối đa {MAX_VIOLATIONS} mã vi phạm mỗi lần lưu."
MAX_SHOWN = 1000  # codes a grid row showed: the active records of one subject


def _violations():
    """The subject's violation codes after the save; a code twice is two occurrences (RULES A2,
    A5: each counts), so repeats are kept, within MAX_VIOLATIONS."""
    return fields.List(
        fields.String(validate=Length(1, 10)),
        validate=validate.Length(max=MAX_VIOLATIONS, error=TOO_MANY_VIOLATIONS),
    )


def _violations_shown():
    """The codes a grid row showed when it was loaded: a save of violation codes whose records
    changed elsewhere meanwhile is refused (409) instead of removing one never seen."""
    return fields.List(
        fields.String(validate=Length(1, 10)),
        validate=validate.Length(max=MAX_SHOWN, error=f"Tối đa {MAX_SHOWN} mã."),
        load_only=True,
        metadata={
            "label": "Vi phạm đang hiển thị",
            "description": "Các mã vi phạm đang hiển thị khi mở dòng: nếu bản ghi đã đổi ở nơi "
            "khác, lưu bị từ chối (409) thay vì gỡ vi phạm chưa được thấy.",
        },
    )


class PersonEvalSchema(BaseSchema):
    """Yearly individual inputs. Every field is optional on update; absent keeps the value.

    Monthly scores come either as m1 … m12 or as {"monthly_scores": {"1": 90, …}}."""

    ct = _points(5)
    dd = _points(5)
    tp = _points(5)
    kl = _points(5)
    m1 = _points(100)
    m2 = _points(100)
    m3 = _points(100)
    m4 = _points(100)
    m5 = _points(100)
    m6 = _points(100)
    m7 = _points(100)
    m8 = _points(100)
    m9 = _points(100)
    m10 = _points(100)
    m11 = _points(100)
    m12 = _points(100)
    monthly_scores = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    task_points = _points(70)
    tasks_total = _count()
    tasks_late = _count()
    tasks_exceeded = _count()
    months_worked = Integer(allow_none=True, validate=Range(0, 12))  # empty: 12
    maternity = fields.Boolean()
    violations = _violations()
    violations_shown = _violations_shown()
    violations_removal_reason = fields.String(validate=Length(max=2000))
    discipline_form = fields.String(
        allow_none=True,
        validate=OneOf(list(DISCIPLINE_FORMS), list(DISCIPLINE_FORMS.values())),
    )
    discipline_year = Integer(allow_none=True, validate=Range(1950, 2100))
    discipline_date = VnDate(allow_none=True)
    party_discipline = fields.Boolean()
    counted_before = fields.Boolean()
    self_remedied = fields.Boolean()
    under_review = fields.Boolean()
    initiatives_base = _count(1000)
    initiatives_city = _count(1000)
    version = _version()

    @validates_schema
    def _months(self, data, **kwargs):
        scores = data.pop("monthly_scores", None)
        if scores is None:
            return
        errors = {}
        field = _points(100)
        for key, value in scores.items():
            try:
                month = int(key)
            except (TypeError, ValueError):
                month = 0
            if not 1 <= month <= 12:
                errors[str(key)] = ["Tháng phải từ 1 đến 12."]
                continue
            try:
                data[f"m{month}"] = field.deserialize(value)
            except ValidationError as err:
                errors[str(key)] = err.messages
        if errors:
            raise ValidationError({"monthly_scores": errors})


class UnitEvalSchema(BaseSchema):
    ct = _points(5)
    dd = _points(5)
    tp = _points(5)
    kl = _points(5)
    k1 = fields.Boolean()
    k2 = fields.Boolean()
    k3 = fields.Boolean()
    k4 = fields.Boolean()
    violations = _violations()
    violations_shown = _violations_shown()
    violations_removal_reason = fields.String(validate=Length(max=2000))
    task_points = _points(70)
    targets_total = _count()
    targets_done = _count()
    targets_late = _count()
    targets_exceeded = _count()
    subunits_total = _count()
    subunits_disciplined = _count()
    leadership_disciplined = fields.Boolean()
    corruption_case = fields.Boolean()
    under_review = fields.Boolean()
    version = _version()


class _Evidence(fields.String):
    """Text that must say something: surrounding spaces are dropped, blank is missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise self.make_error("required")
        return text


class ViolationInSchema(BaseSchema):
    """A record needs its date, how it was found and its evidence (issue 11 item 6)."""

    person_code = fields.String(validate=Length(1, 50), metadata={"label": "Mã cán bộ"})
    unit_code = fields.String(validate=Length(1, 50), metadata={"label": "Mã đơn vị"})
    code = fields.String(
        required=True, validate=Length(1, 10), metadata={"label": "Mã biểu hiện vi phạm"}
    )
    found_on = VnDate(required=True, metadata={"label": "Ngày phát hiện"})
    how_found = fields.String(
        required=True,
        validate=OneOf(list(HOW_FOUND), list(HOW_FOUND.values())),
        metadata={"label": "Cách phát hiện"},
    )
    evidence = _Evidence(
        required=True,
        validate=Length(1, 5000),
        metadata={"label": "Chứng cứ", "description": "Nội dung chứng cứ (bắt buộc)."},
    )

    @validates_schema
    def _subject(self, data, **kwargs):
        if bool(data.get("person_code")) == bool(data.get("unit_code")):
            raise ValidationError("Cần đúng một trong person_code hoặc unit_code.", "person_code")


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=Length(1, 2000))


class TransitionSchema(BaseSchema):
    reason = fields.String(load_default=None, allow_none=True, validate=Length(max=2000))
    version = Integer(load_default=None, allow_none=True, validate=Range(0, 2**31 - 1))


class LevelChoiceSchema(BaseSchema):
    level = fields.String(required=True, validate=OneOf(list(LEVELS)))
    reason = fields.String(load_default=None, allow_none=True, validate=Length(max=2000))


class ComputeSchema(BaseSchema):
    unit_code = fields.String(load_default=None, allow_none=True, validate=Length(max=50))
    background = fields.Boolean(load_default=None, allow_none=True)


class QuotaOverrideSchema(BaseSchema):
    scope = fields.List(fields.String(allow_none=True), required=True)
    p = Integer(required=True, validate=Range(0, 100))
    reason = fields.String(required=True, validate=Length(1, 2000))


# RULES.md C and P: award codes, the same in pages, API, imports and exports
PARTY_BADGE_MILESTONES = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
AWARD_CODES = (
    "LDTT",
    "CSTDCS",
    "CSTD_TP",
    "BK_TP",
    "BK_TTG",
    "GK",
    "TTLDTT",
    "TTLDXS",
    "CO_TP",
    "GK_DANG",
    "DANG_5NAM",
    "GK_TCD",
    "TCD_5NAM",
    *(f"HHD{m}" for m in PARTY_BADGE_MILESTONES),
)


class HistorySchema(BaseSchema):
    """A past year's outcome (template "Lịch sử")."""

    official_level = fields.String(allow_none=True, validate=OneOf(list(LEVELS)))
    party_level = fields.String(allow_none=True, validate=OneOf(list(LEVELS)))
    awards = fields.List(fields.String(validate=OneOf(list(AWARD_CODES))), load_default=list)
    initiatives_base = _count(1000)
    initiatives_city = _count(1000)


# --- checks across the fields of a stored input row (the API's saves and the imports) -------


def person_input_errors(row, year: int | None = None) -> dict[str, list[str]]:
    """Cross-field errors of a person's yearly inputs (a PersonEval or any object with its
    fields) for the rated `year`: task counts, discipline year, date and form. A6 counts a
    discipline decided in the year, so a form needs its year (or date), not after `year`
    (one without would be stored and never counted)."""
    errors: dict[str, list[str]] = {}
    total = row.tasks_total or 0
    if (row.tasks_late or 0) > total:
        errors["tasks_late"] = [f"Số nhiệm vụ chậm không được lớn hơn tổng số nhiệm vụ ({total})."]
    if (row.tasks_exceeded or 0) > total:
        errors["tasks_exceeded"] = [
            f"Số nhiệm vụ vượt không được lớn hơn tổng số nhiệm vụ ({total})."
        ]
    if row.discipline_date is not None:
        if row.discipline_year is not None and row.discipline_year != row.discipline_date.year:
            errors["discipline_year"] = ["Năm quyết định kỷ luật khác năm của ngày quyết định."]
    if (row.discipline_year or row.discipline_date) and not row.discipline_form:
        errors["discipline_form"] = ["Có năm/ngày quyết định kỷ luật thì phải có hình thức."]
    decided = row.discipline_year or (row.discipline_date.year if row.discipline_date else None)
    if row.discipline_form and decided is None and "discipline_year" not in errors:
        # short: the grid tells it in the cell (a long one made the row 250 px tall)
        errors["discipline_year"] = ["Cần năm (hoặc ngày) quyết định kỷ luật."]
    elif row.discipline_form and year is not None and decided is not None and decided > year:
        errors["discipline_year"] = [f"Năm {decided} sau năm đánh giá {year}."]
    return errors


def unit_input_errors(row) -> dict[str, list[str]]:
    """Cross-field errors of a unit's yearly inputs: targets and subunits counts."""
    errors: dict[str, list[str]] = {}
    total = row.targets_total or 0
    for key, label in (
        ("targets_done", "hoàn thành"),
        ("targets_late", "chậm"),
        ("targets_exceeded", "vượt"),
    ):
        if (getattr(row, key) or 0) > total:
            errors[key] = [f"Số chỉ tiêu {label} không được lớn hơn tổng chỉ tiêu ({total})."]
    if (row.subunits_disciplined or 0) > (row.subunits_total or 0):
        errors["subunits_disciplined"] = [
            "Số đơn vị trực thuộc bị kỷ luật không được lớn hơn số đơn vị trực thuộc."
        ]
    return errors


# --- answers ---------------------------------------------------------------------------------

_TEXT = {"allow_none": True}


class YearOutSchema(OutSchema):
    year = fields.Integer()
    pack = fields.Dict(metadata={"description": "Tham số của bộ quy tắc."})
    pack_source = fields.String(**_TEXT)
    locked = fields.Boolean()
    pack_locked = fields.Boolean()
    computed_at = fields.String(**_TEXT, metadata={"description": "dd/mm/yyyy HH:MM"})


class CatalogItemOutSchema(OutSchema):
    code = fields.String()
    group = fields.Integer()
    title = fields.String()
    applies_to = fields.String()
    severity = fields.String()


def _eval_out(name: str, inputs: type, subject: str, dropped: tuple[str, ...], **extra) -> type:
    """The answer of an evaluation: the subject's code, each input field as stored (numbers
    with decimals as strings, dates dd/mm/yyyy; null when nothing was entered), the active
    violation codes, whether a row exists, and the `extra` fields."""
    attrs: dict = {subject: fields.String()}
    for key, field in inputs._declared_fields.items():
        if key in dropped or key == "violations":
            continue
        if isinstance(field, fields.Boolean):
            attrs[key] = fields.Boolean(allow_none=True)
        elif isinstance(field, fields.Integer):
            attrs[key] = fields.Integer(allow_none=True)
        else:
            attrs[key] = fields.String(allow_none=True)
    attrs["violations"] = fields.List(fields.String())
    attrs["exists"] = fields.Boolean()
    attrs["version"] = fields.Integer(
        metadata={"description": "Phiên bản của dòng (0: chưa có dòng); gửi lại khi lưu."}
    )
    attrs.update(extra)
    return type(name, (OutSchema,), attrs)


PersonEvalOutSchema = _eval_out(
    "PersonEvalOutSchema",
    PersonEvalSchema,
    "person_code",
    ("monthly_scores", "violations_removal_reason", "violations_shown"),
    missing=fields.List(
        fields.String(),
        metadata={"description": "Còn thiếu gì để xếp loại (rỗng: đã nhập đủ)."},
    ),
)
UnitEvalOutSchema = _eval_out(
    "UnitEvalOutSchema",
    UnitEvalSchema,
    "unit_code",
    ("violations_removal_reason", "violations_shown"),
)


class _StaleDetail(ErrorDetailSchema):
    current = fields.Dict(
        metadata={"description": "409 của dòng đã đổi: dòng hiện tại (như câu trả lời của GET)."}
    )


class StaleRowErrorSchema(BaseSchema):
    """409 of a save whose `version` is not the row's: the error and the current row."""

    error = fields.Nested(_StaleDetail, required=True)


class GridRowSchema(PersonEvalOutSchema):
    full_name = fields.String()
    position = fields.String(**_TEXT)
    is_head = fields.Boolean()


class ViolationOutSchema(OutSchema):
    id = fields.Integer()
    code = fields.String()
    person_code = fields.String(**_TEXT)
    unit_code = fields.String(**_TEXT)
    found_on = fields.String(**_TEXT, metadata={"description": "dd/mm/yyyy"})
    how_found = fields.String(**_TEXT)
    evidence = fields.String(**_TEXT)
    recorded_by = fields.String(**_TEXT)
    removed = fields.Boolean()
    removed_reason = fields.String(**_TEXT)


class ActionSchema(OutSchema):
    action = fields.String()
    label = fields.String()
    needs_reason = fields.Boolean()


class MissingPersonSchema(OutSchema):
    code = fields.String()
    full_name = fields.String()
    missing = fields.List(fields.String())


class MissingUnitSchema(OutSchema):
    code = fields.String()
    name = fields.String()
    heads = fields.List(fields.String(), metadata={"description": "Người đứng đầu: «Họ tên (mã)»"})


class EntryStatusSchema(OutSchema):
    total = fields.Integer(metadata={"description": "Số người của danh sách"})
    entered = fields.Integer(metadata={"description": "Số người đã nhập đủ"})
    missing = fields.List(fields.Nested(MissingPersonSchema))
    units_missing = fields.List(
        fields.Nested(MissingUnitSchema),
        metadata={
            "description": "Đơn vị trực thuộc chưa nhập đánh giá tập thể: không có kết quả "
            "xếp loại, người đứng đầu không bị giới hạn theo A8"
        },
    )


class ReviewOutSchema(OutSchema):
    year = fields.Integer()
    unit_code = fields.String()
    state = fields.String(metadata={"enum": ["open", "submitted", "approved"]})
    state_label = fields.String()
    version = fields.Integer()
    last_action = fields.String(**_TEXT)
    last_reason = fields.String(**_TEXT)
    actions = fields.List(fields.Nested(ActionSchema))
    entry = fields.Nested(EntryStatusSchema)


class RuleStepSchema(OutSchema):
    rule_id = fields.String()
    message_vi = fields.String()
    figures = fields.Dict()


class RatingOutSchema(OutSchema):
    kind = fields.String(metadata={"enum": ["official", "party", "unit"]})
    code = fields.String()
    name = fields.String()
    level = fields.String()
    score = fields.String(**_TEXT)
    task_points = fields.String(**_TEXT)
    provisional = fields.Boolean()
    proposed_level = fields.String(**_TEXT)
    proposal_reason = fields.String(**_TEXT)
    final_level = fields.String()
    final_reason = fields.String(**_TEXT)
    decided_level = fields.String(
        **_TEXT,
        metadata={"description": "Mức cuối cùng do cấp có thẩm quyền chọn (null: mức tính toán)"},
    )
    rules = fields.List(fields.String())
    why = fields.List(fields.Nested(RuleStepSchema))
    scope = fields.List(fields.Raw(allow_none=True))
    incomplete = fields.Boolean(
        metadata={"description": "Kết quả tính từ dữ liệu chưa đủ (chưa đủ dữ liệu)"}
    )
    missing = fields.List(fields.String())


class UnitRatingsSchema(OutSchema):
    review = fields.Nested(ReviewOutSchema)
    items = fields.List(fields.Nested(RatingOutSchema))


class PersonRatingsSchema(OutSchema):
    person_code = fields.String()
    items = fields.List(fields.Nested(RatingOutSchema))


class QuotaOverrideOutSchema(OutSchema):
    scope = fields.List(fields.String(allow_none=True))
    p = fields.Integer()
    reason = fields.String()


class HistoryOutSchema(OutSchema):
    year = fields.Integer()
    official_level = fields.String(**_TEXT)
    party_level = fields.String(**_TEXT)
    awards = fields.List(fields.String())
    initiatives_base = fields.Integer()
    initiatives_city = fields.Integer()


class DashboardRowSchema(OutSchema):
    unit_code = fields.String()
    name = fields.String()
    depth = fields.Integer()
    is_selected = fields.Boolean()
    own_people = fields.Integer()
    people = fields.Integer()
    evaluated = fields.Integer()
    complete = fields.Boolean()
    state = fields.String()
    state_label = fields.String()
    states_below = fields.Dict(keys=fields.String(), values=fields.Integer())
    levels = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Xếp loại công chức, viên chức: số người mỗi mức"},
    )
    party_levels = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Xếp loại đảng viên: số người mỗi mức"},
    )


YearListSchema = items_schema(YearOutSchema)
CatalogListSchema = items_schema(CatalogItemOutSchema)
ViolationListSchema = items_schema(ViolationOutSchema)
HistoryListSchema = items_schema(HistoryOutSchema)
DashboardSchema = items_schema(DashboardRowSchema, "Dashboard")


class PeopleEvaluationsSchema(items_schema(GridRowSchema)):
    unit_code = fields.String()


# the dashboard reads ?unit= itself (required unless administrator)
DASHBOARD_UNIT = {
    "in": "query",
    "name": "unit",
    "required": False,
    "schema": {"type": "string", "maxLength": 50},
    "description": "Mã đơn vị; bỏ trống: các đơn vị cấp cao nhất (chỉ quản trị viên).",
}
