"""WTForms of the awards pages' POSTs (Flask-WTF adds CSRF to each); the JSON API keeps its
marshmallow schemas. Messages are in Vietnamese and name what is wrong."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from awards.imports import split_person_codes
from awards.models import KIND_LABELS, LEVEL_LABELS
from service.common.forms import Form, IntegerInput, VnDateField, strip


class InitiativeForm(Form):
    """Add or edit an entry of the registry (`version`: the one the form was loaded with)."""

    year = IntegerInput(
        "Năm",
        validators=[
            InputRequired("Nhập năm."),
            NumberRange(2000, 2100, "Năm phải trong khoảng 2000–2100."),
        ],
        invalid="Năm không hợp lệ.",
    )
    kind = SelectField("Loại", choices=list(KIND_LABELS.items()))
    title = StringField(
        "Tên",
        filters=[strip],
        validators=[DataRequired("Nhập tên."), Length(max=500, message="Tối đa 500 ký tự.")],
    )
    level = SelectField("Cấp công nhận", choices=list(LEVEL_LABELS.items()))
    person_codes = StringField(
        "Mã tác giả", filters=[strip], validators=[Length(max=2000, message="Quá dài.")]
    )
    unit_code = StringField(
        "Mã đơn vị", filters=[strip], validators=[Length(max=300, message="Quá dài.")]
    )
    decision_no = StringField(
        "Số quyết định", filters=[strip], validators=[Length(max=100, message="Tối đa 100 ký tự.")]
    )
    decision_date = VnDateField("Ngày quyết định")
    version = IntegerInput("Phiên bản", validators=[Optional()], widget=HiddenInput())

    def data_for(self, unit_code: str | None) -> dict:
        """The operation's input (as the API's schema loads it)."""
        return {
            "year": self.year.data,
            "kind": self.kind.data,
            "title": self.title.data,
            "level": self.level.data,
            "person_codes": split_person_codes(self.person_codes.data),
            "unit_code": unit_code,
            "decision_no": self.decision_no.data or "",
            "decision_date": self.decision_date.data,
        }


class DeleteInitiativeForm(Form):
    reason = StringField(
        "Lý do xóa",
        filters=[strip],
        validators=[DataRequired("Xóa cần có lý do."), Length(max=2000, message="Quá dài.")],
    )
    version = IntegerInput(
        "Phiên bản", validators=[InputRequired("Thiếu phiên bản.")], widget=HiddenInput()
    )


class CatalogEntryForm(Form):
    """Edit one code of a year's award catalog (not its code, kinds or rule); an empty cap
    means no ratio cap."""

    name = StringField(
        "Tên danh hiệu, hình thức khen thưởng",
        filters=[strip],
        validators=[DataRequired("Nhập tên."), Length(max=300, message="Tối đa 300 ký tự.")],
    )
    authority = StringField(
        "Cấp quyết định",
        filters=[strip],
        validators=[
            DataRequired("Nhập cấp quyết định."),
            Length(max=300, message="Tối đa 300 ký tự."),
        ],
    )
    cap_pct = IntegerInput(
        "Giới hạn tỷ lệ (%)",
        validators=[Optional(), NumberRange(0, 100, "Giới hạn tỷ lệ phải trong khoảng 0–100 %%.")],
        invalid="Giới hạn tỷ lệ phải là số nguyên (để trống: không giới hạn).",
    )
    vote_pct = IntegerInput(
        "Ngưỡng biểu quyết (% số thành viên hội đồng)",
        validators=[
            InputRequired("Nhập ngưỡng biểu quyết."),
            NumberRange(1, 100, "Ngưỡng biểu quyết phải trong khoảng 1–100 %%."),
        ],
        invalid="Ngưỡng biểu quyết phải là số nguyên.",
    )
    vote_strict = SelectField(
        "Cách so ngưỡng (C10)",
        choices=[("1", "Trên ngưỡng (>)"), ("0", "Từ ngưỡng trở lên (≥)")],
    )
    state_level = BooleanField("Lấy ý kiến công khai trước khi đề nghị")
    version = IntegerInput(
        "Phiên bản", validators=[InputRequired("Thiếu phiên bản.")], widget=HiddenInput()
    )

    def entry_data(self) -> dict:
        """The operation's input, as the API's schema loads it."""
        return {
            "name": self.name.data,
            "authority": self.authority.data,
            "cap_pct": self.cap_pct.data,
            "vote_pct": self.vote_pct.data,
            "vote_strict": self.vote_strict.data == "1",
            "state_level": bool(self.state_level.data),
            "version": self.version.data,
        }
