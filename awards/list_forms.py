"""WTForms of the award list pages (Flask-WTF adds CSRF to each): propose, a manual nomination
(C9), removing or restoring one, and the list's steps (C11)."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from awards.models import DECISION_LEVELS
from awards.workflow import ACTIONS
from service.common.forms import Form, IntegerInput, VnDateField, strip


def _version():
    return IntegerInput(
        "Phiên bản", validators=[InputRequired("Thiếu phiên bản.")], widget=HiddenInput()
    )


class ProposeForm(Form):
    unit = StringField("Đơn vị", filters=[strip], validators=[Length(max=300, message="Quá dài.")])


class NominationForm(Form):
    subject = SelectField("Đối tượng", choices=[("person", "Cá nhân"), ("unit", "Tập thể")])
    code = StringField(
        "Mã cán bộ hoặc mã đơn vị",
        filters=[strip],
        validators=[DataRequired("Nhập mã cán bộ hoặc mã đơn vị."), Length(max=50)],
    )
    award = SelectField("Danh hiệu, hình thức khen thưởng", choices=[])
    reason = StringField(
        "Lý do (thành tích đột xuất, tiêu biểu…)",
        filters=[strip],
        validators=[DataRequired("Đề nghị ngoài quy định cần ghi lý do."), Length(max=1000)],
    )
    version = _version()


class RemoveForm(Form):
    reason = StringField(
        "Lý do bỏ",
        filters=[strip],
        validators=[DataRequired("Bỏ khỏi danh sách cần có lý do."), Length(max=1000)],
    )
    version = _version()


class RestoreForm(Form):
    version = _version()


class ListActionForm(Form):
    action = SelectField("Thao tác", choices=[(a, a) for a in ACTIONS])
    reason = StringField("Lý do trả lại", filters=[strip], validators=[Length(max=1000)])
    decision_no = StringField("Số quyết định", filters=[strip], validators=[Length(max=100)])
    decision_date = VnDateField("Ngày quyết định", validators=[Optional()])
    decision_signer = StringField("Người ký", filters=[strip], validators=[Length(max=200)])
    decision_level = SelectField(
        "Cấp quyết định", choices=list(DECISION_LEVELS.items()), default="co_so"
    )
    decision_unit = StringField("Đơn vị ban hành", filters=[strip], validators=[Length(max=50)])
    decision_issuer = StringField("Cơ quan ban hành", filters=[strip], validators=[Length(max=300)])
    version = _version()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks; for a decision also its required number and signer, so that
        a bad date and a missing number are told together, not one refusal after another."""
        ok = super().validate(extra_validators)
        if self.action.data == "decide" and not ok:
            for field, message in (
                (self.decision_no, "Cần nhập số quyết định."),
                (self.decision_signer, "Cần nhập người ký."),
            ):
                if not field.data and message not in field.errors:
                    field.errors = [*field.errors, message]
        return ok


class DecisionCorrectionForm(Form):
    """A recorded decision's number, date, signer and issuing body's name, corrected with a
    reason (awards.decisions.correct_decision checks them)."""

    number = StringField("Số quyết định", filters=[strip], validators=[Length(max=100)])
    date = VnDateField("Ngày quyết định", validators=[Optional()])
    signer = StringField("Người ký", filters=[strip], validators=[Length(max=200)])
    issuer = StringField("Cơ quan ban hành", filters=[strip], validators=[Length(max=300)])
    reason = StringField("Lý do sửa", filters=[strip], validators=[Length(max=1000)])
