"""WTForms of the awards pages' POSTs (Flask-WTF adds CSRF to each); the JSON API keeps its
marshmallow schemas. Messages are in Vietnamese and name what is wrong."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from awards.imports import split_person_codes
from awards.models import KIND_LABELS, LEVEL_LABELS
from service.common.forms import IntegerInput, VnDateField, strip


class InitiativeForm(FlaskForm):
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


class DeleteInitiativeForm(FlaskForm):
    reason = StringField(
        "Lý do xóa",
        filters=[strip],
        validators=[DataRequired("Xóa cần có lý do."), Length(max=2000, message="Quá dài.")],
    )
    version = IntegerInput(
        "Phiên bản", validators=[InputRequired("Thiếu phiên bản.")], widget=HiddenInput()
    )
